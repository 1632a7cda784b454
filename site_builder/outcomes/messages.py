"""Frictionless' verbose error notes, rewritten as short lines a contributor can act on.

``earned: must be an integer >= 0 (got "-3")`` says the column, the rule and the value;
Frictionless' own text repeats the row and position that ``path:line:column`` already
carries. Errors that only echo another one (a foreign key over a cell that failed its
type, a "required" over a missing cell) are dropped so each problem is told once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from frictionless import errors as fl

from site_builder.errors import InputError
from site_builder.outcomes.layout import TableSpec

# Patterns used by the shipped schemas, said in words.
_PATTERN_WORDS = {
    "[0-9]{6}": "6 digits",
    "[a-z0-9]+(-[a-z0-9]+)*": "a lowercase slug (letters, digits and single hyphens)",
}

LineOf = Callable[[int], int]


def translate_errors(
    report_errors: Iterable[Any],
    spec: TableSpec,
    fields: dict[str, dict[str, Any]],
    primary_key: list[str],
    reference_files: dict[str, str],
    line_of: LineOf,
) -> list[InputError]:
    """Short InputErrors for one resource's Frictionless errors."""
    report_errors = list(report_errors)
    missing_cells = {
        (error.row_number, error.field_number)
        for error in report_errors
        if isinstance(error, fl.MissingCellError)
    }
    translated = []
    for error in report_errors:
        if isinstance(error, fl.ConstraintError) and (error.row_number, error.field_number) in missing_cells:
            continue
        result = _translate(error, spec, fields, primary_key, reference_files, line_of)
        if result is not None:
            translated.append(result)
    return translated


def _translate(
    error: Any,
    spec: TableSpec,
    fields: dict[str, dict[str, Any]],
    primary_key: list[str],
    reference_files: dict[str, str],
    line_of: LineOf,
) -> InputError | None:
    where = spec.display
    if isinstance(error, fl.MissingCellError):
        message = f"{error.field_name}: missing value; the row has fewer values than the header"
        return InputError(where, line_of(error.row_number), error.field_number, message)
    if isinstance(error, fl.ExtraCellError):
        message = f'extra value "{error.cell}"; the header has {len(spec.columns)} columns'
        return InputError(where, line_of(error.row_number), error.field_number, message)
    if isinstance(error, (fl.TypeError, fl.ConstraintError)):
        message = _cell_message(error, fields.get(error.field_name, {}))
        return InputError(where, line_of(error.row_number), error.field_number, message)
    if isinstance(error, fl.PrimaryKeyError):
        return _primary_key_error(error, spec, primary_key, line_of)
    if isinstance(error, fl.ForeignKeyError):
        return _foreign_key_error(error, spec, reference_files, line_of)
    if isinstance(error, fl.BlankRowError):
        return InputError(where, line_of(error.row_number), None, "blank row; remove it")
    row_number = getattr(error, "row_number", None)
    column = getattr(error, "field_number", None)
    note = error.note or error.description
    return InputError(
        where, line_of(row_number) if row_number else 1, column, f"{error.title.lower()}: {note}"
    )


def expectation(field: dict[str, Any]) -> str:
    """What a field accepts, in words: "an integer >= 0", "6 digits"."""
    constraints = field.get("constraints", {})
    kind = field.get("type", "string")
    if kind in ("integer", "number"):
        words = "an integer" if kind == "integer" else "a number"
        if "minimum" in constraints:
            words += f" >= {constraints['minimum']}"
        if "maximum" in constraints:
            words += f" and <= {constraints['maximum']}"
        return words
    if "pattern" in constraints:
        return _PATTERN_WORDS.get(constraints["pattern"], f"text matching {constraints['pattern']}")
    if "enum" in constraints:
        return "one of " + ", ".join(str(value) for value in constraints["enum"])
    return f"a {kind}"


def _cell_message(error: Any, field: dict[str, Any]) -> str:
    if isinstance(error, fl.ConstraintError) and error.note.startswith('constraint "required"'):
        return f"{error.field_name}: a value is required"
    return f'{error.field_name}: must be {expectation(field)} (got "{error.cell}")'


def _primary_key_error(
    error: Any, spec: TableSpec, primary_key: list[str], line_of: LineOf
) -> InputError | None:
    match = re.search(r"position (\d+)", error.note)
    if match is None:
        # "all cells are None": the missing values are reported as required fields.
        return None
    values = [error.cells[spec.columns.index(name)] for name in primary_key]
    message = f"duplicate row for ({', '.join(values)}); first at line {line_of(int(match.group(1)))}"
    return InputError(spec.display, line_of(error.row_number), None, message)


def _foreign_key_error(
    error: Any, spec: TableSpec, reference_files: dict[str, str], line_of: LineOf
) -> InputError | None:
    if "" in error.field_cells:
        # A key cell that failed its own type or required check; already reported.
        return None
    target = reference_files.get(error.reference_name, error.reference_name)
    quoted = [
        value if name == "year" else f'"{value}"'
        for name, value in zip(error.field_names, error.field_cells, strict=True)
    ]
    if len(error.field_names) == 1:
        subject = f"{error.field_names[0]} {quoted[0]}"
    else:
        subject = ", ".join(f"{name} {value}" for name, value in zip(error.field_names, quoted, strict=True))
    # In (year, program) the program is the likely typo: the year is checked against its folder.
    column = spec.columns.index(error.field_names[-1]) + 1
    return InputError(spec.display, line_of(error.row_number), column, f"{subject} is not in {target}")
