"""A stand-in for ``protect`` that applies the spec's rules only (primary and complementary
suppression) and skips the disclosure audit, for ``run.py --rules-only``: it times and
measures every other stage of a build whose protection would take hours (a national one).
Never for a site that is published: nothing proves its hidden cells wide."""

from __future__ import annotations

from site_builder.protection.audit import AuditReport
from site_builder.protection.disclosure import Protection
from site_builder.protection.privacy import (
    HIDDEN_STATUSES,
    TableSystem,
    complementary_suppression,
    primary_statuses,
)


def protect_by_rules(system: TableSystem, min_cell: int) -> Protection:
    statuses = complementary_suppression(system, primary_statuses(system, min_cell), min_cell)
    hidden = sum(1 for status in statuses.values() if status in HIDDEN_STATUSES)
    return Protection(system.values, statuses, AuditReport(hidden, 0, 0, 0, ()), 0)
