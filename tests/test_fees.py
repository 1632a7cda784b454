"""rules.fees: what a fee program's statewide dollars, its count and the exam fees pin."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.rules.fees import exposed

D = Decimal


def test_the_issues_example_pins_two_credentials() -> None:
    """$414 for 10 exams with fees of $35, $99 and $250: only 9 x 35 + 1 x 99."""
    fees = {"cpr": D(35), "servsafe": D(99), "welding": D(250)}
    upper = {name: 9 for name in fees}  # each statewide count earned is "<10"
    assert exposed(D(414), 10, fees, upper, set(fees), 10) == {"cpr", "servsafe"}
    # without the count the dollars alone still allow one split only
    assert exposed(D(414), None, fees, dict.fromkeys(fees), set(), 10) == {"cpr", "servsafe"}


def test_dollars_that_fit_many_splits_pin_nothing() -> None:
    fees = {"a": D(100), "b": D(150), "c": D(50), "d": D(200)}
    assert exposed(D(5000), 40, fees, dict.fromkeys(fees), set(fees), 10) == set()


def test_dollars_that_fit_no_split_say_nothing() -> None:
    """A school's fees may differ from the catalog's: then the attacker's equation has no
    solution, and it tells nothing."""
    assert exposed(D(101), 1, {"a": D(100)}, {"a": None}, {"a"}, 10) == set()


def test_an_unknown_fee_leaves_an_unknown_part() -> None:
    """With a credential of unknown fee the dollars are "at most": 9 x 35 is no longer forced."""
    fees = {"cpr": D(35), "servsafe": D(99), "welding": D(250)}
    assert exposed(D(414), 10, fees, dict.fromkeys(fees), set(fees), 10, unknown_fees=True) == set()


def brute_force(dollars: int, count: int | None, fees: dict, upper: dict, hidden: set, min_cell: int) -> set:
    names = sorted(fees)
    solutions = [
        values
        for values in itertools.product(*(range(upper[name] + 1) for name in names))
        if sum(fees[n] * v for n, v in zip(names, values, strict=True)) == dollars
        and (count is None or sum(values) == count)
    ]
    if not solutions:
        return set()
    result = set()
    for index, name in enumerate(names):
        column = [solution[index] for solution in solutions]
        least, most = min(column), max(column)
        if least > 0 and (name in hidden or (least == most and least < min_cell)):
            result.add(name)
    return result


@settings(max_examples=60, deadline=None)
@given(
    fees=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    true=st.lists(st.integers(0, 6), min_size=4, max_size=4),
    caps=st.lists(st.integers(0, 6), min_size=4, max_size=4),
    hidden=st.sets(st.integers(0, 3)),
    with_count=st.booleans(),
)
def test_the_same_answer_as_trying_every_split(
    fees: list[int], true: list[int], caps: list[int], hidden: set[int], with_count: bool
) -> None:
    names = [f"c{i}" for i in range(len(fees))]
    fee_of = {name: fee for name, fee in zip(names, fees, strict=False)}
    upper = {name: max(cap, value) for name, cap, value in zip(names, caps, true, strict=False)}
    values = dict(zip(names, true, strict=False))
    dollars = sum(fee_of[n] * values[n] for n in names)
    count = sum(values.values()) if with_count else None
    hidden_names = {names[i] for i in hidden if i < len(names)}
    expected = brute_force(dollars, count, fee_of, upper, hidden_names, 5)
    got = exposed(D(dollars), count, {n: D(f) for n, f in fee_of.items()}, upper, hidden_names, 5)
    assert got == expected
