"""The protection cache can only ever give what a cold build computes."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_factory import write_outcomes

from site_builder.build import build
from site_builder.cache import ProtectionCache, system_fingerprint
from site_builder.outcomes import Readiness, School
from site_builder.paths import cache_dir_for
from site_builder.reports.systems import readiness_system


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


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
