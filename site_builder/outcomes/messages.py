"""Validation problems, rewritten as short lines a contributor can act on.

``earned: must be an integer >= 0 (got "-3")`` says the column, the rule and the value;
Frictionless' own text repeats the row and position that ``path:line:column`` already
carries. Problems that only echo another one (a foreign key over a cell that failed its
type, a "required" over a missing cell) are dropped so each problem is told once.

Row problems come from ``rows.py`` (shaped like Frictionless' errors); anything else
(an invalid resource descriptor, a declared hash or row count that does not match) is a
Frictionless error object and gets a generic line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from site_builder.errors import InputError, excerpt, one_line
from site_builder.outcomes.layout import TableSpec
from site_builder.outcomes.rows import Problem

#: the most of a Frictionless note an error repeats
NOTE_CHARS = 120

# Patterns used by the shipped schemas, said in words.
_PATTERN_WORDS = {
    "[0-9]{6}": "6 digits",
    "[a-z0-9]+(-[a-z0-9]+)*": "a lowercase slug (letters, digits and single hyphens)",
}


def translate_problems(
    problems: Iterable[Problem],
    spec: TableSpec,
    fields: dict[str, dict[str, Any]],
    reference_files: dict[str, str],
) -> list[InputError]:
    """Short InputErrors for one file's row problems."""
    problems = list(problems)
    missing_cells = {(p.row_number, p.field_number) for p in problems if p.type == "missing-cell"}
    translated = []
    for problem in problems:
        if problem.type == "constraint-error" and (problem.row_number, problem.field_number) in missing_cells:
            continue
        result = _translate(problem, spec, fields, reference_files)
        if result is not None:
            translated.append(result)
    return translated


def translate_other(error: Any, spec: TableSpec) -> InputError:
    """A Frictionless error about the resource as a whole: its title and note."""
    # the note may quote the descriptor at length: kept short, as every quoted value is
    note = one_line(error.note or error.description, NOTE_CHARS)
    return InputError(spec.display, 1, None, f"{error.title.lower()}: {note}")


def _translate(
    problem: Problem,
    spec: TableSpec,
    fields: dict[str, dict[str, Any]],
    reference_files: dict[str, str],
) -> InputError | None:
    where, line = spec.display, problem.line
    if problem.type == "missing-cell":
        message = f"{problem.field_name}: missing value; the row has fewer values than the header"
        return InputError(where, line, problem.field_number, message)
    if problem.type == "extra-cell":
        message = f"extra value {_quoted(problem.cell)}; the header has {len(spec.columns)} columns"
        return InputError(where, line, problem.field_number, message)
    if problem.type in ("type-error", "constraint-error"):
        message = _cell_message(problem, fields.get(problem.field_name, {}))
        return InputError(where, line, problem.field_number, message)
    if problem.type == "primary-key":
        return _primary_key_error(problem, spec)
    if problem.type == "foreign-key":
        return _foreign_key_error(problem, spec, reference_files)
    if problem.type == "blank-row":
        return InputError(where, line, None, "blank row; remove it")
    # unique-error: no shipped schema has one; said as Frictionless says it.
    return InputError(where, line, problem.field_number, f"unique error: {problem.note}")


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


def _cell_message(problem: Problem, field: dict[str, Any]) -> str:
    if problem.constraint == "required":
        return f"{problem.field_name}: a value is required"
    return f"{problem.field_name}: must be {expectation(field)} (got {_quoted(problem.cell)})"


def _quoted(value: str) -> str:
    return excerpt(value, quote='"')


def _plain(value: str) -> str:
    """A key cell, unquoted as keys are listed, cut and escaped as every quoted value is."""
    return excerpt(value, quote="")


def _primary_key_error(problem: Problem, spec: TableSpec) -> InputError | None:
    if not problem.key_cells:
        # "all cells are None": the missing values are reported as required fields.
        return None
    message = (
        f"duplicate row for ({', '.join(map(_plain, problem.key_cells))}); first at line {problem.first_line}"
    )
    return InputError(spec.display, problem.line, None, message)


def _foreign_key_error(
    problem: Problem, spec: TableSpec, reference_files: dict[str, str]
) -> InputError | None:
    if "" in problem.key_cells:
        # A key cell that failed its own type or required check; already reported.
        return None
    # a foreign key without a resource points into its own table
    target = reference_files.get(problem.reference, problem.reference) or "this file"
    names, cells = problem.key_names, problem.key_cells
    quoted = [
        _plain(value) if name == "year" else _quoted(value) for name, value in zip(names, cells, strict=True)
    ]
    if len(names) == 1:
        subject = f"{names[0]} {quoted[0]}"
    else:
        subject = ", ".join(f"{name} {value}" for name, value in zip(names, quoted, strict=True))
    # In (year, program) the program is the likely typo: the year is checked against its folder.
    column = spec.columns.index(names[-1]) + 1
    return InputError(spec.display, problem.line, column, f"{subject} is not in {target}")
