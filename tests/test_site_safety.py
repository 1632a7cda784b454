"""Catalog text is data, never markup: a hostile credential cannot put a script on the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_factory import credential
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from site_builder.build import build
from site_builder.paths import STATIC_DIR
from site_builder.site.writer import fingerprinted_assets

ASSETS = fingerprinted_assets(STATIC_DIR)

EVIL_NAME = "<script>alert(1)</script>"
EVIL_BODY = """\
Looks harmless.

<script>alert("body")</script>

<img src=x onerror=alert(1)>

<a href="javascript:alert(2)">raw link</a>

A [markdown link](javascript:alert(3)) and a [mixed-case one](JaVaScRiPt:alert(4)).

| a | b |
|---|---|
| <b onclick=alert(5)>cell</b> | 2 |
"""


@pytest.fixture
def hostile_site(small_catalog: Path, tmp_path: Path) -> Path:
    (small_catalog / "credentials" / "net-basics.md").write_text(
        credential(
            "net-basics", EVIL_NAME, "netco", "[it]", 3,
            stacks_to="[net-pro]", body=EVIL_BODY,
        )
    )  # fmt: skip
    out = tmp_path / "public"
    build(small_catalog, out)
    return out


def pages(root: Path) -> dict[str, HTMLParser]:
    return {
        path.relative_to(root).as_posix(): HTMLParser(path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.html"))
    }


def test_no_page_carries_a_script_from_catalog_text(hostile_site: Path) -> None:
    for name, tree in pages(hostile_site).items():
        for script in tree.css("script"):
            kind = script.attributes.get("type")
            src = script.attributes.get("src")
            assert kind == "application/ld+json" or src in (ASSETS["search.js"], ASSETS["filters.js"]), (
                name,
                script.html,
            )
            if kind == "application/ld+json":
                assert src is None
                json.loads(script.text())
        for node in tree.css("*"):
            handlers = [attr for attr in node.attributes if attr.lower().startswith("on")]
            assert handlers == [], (name, node.html)
            for attr in ("href", "src", "action", "formaction"):
                value = (node.attributes.get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:")), (name, node.html)
        assert tree.css("img") == [], name


def test_hostile_text_is_shown_as_text(hostile_site: Path) -> None:
    tree = pages(hostile_site)["credentials/net-basics/index.html"]
    assert tree.css_first("h1").text() == EVIL_NAME
    assert EVIL_NAME in tree.css_first("title").text()
    body = tree.css_first(".prose")
    assert "<img src=x onerror=alert(1)>" in body.text()
    assert [a.text() for a in body.css("a")] == []
    assert "[markdown link](javascript:alert(3))" in body.text()
    listed = pages(hostile_site)["credentials/index.html"]
    assert EVIL_NAME in [a.text() for a in listed.css("tbody th a")]


def test_json_ld_stays_valid_and_keeps_the_name(hostile_site: Path) -> None:
    page = hostile_site / "credentials" / "net-basics" / "index.html"
    tree = HTMLParser(page.read_text(encoding="utf-8"))
    scripts = tree.css("script[type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text())
    assert data["name"] == EVIL_NAME
    assert EVIL_NAME in data["description"]
    # the raw bytes never contain a closing tag the HTML parser could act on
    assert "</script>alert" not in page.read_text() and "<script>alert" not in page.read_text()


def test_pathway_diagram_escapes_credential_names(hostile_site: Path) -> None:
    tree = HTMLParser((hostile_site / "pathways" / "networking" / "index.html").read_text(encoding="utf-8"))
    names = [node.text() for node in tree.css("svg text.box-name")]
    assert EVIL_NAME in names
    assert tree.css("svg script") == []


def test_markdown_headings_never_add_a_second_h1(small_catalog: Path, tmp_path: Path) -> None:
    (small_catalog / "credentials" / "net-pro.md").write_text(
        credential("net-pro", "Network Professional", "netco", "[it]", 9, body="# Big\n\n## Smaller\n")
    )
    build(small_catalog, tmp_path / "public")
    page = tmp_path / "public" / "credentials" / "net-pro" / "index.html"
    tree = HTMLParser(page.read_text(encoding="utf-8"))
    assert len(tree.css("h1")) == 1
    assert [node.text() for node in tree.css(".prose h3, .prose h4")] == ["Big", "Smaller"]
