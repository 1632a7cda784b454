"""Student privacy (SPEC 5): which published numbers must be hidden, and why.

A *table system* is a set of count cells (each with a stable, sortable key) and the
additive relations between them (a total equals the sum of its parts). Everything
that is published for one year forms one system, so hiding a cell in one table is
not undone by subtraction in another.

- primary suppression: a count from 1 to n-1 is hidden (``suppressed``); 0 is published;
- complementary suppression: no relation may have exactly one hidden cell, and the
  hidden parts of a published total must add up to at least n; more cells are hidden
  (``suppressed-complementary``), smallest non-zero part first, ties by key, until
  every relation obeys both rules;
- coded cells (``top-coded``/``bottom-coded``, from rate coding) are hidden too, but
  their range is deliberately revealed by the coded rate, so the audit does not ask
  them to be wide.

The rules are necessary, not sufficient: ``site_builder.protection.audit`` proves the
result with linear programming and ``protect`` adds suppression until it passes.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Status = Literal["published", "suppressed", "suppressed-complementary", "top-coded", "bottom-coded"]
PUBLISHED: Status = "published"
HIDDEN_STATUSES = frozenset({"suppressed", "suppressed-complementary", "top-coded", "bottom-coded"})
CODED_STATUSES = frozenset({"top-coded", "bottom-coded"})

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``total`` = sum of ``parts``: both sides are published cells (or hidden ones)."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class Inequality:
    """sum(coefficient * cell) <= bound: what a coded rate or a cross-table rule reveals."""

    terms: tuple[tuple[Key, float], ...]
    bound: float


@dataclass
class TableSystem:
    """All cells published for one year (or one report), with what links them."""

    values: dict[Key, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    inequalities: list[Inequality] = field(default_factory=list)
    #: cells hidden for reasons other than their own size, with the status to show
    coded: dict[Key, Status] = field(default_factory=dict)
    #: for each coded cell, the denominator whose publication shows its coded rate
    coded_by: dict[Key, Key] = field(default_factory=dict)
    #: optional: a (row, column) place for each detail cell (one that is no relation's
    #: total), such as (school, credential). The certificates (``protection.certificates``)
    #: look for moves along rows and columns of hidden cells.
    grid: dict[Key, tuple[Hashable, Hashable]] = field(default_factory=dict)
    #: a slice of a larger system (``protection.blocks``) holds, for each cell it shares with
    #: the other slices (a statewide total), only its own part of the count: the rest of
    #: it, this many, is fixed by the other slices. Its status is the whole count's. A
    #: slice's repairs never hide a shared cell (the spec's rules may): what only that
    #: would widen is left to the whole system (``disclosure.settle``)
    offsets: dict[Key, int] = field(default_factory=dict)
    #: shared cells hidden from the start that another slice proves wide: here they are
    #: unknowns like any hidden cell, but nothing needs proving of them
    elsewhere: frozenset[Key] = frozenset()
    #: optional: each cell's arc (tail node, head node) in a circulation whose conservation
    #: at every node is one of ``relations`` (a year's attainment counts). The exact flow
    #: audit (``protection.flows``) proves such a system's cells, a slice's too (its parts
    #: of the shared cells conserve at every node as the whole counts do); a system
    #: without arcs is proven by the certificates alone
    arcs: dict[Key, tuple[Hashable, Hashable]] = field(default_factory=dict)

    def add_relation(self, total: Key, parts: Iterable[Key]) -> None:
        parts = tuple(parts)
        if parts:
            self.relations.append(Relation(total, parts))


def must_be_wide(system: TableSystem, statuses: Mapping[Key, Status], key: Key) -> bool:
    """Whether the audit must prove a hidden cell wide. A coded cell is exempt only while
    its coded rate is actually shown, that is while its denominator is published: if
    complementary suppression hid the denominator, the cell is protected like any other.
    A slice's shared cell that another slice proves (``TableSystem.elsewhere``) is exempt."""
    if key in system.elsewhere:
        return False
    if statuses[key] not in CODED_STATUSES:
        return True
    denominator = system.coded_by.get(key)
    return denominator is None or statuses[denominator] != PUBLISHED


def hideable(system: TableSystem, statuses: Mapping[Key, Status], key: Key) -> bool:
    """A published cell a repair may hide: not a zero (which hides nothing), nor a
    slice's shared cell (``TableSystem.offsets``)."""
    return statuses[key] == PUBLISHED and system.values[key] > 0 and key not in system.offsets


def is_primary(count: int, min_cell: int) -> bool:
    """A count from 1 to min_cell - 1 identifies too few students to publish."""
    return 0 < count < min_cell


def primary_statuses(system: TableSystem, min_cell: int) -> dict[Key, Status]:
    """Primary suppression and coding only, before any complementary suppression."""
    statuses: dict[Key, Status] = {}
    for key, value in system.values.items():
        if key in system.coded:
            statuses[key] = system.coded[key]
        elif is_primary(value + system.offsets.get(key, 0), min_cell):
            statuses[key] = "suppressed"
        else:
            statuses[key] = PUBLISHED
    return statuses


def complementary_suppression(
    system: TableSystem, statuses: dict[Key, Status], min_cell: int
) -> dict[Key, Status]:
    """Hide more cells until no relation has exactly one hidden cell and the hidden
    parts of every published total add up to at least ``min_cell``. Deterministic."""
    statuses = dict(statuses)
    relations = _ordered(system.relations)
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if _repair(relation, system, statuses, min_cell) is not None:
                changed = True
    return statuses


def complementary_suppression_after(
    system: TableSystem,
    statuses: dict[Key, Status],
    min_cell: int,
    changed: Iterable[Key],
    index: RelationIndex | None = None,
) -> dict[Key, Status]:
    """The same rules, for a pattern that obeyed them until the ``changed`` cells were
    hidden: only relations holding a newly hidden cell are looked at again, smallest
    first, and so on from each cell they hide. Deterministic. ``index`` is
    ``RelationIndex.of(system)``, for a caller that suppresses again and again."""
    statuses = dict(statuses)
    index = index or RelationIndex.of(system)
    relations, positions_of = index.relations, index.positions_of
    pending = sorted({position for key in changed for position in positions_of.get(key, ())})
    heapq.heapify(pending)
    queued = set(pending)
    while pending:
        position = heapq.heappop(pending)
        queued.discard(position)
        hidden = _repair(relations[position], system, statuses, min_cell)
        if hidden is None:
            continue
        for again in (position, *positions_of[hidden]):
            if again not in queued:
                queued.add(again)
                heapq.heappush(pending, again)
    return statuses


@dataclass(frozen=True)
class RelationIndex:
    """The relations of a system in suppression order, and where each cell appears in them."""

    relations: list[Relation]
    positions_of: dict[Key, list[int]]

    @classmethod
    def of(cls, system: TableSystem) -> RelationIndex:
        relations = _ordered(system.relations)
        positions_of: dict[Key, list[int]] = {}
        for position, relation in enumerate(relations):
            for key in (relation.total, *relation.parts):
                positions_of.setdefault(key, []).append(position)
        return cls(relations, positions_of)


def hide_one_more(relation: Relation, values: Mapping[Key, int], statuses: dict[Key, Status]) -> Key | None:
    """Hide the smallest non-zero published part of ``relation`` (ties by key), or its
    total when no part is left; the cell hidden, or None when nothing more can be."""
    candidates = [part for part in relation.parts if statuses[part] == PUBLISHED and values[part] > 0]
    if candidates:
        chosen = min(candidates, key=lambda part: (values[part], _sort_key(part)))
        statuses[chosen] = "suppressed-complementary"
        return chosen
    if statuses[relation.total] == PUBLISHED and values[relation.total] > 0:
        statuses[relation.total] = "suppressed-complementary"
        return relation.total
    return None


def _repair(
    relation: Relation, system: TableSystem, statuses: dict[Key, Status], min_cell: int
) -> Key | None:
    values, elsewhere = system.values, system.elsewhere
    hidden_parts = [part for part in relation.parts if statuses[part] != PUBLISHED]
    total_hidden = statuses[relation.total] != PUBLISHED
    hidden = len(hidden_parts) + total_hidden
    if hidden == 0:
        return None
    if elsewhere and all(
        key in elsewhere for key in (*hidden_parts, relation.total) if statuses[key] != PUBLISHED
    ):
        return None  # its hidden cells are another slice's to protect
    too_few = hidden == 1
    too_small = not total_hidden and sum(values[part] for part in hidden_parts) < min_cell
    if not (too_few or too_small):
        return None
    return hide_one_more(relation, values, statuses)


def _ordered(relations: Sequence[Relation]) -> list[Relation]:
    """Small relations first (they decide the most), then by key, for a stable pattern."""
    return sorted(relations, key=lambda relation: (len(relation.parts), _sort_key(relation.total)))


def _sort_key(key: Key) -> str:
    return repr(key)


# --- rates -----------------------------------------------------------------------------

#: (smallest denominator, top-coding threshold, bottom-coding threshold), largest first
RATE_TIERS: tuple[tuple[int, Fraction, Fraction], ...] = (
    (300, Fraction(99, 100), Fraction(1, 100)),
    (100, Fraction(98, 100), Fraction(2, 100)),
    (40, Fraction(95, 100), Fraction(5, 100)),
    (20, Fraction(90, 100), Fraction(10, 100)),
    (0, Fraction(80, 100), Fraction(20, 100)),
)


def rate_thresholds(denominator: int) -> tuple[Fraction, Fraction]:
    """Top- and bottom-coding thresholds for a rate over ``denominator`` students."""
    return next((top, bottom) for smallest, top, bottom in RATE_TIERS if denominator >= smallest)


def rate_coding(numerator: int, denominator: int) -> Status | None:
    """``top-coded`` or ``bottom-coded`` when the exact rate would say too much, else None."""
    top, bottom = rate_thresholds(denominator)
    rate = Fraction(numerator, denominator)
    if rate >= top:
        return "top-coded"
    if rate <= bottom:
        return "bottom-coded"
    return None
