"""SPEC 11: nothing unprotected leaves the private build. What CI shares with pull requests
(the pages and parsed-catalog caches, tests/test_workflows.py) holds only published files
and public catalog text; the build's log names no school, district or row; an error about
an outcome row names its file, line and column, never a count.
"""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import re
from pathlib import Path

import pytest
from catalog_factory import OUTCOME_FILES, write_outcomes

from site_builder.catalog.yamlsource import parse_yaml
from site_builder.cli import main
from site_builder.paths import CONTENT_DIR

#: the caches a pull request's workflow may restore (deploy.yml saves these alone)
SHARED = ("pages", "yaml")


def run(*arguments: str) -> tuple[int, str]:
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = main(list(arguments))
    return code, captured.getvalue()


@pytest.fixture
def built(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The small catalog with outcome data built with its caches; the build's log."""
    monkeypatch.delenv("CREDSITE_NO_CACHE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_outcomes(small_catalog)
    code, log = run("build", "--catalog", "catalog", "--out", "public")
    assert code == 0, log
    return small_catalog.parent, log


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def test_the_shared_page_cache_holds_only_published_files(built: tuple[Path, str]) -> None:
    root, _ = built
    site = _files(root / "public")
    [entry] = [path for path in (root / ".credsite-cache" / "pages").iterdir() if path.is_dir()]
    kept = _files(entry / "files")
    assert kept, "the pages cache is empty: nothing was checked"
    assert any(name.startswith("schools/") for name in kept)
    for name, content in kept.items():
        assert site.get(name) == content, f"{name} in the shared cache is not a published file"
    manifest = json.loads((entry / "manifest.json").read_text())
    assert {relative for relative, _, _ in manifest["files"]} == set(kept)


def test_the_shared_yaml_cache_holds_only_catalog_text(built: tuple[Path, str]) -> None:
    root, _ = built
    texts = [path.read_text() for path in (root / "catalog").rglob("*.yml")]
    for folder in (root / "catalog" / "credentials", CONTENT_DIR):
        texts += [
            path.read_text().split("---\n")[1]
            for path in folder.glob("*.md")
            if path.read_text().startswith("---")
        ]
    public = [parse_yaml(text).data for text in texts] + [parse_yaml(text, 1).data for text in texts]
    [kept_file] = (root / ".credsite-cache" / "yaml").rglob("*.pickle")
    kept = pickle.loads(kept_file.read_bytes())
    assert kept
    for stored in kept.values():
        assert pickle.loads(stored).data in public


def test_the_shared_caches_are_the_only_ones_without_true_counts(built: tuple[Path, str]) -> None:
    """What the workflows may share is exactly SHARED; the rest (protection, reports) holds
    true counts and stays on the machine that built (README, SECURITY.md)."""
    root, _ = built
    folders = {path.name for path in (root / ".credsite-cache").iterdir() if path.is_dir()}
    assert set(SHARED) <= folders
    assert "reports" in folders


def test_the_build_log_names_no_school_and_no_row(built: tuple[Path, str]) -> None:
    _, log = built
    schools = [line.split(",")[0] for line in OUTCOME_FILES["schools.csv"].splitlines()[1:]]
    districts = {line.split(",")[2] for line in OUTCOME_FILES["schools.csv"].splitlines()[1:]}
    assert "protecting" in log  # the log is the one of a build that protected the data
    for identifier in [*schools, *districts]:
        assert identifier not in log


def test_errors_about_outcome_rows_say_no_count(small_catalog: Path) -> None:
    """A claimed count over its earned count, a target over its graduates: the lines say
    where, never the numbers (a CI log may be public)."""
    files = dict(OUTCOME_FILES)
    files["2024/claims.csv"] = files["2024/claims.csv"].replace(
        "100003,nurse-aide,3,", "100003,nurse-aide,7,"
    )
    files["2024/readiness.csv"] = files["2024/readiness.csv"].replace("2024,100006,8,2", "2024,100006,8,9")
    write_outcomes(small_catalog, files)
    code, log = run("validate", "--catalog", "catalog", "--quiet")
    assert code == 1
    assert log.splitlines() == [
        "catalog/outcomes/2024/claims.csv:4:5: count: more than earned in catalog/outcomes/2024/attainment.csv line 7",
        "catalog/outcomes/2024/readiness.csv:7:4: met_points_target: more than graduates on the same row",
        "2 errors",
    ]


def test_a_fee_program_never_publishes_a_schools_dollars(built: tuple[Path, str]) -> None:
    """With the exam fees on the credential pages, a school's claimed dollars split into
    counts per credential ($414 with fees of $35, $99 and $250 can only be 9 x 35 + 1 x 99):
    a program that reimburses actual fees publishes its totals, never a school's dollars."""
    import csv

    root, _ = built
    with (root / "public" / "data" / "reimbursement-2024.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    fees = [row for row in rows if row["program"] == "exam-fee"]
    flat = [row for row in rows if row["program"] == "bonus"]
    assert fees and flat
    assert all(row["claimed_usd"] == row["paid_usd"] == "suppressed" for row in fees)
    assert all(row["status"] in ("suppressed", "suppressed-complementary") for row in fees)
    assert any(row["status"] == "published" and row["paid_usd"] != "suppressed" for row in flat)
    page = (root / "public" / "reimbursement" / "2024" / "index.html").read_text()
    assert "A school&#39;s own dollars are not published under this program" in page or (
        "A school's own dollars are not published under this program" in page
    )


def test_a_fee_programs_totals_are_withheld_when_the_fees_pin_its_claims(small_catalog: Path) -> None:
    """Nurse aide costs $35, every other credential $100: $2,105 for 23 exams can only hold
    3 nurse-aide exams, a small count. The program's dollars, paid total and factor are
    withheld; its count and the flat-rate program stay published."""
    import csv

    path = small_catalog / "credentials" / "nurse-aide.md"
    path.write_text(path.read_text().replace("exam_fee_usd: 100\n", "exam_fee_usd: 35\n"))
    files = dict(OUTCOME_FILES)
    files["2024/claims.csv"] = files["2024/claims.csv"].replace(
        "2024,exam-fee,100003,nurse-aide,3,1000.00", "2024,exam-fee,100003,nurse-aide,3,105.00"
    )
    write_outcomes(small_catalog, files)
    code, log = run("build", "--catalog", "catalog", "--out", "public", "--quiet")
    assert code == 0, log
    page = (small_catalog.parent / "public" / "reimbursement" / "2024" / "index.html").read_text()
    facts = dict(re.findall(r'data-fact="(\w+)"><dt>[^<]*</dt><dd>([^<]*)</dd>', page))
    assert facts["claimed"] == facts["paid"] == facts["factor"] == "suppressed", facts
    assert facts["count"] == "23"
    assert "This program&#39;s dollars, and so its proration factor, are withheld" in page or (
        "This program's dollars, and so its proration factor, are withheld" in page
    )
    with (small_catalog.parent / "public" / "data" / "reimbursement-2024.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {row["factor"] for row in rows if row["program"] == "exam-fee"} == {"suppressed"}
    assert {row["factor"] for row in rows if row["program"] == "bonus"} == {"1"}
