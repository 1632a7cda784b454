"""Reimbursement proration (SPEC 5): worked examples and the invariants as properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder.rules.reimbursement import prorate, proration_factor, school_claim

D = Decimal


def test_claims_under_the_allocation_are_paid_in_full() -> None:
    claims = {"001": D("100.00"), "002": D("250.50")}
    assert prorate(claims, D("1000")) == claims


def test_worked_example_with_leftover_cents() -> None:
    # A = 100.00, D = 300.00: f = 1/3. Each 100.00 claim is owed 33.333...; floors 33.33 x 3 = 99.99,
    # the one leftover cent goes to the largest remainder; all equal, so to the smallest school_id.
    claims = {"003": D("100.00"), "001": D("100.00"), "002": D("100.00")}
    assert prorate(claims, D("100.00")) == {"001": D("33.34"), "002": D("33.33"), "003": D("33.33")}


def test_worked_example_largest_remainder_wins() -> None:
    # A = 10.00, D = 30.00 (f = 1/3): 0.10 -> 0.0333 (floor 0.03, rem .33); 29.90 -> 9.9666 (floor 9.96, rem .67)
    # floors sum 9.99; the leftover cent goes to the larger remainder, school 002, even though 001 sorts first.
    assert prorate({"001": D("0.10"), "002": D("29.90")}, D("10.00")) == {"001": D("0.03"), "002": D("9.97")}


def test_zero_allocation_pays_nothing() -> None:
    assert prorate({"001": D("5"), "002": D("7")}, D("0")) == {"001": D("0.00"), "002": D("0.00")}


def test_fractions_of_a_cent_are_refused() -> None:
    with pytest.raises(ValueError, match="not a whole number of cents"):
        prorate({"001": D("1.005")}, D("1"))


def test_school_claim_fee_based_and_flat_rate() -> None:
    assert school_claim([D("10.50"), None, D("2")], [1, 1, 1], None) == D("12.50")
    assert school_claim([None, None], [3, 4], D("125.00")) == D("875.00")


def test_factor() -> None:
    assert proration_factor(D("100"), D("50")) == 1
    assert proration_factor(D("100"), D("300")) == D("0.333333")


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)
claim_maps = st.dictionaries(
    st.text(alphabet="0123456789", min_size=6, max_size=6), cents, min_size=1, max_size=40
)


@given(claim_maps, cents)
def test_payments_sum_to_min_of_allocation_and_claims(
    claims: dict[str, Decimal], allocation: Decimal
) -> None:
    payments = prorate(claims, allocation)
    assert sum(payments.values()) == min(allocation, sum(claims.values()))
    assert set(payments) == set(claims)


@given(claim_maps, cents)
def test_each_payment_is_between_zero_and_the_claim(claims: dict[str, Decimal], allocation: Decimal) -> None:
    for school, paid in prorate(claims, allocation).items():
        assert 0 <= paid <= claims[school]
        assert paid == paid.quantize(D("0.01"))


@given(claim_maps, cents)
def test_each_payment_is_within_a_cent_of_the_exact_share(
    claims: dict[str, Decimal], allocation: Decimal
) -> None:
    total = sum(claims.values())
    for school, paid in prorate(claims, allocation).items():
        exact = claims[school] if total <= allocation else claims[school] * allocation / total
        assert abs(paid - exact) < D("0.01")


@given(claim_maps, cents)
def test_the_result_does_not_depend_on_input_order(claims: dict[str, Decimal], allocation: Decimal) -> None:
    reordered = dict(reversed(list(claims.items())))
    assert prorate(claims, allocation) == prorate(reordered, allocation)
