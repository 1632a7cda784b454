"""Site search (SPEC 6, /search/): the Pagefind index written at build time, the attributes
that feed it, the search page and the header box without JavaScript, and reproducibility.

No browser here: tests/browser/ runs the search itself.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from site_builder.build import build
from site_builder.cache import PagesCache
from site_builder.catalog import load_catalog
from site_builder.derive import derive
from site_builder.paths import SAMPLE_CATALOG, STATIC_DIR
from site_builder.site import search
from site_builder.site.writer import fingerprinted_assets

ASSETS = fingerprinted_assets(STATIC_DIR)

NOT_INDEXED = {"/404.html", "/search/"}


@pytest.fixture
def built(small_catalog: Path, tmp_path: Path) -> Path:
    build(small_catalog, tmp_path / "public")
    return tmp_path / "public"


def page(root: Path, url_path: str) -> HTMLParser:
    relative = url_path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return HTMLParser((root / relative).read_text(encoding="utf-8"))


def html_paths(root: Path) -> list[str]:
    paths = []
    for file in sorted(root.rglob("*.html")):
        relative = file.relative_to(root).as_posix()
        paths.append(
            "/" + (relative.removesuffix("index.html") if relative.endswith("index.html") else relative)
        )
    return paths


def text(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def fragments(root: Path) -> dict[str, dict]:
    """What Pagefind stored for each indexed page, by URL (fragments are gzipped JSON)."""
    stored = {}
    for bundle in bundles(root):
        for file in (bundle / "fragment").iterdir():
            data = json.loads(gzip.decompress(file.read_bytes()).removeprefix(search.SIGNATURE))
            assert data["url"] not in stored
            stored[data["url"]] = data
    return stored


def bundles(root: Path) -> list[Path]:
    """The main bundle, and the report pages' when the site has reports."""
    reports = root / "pagefind" / search.REPORTS_BUNDLE
    return [root / "pagefind", *([reports] if reports.is_dir() else [])]


def is_report_page(url: str) -> bool:
    """In any language: '/schools/1/' and '/es/schools/1/' alike."""
    parts = url.split("/")
    return parts[1] in ("schools", "reports", "reimbursement") or (
        parts[1] == "es" and parts[2] in ("schools", "reports", "reimbursement")
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


# --- the index ------------------------------------------------------------------------------


def test_the_index_holds_one_fragment_per_page_but_the_404_and_search_pages(built: Path) -> None:
    bundle = built / "pagefind"
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert (bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta").is_file()
    indexed = [path for path in html_paths(built) if path not in NOT_INDEXED]
    assert sorted(fragments(built)) == sorted(indexed)
    counts = [
        json.loads((bundle / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
        for bundle in bundles(built)
    ]
    in_reports = sum(is_report_page(path) for path in indexed)
    assert counts == [len(indexed) - in_reports, *([in_reports] if in_reports else [])]


def test_the_quality_criteria_table_is_on_the_page_but_not_in_the_index(built: Path) -> None:
    """It restates the page's facts; its criterion names would match every credential."""
    criteria = page(built, "/credentials/net-pro/").css_first("table.criteria")
    evidence = [text(row.css("td")[-1]) for row in criteria.css("tbody tr")]
    assert len(evidence) == 5 and all(evidence)
    stored = fragments(built)["/credentials/net-pro/"]["content"]
    assert "Quality rating" in stored  # the heading, with the rating, stays
    assert not [line for line in evidence if line in stored]


def test_the_templates_own_words_stay_out_of_the_index_and_the_credentials_facts_stay_in(
    built: Path, small_catalog: Path
) -> None:
    """What every credential page says alike (the breadcrumb, the key facts repeated below,
    captions, the shared sentences) matches every credential; the lists of credentials
    restate each one's own page. Both stay on the pages, out of the index."""
    catalog = load_catalog(small_catalog)
    credential = catalog.credentials["net-pro"]
    shown = text(page(built, "/credentials/net-pro/").css_first("main"))
    stored = fragments(built)["/credentials/net-pro/"]["content"]
    shared = ["toward the", "Five criteria decide the rating", "Facts last reviewed on", "Machine-readable"]
    shared.append("Linked occupations, with median yearly wage")
    for words in shared:
        assert words in shown and words not in stored, words
    facts = [
        credential.name,
        credential.summary,
        catalog.issuers[credential.issuer].name,
        *credential.certifies,
    ]
    assert all(fact in stored for fact in facts)
    for url in ("/credentials/", f"/career-fields/{credential.career_fields[0]}/"):
        assert credential.name in text(page(built, url).css_first("main"))
        assert credential.name not in fragments(built)[url]["content"], url


def test_only_main_is_indexed_and_noisy_parts_are_ignored(built: Path, small_catalog: Path) -> None:
    stored = fragments(built)
    credential = stored["/credentials/net-pro/"]
    assert credential["meta"]["title"] == load_catalog(small_catalog).credentials["net-pro"].name
    assert "Skip to main content" not in credential["content"]  # outside <main>
    assert "Download the data" not in credential["content"]  # the footer
    pathway = page(built, "/pathways/networking/")
    assert "data-pagefind-ignore" in pathway.css_first("figure.pathway-diagram").attributes


def test_credential_pages_carry_the_filters_and_metadata(built: Path, small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    derived = derive(catalog)
    stored = fragments(built)
    for key, credential in catalog.credentials.items():
        url = f"/credentials/{key}/"
        tree = page(built, url)
        assert tree.css_first("main h1").attributes["data-pagefind-weight"] == "10"

        def filter_values(name: str, tree: HTMLParser = tree) -> list[str]:
            return [text(node) for node in tree.css(f'[data-pagefind-filter="{name}"]')]

        fields = [catalog.career_fields[field].name for field in credential.career_fields]
        expected = {
            "career field": fields,
            "points": [str(credential.points)],
            "quality": [derived.quality[key].overall],
            "type": [credential.type.capitalize()],
            "status": [credential.status.capitalize()],
        }
        assert {name: filter_values(name) for name in expected} == expected, url
        assert text(tree.css_first('[data-pagefind-meta="points"]')) == str(credential.points)
        assert (
            text(tree.css_first('[data-pagefind-meta="issuer"]')) == catalog.issuers[credential.issuer].name
        )
        # and Pagefind read them so
        assert stored[url]["filters"] == {name: sorted(values) for name, values in expected.items()}, url
        assert stored[url]["meta"]["points"] == str(credential.points)
        assert stored[url]["meta"]["issuer"] == catalog.issuers[credential.issuer].name


def test_other_pages_carry_no_filters(built: Path) -> None:
    stored = fragments(built)
    for url, data in stored.items():
        if not url.startswith("/credentials/") or url == "/credentials/":
            assert data["filters"] == {}, url


# --- the pages ------------------------------------------------------------------------------


def test_the_header_search_opens_the_full_table_without_javascript(built: Path) -> None:
    for path in html_paths(built):
        tree = page(built, path)
        form = tree.css_first("header form[role=search]")
        # without JavaScript: the table, under the message that searching needs JavaScript
        assert form.attributes["action"] == "/credentials/#search-fallback", path
        assert form.attributes["data-search-action"] == "/search/", path
        scripts = {node.attributes["src"]: node.attributes for node in tree.css("head script[src]")}
        assert "defer" in scripts[ASSETS["search.js"]], path
    assert (built / ASSETS["search.js"].lstrip("/")).is_file()


def test_the_search_page_needs_no_inline_script_or_style(built: Path) -> None:
    tree = page(built, "/search/")
    assert text(tree.css_first("main h1")) == "Search"
    for script in tree.css("script"):
        assert script.attributes.get("src"), script.html
    assert tree.css("style") == []
    assert tree.css("[style]") == []
    assert [node.attributes["name"] for node in tree.css("[onclick], [onload], [onsubmit]")] == []
    message = tree.css_first("#search-needs-js")
    assert "needs JavaScript" in text(message)
    assert [a.attributes["href"] for a in message.css("a")] == [
        "/credentials/",
        "/career-fields/",
        "/pathways/",
    ]
    assert "also work without JavaScript" not in text(message)
    assert "hidden" in tree.css_first("#search-app").attributes
    assert tree.css_first("#search-q").attributes["name"] == "q"
    # a page for people: not for search engines, not in the site's own index
    assert tree.css_first("meta[name=robots]").attributes["content"] == "noindex"
    assert tree.css_first("link[rel=canonical]") is None


def test_the_report_pages_have_their_own_bundle_which_the_search_page_merges(
    sample_site: Path, built: Path
) -> None:
    """The report pages are cached with their bundle (site_builder.cache.PagesCache);
    search.js searches it with the main one."""
    reports = sample_site / "pagefind" / search.REPORTS_BUNDLE
    entry = json.loads((reports / "pagefind-entry.json").read_text())
    assert (reports / f"pagefind.{entry['languages']['en']['hash']}.pf_meta").is_file()
    in_reports = [url for url in fragments(sample_site) if is_report_page(url)]
    # one index per language of the site (SPEC 10), each of its own pages
    assert sum(index["page_count"] for index in entry["languages"].values()) == len(in_reports) > 100
    assert entry["languages"]["en"]["page_count"] == len(
        [url for url in in_reports if not url.startswith("/es/")]
    )
    app = page(sample_site, "/search/").css_first("#search-app")
    assert app.attributes["data-merge-index"] == search.REPORTS_BUNDLE_URL == "/pagefind/reports/"
    # a site without outcome data has one bundle, and nothing to merge
    assert bundles(built) == [built / "pagefind"]
    assert "data-merge-index" not in page(built, "/search/").css_first("#search-app").attributes


# --- reproducible --------------------------------------------------------------------------


def test_two_builds_are_byte_identical_including_the_index(small_catalog: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    build(small_catalog, tmp_path / "first", messages.append)
    build(small_catalog, tmp_path / "second")
    first, second = tree_bytes(tmp_path / "first"), tree_bytes(tmp_path / "second")
    assert any(name.startswith("pagefind/filter/") for name in first)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(message.startswith("built ") for message in messages)  # the progress line


def test_filter_files_do_not_depend_on_pagefinds_hash_map_order(built: Path) -> None:
    """Pagefind writes filter values in a random order; sorted_filters makes the bytes stable."""
    bundle = {
        path.relative_to(built / "pagefind").as_posix(): path.read_bytes()
        for path in (built / "pagefind").rglob("*")
        if path.is_file()
    }
    shuffled = dict(bundle)
    shuffler = random.Random(7)
    for name in bundle:
        if name.startswith("filter/"):
            filter_name, values = search.unpack(bundle[name])
            shuffler.shuffle(values)
            shuffled[name] = search.pack(search.cbor_encode([filter_name, values]))
    assert search.sorted_filters(shuffled) == search.sorted_filters(bundle) == bundle


def test_pages_are_fed_to_pagefind_sorted_by_url(built: Path) -> None:
    urls = [url for url, _ in search.searchable_pages(built)]
    assert urls == sorted(urls)
    assert not NOT_INDEXED & set(urls)


# --- what is sent to Pagefind ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, which has outcome data: school, report and reimbursement pages."""
    built = tmp_path_factory.mktemp("sample") / "public"
    build(SAMPLE_CATALOG.resolve(), built)
    return built


def test_leaving_out_what_pagefind_skips_gives_the_same_index_byte_for_byte(sample_site: Path) -> None:
    """Pagefind reads only <main> and skips data-pagefind-ignore contents itself; sending
    the rest changes nothing."""
    built = sample_site
    sent = search.searchable_pages(built)
    whole = []
    for url, _ in sent:
        relative = url.lstrip("/") + ("index.html" if url.endswith("/") else "")
        whole.append((url, (built / relative).read_text(encoding="utf-8")))
    school = next(url for url, _ in sent if url.startswith("/schools/") and url != "/schools/")
    assert len(dict(sent)[school]) < len(dict(whole)[school]) / 2  # its yearly tables are ignored
    assert search.run_coroutine(search.pagefind_files(sent)) == search.run_coroutine(
        search.pagefind_files(whole)
    )


def test_the_pages_handed_to_the_index_are_the_pages_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderers hand the index what it reads of each page, instead of it reading the
    pages back: exactly what reading them back gives."""
    handed: list[list[tuple[str, str]]] = []
    index_search = search.index_search

    def spy(out: Path, pages: list[tuple[str, str]] | None = None, reports: list | None = None) -> int:
        assert pages is not None and reports is not None
        handed.extend([pages, reports])
        return index_search(out, pages, reports)

    monkeypatch.setattr(search, "index_search", spy)
    monkeypatch.setattr(PagesCache, "find", lambda *_: None)  # every page drawn in this build
    build(SAMPLE_CATALOG.resolve(), tmp_path / "public")
    pages, reports = handed
    assert len(pages) > 100 and len(reports) > 100
    assert sorted(pages + reports) == search.searchable_pages(tmp_path / "public")
    assert all(is_report_page(url) for url, _ in reports)
    assert not any(is_report_page(url) for url, _ in pages)


def test_the_statewide_tables_stay_out_of_the_index(sample_site: Path) -> None:
    """A school is found by its own page and a credential by its own, not by every year's
    report and reimbursement tables."""
    stored = fragments(sample_site)
    year = max(int(url.split("/")[2]) for url in stored if url.startswith("/reports/2"))
    school_id, school = (
        (SAMPLE_CATALOG / "outcomes" / "schools.csv").read_text().splitlines()[1].split(",")[:2]
    )
    credential = load_catalog(SAMPLE_CATALOG).credentials["comptia-a-plus"].name
    assert school in stored[f"/schools/{school_id}/"]["content"]
    assert credential in stored["/credentials/comptia-a-plus/"]["content"]
    for url, name in ((f"/reimbursement/{year}/", school), (f"/reports/{year}/", credential)):
        assert name in text(page(sample_site, url).css_first("main")), url  # on the page
        assert name not in stored[url]["content"], url  # but not in its index entry
    assert "Payments by school" in stored[f"/reimbursement/{year}/"]["content"]  # only the table goes


def test_only_the_head_and_main_are_sent() -> None:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><title>T</title></head>\n<body class="b">'
        '<header>site header</header><main id="main"><h1>T</h1></main><footer>links</footer></body></html>'
    )
    assert search.indexed_html(html) == (
        '<!DOCTYPE html>\n<html lang="en"><head><title>T</title></head>\n<body class="b">'
        '<main id="main"><h1>T</h1></main></body></html>'
    )


def test_ignored_contents_are_left_out_and_the_tags_kept() -> None:
    html = (
        "<main><p>before</p>"
        '<section data-pagefind-ignore id="a"><section><p>inner</p></section><p>more</p></section>'
        "<p>between</p>"
        '<figure class="x" data-pagefind-ignore><svg><text>diagram</text></svg></figure>'
        "<p>after</p></main>"
    )
    assert search.indexed_html(html) == (
        "<main><p>before</p>"
        '<section data-pagefind-ignore id="a"></section>'
        "<p>between</p>"
        '<figure class="x" data-pagefind-ignore></figure>'
        "<p>after</p></main>"
    )


def test_an_ignored_element_holding_a_filter_or_left_open_is_sent_whole() -> None:
    with_filter = '<div data-pagefind-ignore><span data-pagefind-filter="points">4</span></div><p>x</p>'
    assert search.indexed_html(with_filter) == with_filter
    left_open = "<p>x</p><section data-pagefind-ignore><p>never closed</p>"
    assert search.indexed_html(left_open) == left_open
    nested = (
        '<div data-pagefind-ignore><p data-pagefind-meta="m">k</p>'
        "<aside data-pagefind-ignore><p>gone</p></aside></div>"
    )
    assert search.indexed_html(nested) == (
        '<div data-pagefind-ignore><p data-pagefind-meta="m">k</p><aside data-pagefind-ignore></aside></div>'
    )
