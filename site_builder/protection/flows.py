"""The exact audit of a system that is a flow network, by capped augmenting paths (compiled).

Some systems are networks: every relation is conservation at a node of a circulation.
A year's attainment counts are one (``TableSystem.arcs``): the state total flows into the
districts, a district's into its schools, a school's into its school-field totals, those
into cells, each cell into its credential's statewide total, credentials into their
field, fields back into the state total. A table that agrees with everything published is
then the true one plus a circulation on the hidden arcs that keeps each within what the
attacker knows of it. So a hidden arc ``u -> v`` can rise by ``k`` exactly when a flow of
``k`` runs from ``v`` to ``u`` through the other hidden arcs' room, and fall by ``k`` when
one runs from ``u`` to ``v`` (max-flow/min-cut). The network's matrix is totally
unimodular, so the largest such flows are whole numbers: no rounding, no branch and bound.

For each cell the search sends flow one augmenting path at a time and stops at what the
check needs (``min_cell`` in all for the width check, 1 for pinning). It looks near the
cell first: paths of at most 3 arcs, then 7, 15 and any length, each searched from both
ends a level at a time. Up and down are two separate flows, that is two tables; each is
capped by the room around the cell's two nodes (a cut, so the cap is exact). When no
path of any length is left, the flow is the largest (Ford-Fulkerson), so a cell found
narrow is narrow: without the system's inequalities, which only remove tables, every
table the attacker allows is a circulation here (``Network.exact`` checks that each
node's conservation is one of the system's relations).

Every table a search finds is checked exactly before it counts, as the certificates are
(``certificates.Certifier.verify``): every relation a moved cell is in still adds up, every
moved cell stays within its bounds, and every inequality holds (a school's claims at most
what its students earned, which the network does not see). A table that breaks an
inequality proves nothing; its cell is left to the certificates. A table that holds
proves every cell it moves as far as it moves it (``Certificate.also_proves``), so most
cells are proven by the searches of cells before them.

On a state year (214,000 cells with the claims) the first round's width check searches
88,000 of the spec's pattern's 118,000 hidden cells (the rest are proven on the way) in
about 20 s, and whole protection takes about 45 s where the certificates alone took
330 s (``benchmarks/README.md``).

The search is compiled with numba: in Python it took about a millisecond a cell.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numba
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from site_builder.protection.privacy import Key, TableSystem

#: compiled once and kept beside the module; without the interpreter's lock, so a Dask
#: worker stays responsive (its heartbeats) while a search runs for a minute
_compiled = numba.njit(cache=True, nogil=True)
#: the longest paths (in arcs) tried before looking further; the last tier is any length
TIERS = (3, 7, 15, 1 << 60)
#: the room of a hidden cell with no upper bound: far more than any check needs
UNBOUNDED = 1 << 40
#: tries at mending a table, each moving the cell less (``Network.joint_tables``)
MENDS = 3
#: the most meeting nodes one search keeps, each closing a path (``_one_path``)
MEETS = 64
#: what a search found for a cell
PROVEN, NARROW, UNSETTLED = 0, 1, 2


@dataclass(frozen=True)
class Mended:
    """``joint_tables``' answer for one cell: a table raising it and one lowering it (either
    may be empty), and a cell of another part that could not move far enough to keep an
    inequality (a school's earned count under its claims), if one could not."""

    upper: dict[int, int]
    lower: dict[int, int]
    blocker: int | None


@dataclass(frozen=True)
class Found:
    """One check's search over some cells: those proven wide (with every cell the checked
    tables proved on the way), those the network proves narrow, and those whose tables
    broke an inequality, which are left to the certificates."""

    proven: list[int]
    narrow: list[int]
    unsettled: list[int]


class Network:
    """A system's cells as arcs of a circulation, numbered as ``keys`` numbers them."""

    def __init__(self, system: TableSystem, keys: Sequence[Key]):
        index = {key: number for number, key in enumerate(keys)}
        nodes: dict[Hashable, int] = {}
        size = len(keys)
        self.tails = np.full(size, -1, np.int64)
        self.heads = np.full(size, -1, np.int64)
        for i, key in enumerate(keys):  # nodes numbered in the keys' order, not the arcs'
            if key not in system.arcs:
                continue
            tail, head = system.arcs[key]
            self.tails[i] = nodes.setdefault(tail, len(nodes))
            self.heads[i] = nodes.setdefault(head, len(nodes))
        self.nodes = len(nodes)
        self.value = np.fromiter((system.values[key] for key in keys), np.int64, size)
        # Each relation's cells (its total, then its parts), and each cell's relations (number,
        # sign) and inequalities, as compressed rows made from flat arrays: made from a list
        # of tuples for each cell, a national year's rows took 2 GB more while they were made
        self.relations = len(system.relations)
        member_start = _starts(
            np.fromiter((len(r.parts) + 1 for r in system.relations), np.int64, self.relations)
        )
        members = np.fromiter(
            (index[key] for r in system.relations for key in (r.total, *r.parts)), np.int64, member_start[-1]
        )
        member_sign = np.full(members.size, -1, np.int64)
        member_sign[member_start[:-1]] = 1
        self.relation_start, (self.relation_of, self.relation_sign) = _by_cell(
            members, member_start, size, member_sign
        )
        self.exact = _every_node_a_relation(self, member_start, members, member_sign)
        terms = [[(index[key], coefficient) for key, coefficient in q.terms] for q in system.inequalities]
        self.term_start = _starts(np.fromiter((len(t) for t in terms), np.int64, len(terms)))
        self.term_cell = np.fromiter((cell for t in terms for cell, _ in t), np.int64, self.term_start[-1])
        self.inequality_start, (self.inequality_of,) = _by_cell(self.term_cell, self.term_start, size)
        self.term_coefficient = np.array([c for t in terms for _, c in t], np.float64)
        self.bound = np.array([q.bound for q in system.inequalities], np.float64)
        self.terms = terms
        self.part = self._parts()
        self.held_low, self.held_high = self._held_bounds()

    def _parts(self) -> np.ndarray:
        """Each cell's connected part of the network (-1 for a cell with no arc): a table
        the search finds moves cells of one part only."""
        part = np.full(len(self.value), -1, np.int64)
        arcs = np.flatnonzero(self.tails >= 0)
        if arcs.size:
            graph = coo_matrix(
                (np.ones(arcs.size), (self.tails[arcs], self.heads[arcs])), shape=(self.nodes, self.nodes)
            )
            _, label = connected_components(graph, directed=False)
            part[arcs] = label[self.tails[arcs]]
        return part

    def _held_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds the inequalities set on a cell while every other part of the network stays
        as it is: a table the search finds moves one part only (the cell's arcs connect
        it), so an inequality with a single cell in that part bounds that cell (a school's
        count of earned credentials at least its claims, while the claims stay put). Used
        only to look again for cells whose first tables broke an inequality: tables so
        found are checked as all are, but a cell not found is not therefore narrow."""
        part = self.part
        low = np.full(len(self.value), -np.inf)
        high = np.full(len(self.value), np.inf)
        for bound, cells in zip(self.bound.tolist(), self.terms, strict=True):
            by_part: dict[int, list[tuple[int, float]]] = {}
            for cell, coefficient in cells:
                by_part.setdefault(int(part[cell]), []).append((cell, coefficient))
            for here, mine in by_part.items():
                if here < 0 or len(mine) != 1:
                    continue
                ((cell, coefficient),) = mine
                rest = sum(c * self.value[i] for i, c in cells if part[i] != here)
                limit = (bound - rest) / coefficient
                if coefficient > 0:
                    high[cell] = min(high[cell], math.floor(limit + 1e-9))
                elif coefficient < 0:
                    low[cell] = max(low[cell], math.ceil(limit - 1e-9))
        return low, high

    def _held(self, low: Sequence[float], high: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """``low`` and ``high`` within the held bounds (``_held_bounds``)."""
        return (
            np.maximum(np.asarray(low, np.float64), self.held_low),
            np.minimum(np.asarray(high, np.float64), self.held_high),
        )

    def prove(
        self,
        cells: Sequence[int],
        hidden: Sequence[bool],
        low: Sequence[float],
        high: Sequence[float],
        need: int,
    ) -> Found:
        """Search ``cells`` in order, with ``hidden`` cells free within ``low`` and ``high``
        (published cells are fixed), for two tables ``need`` apart on each. Cells whose
        tables broke an inequality are searched again within the bounds it sets while the
        rest of the network stays put (``_held_bounds``)."""
        found = self._search(cells, hidden, low, high, need)
        if not found.unsettled:
            return found
        again = self._search(found.unsettled, hidden, *self._held(low, high), need)
        proven = set(found.proven) | set(again.proven)
        return Found(sorted(proven), found.narrow, [cell for cell in found.unsettled if cell not in proven])

    def _search(
        self,
        cells: Sequence[int],
        hidden: Sequence[bool],
        low: Sequence[float],
        high: Sequence[float],
        need: int,
    ) -> Found:
        graph = self._graph(hidden, low, high)
        asked = np.array([cell for cell in cells if self.tails[cell] >= 0], np.int64)
        outcome, moved_up, moved_down = _audit(
            asked, self.tails, self.heads, need, graph, self._checks, self.nodes, np.array(TIERS, np.int64)
        )
        proven = np.flatnonzero(moved_up + moved_down >= need).tolist()
        narrow = asked[outcome == NARROW].tolist() if self.exact else []
        unsettled = set(cells) - set(asked[outcome == PROVEN].tolist()) - set(narrow)
        return Found(proven, narrow, sorted(unsettled))

    def joint_tables(
        self,
        cells: Sequence[int],
        hidden: Sequence[bool],
        low: Sequence[float],
        high: Sequence[float],
        need: int,
    ) -> dict[int, Mended]:
        """For each of ``cells``, a table raising it and one lowering it, each mended where
        it breaks an inequality by a table of another part of the network (a school's
        claims raised past what its students earned: their earned count raised too, by a
        table of the attainment part in which every inequality holds with the claims as
        they are). A table the mending cannot keep is tried again moving the cell less.
        The caller checks each pair exactly before it counts (``Certifier.verify``): the
        mending is a search, not a proof."""
        plain = self._graph(hidden, low, high)
        held = self._graph(hidden, *self._held(low, high))
        tiers = np.array(TIERS, np.int64)
        found = {}
        for cell in cells:
            if self.tails[cell] < 0:
                continue
            pair, blocker = [], None
            for sense in (1, -1):
                want, kept = need, {}
                for _ in range(MENDS):
                    table = self._table(cell, sense, want, plain, tiers)
                    short, stuck = self._mend(table, held, tiers)
                    if short <= 0:
                        kept = table
                        break
                    blocker = stuck if blocker is None else blocker
                    want = abs(table.get(cell, 0)) - math.ceil(short)
                    if want <= 0:
                        break
                pair.append(kept)
            found[cell] = Mended(pair[0], pair[1], blocker)
        return found

    def _table(self, cell: int, sense: int, want: int, graph: tuple, tiers: np.ndarray) -> dict[int, int]:
        arcs, changes = _one_table(cell, sense, want, self.tails, self.heads, graph, self.nodes, tiers)
        table: dict[int, int] = {}
        for arc, change in zip(arcs.tolist(), changes.tolist(), strict=True):
            table[arc] = table.get(arc, 0) + change
        return {arc: change for arc, change in table.items() if change}

    def _mend(self, table: dict[int, int], held: tuple, tiers: np.ndarray) -> tuple[float, int | None]:
        """Adds to ``table`` what keeps the inequalities it breaks: for each, a table of
        another part that moves one of its cells the helpful way. Returns by how much an
        inequality is still broken (0 when none is), and the cell whose table fell short."""
        numbers = {
            int(self.inequality_of[entry])
            for cell in table
            for entry in range(self.inequality_start[cell], self.inequality_start[cell + 1])
        }
        for number in sorted(numbers):
            terms = self.terms[number]
            excess = sum(c * (self.value[i] + table.get(i, 0)) for i, c in terms) - self.bound[number]
            moved_parts = {int(self.part[i]) for i in table}
            stuck = None
            for i, coefficient in terms:
                if excess <= 1e-9:
                    break
                if self.part[i] < 0 or int(self.part[i]) in moved_parts:
                    continue
                sense = -1 if coefficient > 0 else 1
                support = self._table(i, sense, math.ceil(excess / abs(coefficient) - 1e-9), held, tiers)
                for arc, change in support.items():
                    table[arc] = table.get(arc, 0) + change
                excess -= abs(coefficient) * abs(support.get(i, 0))
                stuck = i
            if excess > 1e-9:
                return excess, stuck
        return 0.0, None

    def _graph(self, hidden: Sequence[bool], low: Sequence[float], high: Sequence[float]) -> tuple:
        """The hidden arcs by node, with every cell's value and whole bounds (``_audit``).
        Each entry's room with no table yet, leaving its node and entering it, is laid out
        in the entries' order: the searches read it in sequence, where the value and bounds
        of the entry's cell would be three reads far apart. Indices are 32 bits wide, for
        the same reason: with both, a state year's first searches take 18-21 s, not 27-29 s."""
        hidden_arcs = np.flatnonzero(np.asarray(hidden, np.bool_) & (self.tails >= 0))
        ends = (self.tails[hidden_arcs], self.heads[hidden_arcs])
        node = np.concatenate(ends)
        order = np.lexsort((np.concatenate((hidden_arcs, hidden_arcs)), node))
        start = np.zeros(self.nodes + 1, np.int64)
        np.add.at(start, node + 1, 1)
        lows = np.ceil(np.asarray(low, np.float64) - 1e-9).astype(np.int64)
        high = np.asarray(high, np.float64)
        unbounded = np.isinf(high)
        highs = np.floor(np.where(unbounded, 0.0, high) + 1e-9).astype(np.int64)
        highs[unbounded] = self.value[unbounded] + UNBOUNDED
        arc = np.concatenate((hidden_arcs, hidden_arcs))[order]
        direction = np.repeat(np.array([1, -1], np.int64), hidden_arcs.size)[order]
        rise, fall = highs[arc] - self.value[arc], self.value[arc] - lows[arc]
        graph = (
            np.cumsum(start).astype(np.int32),
            arc.astype(np.int32),
            np.concatenate(ends[::-1])[order].astype(np.int32),
            direction.astype(np.int32),
            self.value,
            lows,
            highs,
            np.where(direction > 0, rise, fall),  # room along the entry, leaving its node
            np.where(direction > 0, fall, rise),  # and entering it
        )
        return graph

    @property
    def _checks(self) -> tuple:
        return (
            self.relation_start,
            self.relation_of,
            self.relation_sign,
            self.relations,
            self.inequality_start,
            self.inequality_of,
            self.term_start,
            self.term_cell,
            self.term_coefficient,
            self.bound,
        )


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of rows of ``lengths`` entries starts, and (last) where they end."""
    start = np.zeros(lengths.size + 1, np.int64)
    np.cumsum(lengths, out=start[1:])
    return start


def _row_numbers(start: np.ndarray) -> np.ndarray:
    """For each entry of rows starting at ``start`` (``_starts``), the number of its row."""
    return np.repeat(np.arange(start.size - 1, dtype=np.int64), np.diff(start))


def _by_cell(
    cells: np.ndarray, start: np.ndarray, size: int, *columns: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Rows of ``cells`` (row ``n`` from ``start[n]``) turned round: for each of ``size``
    cells, where its entries start, then each entry's row number and ``columns``, in the
    rows' order (a stable sort keeps it)."""
    order = np.argsort(cells, kind="stable")
    return _starts(np.bincount(cells, minlength=size)), (
        _row_numbers(start)[order],
        *(column[order] for column in columns),
    )


def _every_node_a_relation(
    network: Network, member_start: np.ndarray, members: np.ndarray, member_sign: np.ndarray
) -> bool:
    """Whether conservation at each node is one of the relations (``members``: each one's
    cells, from ``member_start``, with their signs): then every table the relations allow is
    a circulation, and a cell the flows find narrow is narrow. Each side is compared as a
    set of (cell, direction), either way round (``_nodes_are_relations``)."""
    arcs = np.flatnonzero(network.tails >= 0)
    node = np.concatenate((network.tails[arcs], network.heads[arcs]))
    cells = np.concatenate((arcs, arcs))
    order = np.lexsort((cells, node))
    # a direction as a bit: 1 leaving the node (a relation's part), 2 entering it (its total)
    directions = np.concatenate((np.full(arcs.size, 1, np.int8), np.full(arcs.size, 2, np.int8)))
    by_cell = np.lexsort((members, _row_numbers(member_start)))
    return bool(
        _nodes_are_relations(
            _starts(np.bincount(node, minlength=network.nodes)),
            cells[order],
            directions[order],
            network.relation_start,
            network.relation_of,
            member_start,
            members[by_cell],
            np.where(member_sign[by_cell] > 0, 2, 1).astype(np.int8),
        )
    )


@_compiled
def _nodes_are_relations(
    node_start, node_cell, node_bit, relation_start, relation_of, member_start, member_cell, member_bit
):
    """``_every_node_a_relation``, over both sides sorted by cell: a node's relation holds
    each of its arcs, so only the relations of its first arc are tried."""
    for here in range(node_start.shape[0] - 1):
        low, high = node_start[here], node_start[here + 1]
        if low == high:
            return False
        first = node_cell[low]
        found = False
        for entry in range(relation_start[first], relation_start[first + 1]):
            relation = relation_of[entry]
            start, end = member_start[relation], member_start[relation + 1]
            if _same_set(
                node_cell, node_bit, low, high, member_cell, member_bit, start, end, False
            ) or _same_set(node_cell, node_bit, low, high, member_cell, member_bit, start, end, True):
                found = True
                break
        if not found:
            return False
    return True


@_compiled
def _same_set(a_cell, a_bit, a_low, a_high, b_cell, b_bit, b_low, b_high, flip):
    """Whether rows ``a`` and ``b`` (sorted by cell) hold the same cells with the same
    directions (a cell's directions gathered as bits; ``flip``: ``a``'s the other way)."""
    i, j = a_low, b_low
    while i < a_high and j < b_high:
        cell = a_cell[i]
        if b_cell[j] != cell:
            return False
        a_mask = 0
        while i < a_high and a_cell[i] == cell:
            a_mask |= a_bit[i]
            i += 1
        b_mask = 0
        while j < b_high and b_cell[j] == cell:
            b_mask |= b_bit[j]
            j += 1
        if flip:
            a_mask = ((a_mask & 1) << 1) | ((a_mask & 2) >> 1)
        if a_mask != b_mask:
            return False
    return i == a_high and j == b_high


# --- the compiled search -----------------------------------------------------------------
# ``graph`` holds the hidden arcs by node: where each node's entries start, each entry's
# arc, the node at its far end and its direction (1 when the arc leaves the node), then
# every cell's value and bounds, then each entry's room before any table (``_graph``).
# ``delta`` is a table being built, as changes by cell.


@_compiled
def _node_of(entry, start):
    """The node whose entries hold ``entry`` (binary search over ``start``)."""
    low, high = 0, start.shape[0] - 1
    while high - low > 1:
        middle = (low + high) // 2
        if start[middle] <= entry:
            low = middle
        else:
            high = middle
    return low


@_compiled
def _room(entry, sense, graph, delta):
    """The room along ``entry`` with the table ``delta``: leaving its node (``sense`` 1) or
    entering it (-1), read from the rooms laid out in the entries' order (``_graph``)."""
    base = graph[7] if sense > 0 else graph[8]
    return base[entry] - sense * graph[3][entry] * delta[graph[1][entry]]


@_compiled
def _grow(queue, head, tail, stamp, parent, opposite, sense, mark, skip, graph, delta, meets):
    """One level of one end's search: ``sense`` 1 for the source's end (arcs as their
    room runs from the node), -1 for the sink's (the room from the far node runs along
    the arc the other way). Stops after the first node whose arcs reach the other end's
    search, with every node where they met in ``meets``. Returns the queue's new ends,
    how many meeting nodes it found and the entries the next level holds."""
    start, arc_of, other = graph[:3]
    level_end = tail
    found = 0
    entries = 0
    while head < level_end and found == 0:
        node = queue[head]
        head += 1
        for entry in range(start[node], start[node + 1]):
            arc = arc_of[entry]
            far = other[entry]
            if arc == skip or stamp[far] == mark:
                continue
            if _room(entry, sense, graph, delta) <= 0:
                continue
            stamp[far] = mark
            parent[far] = entry
            if opposite[far] == mark:
                if found < meets.shape[0]:
                    meets[found] = far
                    found += 1
                continue
            queue[tail] = far
            tail += 1
            entries += start[far + 1] - start[far]
    return head, tail, found, entries


@_compiled
def _chain_room(node, end, parent, sense, amount, graph, delta):
    """``amount``, or less if an arc of the chain from ``node`` to ``end`` has less room."""
    start = graph[0]
    while node != end:
        entry = parent[node]
        amount = min(amount, _room(entry, sense, graph, delta))
        node = _node_of(entry, start)
    return amount


@_compiled
def _chain_move(node, end, parent, sense, amount, graph, delta, touched, count):
    """Moves ``amount`` along the chain from ``node`` to ``end``, noting each arc moved."""
    start, arc_of, direction = graph[0], graph[1], graph[3]
    while node != end:
        entry = parent[node]
        delta[arc_of[entry]] += sense * direction[entry] * amount
        touched[count[0]] = arc_of[entry]
        count[0] += 1
        node = _node_of(entry, start)


@_compiled
def _one_path(source, sink, want, skip, limit, graph, work):
    """Sends up to ``want`` along shortest paths with room, of at most ``limit`` arcs,
    searched from both ends a level at a time, the end whose next level has fewer entries
    first (a credential's node borders every school where it is hidden, a school-field's
    only a few cells). Every node where the two searches met at the last level closes a
    path: each is used while it has room. Returns what it sent."""
    delta, parent, stamp, queue, query, touched, count, parent_b, stamp_b, queue_b, meets = work
    start = graph[0]
    query[0] += 1
    mark = query[0]
    stamp[source] = mark
    stamp_b[sink] = mark
    queue[0] = source
    queue_b[0] = sink
    f_head, f_tail, b_head, b_tail = 0, 1, 0, 1
    f_entries = start[source + 1] - start[source]
    b_entries = start[sink + 1] - start[sink]
    depth = 0
    found = 0
    while found == 0 and f_head < f_tail and b_head < b_tail and depth < limit:
        if f_entries <= b_entries:
            f_head, f_tail, found, f_entries = _grow(
                queue, f_head, f_tail, stamp, parent, stamp_b, 1, mark, skip, graph, delta, meets
            )
        else:
            b_head, b_tail, found, b_entries = _grow(
                queue_b, b_head, b_tail, stamp_b, parent_b, stamp, -1, mark, skip, graph, delta, meets
            )
        depth += 1
    sent = 0
    for k in range(found):  # the two trees share no node but the meeting ones: simple paths
        meet = meets[k]
        amount = _chain_room(meet, source, parent, 1, want - sent, graph, delta)
        amount = _chain_room(meet, sink, parent_b, -1, amount, graph, delta)
        if amount > 0:
            _chain_move(meet, source, parent, 1, amount, graph, delta, touched, count)
            _chain_move(meet, sink, parent_b, -1, amount, graph, delta, touched, count)
            sent += amount
            if sent >= want:
                break
    return sent


@_compiled
def _around(node, skip, leaving, graph, delta):
    """Room out of (or into) ``node``: a cut that bounds any flow from (to) it."""
    start, arc_of = graph[0], graph[1]
    sense = 1 if leaving else -1
    total = 0
    for entry in range(start[node], start[node + 1]):
        if arc_of[entry] != skip:
            total += _room(entry, sense, graph, delta)
    return total


@_compiled
def _holds(touched, count, delta, graph, checks, balance, arc_stamp, mark):
    """Whether the table ``delta`` keeps every relation a moved cell is in, every moved
    cell's bounds and every inequality a moved cell is in: checked exactly."""
    value, low, high = graph[4], graph[5], graph[6]
    relation_start, relation_of, relation_sign = checks[0], checks[1], checks[2]
    inequality_start, inequality_of, term_start, term_cell, coefficient, bound = checks[4:]
    holds = True
    for t in range(count):
        arc = touched[t]
        if arc_stamp[arc] == mark:
            continue
        arc_stamp[arc] = mark
        x = value[arc] + delta[arc]
        if x < low[arc] or x > high[arc]:
            holds = False
        for e in range(relation_start[arc], relation_start[arc + 1]):
            balance[relation_of[e]] += relation_sign[e] * delta[arc]
    for t in range(count):
        arc = touched[t]
        for e in range(relation_start[arc], relation_start[arc + 1]):
            if balance[relation_of[e]] != 0:
                holds = False
    for t in range(count):
        arc = touched[t]
        for e in range(relation_start[arc], relation_start[arc + 1]):
            balance[relation_of[e]] = 0
        for e in range(inequality_start[arc], inequality_start[arc + 1]):
            number = inequality_of[e]
            total = 0.0
            for k in range(term_start[number], term_start[number + 1]):
                cell = term_cell[k]
                total += coefficient[k] * (value[cell] + delta[cell])
            if total > bound[number] + 1e-9:
                holds = False
    return holds


@_compiled
def _credit(touched, count, delta, moved_up, moved_down):
    """Every cell a table that holds moves is proven as far as it moves (with the true
    table and the other direction's tables, all of them possible)."""
    for t in range(count):
        arc = touched[t]
        if delta[arc] > 0:
            moved_up[arc] = max(moved_up[arc], delta[arc])
        elif delta[arc] < 0:
            moved_down[arc] = max(moved_down[arc], -delta[arc])


@_compiled
def _workspace(size, nodes, need):
    """What one direction's search works in: its table (changes by cell), the two ends'
    parents, marks and queues, the count of searches so far, the cells it moved and
    where its last search's two ends met."""
    return (
        np.zeros(size, np.int64),
        np.empty(nodes, np.int32),
        np.zeros(nodes, np.int32),
        np.empty(nodes, np.int32),
        np.zeros(1, np.int32),
        np.empty(need * (nodes + 1) + 16, np.int64),
        np.zeros(1, np.int64),
        np.empty(nodes, np.int32),
        np.zeros(nodes, np.int32),
        np.empty(nodes, np.int32),
        np.empty(MEETS, np.int32),
    )


@_compiled
def _audit(cells, tails, heads, need, graph, checks, nodes, tiers):
    """Each cell's outcome (``PROVEN``, ``NARROW``, ``UNSETTLED``), and how far the tables
    that held moved every cell up and down."""
    value, low, high = graph[4], graph[5], graph[6]
    size = value.shape[0]
    up_work = _workspace(size, nodes, need)
    down_work = _workspace(size, nodes, need)
    delta_up, touched_up, count_up = up_work[0], up_work[5], up_work[6]
    delta_down, touched_down, count_down = down_work[0], down_work[5], down_work[6]
    balance = np.zeros(checks[3], np.int64)
    arc_stamp = np.zeros(size, np.int64)
    arc_mark = 0
    outcome = np.zeros(cells.shape[0], np.int64)
    moved_up = np.zeros(size, np.int64)
    moved_down = np.zeros(size, np.int64)
    for j in range(cells.shape[0]):
        cell = cells[j]
        tail, head, x = tails[cell], heads[cell], value[cell]
        if moved_up[cell] + moved_down[cell] >= need:
            continue  # proven by an earlier cell's tables
        most_up = min(need, high[cell] - x, _around(head, cell, True, graph, delta_up))
        most_up = min(most_up, _around(tail, cell, False, graph, delta_up))
        most_down = min(x - low[cell], _around(tail, cell, True, graph, delta_down))
        most_down = min(most_down, _around(head, cell, False, graph, delta_down))
        up = down = 0
        count_up[0] = count_down[0] = 0
        if most_up + most_down >= need:
            for tier in range(tiers.shape[0]):
                up_open, down_open = up < most_up, down < most_down
                while up + down < need and (up_open or down_open):
                    if up_open:
                        sent = _one_path(
                            head, tail, min(most_up - up, need - down - up), cell, tiers[tier], graph, up_work
                        )
                        up += sent
                        up_open = sent > 0 and up < most_up
                    if down_open and up + down < need:
                        want = min(most_down - down, need - up - down)
                        sent = _one_path(tail, head, want, cell, tiers[tier], graph, down_work)
                        down += sent
                        down_open = sent > 0 and down < most_down
                if up + down >= need:
                    break
        if up + down < need:
            outcome[j] = NARROW
        else:
            # the cell's own arc is moved by its tables too: the path closes round it
            delta_up[cell] += up
            touched_up[count_up[0]] = cell
            count_up[0] += 1
            delta_down[cell] -= down
            touched_down[count_down[0]] = cell
            count_down[0] += 1
            arc_mark += 1
            if _holds(touched_up, count_up[0], delta_up, graph, checks, balance, arc_stamp, arc_mark):
                _credit(touched_up, count_up[0], delta_up, moved_up, moved_down)
            arc_mark += 1
            if _holds(touched_down, count_down[0], delta_down, graph, checks, balance, arc_stamp, arc_mark):
                _credit(touched_down, count_down[0], delta_down, moved_up, moved_down)
            outcome[j] = PROVEN if moved_up[cell] + moved_down[cell] >= need else UNSETTLED
        for t in range(count_up[0]):
            delta_up[touched_up[t]] = 0
        for t in range(count_down[0]):
            delta_down[touched_down[t]] = 0
    return outcome, moved_up, moved_down


@_compiled
def _one_table(cell, sense, want, tails, heads, graph, nodes, tiers):
    """A table moving ``cell`` up (``sense`` 1) or down by as much as paths find, up to
    ``want``: the cells it moves and by how much (a cell may appear more than once)."""
    value = graph[4]
    work = _workspace(value.shape[0], nodes, want)
    delta, touched, count = work[0], work[5], work[6]
    tail, head = tails[cell], heads[cell]
    source, sink = (head, tail) if sense > 0 else (tail, head)
    room = _around(source, cell, True, graph, delta)
    room = min(room, _around(sink, cell, False, graph, delta))
    own = graph[6][cell] - value[cell] if sense > 0 else value[cell] - graph[5][cell]
    most = min(want, own, room)
    moved = 0
    for tier in range(tiers.shape[0]):
        while moved < most:
            sent = _one_path(source, sink, most - moved, cell, tiers[tier], graph, work)
            if sent == 0:
                break
            moved += sent
    n = count[0]
    arcs = np.empty(n + 1, np.int64)
    changes = np.empty(n + 1, np.int64)
    for t in range(n):
        arcs[t] = touched[t]
        changes[t] = 0
    # each arc's final change, once (the rest 0), and the cell's own
    for t in range(n):
        arc = touched[t]
        if delta[arc] != 0:
            changes[t] = delta[arc]
            delta[arc] = 0
    arcs[n] = cell
    changes[n] = sense * moved
    return arcs, changes
