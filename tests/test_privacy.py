"""Privacy protection (SPEC 5): worked examples, and the invariants as hypothesis properties.

The audit's witness shortcut is checked against an independent, exact computation:
two linear programs per hidden cell.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from site_builder.protection.audit import audit
from site_builder.protection.disclosure import protect
from site_builder.protection.privacy import (
    HIDDEN_STATUSES,
    PUBLISHED,
    TableSystem,
    complementary_suppression,
    primary_statuses,
    rate_coding,
    rate_thresholds,
)

N = 10


def one_relation(total_parts: dict[str, int]) -> TableSystem:
    system = TableSystem()
    system.values.update(total_parts)
    system.values["T"] = sum(total_parts.values())
    system.add_relation("T", sorted(total_parts))
    return system


# --- worked examples --------------------------------------------------------------------


def test_counts_below_the_minimum_are_hidden_and_zero_is_published() -> None:
    system = one_relation({"a": 0, "b": 9, "c": 10, "d": 1})
    statuses = primary_statuses(system, N)
    assert statuses == {"a": PUBLISHED, "b": "suppressed", "c": PUBLISHED, "d": "suppressed", "T": PUBLISHED}


def test_a_lone_hidden_part_gets_a_complement() -> None:
    # T = 45 with parts 3, 12, 30: hiding only the 3 would give it away as 45 - 12 - 30.
    system = one_relation({"a": 3, "b": 12, "c": 30})
    statuses = complementary_suppression(system, primary_statuses(system, N), N)
    assert statuses == {"a": "suppressed", "b": "suppressed-complementary", "c": PUBLISHED, "T": PUBLISHED}


def test_hidden_parts_must_add_up_to_the_minimum() -> None:
    # 2 + 3 = 5 hidden out of a published 47 would say both are small; the next smallest part joins them.
    system = one_relation({"a": 2, "b": 3, "c": 12, "d": 30})
    statuses = complementary_suppression(system, primary_statuses(system, N), N)
    assert [statuses[k] for k in "abcd"] == [
        "suppressed",
        "suppressed",
        "suppressed-complementary",
        PUBLISHED,
    ]


def test_the_total_is_hidden_when_no_part_is_left() -> None:
    # a (12) is hidden by another table; b is 0, so the published total would give a away.
    system = one_relation({"a": 12, "b": 0})
    statuses = {"a": "suppressed-complementary", "b": PUBLISHED, "T": PUBLISHED}
    assert complementary_suppression(system, statuses, N)["T"] == "suppressed-complementary"


def test_audit_catches_a_cell_pinned_by_the_status_column() -> None:
    # 11 = 1 + 10: the rules are met (two hidden parts summing to 11 >= 10), but the status
    # column says the 10 is at least 10, so the 1 must be exactly 1. The audit finds it and
    # protect() hides the total as well.
    system = one_relation({"a": 1, "b": 10})
    statuses = complementary_suppression(system, primary_statuses(system, N), N)
    report = audit(system, statuses, N)
    assert [(e.key, e.check, e.low, e.high) for e in report.exposures] == [
        ("a", "pinning", 1.0, 1.0),
        ("b", "pinning", 10.0, 10.0),
    ]
    protection = protect(system, N)
    assert protection.statuses["T"] == "suppressed-complementary"
    assert protection.report.passed


def test_a_cell_pinned_through_neighbours_is_widened_not_recorded_as_inherent() -> None:
    """Propagation pins b1 and b2 through b = y before anything else is hidden, but that
    is not the status column's doing: once a (18 = 9 + 9) is hidden too, nothing is
    pinned. Recording them as inherent would have published a = 18 with b1, b2 "<10"."""
    system = TableSystem(values={"a": 18, "b1": 9, "b2": 9, "y1": 9, "y2": 9, "z1": 9, "z2": 9})
    system.add_relation("a", ["b1", "b2"])
    for n in ("1", "2"):
        system.values["c" + n] = 18
        system.add_relation("b" + n, ["y" + n])
        system.add_relation("c" + n, ["y" + n, "z" + n])
    protection = protect(system, N)
    assert protection.inherent == frozenset()
    assert audit(system, protection.statuses, N).passed


def test_audit_finds_a_narrow_width() -> None:
    system = one_relation({"a": 2, "b": 3, "c": 4})  # T = 9, all hidden but T published
    statuses = {"a": "suppressed", "b": "suppressed", "c": "suppressed", "T": PUBLISHED}
    report = audit(system, statuses, N)
    assert {(e.key, e.check) for e in report.exposures} >= {("a", "width"), ("b", "width"), ("c", "width")}


@pytest.mark.parametrize(
    ("denominator", "top", "bottom"),
    [(10, 80, 20), (19, 80, 20), (20, 90, 10), (39, 90, 10), (40, 95, 5), (99, 95, 5), (100, 98, 2), (299, 98, 2),
     (300, 99, 1), (5000, 99, 1)],
)  # fmt: skip
def test_rate_tiers(denominator: int, top: int, bottom: int) -> None:
    assert rate_thresholds(denominator) == (Fraction(top, 100), Fraction(bottom, 100))


def test_rate_coding() -> None:
    assert rate_coding(48, 50) == "top-coded"  # 96% >= 95%
    assert rate_coding(47, 50) is None  # 94%
    assert rate_coding(2, 50) == "bottom-coded"  # 4% <= 5%
    assert rate_coding(3, 300) == "bottom-coded"  # 1%
    assert rate_coding(4, 300) is None


# --- properties on random tables ------------------------------------------------------------

counts = st.one_of(st.integers(0, 0), st.integers(1, 9), st.integers(10, 60))


@st.composite
def two_way_tables(draw) -> TableSystem:
    """Rows x columns with row, column and grand totals, like schools x credentials."""
    rows = draw(st.integers(2, 6))
    columns = draw(st.integers(2, 5))
    system = TableSystem()
    for r in range(rows):
        for c in range(columns):
            system.values[("cell", r, c)] = draw(counts)
    for r in range(rows):
        parts = [("cell", r, c) for c in range(columns)]
        system.values[("row", r)] = sum(system.values[p] for p in parts)
        system.add_relation(("row", r), parts)
    for c in range(columns):
        parts = [("cell", r, c) for r in range(rows)]
        system.values[("column", c)] = sum(system.values[p] for p in parts)
        system.add_relation(("column", c), parts)
    system.values[("all",)] = sum(system.values[("row", r)] for r in range(rows))
    system.add_relation(("all",), [("row", r) for r in range(rows)])
    system.add_relation(("all",), [("column", c) for c in range(columns)])
    return system


def exact_range(system: TableSystem, statuses: dict, key, bounds_of) -> tuple[float, float]:
    """Independent check: min and max of one hidden cell by two plain linear programs."""
    hidden = sorted((k for k, s in statuses.items() if s in HIDDEN_STATUSES), key=repr)
    index = {k: i for i, k in enumerate(hidden)}
    a_eq, b_eq = [], []
    for relation in system.relations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for k, coefficient in [(relation.total, 1.0)] + [(p, -1.0) for p in relation.parts]:
            if k in index:
                row[index[k]] += coefficient
            else:
                constant += coefficient * system.values[k]
        if row.any():
            a_eq.append(row)
            b_eq.append(-constant)
    bounds = [bounds_of(statuses[k]) for k in hidden]
    objective = np.zeros(len(hidden))
    objective[index[key]] = 1.0
    low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    return (low.x[index[key]], float("inf") if high.status == 3 else high.x[index[key]])


def status_bounds(status: str) -> tuple[float, float | None]:
    return {"suppressed": (1, N - 1), "suppressed-complementary": (N, None)}.get(status, (0, None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables())
def test_protected_tables_keep_every_rule(system: TableSystem) -> None:
    statuses = protect(system, N).statuses
    for key, status in statuses.items():
        if status == PUBLISHED:
            assert not 0 < system.values[key] < N, f"{key} published with {system.values[key]}"
    for relation in system.relations:
        cells = (relation.total, *relation.parts)
        hidden = [k for k in cells if statuses[k] != PUBLISHED]
        assert len(hidden) != 1, f"{relation} has exactly one hidden cell"
        if statuses[relation.total] == PUBLISHED and hidden:
            assert sum(system.values[k] for k in hidden) >= N


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables())
def test_no_hidden_cell_can_be_narrowed_or_pinned(system: TableSystem) -> None:
    protection = protect(system, N)
    statuses = protection.statuses
    for key, status in statuses.items():
        if status not in HIDDEN_STATUSES:
            continue
        low, high = exact_range(system, statuses, key, lambda s: (0, None))
        assert high - low >= N - 1e-6, f"{key} can be narrowed to [{low}, {high}]"
        if key in protection.inherent:
            continue  # pinned by the status column's ranges alone: publishing "<10" at all
        low, high = exact_range(system, statuses, key, status_bounds)
        assert high - low > 1e-6, f"{key} is pinned to {low}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables(), st.randoms(use_true_random=False))
def test_the_pattern_is_deterministic_whatever_the_input_order(
    system: TableSystem, rng: random.Random
) -> None:
    first = protect(system, N).statuses
    shuffled = TableSystem(values=dict(system.values), relations=list(system.relations))
    rng.shuffle(shuffled.relations)
    assert protect(shuffled, N).statuses == first


def test_a_coded_cell_is_exempt_only_while_its_rate_is_shown() -> None:
    from site_builder.protection.privacy import must_be_wide

    system = TableSystem(values={"g": 40, "m": 39, "n": 1})
    system.coded.update({"m": "top-coded", "n": "top-coded"})
    system.coded_by.update({"m": "g", "n": "g"})
    shown = {"g": PUBLISHED, "m": "top-coded", "n": "top-coded"}
    assert not must_be_wide(system, shown, "m")
    # complementary suppression hid the denominator: no coded rate is shown, so the
    # counts behind it must be protected like any other hidden count
    hidden = {**shown, "g": "suppressed-complementary"}
    assert must_be_wide(system, hidden, "m") and must_be_wide(system, hidden, "n")


def test_a_coded_rate_held_by_its_district_is_widened_by_hiding_a_school_there() -> None:
    """One district of a generated state (2025 readiness): the school of 34 graduates, 2
    of them ready, is bottom-coded (met <= 10% of graduates), but its graduates are hidden,
    and the district's published total leaves them at most 40: "met" moves only between 0
    and 4. Hiding the nearest small cells, round after round, never frees it (it hid the
    district's and the state's "met" and "not met" as well); hiding one large school's
    three counts, which lets the 34 rise to over 100, does."""
    from site_builder.outcomes.records import Readiness, School
    from site_builder.reports.systems import readiness_system

    district = {"105303": (139, 44), "163873": (157, 8), "390580": (213, 65), "441519": (88, 10),
                "673419": (486, 62), "723614": (659, 85), "765586": (501, 62), "848079": (339, 65),
                "859129": (34, 2), "879324": (3, 0), "951984": (3, 0)}  # fmt: skip
    schools = {school: School(school, school, "019315", "D", "C") for school in district}
    rows = [Readiness(2025, school, graduates, met) for school, (graduates, met) in district.items()]
    system = readiness_system(rows, schools, N)
    protection = protect(system, N)
    assert audit(system, protection.statuses, N).passed
    ruled = complementary_suppression(system, primary_statuses(system, N), N)
    newly = {key for key, status in protection.statuses.items() if status != ruled[key]}
    assert not {key for key in newly if key[2] in ("district", "state")}
    assert len(newly) <= 6, sorted(newly)
