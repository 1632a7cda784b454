"""The outcome data package (SPEC 4): validate ``catalog/outcomes/`` and load typed records.

Stages, each in its own module: ``layout`` reads datapackage.json and compares it with
the files on disk; ``rawfile`` checks each CSV's encoding, syntax and header;
``package`` runs Frictionless (types, constraints, primary and foreign keys) and builds
records in the same pass; ``rules`` checks what a Table Schema cannot say.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from site_builder.errors import CatalogInvalid
from site_builder.outcomes.layout import read_layout
from site_builder.outcomes.package import LoadedTable, validate_package
from site_builder.outcomes.rawfile import check_raw_csv
from site_builder.outcomes.records import Attainment, Claim, Funding, Outcomes, Readiness, School
from site_builder.outcomes.rules import check_rules

__all__ = ["Attainment", "Claim", "Funding", "Outcomes", "Readiness", "School", "load_outcomes"]


def load_outcomes(outcomes_dir: Path, credential_ids: Collection[str]) -> Outcomes:
    """Validated outcome records, or ``CatalogInvalid`` carrying every error found."""
    layout = read_layout(outcomes_dir)
    if layout.fatal_errors:
        raise CatalogInvalid(layout.fatal_errors + layout.file_errors)
    errors = list(layout.file_errors)
    present = [spec for spec in layout.specs if spec.resource_name not in layout.missing]
    raw_checks = {spec.resource_name: check_raw_csv(spec) for spec in present}
    for check in raw_checks.values():
        errors.extend(check.errors)
    tables, package_errors = validate_package(layout, raw_checks)
    errors.extend(package_errors)
    errors.extend(check_rules(tables, credential_ids))
    if errors:
        raise CatalogInvalid(errors)
    return _outcomes(tables, layout.years)


def _outcomes(tables: dict[str, LoadedTable], years: list[int]) -> Outcomes:
    """Records of every table, yearly tables in year order (tables arrive in that order)."""
    by_table: dict[str, list] = {
        "schools": [],
        "funding": [],
        "attainment": [],
        "readiness": [],
        "claims": [],
    }
    for table in tables.values():
        by_table[table.spec.table].extend(record for _line, record in table.rows)
    return Outcomes(
        schools=by_table["schools"],
        funding=by_table["funding"],
        attainment=by_table["attainment"],
        readiness=by_table["readiness"],
        claims=by_table["claims"],
        years=years,
    )
