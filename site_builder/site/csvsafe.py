"""CSV downloads that are safe to open in a spreadsheet (OWASP "CSV Injection").

A spreadsheet program reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(OWASP adds a leading tab or carriage return, which a program may skip before it looks), and a
formula can run a command or send the sheet's contents to another site. School, district,
credential and issuer names come from the catalog's input files, so every CSV file under /data/
is written by ``csv_text``, which passes every cell through ``spreadsheet_safe``: such a cell
gets a single quote in front, as OWASP advises, and a spreadsheet shows it as text. Apart from
that, and from quoting a cell that holds a carriage return, the files are what ``csv.writer``
writes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from types import SimpleNamespace

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


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The CSV file of ``header`` and ``rows``: each cell ``spreadsheet_safe``, rows ending in "\\n".

    The writer is told rows end in "\\r\\n" so that it quotes a cell holding a carriage return
    (with "\\n" alone it leaves a bare "\\r" unquoted, and readers take it for the end of the
    row: a name "a\\r=..." would start a row with a formula); the ending is then set back to "\\n".
    """
    pieces: list[str] = []
    writer = csv.writer(SimpleNamespace(write=pieces.append), lineterminator="\r\n")
    lines = []
    for row in chain([header], rows):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        lines.append("".join(pieces).removesuffix("\r\n") + "\n")
        pieces.clear()
    return "".join(lines)
