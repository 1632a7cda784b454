"""One streaming pass over an outcome CSV: every row checked against its schema, records built.

Frictionless builds a ``Row`` object per row and reads a referenced table again for every
table that points at it; at a state's millions of rows that is most of a minute. This
pass reads each file once with the ``csv`` module, runs the compiled field readers
(``schema.py``) and keeps only what later checks need: the records, the start line of
each, the primary keys seen in this file and the key sets other tables refer to.

The problems it reports are Frictionless' own, with the same types, row numbers and
field numbers, in the same order within a row (it matters where the error limit cuts):
a clean row takes a fast path; any other row is replayed the way Frictionless'
``Row`` evaluates lazily (key fields first, the rest when an error is added).

A file that is not clean CSV (not UTF-8, a NUL byte, broken quoting, a wrong header) is
handed to ``rawfile.check_raw_csv`` for its one error line, and none of its rows count.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TextIO

from site_builder.errors import InputError
from site_builder.inputs import InputRefused, open_input
from site_builder.outcomes.layout import TableSpec
from site_builder.outcomes.rawfile import RawCheck, check_raw_csv, header_errors
from site_builder.outcomes.schema import CellInvalid, TableRules

# Per file, as Frictionless' default; past this a file is clearly wrong as a whole.
ERROR_LIMIT = 1000

KeySet = set[tuple[Any, ...]]


@dataclass(slots=True)
class Problem:
    """One error, shaped like the Frictionless error of the same ``type``.

    ``row_number`` counts CSV records with the header as 1 (Frictionless' rowNumber);
    ``line`` is the physical line the record starts on. ``key_cells`` are the raw cells
    of the primary key, or the values a foreign key did not find.
    """

    type: str
    row_number: int
    line: int
    field_number: int | None = None
    field_name: str = ""
    cell: str = ""
    constraint: str = ""
    key_names: tuple[str, ...] = ()
    key_cells: tuple[str, ...] = ()
    first_line: int = 0
    note: str = ""
    reference: str = ""


@dataclass
class TableRead:
    """What one pass over a file produced."""

    records: list[Any] = field(default_factory=list)
    lines: array = field(default_factory=lambda: array("I"))
    rejected_keys: KeySet = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    stopped: bool = False
    row_count: int = 0
    # Key sets other tables' foreign keys look up, by the referenced field names.
    key_sets: dict[tuple[str, ...], KeySet] = field(default_factory=dict)
    # Set when the file is not readable CSV: its errors, and no rows.
    raw: RawCheck | None = None


class _NotCleanCsv(Exception):
    """The fast reader met something only the raw check can explain in one line."""


def read_table(
    spec: TableSpec,
    rules: TableRules,
    lookups: list[KeySet | None],
    referenced: list[tuple[str, ...]],
    build: Callable[..., Any] | None,
    error_limit: int = ERROR_LIMIT,
) -> TableRead:
    """Validate one file and build its records (``build`` None: collect key sets only).

    ``lookups`` holds, per foreign key of ``rules``, the referenced key set, or None
    where that foreign key is not checked (its table could not be read).
    """
    result = TableRead(key_sets={names: set() for names in referenced})
    keys = _Keys(rules, lookups)
    clean = keys.clean
    collect = [(rules.index_of(names), result.key_sets[names]) for names in referenced]
    readers = tuple(reader.read for reader in rules.fields)
    width = len(readers)
    may_be_blank = rules.may_be_blank
    primary = rules.primary_indexes
    checks_keys = bool(primary or rules.unique_indexes or rules.foreign_keys)
    validating = build is not None
    records, lines, problems = result.records, result.lines, result.problems
    try:
        with io.TextIOWrapper(
            open_input(spec.csv_path, spec.root, spec.limit), "utf-8-sig", newline=""
        ) as handle:
            reader = csv.reader(_clean_lines(handle), strict=True)
            header = next(reader, None)
            if header is None or header_errors(header, spec):
                raise _NotCleanCsv
            row_number, end = 1, reader.line_num
            for cells in reader:
                row_number += 1
                line, end = end + 1, reader.line_num
                if not validating:
                    if collect:
                        _collect_keys(collect, _values_of(readers, cells))
                    continue
                values: list[Any] | None = None
                if len(cells) == width:
                    try:
                        values = [read(cell) for read, cell in zip(readers, cells, strict=False)]
                    except CellInvalid:
                        values = None
                    if may_be_blank and values is not None and all(value is None for value in values):
                        values = None
                if values is not None:
                    row_problems = None
                    if checks_keys and not clean(values, line):
                        row_problems = keys.check(values, cells, row_number, line)
                else:
                    values, row_problems = _replay_row(rules, keys, cells, row_number, line)
                if collect:
                    _collect_keys(collect, values)
                if not row_problems:
                    records.append(build(*values))  # type: ignore[misc]
                    lines.append(line)
                    continue
                key = tuple(values[index] for index in primary)
                if None not in key:
                    result.rejected_keys.add(key)
                problems.extend(row_problems)
                if len(problems) >= error_limit:
                    # Like Frictionless: stop validating, keep reading for key sets and syntax.
                    del problems[error_limit:]
                    result.stopped = True
                    validating = False
            result.row_count = row_number - 1
    except (_NotCleanCsv, csv.Error, UnicodeDecodeError, OSError, InputRefused) as error:
        return TableRead(raw=_raw_errors(spec, error))
    return result


def _clean_lines(handle: TextIO) -> Iterator[str]:
    for line in handle:
        # The csv module accepts NUL; a NUL means this is not a text file.
        if "\x00" in line:
            raise _NotCleanCsv
        yield line


def _raw_errors(spec: TableSpec, error: Exception) -> RawCheck:
    """The raw check's errors for a file the fast reader could not read as clean CSV."""
    raw = check_raw_csv(spec)
    if raw.usable:  # Not expected: the two readers disagree. Say what the fast one saw.
        raw = RawCheck([InputError(spec.display, 1, None, f"cannot read the file as CSV: {error}")])
    return raw


def _values_of(readers: tuple[Callable[[Any], Any], ...], cells: list[str]) -> list[Any]:
    """Typed values as Frictionless keeps them: None after a type error."""
    values = []
    for index, read in enumerate(readers):
        try:
            values.append(read(cells[index] if index < len(cells) else None))
        except CellInvalid as invalid:
            values.append(invalid.value)
    return values


def _collect_keys(collect: list[tuple[tuple[int | None, ...], KeySet]], values: list[Any]) -> None:
    for indexes, key_set in collect:
        key = tuple(None if index is None else values[index] for index in indexes)
        if any(value is not None for value in key):
            key_set.add(key)


class _Keys:
    """Primary key, unique and foreign key checks, with the keys seen so far in the file."""

    def __init__(self, rules: TableRules, lookups: list[KeySet | None]):
        self.rules = rules
        self.primary_seen: dict[tuple[Any, ...], int] = {}
        self.unique_seen: dict[int, dict[Any, int]] = {index: {} for index in rules.unique_indexes}
        self.foreign = [
            (foreign_key, lookup)
            for foreign_key, lookup in zip(rules.foreign_keys, lookups, strict=True)
            if lookup is not None
        ]

        self.clean = self._fast_check()

    def _fast_check(self) -> Callable[[list[Any], int], bool]:
        """``clean(values, line)``: True, and the primary key remembered, for a row
        without any key problem. Key getters are made once, and single-field lookups
        become sets of plain values, since this runs for every row."""
        if self.rules.unique_indexes:
            return lambda values, line: False
        seen = self.primary_seen
        primary = self.rules.primary_indexes
        key_of: Callable[[list[Any]], tuple[Any, ...]] | None = None
        if len(primary) > 1:
            key_of = itemgetter(*primary)
        elif primary:
            key_of = lambda values: (values[primary[0]],)  # noqa: E731
        lookups = [
            (itemgetter(*foreign_key.indexes), lookup)
            if len(foreign_key.indexes) > 1
            else (itemgetter(foreign_key.indexes[0]), {key[0] for key in lookup})
            for foreign_key, lookup in self.foreign
        ]

        def clean(values: list[Any], line: int) -> bool:
            key = None
            if key_of is not None:
                key = key_of(values)
                if None in key or key in seen:
                    return False
            for getter, lookup in lookups:
                if getter(values) not in lookup:
                    return False
            if key is not None:
                seen[key] = line
            return True

        return clean

    def check(self, values: list[Any], cells: list[str], row_number: int, line: int) -> list[Problem]:
        """Key problems of a row whose cells all read cleanly."""
        problems = [
            problem
            for index in self.rules.unique_indexes
            if (problem := self.unique(index, values, row_number, line)) is not None
        ]
        if self.rules.primary_indexes and (problem := self.primary(values, cells, row_number, line)):
            problems.append(problem)
        for number in range(len(self.foreign)):
            if problem := self.foreign_key(number, values, row_number, line):
                problems.append(problem)
        return problems

    def unique(self, index: int, values: list[Any], row_number: int, line: int) -> Problem | None:
        value = values[index]
        if value is None:
            return None
        seen = self.unique_seen[index]
        first = seen.get(value)
        seen[value] = row_number
        if not first:
            return None
        reader = self.rules.fields[index]
        return Problem(
            "unique-error",
            row_number,
            line,
            reader.number,
            reader.name,
            str(value),
            note=f"the same as in the row at position {first}",
        )

    def primary(self, values: list[Any], cells: list[str], row_number: int, line: int) -> Problem | None:
        indexes = self.rules.primary_indexes
        key = tuple(values[index] for index in indexes)
        raw = tuple(cells[index] if index < len(cells) else "" for index in indexes)
        if all(value is None for value in key):
            note = 'cells composing the primary keys are all "None"'
            return Problem("primary-key", row_number, line, key_names=self.rules.primary_key, note=note)
        first = self.primary_seen.get(key)
        # Frictionless remembers the latest row of a key: a third copy points at the second.
        self.primary_seen[key] = line
        if not first:
            return None
        return Problem(
            "primary-key",
            row_number,
            line,
            key_names=self.rules.primary_key,
            key_cells=raw,
            first_line=first,
        )

    def foreign_key(self, number: int, values: list[Any], row_number: int, line: int) -> Problem | None:
        foreign_key, lookup = self.foreign[number]
        key = tuple(values[index] for index in foreign_key.indexes)
        if all(value is None for value in key) or key in lookup:  # type: ignore[operator]
            return None
        return Problem(
            "foreign-key",
            row_number,
            line,
            key_names=foreign_key.fields,
            key_cells=tuple("" if value is None else str(value) for value in key),
            reference=foreign_key.reference,
        )


def _replay_row(
    rules: TableRules, keys: _Keys, cells: list[str], row_number: int, line: int
) -> tuple[list[Any], list[Problem]]:
    """A row with some cell problem, evaluated in the order Frictionless' lazy ``Row`` uses.

    Frictionless reads the unique, primary key and foreign key fields first (their cell
    errors come first), and the whole row only when it adds a key error or hands the
    row over; a blank row's errors are replaced by one blank-row error at that moment.
    """
    width = len(rules.fields)
    values: list[Any] = []
    cell_problems: list[list[Problem]] = []
    blank: list[bool] = []
    for index, reader in enumerate(rules.fields):
        cell = cells[index] if index < len(cells) else None
        found: list[Problem] = []
        try:
            value = reader.read(cell)
        except CellInvalid as invalid:
            value = invalid.value
            kind = "type-error" if invalid.type_error else "constraint-error"
            names = invalid.constraints or ("",)
            found = [
                Problem(kind, row_number, line, reader.number, reader.name, str(cell), constraint=name)
                for name in names
            ]
        values.append(value)
        cell_problems.append(found)
        blank.append(value is None and not (found and found[0].type == "type-error"))

    problems: list[Problem] = []
    touched: set[int] = set()
    whole = False

    def touch(index: int) -> None:
        if index not in touched:
            touched.add(index)
            problems.extend(cell_problems[index])

    def read_whole_row() -> None:
        nonlocal whole
        if whole:
            return
        whole = True
        for index in range(width):
            touch(index)
        for number, cell in enumerate(cells[width:], start=width + 1):
            problems.append(Problem("extra-cell", row_number, line, number, "", str(cell)))
        for index in range(len(cells), width):
            reader = rules.fields[index]
            problems.append(Problem("missing-cell", row_number, line, reader.number, reader.name, ""))
        if all(blank):
            problems[:] = [Problem("blank-row", row_number, line)]

    def add(problem: Problem | None) -> None:
        if problem is not None:
            read_whole_row()
            problems.append(problem)

    for index in rules.unique_indexes:
        touch(index)
        add(keys.unique(index, values, row_number, line))
    if rules.primary_indexes:
        for index in rules.primary_indexes:
            touch(index)
        add(keys.primary(values, cells, row_number, line))
    for number, (foreign_key, _lookup) in enumerate(keys.foreign):
        for index in foreign_key.indexes:
            touch(index)
        add(keys.foreign_key(number, values, row_number, line))
    read_whole_row()
    return values, problems
