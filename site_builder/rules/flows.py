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
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

WITNESS_ROUNDS = 20
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

    @classmethod
    def build(
        cls,
        arcs: Sequence[tuple[Hashable, Hashable]],
        values: Sequence[int],
        bounds: Sequence[tuple[float, float]],
    ) -> Network:
        nodes: dict[Hashable, int] = {}
        tails = np.array([nodes.setdefault(tail, len(nodes)) for tail, _ in arcs], dtype=np.int64)
        heads = np.array([nodes.setdefault(head, len(nodes)) for _, head in arcs], dtype=np.int64)
        value_array = np.array(values, dtype=np.int64)
        # Bounds rounded inward to whole counts: a smaller set of tables, so every range
        # found is one an attacker can reach too.
        return cls(tails, heads, value_array, *_bound_arrays(bounds))

    def with_bounds(self, bounds: Sequence[tuple[float, float]]) -> Network:
        return Network(self.tails, self.heads, self.values, *_bound_arrays(bounds))

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
    narrow, flows = _exact(network, unproven, width, low, high)
    return narrow, rounds + flows


def exact_narrow_cells(
    network: Network, cells: list[tuple[int, float, float]], width: int
) -> list[tuple[int, float, float]]:
    """Of ``cells`` (each with a range already proven in another feasible setting), those
    whose range here, joined with that one, is still narrower than ``width``, by maximum
    flows alone; with the joined range."""
    low = np.zeros(network.size, dtype=np.int64)
    high = np.zeros(network.size, dtype=np.int64)
    known = {}
    for i, known_low, known_high in cells:
        value = int(network.values[i])
        low[i] = max(known_low - value, -value)
        high[i] = min(known_high - value, network.unlimited(width))
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
    solver = max_flow.SimpleMaxFlow()
    forward = solver.add_arcs_with_capacity(network.tails, network.heads, rise)
    backward = solver.add_arcs_with_capacity(network.heads, network.tails, fall)
    solver.set_arc_capacity(int(forward[cell]), 0)
    solver.set_arc_capacity(int(backward[cell]), 0)
    tail, head = int(network.tails[cell]), int(network.heads[cell])
    start, end = (head, tail) if rising else (tail, head)
    # A source feeding the cell's far end with at most ``amount`` caps the flow around it.
    source = int(max(network.tails.max(), network.heads.max())) + 1
    solver.add_arc_with_capacity(source, start, amount)
    moved = _flow(solver, source, end)
    move = solver.flows(forward) - solver.flows(backward)
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
        up = np.array([rng.random() < 0.5 for _ in uncertain], dtype=bool)
        targets = np.array(uncertain, dtype=np.int64)
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
    unlimited = network.unlimited(width)
    solver = max_flow.SimpleMaxFlow()
    forward = solver.add_arcs_with_capacity(network.tails, network.heads, rise)
    backward = solver.add_arcs_with_capacity(network.heads, network.tails, fall)

    def witness(i: int, sign: int, amount: int, flow: int) -> None:
        if flow != amount:  # more flow than the cell itself can take: not a table
            return
        move = solver.flows(forward) - solver.flows(backward)
        move[i] = sign * amount
        np.minimum(low, move, out=low)
        np.maximum(high, move, out=high)

    narrow = []
    solved = 0
    for i in cells:
        if high[i] - low[i] >= width:
            continue
        solved += 2
        solver.set_arc_capacity(int(forward[i]), 0)
        solver.set_arc_capacity(int(backward[i]), 0)
        tail, head = int(network.tails[i]), int(network.heads[i])
        flow = _flow(solver, head, tail)
        up = min(int(rise[i]), flow)
        witness(i, 1, up, flow)
        flow = _flow(solver, tail, head)
        down = min(int(fall[i]), flow)
        witness(i, -1, down, flow)
        solver.set_arc_capacity(int(forward[i]), int(rise[i]))
        solver.set_arc_capacity(int(backward[i]), int(fall[i]))
        if up + down < width:
            value = int(network.values[i])
            top = math.inf if up >= unlimited else value + up
            narrow.append((i, float(value - down), float(top)))
    return narrow, solved


def _flow(solver: max_flow.SimpleMaxFlow, source: int, sink: int) -> int:
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"disclosure audit: maximum flow failed ({status})")
    return solver.optimal_flow()
