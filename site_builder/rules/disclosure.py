"""Protecting one table system: suppress, audit, and suppress more until the audit passes."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from site_builder.rules.audit import PIN_WIDTH, TOLERANCE, AuditReport, audit, status_bounds
from site_builder.rules.privacy import (
    HIDDEN_STATUSES,
    PUBLISHED,
    Key,
    Relation,
    Status,
    TableSystem,
    complementary_suppression,
    must_be_wide,
    primary_statuses,
)
from site_builder.rules.propagation import propagate

MAX_REPAIR_ROUNDS = 200
#: audits in a row with the same narrow cells before the flows hand over to the linear programs
FLOW_REPEATS = 2


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
    #: cells pinned by the status column's own ranges, which no suppression can widen
    inherent: frozenset[Key] = frozenset()


def protect(system: TableSystem, min_cell: int) -> Protection:
    """Statuses for every cell of ``system`` that pass the disclosure audit.

    Interval propagation finds most exposed cells cheaply, with the relation that
    exposes each; a cell of that relation is hidden too. Only when propagation finds
    nothing does the full audit run, and what it finds is widened through the nearest
    published detail cell. A cell pinned purely by the status column's ranges (for
    example nine "<10" parts of a "<10" total: all of them must be 1), where no
    published cell is left to hide, is inherent to publishing "<10" at all: it is
    recorded as such, not repaired.
    """
    # One canonical order of relations, so the pattern never depends on how they were listed.
    system = TableSystem(
        values=system.values,
        relations=sorted(system.relations, key=lambda r: (repr(r.total), repr(r.parts))),
        inequalities=system.inequalities,
        coded=system.coded,
        coded_by=system.coded_by,
        arcs=system.arcs,
        regions=system.regions,
    )
    statuses = complementary_suppression(system, primary_statuses(system, min_cell), min_cell)
    relations_of: dict[Key, list[Relation]] = defaultdict(list)
    totals = set()
    for relation in system.relations:
        totals.add(relation.total)
        for key in (relation.total, *relation.parts):
            relations_of[key].append(relation)
    # An inequality links its cells too: a claimed count is widened by widening the
    # school's count of credentials it cannot exceed.
    for inequality in system.inequalities:
        (first, _), *rest = inequality.terms
        link = Relation(first, tuple(key for key, _ in rest))
        for key, _ in inequality.terms:
            relations_of[key].append(link)
    inherent: set[Key] = set()
    proven: set[tuple[Key, str]] = set()
    # (cell, check) pairs the audit answers with linear programs even in a flow network
    exact: set[tuple[Key, str]] = set()
    last_exposed: set[tuple[Key, str]] = set()
    repeats = 0
    for round_number in range(MAX_REPAIR_ROUNDS + 1):
        chosen: set[Key] = set()
        unrepairable: list[Key] = []
        cautious: set[tuple[Key, str]] = set()
        quick = quick_exposures(system, statuses, min_cell, inherent)
        for exposure in quick:
            candidate = _widening_candidate(exposure.causes, system, statuses, totals)
            if candidate is None and exposure.check == "width":
                candidate = _nearest_candidate(exposure.key, system, statuses, relations_of, totals)
            if candidate is not None:
                chosen.add(candidate)
            elif exposure.check == "pinning":
                inherent.add(exposure.key)
            else:
                unrepairable.append(exposure.key)
        if not quick:
            report = audit(system, statuses, min_cell, exempt=inherent, proven=proven, exact=exact)
            if report.passed:
                return Protection(system.values, statuses, report, round_number, frozenset(inherent))
            # The flows treat an inequality between two networks cautiously. A cell they
            # keep finding narrow whatever is hidden around it, or that nothing more can
            # widen, is checked by the exact linear programs from then on.
            exposed = {(exposure.key, exposure.check) for exposure in report.exposures}
            repeats = repeats + 1 if exposed == last_exposed else 0
            last_exposed = exposed
            if repeats >= FLOW_REPEATS:
                exact |= exposed
            for exposure in report.exposures:
                candidate = _nearest_candidate(exposure.key, system, statuses, relations_of, totals)
                if candidate is None:
                    unrepairable.append(exposure.key)
                    cautious.add((exposure.key, exposure.check))
                else:
                    chosen.add(candidate)
        if unrepairable:
            if quick or not system.arcs or cautious <= exact:
                break
            exact |= cautious
        # A round that only recorded inherent cells goes on without hiding anything.
        for key in chosen:
            statuses[key] = "suppressed-complementary"
        statuses = complementary_suppression(system, statuses, min_cell)
    listed = ", ".join(repr(key) for key in unrepairable[:5])
    raise DisclosureRisk(f"disclosure audit failed: hidden cells can still be narrowed: {listed}")


@dataclass(frozen=True)
class QuickExposure:
    key: Key
    check: str
    causes: list[Relation]


def quick_exposures(
    system: TableSystem, statuses: dict[Key, Status], min_cell: int, exempt: set[Key] = frozenset()
) -> list[QuickExposure]:
    """Hidden, uncoded cells that interval propagation alone narrows ("width") or pins
    under the status column's ranges ("pinning"), with the relations that did it."""
    hidden = [key for key, status in statuses.items() if status in HIDDEN_STATUSES]
    exposed: list[QuickExposure] = []
    for check, bounds, width in (
        ("width", {key: (0.0, math.inf) for key in hidden}, float(min_cell)),
        ("pinning", {key: status_bounds(statuses[key], min_cell) for key in hidden}, PIN_WIDTH),
    ):
        result = propagate(system, statuses, bounds)
        for key in sorted(result.bounds, key=repr):
            low, high = result.bounds[key]
            if check == "pinning" and key in exempt:
                continue
            if must_be_wide(system, statuses, key) and high - low < width - TOLERANCE:
                exposed.append(QuickExposure(key, check, result.causes[key]))
    return exposed


def _widening_candidate(
    causes: list[Relation], system: TableSystem, statuses: dict[Key, Status], totals: set[Key]
) -> Key | None:
    """A published cell of a relation that narrowed the exposed cell: its smallest
    detail part, else its total. Hiding it adds an unknown exactly where the bound came from."""
    for relation in causes:
        parts = [p for p in relation.parts if statuses[p] == PUBLISHED and system.values[p] > 0]
        details = [p for p in parts if p not in totals]
        for group in (details, parts):
            if group:
                return min(group, key=lambda key: (system.values[key], repr(key)))
        if statuses[relation.total] == PUBLISHED and system.values[relation.total] > 0:
            return relation.total
    return None


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
