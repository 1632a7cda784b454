"""The outcome downloads (SPEC 5 and 6): protected CSV files and a valid Frictionless package.

Built once per module from the bundled sample, and from the small catalog with its small
outcome package, whose CSV rows are compared with the protected reports directly.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from catalog_factory import write_catalog, write_outcomes

from site_builder.build import build, validate
from site_builder.paths import SAMPLE_CATALOG
from site_builder.reports import compute_reports

STATUSES = {"published", "suppressed", "suppressed-complementary", "top-coded", "bottom-coded"}
HEADERS = {
    "attainment": [
        "year", "school_id", "school_name", "district_id", "district_name",
        "credential_id", "credential_name", "career_field", "earned", "status",
    ],
    "readiness": [
        "year", "school_id", "school_name", "district_id", "graduates", "graduates_status",
        "met_points_target", "rate", "status",
    ],
    "reimbursement": ["year", "program", "school_id", "claimed_usd", "paid_usd", "factor", "status"],
}  # fmt: skip


class Downloads:
    def __init__(self, catalog_dir: Path, root: Path) -> None:
        self.catalog_dir = catalog_dir
        self.root = root
        self.data = root / "data"
        self.min_cell = validate(catalog_dir).catalog.site.min_cell
        self.years = sorted(int(path.stem.split("-")[1]) for path in self.data.glob("attainment-*.csv"))

    def rows(self, kind: str, year: int) -> list[dict[str, str]]:
        with (self.data / f"{kind}-{year}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == HEADERS[kind]
            return list(reader)

    def all_rows(self, kind: str) -> list[dict[str, str]]:
        return [row for year in self.years for row in self.rows(kind, year)]


@pytest.fixture(scope="module", params=["sample", "small"])
def downloads(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Downloads:
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "sample":
        catalog_dir = SAMPLE_CATALOG.resolve()
    else:
        catalog_dir = write_catalog(root)
        write_outcomes(catalog_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build(catalog_dir, root / "public")
    return Downloads(catalog_dir, root / "public")


def test_every_year_has_its_three_files(downloads: Downloads) -> None:
    assert downloads.years
    for year in downloads.years:
        for kind in HEADERS:
            assert (downloads.data / f"{kind}-{year}.csv").is_file()


def test_datapackage_validates_and_lists_every_file(downloads: Downloads) -> None:
    path = downloads.data / "datapackage.json"
    report = frictionless.Package(str(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads(path.read_text())
    paths = {resource["path"] for resource in descriptor["resources"]}
    # catalog.csv is described here too (tests/test_open_data.py checks it), and so are the school
    # list and each year's report-<year>.json (tests/test_reports_from.py)
    assert paths == {f"{kind}-{year}.csv" for kind in HEADERS for year in downloads.years} | {
        "catalog.csv",
        "schools.csv",
        *(f"report-{year}.json" for year in downloads.years),
    }
    for resource in descriptor["resources"]:
        if resource["path"] in ("catalog.csv", "schools.csv") or resource["path"].endswith(".json"):
            continue
        assert resource["title"] and resource["description"]
        fields = {field["name"]: field for field in resource["schema"]["fields"]}
        assert list(fields) == HEADERS[resource["path"].rsplit("-", 1)[0]]
        assert set(fields["status"]["constraints"]["enum"]) == STATUSES
        for name in ("earned", "graduates", "met_points_target", "claimed_usd", "paid_usd", "rate"):
            if name in fields:
                assert fields[name]["type"] == "string"
                assert "suppressed" in fields[name]["description"]


def test_files_are_deterministic_csv(downloads: Downloads) -> None:
    for file in sorted(downloads.data.glob("*-*.csv")):  # the outcome files: <kind>-<year>.csv
        raw = file.read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n"), file.name
        kind = file.stem.rsplit("-", 1)[0]
        rows = downloads.rows(kind, int(file.stem.rsplit("-", 1)[1]))
        key = {
            "attainment": lambda row: (row["school_id"], row["credential_id"]),
            "readiness": lambda row: row["school_id"],
            "reimbursement": lambda row: (row["program"], row["school_id"]),
        }[kind]
        assert [key(row) for row in rows] == sorted(key(row) for row in rows), file.name


def test_no_cell_is_blank_and_every_status_is_known(downloads: Downloads) -> None:
    for kind in HEADERS:
        for row in downloads.all_rows(kind):
            assert all(value.strip() for value in row.values()), row
            assert row["status"] in STATUSES, row
            if "graduates_status" in row:
                assert row["graduates_status"] in STATUSES, row


def test_attainment_never_shows_a_small_count(downloads: Downloads) -> None:
    min_cell = downloads.min_cell
    rows = downloads.all_rows("attainment")
    assert rows
    for row in rows:
        earned, status = row["earned"], row["status"]
        if status == "published":
            assert earned.isdigit() and (int(earned) == 0 or int(earned) >= min_cell), row
        elif status == "suppressed":
            assert earned == f"<{min_cell}", row
        else:
            assert status == "suppressed-complementary" and earned == "suppressed", row


def test_readiness_rates_are_exact_coded_or_hidden(downloads: Downloads) -> None:
    min_cell = downloads.min_cell
    for row in downloads.all_rows("readiness"):
        graduates, rate, status = row["graduates"], row["rate"], row["status"]
        if row["graduates_status"] == "published":
            assert int(graduates) == 0 or int(graduates) >= min_cell
        if status in ("top-coded", "bottom-coded"):
            # a coded status only beside the coded range it names: beside a hidden rate (its
            # graduates hidden) it would tell more than the row shows
            assert row["met_points_target"] == "suppressed", row
            assert rate.startswith(">=" if status == "top-coded" else "<=") and rate.endswith("%"), row
        elif rate != "suppressed":
            # an exact rate needs both of its counts published
            assert rate.endswith("%") and rate[:-1].isdigit()
            assert status == "published" and row["graduates_status"] == "published"
            met = int(row["met_points_target"])
            assert met == 0 or met >= min_cell
        if status == "suppressed":
            assert row["met_points_target"] == f"<{min_cell}"
        if status == "suppressed-complementary":
            assert row["met_points_target"] == "suppressed"


def test_reimbursement_rows_add_up_to_the_program_totals(downloads: Downloads) -> None:
    validated = validate(downloads.catalog_dir)
    allocations = {(f.year, f.program): f.allocation_usd for f in validated.outcomes.funding}
    for year in downloads.years:
        rows = downloads.rows("reimbursement", year)
        for program in sorted({row["program"] for row in rows}):
            mine = [row for row in rows if row["program"] == program]
            (factor,) = {Decimal(row["factor"]) for row in mine}
            assert 0 < factor <= 1
            hidden = [row for row in mine if row["status"] != "published"]
            for row in hidden:
                assert row["claimed_usd"] == row["paid_usd"] == "suppressed"
            published = [row for row in mine if row["status"] == "published"]
            for row in published:
                assert Decimal(row["paid_usd"]) <= Decimal(row["claimed_usd"])
                assert row["paid_usd"] == f"{Decimal(row['paid_usd']):.2f}"
            # one withheld row alone could be recovered from the published total
            assert len(hidden) != 1
            paid = sum((Decimal(row["paid_usd"]) for row in published), Decimal(0))
            if not hidden:
                assert paid == min(allocations[(year, program)], sum(Decimal(r["claimed_usd"]) for r in mine))
            assert paid <= allocations[(year, program)]


def test_small_catalog_rows_are_the_protected_reports(downloads: Downloads) -> None:
    """Every CSV cell is the text of a protected value, for the small package (fast to compute)."""
    if downloads.catalog_dir == SAMPLE_CATALOG.resolve():
        pytest.skip("computing the sample's reports again is slow; the small package checks the mapping")
    validated = validate(downloads.catalog_dir)
    reports = compute_reports(validated.catalog, validated.outcomes)
    for year in downloads.years:
        report = reports.by_year[year]
        attainment = {
            (r["school_id"], r["credential_id"]): (r["earned"], r["status"])
            for r in downloads.rows("attainment", year)
        }
        assert attainment == {
            (school_id, credential_id): (count.text, count.status)
            for school_id, school in report.schools.items()
            for credential_id, count in school.by_credential.items()
        }
        readiness = {
            r["school_id"]: (r["graduates"], r["met_points_target"], r["rate"])
            for r in downloads.rows("readiness", year)
        }
        assert readiness == {
            school_id: (s.readiness.graduates.text, s.readiness.met.text, s.readiness.rate.text)
            for school_id, s in report.schools.items()
            if s.readiness is not None
        }
        payments = {
            (r["program"], r["school_id"]): (r["claimed_usd"], r["paid_usd"], r["status"])
            for r in downloads.rows("reimbursement", year)
        }
        assert payments == {
            (program.program, school_id): (p.claimed.text, p.paid.text, p.claimed.status)
            for program in report.programs
            for school_id, p in program.payments.items()
        }
