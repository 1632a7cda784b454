"""Frictionless validation of the package, and typed records from the same single pass.

Frictionless checks what the Table Schemas say (types, constraints, primary keys,
foreign keys). Each resource is read once: the ``on_row`` callback turns every valid
row into a record, so the later rules never re-read a file. A resource whose raw
check failed is skipped, and foreign keys that point at a skipped resource are dropped,
so one broken file does not turn into one error per row elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from frictionless import FrictionlessException, Package

from site_builder.errors import InputError, display_path
from site_builder.outcomes.layout import SHARED_TABLES, YEARLY_TABLES, Layout, TableSpec
from site_builder.outcomes.messages import translate_errors
from site_builder.outcomes.rawfile import RawCheck
from site_builder.outcomes.records import Attainment, Claim, Funding, Readiness, School

# Per file; past this a file is clearly wrong as a whole and more lines would not help.
ERROR_LIMIT = 1000

Record = School | Funding | Attainment | Readiness | Claim

RECORD_BUILDERS: dict[str, Callable[[Any], Record]] = {
    "schools": lambda row: School(
        row["school_id"], row["name"], row["district_id"], row["district_name"], row["county"]
    ),
    "funding": lambda row: Funding(
        row["year"], row["program"], row["allocation_usd"], row["unit_amount_usd"]
    ),
    "attainment": lambda row: Attainment(row["year"], row["school_id"], row["credential_id"], row["earned"]),
    "readiness": lambda row: Readiness(
        row["year"], row["school_id"], row["graduates"], row["met_points_target"]
    ),
    "claims": lambda row: Claim(
        row["year"], row["program"], row["school_id"], row["credential_id"], row["count"], row["amount_usd"]
    ),
}


@dataclass
class LoadedTable:
    """The valid rows of one file as ``(line, record)``, and what could not be loaded.

    ``rejected_keys`` holds the primary keys of rows that failed validation, so rules
    about other tables can tell "absent" from "present but invalid". ``complete`` is
    False when the file was not read to the end.
    """

    spec: TableSpec
    rows: list[tuple[int, Any]] = field(default_factory=list)
    rejected_keys: set[tuple[Any, ...]] = field(default_factory=set)
    complete: bool = True


def validation_order(specs: list[TableSpec]) -> list[TableSpec]:
    """Shared tables first, then each year's tables: the order a reader expects errors in."""
    tables = SHARED_TABLES + YEARLY_TABLES
    return sorted(specs, key=lambda spec: (spec.year or 0, tables.index(spec.table)))


def validate_package(
    layout: Layout, raw_checks: dict[str, RawCheck]
) -> tuple[dict[str, LoadedTable], list[InputError]]:
    """Validate every readable resource with Frictionless; loaded tables by resource name."""
    where = display_path(layout.descriptor_path)
    try:
        package = Package(str(layout.descriptor_path))
    except FrictionlessException as exception:
        return {}, [InputError(where, 1, None, f"invalid data package: {_reasons(exception)}")]

    skipped = {name for name, check in raw_checks.items() if not check.usable} | layout.missing
    reference_files = {resource.name: resource.path for resource in package.resources}
    loaded: dict[str, LoadedTable] = {}
    errors: list[InputError] = []
    for spec in validation_order(layout.specs):
        if spec.resource_name in skipped:
            continue
        table, table_errors = _validate_resource(
            package, spec, raw_checks[spec.resource_name], skipped, reference_files
        )
        loaded[spec.resource_name] = table
        errors.extend(table_errors)
    return loaded, errors


def _validate_resource(
    package: Package,
    spec: TableSpec,
    raw: RawCheck,
    skipped: set[str],
    reference_files: dict[str, str],
) -> tuple[LoadedTable, list[InputError]]:
    resource = package.get_resource(spec.resource_name)
    schema = resource.schema
    schema.foreign_keys = [fk for fk in schema.foreign_keys if fk["reference"]["resource"] not in skipped]
    primary_key = list(schema.primary_key)
    build = RECORD_BUILDERS[spec.table]
    table = LoadedTable(spec)

    def collect(row: Any) -> None:
        if row.valid:
            table.rows.append((raw.line_of(row.row_number), build(row)))
        else:
            key = tuple(row[name] for name in primary_key)
            if None not in key:
                table.rejected_keys.add(key)

    report = resource.validate(on_row=collect, limit_errors=ERROR_LIMIT)
    fields = {schema_field.name: schema_field.to_descriptor() for schema_field in schema.fields}
    report_errors = list(report.errors) + [error for task in report.tasks for error in task.errors]
    errors = translate_errors(report_errors, spec, fields, primary_key, reference_files, raw.line_of)
    if any(error.type not in _ROW_ERROR_TYPES for error in report_errors):
        table.complete = False
    if any("limit" in warning for task in report.tasks for warning in task.warnings):
        table.complete = False
        last_line = max((error.line for error in errors), default=1)
        errors.append(
            InputError(
                spec.display, last_line, None, f"stopped checking this file after {ERROR_LIMIT} errors"
            )
        )
    return table, errors


# Errors about single rows; anything else (a source or format error) means rows are missing.
_ROW_ERROR_TYPES = frozenset(
    {
        "type-error",
        "constraint-error",
        "missing-cell",
        "extra-cell",
        "primary-key",
        "foreign-key",
        "blank-row",
    }
)


def _reasons(exception: FrictionlessException) -> str:
    notes = [error.note for error in exception.reasons] or [exception.error.note]
    return "; ".join(dict.fromkeys(notes))
