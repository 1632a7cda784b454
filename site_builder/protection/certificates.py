"""Disclosure certificates: explicit proof, cell by cell, that no hidden count can be narrowed.

The audit's linear programs ask, for each hidden cell, how far it can move in a table
that agrees with everything published. A *certificate* answers the same question with
two such tables, written down:

- a *move* changes hidden cells only and keeps every relation. For example +1 at
  (school A, credential X) and (school B, credential Y) and -1 at (A, Y) and (B, X)
  leaves every school's and every credential's total as it was;
- moving the true table ``t`` steps along moves, while every cell stays within what the
  attacker knows of it and every inequality holds, gives a table the attacker cannot
  tell from the truth;
- a cell's certificate is one such table above its true value and one below, at least
  ``min_cell`` apart when only non-negativity is known (the *width* check), or apart at
  all when the status column's ranges are known too (the *pinning* check).

Each certificate is checked exactly (``verify``) before it counts, so a cell is only
ever called safe when it is: the search for moves is a heuristic, the proof is not.
A cell the search cannot prove is hidden more around (``Certifier.repair``), never
published as it is. Hiding another cell keeps every certificate valid (a move touches
hidden cells only, and the newly hidden cell stays at its true value), so certificates
found in one round of repair are kept for the next.

Moves are built from *detail cells* (cells that are no relation's total), each placed
in a grid (``TableSystem.grid``: for attainment, school by credential): rectangles of
four hidden cells, pairs in a row or a column, and a single cell. The totals a move
changes are found by walking up the relations; each must be hidden too.

This answers at state scale, where the linear programs do not: a few explicit moves
per cell, found by set lookups, in place of a program over every hidden cell.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

import numpy as np

from site_builder.protection.audit import known_bounds
from site_builder.protection.privacy import HIDDEN_STATUSES, Key, Status, TableSystem, must_be_wide

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: the two attacker models and the range each requires (the width one is min_cell)
CHECKS = ("width", "pinning")
#: plain rectangles (those that change no total) tried per cell and check
RECTANGLE_BUDGET = 4_000
#: other moves examined per cell and check before the search gives up on it
SEARCH_BUDGET = 60
#: candidate moves weighed per cell when choosing what to hide next
REPAIR_BUDGET = 60
#: rows of the smaller column looked at for rectangles with one partner in the row
ROWS_PER_PARTNER = 150
#: pairs tried through one cell
PAIRS = 60
#: published cells one repair may hide at most
MOST_HIDDEN = 4
#: moves examined for a cell that eases an inequality in another cell's way
SUPPORT_BUDGET = 40
#: detail changes looked at per cell (most change a published total) before the search stops
LOOK_LIMIT = 2_000
#: parts of the network kept for the flows of the cells that follow (one school's fields)
LOCAL_NETWORKS = 64

Move = dict[int, int]


@dataclass(frozen=True)
class Certificate:
    """Two feasible tables, as displacements from the true one: ``upper`` raises the
    cell, ``lower`` lowers it; the cell's range is at least ``upper[cell] - lower[cell]``."""

    cell: int
    check: str
    upper: Move
    lower: Move

    @property
    def width(self) -> int:
        return self.upper.get(self.cell, 0) - self.lower.get(self.cell, 0)

    def also_proves(self, need: int) -> list[int]:
        """The other cells whose values in the two tables and the true one span at least
        ``need``: this certificate proves them too (all three tables are feasible, whichever
        cell the two were searched for). A rectangle's four corners all move by its steps."""
        return sorted(
            i
            for i in self.upper.keys() | self.lower.keys()
            if i != self.cell and _span(self.upper.get(i, 0), self.lower.get(i, 0)) >= need
        )


def _span(*changes: int) -> int:
    """How far apart a cell's values are in tables that change it by ``changes``, and in the true one."""
    return max(*changes, 0) - min(*changes, 0)


def need(check: str, min_cell: int) -> int:
    """The range every hidden cell must have under ``check``."""
    return min_cell if check == "width" else 1


def known_ranges(
    system: TableSystem, keys: Sequence[Key], statuses: Sequence[Status], check: str, min_cell: int
) -> tuple[list[float], list[float]]:
    """What the attacker knows of each of ``keys`` (with ``statuses``) under one check:
    a published cell is fixed, a hidden one is not negative ("width") or within the range
    its status tells ("pinning")."""
    low, high = [], []
    for key, status in zip(keys, statuses, strict=True):
        if status not in HIDDEN_STATUSES:
            bottom = top = system.values[key]
        elif check == "pinning":
            bottom, top = known_bounds(system, key, status, min_cell)
        else:
            bottom, top = 0, math.inf
        low.append(bottom)
        high.append(top)
    return low, high


class Certifier:
    """The moves of one table system, for certifying its hidden cells under one pattern."""

    def __init__(self, system: TableSystem, min_cell: int):
        self.system = system
        self.min_cell = min_cell
        self.keys: list[Key] = sorted(system.values, key=repr)
        index = {key: number for number, key in enumerate(self.keys)}
        self.index = index
        #: a slice's shared cells, which repairs never hide
        self.shared = frozenset(index[key] for key in system.offsets)
        self.value = [system.values[key] for key in self.keys]
        size = len(self.keys)
        # relation number -> (total, parts); each cell's relations with its sign in them
        self.relations = [(index[r.total], [index[p] for p in r.parts]) for r in system.relations]
        self.relations_of: list[list[tuple[int, int]]] = [[] for _ in range(size)]
        parents: list[set[int]] = [set() for _ in range(size)]
        is_total = [False] * size
        for number, (total, parts) in enumerate(self.relations):
            is_total[total] = True
            self.relations_of[total].append((number, 1))
            for part in parts:
                self.relations_of[part].append((number, -1))
                parents[part].add(total)
        self.inequalities = [
            ([(index[key], coefficient) for key, coefficient in inequality.terms], inequality.bound)
            for inequality in system.inequalities
        ]
        self.inequalities_of: list[list[int]] = [[] for _ in range(size)]
        for number, (terms, _) in enumerate(self.inequalities):
            for cell, _ in terms:
                self.inequalities_of[cell].append(number)
        # Every total above a detail cell: a detail cell moved by t moves each of them by t.
        above: dict[int, frozenset[int]] = {}

        def ancestors(cell: int) -> frozenset[int]:
            if cell not in above:
                found: set[int] = set()
                for parent in parents[cell]:
                    found.add(parent)
                    found |= ancestors(parent)
                above[cell] = frozenset(found)
            return above[cell]

        self.detail = [i for i in range(size) if not is_total[i]]
        # Kept as tuples (in the sets' order): a set of six totals is 728 bytes, its tuple
        # 96, and a state's year has 200,000 detail cells.
        self.closure: dict[int, tuple[int, ...]] = {}
        for i in self.detail:
            self.closure[i] = tuple(ancestors(i))
            del above[i]  # a detail cell is no cell's parent: its set is not asked again
        # A random weight per total: a move whose weights cancel changes (almost surely) no
        # total, so it needs no closer look; verify() checks every certificate exactly.
        rng = random.Random(0)
        self.weight = weight = [rng.getrandbits(62) for _ in range(size)]
        self.signature = {i: sum(weight[a] for a in self.closure[i]) for i in self.detail}
        self.below: dict[int, list[int]] = defaultdict(list)
        for i in self.detail:
            for total in sorted(self.closure[i]):
                self.below[total].append(i)
        rows: dict[object, int] = {}
        columns: dict[object, int] = {}
        grid = {index[key]: place for key, place in system.grid.items()}
        for row, column in sorted(set(grid.values()), key=repr):
            rows.setdefault(row, len(rows))
            columns.setdefault(column, len(columns))
        self.row = {i: rows[grid[i][0]] for i in self.detail if i in grid}
        self.column = {i: columns[grid[i][1]] for i in self.detail if i in grid}
        # The totals every cell of a column sits under (a credential's, its field's, the
        # state's); the rest of a cell's totals are its row's part. Two cells of one row
        # whose row parts agree (one school, one field) make only rectangles that change
        # no total; two whose published row parts differ make none that can be used.
        shared: dict[int, frozenset[int]] = {}
        for i, column in self.column.items():
            closure = frozenset(self.closure[i])
            shared[column] = shared[column] & closure if column in shared else closure
        self.column_totals = shared
        self.row_part = {
            i: self.signature[i] - sum(weight[a] for a in shared[column]) for i, column in self.column.items()
        }
        self._plain_networks()
        self.hidden = [False] * size
        self.statuses: list[Status] = ["published"] * size

    def need(self, check: str) -> int:
        """The range every hidden cell must have under ``check``."""
        return need(check, self.min_cell)

    def _plain_networks(self) -> None:
        """The grid as a network. Cells of one row under the same row totals (one school's
        career field) meet at a *row node*, cells of one column at a column node, and each
        detail cell is the arc between its two nodes: a change that balances at every node
        (flows round cycles) keeps every total."""
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in sorted(self.row):
            groups[(self.row[i], self.row_part[i])].append(i)
        self.row_node = {i: number for number, place in enumerate(sorted(groups)) for i in groups[place]}

    # --- the pattern -------------------------------------------------------------------

    def use(self, statuses: Mapping[Key, Status]) -> None:
        """Take the current pattern: which cells are hidden. The grid of hidden details is
        built when a search first needs it (``_prepare``)."""
        self.status_of = statuses
        self.statuses = [statuses[key] for key in self.keys]
        self.hidden = [status in HIDDEN_STATUSES for status in self.statuses]
        self.assumed: set[int] = set()
        self.prepared = False

    def _prepare(self) -> None:
        """The current pattern's grid of hidden details, built once a pattern. A network's
        rounds often need none: the flows (``protection.flows``) prove its cells, and on a
        state year building it took 2.2 s a round."""
        if self.prepared:
            return
        self.prepared = True
        hidden = self.hidden
        self.row_cells: dict[int, list[int]] = defaultdict(list)
        self.column_cells: dict[int, dict[int, int]] = defaultdict(dict)
        self.any_row_cells: dict[int, list[int]] = defaultdict(list)
        self.any_column_cells: dict[int, dict[int, int]] = defaultdict(dict)
        by_size = sorted(self.row, key=lambda i: (-self.value[i], i))
        for i in by_size:
            if self.value[i] > 0:  # a zero is always published, so it never moves
                self.any_row_cells[self.row[i]].append(i)
                self.any_column_cells[self.column[i]][self.row[i]] = i
            if hidden[i]:
                self.row_cells[self.row[i]].append(i)
                self.column_cells[self.column[i]][self.row[i]] = i
        self.published_signature = {
            i: sum(self.weight[a] for a in self.closure[i] if not hidden[a]) for i in self.detail
        }
        self.published_row_part = {
            i: self.published_signature[i]
            - sum(self.weight[a] for a in self.column_totals[column] if not hidden[a])
            for i, column in self.column.items()
        }
        self.pair_groups: dict[int, list[int]] = defaultdict(list)
        for i in by_size:
            if hidden[i]:
                self.pair_groups[self.published_signature[i]].append(i)
        self.hidden_below = {
            total: [i for i in cells if hidden[i]] for total, cells in self.below.items() if hidden[total]
        }
        # the network of hidden detail cells, less those in an inequality (flows do not see them)
        self.flow_rows: dict[int, list[int]] = defaultdict(list)
        self.flow_columns: dict[int, list[int]] = defaultdict(list)
        for i in sorted(self.row_node):
            if hidden[i] and not self.inequalities_of[i]:
                self.flow_rows[self.row_node[i]].append(i)
                self.flow_columns[self.column[i]].append(i)
        self._flow_arrays()
        self.local: dict[tuple[int, str], _Network] = {}
        self.flow_room: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.flow_sums: dict[str, _Sums] = {}
        self.supports: dict[int, tuple[list[Move], Iterator[tuple[Move, list[int]]]]] = {}

    def _flow_arrays(self) -> None:
        """The network's cells as arrays, row node by row node (and within one, by cell), for
        ``_network`` to cut its parts from without a loop in Python: each cell's row node
        and column, where each row node's cells start, and each column's row nodes."""
        cells = [i for row in sorted(self.flow_rows) for i in self.flow_rows[row]]
        self.flow_cell = np.array(cells, dtype=np.int64)
        self.flow_row = np.array([self.row_node[i] for i in cells], dtype=np.int64)
        self.flow_column = np.array([self.column[i] for i in cells], dtype=np.int64)
        self.row_nodes = max(self.row_node.values(), default=-1) + 1
        self.row_start = np.searchsorted(self.flow_row, np.arange(self.row_nodes + 1))
        by_column = np.argsort(self.flow_column, kind="stable")
        self.column_rows = self.flow_row[by_column]
        columns = max(self.column.values(), default=-1) + 1
        self.column_start = np.searchsorted(self.flow_column[by_column], np.arange(columns + 1))

    def assume_hidden(self, cells: list[int], bounds: Mapping[str, tuple[list[float], list[float]]]) -> None:
        """Treat ``cells``, chosen to be hidden in this round, as hidden for the rest of its
        repairs (``bounds`` by check, changed in place): the next repair may then need
        nothing more hidden. Only repairs read ``assumed`` (certificates are checked against
        the pattern as it is); ``use`` starts the next round afresh."""
        self._prepare()
        self.supports.clear()  # moves through the assumed cells are usable now
        for i in cells:
            self.assumed.add(i)
            for check, (low, high) in bounds.items():
                low[i], high[i] = self.hidden_range(check, i)

    def hidden_range(self, check: str, i: int) -> tuple[float, float]:
        """What the attacker knows of cell ``i`` newly hidden (complementary) under one model."""
        if check == "pinning":
            return known_bounds(self.system, self.keys[i], "suppressed-complementary", self.min_cell)
        return 0, math.inf

    def bounds(self, check: str) -> tuple[list[float], list[float]]:
        """What the attacker knows of each cell under one model (published cells are fixed)."""
        return known_ranges(self.system, self.keys, self.statuses, check, self.min_cell)

    def must_prove(self) -> list[int]:
        """Hidden cells the audit must prove wide (coded cells only while their rate is hidden)."""
        return [
            i
            for i, key in enumerate(self.keys)
            if self.hidden[i] and must_be_wide(self.system, self.status_of, key)
        ]

    # --- moves ---------------------------------------------------------------------------

    def complete(self, detail: Move, allow: bool = False) -> tuple[Move, list[int]] | None:
        """The whole move a change of detail cells makes, with the totals it changes.

        Returns the move and the published cells it touches (which must be empty for a
        move to be used; ``repair`` weighs moves that need a few more cells hidden)."""
        if not allow and sum(c * self.published_signature[i] for i, c in detail.items()):
            return None  # it changes a published total
        if sum(coefficient * self.signature[i] for i, coefficient in detail.items()) == 0:
            move = detail
        else:
            changes: Counter[int] = Counter()
            for i, coefficient in detail.items():
                changes[i] += coefficient
                for total in self.closure[i]:
                    changes[total] += coefficient
            move = {i: c for i, c in changes.items() if c}
        published = [i for i in move if not self.hidden[i] and i not in self.assumed]
        if published and (not allow or any(self.value[i] == 0 for i in published)):
            return None
        return move, published

    def detail_moves(
        self, cell: int, allow: bool = False, skip_plain: bool = False, pairs_first: bool = False
    ) -> Iterator[Move]:
        """Detail changes through a detail ``cell``: rectangles, pairs, and the cell alone
        (pairs first for a total, which rectangles within one table never change). Unless
        ``allow``, only changes of hidden cells that leave every published total alone."""
        if cell not in self.row:
            yield {cell: 1}
            return
        rows_of = self.any_row_cells if allow else self.row_cells
        columns_of = self.any_column_cells if allow else self.column_cells
        # With weights on published totals only, a change that keeps them sums to zero.
        weight = self.signature if allow else self.published_signature
        row, column = self.row[cell], self.column[cell]
        here = columns_of[column]
        partners = rows_of[row]
        if pairs_first:
            yield from self._pairs(cell, partners, here, allow)
        row_part, published_row_part = self.row_part, self.published_row_part
        for other in partners:
            if other == cell:
                continue
            if skip_plain and row_part[cell] == row_part[other]:
                continue  # every rectangle with it changes no total: ``_rectangles`` had them
            if not allow and published_row_part[cell] != published_row_part[other]:
                continue  # every rectangle with it changes a published total of the row
            there = columns_of[self.column[other]]
            published_base = weight[cell] - weight[other]
            small, large = (there, here) if len(there) < len(here) else (here, there)
            for other_row in islice(small, ROWS_PER_PARTNER):
                if other_row != row and other_row in large:
                    mine, theirs = here[other_row], there[other_row]
                    if not allow and published_base != weight[mine] - weight[theirs]:
                        continue  # it changes a published total
                    yield {cell: 1, other: -1, mine: -1, theirs: 1}
        if not pairs_first:
            yield from self._pairs(cell, partners, here, allow)
        yield {cell: 1}

    def _pairs(self, cell: int, partners: list[int], here: dict[int, int], allow: bool) -> Iterator[Move]:
        """Pairs: +1 at ``cell``, -1 at another. Unless ``allow``, only pairs whose cells sit
        under the same published totals (they change none of them), found by weight."""
        if allow:
            others = (*islice(partners, PAIRS), *islice(here.values(), PAIRS))
        else:
            others = islice(self.pair_groups[self.published_signature[cell]], PAIRS)
        for other in others:
            if other != cell:
                yield {cell: 1, other: -1}

    def moves(
        self, target: int, budget: int, allow: bool = False, skip_plain: bool = False
    ) -> Iterator[tuple[Move, list[int]]]:
        """Moves that change ``target`` (by +1), with the published cells each would need
        hidden; at most ``budget`` changes of detail cells are looked at."""
        if target in self.closure:
            sources = [target]
        else:
            sources = self.below.get(target, []) if allow else self.hidden_below.get(target, [])
        sources = [source for source in sources if self.value[source] > 0 or self.hidden[source]]
        looked = 0
        for source in sources:
            for detail in self.detail_moves(source, allow, skip_plain, pairs_first=source != target):
                looked += 1
                if looked > LOOK_LIMIT:
                    return
                if target not in detail and not sum(
                    c for i, c in detail.items() if target in self.closure[i]
                ):
                    continue  # the totals it changes do not include the target
                budget -= 1
                if budget < 0:
                    return
                completed = self.complete(detail, allow)
                if completed is None:
                    continue
                move, published = completed
                sign = move.get(target, 0)
                if sign == 0:
                    continue
                if sign < 0:
                    move = {i: -c for i, c in move.items()}
                yield move, published

    def room(self, move: Move, shift: Move, direction: int, low: list[float], high: list[float]) -> float:
        """How many steps along ``direction * move`` the table ``truth + shift`` can still go."""
        steps = math.inf
        value = self.value
        for i, coefficient in move.items():
            coefficient *= direction
            current = value[i] + shift.get(i, 0)
            if coefficient > 0:
                steps = min(steps, (high[i] - current) // coefficient)
            else:
                steps = min(steps, (current - low[i]) // -coefficient)
            if steps <= 0:
                return 0
        touched = {n for i in move for n in self.inequalities_of[i]}
        for number in touched:
            terms, bound = self.inequalities[number]
            rate = sum(c * move.get(i, 0) * direction for i, c in terms)
            if rate > 0:
                used = sum(c * (value[i] + shift.get(i, 0)) for i, c in terms)
                steps = min(steps, math.floor((bound - used) / rate + 1e-9))
        return max(0, steps)

    def supported_room(
        self, move: Move, shift: Move, direction: int, low: list[float], high: list[float], wanted: int
    ) -> int:
        """``room``, after first easing each inequality that stops the move: a cell of it
        outside the move is moved along a move of its own, the way that gives more slack
        (to raise a school's claims, raise the school's count of credentials first)."""
        steps = min(self.room(move, shift, direction, low, high), wanted)
        if steps >= wanted or not any(self.inequalities_of[i] for i in move):
            return steps
        for number in sorted({n for i in move for n in self.inequalities_of[i]}):
            terms, _ = self.inequalities[number]
            if sum(c * move.get(i, 0) * direction for i, c in terms) <= 0:
                continue
            for other, coefficient in terms:
                if other in move or not self.hidden[other]:
                    continue
                ease = 1 if coefficient < 0 else -1
                for support in self._supports(other):
                    if any(i in move for i in support):
                        continue
                    room = min(self.room(support, shift, ease, low, high), wanted - steps)
                    if room > 0:
                        for i, c in support.items():
                            shift[i] = shift.get(i, 0) + ease * c * room
                        break
            steps = min(self.room(move, shift, direction, low, high), wanted)
        return steps

    def _supports(self, cell: int) -> Iterator[Move]:
        """``moves(cell, SUPPORT_BUDGET)``, each found once for the pattern: a school's
        count of credentials eases every move of its claims, under both checks, and
        every claimed cell searched again in a later round (most of them in vain)."""
        found, rest = self.supports.setdefault(cell, ([], self.moves(cell, SUPPORT_BUDGET)))
        yield from found
        for support, _ in rest:
            found.append(support)
            yield support

    # --- certificates ----------------------------------------------------------------------

    def certify(
        self, target: int, check: str, low: list[float], high: list[float], hints: list[Move] = ()
    ) -> tuple[Certificate | None, int]:
        """A certificate for ``target`` (or None), and the range the search did reach."""
        self._prepare()
        need = self.need(check)
        upper: Move = {}
        lower: Move = {}
        up = down = 0
        quick = target in self.row and not self.inequalities_of[target]
        if quick:
            up, down = self._rectangles(target, low, high, need, upper, lower)
            if up + down < need:
                # Maximum flows round cycles near it (moves that change no total).
                flows = self._flows(target, check, low, high, need)
                if flows is not None:
                    certificate = Certificate(target, check, *flows)
                    if self.verify(certificate, low, high):
                        return certificate, certificate.width
        candidates = ((move, []) for move in hints)
        for move, published in chain(candidates, self.moves(target, SEARCH_BUDGET, skip_plain=quick)):
            if up + down >= need:
                break
            if published:
                continue
            for direction, shift in ((1, upper), (-1, lower)):
                steps = self.supported_room(move, shift, direction, low, high, need - up - down)
                if steps > 0:
                    for i, coefficient in move.items():
                        shift[i] = shift.get(i, 0) + direction * coefficient * steps
                    if direction > 0:
                        up += steps
                    else:
                        down += steps
        if up + down >= need:
            certificate = Certificate(target, check, upper, lower)
            if self.verify(certificate, low, high):
                return certificate, up + down
            if hints:  # a hint that no longer fits: search without them
                return self.certify(target, check, low, high)
            return None, 0
        return None, up + down

    def _rectangles(
        self, target: int, low: list[float], high: list[float], need: int, upper: Move, lower: Move
    ) -> tuple[int, int]:
        """The quick part of ``certify`` for a detail cell: rectangles of hidden cells that
        change no total (within one career field), applied to ``upper`` and ``lower`` in
        place. Returns how far each got."""
        value, signature, row_part = self.value, self.signature, self.row_part
        row, column = self.row[target], self.column[target]
        here = self.column_cells[column]
        up = down = 0
        looked = 0
        for other in self.row_cells[row]:
            if other == target or row_part[other] != row_part[target]:
                continue  # rectangles with it change the row's totals (another career field)
            there = self.column_cells[self.column[other]]
            base = signature[target] - signature[other]
            small, large = (there, here) if len(there) < len(here) else (here, there)
            for other_row in islice(small, ROWS_PER_PARTNER):
                if other_row == row or other_row not in large:
                    continue
                mine, theirs = here[other_row], there[other_row]
                if base - signature[mine] + signature[theirs]:
                    continue  # it changes a total: left to the general search
                looked += 1
                if looked > RECTANGLE_BUDGET:
                    return up, down
                # +1 at target and theirs, -1 at other and mine (or the other way round)
                for direction, shift in ((1, upper), (-1, lower)):
                    t, o, m, h = (value[i] + shift.get(i, 0) for i in (target, other, mine, theirs))
                    if direction > 0:
                        steps = min(high[target] - t, o - low[other], m - low[mine], high[theirs] - h)
                    else:
                        steps = min(t - low[target], high[other] - o, high[mine] - m, h - low[theirs])
                    steps = min(steps, need - up - down)
                    if steps > 0:
                        change = direction * steps
                        shift[target] = t + change - value[target]
                        shift[other] = o - change - value[other]
                        shift[mine] = m - change - value[mine]
                        shift[theirs] = h + change - value[theirs]
                        if direction > 0:
                            up += steps
                        else:
                            down += steps
                if up + down >= need:
                    return up, down
        return up, down

    def _network(self, target: int, check: str, low: list[float], high: list[float], need: int) -> _Network:
        """The part of the network around ``target``'s row node: the row nodes of every
        cell in a column that meets it, with all their cells. It holds every rectangle
        through the target and most longer cycles; any flow in it is a flow in the whole.
        The last few are kept: cells come school by school."""
        place = (self.row_node[target], check)
        if place not in self.local:
            if len(self.local) >= LOCAL_NETWORKS:
                self.local.clear()
            self.local[place] = self._network_of(place[0], self._flow_room(check, low, high, need))
        return self.local[place]

    def _flow_room(
        self, check: str, low: list[float], high: list[float], need: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """How far each cell of the network can be lowered and raised under ``check``, at most
        ``need`` (no flow asks more): found once a pattern and check, as ``local`` is."""
        if check not in self.flow_room:
            value = np.array(self.value, dtype=np.float64)[self.flow_cell]
            bottom = np.array(low, dtype=np.float64)[self.flow_cell]
            top = np.array(high, dtype=np.float64)[self.flow_cell]
            self.flow_room[check] = (np.minimum(need, value - bottom), np.minimum(need, top - value))
        return self.flow_room[check]

    def _flow_sums(self, check: str, low: list[float], high: list[float]) -> _Sums:
        """``_Sums`` of the network under ``check``, found once a pattern and check (as
        ``_flow_room`` is)."""
        if check not in self.flow_sums:
            self.flow_sums[check] = _Sums.of(self, low, high)
        return self.flow_sums[check]

    def _network_of(self, row: int, room: tuple[np.ndarray, np.ndarray]) -> _Network:
        """``_network``'s part for one row node, cut from ``_flow_arrays``. Nodes are numbered
        in the order the part's cells first reach them (row nodes in order, each row
        node's cells in order: its node, then their columns'), then the source."""
        mine = slice(self.row_start[row], self.row_start[row + 1])
        meeting = [
            self.column_rows[self.column_start[c] : self.column_start[c + 1]] for c in self.flow_column[mine]
        ]
        rows = np.unique(np.concatenate([[row], *meeting]))
        first, counts = self.row_start[rows], self.row_start[rows + 1] - self.row_start[rows]
        take = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        cells = self.flow_cell[take]
        # cell k's row node at 2k, its column at 2k + 1 (columns numbered after every row node)
        reached = np.empty(2 * len(cells), dtype=np.int64)
        reached[0::2], reached[1::2] = self.flow_row[take], self.flow_column[take] + self.row_nodes
        _, first_reached, which = np.unique(reached, return_index=True, return_inverse=True)
        number = np.empty(len(first_reached), dtype=np.int64)
        number[np.argsort(first_reached)] = np.arange(len(first_reached))
        node = number[which.ravel()]
        here, there = node[0::2], node[1::2]
        # row -> column lowers the cell (arc 2k), column -> row raises it (2k + 1)
        tails, heads = np.empty_like(node), np.empty_like(node)
        tails[0::2], tails[1::2], heads[0::2], heads[1::2] = here, there, there, here
        capacities = np.empty(len(node), dtype=np.float64)
        capacities[0::2], capacities[1::2] = room[0][take], room[1][take]
        # a source of its own, with arcs (closed until a flow opens one) to the row node
        # and the column nodes of its cells, where flows start
        own = np.flatnonzero(self.flow_row[take] == row)
        start_nodes = [int(here[own[0]]), *there[own].tolist()]
        arcs = len(node)
        starts = {start: arcs + n for n, start in enumerate(start_nodes)}
        size = len(number) + 1
        tails = np.concatenate([tails, np.full(len(starts), size - 1)])
        heads = np.concatenate([heads, start_nodes])
        capacities = np.concatenate([capacities, np.zeros(len(starts))])
        nodes = {("row", row): start_nodes[0]}
        arc = {}
        for k in own.tolist():
            nodes[("column", self.column[int(cells[k])])] = int(there[k])
            arc[int(cells[k])] = 2 * k
        return _Network.of(size, nodes, tails, heads, capacities, arc, starts, cells)

    def _flows(
        self, target: int, check: str, low: list[float], high: list[float], need: int
    ) -> tuple[Move, Move] | None:
        """Two tables far apart on ``target`` that change hidden detail cells round cycles
        of the network near it, and so no total (maximum flows between its row node and its
        column node); None when they are less than ``need`` apart."""
        # imported here, not with the module: see site_builder.protection.audit
        from scipy.sparse.csgraph import maximum_flow

        if target not in self.row_node or not self.hidden[target] or self.inequalities_of[target]:
            return None  # not a cell of the network
        # What the rest of its row node and of its column can give way at most: when even
        # that is too little, no flow is worth building for.
        value, sums = self.value, self._flow_sums(check, low, high)
        rows, columns = sums.others(self, target, low, high)
        rise = min(high[target] - value[target], rows[0], columns[0])
        fall = min(value[target] - low[target], rows[1], columns[1])
        if rise + fall < need:
            return None
        net = self._network(target, check, low, high, need)
        if target not in net.arc:
            return None
        row, column = net.nodes[("row", self.row_node[target])], net.nodes[("column", self.column[target])]
        value = self.value[target]
        tables = []
        # Raise the target: the rest of its row gives way, the rest of its column too, in
        # cycles from its row's node round to its column's; lowering it is the reverse.
        for start, end, room, sign in (
            (row, column, high[target] - value, 1),
            (column, row, value - low[target], -1),
        ):
            limit = int(min(need, room))
            move: Move = {}
            if limit > 0:
                # the network's one matrix, its room set for this flow (maximum_flow copies it)
                data = net.matrix.data
                data[:] = net.data
                data[net.position[net.arc[target]]] = data[net.position[net.arc[target] + 1]] = 0
                data[net.position[net.starts[start]]] = limit
                result = maximum_flow(net.matrix, len(net.indptr) - 2, end, method="dinic")
                flow = result.flow
                tails = np.repeat(np.arange(flow.shape[0]), np.diff(flow.indptr))
                forward = flow.data > 0
                for arc, amount in net.cell_arcs(tails[forward], flow.indices[forward], flow.data[forward]):
                    # from row to column (an even arc): lowered; from column to row: raised
                    move[int(net.cells[arc // 2])] = amount if arc % 2 else -amount
                if result.flow_value:
                    move[target] = sign * int(result.flow_value)
            tables.append(move)
        upper, lower = tables
        if upper.get(target, 0) - lower.get(target, 0) < need:
            return None
        return upper, lower

    def verify(self, certificate: Certificate, low: list[float], high: list[float]) -> bool:
        """Exactly: both tables agree with every published cell and relation, keep every
        cell within its bounds and every inequality, and are ``need`` apart on the cell."""
        need = self.need(certificate.check)
        if certificate.width < need:
            return False
        for shift in (certificate.upper, certificate.lower):
            for i, change in shift.items():
                if change and not self.hidden[i]:
                    return False
                if not low[i] <= self.value[i] + change <= high[i]:
                    return False
            # total - sum(parts) must change by nothing, in every relation a changed cell is in
            balance: Counter[int] = Counter()
            for i, change in shift.items():
                for number, sign in self.relations_of[i]:
                    balance[number] += sign * change
            if any(balance.values()):
                return False
            inequalities = {n for i in shift for n in self.inequalities_of[i]}
            for number in inequalities:
                terms, bound = self.inequalities[number]
                if sum(c * (self.value[i] + shift.get(i, 0)) for i, c in terms) > bound + 1e-9:
                    return False
        return True

    def repair(self, target: int, check: str, low: list[float], high: list[float]) -> tuple[list[int], Move]:
        """Published cells to hide so that a new move through ``target`` exists: of the moves
        that need the fewest cells hidden, the one with the most room, then the smallest
        counts hidden. Returns the cells and the move (a hint for the next search); no
        cells when a move through cells already chosen in this round (``assume_hidden``)
        needs nothing more, and no move when there is none."""
        self._prepare()
        need = self.need(check)
        hidden_low = self.min_cell if check == "pinning" else 0
        if target in self.row:
            found = self._repair_rectangle(target, need, hidden_low, low, high)
            if found is not None:
                return found
        best = None
        for move, published in self.moves(target, REPAIR_BUDGET, allow=True):
            if not published and not self.assumed.intersection(move):
                continue  # a move the search had already (nothing to hide, nothing newly hidden)
            if self.shared.intersection(published):
                continue  # a slice's shared cell, which repairs never hide
            if len(published) > (MOST_HIDDEN if best is None else len(best[1])):
                continue  # more to hide than the best so far
            # Weighed as the attacker would see the cells once hidden, then put back.
            saved = [(low[i], high[i]) for i in published]
            for i in published:
                low[i], high[i] = hidden_low, math.inf
            steps = min(need, self.room(move, {}, 1, low, high)) + min(
                need, self.room(move, {}, -1, low, high)
            )
            for i, (old_low, old_high) in zip(published, saved, strict=True):
                low[i], high[i] = old_low, old_high
            if steps > 0:
                score = (
                    len(published),
                    -min(steps, need),
                    sum(self.value[i] for i in published),
                    sorted(published),
                )
                if best is None or score < best[0]:
                    best = (score, published, move)
                    if len(published) <= 1 and steps >= need:
                        break  # as good as a move can be, short of the smallest count
        if best is None:
            return [], {}
        return sorted(best[1]), best[2]

    def _repair_rectangle(
        self, target: int, need: int, hidden_low: int, low: list[float], high: list[float]
    ) -> tuple[list[int], Move] | None:
        """The quick repair of a detail cell: a rectangle through it that changes no published
        total and has exactly one published corner, or none but one chosen in this round;
        the one with the most room, then the fewest and smallest counts to hide."""
        hidden, value, signature, assumed = self.hidden, self.value, self.published_signature, self.assumed
        row, column = self.row[target], self.column[target]
        here = self.any_column_cells[column]
        best = None
        looked = 0
        for other in self.any_row_cells[row]:
            if other == target:
                continue
            there = self.any_column_cells[self.column[other]]
            small, large = (there, here) if len(there) < len(here) else (here, there)
            for other_row in islice(small, ROWS_PER_PARTNER):
                if other_row == row or other_row not in large:
                    continue
                looked += 1
                if looked > REPAIR_BUDGET:
                    break
                mine, theirs = here[other_row], there[other_row]
                published = [i for i in (other, mine, theirs) if not hidden[i] and i not in assumed]
                if len(published) > 1 or not (published or assumed.intersection((other, mine, theirs))):
                    continue  # more than one to hide, or a rectangle the search had already
                if signature[target] - signature[other] - signature[mine] + signature[theirs]:
                    continue  # it would change a published total
                # +1 at target and theirs, -1 at other and mine; the published cell as if hidden
                bottom = [low[target], low[other], low[mine], low[theirs]]
                top = [high[target], high[other], high[mine], high[theirs]]
                for cell in published:
                    where = (target, other, mine, theirs).index(cell)
                    bottom[where], top[where] = hidden_low, math.inf
                t, o, m, h = value[target], value[other], value[mine], value[theirs]
                raised = min(top[0] - t, o - bottom[1], m - bottom[2], top[3] - h, need)
                lowered = min(t - bottom[0], top[1] - o, top[2] - m, h - bottom[3], need)
                steps = max(0, raised) + max(0, lowered)
                if steps > 0:
                    score = (-min(steps, need), len(published), sum(value[i] for i in published), published)
                    if best is None or score < best[0]:
                        best = (score, published, {target: 1, other: -1, mine: -1, theirs: 1})
                        if steps >= need and not published:
                            break
            if looked > REPAIR_BUDGET or (best is not None and -best[0][0] >= need):
                break
        if best is None:
            return None
        # A rectangle across two career fields moves the schools' hidden field totals too.
        completed = self.complete(best[2], allow=True)
        return best[1], best[2] if completed is None else completed[0]


@dataclass(frozen=True)
class _Sums:
    """How far the network's cells can be lowered and raised in all, by row node and by
    column: each a finite sum and how many cells can be raised without end (the width
    check knows no upper bound of a hidden cell)."""

    rows: dict[int, tuple[float, float, int]]
    columns: dict[int, tuple[float, float, int]]

    @classmethod
    def of(cls, certifier: Certifier, low: list[float], high: list[float]) -> _Sums:
        value = certifier.value
        sums: tuple[dict, dict] = (defaultdict(lambda: [0.0, 0.0, 0]), defaultdict(lambda: [0.0, 0.0, 0]))
        for row, cells in certifier.flow_rows.items():
            for i in cells:
                for group in (sums[0][row], sums[1][certifier.column[i]]):
                    group[0] += value[i] - low[i]
                    if math.isinf(high[i]):
                        group[2] += 1
                    else:
                        group[1] += high[i] - value[i]
        return cls(*({key: tuple(group) for key, group in part.items()} for part in sums))

    def others(
        self, certifier: Certifier, target: int, low: list[float], high: list[float]
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """How far the other cells of ``target``'s row node, and of its column, can be
        lowered and raised in all (the target is one of the network's cells)."""
        value = certifier.value
        lowered, raised = value[target] - low[target], high[target] - value[target]
        endless = math.isinf(raised)
        found = []
        for lower, upper, unbounded in (
            self.rows[certifier.row_node[target]],
            self.columns[certifier.column[target]],
        ):
            unbounded -= endless
            found.append((lower - lowered, math.inf if unbounded else upper - (0 if endless else raised)))
        return found[0], found[1]


@dataclass(frozen=True)
class _Network:
    """Part of the network of hidden detail cells (see ``Certifier._plain_networks``) as the
    sparse matrix of room scipy's maximum flows read: each cell's two arcs, lowering and
    raising it, then arcs from an extra source node to the nodes flows start from."""

    nodes: dict[tuple[str, int], int]
    #: the matrix's parts (compressed rows)
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    #: where each arc's room is in ``data``
    position: np.ndarray
    #: for each cell of the row node the part is cut for (the cells whose flows it finds),
    #: where its two arcs are in the arc list; the source's arc to each node it has one to
    arc: dict[int, int]
    starts: dict[int, int]
    #: the cell of arcs 2k and 2k + 1
    cells: np.ndarray
    #: each arc's (tail, head) as one number, in the matrix's order, and the arc at each
    keys: np.ndarray
    order: np.ndarray
    #: the matrix itself, made once: each flow sets its room (``data``) in place
    matrix: csr_matrix

    @classmethod
    def of(
        cls,
        size: int,
        nodes: dict[tuple[str, int], int],
        tail: np.ndarray,
        head: np.ndarray,
        capacities: np.ndarray,
        arc: dict[int, int],
        starts: dict[int, int],
        cells: np.ndarray,
    ) -> _Network:
        from scipy.sparse import csr_matrix  # imported here: see site_builder.protection.audit

        order = np.lexsort((head, tail))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(tail, minlength=size)))).astype(np.int32)
        data = capacities.astype(np.int32)[order]
        indices = head[order].astype(np.int32)
        return cls(
            nodes=nodes,
            data=data,
            indices=indices,
            indptr=indptr,
            position=position,
            arc=arc,
            starts=starts,
            cells=cells,
            keys=(tail * size + head)[order],
            order=order,
            matrix=csr_matrix((data.copy(), indices, indptr), shape=(size, size)),
        )

    def cell_arcs(self, tails: np.ndarray, heads: np.ndarray, amounts: np.ndarray) -> list[tuple[int, int]]:
        """The cells' arcs among (tail, head) pairs of the matrix, with their amounts (the
        source's arcs left out)."""
        size = len(self.indptr) - 1
        wanted = tails.astype(np.int64) * size + heads
        found = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        arcs = self.order[found]
        cell = (self.keys[found] == wanted) & (arcs < 2 * len(self.cells))
        return list(zip(arcs[cell].tolist(), amounts[cell].tolist(), strict=True))
