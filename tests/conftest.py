from __future__ import annotations

from pathlib import Path

import pytest
from catalog_factory import write_catalog
from open_data_sites import OpenData, build_site, small_catalog_with_fee_variants

from site_builder.paths import SAMPLE_CATALOG


@pytest.fixture
def small_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the small hand-written catalog; the working folder is tmp_path."""
    monkeypatch.chdir(tmp_path)
    return write_catalog(tmp_path)


@pytest.fixture(scope="session")
def small_open_data(tmp_path_factory: pytest.TempPathFactory) -> OpenData:
    """The small catalog with outcome data, a fee in cents and an unknown fee, built once."""
    root = tmp_path_factory.mktemp("small-open-data")
    return build_site(small_catalog_with_fee_variants(root), root)


@pytest.fixture(scope="session")
def sample_open_data(tmp_path_factory: pytest.TempPathFactory) -> OpenData:
    """The bundled sample, built once; tests only read it."""
    return build_site(SAMPLE_CATALOG.resolve(), tmp_path_factory.mktemp("sample-open-data"))
