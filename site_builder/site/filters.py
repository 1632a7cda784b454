"""The filters of the /credentials/ table, which work with and without JavaScript.

Each filter is a ``<select>`` whose choice hides the rows that do not match it, by one of
the row's data attributes. Without JavaScript a generated stylesheet does the hiding (CSS
``:has()`` on the chosen ``<option>``: one rule per option, written here); with it,
``static/filters.js`` does the same and announces the count. Both follow ``ROW_MATCH``:

- ``word``: the attribute holds ids separated by spaces, one of them is the choice;
- ``at-least``: the attribute is a number at least the choice;
- ``equal``: the attribute is the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from site_builder.site.pages import CredentialRow

#: the stylesheet that hides the rows without JavaScript, linked from /credentials/
FILTERS_STYLESHEET = "/credentials/filters.css"

#: the element around the filter form, and the table whose rows it hides (credentials.html)
PANEL = "#filter-panel"
TABLE = "#credential-table"

Match = Literal["word", "at-least", "equal"]


@dataclass(frozen=True)
class RowFilter:
    """One filter: its ``<select>``, the row attribute it reads (``data-<attribute>``), how
    it matches, and its options as (value, label); every filter also offers "Any" ("")."""

    id: str
    attribute: str
    match: Match
    options: tuple[tuple[str, str], ...]


def hidden_rows(row_filter: RowFilter, value: str, row_values: Sequence[str]) -> str | None:
    """The selector (inside the table's body) of the rows that choosing ``value`` hides;
    ``row_values``: every value of the attribute in the table (for ``at-least``). None when
    the choice hides no row."""
    attribute = f"data-{row_filter.attribute}"
    if row_filter.match == "word":
        return f"tr:not([{attribute}~={css_string(value)}])"
    if row_filter.match == "equal":
        return f"tr:not([{attribute}={css_string(value)}])"
    below = sorted({v for v in row_values if int(v) < int(value)}, key=int)
    if not below:
        return None
    return "tr:is(" + ", ".join(f"[{attribute}={css_string(v)}]" for v in below) + ")"


def hiding_selectors(filters: Sequence[RowFilter], rows: Sequence[CredentialRow]) -> list[str]:
    """One selector per option: the rows of the table that option hides while it is chosen."""
    selectors = []
    for row_filter in filters:
        row_values = [str(getattr(row, ROW_FIELDS[row_filter.attribute])) for row in rows]
        for value, _ in row_filter.options:
            rows_hidden = hidden_rows(row_filter, value, row_values)
            if rows_hidden is None:
                continue
            chosen = f"{PANEL}:has(#{row_filter.id} option[value={css_string(value)}]:checked)"
            selectors.append(f"{chosen} ~ .table-scroll {TABLE} > tbody > {rows_hidden}")
    return selectors


#: the CredentialRow field behind each data attribute of a row (macros.credential_table)
ROW_FIELDS = {
    "career-fields": "field_ids",
    "points": "points",
    "quality": "quality",
    "type": "type",
    "status": "status",
    "programs": "program_ids",
}


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: letters, digits, spaces, '-' and '_' as they are,
    everything else escaped by its code point, so no value can end the string or the rule."""
    escaped = "".join(char if char.isalnum() or char in " -_" else f"\\{ord(char):x} " for char in text)
    return f'"{escaped}"'
