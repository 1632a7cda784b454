"""The disclosure audit: what could an attacker learn about each hidden cell?

The attacker knows every published number, every relation between cells (totals are
sums of their parts) and every coded rate. Linear programming (scipy's HiGHS) gives the
range each hidden cell can still take. Two readings of SPEC 5 are checked, both must pass:

- *width*: with only non-negativity known, each hidden cell's range must be at least
  ``min_cell`` wide (the spec's "narrowed below the minimum cell size");
- *pinning*: knowing also what the status column says (a ``suppressed`` count is
  between 1 and min_cell - 1; a ``suppressed-complementary`` one is at least min_cell,
  or it would have been published), no hidden cell may be pinned to a single value.

Coded cells (top/bottom-coded rates) are hidden but deliberately bounded by their coded
rate; they take part in every program but are not required to be wide.

Two programs per hidden cell would be slow at state scale. Any feasible table is a
witness: if two feasible tables differ by ``w`` in a cell, its range is at least ``w``.
So each program asks for two feasible tables at once, pulled apart on every cell still
unproven (the gain per cell capped at what it needs, the direction drawn at random so
cells sharing a relation do not all compete); a handful of such programs per connected
group of hidden cells proves almost every cell, and only the rest get their exact
minimum and maximum.

At state scale even these programs do not finish: ``site_builder.protection.certificates``
answers the same two questions there with explicit moves, and sends the few cells it
cannot prove to ``narrow_nearby``, the programs over each cell's nearest hidden cells.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from site_builder.protection.privacy import (
    HIDDEN_STATUSES,
    PUBLISHED,
    Key,
    Status,
    TableSystem,
    hideable,
    must_be_wide,
)

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# scipy (0.5 s to import) is imported by the functions that build programs, not with the
# module: every credsite command imports the rules, and most never protect a table.

TOLERANCE = 1e-6
#: a range narrower than this is a pinned cell: in whole numbers, a range of one value
PIN_WIDTH = 1.0
WITNESS_ROUNDS = 20
STALL_ROUNDS = 3
#: seconds one whole-number program may take: past it, the best tables found so far count
WHOLE_TIME_LIMIT = 60.0
#: seconds to make a witness table's few fractional cells whole (``_Program.whole_near``)
WHOLE_NEAR_TIME_LIMIT = 5.0
#: what a branch and bound returns when it found no table in time
UNSETTLED = np.empty(0)


@dataclass(frozen=True)
class Exposure:
    """A hidden cell an attacker can narrow: which check failed, its value and its range."""

    key: Key
    check: str  # "width" or "pinning"
    value: int
    low: float
    high: float


@dataclass(frozen=True)
class AuditReport:
    hidden: int
    checked: int
    components: int
    #: linear programs solved, or certificates found
    solved: int
    exposures: tuple[Exposure, ...]

    @property
    def passed(self) -> bool:
        return not self.exposures


@dataclass
class _Rows:
    """Sparse constraint rows over hidden cells: coefficients by column, right-hand sides."""

    rows: list[dict[int, float]]
    rhs: list[float]

    def matrix(self, columns: dict[int, int]) -> tuple[csr_matrix | None, np.ndarray | None]:
        from scipy.sparse import csr_matrix

        if not self.rows:
            return None, None
        data, indices, pointers = [], [], [0]
        for row in self.rows:
            for column, coefficient in sorted(row.items()):
                indices.append(columns[column])
                data.append(coefficient)
            pointers.append(len(indices))
        return csr_matrix((data, indices, pointers), shape=(len(self.rows), len(columns))), np.array(self.rhs)


class _Program:
    """The linear programs of one connected group of hidden cells, under one attacker model."""

    def __init__(
        self,
        equalities: _Rows,
        inequalities: _Rows,
        bounds: list[tuple[float, float | None]],
        cells: list[int],
    ):
        columns = {cell: position for position, cell in enumerate(cells)}
        self.a_eq, self.b_eq = equalities.matrix(columns)
        self.a_ub, self.b_ub = inequalities.matrix(columns)
        self.bounds = bounds
        self.size = len(cells)
        self.count = 0

    def solve_pair(
        self, cells: list[int], signs: list[float], cap: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Two feasible tables x and y pulled apart on ``cells``: maximise the sum of
        min(cap, sign * (x_i - y_i)). The cap stops one cell from taking all the room, so
        one program proves many cells at once. None when the program is unbounded.

        A linear program: its tables may hold fractions, and only a whole one is a witness
        (``_witness``); most are whole, as a table's sums keep corners whole."""
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix, hstack, identity, vstack

        n, m = self.size, len(cells)
        spread = csr_matrix((signs, (np.arange(m), np.array(cells))), shape=(m, n))

        def twice(matrix: csr_matrix | None, rhs: np.ndarray | None) -> tuple[list, list]:
            if matrix is None:
                return [], []
            empty = csr_matrix((matrix.shape[0], n))
            gap = csr_matrix((matrix.shape[0], m))
            return [hstack([matrix, empty, gap]), hstack([empty, matrix, gap])], [rhs, rhs]

        eq_blocks, eq_rhs = twice(self.a_eq, self.b_eq)
        ub_blocks, ub_rhs = twice(self.a_ub, self.b_ub)
        ub_blocks.append(hstack([-spread, spread, identity(m, format="csr")]))  # z <= s (x - y)
        ub_rhs.append(np.zeros(m))
        self.count += 1
        result = linprog(
            np.concatenate([np.zeros(2 * n), -np.ones(m)]),
            A_ub=vstack(ub_blocks, format="csr"), b_ub=np.concatenate(ub_rhs),
            A_eq=vstack(eq_blocks, format="csr") if eq_blocks else None,
            b_eq=np.concatenate(eq_rhs) if eq_rhs else None,
            bounds=[*self.bounds, *self.bounds, *([(None, cap)] * m)],
            method="highs",
        )  # fmt: skip
        if result.status == 3:
            return None
        if result.status != 0:
            raise RuntimeError(f"disclosure audit: linear program failed ({result.message})")
        return result.x[:n], result.x[n : 2 * n]

    def extreme(self, i: int, sign: float, target: float, true_value: float) -> tuple[float, bool]:
        """The greatest (``sign`` 1) or least (-1) whole number cell ``i`` can be, or a bound
        on it that already settles whether it reaches ``target``; and whether it is such a
        bound (it may lie beyond every whole table) rather than a whole table's value.

        The linear program first. Where its best table is whole, that is the answer (no
        whole table does better than the best table of fractions), and a table's sums
        mostly keep it whole. Where it falls short of ``target``, so does every whole table:
        its value rounded inwards is a bound that settles it. Otherwise its few fractional
        cells are made whole with the rest kept (``whole_near``), which mostly reaches the
        target; only where that fails does HiGHS' branch and bound run. One stopped at its
        time limit gives the best table found (a value no further than the true extreme),
        or, with none, the true value. The linear program is unbounded exactly when the
        whole-number one is: the true table is feasible and whole, the data rational."""
        from scipy.optimize import linprog

        objective = np.zeros(self.size)
        objective[i] = -sign
        self.count += 1
        relaxed = linprog(
            objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
            bounds=self.bounds, method="highs",
        )  # fmt: skip
        if relaxed.status == 3:
            return sign * math.inf, False
        if relaxed.status != 0:
            raise RuntimeError(f"disclosure audit: linear program failed ({relaxed.message})")
        if (table := whole(relaxed.x)) is not None and self.fits(table):
            return float(table[i]), False
        bound = float(relaxed.x[i])
        if sign * (bound - target) < -TOLERANCE:
            return (math.floor(bound + TOLERANCE) if sign > 0 else math.ceil(bound - TOLERANCE)), True
        near = self.whole_near(relaxed.x, -objective)
        if near is not None and self.fits(near) and sign * (near[i] - target) >= -TOLERANCE:
            return float(near[i]), False
        self.count += 1
        table = _branch_and_bound(objective, self.a_eq, self.b_eq, self.a_ub, self.b_ub, self.bounds)
        if table is None or table is UNSETTLED or not self.fits(table):
            return true_value, False
        return float(table[i]), False

    def fits(self, table: np.ndarray) -> bool:
        """Whether a whole table keeps every relation, inequality and bound exactly (a
        table rounded from a solver's answer is checked before it proves anything)."""
        exact = 1e-9
        if self.a_eq is not None and np.any(np.abs(self.a_eq @ table - self.b_eq) > exact):
            return False
        if self.a_ub is not None and np.any(self.a_ub @ table > self.b_ub + exact):
            return False
        return all(
            (low is None or value >= low - exact) and (high is None or value <= high + exact)
            for value, (low, high) in zip(table, self.bounds, strict=True)
        )

    def whole_near(self, table: np.ndarray, pull: np.ndarray) -> np.ndarray | None:
        """A whole table that keeps ``table``'s whole cells and moves only its fractional
        ones, as far along ``pull`` as it can; None when there is none. A linear program
        over those few cells, with the rest fixed: its corners are whole where the sums
        keep them whole, and a branch and bound settles the rest."""
        if (found := whole(table)) is not None:
            return found
        fractional = np.abs(table - np.round(table)) > TOLERANCE
        fixed = np.round(np.where(fractional, 0.0, table))
        free = np.flatnonzero(fractional)

        def cut(matrix, rhs):
            return (None, None) if matrix is None else (matrix[:, free], rhs - matrix @ fixed)

        a_eq, b_eq = cut(self.a_eq, self.b_eq)
        a_ub, b_ub = cut(self.a_ub, self.b_ub)
        bounds = [self.bounds[i] for i in free]
        objective = -pull[free]
        from scipy.optimize import linprog

        self.count += 1
        relaxed = linprog(
            objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
        )
        if relaxed.status != 0:
            return None
        part = whole(relaxed.x)
        if part is None:
            self.count += 1
            part = _branch_and_bound(objective, a_eq, b_eq, a_ub, b_ub, bounds, WHOLE_NEAR_TIME_LIMIT)
            if part is None or part is UNSETTLED:
                return None
        fixed[free] = part
        return fixed


def _branch_and_bound(objective, a_eq, b_eq, a_ub, b_ub, bounds, seconds: float = 0.0):
    """HiGHS' branch and bound over whole numbers: the best table found in ``seconds``
    (WHOLE_TIME_LIMIT by default), ``UNSETTLED`` when it found none in time, None when
    there is none at all (the true table always is one, so only in a cut-down program)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    constraints = []
    if a_eq is not None:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    if a_ub is not None:
        constraints.append(LinearConstraint(a_ub, -np.inf, b_ub))
    low = np.array([-np.inf if b[0] is None else b[0] for b in bounds], dtype=float)
    high = np.array([np.inf if b[1] is None else b[1] for b in bounds], dtype=float)
    result = milp(
        objective, constraints=constraints, bounds=Bounds(low, high), integrality=np.ones(len(bounds)),
        options={"time_limit": seconds or WHOLE_TIME_LIMIT, "disp": False},
    )  # fmt: skip
    if result.x is not None:
        return np.round(result.x)
    if result.status == 1:
        return UNSETTLED
    if result.status == 2:
        return None
    raise RuntimeError(f"disclosure audit: whole-number program failed ({result.message})")


def whole(table: np.ndarray) -> np.ndarray | None:
    """``table`` rounded, if every cell of it is a whole number (up to the solver's
    tolerance); None if some cell is a fraction."""
    rounded = np.round(table)
    return rounded if np.all(np.abs(table - rounded) <= TOLERANCE) else None


def audit(
    system: TableSystem,
    statuses: Mapping[Key, Status],
    min_cell: int,
    seed: int = 0,
    exempt: frozenset[Key] | set[Key] = frozenset(),
    proven: set[tuple[Key, str]] | None = None,
) -> AuditReport:
    """Check every hidden, uncoded cell of ``system`` under both attacker models.

    ``proven`` remembers, across audits of one system, the (cell, check) pairs already
    proven wide; they are not checked again, and the cells proven now are added. That
    is sound only while each audit hides a superset of the cells the last one hid,
    with the same statuses (as ``protect`` does): hiding one more cell makes it a free
    variable of every witness table, which stays feasible with it at its true value.
    """
    hidden = sorted((key for key, status in statuses.items() if status in HIDDEN_STATUSES), key=repr)
    index = {key: position for position, key in enumerate(hidden)}
    equalities = _constraint_rows(system, statuses, index)
    inequalities = _inequality_rows(system, statuses, index)
    groups = _groups(len(hidden), equalities, inequalities)
    rng = random.Random(seed)
    exposures: list[Exposure] = []
    solved = checked = 0
    models = {
        "width": ({key: (0.0, math.inf) for key in hidden}, float(min_cell)),
        "pinning": ({key: known_bounds(system, key, statuses[key], min_cell) for key in hidden}, PIN_WIDTH),
    }
    must_prove = {
        check: {
            key
            for key in hidden
            if must_be_wide(system, statuses, key)
            and not (check == "pinning" and key in exempt)
            and (proven is None or (key, check) not in proven)
        }
        for check in models
    }
    for cells in groups:
        eq = _Rows([equalities[r][0] for r in cells.equalities], [equalities[r][1] for r in cells.equalities])
        ub = _Rows(
            [inequalities[r][0] for r in cells.inequalities], [inequalities[r][1] for r in cells.inequalities]
        )
        keys = [hidden[cell] for cell in cells.members]
        values = np.array([system.values[key] for key in keys], dtype=float)
        checked += sum(1 for key in keys if must_be_wide(system, statuses, key))
        for check, (bounds, width) in models.items():
            must_check = [i for i, key in enumerate(keys) if key in must_prove[check]]
            if not must_check:
                continue
            program = _Program(eq, ub, [_lp_bound(bounds[key]) for key in keys], cells.members)
            narrow = _narrow_cells(program, values, must_check, width, rng)
            for i, low, high in narrow:
                exposures.append(Exposure(keys[i], check, int(values[i]), round(low, 6), round(high, 6)))
            if proven is not None:
                exposed = {i for i, _, _ in narrow}
                proven.update((keys[i], check) for i in must_check if i not in exposed)
            solved += program.count
    return AuditReport(
        hidden=len(hidden),
        checked=checked,
        components=len(groups),
        solved=solved,
        exposures=tuple(sorted(exposures, key=lambda exposure: (repr(exposure.key), exposure.check))),
    )


def status_bounds(status: Status, min_cell: int) -> tuple[float, float]:
    """What the status column alone tells an attacker about a hidden count."""
    if status == "suppressed":
        return (1.0, float(min_cell - 1))
    if status == "suppressed-complementary":
        return (float(min_cell), math.inf)
    return (0.0, math.inf)


def known_bounds(system: TableSystem, key: Key, status: Status, min_cell: int) -> tuple[float, float]:
    """``status_bounds`` of a hidden cell as ``system`` holds it: a slice's shared cell
    holds only its own part of the count the status describes (``TableSystem.offsets``)."""
    low, high = status_bounds(status, min_cell)
    offset = system.offsets.get(key, 0)
    return (max(0.0, low - offset), high - offset) if offset else (low, high)


def _lp_bound(bound: tuple[float, float]) -> tuple[float, float | None]:
    return (bound[0], None if math.isinf(bound[1]) else bound[1])


def _witness(
    program: _Program,
    values: np.ndarray,
    cells: list[int],
    width: float,
    rng: random.Random,
    low: np.ndarray,
    high: np.ndarray,
) -> list[int]:
    """Widen ``low``/``high`` with paired witness tables; return the cells still unproven."""
    uncertain = [i for i in cells if high[i] - low[i] < width - TOLERANCE]
    stalled = 0
    for _round in range(WITNESS_ROUNDS):
        if not uncertain or stalled >= STALL_ROUNDS:
            break
        # Which of the two tables is the high one is drawn at random per cell: cells that
        # share a relation cannot all rise together, but half of them can.
        signs = [rng.choice((-1.0, 1.0)) for _ in uncertain]
        pair = program.solve_pair(uncertain, signs, width)
        if pair is None:
            break
        # Counts are whole numbers: a table with a fraction in it is no witness (its range
        # may hold fewer whole numbers than it is wide). Most are whole; the few fractional
        # cells of the others are made whole with the rest of the table kept.
        pull = np.zeros(program.size)
        pull[uncertain] = signs
        for solution in (program.whole_near(pair[0], pull), program.whole_near(pair[1], -pull)):
            if solution is not None and program.fits(solution):
                np.minimum(low, solution, out=low)
                np.maximum(high, solution, out=high)
        before = len(uncertain)
        uncertain = [i for i in uncertain if high[i] - low[i] < width - TOLERANCE]
        stalled = stalled + 1 if len(uncertain) == before else 0
    return uncertain


def _exact(
    program: _Program,
    cells: list[int],
    width: float,
    values: np.ndarray,
    floors: list[float] | None = None,
) -> list[tuple[int, float, float]]:
    """The cells whose exact range is narrower than ``width``, with that range.

    The maximum is found first, and the minimum only when it decides: the true table
    is feasible, so a maximum ``width`` above the true value (``values``, by column)
    already proves the cell wide. A caller that needs no ranges may pass ``floors``,
    the least each cell may be: a maximum less than ``width`` above it proves the cell
    narrow, and the range returned starts at the floor.

    In whole numbers (``_Program.extreme``): a cell is called wide only on the values of
    whole tables found, never on a bound; a bound (beyond which no whole table lies) only
    ever shows it narrow. A range returned may be such bounds.
    """
    narrow = []
    for i in cells:
        maximum, beyond = program.extreme(i, 1.0, values[i] + width, values[i])
        if maximum - values[i] >= width - TOLERANCE:
            continue  # not a bound: a bound is returned only short of the target
        if floors is not None and maximum - floors[i] < width - TOLERANCE:
            narrow.append((i, floors[i], maximum))
            continue
        minimum, _ = program.extreme(i, -1.0, maximum - width, values[i])
        if beyond and maximum - minimum >= width - TOLERANCE:
            # the minimum is a whole table's (a bound would fall short); the maximum may be
            # a bound, so the cell is wide only if a whole table reaches far enough too
            maximum, _ = program.extreme(i, 1.0, minimum + width, values[i])
        if maximum - minimum < width - TOLERANCE:
            narrow.append((i, minimum, maximum))
    return narrow


def _narrow_cells(
    program: _Program, values: np.ndarray, cells: list[int], width: float, rng: random.Random
) -> list[tuple[int, float, float]]:
    """The cells whose feasible range is narrower than ``width``, with their exact range."""
    low, high = values.copy(), values.copy()
    return _exact(program, _witness(program, values, cells, width, rng, low, high), width, values)


#: hidden cells around one cell in the linear programs that try it before the whole group
NEARBY_CELLS = 2_000
#: ``narrow_nearby``'s neighbourhood size for the whole system
WHOLE = -1
#: relations with more hidden cells than this do not make cells near each other ...
NEARBY_RELATION = 500
#: ... but a cell of one reaches this many of its cells (its first ones, the same for every
#: cell), at that distance: a school's claims for one program are only ever traded against
#: other schools' under the statewide total
FROM_LARGE_RELATION = 50


def _exact_nearby(
    around: Around, keys: list[Key], check: str, width: float, nearby: int | None = None
) -> list[Key]:
    """Those of ``keys`` still narrow when each one's exact range is found with only the
    hidden cells nearest it free (up to ``nearby``, by default NEARBY_CELLS) and the rest
    at their true values: every table found is feasible in the whole system, so a cell
    wide here is wide."""
    narrow = []
    for key in keys:
        program, local = around.program(key, check, nearby or NEARBY_CELLS)
        values = around.values(local[:1])
        if _exact(program, [0], width, values, [program.bounds[0][0]]):
            narrow.append(key)
    return narrow


class Constraints:
    """A system's relations and inequalities, numbered (relations first, each in the
    system's order), and the numbers of those each cell is in: what is linked to what,
    whatever is hidden. Made once for a system and used for every pattern (``Around``)."""

    def __init__(self, system: TableSystem):
        self.system = system
        self.count = len(system.relations)
        self.of: dict[Key, list[int]] = {}
        for number, relation in enumerate(system.relations):
            for key in dict.fromkeys((relation.total, *relation.parts)):
                self.of.setdefault(key, []).append(number)
        for number, inequality in enumerate(system.inequalities, start=self.count):
            for key in dict.fromkeys(key for key, _ in inequality.terms):
                self.of.setdefault(key, []).append(number)
        self.totals = frozenset(relation.total for relation in system.relations)

    def terms(self, number: int) -> tuple[list[tuple[Key, float]], float]:
        """One constraint as sum(coefficient * cell) = (relations) or <= (inequalities) a bound."""
        if number < self.count:
            relation = self.system.relations[number]
            return [(relation.total, 1.0), *((part, -1.0) for part in relation.parts)], 0.0
        inequality = self.system.inequalities[number - self.count]
        return list(inequality.terms), inequality.bound


class Around:
    """The linear programs around one hidden cell of a pattern (``statuses``): its nearest
    hidden cells free (``neighbourhood``), the rest at their true values. Built from the
    system's constraints where a question needs them, each constraint's row once, so a
    question costs its neighbourhood: on a national year (2.1 million cells) building
    every row first took about a minute a round for a few cells' questions."""

    def __init__(
        self,
        system: TableSystem,
        statuses: Mapping[Key, Status],
        min_cell: int,
        constraints: Constraints | None = None,
    ):
        self.system, self.statuses, self.min_cell = system, statuses, min_cell
        self.constraints = constraints or Constraints(system)
        #: constraint number -> its hidden cells' coefficients, its right-hand side with
        #: the published cells moved there, and its hidden cells' sum at their true values
        self._rows: dict[int, tuple[dict[Key, float], float, float]] = {}

    def row(self, number: int) -> tuple[dict[Key, float], float, float]:
        if (row := self._rows.get(number)) is None:
            terms, bound = self.constraints.terms(number)
            cells: dict[Key, float] = {}
            constant = hidden_sum = 0.0
            values, statuses = self.system.values, self.statuses
            for key, coefficient in terms:
                if statuses[key] in HIDDEN_STATUSES:
                    cells[key] = cells.get(key, 0.0) + coefficient
                else:
                    constant += coefficient * values[key]
            for key, coefficient in cells.items():
                hidden_sum += coefficient * values[key]
            row = self._rows[number] = (cells, bound - constant, hidden_sum)
        return row

    def values(self, keys: Sequence[Key]) -> np.ndarray:
        return np.array([self.system.values[key] for key in keys], dtype=float)

    def bound(self, key: Key, check: str) -> tuple[float, float | None]:
        """What the attacker knows of a hidden cell under one check (``_check_bounds``)."""
        if check == "width":
            return (0.0, None)
        return _lp_bound(known_bounds(self.system, key, self.statuses[key], self.min_cell))

    def neighbourhood(self, key: Key, limit: int) -> list[Key]:
        """Up to ``limit`` hidden cells nearest ``key`` (it first), nearest first.

        Nearest by relation size: a cell reached through a relation of k hidden cells is k
        further away, so a school's own tables come before the statewide totals. A
        relation larger than NEARBY_RELATION gives only its first FROM_LARGE_RELATION
        cells, and counts as that large (every cell of a statewide total is near it: a
        few, any few, are enough to trade against; a district's schools, up to 500, come
        later). Each relation is queued once, at the distance of the first cell that
        reached it; ties go to the lower-numbered constraint."""
        free: dict[Key, None] = {}
        queue: list[tuple[int, int]] = []
        queued: set[int] = set()
        of = self.constraints.of

        def reach(at: Key, distance: int) -> None:
            free[at] = None
            for number in of.get(at, ()):
                if number not in queued:
                    queued.add(number)
                    size = len(self.row(number)[0])
                    far = size if size <= NEARBY_RELATION else FROM_LARGE_RELATION
                    heapq.heappush(queue, (distance + far, number))

        reach(key, 0)
        while queue and len(free) < limit:
            distance, number = heapq.heappop(queue)
            cells = self.row(number)[0]
            for other in cells if len(cells) <= NEARBY_RELATION else islice(cells, FROM_LARGE_RELATION):
                if len(free) >= limit:
                    break
                if other not in free:
                    reach(other, distance)
        return list(free)

    def program(self, key: Key, check: str, limit: int) -> tuple[_Program, list[Key]]:
        """The programs over the hidden cells nearest ``key`` (it comes first), and those cells."""
        local = self.neighbourhood(key, limit)
        place = {cell: j for j, cell in enumerate(local)}
        values = self.system.values
        # Each row touching a free cell, with the cells held at their true values moved to
        # the right-hand side (found from the free cells, so a statewide row costs no more).
        inside_of: dict[int, dict[int, float]] = {}
        for cell, j in place.items():
            for number in self.constraints.of.get(cell, ()):
                inside_of.setdefault(number, {})[j] = self.row(number)[0][cell]
        kept: tuple[_Rows, _Rows] = (_Rows([], []), _Rows([], []))
        for number in sorted(inside_of):
            inside = inside_of[number]
            _, rhs, hidden_sum = self.row(number)
            moved = sum(c * values[local[j]] for j, c in inside.items())
            target = kept[number >= self.constraints.count]
            target.rows.append(inside)
            target.rhs.append(rhs - (hidden_sum - moved))
        bounds = [self.bound(cell, check) for cell in local]
        return _Program(kept[0], kept[1], bounds, list(range(len(local)))), local


def narrow_nearby(
    system: TableSystem,
    statuses: Mapping[Key, Status],
    min_cell: int,
    pairs: list[tuple[Key, str]],
    nearby: int | None = None,
) -> list[tuple[Key, str]]:
    """The (cell, check) pairs still narrow when each cell's exact range is found with only
    the hidden cells nearest it free (``_exact_nearby``), or with every hidden cell free
    when ``nearby`` is ``WHOLE`` (exact, and slow at state scale). Every table these programs find
    is feasible in the whole system, so a cell they find wide is wide; one they find
    narrow may still be wide, and is treated as narrow."""
    return narrow_nearby_each(system, statuses, min_cell, {nearby: pairs})


def narrow_nearby_each(
    system: TableSystem,
    statuses: Mapping[Key, Status],
    min_cell: int,
    asked: Mapping[int | None, list[tuple[Key, str]]],
    escalate: Sequence[int] = (),
    constraints: Constraints | None = None,
) -> list[tuple[Key, str]]:
    """``narrow_nearby`` for several neighbourhood sizes at once (``asked``: the pairs for
    each), each constraint's row built once for them all (``Around``; ``constraints``, the
    system's, for a caller that asks round after round). A pair found narrow at a size
    listed in ``escalate`` (smallest first) is asked again at the next size listed, in the
    same call. Returns the pairs still narrow at the last size asked."""
    around = Around(system, statuses, min_cell, constraints)
    whole_rows: tuple | None = None
    narrow: set[tuple[Key, str]] = set()
    sizes = [*escalate, *(size for size in asked if size not in escalate)]
    for check, width in (("width", float(min_cell)), ("pinning", PIN_WIDTH)):
        again: list[Key] = []
        for nearby in sizes:
            for key in again:  # narrow over the last size: asked again over this one
                narrow.discard((key, check))
            keys = sorted(
                {*again, *(key for key, question in asked.get(nearby, ()) if question == check)}, key=repr
            )
            again = []
            if not keys:
                continue
            if nearby == WHOLE:
                whole_rows = whole_rows or _hidden_rows(system, statuses)  # once, for both checks
                found = _narrow_whole(system, statuses, min_cell, whole_rows, keys, check, width)
            else:
                found = _exact_nearby(around, keys, check, width, nearby)
            narrow.update((key, check) for key in found)
            if nearby in escalate[:-1]:
                again = found
    return sorted(narrow, key=repr)


def _narrow_whole(
    system: TableSystem,
    statuses: Mapping[Key, Status],
    min_cell: int,
    rows: tuple,
    keys: list[Key],
    check: str,
    width: float,
) -> list[Key]:
    """Those of ``keys`` whose exact range over every hidden cell of the system (``rows``:
    ``_hidden_rows``) is narrower than ``width``."""
    hidden, index, eq, ub, values = rows
    bounds = _check_bounds(system, check, hidden, statuses, min_cell)
    floors = [bound[0] for bound in bounds]
    program = _Program(eq, ub, bounds, list(range(len(hidden))))
    return [hidden[i] for i, _, _ in _exact(program, [index[key] for key in keys], width, values, floors)]


def opened(system: TableSystem, statuses: Mapping[Key, Status], min_cell: int) -> dict[Key, Status]:
    """``statuses`` with every cell a repair may hide (``hideable``) hidden, as complementary
    cells are: every pattern that hides more hides some of them, and an attacker knows each
    of them is at least ``min_cell``, which its true value is (a published count that is
    not zero is at least that). So every table possible under such a pattern is possible
    under this one: a cell narrow under it stays narrow whatever else is hidden."""
    return {
        key: "suppressed-complementary" if _opens(system, statuses, key, min_cell) else status
        for key, status in statuses.items()
    }


def _opens(system: TableSystem, statuses: Mapping[Key, Status], key: Key, min_cell: int) -> bool:
    """A hideable cell whose true value its opened range holds (every published count
    that is not zero is at least ``min_cell``: one that were not would stay fixed)."""
    return hideable(system, statuses, key) and system.values[key] >= min_cell


class Widening:
    """Published cells whose hiding lets a narrow cell move as far as a check asks: with
    every nonzero cell among its ``nearby`` nearest free, the table that moves it that far
    (up or down) with the least change to published cells (totals counting double, so
    details are hidden first), and the published cells that table changes. Empty when not
    even that moves it.

    For a cell that hiding its nearest published cells, round after round, has not helped:
    what holds it can be a few relations away (a school's claims held by its students'
    count, held in turn by its district's total). Made once for a pattern (``statuses``)
    and asked for each such cell; the rows with every hideable cell opened are built as
    the questions need them (``Around``)."""

    def __init__(
        self,
        system: TableSystem,
        statuses: Mapping[Key, Status],
        min_cell: int,
        nearby: int,
        constraints: Constraints | None = None,
    ):
        self.system, self.statuses, self.min_cell, self.nearby = system, statuses, min_cell, nearby
        self.constraints = constraints
        self._around: Around | None = None

    def __call__(self, key: Key, check: str) -> list[Key]:
        if self._around is None:  # on the first question: most patterns ask none
            self._around = Around(
                self.system,
                opened(self.system, self.statuses, self.min_cell),
                self.min_cell,
                self.constraints,
            )
        around = self._around
        program, local = around.program(key, check, self.nearby)
        was_published = [j for j, cell in enumerate(local) if self.statuses[cell] == PUBLISHED]
        if not was_published:
            return []
        totals = around.constraints.totals
        weights = np.array([2.0 if local[j] in totals else 1.0 for j in was_published])
        values = around.values(local)
        distance = float(self.min_cell) if check == "width" else 1.0
        best: list[Key] | None = None
        for direction in (1.0, -1.0):
            table = _least_change(program, values, was_published, weights, direction * distance)
            if table is not None:
                changed = sorted(
                    (local[j] for j in was_published if abs(table[j] - values[j]) > TOLERANCE), key=repr
                )
                if best is None or len(changed) < len(best):
                    best = changed
        return best or []


def _least_change(
    program: _Program, values: np.ndarray, watched: list[int], weights: np.ndarray, shift: float
) -> np.ndarray | None:
    """A feasible table of ``program`` with its first cell moved by ``shift`` from its true
    value, and the least weighted change to the ``watched`` cells; None if there is none."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack, identity, vstack

    n, m = program.size, len(watched)
    low, high = program.bounds[0]
    target = values[0] + shift
    if target < low - TOLERANCE or (high is not None and target > high + TOLERANCE):
        return None
    # change_j >= |x_j - value_j|, as two inequalities per watched cell
    pick = csr_matrix((np.ones(m), (np.arange(m), np.array(watched, dtype=int))), shape=(m, n))
    blocks = [hstack([pick, -identity(m)]), hstack([-pick, -identity(m)])]
    rhs = [values[watched], -values[watched]]
    if program.a_ub is not None:
        blocks.append(hstack([program.a_ub, csr_matrix((program.a_ub.shape[0], m))]))
        rhs.append(program.b_ub)
    a_eq = None if program.a_eq is None else hstack([program.a_eq, csr_matrix((program.a_eq.shape[0], m))])
    result = linprog(
        np.concatenate([np.zeros(n), weights]),
        A_ub=vstack(blocks, format="csr"), b_ub=np.concatenate(rhs),
        A_eq=a_eq, b_eq=program.b_eq,
        bounds=[(target, target), *program.bounds[1:], *([(0.0, None)] * m)],
        method="highs",
    )  # fmt: skip
    return result.x[:n] if result.status == 0 else None


def _hidden_rows(
    system: TableSystem, statuses: Mapping[Key, Status]
) -> tuple[list[Key], dict[Key, int], _Rows, _Rows, np.ndarray]:
    """The hidden cells (in key order) and their places, the relations and inequalities as
    rows over them, and their true values."""
    hidden = sorted((key for key, status in statuses.items() if status in HIDDEN_STATUSES), key=repr)
    index = {key: position for position, key in enumerate(hidden)}
    equalities = _constraint_rows(system, statuses, index)
    inequalities = _inequality_rows(system, statuses, index)
    eq = _Rows([row for row, _ in equalities], [rhs for _, rhs in equalities])
    ub = _Rows([row for row, _ in inequalities], [rhs for _, rhs in inequalities])
    values = np.array([system.values[key] for key in hidden], dtype=float)
    return hidden, index, eq, ub, values


def _check_bounds(
    system: TableSystem, check: str, hidden: list[Key], statuses: Mapping[Key, Status], min_cell: int
) -> list[tuple[float, float | None]]:
    """What the attacker knows of each hidden cell under one check: only that it is not
    negative ("width"), or the range its status tells ("pinning")."""
    if check == "width":
        return [(0.0, None)] * len(hidden)
    return [_lp_bound(known_bounds(system, key, statuses[key], min_cell)) for key in hidden]


def _constraint_rows(
    system: TableSystem, statuses: Mapping[Key, Status], index: dict[Key, int]
) -> list[tuple[dict[int, float], float]]:
    """Each relation with a hidden cell, as sum(coefficient * hidden) = published constant."""
    rows = []
    for relation in system.relations:
        terms = [(relation.total, 1.0), *((part, -1.0) for part in relation.parts)]
        row, constant = _split(terms, system, statuses, index)
        if row:
            rows.append((row, -constant))
    return rows


def _inequality_rows(
    system: TableSystem, statuses: Mapping[Key, Status], index: dict[Key, int]
) -> list[tuple[dict[int, float], float]]:
    rows = []
    for inequality in system.inequalities:
        row, constant = _split(list(inequality.terms), system, statuses, index)
        if row:
            rows.append((row, inequality.bound - constant))
    return rows


def _split(terms, system: TableSystem, statuses: Mapping[Key, Status], index: dict[Key, int]):
    row: dict[int, float] = {}
    constant = 0.0
    for key, coefficient in terms:
        if statuses[key] in HIDDEN_STATUSES:
            row[index[key]] = row.get(index[key], 0.0) + coefficient
        else:
            constant += coefficient * system.values[key]
    return row, constant


@dataclass
class _Group:
    members: list[int]
    equalities: list[int]
    inequalities: list[int]


def _groups(
    size: int,
    equalities: list[tuple[dict[int, float], float]],
    inequalities: list[tuple[dict[int, float], float]],
) -> list[_Group]:
    """Hidden cells linked by constraints (union-find), each group with its own rows."""
    parent = list(range(size))

    def find(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for row, _ in equalities + inequalities:
        cells = list(row)
        root = find(cells[0])
        for cell in cells[1:]:
            other = find(cell)
            if other != root:
                parent[other] = root
    groups: dict[int, _Group] = {}
    for cell in range(size):
        groups.setdefault(find(cell), _Group([], [], [])).members.append(cell)
    for number, (row, _) in enumerate(equalities):
        groups[find(next(iter(row)))].equalities.append(number)
    for number, (row, _) in enumerate(inequalities):
        groups[find(next(iter(row)))].inequalities.append(number)
    return list(groups.values())
