"""Checks on a CSV file as bytes and text, before its rows are validated.

A row validator (Frictionless, or the outcome package's own streaming reader in
``rows.py``, which calls this when a file is not clean CSV) would guess encodings or
report a wrong header once per row; these checks give one clear line instead (not
UTF-8, malformed quoting, a wrong or identifying column) and keep such a file out of
row validation. They also map CSV record numbers to physical lines, which differ only
when a quoted value spans lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from site_builder.errors import InputError, quoted
from site_builder.inputs import InputRefused, read_input
from site_builder.outcomes.layout import TableSpec, identifies_student, identifying_message


@dataclass(frozen=True)
class RawCheck:
    """What the raw read found: errors, and where each CSV record starts when that differs."""

    errors: list[InputError]
    record_lines: list[int] | None = None
    #: the first line of the file, when it could be decoded
    header_line: str | None = None

    @property
    def usable(self) -> bool:
        return not self.errors

    def line_of(self, record_number: int) -> int:
        """The physical line of a 1-based CSV record number (the header is record 1)."""
        if self.record_lines is None or not 0 < record_number <= len(self.record_lines):
            return record_number
        return self.record_lines[record_number - 1]


def check_raw_csv(spec: TableSpec) -> RawCheck:
    """Decode the file, check its CSV syntax and its header against the contract."""
    where = spec.display
    try:
        data = read_input(spec.csv_path, spec.root, spec.limit)
    except InputRefused as refused:
        return RawCheck([refused.error])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        return RawCheck([InputError(where, line, None, message)])
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return RawCheck([InputError(where, line, None, "contains a NUL byte; is this a CSV file?")])
    header_line = text.partition("\n")[0]

    record_lines = None
    if '"' in text:
        # Only quoting can make records span lines or break the syntax.
        record_lines, error = _scan_records(text, where)
        if error is not None:
            return RawCheck([error], header_line=header_line)
    header = next(csv.reader(io.StringIO(text)), None)
    if not header:
        return RawCheck([InputError(where, 1, None, "the header row is missing")], header_line=header_line)
    return RawCheck(header_errors(header, spec), record_lines, header_line)


def _scan_records(text: str, where: str) -> tuple[list[int], InputError | None]:
    """Start line of every record, or the first syntax error, with a strict CSV parse."""
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text), strict=True)
    previous_end = 0
    try:
        for _record in reader:
            starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as error:
        line = previous_end + 1
        return starts, InputError(where, line, None, f"malformed CSV: {error}; check the quotes on this row")
    return starts, None


def header_errors(labels: list[str], spec: TableSpec) -> list[InputError]:
    """The header must be exactly the contract's columns, and never identify a student."""
    where = spec.display
    errors: list[InputError] = []
    kept: list[tuple[int, str]] = []
    for column, label in enumerate(labels, start=1):
        if identifies_student(label, spec.table):
            errors.append(InputError(where, 1, column, identifying_message(label)))
        else:
            kept.append((column, label))
    expected = spec.columns
    for position, name in enumerate(expected):
        if position >= len(kept):
            errors.append(InputError(where, 1, len(labels) + 1, f'missing column "{name}"'))
        elif kept[position][1] != name:
            column, label = kept[position]
            errors.append(InputError(where, 1, column, f'column {quoted(label)} should be "{name}"'))
    for column, label in kept[len(expected) :]:
        message = f"unexpected column {quoted(label)}; the columns are {', '.join(expected)}"
        errors.append(InputError(where, 1, column, message))
    return errors
