"""Protecting one table system: suppress, audit, and suppress more until the audit passes."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.rules.audit import AuditReport, audit
from site_builder.rules.privacy import (
    PUBLISHED,
    Key,
    Status,
    TableSystem,
    complementary_suppression,
    hide_one_more,
    primary_statuses,
)

MAX_REPAIR_ROUNDS = 200


class DisclosureRisk(Exception):
    """The audit still finds a narrowable cell after every repair: nothing may be published."""


@dataclass(frozen=True)
class Protection:
    """The statuses that passed the audit; ``values`` are the true counts, which only
    ``site_builder.reports`` reads, to publish the cells whose status allows it."""

    values: dict[Key, int]
    statuses: dict[Key, Status]
    report: AuditReport
    repair_rounds: int


def protect(system: TableSystem, min_cell: int) -> Protection:
    """Statuses for every cell of ``system`` that pass the disclosure audit."""
    statuses = complementary_suppression(system, primary_statuses(system, min_cell), min_cell)
    by_cell: dict[Key, list] = {}
    for relation in system.relations:
        for key in (relation.total, *relation.parts):
            by_cell.setdefault(key, []).append(relation)
    for round_number in range(MAX_REPAIR_ROUNDS + 1):
        report = audit(system, statuses, min_cell)
        if report.passed:
            return Protection(system.values, statuses, report, round_number)
        progressed = False
        for exposure in report.exposures:
            # Widen the exposed cell through the relation where it has the least company.
            relations = sorted(
                by_cell.get(exposure.key, []),
                key=lambda relation: (
                    sum(statuses[k] != PUBLISHED for k in (relation.total, *relation.parts)),
                    len(relation.parts),
                    repr(relation.total),
                ),
            )
            if any(hide_one_more(relation, system.values, statuses) for relation in relations):
                progressed = True
        if not progressed:
            break
        statuses = complementary_suppression(system, statuses, min_cell)
    exposed = ", ".join(f"{e.key!r} in [{e.low:g}, {e.high:g}]" for e in report.exposures[:5])
    raise DisclosureRisk(f"disclosure audit failed: hidden cells can be narrowed: {exposed}")
