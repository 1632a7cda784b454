"""The /credentials/ filters without JavaScript (site/filters.py): one CSS selector per option
hides the rows that do not match it; no catalog value can break out of its CSS string.
tests/browser/test_pages_browser.py checks in a browser that CSS and filters.js agree."""

from __future__ import annotations

from site_builder.site.filters import RowFilter, css_string, hidden_rows, hiding_selectors
from site_builder.site.pages import CredentialRow

FIELD = RowFilter("filter-field", "career-fields", "word", (("health", "Health"), ("it", "IT")))
POINTS = RowFilter(
    "filter-points", "points", "at-least", (("1", "1 or more"), ("6", "6 or more"), ("12", "12 or more"))
)
STATUS = RowFilter("filter-status", "status", "equal", (("approved", "Approved"),))


def row(points: int, fields: str = "it", status: str = "approved") -> CredentialRow:
    return CredentialRow("/credentials/x/", "X", "Issuer", "IT", fields, points, "High", "", status)


def test_a_career_field_or_program_hides_the_rows_without_it_among_their_ids() -> None:
    assert hidden_rows(FIELD, "health", []) == 'tr:not([data-career-fields~="health"])'


def test_a_status_hides_the_rows_of_another() -> None:
    assert hidden_rows(STATUS, "approved", []) == 'tr:not([data-status="approved"])'


def test_at_least_hides_the_rows_with_fewer_points_and_nothing_below_the_smallest() -> None:
    values = ["1", "6", "12", "6"]
    assert hidden_rows(POINTS, "1", values) is None
    assert hidden_rows(POINTS, "6", values) == 'tr:is([data-points="1"])'
    assert hidden_rows(POINTS, "12", values) == 'tr:is([data-points="1"], [data-points="6"])'


def test_each_option_has_its_selector_scoped_to_the_panel_and_the_table() -> None:
    selectors = hiding_selectors([FIELD, POINTS], [row(1), row(6, "health"), row(12)])
    assert selectors == [
        '#filter-panel:has(#filter-field option[value="health"]:checked) ~ .table-scroll '
        '#credential-table > tbody > tr:not([data-career-fields~="health"])',
        '#filter-panel:has(#filter-field option[value="it"]:checked) ~ .table-scroll '
        '#credential-table > tbody > tr:not([data-career-fields~="it"])',
        '#filter-panel:has(#filter-points option[value="6"]:checked) ~ .table-scroll '
        '#credential-table > tbody > tr:is([data-points="1"])',
        '#filter-panel:has(#filter-points option[value="12"]:checked) ~ .table-scroll '
        '#credential-table > tbody > tr:is([data-points="1"], [data-points="6"])',
    ]


def test_a_value_cannot_end_its_css_string() -> None:
    hostile = 'a"] } body { display: none } [x="\\\n<'
    quoted = css_string(hostile)
    inside = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"')
    assert not set(inside) & set('"\\\n{}<>[]') - {"\\"}
    # every backslash starts an escape by code point, ended by a space
    assert "\\22 " in inside and "\\5c " in inside and "\\a " in inside
    assert css_string("Not yet rated") == '"Not yet rated"'
