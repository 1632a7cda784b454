"""`catalog/occupations.csv`: SOC occupations with wages, validated with Frictionless."""

from __future__ import annotations

from pathlib import Path

from frictionless import Resource, Schema

from site_builder.catalog.models import SOC_PATTERN, Occupation
from site_builder.errors import InputError, display_path

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
    """All occupations by SOC code, or the file's errors as ``path:row:column: message``."""
    shown = display_path(path)
    if not path.is_file():
        return {}, [InputError(shown, 1, None, "file is missing")]
    schema = Schema.from_descriptor(SCHEMA)
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, format="csv")
    report = resource.validate()
    errors = [_translate(shown, error) for task in report.tasks for error in task.errors]
    errors += [InputError(shown, 1, None, _translate_plain(error)) for error in report.errors]
    if errors:
        return {}, errors
    occupations: dict[str, Occupation] = {}
    with Resource(path=path.name, basepath=str(path.parent), schema=schema, format="csv") as reader:
        for row in reader.row_stream:
            record = row.to_dict()
            occupations[record["soc"]] = Occupation(**record)
    return occupations, []


def _translate(shown: str, error) -> InputError:
    """A Frictionless error as one short line a contributor can act on."""
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_number", None)
    name = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "type-error":
        expected = _EXPECTED.get(_field_type(name), "valid")
        message = f"{name}: must be {expected} (got {cell!r})"
    elif kind == "constraint-error" and "required" in error.note:
        message = f"{name}: a value is required"
    elif kind == "constraint-error" and "pattern" in error.note:
        message = f"{name}: must be a SOC code like '15-1232' (got {cell!r})"
    elif kind == "constraint-error" and "minimum" in error.note:
        message = f"{name}: is below the minimum (got {cell!r})"
    elif kind == "primary-key":
        first = error.note.rsplit(" ", 1)[-1]
        message = f"soc appears twice (first at line {first})"
    elif kind in {"missing-label", "extra-label", "incorrect-label", "blank-label", "duplicate-label"}:
        return InputError(shown, 1, column, f"header must be exactly: {','.join(COLUMNS)}")
    elif kind == "extra-cell":
        message = "row has more cells than the header"
    elif kind == "missing-cell":
        message = f"{name}: cell is missing"
    else:
        message = _translate_plain(error)
    return InputError(shown, row or 1, column, message)


def _translate_plain(error) -> str:
    return error.note[0].lower() + error.note[1:] if error.note else error.title.lower()


def _field_type(name: str | None) -> str:
    return next((field["type"] for field in SCHEMA["fields"] if field["name"] == name), "string")
