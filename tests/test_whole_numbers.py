"""Counts are whole numbers (SPEC 11): the audit's attacker knows it.

A coded rate is an inequality with a fractional side (">=95%" of 21 graduates: at least
19.95 met the target), so a range worked out as if counts could be fractions can be wider
than the whole numbers it holds. The audit's programs are whole-number programs; these
tests show a range a linear program calls wide that the audit, rightly, calls narrow, and
check protected readiness tables against an exact whole-number computation of each range.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from site_builder.outcomes.records import Readiness, School
from site_builder.protection.audit import audit, known_bounds
from site_builder.protection.disclosure import protect
from site_builder.protection.privacy import HIDDEN_STATUSES, Inequality, TableSystem, must_be_wide
from site_builder.reports.systems import readiness_system

N = 10


def test_a_range_ten_wide_in_fractions_but_nine_in_whole_numbers_is_narrow() -> None:
    """2a >= 1 and 2a <= 21: as fractions a runs from 0.5 to 10.5 (10 wide), as whole
    numbers from 1 to 10 (9 wide)."""
    system = TableSystem(values={"a": 4})
    system.inequalities += [Inequality((("a", -2.0),), -1.0), Inequality((("a", 2.0),), 21.0)]
    statuses = {"a": "suppressed"}
    fractions = [linprog([sign], A_ub=[[-2.0], [2.0]], b_ub=[-1.0, 21.0], bounds=[(0, None)]).x[0]
                 for sign in (1.0, -1.0)]  # fmt: skip
    assert fractions[1] - fractions[0] >= N - 1e-9  # a linear program finds it wide enough
    report = audit(system, statuses, N)
    assert [(e.key, e.check, e.low, e.high) for e in report.exposures] == [("a", "width", 1.0, 10.0)]


def test_coded_rates_narrow_their_district_by_whole_counts() -> None:
    """Found by the property below against the audit of linear programs: four schools of
    10, 14, 28 and 48 graduates with 0, 1, 1 and 1 ready, all four bottom-coded (at
    most 10% or 5%). Protected with ranges worked out in fractions, the district's hidden
    "met" could be anything from 0 to 8 in whole numbers (at least 10 wide in fractions).
    Protected in whole numbers, every hidden count's range is at least 10 wide."""
    schools = {s: School(s, s, "d0", "D", "C") for s in ("s00", "s01", "s02", "s03")}
    rows = [Readiness(2025, school, graduates, met)
            for school, graduates, met in (("s00", 10, 0), ("s01", 14, 1), ("s02", 28, 1), ("s03", 48, 1))]  # fmt: skip
    system = readiness_system(rows, schools, N)
    assert sum(1 for key in system.coded if key[1:3] == ("met", "school")) == 4
    protection = protect(system, N)
    assert protection.report.passed
    ranges = whole_ranges(system, protection.statuses, "width")
    assert ("ready", "met", "district", "d0") in ranges
    for key, (low, high) in ranges.items():
        assert high - low >= N, (key, low, high)


@st.composite
def districts(draw) -> list[tuple[str, str, int, int]]:
    """One to three districts of one to four schools, rates near 0% and 100% often."""
    rows = []
    for district in range(draw(st.integers(1, 3))):
        for number in range(draw(st.integers(1, 4))):
            graduates = draw(st.integers(0, 60))
            met = draw(st.sampled_from([0, 1, graduates // 2, graduates - 1, graduates, graduates // 20]))
            rows.append((f"d{district}", f"s{district}{number}", graduates, max(0, min(met, graduates))))
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(districts())
def test_protected_readiness_is_wide_and_unpinned_in_whole_numbers(rows) -> None:
    schools = {school: School(school, school, district, district, "C") for district, school, _, _ in rows}
    readiness = [Readiness(2025, school, graduates, met) for _, school, graduates, met in rows]
    system = readiness_system(readiness, schools, N)
    protection = protect(system, N)
    for check, need in (("width", N), ("pinning", 1)):
        for key, (low, high) in whole_ranges(system, protection.statuses, check).items():
            if check == "pinning" and key in protection.inherent:
                continue
            assert high - low >= need, (check, key, low, high)


def whole_ranges(system: TableSystem, statuses: dict, check: str) -> dict:
    """Each checked hidden cell's least and greatest value over every whole-number table
    that agrees with what is published: two integer programs per cell over the whole
    system, written from its relations and inequalities without the audit's code."""
    hidden = sorted((key for key, status in statuses.items() if status in HIDDEN_STATUSES), key=repr)
    column = {key: i for i, key in enumerate(hidden)}
    rows, lows, highs = [], [], []

    def add(terms, low: float, high: float) -> None:
        row, constant = np.zeros(len(hidden)), 0.0
        for key, coefficient in terms:
            if key in column:
                row[column[key]] += coefficient
            else:
                constant += coefficient * system.values[key]
        if row.any():
            rows.append(row)
            lows.append(low - constant)
            highs.append(high - constant)

    for relation in system.relations:
        add([(relation.total, 1.0), *((part, -1.0) for part in relation.parts)], 0.0, 0.0)
    for inequality in system.inequalities:
        add(inequality.terms, -math.inf, inequality.bound)
    if check == "width":
        bounds = Bounds(np.zeros(len(hidden)), np.full(len(hidden), np.inf))
    else:
        known = [known_bounds(system, key, statuses[key], N) for key in hidden]
        bounds = Bounds(np.array([low for low, _ in known]), np.array([high for _, high in known]))
    constraints = [LinearConstraint(np.array(rows), lows, highs)] if rows else []
    ranges = {}
    for key in hidden:
        if not must_be_wide(system, statuses, key):
            continue
        objective = np.zeros(len(hidden))
        extremes = []
        for sign in (1.0, -1.0):
            objective[column[key]] = sign
            result = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(hidden)))
            extremes.append(sign * result.fun if result.status == 0 else sign * -math.inf)
        ranges[key] = (extremes[0], extremes[1])
    return ranges
