"""Cheap proofs that hidden cells are safe: explicit alternative tables.

A *move* changes some hidden detail cells (the cells that are no relation's total) so
that every published number stays the same: +1 on one cell, -1 on another, and so on,
with every total that contains them changing by the sum. If a move by ``t`` keeps every
cell within what an attacker knows of it, then the table moved by ``t`` is as consistent
with the published numbers as the true one, and each cell the move touches could be
``t`` higher (or lower) than it is. That proves a range without solving anything.

Two kinds of moves are searched, each found by hashing instead of search:

- *swaps* ``+a -b``: two hidden cells whose published totals are exactly the same
  (for example the same credential at two schools of one district whose school totals
  are both hidden);
- *rectangles* ``+a -b -c +d``: two pairs in different blocks (schools) whose published
  totals differ in the same way (for example credentials x and y, hidden at two schools).

Moves that share nothing but the cell being proven add up. Whatever these moves cannot
prove is left to the linear programs of ``audit``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.rules.privacy import HIDDEN_STATUSES, Key, Status, TableSystem

#: pairs are looked for inside totals with at most this many detail cells (a school, a school's field)
BLOCK_LIMIT = 80
#: partners tried per pair when building rectangles, and per cell for swaps
PARTNERS = 6

Bounds = Mapping[Key, tuple[float, float]]


@dataclass(frozen=True)
class Move:
    """Coefficients on hidden cells (details and the totals containing them)."""

    coefficients: tuple[tuple[Key, int], ...]


class Structure:
    """Which detail cells each total contains, derived once from a system's relations."""

    def __init__(self, system: TableSystem):
        parents: dict[Key, set[Key]] = defaultdict(set)
        totals = set()
        for relation in system.relations:
            totals.add(relation.total)
            for part in relation.parts:
                parents[part].add(relation.total)
        self.details = [key for key in system.values if key not in totals]
        self.ancestors: dict[Key, frozenset[Key]] = {}
        for key in self.details:
            seen: set[Key] = set()
            stack = list(parents.get(key, ()))
            while stack:
                total = stack.pop()
                if total not in seen:
                    seen.add(total)
                    stack.extend(parents.get(total, ()))
            self.ancestors[key] = frozenset(seen)
        detail_count: dict[Key, int] = defaultdict(int)
        for key in self.details:
            for total in self.ancestors[key]:
                detail_count[total] += 1
        #: the small totals (a school, a school's field, a rare credential) each cell is in
        self.blocks = {
            key: sorted(
                (total for total in self.ancestors[key] if detail_count[total] <= BLOCK_LIMIT), key=repr
            )
            for key in self.details
        }
        self.inequalities_of: dict[Key, list[int]] = defaultdict(list)
        for number, inequality in enumerate(system.inequalities):
            for key, _ in inequality.terms:
                self.inequalities_of[key].append(number)


def find_moves(structure: Structure, statuses: Mapping[Key, Status], values: Mapping[Key, int]) -> list[Move]:
    """Swaps and rectangles among the hidden detail cells that leave every published number alone."""
    hidden = [key for key in structure.details if statuses[key] in HIDDEN_STATUSES]
    published_of = {
        key: frozenset(t for t in structure.ancestors[key] if statuses[t] not in HIDDEN_STATUSES)
        for key in hidden
    }
    hidden_of = {key: structure.ancestors[key] - published_of[key] for key in hidden}
    moves: list[Move] = []

    def make(plus: Sequence[Key], minus: Sequence[Key]) -> Move:
        coefficients: dict[Key, int] = defaultdict(int)
        for key in plus:
            coefficients[key] += 1
            for total in hidden_of[key]:
                coefficients[total] += 1
        for key in minus:
            coefficients[key] -= 1
            for total in hidden_of[key]:
                coefficients[total] -= 1
        return Move(
            tuple(sorted(((k, c) for k, c in coefficients.items() if c), key=lambda item: repr(item[0])))
        )

    # Swaps: same published totals.
    by_signature: dict[frozenset, list[Key]] = defaultdict(list)
    for key in hidden:
        by_signature[published_of[key]].append(key)
    for group in by_signature.values():
        group.sort(key=lambda key: (-values[key], repr(key)))
        for position, key in enumerate(group):
            for partner in group[position + 1 : position + 1 + PARTNERS]:
                moves.append(make([key], [partner]))

    # Rectangles: pairs inside a block whose published totals differ in the same way.
    by_block: dict[Key, list[Key]] = defaultdict(list)
    for key in hidden:
        for block in structure.blocks[key]:
            by_block[block].append(key)
    by_difference: dict[tuple[frozenset, frozenset], list[tuple[Key, Key]]] = defaultdict(list)
    paired: set[tuple[Key, Key]] = set()
    for block in sorted(by_block, key=repr):
        members = sorted(by_block[block], key=repr)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first, second) in paired:
                    continue
                paired.add((first, second))
                plus, minus = (
                    published_of[first] - published_of[second],
                    published_of[second] - published_of[first],
                )
                if not plus and not minus:
                    continue  # a swap, found above
                by_difference[(plus, minus)].append((first, second))
    for pairs in by_difference.values():
        if len(pairs) < 2:
            continue
        pairs.sort(key=lambda pair: (-min(values[pair[0]], values[pair[1]]), repr(pair)))
        for position, (a, b) in enumerate(pairs):
            for c, d in pairs[position + 1 : position + 1 + PARTNERS]:
                moves.append(make([a, d], [b, c]))
    return moves


def capacity(
    move: Move,
    sign: int,
    values: Mapping[Key, int],
    bounds: Bounds,
    system: TableSystem,
    structure: Structure,
) -> float:
    """How far the move can go in direction ``sign`` (+1/-1) within every bound and inequality."""
    limit = math.inf
    changes: dict[int, float] = defaultdict(float)
    for key, coefficient in move.coefficients:
        step = sign * coefficient
        low, high = bounds[key]
        room = (high - values[key]) if step > 0 else (values[key] - low)
        limit = min(limit, room / abs(step))
        for number in structure.inequalities_of.get(key, ()):
            factor = next(c for k, c in system.inequalities[number].terms if k == key)
            changes[number] += factor * step
    for number, change in changes.items():
        if change > 1e-12:
            inequality = system.inequalities[number]
            slack = inequality.bound - sum(factor * values[key] for key, factor in inequality.terms)
            limit = min(limit, max(slack, 0.0) / change)
    return max(limit, 0.0)


def proven_ranges(
    system: TableSystem,
    statuses: Mapping[Key, Status],
    bounds: Bounds,
    moves: list[Move],
    structure: Structure,
) -> dict[Key, tuple[float, float]]:
    """For each hidden cell the range (low, high) that the moves prove it can take.

    Moves through a cell are combined greedily while they share no other cell, so the
    combined move is a valid move too.
    """
    through: dict[Key, list[int]] = defaultdict(list)
    for number, move in enumerate(moves):
        for key, _ in move.coefficients:
            through[key].append(number)
    ranges: dict[Key, tuple[float, float]] = {}
    up_cache: dict[int, float] = {}
    down_cache: dict[int, float] = {}
    values = system.values

    def reach(number: int, sign: int) -> float:
        cache = up_cache if sign > 0 else down_cache
        if number not in cache:
            cache[number] = capacity(moves[number], sign, values, bounds, system, structure)
        return cache[number]

    for key, status in statuses.items():
        if status not in HIDDEN_STATUSES:
            continue
        raise_by = lower_by = 0.0
        for direction in (+1, -1):
            used: set[Key] = {key}
            total = 0.0
            for number in through.get(key, ()):
                move = moves[number]
                coefficient = dict(move.coefficients)[key]
                sign = direction * (1 if coefficient > 0 else -1)
                room = reach(number, sign)
                if room <= 0:
                    continue
                # Moves combine only when they share nothing else, not even an inequality.
                others = {k for k, _ in move.coefficients if k != key}
                others |= {
                    ("inequality", n)
                    for k, _ in move.coefficients
                    for n in structure.inequalities_of.get(k, ())
                }
                if others & used:
                    continue
                used |= others
                total += room * abs(coefficient)
            if direction > 0:
                raise_by = total
            else:
                lower_by = total
        low, high = bounds[key]
        value = values[key]
        ranges[key] = (max(low, value - lower_by), min(high, value + raise_by))
    return ranges
