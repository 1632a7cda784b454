"""Builds without the data (SPEC 11): ``credsite build --reports-from DIR`` draws the report
pages and the outcome downloads from a copy of a published site's /data/ folder, byte for
byte as that site shows them, without reading the outcome data or protecting anything.

A site is built with its outcome data (the small catalog, its hostile-names variant and the
bundled sample); its data/ folder is copied; then the outcome CSV files are removed (as in a
pull request's checkout) and the site is built again from the copy, with the outcome
loader and every protection step replaced by functions that fail. The two sites are
compared file by file. The copy is then damaged one way at a time: each problem is one
line naming the file (and line), never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from catalog_factory import ctid_of, write_catalog, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from test_csv_injection import hostile_outcomes, make_hostile

from site_builder.build import build, validate
from site_builder.cli import main
from site_builder.paths import PROJECT_ROOT, SAMPLE_CATALOG
from site_builder.reports import CatalogFacts, compute_reports
from site_builder.reports.published_reader import read_published_reports
from site_builder.site.report_pages import audit_sentences

EPOCH = "1700000000"

#: what must not run in a build from published files: reading the outcome data, computing
#: the reports, protecting them (directly, through the cache, or in the reports' pool)
NEVER_CALLED = (
    "site_builder.build.load_outcomes",
    "site_builder.build.compute_reports",
    "site_builder.build.protect",
    "site_builder.cache.ProtectionCache.protect",
    "site_builder.outcomes.load_outcomes",
    "site_builder.reports.run_tasks",
)


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def refuse_outcome_data(patch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build from published files read outcome data or protected it")

    for target in NEVER_CALLED:
        patch.setattr(target, refused)


def remove_outcome_data(catalog_dir: Path) -> None:
    """The outcome CSV files go; the contract (datapackage.json, schemas/) stays: a pull
    request's checkout of a real state's repository."""
    for path in sorted((catalog_dir / "outcomes").rglob("*.csv")):
        path.unlink()


@dataclass
class Sites:
    """A site built with its outcome data, the copy of its data/ folder, and the site built
    from that copy."""

    catalog: Path
    published: Path
    data: Path
    built: Path
    log: list[str]


def build_both(catalog_dir: Path, root: Path, *, remove_data: bool = True) -> Sites:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(catalog_dir, root / "published")
        shutil.copytree(root / "published" / "data", root / "data")
        if remove_data:
            remove_outcome_data(catalog_dir)
        refuse_outcome_data(patch)
        log: list[str] = []
        build(catalog_dir, root / "built", log.append, reports_from=root / "data")
    return Sites(catalog_dir, root / "published", root / "data", root / "built", log)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = tmp_path_factory.mktemp("small")
    catalog_dir = write_catalog(root)
    write_outcomes(catalog_dir)
    return build_both(catalog_dir, root)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    # the sample's CSV files are in the repository: they stay, and are not read
    return build_both(SAMPLE_CATALOG.resolve(), tmp_path_factory.mktemp("sample"), remove_data=False)


@pytest.fixture(params=["small", "sample"])
def sites(request: pytest.FixtureRequest) -> Sites:
    return request.getfixturevalue(request.param)


def assert_same_files(published: Path, built: Path) -> None:
    published_files, built_files = tree(published), tree(built)
    assert sorted(built_files) == sorted(published_files)
    assert [name for name in published_files if published_files[name] != built_files[name]] == []


# --- the same site ------------------------------------------------------------------------------


def test_the_site_drawn_from_the_published_files_is_the_published_site(sites: Sites) -> None:
    """Every file: the report pages, the outcome downloads, the catalog pages, the search index."""
    assert (sites.built / "schools").is_dir() and (sites.built / "reimbursement").is_dir()
    assert_same_files(sites.published, sites.built)


def test_no_outcome_file_is_read_and_nothing_is_protected(small: Sites) -> None:
    # the build ran with the outcome loader and protection replaced by failures (build_both)
    assert not any((small.catalog / "outcomes").rglob("*.csv"))
    assert any("published reports for 1 years in" in line for line in small.log)
    assert not any(line.startswith(("protecting", "protected", "no outcome data")) for line in small.log)


def test_the_reports_read_back_are_the_reports_computed(tmp_path: Path) -> None:
    catalog_dir = write_catalog(tmp_path)
    write_outcomes(catalog_dir)
    validated = validate(catalog_dir)
    assert validated.outcomes is not None
    computed = compute_reports(validated.catalog, validated.outcomes)
    build(catalog_dir, tmp_path / "public")
    read = read_published_reports(tmp_path / "public" / "data", CatalogFacts.of(validated.catalog))

    def without_audits(reports):  # type: ignore[no-untyped-def]
        years = {year: dataclasses.replace(report, audit=[]) for year, report in reports.by_year.items()}
        return dataclasses.replace(reports, by_year=years)

    assert without_audits(read) == without_audits(computed)
    # the audit comes back as the numbers its paragraph states, not its timings
    for year, report in computed.by_year.items():
        assert audit_sentences(read.by_year[year].audit, read.min_cell) == audit_sentences(
            report.audit, computed.min_cell
        )


def test_names_that_look_like_formulas_come_back_as_they_were(tmp_path: Path) -> None:
    """The CSV files put a quote in front of a name that starts like a formula; it is taken
    off again, so the pages show the name and the downloads are the same bytes."""
    catalog_dir = write_catalog(tmp_path)
    make_hostile(catalog_dir)
    write_outcomes(catalog_dir, hostile_outcomes())
    sites = build_both(catalog_dir, tmp_path)
    assert "'=HYPERLINK" in (sites.data / "schools.csv").read_text()
    assert_same_files(sites.published, sites.built)


def test_a_credential_added_to_the_catalog_changes_no_report_page(small: Sites, tmp_path: Path) -> None:
    """A new credential is one no school reported, as in a build with the data."""
    catalog_dir = write_catalog(tmp_path)
    (catalog_dir / "credentials" / "net-expert.md").write_text(
        (catalog_dir / "credentials" / "net-pro.md")
        .read_text()
        .replace("id: net-pro", "id: net-expert")
        .replace("Network Professional", "Network Expert")
        .replace(f"ctid: {ctid_of('net-pro')}\n", "")  # a copy takes no CTID of its source
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        refuse_outcome_data(patch)
        build(catalog_dir, tmp_path / "built", reports_from=small.data)
    published, built = tree(small.published), tree(tmp_path / "built")
    reported = [
        name
        for name in published
        if name.startswith(("schools/", "reports/", "reimbursement/"))
        or (name.startswith("data/") and name.endswith((".csv", ".json")) and "catalog" not in name)
    ]
    assert len(reported) > 15
    assert [name for name in reported if built.get(name) != published[name]] == []
    assert "credentials/net-expert/index.html" in built


def test_the_new_files_show_only_what_the_pages_show(small: Sites) -> None:
    """Each number of report-2024.json is on a page, with its text and status."""
    document = json.loads((small.data / "report-2024.json").read_text())

    def cells(path: str, selector: str) -> list[tuple[str, str]]:
        page = HTMLParser((small.published / path / "index.html").read_text())
        return [
            (cell.text(strip=True), cell.attributes.get("data-status") or "") for cell in page.css(selector)
        ]

    def shown(number: dict) -> tuple[str, str]:
        text = number["text"]
        return (f"{int(text):,}" if text.isdigit() else text, number["status"])

    report = set(cells("reports/2024", "main td[data-status]"))
    assert shown(document["earned"]) in report
    numbers = [
        *document["earned_by_career_field"].values(),
        *document["earned_by_credential"].values(),
        *document["earned_by_district"].values(),
        *document["readiness"].values(),
        *(number for district in document["readiness_by_district"].values() for number in district.values()),
    ]
    assert numbers and all(shown(number) in report for number in numbers)
    for school_id, school in document["schools"].items():
        page = set(cells(f"schools/{school_id}", "main td[data-status]"))
        assert shown(school["earned"]) in page
        assert all(shown(number) in page for number in school["earned_by_career_field"].values())
    payments = set(cells("reimbursement/2024", "main td[data-status]"))
    for program in document["programs"].values():
        for key in ("claimed", "claimed_usd", "paid_usd"):
            number = program[key]
            text = (
                f"${float(number['text']):,.2f}"
                if key.endswith("usd") and number["status"] == "published"
                else None
            )
            assert (text or shown(number)[0], number["status"]) in payments
        assert all(shown(number) in payments for number in program["claimed_by_school"].values())
    audit = HTMLParser((small.published / "reports/2024/index.html").read_text()).css_first("#audit").text()
    assert f"{document['audit']['hidden']} numbers were hidden" in audit
    assert (
        f"checked {document['audit']['checked']} of them, with {document['audit']['calculations']}" in audit
    )


def test_the_published_files_are_described_in_the_data_package(small: Sites) -> None:
    descriptor = json.loads((small.data / "datapackage.json").read_text())
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert resources["schools"]["path"] == "schools.csv"
    assert resources["report-2024"]["path"] == "report-2024.json"
    assert resources["report-2024"]["format"] == "json"
    page = HTMLParser((small.published / "data" / "index.html").read_text())
    listed = {row.attributes["data-download"] for row in page.css("tr[data-download]")}
    assert {"/data/schools.csv", "/data/report-2024.json"} <= listed


# --- the command line and the server -------------------------------------------------------------


@pytest.fixture
def checkout(small: Sites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contributor's checkout without the outcome data, and a copy of the site's data/
    folder beside it (``data``); the working folder is its root."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("CREDSITE_OUTCOMES", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    write_catalog(tmp_path)
    shutil.copytree(small.data, tmp_path / "data")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(
        ["build", "--catalog", "catalog", "--out", "public", "--quiet", "--reports-from", "data", *extra]
    )
    return code, capsys.readouterr().err.splitlines()


def test_the_command_builds_the_published_report_pages(
    checkout: Path, small: Sites, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys) == (0, [])
    assert (checkout / "public" / "schools" / "100001" / "index.html").read_bytes() == (
        small.published / "schools" / "100001" / "index.html"
    ).read_bytes()


def test_usage_errors(
    checkout: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["build", "--catalog", "catalog", "--reports-from", "nowhere"]) == 2
    assert capsys.readouterr().err == "credsite: --reports-from nowhere: no such folder\n"
    assert run(capsys, "--outcomes", "data")[0] == 2
    monkeypatch.setenv("CREDSITE_OUTCOMES", str(checkout / "data"))
    code, lines = run(capsys)
    assert code == 2 and "not both (drop CREDSITE_OUTCOMES)" in lines[0]
    assert not (checkout / "public").exists()


def test_serve_draws_the_published_reports(checkout: Path) -> None:
    from site_builder.serve import Server

    server = Server(checkout / "catalog", 0, lambda _: None, reports_from=checkout / "data")
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{server.port}/schools/100001/", timeout=10
        ) as response:
            assert response.status == 200 and "Alder High School" in response.read().decode()
    finally:
        server.stop()


def test_a_pull_request_builds_from_the_live_sites_files() -> None:
    """The workflow fetches the live site's /data/ files in a step of their own; the build
    step uses no network, and builds without reports when they do not fit."""
    import yaml

    workflow = yaml.safe_load((PROJECT_ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    steps = {step.get("name"): step.get("run", "") for step in workflow["jobs"]["check"]["steps"]}
    fetch, build_step = steps["Fetch the published reports"], steps["Build"]
    assert "catalog/site.yml" in fetch and "base_url" in fetch and "curl" in fetch and "'=https'" in fetch
    assert 'echo "PUBLISHED_DATA=$data" >> "$GITHUB_ENV"' in fetch
    assert '--reports-from "$PUBLISHED_DATA"' in build_step and "curl" not in build_step
    assert build_step.rstrip().endswith("credsite build")
    names = list(steps)
    assert names.index("Fetch the published reports") == names.index("Build") - 1


# --- damaged files: one line each, naming the file ----------------------------------------------


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


NOT_FOUND = (
    "not found; --reports-from reads a copy of a built site's whole data/ folder "
    "(its datapackage.json and every file it lists)"
)

DAMAGES = {
    "no report document": (
        lambda data: (data / "report-2024.json").unlink(),
        f"data/report-2024.json:1: {NOT_FOUND}",
    ),
    "no descriptor": (
        lambda data: (data / "datapackage.json").unlink(),
        f"data/datapackage.json:1: {NOT_FOUND}",
    ),
    "no school list": (
        lambda data: (data / "schools.csv").unlink(),
        f"data/schools.csv:1: {NOT_FOUND}",
    ),
    "no readiness file": (
        lambda data: (data / "readiness-2024.csv").unlink(),
        f"data/readiness-2024.csv:1: {NOT_FOUND}",
    ),
    "a descriptor without reports": (
        lambda data: (data / "datapackage.json").write_text('{"resources": [{"name": "catalog"}]}'),
        "data/datapackage.json:1: lists no outcome reports: the site it comes from publishes no school reports",
    ),
    "a cut JSON file": (
        lambda data: (data / "report-2024.json").write_text('{\n  "year": 2024,\n  "min_cell": '),
        "data/report-2024.json:3:15: not valid JSON: Expecting value",
    ),
    "JSON nested too deep": (
        lambda data: (data / "report-2024.json").write_text("[" * 5000 + "]" * 5000),
        "data/report-2024.json:1: not accepted: nested more than 20 levels deep",
    ),
    "a status no page shows": (
        lambda data: edit(data / "report-2024.json", '"earned": {"text": "325", "status": "published"}', '"earned": {"text": "325", "status": "public"}'),
        "data/report-2024.json:4: earned.status: must be one of bottom-coded, published, suppressed, "
        "suppressed-complementary, top-coded (got 'public')",
    ),
    "a key a report does not have": (
        lambda data: edit(data / "report-2024.json", '"min_cell": 10,', '"min_cell": 10,\n  "true_counts": {},'),
        "data/report-2024.json:4: true_counts: not a key of a report",
    ),
    "a hidden count with its number": (
        lambda data: edit(data / "report-2024.json", '"health": {"text": "<10", "status": "suppressed"}', '"health": {"text": "3", "status": "suppressed"}'),
        "data/report-2024.json:51: schools.100003.earned_by_career_field.health: a count of status suppressed "
        "is shown as '<10' (got '3')",
    ),
    "a small count published": (
        lambda data: edit(data / "attainment-2024.csv", "nurse-aide,Northland Nurse Aide,health,<10,suppressed", "nurse-aide,Northland Nurse Aide,health,3,published"),
        "data/attainment-2024.csv:7:9: earned: a count from 1 to 9 is never published (got 3)",
    ),
    "an unknown status in a row": (
        lambda data: edit(data / "attainment-2024.csv", "health,<10,suppressed", "health,<10,secret"),
        "data/attainment-2024.csv:7:10: status: must be one of bottom-coded, published, suppressed, "
        "suppressed-complementary, top-coded (got 'secret')",
    ),
    "other columns": (
        lambda data: edit(data / "readiness-2024.csv", "graduates_status", "graduates_note"),
        "data/readiness-2024.csv:1: the columns must be year,school_id,school_name,district_id,graduates,"
        "graduates_status,met_points_target,rate,status (got 'year,school_id,school_name,district_id,g'... "
        "(93 characters))",
    ),
    "not UTF-8": (
        lambda data: (data / "reimbursement-2024.csv").write_bytes(b"year,\xff\n"),
        "data/reimbursement-2024.csv:1: not valid UTF-8",
    ),
    "a factor that is not the program's": (
        lambda data: edit(data / "reimbursement-2024.csv", "\n2024,bonus,100004,1000.00,1000.00,1,", "\n2024,bonus,100004,1000.00,1000.00,0.5,"),
        "data/reimbursement-2024.csv:2:6: factor: the program's factor is 1 in report-2024.json (got '0.5')",
    ),
    "a row of another year": (
        lambda data: edit(data / "readiness-2024.csv", "\n2024,100001,", "\n2023,100001,"),
        "data/readiness-2024.csv:2:1: year: must be 2024, the year of the file name (got '2023')",
    ),
    "a school named otherwise than in the school list": (
        lambda data: edit(data / "readiness-2024.csv", "100002,Birch High School", "100002,Birch Academy"),
        "data/readiness-2024.csv:3:3: school_name: not the school's as schools.csv gives it (got 'Birch Academy')",
    ),
    "a district with two names": (
        lambda data: edit(data / "schools.csv", "100002,Birch High School,900001,North Local Schools", "100002,Birch High School,900001,North Schools"),
        "data/schools.csv:3:4: district 900001 has another name at line 2; a district has one name",
    ),
    "a linked file": (
        lambda data: ((data / "report-2024.json").unlink(), (data / "report-2024.json").symlink_to(data / "readiness-2024.csv")),
        "data/report-2024.json:1: is a symbolic link; the build reads only real files inside the catalog, and did not follow it",
    ),
}  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_copy_is_one_error_naming_the_file(
    checkout: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged, expected = DAMAGES[damage]
    damaged(checkout / "data")
    code, lines = run(capsys)
    assert (code, lines) == (1, [expected, "1 error; nothing was built"])
    assert not (checkout / "public").exists()


def test_a_file_over_its_limit_is_refused(
    checkout: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("site_builder.reports.published_reader.REPORT_LIMIT", 1000)
    code, lines = run(capsys)
    assert code == 1
    assert lines[0].startswith("data/report-2024.json:1: is ") and "over the 1000 bytes" in lines[0]


def test_reports_of_another_minimum_cell_size_are_refused(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(checkout / "catalog" / "site.yml", "min_cell: 10", "min_cell: 5")
    code, lines = run(capsys)
    assert (code, lines[1:]) == (1, ["1 error; nothing was built"])
    assert lines[0] == (
        "data/report-2024.json:3: min_cell: these reports were protected with a minimum cell size of 10, "
        "but the catalog's site.yml says 5; a build without the outcome data cannot protect them again"
    )


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("remove", "credential 'nurse-aide' is not in the catalog"),
        ("move", "credential 'nurse-aide' was reported under career field 'health', but its first career field in the catalog is 'it'"),
    ],
)  # fmt: skip
def test_a_credential_removed_or_moved_is_refused_by_name(
    checkout: Path, change: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The totals by career field are the protection's: a credential the catalog no longer
    has, or has under another first career field, can be reported on only by a build with
    the data, which protects the new totals."""
    credential = checkout / "catalog" / "credentials" / "nurse-aide.md"
    if change == "remove":
        credential.unlink()
    else:
        edit(credential, "career_fields: [health, it]", "career_fields: [it, health]")
    code, lines = run(capsys)
    assert code == 1 and lines[-1].endswith("errors; nothing was built")
    errors = lines[:-1]
    # each credential or career field once per file, not once per row
    assert any(said in line for line in errors) and len(errors) <= 3
    assert all(
        line.startswith(("data/attainment-2024.csv:", "data/report-2024.json:"))
        and line.endswith(
            "only a build with the outcome data can report on a credential removed from the catalog or "
            "given another first career field"
        )
        for line in errors
    )
    assert not (checkout / "public").exists()


def test_no_error_is_a_traceback_for_any_cut_of_any_file(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each file read cut short at a few places: error lines naming the published files (a
    cut between two rows leaves a shorter file, whose absent rows other files name), or a
    build, never a traceback."""
    data = checkout / "data"
    for name in ["datapackage.json", "schools.csv", "report-2024.json"] + [
        f"{kind}-2024.csv" for kind in ("attainment", "readiness", "reimbursement")
    ]:
        original = (data / name).read_bytes()
        for cut in sorted({0, 1, len(original) // 3, len(original) // 2, len(original) - 2}):
            (data / name).write_bytes(original[:cut])
            code, lines = run(capsys)
            assert code in (0, 1), (name, cut, lines)
            if code == 1:
                assert lines[-1].endswith("nothing was built"), (name, cut, lines)
                assert all(line.startswith("data/") for line in lines[:-1]), (name, cut, lines)
        (data / name).write_bytes(original)
