"""What a program's claimed dollars and the catalog's exam fees say about claims per credential.

Under a program that reimburses actual fees, the dollars claimed are the sum, over the
credentials claimed, of the exam fee (published on each credential page) times the number of
claims. A school's dollars are never published for such a program (``reports.dollars_status``),
but the program's statewide total is: the allocation and the proration factor give it. An
attacker who knows the fees, the total D and the number of credentials claimed N solves, in
whole numbers,

    sum over c of fee_c * X_c = D,    sum over c of X_c = N,    0 <= X_c <= U_c

where X_c is the (never published) number of claims for credential c statewide and U_c what
is known of the credential's statewide count earned (claims <= earned). ``exposed`` returns
the credentials whose X_c this pins to a small number, or whose smallest possible X_c would
raise the known least value of a hidden count earned: $414 with fees of $35, $99 and $250
can only be 9 x 35 + 1 x 99.

Whole-number programs (scipy's ``milp``, HiGHS) answer it: solutions that push the
credentials not yet seen at zero towards it, all at once, until no new one reaches it; then,
for each credential still not seen at zero, its least value; only a credential that cannot
be zero is looked at further. A search that runs out of time counts as exposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np

#: seconds one whole-number program may take; past it the answer counts as exposed
TIME_LIMIT = 10.0


def exposed(
    dollars: Decimal,
    count: int | None,
    fees: Mapping[str, Decimal],
    upper: Mapping[str, int | None],
    hidden: frozenset[str] | set[str],
    min_cell: int,
    zero_fees: bool = False,
    unknown_fees: bool = False,
) -> set[str]:
    """The credentials of ``fees`` (known exam fees above 0) whose statewide claims the
    program's published ``dollars`` and ``count`` (None: not published) narrow too far.

    ``upper``: the most each credential can have been claimed (its statewide count earned
    as published, 9 for "<10", 0 when none was earned, None when not known); ``hidden``:
    credentials whose statewide count earned is hidden, whose claims must not have a least
    value above 0. ``zero_fees``: some credential that may have been claimed costs nothing
    (the count becomes "at most"); ``unknown_fees``: some has no fee in the catalog, so the
    dollars hold an unknown part too (both become "at most")."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    names = sorted(fees)
    if not names:
        return set()
    cents = np.array([float(fees[name] * 100) for name in names])
    total = float(dollars * 100)
    rows, lows, highs = [cents], [-np.inf if unknown_fees else total], [total]
    if count is not None:
        rows.append(np.ones(len(names)))
        lows.append(-np.inf if unknown_fees or zero_fees else float(count))
        highs.append(float(count))
    constraints = LinearConstraint(np.array(rows), np.array(lows), np.array(highs))
    caps = np.array([np.inf if upper.get(name) is None else float(upper[name]) for name in names])
    bounds = Bounds(np.zeros(len(names)), caps)
    integral = np.ones(len(names))
    options = {"time_limit": TIME_LIMIT, "disp": False}

    def solve(objective: np.ndarray) -> tuple[str, np.ndarray | None]:
        result = milp(
            objective, constraints=constraints, bounds=bounds, integrality=integral, options=options
        )
        if result.status == 0:
            return "solved", np.round(result.x)
        return ("infeasible", None) if result.status == 2 else ("unknown", None)

    state, first = solve(np.zeros(len(names)))
    if state == "infeasible":
        return set()  # the published figures fit no such sum: they say nothing of the claims
    if first is None:
        return set(names)
    # credentials seen at zero in some solution can be zero: their least value is 0. Pushing
    # all the others towards zero at once settles most of them in a few programs (a state
    # has 1,500 credentials)
    may_be_zero = {name for name, value in zip(names, first, strict=True) if value == 0}
    while len(may_be_zero) < len(names):
        objective = np.array([0.0 if name in may_be_zero else 1.0 for name in names])
        state, solution = solve(objective)
        seen = set() if solution is None else {n for n, v in zip(names, solution, strict=True) if v == 0}
        if seen <= may_be_zero:
            break
        may_be_zero |= seen
    result: set[str] = set()
    for index, name in enumerate(names):
        if name in may_be_zero:
            continue
        objective = np.zeros(len(names))
        objective[index] = 1.0
        state, lowest = solve(objective)
        if lowest is None:
            result.add(name)
            continue
        may_be_zero.update(other for other, value in zip(names, lowest, strict=True) if value == 0)
        least = lowest[index]
        if least == 0:
            continue
        if name in hidden:
            result.add(name)  # claims <= earned: a least value above 0 narrows the hidden count
            continue
        objective[index] = -1.0
        state, highest = solve(objective)
        if highest is None or (highest[index] == least and least < min_cell):
            result.add(name)  # the claims of this credential are pinned to a small number
    return result
