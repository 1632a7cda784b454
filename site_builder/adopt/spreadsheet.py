"""Reading a state's list (.xlsx, .xls, .ods or .csv) into rows of cells.

Workbooks are read with python-calamine (Rust's calamine): one reader for .xlsx, .xls and
.ods, fast on a state's thousands of rows, giving typed cells (text, numbers, dates) and the
merged ranges of .xlsx and .xls. calamine does not report the merged ranges of an .ods file,
so they are read here from its ``content.xml``. A merged range's value (its top-left cell)
is copied into every cell of the range: a career field merged over five rows belongs to
each of the five.

Rows and columns keep the numbers a spreadsheet program shows (1-based, title rows and
empty rows included), so every message points at the cell a person can find.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from site_builder.errors import InputError, display_path, excerpt

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta

#: the largest list read: a state's list of 1,500 credentials is about 300 KB
LIST_LIMIT = 64 << 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")


class ListUnreadable(Exception):
    """The list cannot be read at all; carries the one error saying why."""

    def __init__(self, error: InputError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Sheet:
    """One sheet of the list: ``where`` prefixes every message (``LIST`` or ``LIST:SHEET``);
    ``rows[r][c]`` is the cell of row r+1, column c+1; a blank cell is ``""``."""

    where: str
    rows: list[list[Cell]]

    def error(self, row: int, column: int | None, message: str) -> InputError:
        return InputError(self.where, row, column, message)


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The sheet named ``sheet`` (default: the first) of the list at ``path``."""
    shown = display_path(path)
    suffix = path.suffix.lower()

    def unreadable(message: str) -> ListUnreadable:
        return ListUnreadable(InputError(shown, 1, None, message))

    if suffix not in SUFFIXES:
        raise unreadable(f"not a list credsite reads: give a {', '.join(SUFFIXES)} file")
    if not path.is_file():
        raise unreadable("not found" if not path.exists() else "is not a file")
    if path.stat().st_size > LIST_LIMIT:
        raise unreadable(f"is over the {LIST_LIMIT >> 20} MB a list may hold")
    if suffix == ".csv":
        return Sheet(shown, _csv_rows(path, unreadable))
    return _workbook_sheet(path, shown, sheet, unreadable)


def _csv_rows(path: Path, unreadable: Callable[[str], ListUnreadable]) -> list[list[Cell]]:
    """A CSV file's rows. UTF-8 (with or without the mark Excel puts in front), else
    Windows-1252, which is what Excel's plain "CSV" saves on Windows."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise unreadable("is not a CSV text file (it holds NUL bytes)")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as problem:
        raise unreadable(f"is not a readable CSV file ({problem})") from None


def _workbook_sheet(
    path: Path, shown: str, sheet: str | None, unreadable: Callable[[str], ListUnreadable]
) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as problem:  # calamine raises several kinds for a damaged file
        message = f"cannot be read as a {path.suffix.lower()} workbook ({type(problem).__name__})"
        raise unreadable(message) from None
    try:
        names = list(workbook.sheet_names)
        if not names:
            raise unreadable("the workbook has no sheet")
        name = names[0] if sheet is None else _sheet_name(sheet, names)
        if name is None:
            listed = ", ".join(excerpt(each) for each in names[:10])
            raise unreadable(f"has no sheet {excerpt(sheet)}; its sheets are {listed}")
        try:
            data = workbook.get_sheet_by_name(name)
            rows: list[list[Cell]] = [list(row) for row in data.to_python(skip_empty_area=False)]
            ranges = data.merged_cell_ranges
        except Exception as problem:
            message = f"sheet {excerpt(name)} cannot be read ({type(problem).__name__})"
            raise unreadable(message) from None
    finally:
        workbook.close()
    if ranges is None and path.suffix.lower() == ".ods":
        ranges = _ods_merged_ranges(path, name)
    _fill_merged(rows, ranges or [])
    return Sheet(f"{shown}:{name}", rows)


def _sheet_name(wanted: str, names: list[str]) -> str | None:
    """The sheet called ``wanted``, exactly, else the one sheet equal to it up to case and
    surrounding spaces."""
    if wanted in names:
        return wanted
    close = [name for name in names if name.strip().casefold() == wanted.strip().casefold()]
    return close[0] if len(close) == 1 else None


MergedRange = tuple[tuple[int, int], tuple[int, int]]


def _fill_merged(rows: list[list[Cell]], ranges: list[MergedRange]) -> None:
    """Every cell of a merged range gets the range's top-left value (0-based, inclusive)."""
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in range(top, min(bottom, len(rows) - 1) + 1):
            cells = rows[row]
            for column in range(left, right + 1):
                if column < len(cells) and cells[column] == "":
                    cells[column] = value


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
#: a repeat count past this is a sheet's trailing blank rows or columns, never a merge
_REPEAT_LIMIT = 1 << 20


def _ods_merged_ranges(path: Path, sheet: str) -> list[MergedRange]:
    """The merged ranges of the sheet ``sheet`` of an .ods file, from the spans its cells
    declare (``table:number-rows-spanned``, ``table:number-columns-spanned``), counting
    repeated rows and cells as the spreadsheet shows them. Unreadable: no ranges."""
    ranges: list[MergedRange] = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
            inside, row, column, row_repeat = False, 0, 0, 1
            for event, element in ElementTree.iterparse(content, events=("start", "end")):
                tag = element.tag
                if tag == f"{_TABLE}table":
                    if event == "start":
                        inside, row = element.get(f"{_TABLE}name") == sheet, 0
                    else:
                        if inside:
                            break
                        element.clear()
                    continue
                if not inside:
                    continue
                if tag == f"{_TABLE}table-row":
                    if event == "start":
                        column = 0
                        row_repeat = min(
                            int(element.get(f"{_TABLE}number-rows-repeated", "1")), _REPEAT_LIMIT
                        )
                    else:
                        row += row_repeat
                        element.clear()
                elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell") and event == "start":
                    rows_spanned = int(element.get(f"{_TABLE}number-rows-spanned", "1"))
                    columns_spanned = int(element.get(f"{_TABLE}number-columns-spanned", "1"))
                    if rows_spanned > 1 or columns_spanned > 1:
                        ranges.append(((row, column), (row + rows_spanned - 1, column + columns_spanned - 1)))
                    column += min(int(element.get(f"{_TABLE}number-columns-repeated", "1")), _REPEAT_LIMIT)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    return ranges
