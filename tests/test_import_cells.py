"""Each normalisation of ``credsite import``, one cell at a time, and each of its messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from site_builder.adopt import cells
from site_builder.adopt.cells import CellProblem
from site_builder.adopt.importer import slug


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("  CompTIA A+  ", "CompTIA A+"),
        ("CompTIA\u00a0 A+\n(2024)", "CompTIA A+ (2024)"),
        (1234.0, "1234"),
        ("", None),
        ("   ", None),
        ("'=HYPERLINK(1)", "=HYPERLINK(1)"),  # the guard an export put in front is removed
    ],
)
def test_text_trims_and_collapses_spaces(cell: cells.Cell, expected: str | None) -> None:
    assert cells.text(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(6, 6), (6.0, 6), ("6", 6), ("6 pts", 6), ("6.0", 6), (" 12 points ", 12), ("1 pt", 1)],
)
def test_numbers_stored_as_text(cell: cells.Cell, expected: int) -> None:
    assert cells.whole_number(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (6.5, "must be a whole number (got 6.5)"),
        ("6.5", "must be a whole number like 6 or '6 pts' (got '6.5')"),
        ("six", "must be a whole number like 6 or '6 pts' (got 'six')"),
        ("6-8", "must be a whole number like 6 or '6 pts' (got '6-8')"),
    ],
)
def test_numbers_that_are_not_whole(cell: cells.Cell, message: str) -> None:
    with pytest.raises(CellProblem) as problem:
        cells.whole_number(cell)
    assert str(problem.value) == message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.date(2024, 3, 4), dt.date(2024, 3, 4)),
        (dt.datetime(2024, 3, 4, 13, 30), dt.date(2024, 3, 4)),
        (45355, dt.date(2024, 3, 4)),  # an Excel serial number
        (45355.5, dt.date(2024, 3, 4)),
        ("45355", dt.date(2024, 3, 4)),  # a serial number stored as text (a CSV export)
        ("2024-03-04", dt.date(2024, 3, 4)),
        ("3/4/2024", dt.date(2024, 3, 4)),  # month first, as US lists write it
        ("03/04/2024", dt.date(2024, 3, 4)),
        ("12/25/2024", dt.date(2024, 12, 25)),
        ("2024/03/04", dt.date(2024, 3, 4)),
        ("March 4, 2024", dt.date(2024, 3, 4)),
        ("Mar. 4 2024", dt.date(2024, 3, 4)),
        ("4 March 2024", dt.date(2024, 3, 4)),
    ],
)
def test_dates_as_serials_and_text(cell: cells.Cell, expected: dt.date) -> None:
    assert cells.date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "25/12/2024",
            "'25/12/2024' reads as day/month/year, but dates here are month/day/year; write it as YYYY-MM-DD",
        ),
        ("3/4/24", "two-digit year in '3/4/24' is ambiguous; write the date as YYYY-MM-DD"),
        ("2024-02-30", "'2024-02-30' is not a real date"),
        ("soon", "must be a date like 2024-03-04 or 3/4/2024 (got 'soon')"),
        (12, "the number 12 is not a date between 1950 and 2099 (as an Excel date serial number)"),
    ],
)
def test_ambiguous_or_wrong_dates(cell: cells.Cell, message: str) -> None:
    with pytest.raises(CellProblem) as problem:
        cells.date(cell)
    assert str(problem.value) == message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (253, Decimal(253)),
        (253.5, Decimal("253.5")),
        ("$1,200.00", Decimal("1200.00")),
        ("253 USD", Decimal(253)),
    ],
)
def test_money(cell: cells.Cell, expected: Decimal) -> None:
    assert cells.money(cell) == expected


def test_money_refused() -> None:
    with pytest.raises(CellProblem, match="must be an amount in dollars"):
        cells.money("about 200")


def test_one_name_written_three_ways_has_one_key() -> None:
    spellings = [
        "Agriculture & Environmental Systems",
        "agriculture-and-environmental-systems",
        " AGRICULTURE and ENVIRONMENTAL  systems.",
    ]
    assert len({cells.key(spelling) for spelling in spellings}) == 1


def test_several_values_split_on_semicolons() -> None:
    assert cells.items("Health Science; ; Manufacturing;") == ["Health Science", "Manufacturing"]
    assert cells.items("") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CompTIA A+", "comptia-a-plus"),
        ("National Cattlemen's Beef Association", "national-cattlemens-beef-association"),
        ("Soins & Santé", "soins-and-sante"),
    ],
)
def test_ids_are_slugs_of_names(name: str, expected: str) -> None:
    assert slug(name) == expected
