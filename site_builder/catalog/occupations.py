"""`catalog/occupations.csv`: SOC occupations with wages, validated with Frictionless.

The file first goes through the same raw checks as the outcome CSVs (UTF-8, CSV
quoting, the exact header, physical line numbers), so Frictionless never guesses an
encoding or a delimiter, and every row error points at the line an editor shows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from frictionless import Dialect, Resource, Schema
from frictionless.formats import CsvControl
from pydantic import ValidationError

from site_builder.catalog.models import SOC_PATTERN, Occupation
from site_builder.errors import InputError, display_path, excerpt
from site_builder.inputs import TABLE_LIMIT, offline
from site_builder.outcomes.layout import TableSpec
from site_builder.outcomes.rawfile import RawCheck, check_raw_csv

COLUMNS = ["soc", "title", "median_wage_usd", "wage_year", "in_demand", "source"]

SCHEMA = {
    "fields": [
        {
            "name": "soc",
            "type": "string",
            "constraints": {"required": True, "pattern": SOC_PATTERN.strip("^$")},
        },
        {"name": "title", "type": "string", "constraints": {"required": True}},
        {"name": "median_wage_usd", "type": "number", "constraints": {"required": True, "minimum": 0}},
        {"name": "wage_year", "type": "integer", "constraints": {"required": True, "minimum": 1990}},
        {"name": "in_demand", "type": "boolean", "constraints": {"required": True}},
        {"name": "source", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["soc"],
}

_EXPECTED = {
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "string": "text",
}


def load_occupations(path: Path) -> tuple[dict[str, Occupation], list[InputError]]:
    """All occupations by SOC code, or the file's errors as ``path:line:column: message``."""
    shown = display_path(path)
    if not path.is_file() and not path.is_symlink():
        return {}, [InputError(shown, 1, None, "file is missing")]
    spec = TableSpec("occupations", "occupations", None, path, 1, tuple(COLUMNS), path.parent, TABLE_LIMIT)
    raw = check_raw_csv(spec)
    if not raw.usable:
        return {}, _delimiter_errors(raw, shown) or raw.errors
    if wide := _wide_rows(path, shown, raw):
        return {}, wide
    schema = Schema.from_descriptor(SCHEMA)

    def resource() -> Resource:
        # Explicit, so Frictionless never sniffs a different encoding or delimiter.
        return Resource(
            path=path.name,
            basepath=str(path.parent),
            schema=schema,
            format="csv",
            encoding="utf-8",
            dialect=Dialect(controls=[CsvControl(delimiter=",")]),
        )

    with offline():
        report = resource().validate()
    errors = [
        error
        for task in report.tasks
        for error in (_translate(shown, item, raw) for item in task.errors)
        if error is not None
    ]
    errors += [InputError(shown, 1, None, _translate_plain(error)) for error in report.errors]
    if errors:
        return {}, errors
    occupations: dict[str, Occupation] = {}
    with resource() as reader:
        for row in reader.row_stream:
            record = row.to_dict()
            try:
                occupations[record["soc"]] = Occupation(**record)
            except ValidationError as invalid:
                # what the schema lets through and the model does not: NaN, infinity, text Title
                for detail in invalid.errors(include_url=False):
                    name = str(detail["loc"][0]) if detail["loc"] else "row"
                    column = COLUMNS.index(name) + 1 if name in COLUMNS else None
                    message = f"{name}: must be a plain value (got {excerpt(record.get(name))})"
                    errors.append(InputError(shown, raw.line_of(row.row_number), column, message))
    return ({}, errors) if errors else (occupations, [])


def _wide_rows(path: Path, shown: str, raw: RawCheck) -> list[InputError]:
    """Rows with more values than the header, told here: Frictionless takes time quadratic
    in a row's width to report its extra cells (20,000 empty cells: minutes)."""
    errors = []
    number = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if len(row) > len(COLUMNS):
                    message = f"row has {len(row):,} values; the header has {len(COLUMNS)} columns"
                    errors.append(InputError(shown, raw.line_of(number), len(COLUMNS) + 1, message))
    except csv.Error as error:
        errors.append(InputError(shown, raw.line_of(number + 1), None, f"malformed CSV: {error}"))
    return errors


def _delimiter_errors(raw: RawCheck, shown: str) -> list[InputError]:
    """One clear line for a file saved with semicolons or tabs, instead of a header diff."""
    header = raw.header_line
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
        if header is not None and "," not in header and delimiter in header:
            return [InputError(shown, 1, None, f"values must be separated by commas, not {name}")]
    return []


def _translate(shown: str, error, raw: RawCheck) -> InputError | None:
    """A Frictionless error as one short line a contributor can act on (None: said elsewhere)."""
    row = getattr(error, "row_number", None)
    line = raw.line_of(row) if row else 1
    column = getattr(error, "field_number", None)
    name = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "type-error":
        expected = _EXPECTED.get(_field_type(name), "valid")
        message = f"{name}: must be {expected} (got {excerpt(cell)})"
    elif kind == "constraint-error" and "required" in error.note:
        message = f"{name}: a value is required"
    elif kind == "constraint-error" and "pattern" in error.note:
        message = f"{name}: must be a SOC code like '15-1232' (got {excerpt(cell)})"
    elif kind == "constraint-error" and "minimum" in error.note:
        message = f"{name}: is below the minimum (got {excerpt(cell)})"
    elif kind == "primary-key":
        first = re.search(r"position (\d+)", error.note)
        if first is None:
            # An empty soc: already reported as a required value (or a blank row).
            return None
        message = f"soc appears twice (first at line {raw.line_of(int(first.group(1)))})"
    elif kind == "blank-row":
        message = "blank row; remove it"
    elif kind == "extra-cell":
        message = "row has more cells than the header"
    elif kind == "missing-cell":
        message = f"{name}: cell is missing"
    else:
        message = _translate_plain(error)
    return InputError(shown, line, column, message)


def _translate_plain(error) -> str:
    return error.note[0].lower() + error.note[1:] if error.note else error.title.lower()


def _field_type(name: str | None) -> str:
    return next((field["type"] for field in SCHEMA["fields"] if field["name"] == name), "string")
