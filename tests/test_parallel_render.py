"""A large site's pages are rendered on several processes; the site is the same either way."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import site_builder.site
from site_builder.build import build
from site_builder.cache import PagesCache
from site_builder.paths import SAMPLE_CATALOG
from site_builder.site import pages as pages_module


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two renderers for the sample's few hundred pages, whatever the machine."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(site_builder.site, "PARALLEL_PAGES", 10)
    monkeypatch.setattr(site_builder.site.os, "cpu_count", lambda: 2)
    # every page rendered, none copied from an earlier build's (the reports still come cached)
    monkeypatch.setattr(PagesCache, "find", lambda *_: None)


def test_two_renderers_write_the_same_site_as_one(
    two_cores: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "renderers"
    render = site_builder.site._render

    def logged(*args):  # type: ignore[no-untyped-def]
        with log.open("a") as file:
            file.write(f"{os.getpid()} {len(args[2])}\n")
        time.sleep(0.01)  # so that the other renderer, forked a moment later, gets pages too
        return render(*args)

    monkeypatch.setattr(site_builder.site, "_render", logged)
    build(SAMPLE_CATALOG.resolve(), tmp_path / "two")
    renderers: dict[str, int] = {}
    for line in log.read_text().splitlines():
        pid, pages = line.split()
        renderers[pid] = renderers.get(pid, 0) + int(pages)
    assert len(renderers) == 2
    monkeypatch.setattr(site_builder.site, "PARALLEL_PAGES", 1_000_000)
    build(SAMPLE_CATALOG.resolve(), tmp_path / "one")
    two, one = tree(tmp_path / "two"), tree(tmp_path / "one")
    assert sum(renderers.values()) == sum(name.endswith(".html") for name in one) - 1  # all but /search/
    assert sorted(two) == sorted(one)
    assert [name for name in one if one[name] != two[name]] == []


def test_an_error_in_the_other_renderer_fails_the_build(
    two_cores: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canonical, build_process = pages_module.canonical, os.getpid()

    def failing(catalog, path: str) -> str:  # type: ignore[no-untyped-def]
        if os.getpid() != build_process:
            raise RuntimeError(f"cannot render {path} in the other renderer")
        return canonical(catalog, path)

    monkeypatch.setattr(site_builder.site, "canonical", failing)
    with pytest.raises(RuntimeError, match="in the other renderer"):
        build(SAMPLE_CATALOG.resolve(), tmp_path / "public")
    assert not (tmp_path / "public").exists()


def test_the_pages_written_come_back_in_the_order_given(two_cores: None, tmp_path: Path, monkeypatch) -> None:
    """The build tells the report pages from the rest by their place in the list."""
    import random

    def rendered(env, catalog, pages, out):  # type: ignore[no-untyped-def]
        time.sleep(random.random() / 100)  # the two renderers finish their chunks in any order
        return [(page, None) for page in pages]

    monkeypatch.setattr(site_builder.site, "_render", rendered)
    pages = [
        pages_module.Page(path=f"/{number}/", template="", title="", description="") for number in range(200)
    ]
    written = site_builder.site.render_pages(None, None, pages, tmp_path)  # type: ignore[arg-type]
    assert [page.path for page, _ in written] == [page.path for page in pages]
