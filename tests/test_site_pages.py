"""The rendered site (SPEC 6): every catalog page exists and shows what families and employers need.

Pages are checked by parsing their HTML with selectolax, never with regular expressions.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from site_builder.build import build
from site_builder.catalog import load_catalog
from site_builder.derive import derive
from site_builder.paths import SAMPLE_CATALOG, STATIC_DIR
from site_builder.site.writer import fingerprinted_assets

ASSETS = fingerprinted_assets(STATIC_DIR)

BASE_URL = "https://creds.northland.example"
CREDENTIAL_IDS = ["club-coder", "net-basics", "net-pro", "nurse-aide"]
CONTENT_PAGES = ["about", "how-points-work", "methodology", "propose-a-change", "faq"]
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
#: pages for people only: no canonical link, not in the sitemap (nor in the search index)
NOINDEX_PAGES = ("/404.html", "/search/")


class BuiltSite:
    """A built output folder, with helpers to read its pages."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def file(self, url_path: str) -> Path:
        relative = url_path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        return self.root / relative

    def page(self, url_path: str) -> HTMLParser:
        return HTMLParser(self.file(url_path).read_text(encoding="utf-8"))

    def html_paths(self) -> list[str]:
        """URL path of every HTML page, e.g. '/credentials/net-pro/' or '/404.html'."""
        paths = []
        for file in sorted(self.root.rglob("*.html")):
            relative = file.relative_to(self.root).as_posix()
            if relative == "index.html":
                paths.append("/")
            elif relative.endswith("/index.html"):
                paths.append("/" + relative.removesuffix("index.html"))
            else:
                paths.append("/" + relative)
        return paths


@pytest.fixture
def site(small_catalog: Path, tmp_path: Path) -> BuiltSite:
    build(small_catalog, tmp_path / "public")
    return BuiltSite(tmp_path / "public")


def text(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def table_rows(tree: HTMLParser, selector: str) -> list[Node]:
    return tree.css(f"{selector} tbody tr")


# --- every page exists ------------------------------------------------------------------


def test_every_catalog_page_is_written(site: BuiltSite) -> None:
    expected = [
        "/",
        "/credentials/",
        *(f"/credentials/{key}/" for key in CREDENTIAL_IDS),
        "/career-fields/",
        "/career-fields/health/",
        "/career-fields/it/",
        "/pathways/",
        "/pathways/networking/",
        *(f"/{stem}/" for stem in CONTENT_PAGES),
        "/404.html",
        "/sitemap.xml",
        "/robots.txt",
        ASSETS["site.css"],
        ASSETS["filters.js"],
    ]
    missing = [path for path in expected if not site.file(path).is_file()]
    assert missing == []


def test_sitemap_lists_every_page_but_404_with_absolute_urls(site: BuiltSite) -> None:
    tree = ET.parse(site.root / "sitemap.xml")
    urls = [loc.text for loc in tree.getroot().findall("sm:url/sm:loc", SITEMAP_NS)]
    pages = [path for path in site.html_paths() if path not in NOINDEX_PAGES]
    assert urls == sorted(urls)
    assert sorted(urls) == sorted(BASE_URL + path for path in pages)
    assert f"{BASE_URL}/credentials/net-pro/" in urls
    assert all(url.startswith(BASE_URL + "/") for url in urls)
    assert tree.getroot().find("sm:url/sm:lastmod", SITEMAP_NS) is None


def test_robots_allows_all_and_points_to_the_sitemap(site: BuiltSite) -> None:
    robots = site.file("/robots.txt").read_text().splitlines()
    assert "User-agent: *" in robots
    assert "Allow: /" in robots
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in robots


# --- home page ---------------------------------------------------------------------------


def test_home_page_has_search_field_grid_and_figures(site: BuiltSite) -> None:
    home = site.page("/")
    # without JavaScript the search falls back to the full credentials table
    # without JavaScript: the table, under the message that searching needs JavaScript
    forms = [
        form
        for form in home.css("main form")
        if form.attributes.get("action") == "/credentials/#search-fallback"
    ]
    assert forms and forms[0].attributes.get("method") == "get"
    assert forms[0].attributes.get("data-search-action") == "/search/"
    query = forms[0].css_first("input[name=q]")
    label = home.css_first(f"label[for={query.attributes['id']}]")
    assert text(label)
    cards = {text(card.css_first("h3 a")): card for card in home.css(".card-grid .card")}
    assert list(cards) == ["Health Science", "Information Technology"]
    assert cards["Health Science"].css_first("a").attributes["href"] == "/career-fields/health/"
    # club-coder is retired, so IT has three approved credentials (nurse-aide is in both fields)
    assert text(cards["Information Technology"].css_first(".card-count")) == "3 approved credentials"
    figures = {
        text(li.css_first(".figure-label")): text(li.css_first(".figure-number"))
        for li in home.css(".figures li")
    }
    assert figures == {
        "approved credentials": "3",
        "career fields": "2",
        "stackable pathways": "1",
        "rated High quality": "1",  # net-pro meets all five criteria
    }


def test_every_page_has_the_header_search_and_navigation(site: BuiltSite) -> None:
    for path in site.html_paths():
        tree = site.page(path)
        search = tree.css_first("header form[role=search]")
        # without JavaScript the box opens the full table; search.js switches it to /search/
        assert search.attributes["action"] == "/credentials/#search-fallback", path
        assert search.attributes["data-search-action"] == "/search/", path
        assert tree.css_first(f"label[for={search.css_first('input[name=q]').attributes['id']}]")
        nav = [a.attributes["href"] for a in tree.css("header nav a")]
        assert nav == [
            "/credentials/",
            "/career-fields/",
            "/pathways/",
            "/about/",
            "/how-points-work/",
            "/methodology/",
        ], path
        assert tree.css_first("a.skip-link").attributes["href"] == "#main"
        assert tree.css_first("main#main") is not None
        footer_links = [a.attributes["href"] for a in tree.css("footer a")]
        assert {"/methodology/", "/propose-a-change/", "/data/"} <= set(footer_links)


# --- credentials table ----------------------------------------------------------------------


def test_credentials_table_has_one_row_per_credential_sorted_by_name(
    site: BuiltSite, small_catalog: Path
) -> None:
    catalog = load_catalog(small_catalog)
    derived = derive(catalog)
    tree = site.page("/credentials/")
    table = tree.css_first("table#credential-table")
    assert text(table.css_first("caption"))
    assert all(th.attributes.get("scope") == "col" for th in table.css("thead th"))
    rows = table_rows(tree, "table#credential-table")
    names = [text(row.css_first("th[scope=row] a")) for row in rows]
    assert names == sorted((c.name for c in catalog.credentials.values()), key=str.casefold)
    for row in rows:
        key = row.css_first("a").attributes["href"].split("/")[2]
        credential = catalog.credentials[key]
        cells = [text(cell) for cell in row.css("td")]
        points, quality, issuer, field, kind, status = cells
        assert issuer == catalog.issuers[credential.issuer].name
        assert field == catalog.career_fields[credential.career_fields[0]].name
        assert points == str(credential.points) == row.attributes["data-points"]
        assert quality == derived.quality[key].overall == row.attributes["data-quality"]
        assert kind.lower() == credential.type == row.attributes["data-type"]
        assert status.lower() == credential.status == row.attributes["data-status"]
        assert row.attributes["data-career-fields"].split() == credential.career_fields


def test_credential_filters_work_without_javascript(site: BuiltSite) -> None:
    """The filters are shown without a script (behind a button on a phone): a generated
    stylesheet hides the rows that do not match; filters.js adds the count (site/filters.py)."""
    tree = site.page("/credentials/")
    form = tree.css_first("details#filter-panel > form#credential-filters")
    assert "hidden" not in form.attributes
    assert tree.css_first("details#filter-panel > summary") is not None
    filters = {select.attributes["data-filter"] for select in form.css("select")}
    assert filters == {"career-fields", "points", "quality", "type", "status"}
    assert tree.css_first("head link[href='/credentials/filters.css']") is not None
    stylesheet = site.file("/credentials/filters.css").read_text(encoding="utf-8")
    assert (
        '#filter-panel:has(#filter-field option[value="health"]:checked) ~ .table-scroll '
        '#credential-table > tbody > tr:not([data-career-fields~="health"])'
    ) in stylesheet
    assert stylesheet.rstrip().endswith("display: none;\n}")
    for select in form.css("select"):
        assert tree.css_first(f"label[for={select.attributes['id']}]") is not None
    assert tree.css_first("#filter-count").attributes.get("aria-live") == "polite"
    scripts = [s for s in tree.css("script") if s.attributes.get("src")]
    assert [s.attributes["src"] for s in scripts] == [ASSETS["search.js"], ASSETS["filters.js"]]
    assert all("defer" in script.attributes for script in scripts)


# --- credential page ---------------------------------------------------------------------------


def test_credential_page_shows_the_five_criteria_with_evidence(site: BuiltSite, small_catalog: Path) -> None:
    derived = derive(load_catalog(small_catalog))
    for key in CREDENTIAL_IDS:
        tree = site.page(f"/credentials/{key}/")
        rows = table_rows(tree, "table.criteria")
        shown = [
            (row.attributes["data-criterion"], row.attributes["data-rating"], text(row.css("td")[1]))
            for row in rows
        ]
        expected = [(c.criterion, c.rating, c.evidence) for c in derived.quality[key].criteria]
        assert shown == expected, key
        assert text(tree.css_first("h2#quality")).endswith(derived.quality[key].overall)


def test_credential_page_shows_facts_for_families_and_employers(site: BuiltSite) -> None:
    tree = site.page("/credentials/net-pro/")
    assert text(tree.css_first("h1")) == "Network Professional"
    facts = {
        text(dt): text(dt.next) if dt.next.tag == "dd" else text(dt.next.next)
        for dt in tree.css("dl.facts dt")
    }
    assert facts["Issued by"].startswith("NetCo")
    assert facts["Exam fee"] == "$100"
    assert facts["Valid for"] == "2 years"
    assert facts["College credit"] == "3 college credit hours"
    assert facts["How to verify a holder"] == "https://netco.example/verify"
    occupation = table_rows(tree, "section:has(h2#jobs) table")[0]
    assert "15-1231" in text(occupation)
    assert "$68,000" in text(occupation) and "2024" in text(occupation)
    assert "In demand" in text(occupation)
    retired = site.page("/credentials/club-coder/")
    status = {text(dt): text(dt.next.next) for dt in retired.css("dl.facts dt")}
    assert "June 30, 2024" in status["Status"]
    assert status["How to verify a holder"].startswith("No public verification")


def test_stacks_to_and_builds_on_are_linked_both_ways(site: BuiltSite) -> None:
    basics = site.page("/credentials/net-basics/")
    assert [a.attributes["href"] for a in basics.css("#prepares-for a")] == ["/credentials/net-pro/"]
    assert basics.css_first("#builds-on") is None
    assert [a.attributes["href"] for a in basics.css("#in-pathways a")] == ["/pathways/networking/"]
    pro = site.page("/credentials/net-pro/")
    assert [a.attributes["href"] for a in pro.css("#builds-on a")] == ["/credentials/net-basics/"]
    assert text(pro.css_first("#builds-on a")) == "Network Basics"


def test_credential_json_ld_describes_the_credential(site: BuiltSite) -> None:
    tree = site.page("/credentials/net-pro/")
    scripts = tree.css("script[type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationalOccupationalCredential"
    assert data["name"] == "Network Professional"
    assert data["url"] == f"{BASE_URL}/credentials/net-pro/"
    assert data["url"] == tree.css_first("link[rel=canonical]").attributes["href"]
    # the issuer provides it; the small catalog names no agency, so nothing recognizes it
    assert data["provider"] == {"@type": "Organization", "name": "NetCo", "url": "https://netco.example"}
    assert "recognizedBy" not in data
    assert data["validFor"] == "P2Y"
    assert data["offers"]["price"] == "100.00" and data["offers"]["priceCurrency"] == "USD"
    assert [code["codeValue"] for code in data["occupationalCategory"]] == ["15-1231"]
    assert data["competencyRequired"] == ["Doing the job safely"]


# --- career fields and pathways ------------------------------------------------------------------


def test_career_field_page_lists_credentials_by_points_and_pathways(site: BuiltSite) -> None:
    tree = site.page("/career-fields/it/")
    rows = table_rows(tree, "table.credential-table")
    points = [int(row.attributes["data-points"]) for row in rows]
    assert points == sorted(points, reverse=True) == [12, 9, 3, 1]
    assert [a.attributes["href"] for a in tree.css("section:has(h2#field-pathways) a")] == [
        "/pathways/networking/"
    ]
    assert "12 points" in text(tree.css_first(".callout"))
    health = site.page("/career-fields/health/")
    assert [text(row.css_first("th a")) for row in table_rows(health, "table")] == ["Northland Nurse Aide"]
    index = site.page("/career-fields/")
    assert [a.attributes["href"] for a in index.css(".card h2 a")] == [
        "/career-fields/health/",
        "/career-fields/it/",
    ]


def test_pathway_diagram_is_an_accessible_svg(site: BuiltSite) -> None:
    tree = site.page("/pathways/networking/")
    svg = tree.css_first("main svg")
    assert svg.attributes["role"] == "img"
    assert "viewBox" in svg.attributes or "viewbox" in svg.attributes
    assert svg.attributes["width"] == "100%"
    for ref in svg.attributes["aria-labelledby"].split():
        assert tree.css_first(f"#{ref}") is not None
    assert text(svg.css_first("title"))
    assert "list of steps" in text(svg.css_first("desc"))
    assert tree.css_first("ol#pathway-steps") is not None
    assert tree.css_first("figcaption a").attributes["href"] == "#pathway-steps"
    steps = tree.css("ol#pathway-steps > li")
    assert [text(step.css_first(".step-total strong")) for step in steps] == ["3", "4–12"]
    # 3 + (1 or 9): the goal can only be reached at step 2 with the 9-point choice
    assert [m.attributes["data-step"] for m in tree.css("svg .goal-marker")] == ["2"]
    assert tree.css_first("svg g.goal-possible").attributes["data-step"] == "2"
    assert tree.css_first("svg g.goal-reached") is None


def test_pathway_goal_marker_is_on_the_step_that_reaches_the_goal(
    small_catalog: Path, tmp_path: Path
) -> None:
    (small_catalog / "pathways" / "reach.yml").write_text(
        "name: Straight to the goal\ncareer_field: it\nsummary: Basics, then the professional exam.\n"
        "steps:\n  - credentials: [net-basics]\n  - credentials: [net-pro]\n  - credentials: [club-coder]\n"
    )
    build(small_catalog, tmp_path / "public")
    tree = BuiltSite(tmp_path / "public").page("/pathways/reach/")
    assert [g.attributes["data-step"] for g in tree.css("svg g.goal-reached")] == ["2"]
    assert [m.attributes["data-step"] for m in tree.css("svg .goal-marker")] == ["2"]
    marked = tree.css("ol#pathway-steps > li.step-goal-reached")
    assert [li.attributes["data-step"] for li in marked] == ["2"]
    assert "step 2" in text(tree.css_first("main dl.facts"))


# --- every page ------------------------------------------------------------------------------------


def test_each_page_has_one_h1_a_unique_title_and_a_description(site: BuiltSite) -> None:
    titles = []
    for path in site.html_paths():
        tree = site.page(path)
        assert len(tree.css("h1")) == 1, path
        assert tree.css_first("html").attributes["lang"] == "en"
        assert tree.css_first("meta[name=viewport]") is not None
        assert tree.css_first("meta[name=description]").attributes["content"], path
        titles.append(text(tree.css_first("title")))
        if path not in NOINDEX_PAGES:
            canonical = tree.css_first("link[rel=canonical]").attributes["href"]
            assert canonical == BASE_URL + path
        for tag in ("header", "nav", "main", "footer"):
            assert tree.css_first(tag) is not None, (path, tag)
    assert len(titles) == len(set(titles))


def test_no_page_loads_anything_from_another_site(site: BuiltSite) -> None:
    for path in site.html_paths():
        tree = site.page(path)
        loaded = [node.attributes.get("src") or "" for node in tree.css("script, img, iframe, source")]
        loaded += [
            link.attributes.get("href") or ""
            for link in tree.css("link")
            if link.attributes.get("rel") != "canonical"
        ]
        assert all(url.startswith("/") and not url.startswith("//") for url in loaded if url), (path, loaded)
    css = (site.root / ASSETS["site.css"].lstrip("/")).read_text()
    assert "url(" not in css and "@import" not in css


def test_pages_have_no_inline_scripts_styles_or_handlers(site: BuiltSite) -> None:
    for path in site.html_paths():
        tree = site.page(path)
        assert tree.css("style") == [], path
        for node in tree.css("*"):
            assert "style" not in node.attributes, (path, node.tag)
            assert not [name for name in node.attributes if name.lower().startswith("on")], (path, node.tag)
        for script in tree.css("script"):
            assert script.attributes.get("type") == "application/ld+json" or script.attributes.get("src"), (
                path
            )


def test_content_pages_render_their_front_matter_and_markdown(site: BuiltSite) -> None:
    about = site.page("/about/")
    assert text(about.css_first("h1")) == "About this site"
    body = text(about.css_first("main"))
    assert "Ohio" in body and "sample" in body and "synthetic" in body
    methodology = text(site.page("/methodology/").css_first("main"))
    for word in ("Meets", "Partially meets", "Does not meet", "High", "Moderate", "Limited", "75%"):
        assert word in methodology
    assert "pull request" in text(site.page("/propose-a-change/").css_first("main"))
    not_found = site.page("/404.html")
    assert {a.attributes["href"] for a in not_found.css("main a")} >= {"/", "/credentials/"}


def test_sample_notice_is_shown_on_every_page(small_catalog: Path, tmp_path: Path) -> None:
    site_yml = small_catalog / "site.yml"
    site_yml.write_text(site_yml.read_text() + "sample_notice: Made-up data for testing.\n")
    build(small_catalog, tmp_path / "public")
    built = BuiltSite(tmp_path / "public")
    for path in built.html_paths():
        assert "Made-up data for testing." in text(built.page(path).css_first(".sample-notice")), path


def test_two_builds_are_byte_identical(
    small_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717243200")  # 2024-06-01
    first, second = tmp_path / "first", tmp_path / "second"
    build(small_catalog, first)
    build(small_catalog, second)

    def contents(root: Path) -> dict[str, bytes]:
        return {
            path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
        }

    assert contents(first) == contents(second)
    footer = text(BuiltSite(first).page("/").css_first("footer time"))
    assert footer == "June 1, 2024"


# --- the bundled sample catalog ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    out = tmp_path_factory.mktemp("sample") / "public"
    build(SAMPLE_CATALOG, out)
    return BuiltSite(out)


def test_sample_has_a_page_for_every_credential_and_field(sample_site: BuiltSite) -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    assert len(catalog.credentials) >= 60
    assert len(catalog.career_fields) == 13
    missing = [
        path
        for path in (
            *(f"/credentials/{key}/" for key in catalog.credentials),
            *(f"/career-fields/{key}/" for key in catalog.career_fields),
            *(f"/pathways/{key}/" for key in catalog.pathways),
        )
        if not sample_site.file(path).is_file()
    ]
    assert missing == []
    rows = table_rows(sample_site.page("/credentials/"), "table#credential-table")
    assert len(rows) == len(catalog.credentials)


def test_sample_home_page_grid_has_the_13_career_fields(sample_site: BuiltSite) -> None:
    home = sample_site.page("/")
    assert len(home.css(".card-grid .card")) == 13
    about = text(sample_site.page("/about/").css_first("main"))
    assert "Ohio" in about


def test_sample_pages_have_one_h1_and_unique_titles(sample_site: BuiltSite) -> None:
    """Unique within each language (a page not yet translated has its twin's title)."""
    titles: dict[str, list[str]] = {}
    for path in sample_site.html_paths():
        tree = sample_site.page(path)
        assert len(tree.css("h1")) == 1, path
        titles.setdefault(tree.css_first("html").attributes["lang"], []).append(text(tree.css_first("title")))
    for same_language in titles.values():
        assert len(same_language) == len(set(same_language))


def test_static_assets_are_fingerprinted(site: BuiltSite) -> None:
    for url in ASSETS.values():
        assert re.fullmatch(r"/static/[a-z-]+\.[0-9a-f]{10}\.[a-z]+", url), url
        assert (site.root / url.lstrip("/")).is_file(), url
    assert not (site.root / "static/site.css").exists()
