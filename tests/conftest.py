from __future__ import annotations

from pathlib import Path

import pytest
from catalog_factory import write_catalog


@pytest.fixture
def small_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the small hand-written catalog; the working folder is tmp_path."""
    monkeypatch.chdir(tmp_path)
    return write_catalog(tmp_path)
