"""Quick detection of exposed cells by interval propagation, before any linear program.

Each relation says total = sum of parts. Given bounds on every hidden cell but one,
it bounds that one; repeating until nothing changes gives bounds every attacker can
derive (they may derive tighter ones, never looser). So a cell these bounds already
pin, or squeeze below the minimum cell size, is certainly exposed: it needs more
suppression, and no linear program has to be solved to know it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from site_builder.protection.privacy import HIDDEN_STATUSES, Key, Relation, Status, TableSystem

EPSILON = 1e-9
MAX_SWEEPS = 40


@dataclass
class Propagated:
    """Tightened bounds of hidden cells, and which relations tightened each of them last."""

    bounds: dict[Key, tuple[float, float]]
    #: for each cell, the relations that set its current low and high bound
    causes: dict[Key, list[Relation]]


def propagate(
    system: TableSystem, statuses: Mapping[Key, Status], bounds: Mapping[Key, tuple[float, float]]
) -> Propagated:
    """Tightened (low, high) for every hidden cell, from the relations alone."""
    low = {key: bounds[key][0] for key in bounds}
    high = {key: bounds[key][1] for key in bounds}
    rows = []
    origins: list[Relation] = []
    low_cause: dict[Key, int] = {}
    high_cause: dict[Key, int] = {}
    relations_of: dict[Key, list[int]] = defaultdict(list)
    for relation in system.relations:
        terms = [(relation.total, 1.0), *((part, -1.0) for part in relation.parts)]
        hidden = [(key, c) for key, c in terms if statuses[key] in HIDDEN_STATUSES]
        if not hidden:
            continue
        constant = sum(c * system.values[key] for key, c in terms if statuses[key] not in HIDDEN_STATUSES)
        number = len(rows)
        rows.append((hidden, -constant))  # sum(c * hidden) = -constant
        origins.append(relation)
        for key, _ in hidden:
            relations_of[key].append(number)
    pending = list(range(len(rows)))
    queued = set(pending)
    sweeps = 0
    budget = MAX_SWEEPS * max(1, len(rows))
    while pending and sweeps < budget:
        number = pending.pop()
        queued.discard(number)
        sweeps += 1
        hidden, rhs = rows[number]
        # The other terms' sum, as an interval: finite parts added, infinite ones counted,
        # so that removing one term never computes inf - inf.
        lows = [c * (low[k] if c > 0 else high[k]) for k, c in hidden]
        highs = [c * (high[k] if c > 0 else low[k]) for k, c in hidden]
        finite_low = sum(x for x in lows if not math.isinf(x))
        finite_high = sum(x for x in highs if not math.isinf(x))
        infinite_low = sum(1 for x in lows if math.isinf(x))
        infinite_high = sum(1 for x in highs if math.isinf(x))
        for (key, c), own_low, own_high in zip(hidden, lows, highs, strict=True):
            if infinite_low - math.isinf(own_low):
                rest_low = -math.inf
            else:
                rest_low = finite_low - (0.0 if math.isinf(own_low) else own_low)
            if infinite_high - math.isinf(own_high):
                rest_high = math.inf
            else:
                rest_high = finite_high - (0.0 if math.isinf(own_high) else own_high)
            # c * x = rhs - rest  =>  x in [(rhs - rest_high) / c, (rhs - rest_low) / c] (ordered by sign of c)
            a, b = (rhs - rest_high) / c, (rhs - rest_low) / c
            new_low, new_high = (a, b) if c > 0 else (b, a)
            changed = False
            if new_low > low[key] + EPSILON:
                low[key] = new_low
                low_cause[key] = number
                changed = True
            if new_high < high[key] - EPSILON:
                high[key] = new_high
                high_cause[key] = number
                changed = True
            if changed:
                for other in relations_of[key]:
                    if other not in queued:
                        queued.add(other)
                        pending.append(other)
    causes = {
        key: [origins[n] for n in sorted({low_cause.get(key, -1), high_cause.get(key, -1)} - {-1})]
        for key in low
    }
    return Propagated({key: (low[key], high[key]) for key in low}, causes)
