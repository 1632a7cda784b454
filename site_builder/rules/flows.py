"""The disclosure audit of a table system that is a flow network, answered with flows.

In the attainment tables every count is an arc: a school's count of a credential
flows out of the credential's statewide total and into the school's total for the
career field, that total into the school's total, and so on round to the state and
back. Each relation says that what flows into a node flows out of it, so a feasible
table is a circulation, and the published cells are arcs with a known flow.

The range of a hidden cell is then a question about flows. Starting from the true
table, the cell can rise by as much as can flow back from its head to its tail
through the other hidden cells (each may rise without limit, or fall to its lower
bound), and fall likewise: two maximum flows give its exact range. That is what the
linear programs of ``site_builder.rules.audit`` compute too, but network algorithms
(OR-tools) answer it in a fraction of the time, at the size of a whole state.

As in the linear-programming audit, most cells are proven wide without computing
their range: each round solves one min-cost flow that moves the table as far as it
can along many unproven cells at once (gain per cell capped at what it still needs,
direction drawn at random), and every table found is a witness of a range at least
that wide. Only the cells left unproven get their two maximum flows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

WITNESS_ROUNDS = 20
#: the share of unproven cells each witness round pulls on
TARGET_SHARE = 0.3
#: scipy's maximum flow counts in 32 bits; no flow that matters comes near this
_CAPACITY_LIMIT = 2**30
STALL_ROUNDS = 3


@dataclass(frozen=True)
class Network:
    """One connected group of hidden cells, each an arc with its true value and the
    integer bounds an attacker knows (``math.inf`` for no upper bound)."""

    tails: np.ndarray
    heads: np.ndarray
    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    #: for each cell, a region (>= 0) whose cells most of its flows stay among, or -1
    #: for a cell of every region (see ``TableSystem.regions``)
    regions: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        arcs: Sequence[tuple[Hashable, Hashable]],
        values: Sequence[int],
        bounds: Sequence[tuple[float, float]],
        regions: Sequence[int] | None = None,
    ) -> Network:
        nodes: dict[Hashable, int] = {}
        tails = np.array([nodes.setdefault(tail, len(nodes)) for tail, _ in arcs], dtype=np.int64)
        heads = np.array([nodes.setdefault(head, len(nodes)) for _, head in arcs], dtype=np.int64)
        value_array = np.array(values, dtype=np.int64)
        region_array = None if regions is None else np.array(regions, dtype=np.int64)
        return cls(tails, heads, value_array, *_bound_arrays(bounds), region_array)

    def with_bounds_at(self, cells: Sequence[int], bounds: Sequence[tuple[float, float]]) -> Network:
        """The network with new bounds for ``cells`` only."""
        lower, upper = self.lower.copy(), self.upper.copy()
        if cells:
            lower[cells], upper[cells] = _bound_arrays(bounds)
        return replace(self, lower=lower, upper=upper)

    def subset(self, cells: np.ndarray) -> Network:
        """The network of ``cells`` alone (every other cell held at its true value)."""
        _, ends = np.unique(np.concatenate([self.tails[cells], self.heads[cells]]), return_inverse=True)
        return Network(
            ends[: len(cells)], ends[len(cells) :], self.values[cells], self.lower[cells], self.upper[cells]
        )

    @property
    def size(self) -> int:
        return len(self.values)

    def unlimited(self, width: int) -> int:
        """A rise that stands for "no limit": more than ``width``, and more than any flow
        the cells with limits allow."""
        bounded = np.isfinite(self.upper)
        limited = np.where(bounded, np.where(bounded, self.upper, 0) - self.values, 0)
        return int(self.values.sum()) + int(np.maximum(limited, 0).sum()) + width + 1

    def room(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """How far each cell may rise and fall from its true value."""
        bounded = np.isfinite(self.upper)
        rise = np.where(bounded, np.where(bounded, self.upper, 0) - self.values, self.unlimited(width))
        return np.maximum(rise, 0).astype(np.int64), np.maximum(self.values - self.lower, 0)


def _bound_arrays(bounds: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Bounds rounded inward to whole counts: a smaller set of tables, so every range
    found is one an attacker can reach too."""
    lower = np.array([math.ceil(low) for low, _ in bounds], dtype=np.int64)
    upper = np.array([high if math.isinf(high) else math.floor(high) for _, high in bounds], dtype=float)
    return lower, upper


def narrow_cells(
    network: Network, cells: list[int], width: int, rng: random.Random
) -> tuple[list[tuple[int, float, float]], int]:
    """The cells among ``cells`` whose exact range is narrower than ``width``, with it,
    and how many flow problems that took."""
    low = np.zeros(network.size, dtype=np.int64)
    high = np.zeros(network.size, dtype=np.int64)
    unproven, rounds = _witness(network, cells, width, rng, low, high)
    if network.regions is not None:
        unproven, in_regions = _exact_in_regions(network, unproven, width, low, high)
        rounds += in_regions
    narrow, flows = _exact(network, unproven, width, low, high)
    return narrow, rounds + flows


def _exact_in_regions(
    network: Network, cells: list[int], width: int, low: np.ndarray, high: np.ndarray
) -> tuple[list[int], int]:
    """Maximum flows around each cell within its region first: a much smaller network,
    whose flows are flows of the whole one, so a cell proven wide there is wide. The
    cells left are those a region cannot prove."""
    regions = network.regions
    left = [i for i in cells if regions[i] < 0]
    solved = 0
    by_region: dict[int, list[int]] = {}
    for i in cells:
        if regions[i] >= 0:
            by_region.setdefault(int(regions[i]), []).append(i)
    for region, members in sorted(by_region.items()):
        keep = np.flatnonzero((regions == region) | (regions < 0))
        local = np.full(network.size, -1, dtype=np.int64)
        local[keep] = np.arange(len(keep))
        region_low, region_high = low[keep], high[keep]
        narrow, count = _exact(
            network.subset(keep), [int(local[i]) for i in members], width, region_low, region_high
        )
        np.minimum(low[keep], region_low, out=region_low)
        low[keep] = region_low
        high[keep] = np.maximum(high[keep], region_high)
        left.extend(int(keep[n]) for n, _, _ in narrow)
        solved += count
    return sorted(left), solved


def exact_narrow_cells(
    network: Network, cells: list[tuple[int, float, float]], width: int
) -> list[tuple[int, float, float]]:
    """Of ``cells`` (each with a range already proven in another feasible setting), those
    whose range here, joined with that one, is still narrower than ``width``, by maximum
    flows alone; with the joined range."""
    low = np.zeros(network.size, dtype=np.int64)
    high = np.zeros(network.size, dtype=np.int64)
    known = {}
    unlimited = network.unlimited(width)
    for i, known_low, known_high in cells:
        value = int(network.values[i])
        low[i] = max(known_low - value, -value)
        high[i] = min(known_high - value, unlimited)
        known[i] = (known_low, known_high)
    narrow = _exact(network, [i for i, _, _ in cells], width, low, high)[0]
    joined = []
    for i, found_low, found_high in narrow:
        joined_low, joined_high = min(found_low, known[i][0]), max(found_high, known[i][1])
        if joined_high - joined_low < width:
            joined.append((i, joined_low, joined_high))
    return joined


def push(network: Network, cell: int, rising: bool, width: int) -> np.ndarray:
    """A feasible move of the table taking ``cell`` as far as ``width`` up (or down),
    found by one maximum flow around it; no move when it cannot move."""
    rise, fall = network.room(width)
    amount = min(width, int(rise[cell] if rising else fall[cell]))
    if amount <= 0:
        return np.zeros(network.size, dtype=np.int64)
    tail, head = int(network.tails[cell]), int(network.heads[cell])
    moved, move = _Around(network, rise, fall).flow(cell, *((head, tail) if rising else (tail, head)), amount)
    move[cell] = moved if rising else -moved
    return move


def loosening_move(network: Network, linked: list[tuple[int, bool]], width: int) -> np.ndarray:
    """A feasible move of the table that takes each linked cell as far as ``width`` in
    its given direction (True: up), as many of them as it can."""
    rise, fall = network.room(width)
    cells = np.array([n for n, _ in linked], dtype=np.int64)
    up = np.array([rising for _, rising in linked], dtype=bool)
    return _move(network, rise, fall, cells, up, np.full(len(cells), width, dtype=np.int64))


def _witness(
    network: Network, cells: list[int], width: int, rng: random.Random, low: np.ndarray, high: np.ndarray
) -> tuple[list[int], int]:
    """Widen ``low``/``high`` (moves from the true table) with witness tables; return the
    cells still unproven and the number of flow problems solved."""
    rise, fall = network.room(width)
    uncertain = [i for i in cells if high[i] - low[i] < width]
    stalled = rounds = 0
    for rounds in range(WITNESS_ROUNDS):  # noqa: B007 (the count is returned)
        if not uncertain or stalled >= STALL_ROUNDS:
            break
        # A share of the unproven cells, each up or down at random: cells that need the
        # same room compete less (measured at state size: 18,500 of 117,000 cells left
        # unproven after 20 rounds, against 34,000 when every cell is a target).
        chosen = [i for i in uncertain if rng.random() < TARGET_SHARE] or uncertain
        up = np.array([rng.random() < 0.5 for _ in chosen], dtype=bool)
        targets = np.array(chosen, dtype=np.int64)
        # What each target still needs: the top of its range must reach low + width,
        # or the bottom must reach high - width.
        need = np.where(up, low[targets] + width, width - high[targets])
        move = _move(network, rise, fall, targets, up, need)
        np.minimum(low, move, out=low)
        np.maximum(high, move, out=high)
        before = len(uncertain)
        uncertain = [i for i in uncertain if high[i] - low[i] < width]
        stalled = stalled + 1 if len(uncertain) == before else 0
    return uncertain, rounds


def _move(
    network: Network,
    rise: np.ndarray,
    fall: np.ndarray,
    targets: np.ndarray,
    up: np.ndarray,
    need: np.ndarray,
) -> np.ndarray:
    """A feasible move of the table (a circulation of changes) that maximises the sum
    over targets of min(need, movement in the target's direction)."""
    n = network.size
    gain_up = np.zeros(n, dtype=np.int64)
    gain_down = np.zeros(n, dtype=np.int64)
    gain_up[targets[up]] = np.minimum(need[up], rise[targets[up]])
    gain_down[targets[~up]] = np.minimum(need[~up], fall[targets[~up]])
    # Imported here: OR-tools costs about 70 MB in every process that loads it, and only
    # state-size builds need it.
    from ortools.graph.python import min_cost_flow

    tails, heads = network.tails, network.heads
    solver = min_cost_flow.SimpleMinCostFlow()
    # Four arcs per cell: rising (rewarded part, rest) and falling (rewarded part, rest).
    starts = np.concatenate([tails, tails, heads, heads])
    ends = np.concatenate([heads, heads, tails, tails])
    capacities = np.concatenate([gain_up, rise - gain_up, gain_down, fall - gain_down])
    costs = np.concatenate(
        [-np.ones(n, np.int64), np.zeros(n, np.int64), -np.ones(n, np.int64), np.zeros(n, np.int64)]
    )
    arcs = solver.add_arcs_with_capacity_and_unit_cost(starts, ends, capacities, costs)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"disclosure audit: min-cost flow failed ({status})")
    flows = solver.flows(arcs).reshape(4, n)
    return flows[0] + flows[1] - flows[2] - flows[3]


def _exact(
    network: Network, cells: list[int], width: int, low: np.ndarray, high: np.ndarray
) -> tuple[list[tuple[int, float, float]], int]:
    """Each cell's exact range from two maximum flows around it; those narrower than
    ``width``. Each flow found is itself a witness table for every cell it moves, so
    cells it proves wide are skipped."""
    if not cells:
        return [], 0
    rise, fall = network.room(width)
    flows = _Around(network, rise, fall)

    def around(i: int, start: int, end: int, cap: int, sign: int) -> int:
        if cap <= 0:
            return 0
        flow, move = flows.flow(i, start, end, cap)
        move[i] = sign * flow
        np.minimum(low, move, out=low)
        np.maximum(high, move, out=high)
        return flow

    narrow = []
    solved = 0
    for i in cells:
        if high[i] - low[i] >= width:
            continue
        solved += 2
        tail, head = int(network.tails[i]), int(network.heads[i])
        up = around(i, head, tail, min(width, int(rise[i])), 1)
        down = around(i, tail, head, min(width, int(fall[i])), -1)
        if up + down < width:  # neither flow reached its cap: the range is exact
            value = int(network.values[i])
            narrow.append((i, float(value - down), float(value + up)))
    return narrow, solved


class _Around:
    """Maximum flows around one cell at a time (Dinic's algorithm, scipy), from one end
    of the cell back to the other through the other cells, capped by a source arc.

    The residual graph is one sparse matrix: each cell an entry from its tail to its
    head (how far it may rise) and one back (how far it may fall), so the flow matrix
    holds each cell's move directly. Two cells between the same two nodes would share
    an entry, so each cell after the first goes through a node of its own.
    (Push-relabel, OR-tools' maximum flow, can take minutes here: when little of the
    capped flow gets through, the rest circles the uncapped cells before it returns.)
    """

    def __init__(self, network: Network, rise: np.ndarray, fall: np.ndarray):
        tails, heads = network.tails, network.heads
        nodes = int(max(tails.max(), heads.max())) + 1
        pair = np.minimum(tails, heads) * nodes + np.maximum(tails, heads)
        repeated = np.ones(network.size, dtype=bool)
        repeated[np.unique(pair, return_index=True)[1]] = False
        extra = np.flatnonzero(repeated)
        middle = nodes + np.arange(len(extra))
        ends = heads.copy()
        ends[extra] = middle
        self.source = nodes + len(extra)
        big = np.full(len(extra), _CAPACITY_LIMIT)
        starts = np.concatenate([tails, ends, middle, heads[extra], np.full(nodes, self.source)])
        stops = np.concatenate([ends, tails, heads[extra], middle, np.arange(nodes)])
        capacities = np.concatenate([rise, fall, big, big, np.zeros(nodes, dtype=np.int64)])
        order = np.lexsort((stops, starts))
        self.position = np.empty(len(order), dtype=np.int64)
        self.position[order] = np.arange(len(order))
        pointers = np.searchsorted(starts[order], np.arange(self.source + 2))
        self.graph = csr_matrix(
            (
                np.minimum(capacities[order], _CAPACITY_LIMIT).astype(np.int32),
                stops[order].astype(np.int32),
                pointers,
            ),
            shape=(self.source + 1, self.source + 1),
        )
        self.size = network.size
        self.tails, self.ends = tails, ends
        self.feeds = 2 * network.size + 2 * len(extra)  # where the source's arcs begin

    def flow(self, cell: int, start: int, end: int, cap: int) -> tuple[int, np.ndarray]:
        """The maximum flow (at most ``cap``) from ``start`` to ``end`` not through
        ``cell``, and the move of every cell it makes."""
        data, at = self.graph.data, self.position
        saved = data[at[cell]], data[at[self.size + cell]]
        data[at[cell]] = data[at[self.size + cell]] = 0
        feed = at[self.feeds + start]
        data[feed] = min(cap, _CAPACITY_LIMIT)
        result = maximum_flow(self.graph, self.source, end, method="dinic")
        data[at[cell]], data[at[self.size + cell]] = saved
        data[feed] = 0
        return int(result.flow_value), np.asarray(result.flow[self.tails, self.ends]).ravel().astype(np.int64)
