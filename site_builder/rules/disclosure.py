"""Protecting one table system: suppress, audit, and suppress more until the audit passes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from site_builder.rules.audit import AuditReport, audit
from site_builder.rules.privacy import (
    PUBLISHED,
    Key,
    Relation,
    Status,
    TableSystem,
    complementary_suppression,
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
    relations_of: dict[Key, list[Relation]] = defaultdict(list)
    totals = set()
    for relation in system.relations:
        totals.add(relation.total)
        for key in (relation.total, *relation.parts):
            relations_of[key].append(relation)
    for round_number in range(MAX_REPAIR_ROUNDS + 1):
        report = audit(system, statuses, min_cell)
        if report.passed:
            return Protection(system.values, statuses, report, round_number)
        chosen = set()
        for exposure in report.exposures:
            candidate = _nearest_candidate(exposure.key, system, statuses, relations_of, totals)
            if candidate is not None:
                chosen.add(candidate)
        if not chosen:
            break
        for key in chosen:
            statuses[key] = "suppressed-complementary"
        statuses = complementary_suppression(system, statuses, min_cell)
    exposed = ", ".join(f"{e.key!r} in [{e.low:g}, {e.high:g}]" for e in report.exposures[:5])
    raise DisclosureRisk(f"disclosure audit failed: hidden cells can be narrowed: {exposed}")


def _nearest_candidate(
    exposed: Key,
    system: TableSystem,
    statuses: dict[Key, Status],
    relations_of: dict[Key, list[Relation]],
    totals: set[Key],
) -> Key | None:
    """The published cell whose hiding most likely widens ``exposed``, at least cost.

    Searches outward from the exposed cell through hidden cells, relation by relation.
    The first layer with a published *detail* cell (one that is no relation's total)
    gives the smallest such cell: hiding details keeps the totals readers care about.
    Only when no detail cell is reachable is the nearest, smallest total hidden.
    """
    seen_cells = {exposed}
    seen_relations: set[int] = set()
    frontier = [exposed]
    fallback = None
    while frontier:
        details, sums, next_frontier = [], [], []
        for cell in frontier:
            for relation in relations_of.get(cell, ()):
                if id(relation) in seen_relations:
                    continue
                seen_relations.add(id(relation))
                for key in (relation.total, *relation.parts):
                    if key in seen_cells:
                        continue
                    seen_cells.add(key)
                    if statuses[key] != PUBLISHED:
                        next_frontier.append(key)
                    elif system.values[key] > 0:
                        (sums if key in totals else details).append(key)
        if details:
            return min(details, key=lambda key: (system.values[key], repr(key)))
        if sums and fallback is None:
            fallback = min(sums, key=lambda key: (system.values[key], repr(key)))
        frontier = next_frontier
    return fallback
