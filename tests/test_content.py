"""Content pages (`content/*.md`) are validated like catalog files."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.build import validate
from site_builder.content import load_content
from site_builder.errors import CatalogInvalid
from site_builder.paths import CONTENT_DIR


def errors_of(content_dir: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as raised:
        load_content(content_dir)
    return [str(error) for error in raised.value.errors]


def test_bundled_pages_load() -> None:
    stems = [page.stem for page in load_content(CONTENT_DIR)]
    assert stems == ["about", "faq", "how-points-work", "methodology", "privacy", "propose-a-change"]


def test_page_without_a_description(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "content/help.md").write_text("---\ntitle: Help\n---\nText.\n")
    assert errors_of(Path("content")) == ["content/help.md:2: missing required key 'description'"]


def test_page_that_would_replace_a_generated_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "content/credentials.md").write_text("---\ntitle: Mine\ndescription: Mine.\n---\n")
    assert errors_of(Path("content")) == [
        "content/credentials.md:1: '/credentials/' is a page the site generates; rename this file"
    ]


def test_a_catalogs_own_content_folder_is_used_and_validated(small_catalog: Path) -> None:
    content = small_catalog.parent / "content"
    content.mkdir()
    (content / "about.md").write_text("---\ntitle: About Northland\ndescription: Who we are.\n---\nHello.\n")
    pages = {page.stem: page.title for page in validate(small_catalog).content}
    # the catalog's own about page replaces the bundled one; the other bundled pages stay
    assert pages["about"] == "About Northland"
    assert set(pages) == {page.stem for page in load_content(CONTENT_DIR)}
    (content / "about.md").write_text("---\ntitle: About Northland\n---\nHello.\n")
    with pytest.raises(CatalogInvalid) as raised:
        validate(small_catalog)
    assert [str(e) for e in raised.value.errors] == ["content/about.md:2: missing required key 'description'"]
