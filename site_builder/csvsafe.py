"""CSV downloads that are safe to open in a spreadsheet (OWASP "CSV Injection").

A spreadsheet program reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(OWASP adds a leading tab or carriage return, which a program may skip before it looks), and a
formula can run a command or send the sheet's contents to another site. School, district,
credential and issuer names come from the catalog's input files, so every CSV file under /data/
is written by ``csv_text``, which passes every cell through ``spreadsheet_safe``: such a cell
gets a single quote in front, as OWASP advises, and a spreadsheet shows it as text. Apart from
that, and from quoting a cell that holds a carriage return, a semicolon or a tab (a bare
carriage return would start a new row; a spreadsheet may split a cell at the others), the
files are what ``csv.writer`` writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain

#: what a spreadsheet may read as the start of a formula (OWASP's list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: what ``spreadsheet_safe`` does, in words, for datapackage.json (the /data/ page says it too)
SPREADSHEET_NOTE = (
    "A text cell that begins with =, +, -, @, a tab or a carriage return has a single quote (') added "
    "in front, so that spreadsheet programs show it as text and never run it as a formula."
)

# "-12" or "-0.5" is read as a number, never as a formula; a number column keeps its type
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: str) -> str:
    """A cell beginning with = + - @, a tab or a carriage return, with ' in front; a plain negative number as it is."""
    if value.startswith(FORMULA_STARTS) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


#: what makes a cell quoted: the CSV syntax (comma, quote, line ends), and the separators a
#: spreadsheet may split on besides the comma (a semicolon where it is the list separator, a
#: tab on import), so "A+;=cmd" stays one text cell and never starts a cell with a formula
_QUOTED_IF = re.compile('[,"\r\n;\t]')


def csv_cell(value: str) -> str:
    """One cell as written: ``spreadsheet_safe``, quoted (quotes doubled) when ``_QUOTED_IF``
    finds something; other cells exactly as ``csv.writer`` writes them."""
    value = spreadsheet_safe(value)
    return '"' + value.replace('"', '""') + '"' if _QUOTED_IF.search(value) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The CSV file of ``header`` and ``rows``, each cell a ``csv_cell``, rows ending in "\\n"."""
    return "".join(",".join(map(csv_cell, row)) + "\n" for row in chain([header], rows))
