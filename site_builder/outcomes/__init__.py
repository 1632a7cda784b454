"""The outcome data package (SPEC 4): validate ``catalog/outcomes/`` and load typed records.

Stages, each in its own module: ``layout`` reads datapackage.json and compares it with
the files on disk; ``package`` has Frictionless validate the descriptor and schemas, then
streams each CSV once through ``rows`` (types, constraints, primary and foreign keys, as
``schema`` compiles them from the Table Schemas), building records in the same pass;
``rawfile`` explains a file that is not clean CSV in one line; ``rules`` checks what a
Table Schema cannot say.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from site_builder.collector import collector_paused
from site_builder.errors import CatalogInvalid, InputError
from site_builder.inputs import offline
from site_builder.outcomes.layout import PackagePlace, read_layout
from site_builder.outcomes.package import LoadedTable, validate_package
from site_builder.outcomes.records import Attainment, Claim, Funding, Outcomes, Readiness, Records, School
from site_builder.outcomes.rules import check_rules
from site_builder.rules.programs import Members

__all__ = [
    "Attainment",
    "Claim",
    "Funding",
    "Outcomes",
    "PackagePlace",
    "Readiness",
    "Records",
    "School",
    "load_outcomes",
    "tracked_real_data",
]

TRACKED_MESSAGE = (
    'git tracks this file of real outcome data (the package does not say "synthetic": true): the '
    "true counts must never be in the repository; keep the CSV files outside it and give their "
    "folder with --outcomes DIR (see README)"
)


def load_outcomes(
    place: PackagePlace | Path,
    credential_ids: Collection[str],
    state_codes: Mapping[str, str] | None = None,
    members: Members | None = None,
) -> Outcomes:
    """Validated outcome records, or ``CatalogInvalid`` carrying every error found.

    Rows may name a credential by its state code (``state_codes``: code -> id); the records
    carry the credential's id. ``members``: the credentials of each program of site.yml,
    which every claim must name (None: site.yml defines no programs)."""
    layout = read_layout(place)
    if layout.fatal_errors:
        raise CatalogInvalid(layout.fatal_errors + layout.file_errors)
    errors = list(layout.file_errors)
    with collector_paused(), offline():
        tables, package_errors = validate_package(layout)
        errors.extend(package_errors)
        errors.extend(check_rules(tables, credential_ids, state_codes, members))
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
    for name in list(tables):
        # Hand each file's records over and let its table go: one list per kind, no copies.
        table = tables.pop(name)
        by_table[table.spec.table].extend(table.records)
    return Outcomes(
        schools=by_table["schools"],
        funding=by_table["funding"],
        attainment=by_table["attainment"],
        readiness=by_table["readiness"],
        claims=by_table["claims"],
        years=years,
    )


def tracked_real_data(place: PackagePlace, tracked: Callable[[Path], set[Path]]) -> list[InputError]:
    """SPEC 11: the CSV files of a real package are never in the repository that holds the
    catalog; one error per tracked file (``tracked``: the files git tracks below a folder).
    Only a package that says ``"synthetic": true`` (the bundled sample) may keep them
    there. Checked on every build, the cache's too: a cached build reads no outcome file."""
    layout = read_layout(place)
    if layout.synthetic or layout.fatal_errors or not layout.specs:
        return []
    in_git = tracked(place.data)
    return [
        InputError(spec.display, 1, None, TRACKED_MESSAGE)
        for spec in layout.specs
        if spec.csv_path.resolve() in in_git
    ]
