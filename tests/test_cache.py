"""The protection and reports caches can only ever give what a cold build computes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from catalog_factory import tree, write_outcomes

import site_builder.build
import site_builder.cache as cache_module
import site_builder.site.opendata
import site_builder.site.report_pages
from site_builder.build import build
from site_builder.cache import ProtectionCache, ReportsCache, reports_fingerprint, system_fingerprint
from site_builder.catalog import load_catalog, yamlsource
from site_builder.errors import CatalogInvalid
from site_builder.outcomes import Readiness, School
from site_builder.paths import cache_dir_for
from site_builder.reports import CatalogFacts, Reports
from site_builder.reports.systems import readiness_system
from site_builder.site import search


@pytest.fixture
def catalog(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("CREDSITE_NO_CACHE", raising=False)
    write_outcomes(small_catalog)
    return small_catalog


def test_a_cached_build_is_byte_identical_to_a_cold_one(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = cache_dir_for(catalog)
    build(catalog, catalog.parent / "first")
    entries = sorted(cache.glob("*.pickle"))
    assert len(entries) == 2  # one attainment and one readiness system for the one year
    build(catalog, catalog.parent / "second")  # every protection read from the cache
    assert sorted(cache.glob("*.pickle")) == entries
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    build(catalog, catalog.parent / "cold")
    assert tree(catalog.parent / "second") == tree(catalog.parent / "first") == tree(catalog.parent / "cold")


def test_a_damaged_entry_is_recomputed(catalog: Path) -> None:
    build(catalog, catalog.parent / "first")
    for entry in cache_dir_for(catalog).glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    build(catalog, catalog.parent / "second")
    assert tree(catalog.parent / "second") == tree(catalog.parent / "first")


def test_changed_data_is_a_different_key(tmp_path: Path) -> None:
    schools = {
        "100001": School("100001", "A", "900001", "D", "C"),
        "100002": School("100002", "B", "900001", "D", "C"),
    }
    rows = [Readiness(2024, "100001", 100, 30), Readiness(2024, "100002", 50, 20)]
    first = system_fingerprint(readiness_system(rows, schools, 10), 10)
    assert first == system_fingerprint(readiness_system(list(rows), schools, 10), 10)
    changed = [Readiness(2024, "100001", 100, 31), rows[1]]
    assert system_fingerprint(readiness_system(changed, schools, 10), 10) != first
    assert system_fingerprint(readiness_system(rows, schools, 10), 11) != first
    cache = ProtectionCache(tmp_path / "cache")
    cache.protect(readiness_system(rows, schools, 10), 10)
    cache.protect(readiness_system(rows, schools, 10), 10)
    cache.protect(readiness_system(changed, schools, 10), 10)
    assert (cache.hits, cache.misses) == (1, 2)


# --- the reports cache ----------------------------------------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


#: a count in the small catalog's outcome data, and the same count changed
COUNT = ("outcomes/2024/attainment.csv", "2024,100001,net-basics,22", "2024,100001,net-basics,23")


@contextmanager
def outcome_file_edited_while_read(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Builds in the block find COUNT changed just as they start reading the outcome data."""
    load_outcomes = site_builder.build.load_outcomes

    def edited_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        edit(catalog / COUNT[0], COUNT[1], COUNT[2])
        return load_outcomes(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(site_builder.build, "load_outcomes", edited_meanwhile)
        yield


def reports_entry(catalog: Path) -> Path:
    """The cached reports of the one outcome package (not their statewide figures)."""
    [entry] = [
        path
        for path in (cache_dir_for(catalog) / "reports").glob("*.pickle")
        if ".statewide." not in path.name
    ]
    return entry


def cold_build(catalog: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with monkeypatch.context() as cold:
        cold.setenv("CREDSITE_NO_CACHE", "1")
        build(catalog, out)
    return out


def test_after_a_credential_text_edit_no_outcome_file_is_read_and_the_site_is_a_cold_builds(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / "credentials" / "net-basics.md", "A short description.", "A longer description.")
    with monkeypatch.context() as patched:
        patched.setattr(site_builder.build, "load_outcomes", lambda *_: pytest.fail("outcomes read again"))
        messages: list[str] = []
        build(catalog, catalog.parent / "second", messages.append)
    assert "outcome data for 1 years unchanged since an earlier build" in messages[0]
    assert not any(message.startswith("protecting") for message in messages)
    second = tree(catalog.parent / "second")
    assert b"A longer description." in second["credentials/net-basics/index.html"]
    assert second == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


@pytest.mark.parametrize(
    "file, old, new",
    [
        COUNT,
        # a credential's first career field decides which school-field totals count it
        ("credentials/nurse-aide.md", "career_fields: [health, it]", "career_fields: [it, health]"),
        ("site.yml", "min_cell: 10", "min_cell: 11"),
    ],
)
def test_a_change_the_reports_read_is_computed_again(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / file, old, new)
    messages: list[str] = []
    build(catalog, catalog.parent / "second", messages.append)
    assert any(message.startswith("protecting") for message in messages)
    assert tree(catalog.parent / "second") != tree(catalog.parent / "first")
    assert tree(catalog.parent / "second") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


def test_outcome_data_broken_after_a_cached_build_fails_as_in_a_cold_build(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / "outcomes/2024/attainment.csv", "2024,100001,net-basics,22", "2024,100001,net-basics,-1")
    with pytest.raises(CatalogInvalid) as cached:
        build(catalog, catalog.parent / "second")
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    with pytest.raises(CatalogInvalid) as cold:
        build(catalog, catalog.parent / "cold")
    assert [str(error) for error in cached.value.errors] == [str(error) for error in cold.value.errors]
    assert any("attainment.csv:2:" in str(error) for error in cached.value.errors)


def test_reports_of_a_file_changed_during_the_build_are_not_kept(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is taken before the outcome files are read: reports of a file edited in
    between must not be filed under the old file's key."""
    with outcome_file_edited_while_read(catalog, monkeypatch):
        build(catalog, catalog.parent / "first")
    assert list((cache_dir_for(catalog) / "reports").glob("*.pickle")) == []
    assert pages_entries(catalog) == []  # nor the pages drawn from them
    # back to what the key was taken from: a build must not find the edited file's reports
    edit(catalog / COUNT[0], COUNT[2], COUNT[1])
    build(catalog, catalog.parent / "second")
    assert tree(catalog.parent / "second") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


@pytest.mark.parametrize("damaged", ["reports", "statewide figures", "both"])
def test_a_damaged_reports_entry_is_computed_again(catalog: Path, damaged: str) -> None:
    build(catalog, catalog.parent / "first")
    entries = sorted((cache_dir_for(catalog) / "reports").glob("*.pickle"), key=lambda path: len(path.name))
    assert len(entries) == 2  # the reports, and their statewide figures
    for entry in {"reports": entries[:1], "statewide figures": entries[1:], "both": entries}[damaged]:
        entry.write_bytes(b"not a pickle")
    messages: list[str] = []
    build(catalog, catalog.parent / "second", messages.append)
    assert any(message.startswith("protecting") for message in messages)
    assert tree(catalog.parent / "second") == tree(catalog.parent / "first")
    facts = CatalogFacts.of(load_catalog(catalog))
    assert ReportsCache(cache_dir_for(catalog)).find(facts, catalog / "outcomes") is not None


def test_a_package_pointing_outside_its_folder_is_never_cached(catalog: Path) -> None:
    facts = CatalogFacts.of(load_catalog(catalog))
    assert reports_fingerprint(facts, catalog / "outcomes") is not None
    (catalog.parent / "schema.json").write_text((catalog / "outcomes/schemas/schools.json").read_text())
    edit(catalog / "outcomes/datapackage.json", '"schemas/schools.json"', '"../../schema.json"')
    assert reports_fingerprint(facts, catalog / "outcomes") is None


def test_the_reports_key_covers_every_module_the_reports_are_made_by() -> None:
    """A module that the outcome validation or the reports import, and that REPORTS_SOURCES
    misses, could change the reports without changing the key."""
    import subprocess
    import sys

    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, site_builder.cache, site_builder.outcomes, site_builder.reports;"
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('site_builder')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    package = Path(site_builder.__file__).parent
    covered = {path for name in cache_module.REPORTS_SOURCES for path in package.glob(name)}
    missed = sorted(
        relative
        for relative in (Path(file).relative_to(package).as_posix() for file in imported)
        if package / relative not in covered
        # the catalog's part is hashed by value (CatalogFacts); the package's __init__ is empty
        and not relative.startswith("catalog/")
        and relative != "__init__.py"
    )
    assert missed == []


class Planted:
    """A pickle that, read, creates a file: what a stranger's pull request could commit."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_cache_committed_to_the_repository_is_never_read(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import pickle
    import subprocess

    build(catalog, catalog.parent / "first")
    marker = catalog.parent / "planted-code-ran"
    entries = sorted(cache_dir_for(catalog).rglob("*.pickle"))
    # two protections, the reports and their statewide figures, the parsed YAML
    assert len(entries) == 5
    for entry in entries:
        entry.write_bytes(pickle.dumps(Planted(marker)))
    environment = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for command in (["init", "--quiet"], ["add", "--force", ".credsite-cache"]):
        subprocess.run(
            ["git", *command], cwd=catalog.parent, env=environment, check=True, capture_output=True
        )
    messages: list[str] = []
    build(catalog, catalog.parent / "second", messages.append)
    assert not marker.exists()
    assert any("git tracks files in it" in message for message in messages)
    cold = cold_build(catalog, catalog.parent / "cold", monkeypatch)
    assert tree(catalog.parent / "second") == tree(cold)


# --- the pages cache --------------------------------------------------------------------------


#: where the report pages are (SPEC 6)
REPORT_FOLDERS = ("schools", "reports", "reimbursement")


def pages_entries(catalog: Path) -> list[Path]:
    return sorted(path for path in (cache_dir_for(catalog) / "pages").glob("*") if path.is_dir())


def reused(messages: list[str]) -> bool:
    return any(message.startswith("reused ") for message in messages)


def built_reusing(catalog: Path, out: Path) -> bool:
    """Build ``catalog`` into ``out``: whether the report pages came from the pages cache."""
    messages: list[str] = []
    build(catalog, out, messages.append)
    return reused(messages)


def test_after_a_credential_text_edit_the_report_pages_are_copied_and_the_site_is_a_cold_builds(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    assert len(pages_entries(catalog)) == 1
    edit(catalog / "credentials" / "net-basics.md", "A short description.", "A longer description.")
    index_search, indexed = search.index_search, []

    def spy(out: Path, pages: list, reports: list | None = None) -> int:
        indexed.append(reports)
        return index_search(out, pages, reports)

    with monkeypatch.context() as patched:
        fail = lambda *_: pytest.fail("drawn again")  # noqa: E731
        patched.setattr(site_builder.site.report_pages, "school_page", fail)
        patched.setattr(site_builder.site.opendata, "write_downloads", fail)
        patched.setattr(search, "index_search", spy)
        patched.setattr(ReportsCache, "reports", fail)  # nor the reports loaded: 60 MB for a state
        messages: list[str] = []
        build(catalog, catalog.parent / "second", messages.append)
    assert indexed == [None]  # nor indexed again
    drawn = [name for name in tree(catalog.parent / "first") if name.split("/")[0] in REPORT_FOLDERS]
    assert (
        f"reused {len(drawn)} report pages, their search index and the outcome downloads of an earlier build"
        in messages
    )
    assert "pagefind/reports/pagefind-entry.json" in tree(catalog.parent / "second")
    second = tree(catalog.parent / "second")
    assert b"A longer description." in second["credentials/net-basics/index.html"]
    assert "data/attainment-2024.csv" in second and "schools/100001/index.html" in second
    assert second == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


@pytest.mark.parametrize(
    "file, old, new, shown",
    [
        # a school page names the credentials earned there, and the downloads do too
        ("credentials/net-basics.md", "name: Network Basics", "name: Network Basics I", "Network Basics I"),
        ("career-fields.yml", "name: Information Technology", "name: Computing", "Computing"),
        # a school page's quality mix: Network Professional, earned there by 40, High -> Moderate
        (
            "occupations.csv",
            "15-1231,Computer Network Support Specialists,68000,2024,true,test",
            "15-1231,Computer Network Support Specialists,68000,2024,false,test",
            '<tr role="row" data-quality="Moderate"><th scope="row" role="rowheader"><span class="badge '
            'quality-moderate">Moderate</span></th><td class="num" role="cell" data-label="Earned">40</td>',
        ),
        # every page's header and title
        (
            "site.yml",
            "title: Northland Credential Catalog",
            "title: Northland Credentials",
            "Northland Credentials",
        ),
    ],
)
def test_a_change_the_report_pages_show_draws_them_again(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str, shown: str
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / file, old, new)
    messages: list[str] = []
    build(catalog, catalog.parent / "second", messages.append)
    assert not reused(messages)
    assert not any(message.startswith("protecting") for message in messages)  # the reports are still cached
    second = tree(catalog.parent / "second")
    assert shown.encode() in second["schools/100001/index.html"]
    assert second == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))
    assert len(pages_entries(catalog)) == 2


def test_only_the_newest_page_entries_are_kept(catalog: Path) -> None:
    build(catalog, catalog.parent / "first")
    for name in ("Network Basics I", "Network Basics II", "Network Basics III"):
        edit(catalog / "credentials" / "net-basics.md", "name: Network Basics", f"name: {name}")
        build(catalog, catalog.parent / name.replace(" ", "-"))
        edit(catalog / "credentials" / "net-basics.md", f"name: {name}", "name: Network Basics")
    assert len(pages_entries(catalog)) == cache_module.PAGES_KEPT


@pytest.mark.parametrize("damage", ["missing", "cut short", "manifest"])
def test_a_damaged_pages_entry_is_drawn_again_and_replaced(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    build(catalog, catalog.parent / "first")
    [entry] = pages_entries(catalog)
    page = entry / "files" / "schools" / "100001" / "index.html"
    if damage == "missing":
        page.unlink()
    elif damage == "cut short":
        page.write_bytes(page.read_bytes()[:100])
    else:
        (entry / cache_module.MANIFEST).write_text("{")
    assert not built_reusing(catalog, catalog.parent / "second")
    assert tree(catalog.parent / "second") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))
    assert built_reusing(catalog, catalog.parent / "third")
    assert tree(catalog.parent / "third") == tree(catalog.parent / "second")


def test_the_report_pages_are_placed_as_hard_links_and_copied_where_links_fail(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    [entry] = pages_entries(catalog)
    cached = entry / "files" / "schools" / "100001" / "index.html"
    edit(catalog / "credentials" / "net-basics.md", "A short description.", "A longer description.")
    build(catalog, catalog.parent / "second")
    linked = catalog.parent / "second" / "schools" / "100001" / "index.html"
    assert linked.stat().st_ino == cached.stat().st_ino  # one file, no bytes copied
    with monkeypatch.context() as patched:

        def no_links(source: Path, target: Path) -> None:
            raise OSError(18, "Invalid cross-device link")

        patched.setattr(cache_module.os, "link", no_links)
        assert built_reusing(catalog, catalog.parent / "third")
    copied = catalog.parent / "third" / "schools" / "100001" / "index.html"
    assert copied.stat().st_ino != cached.stat().st_ino
    assert tree(catalog.parent / "third") == tree(catalog.parent / "second")


def test_entries_restored_with_coarser_modification_times_are_still_used(catalog: Path) -> None:
    """A cache restored by a tool that keeps whole seconds (tar's older formats) still serves."""
    build(catalog, catalog.parent / "first")
    [entry] = pages_entries(catalog)
    for path in (entry / "files").rglob("*"):
        if path.is_file():
            modified = path.stat().st_mtime_ns
            os.utime(path, ns=(modified, modified - modified % 1_000_000_000))
    assert built_reusing(catalog, catalog.parent / "second")
    assert tree(catalog.parent / "second") == tree(catalog.parent / "first")


def test_a_report_page_written_over_in_place_in_the_site_is_drawn_again(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's report files are the entry's (hard links): one written over in place, at
    the same size, is written over in the entry too, which must then not be copied."""
    build(catalog, catalog.parent / "first")
    page = catalog.parent / "first" / "schools" / "100001" / "index.html"
    html = page.read_bytes()
    with page.open("r+b") as file:  # in place, as a minifier or an editor may write
        file.write(html.replace(b"<main", b"<MAIN", 1))
    assert page.stat().st_size == len(html)
    assert not built_reusing(catalog, catalog.parent / "second")
    assert tree(catalog.parent / "second") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))
    assert built_reusing(catalog, catalog.parent / "third")  # the entry was replaced
    assert tree(catalog.parent / "third") == tree(catalog.parent / "second")


def test_the_render_fingerprint_covers_the_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(cache_module.TEMPLATES_DIR, templates)
    monkeypatch.setattr(cache_module, "TEMPLATES_DIR", templates)

    def fingerprint() -> str:
        cache_module.render_fingerprint.cache_clear()
        return cache_module.render_fingerprint()

    try:
        first = fingerprint()
        assert fingerprint() == first
        (templates / "school.html").write_text((templates / "school.html").read_text() + "\n")
        assert fingerprint() != first
        edited = fingerprint()
        (templates / "static" / "site.css").write_text("main { color: red }")
        assert fingerprint() != edited
    finally:
        cache_module.render_fingerprint.cache_clear()


def test_reports_unreadable_when_the_report_pages_must_be_drawn_are_computed_again(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build finds the statewide figures and reads the reports only if the report pages
    must be drawn; reports damaged in between (their size unchanged) are computed again."""
    build(catalog, catalog.parent / "first")
    full = reports_entry(catalog)
    full.write_bytes(bytes(full.stat().st_size))
    edit(catalog / "credentials" / "net-basics.md", "name: Network Basics", "name: Network Basics I")
    messages: list[str] = []
    build(catalog, catalog.parent / "second", messages.append)
    assert "the cached reports could not be read: computing them again" in messages
    assert tree(catalog.parent / "second") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))
    known = ReportsCache(cache_dir_for(catalog))  # and kept again
    assert known.find(CatalogFacts.of(load_catalog(catalog)), catalog / "outcomes") is not None
    assert isinstance(known.reports(), Reports)


def test_pages_drawn_from_reports_computed_again_of_a_changed_file_are_not_kept(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages key holds the reports' key; reports computed again (their entry unreadable)
    from an outcome file edited meanwhile are not what it says, nor the pages drawn from them."""
    build(catalog, catalog.parent / "first")
    full = reports_entry(catalog)
    full.write_bytes(bytes(full.stat().st_size))
    edit(catalog / "credentials" / "net-basics.md", "name: Network Basics", "name: Network Basics I")
    before = pages_entries(catalog)
    with outcome_file_edited_while_read(catalog, monkeypatch):
        build(catalog, catalog.parent / "second")
    assert pages_entries(catalog) == before
    edit(catalog / COUNT[0], COUNT[2], COUNT[1])
    build(catalog, catalog.parent / "third")
    assert tree(catalog.parent / "third") == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


# --- the catalog's parsed YAML ----------------------------------------------------------------


def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The YAML texts parsed from here on (not taken from the parses file)."""
    parsed: list[str] = []
    parse = yamlsource._parse_yaml

    def spy(text: str, line_offset: int) -> yamlsource.YamlDocument:
        parsed.append(text)
        return parse(text, line_offset)

    monkeypatch.setattr(yamlsource, "_parse_yaml", spy)
    return parsed


def test_after_a_front_matter_edit_only_that_file_is_parsed_and_the_site_is_a_cold_builds(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / "credentials" / "net-pro.md", "points: 9", "points: 8")
    with monkeypatch.context() as patched:
        parsed = parsed_texts(patched)  # type: ignore[arg-type]
        build(catalog, catalog.parent / "second")
    assert len(parsed) == 1 and "points: 8" in parsed[0]
    second = tree(catalog.parent / "second")
    assert second != tree(catalog.parent / "first")
    assert second == tree(cold_build(catalog, catalog.parent / "cold", monkeypatch))


def test_a_damaged_parses_file_is_parsed_again_and_replaced(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    parses = cache_dir_for(catalog) / site_builder.build.PARSES_FILE
    kept = parses.read_bytes()
    parses.write_bytes(kept[: len(kept) // 2])
    with monkeypatch.context() as patched:
        parsed = parsed_texts(patched)  # type: ignore[arg-type]
        build(catalog, catalog.parent / "second")
    assert len(parsed) > 10  # every file
    assert tree(catalog.parent / "second") == tree(catalog.parent / "first")
    assert parses.read_bytes() == kept


def test_yaml_broken_after_a_cached_build_fails_as_in_a_cold_build(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(catalog, catalog.parent / "first")
    edit(catalog / "credentials" / "net-pro.md", "points: 9", "points: [9")
    with pytest.raises(CatalogInvalid) as cached:
        build(catalog, catalog.parent / "second")
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    with pytest.raises(CatalogInvalid) as cold:
        build(catalog, catalog.parent / "cold")
    assert cached.value.errors == cold.value.errors
    assert any("invalid YAML" in error.message for error in cached.value.errors)


def test_a_remembered_document_is_the_parsed_one_and_each_caller_gets_its_own(tmp_path: Path) -> None:
    text = "name: A\nlist: [1, 2]\nnested:\n  key: true\n"
    fresh = yamlsource.parse_yaml(text, 3)
    with yamlsource.remembered_parses(tmp_path / "parses.pickle"):
        first = yamlsource.parse_yaml(text, 3)
    with yamlsource.remembered_parses(tmp_path / "parses.pickle"):
        again, twice = yamlsource.parse_yaml(text, 3), yamlsource.parse_yaml(text, 3)
        moved = yamlsource.parse_yaml(text, 4)
    assert first == again == twice == fresh
    assert again.data is not twice.data and again.data["list"] is not twice.data["list"]
    assert moved.positions != fresh.positions and moved == yamlsource.parse_yaml(text, 4)
    # offset 1 and "1", offset 11 and "": the same characters side by side, not the same key
    with yamlsource.remembered_parses(tmp_path / "parses.pickle"):
        one, empty = yamlsource.parse_yaml("1\n", 1), yamlsource.parse_yaml("\n", 11)
    assert (one.data, empty.data) == (1, None) and empty == yamlsource.parse_yaml("\n", 11)
