"""SPEC 11: real outcome data is never in the repository. The contract (datapackage.json and
its schemas) stays in catalog/outcomes/; the CSV files of a real package live outside the
repository and are given by --outcomes or CREDSITE_OUTCOMES. A real package whose CSV files
git tracks fails validation, naming them; the bundled sample says "synthetic": true.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from catalog_factory import OUTCOME_FILES, run_git, write_outcomes

from site_builder.cli import main
from site_builder.outcomes import TRACKED_MESSAGE
from site_builder.paths import SAMPLE_CATALOG


def run(*arguments: str) -> tuple[int, list[str]]:
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = main(list(arguments))
    return code, captured.getvalue().splitlines()


@pytest.fixture
def repository(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small catalog with its real (not synthetic) outcome package, committed to git."""
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    monkeypatch.delenv("CREDSITE_OUTCOMES", raising=False)
    write_outcomes(small_catalog)
    repo = small_catalog.parent
    run_git(repo, "init", "-q")
    run_git(repo, "add", "catalog")
    run_git(repo, "commit", "-qm", "catalog with its outcome data")
    return repo


def _move_data_out(repo: Path) -> Path:
    """The CSV files moved to a private folder outside the repository, the contract left."""
    private = repo.parent / "private-outcomes"
    for name in OUTCOME_FILES:
        target = private / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(repo / "catalog" / "outcomes" / name, target)
    run_git(repo, "add", "-A", "catalog")
    run_git(repo, "commit", "-qm", "outcome data out of the repository")
    return private


def test_tracked_csv_files_of_a_real_package_fail_naming_each(repository: Path) -> None:
    code, lines = run("build", "--catalog", "catalog", "--out", "public", "--quiet")
    assert code == 1
    assert lines == [
        *(f"catalog/outcomes/{name}:1: {TRACKED_MESSAGE}" for name in sorted(OUTCOME_FILES)),
        f"{len(OUTCOME_FILES)} errors; nothing was built",
    ]
    assert not (repository / "public").exists()


def test_the_same_data_given_by_outcomes_builds(repository: Path) -> None:
    private = _move_data_out(repository)
    code, lines = run(
        "build", "--catalog", "catalog", "--out", "public", "--outcomes", str(private), "--quiet"
    )
    assert (code, lines) == (0, [])
    school = repository / "public" / "schools" / "100001" / "index.html"
    assert school.is_file()
    # the contract stayed in the repository and was the one used
    assert (repository / "catalog/outcomes/datapackage.json").is_file()
    assert not (private / "datapackage.json").exists()


def test_the_data_folder_can_come_from_the_environment(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = _move_data_out(repository)
    monkeypatch.setenv("CREDSITE_OUTCOMES", str(private))
    assert run("validate", "--catalog", "catalog", "--quiet") == (0, [])
    monkeypatch.delenv("CREDSITE_OUTCOMES")
    # without it, the contract alone: a pull request's build, which has no reports
    code, lines = run("build", "--catalog", "catalog", "--out", "public")
    assert code == 0
    assert "no outcome data beside catalog/outcomes/datapackage.json: building without reports" in lines
    assert not (repository / "public" / "schools").exists()


def test_a_missing_outcomes_folder_is_a_usage_error(repository: Path) -> None:
    code, lines = run("validate", "--catalog", "catalog", "--outcomes", "nowhere")
    assert (code, lines) == (2, ["credsite: --outcomes nowhere: no such folder"])


def test_untracked_csv_files_in_the_catalog_folder_are_not_refused(small_catalog: Path) -> None:
    """Outside git (a state's own machine before its first commit) nothing is tracked."""
    write_outcomes(small_catalog)
    assert run("validate", "--catalog", "catalog", "--quiet") == (0, [])


def test_the_sample_says_it_is_synthetic_and_validates_from_the_repository() -> None:
    descriptor = json.loads((SAMPLE_CATALOG / "outcomes" / "datapackage.json").read_text())
    assert descriptor["synthetic"] is True
    assert run("validate", "--catalog", str(SAMPLE_CATALOG), "--quiet") == (0, [])


def test_the_cache_key_covers_the_data_outside(repository: Path) -> None:
    from site_builder.cache import reports_fingerprint
    from site_builder.catalog import load_catalog
    from site_builder.outcomes import PackagePlace
    from site_builder.reports import CatalogFacts

    private = _move_data_out(repository)
    place = PackagePlace.of(repository / "catalog", private)
    assert place == PackagePlace(repository / "catalog" / "outcomes", private)
    facts = CatalogFacts.of(load_catalog(repository / "catalog"))
    before = reports_fingerprint(facts, place)
    attainment = private / "2024" / "attainment.csv"
    attainment.write_text(attainment.read_text().replace("2024,100001,net-pro,40", "2024,100001,net-pro,41"))
    assert before is not None and reports_fingerprint(facts, place) not in (None, before)
