"""Every kind of page in a real browser: on a 320px phone, and a few on a 375px one (nothing
wider than the screen, the numbers that matter on it, chart text of 12px or more), the
credentials filters with and without JavaScript and by keyboard, every listing without
JavaScript in each language, the pathway diagram, and no axe-core violation."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import PHONE, UNDOCUMENTED, Site


def page_of_every_kind(site: Site) -> dict[str, str]:
    """One URL path per page kind, found in the built sample."""

    def first(folder: str) -> str:
        return min(path.name for path in (site.root / folder).iterdir() if path.is_dir())

    return {
        "home": "/",
        "credentials index": "/credentials/",
        "credential": "/credentials/comptia-a-plus/",
        "career fields index": "/career-fields/",
        "career field": "/career-fields/health/",
        "pathways index": "/pathways/",
        "pathway": "/pathways/it-support-to-networking/",
        "school index": "/schools/",
        "school": f"/schools/{first('schools')}/",
        "reports index": "/reports/",
        "report": f"/reports/{first('reports')}/",
        "reimbursement index": "/reimbursement/",
        "reimbursement": f"/reimbursement/{first('reimbursement')}/",
        "content page": "/about/",
        "search": "/search/?q=nurse",
        "data": "/data/",
        "changes": "/changes/",
        "404": "/404.html",
        # progressive facts (SPEC 8): the work queue, and a page with facts not yet documented
        "contribute": f"{UNDOCUMENTED}contribute/",
        "undocumented credential": f"{UNDOCUMENTED}credentials/{first_credential(site)}/",
    }


def first_credential(site: Site) -> str:
    """A credential of the undocumented copy that has facts left out (its first file)."""
    folder = site.root / UNDOCUMENTED.strip("/") / "credentials"
    return min(path.name for path in folder.iterdir() if path.is_dir())


KINDS = [
    "home", "credentials index", "credential", "career fields index", "career field",
    "pathways index", "pathway", "school index", "school", "reports index", "report",
    "reimbursement index", "reimbursement", "content page", "search", "data", "changes", "404",
    "contribute", "undocumented credential",
]  # fmt: skip

#: per page kind, the cells that hold what the page is for: on a phone each must be on the
#: screen, not in a column scrolled out of sight (the tables stack into cards, site.css)
KEY_CELLS = {
    "credentials index": "#credential-table td[data-label='Points'], #credential-table td[data-label='Quality']",
    "credential": "table.criteria td[data-label='Evidence'], table.criteria td[data-label='Rating']",
    "career field": ".credential-table td[data-label='Points']",
    "school index": ".district-total",
    "school": (
        "table.attainment-credentials td[data-label='Earned'], table.attainment-fields td.num, "
        "table.readiness td[data-label='Rate'], table.payments td[data-label='Paid']"
    ),
    "reports index": "#trend-table td.num",
    "report": "#credential-table td[data-label='Earned'], #readiness-table td[data-label='Rate'], #field-table td.num",
    "reimbursement index": "#reimbursement-years td[data-label='Factor'], #reimbursement-years td[data-label='Total paid']",
    "reimbursement": (
        "table.payments-table td[data-label='Claimed'], table.payments-table td[data-label='Paid'], "
        "[data-fact='factor'] dd"
    ),
    "contribute": "#credential-queue td[data-label='Not yet documented']",
    "data": ".download-table td[data-label='Size'], .column-table td[data-label='Meaning']",
    "undocumented credential": "table.criteria td[data-label='Evidence']",
}

#: pages whose layout changes most on a phone (stacked tables, filters behind a button): axe
#: checks them at 320px too (the others share their markup; each axe run takes seconds)
PHONE_AXE_KINDS = ["credentials index", "credential", "school", "search"]


def open_page(page: Any, site: Site, kind: str, language: str | None = None) -> None:
    """Go to the page of ``kind`` (in ``language``: its twin under /<language>/) and wait until
    its scripts have drawn it."""
    path = page_of_every_kind(site)[kind]
    if language is not None:
        site_root = UNDOCUMENTED if path.startswith(UNDOCUMENTED) else "/"
        path = f"{site_root}{language}/{path.removeprefix(site_root)}"
    if not served(site, path):
        pytest.skip(f"{path} is not built yet")
    page.goto(site.url(path))
    if kind == "search":
        page.wait_for_selector("#search-results > li")
        # behind the "Filter results" button on a phone
        page.wait_for_selector("#search-filters fieldset", state="attached")


def served(site: Site, path: str) -> bool:
    try:
        with urllib.request.urlopen(site.url(path)):
            return True
    except urllib.error.HTTPError:
        return False


# --- the credentials table: its filters work without JavaScript, and as with it ---------------

ROWS = "#credential-table tbody tr"


def row_facts(page: Any) -> list[dict[str, str]]:
    """Each row of the credentials table: its link and the data attributes the filters read."""
    return page.locator(ROWS).evaluate_all(
        "rows => rows.map(row => Object.assign({href: row.querySelector('th a').getAttribute('href')}, row.dataset))"
    )


def shown_rows(page: Any) -> list[str]:
    return page.locator(f"{ROWS}:visible th a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def matching(rows: list[dict[str, str]], attribute: str, match: str, wanted: str) -> list[str]:
    """The rule of site_builder/site/filters.py, written again: the rows a choice keeps."""
    key = "".join(part if i == 0 else part.title() for i, part in enumerate(attribute.split("-")))

    def keeps(row: dict[str, str]) -> bool:
        value = row.get(key, "")
        if match == "word":
            return wanted in value.split()
        if match == "at-least":
            return int(value) >= int(wanted)
        return value == wanted

    return [row["href"] for row in rows if keeps(row)]


def open_filters(page: Any) -> None:
    """On a phone the filters are behind their button (a <details>)."""
    if not page.locator("#filter-field").is_visible():
        page.click("#filter-panel > summary")
    assert page.locator("#filter-field").is_visible()


@pytest.mark.parametrize("javascript", [False, True], ids=["without JavaScript", "with JavaScript"])
def test_every_filter_option_shows_the_matching_credentials(
    request: pytest.FixtureRequest, site: Site, javascript: bool
) -> None:
    """Without JavaScript the generated stylesheet hides the rows; with it filters.js does too,
    and counts them: both show exactly the rows the rule keeps, for every option."""
    page = request.getfixturevalue("phone_page" if javascript else "phone_no_js_page")
    page.goto(site.url("/credentials/"))
    rows = row_facts(page)
    assert len(rows) == len(site.catalog.credentials) == len(shown_rows(page))
    assert not page.locator("#search-fallback").is_visible()
    open_filters(page)
    selects = page.locator("#credential-filters select").evaluate_all(
        "selects => selects.map(s => [s.id, s.dataset.filter, s.dataset.match, Array.from(s.options).map(o => o.value)])"
    )
    assert {attribute for _, attribute, _, _ in selects} >= {
        "career-fields",
        "points",
        "quality",
        "type",
        "status",
    }
    for select_id, attribute, match, values in selects:
        assert values[0] == ""
        for value in values[1:]:
            page.select_option(f"#{select_id}", value)
            expected = matching(rows, attribute, match, value)
            assert shown_rows(page) == expected, (select_id, value)
            if javascript:
                count = f"Showing {len(expected)} of {len(rows)} credentials"
                assert page.inner_text("#filter-count") == (
                    count if len(expected) < len(rows) else f"{len(rows)} credentials"
                )
            else:
                assert "match the filters" in page.inner_text("#filter-count")
        page.select_option(f"#{select_id}", "")
    # two filters at once keep the rows that match both
    page.select_option("#filter-field", "health")
    page.select_option("#filter-points", "6")
    both = set(matching(rows, "career-fields", "word", "health")) & set(
        matching(rows, "points", "at-least", "6")
    )
    assert 0 < len(shown_rows(page)) == len(both) and set(shown_rows(page)) == both
    page.click("#credential-filters button[type=reset]")
    page.wait_for_function(
        "total => document.querySelectorAll('#credential-table tbody tr:not([hidden])').length === total",
        arg=len(rows),
    )
    assert len(shown_rows(page)) == len(rows)
    assert page.inner_text("#filter-count") == f"{len(rows)} credentials"


@pytest.mark.parametrize("javascript", [False, True], ids=["without JavaScript", "with JavaScript"])
def test_the_filters_work_by_keyboard_on_a_phone(
    request: pytest.FixtureRequest, site: Site, javascript: bool
) -> None:
    page = request.getfixturevalue("phone_page" if javascript else "phone_no_js_page")
    page.goto(site.url("/credentials/"))
    rows = row_facts(page)
    # the results come first: the filters are one button above the table
    assert not page.locator("#filter-field").is_visible()
    summary = page.locator("#filter-panel > summary")
    assert summary.bounding_box()["y"] < page.locator(ROWS).first.bounding_box()["y"] < PHONE["height"] * 2
    for _ in range(60):
        page.keyboard.press("Tab")
        if summary.evaluate("node => node === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the filters' button")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-field"
    page.keyboard.press("ArrowDown")
    field = page.input_value("#filter-field")
    assert field
    assert shown_rows(page) == matching(rows, "career-fields", "word", field)


def test_on_a_wide_screen_the_filters_are_open_without_a_button(
    page: Any, no_js_page: Any, site: Site
) -> None:
    for each in (page, no_js_page):
        each.goto(site.url("/credentials/"))
        assert each.locator("#filter-field").is_visible()
        assert not each.locator("#filter-panel > summary").is_visible()


def test_without_javascript_the_header_search_says_that_searching_needs_it(
    phone_no_js_page: Any, site: Site
) -> None:
    page = phone_no_js_page
    page.goto(site.url("/about/"))
    page.fill("#header-q", "zqxjv <b>welding</b>")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/credentials/?q=*#search-fallback")
    message = page.locator("#search-fallback")
    assert message.is_visible()
    assert "needs JavaScript" in message.inner_text()
    links = message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["#credential-filters", "/career-fields/", "/pathways/"]
    # the words are neither searched nor written into the page
    assert "zqxjv" not in page.content()
    assert len(shown_rows(page)) == len(site.catalog.credentials)
    # its link opens the filters, which work
    message.locator("a[href='#credential-filters']").click()
    assert page.locator("#filter-field").is_visible()
    page.select_option("#filter-field", "health")
    assert 0 < len(shown_rows(page)) < len(site.catalog.credentials)


def test_the_home_search_box_leads_to_the_same_message_without_javascript(
    no_js_page: Any, site: Site
) -> None:
    no_js_page.goto(site.url("/"))
    no_js_page.fill("#home-q", "nurse")
    no_js_page.press("#home-q", "Enter")
    no_js_page.wait_for_url("**/credentials/?q=nurse#search-fallback")
    assert no_js_page.locator("#search-fallback").is_visible()


def test_a_search_sent_to_the_table_goes_on_to_the_search_page_when_javascript_runs(
    page: Any, site: Site
) -> None:
    """Typed before search.js pointed the box at /search/: the search is not lost."""
    page.goto(site.url("/credentials/?q=welder#search-fallback"))
    page.wait_for_url("**/search/?q=welder")
    page.wait_for_selector("#search-results > li")


# --- the pathway diagram --------------------------------------------------------------------


def test_the_pathway_diagram_is_drawn(page: Any, site: Site) -> None:
    page.goto(site.url("/pathways/it-support-to-networking/"))
    box = page.locator(".pathway-diagram svg").bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0


# --- every kind of page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone_context(browser: Any) -> Any:
    """One 320px context for the pages of every kind (a page each: fast), JavaScript on."""
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


#: a common larger phone (WCAG reflow is checked from 320px; most phones are 360-414px wide):
#: the pages whose tables and filters reflow most are checked at this width too
LARGE_PHONE_WIDTH = 375
LARGE_PHONE_KINDS = ["credentials index", "credential", "school", "reimbursement index"]

SCREENS = (
    [pytest.param(kind, PHONE["width"], None, id=kind) for kind in KINDS]
    + [
        pytest.param(kind, LARGE_PHONE_WIDTH, None, id=f"{kind} at {LARGE_PHONE_WIDTH}px")
        for kind in LARGE_PHONE_KINDS
    ]
    # Spanish words are longer (a three-column table of single words did not fit at 320px)
    + [pytest.param(kind, PHONE["width"], "es", id=f"{kind} in Spanish") for kind in KINDS if kind != "404"]
)


@pytest.mark.parametrize(("kind", "width", "language"), SCREENS)
def test_on_a_phone_screen_nothing_is_wider_and_what_matters_is_on_it(
    phone_context: Any, site: Site, kind: str, width: int, language: str | None
) -> None:
    page = phone_context.new_page()
    page.set_viewport_size({"width": width, "height": PHONE["height"]})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        open_page(page, site, kind, language)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width, (
            f"{kind} page is {scroll_width}px wide at {width}px: {wider_than_the_screen(page, width)}"
        )
        # no table scrolls sideways inside its box either: there would be no cue that it does
        boxes = page.locator(".table-scroll").evaluate_all(
            "boxes => boxes.filter(box => box.scrollWidth > box.clientWidth).map(box => box.getAttribute('aria-label'))"
        )
        assert boxes == [], f"{kind} page: these tables scroll sideways: {boxes}"
        if kind in KEY_CELLS and language is None:  # the cells are found by their English labels
            cells = page.locator(KEY_CELLS[kind]).evaluate_all(
                """cells => cells.map(cell => { const box = cell.getBoundingClientRect();
                    return [cell.textContent.trim(), box.left, box.right, box.width]; })"""
            )
            assert cells, f"{kind} page: no cell matches {KEY_CELLS[kind]}"
            off_screen = [cell for cell in cells if not (cell[1] >= 0 and cell[2] <= width and cell[3] > 0)]
            assert off_screen == [], f"{kind} page: cells off the screen: {off_screen[:5]}"
        # chart text, drawn in a scaled SVG, is still 12px or more
        sizes = page.locator("svg.chart text, svg.diagram text").evaluate_all(
            """texts => texts.map(text => { const svg = text.ownerSVGElement;
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale]; })"""
        )
        small = [(label, round(size, 1)) for label, size in sizes if size < 11.99]
        assert small == [], f"{kind} page: chart text under 12px: {small[:5]}"
    finally:
        page.close()
    assert not errors, f"errors in the browser console: {errors}"


def wider_than_the_screen(page: Any, width: int) -> list[str]:
    """The outermost elements reaching past the right edge, to say what to fix."""
    return page.evaluate(
        """edge => Array.from(document.querySelectorAll("body *"))
            .filter(el => el.getBoundingClientRect().right > edge)
            .filter(el => !(el.parentElement && el.parentElement.getBoundingClientRect().right > edge))
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""))""",
        width + 0.5,
    )


# --- every listing, without JavaScript ------------------------------------------------------

#: each listing page (SPEC 6) and the links that are its entries (``{root}``: the language's
#: root, / or /es/): on a school computer that blocks scripts, a family still finds every
#: credential, field, pathway, school, year and download. The downloads are the same files in
#: every language, under /data/.
LISTINGS = {
    "credentials/": "#credential-table tbody th a[href^='{root}credentials/']",
    "career-fields/": "a[href^='{root}career-fields/']",
    "pathways/": "a[href^='{root}pathways/']",
    "schools/": "a[href^='{root}schools/']",
    "reports/": "a[href^='{root}reports/']",
    "reimbursement/": "a[href^='{root}reimbursement/']",
    "changes/": ".change-list a[href^='{root}credentials/']",
    "data/": "a[href^='/data/']",
}

#: what a page says when it waits for a script or cannot work without one (English, Spanish);
#: "loading" alone is not enough: the change log quotes commit subjects such as "Catalog loading"
NEEDS_SCRIPT = re.compile(
    r"javascript|\b(loading|cargando)\s*(…|\.\.\.)|^\s*(loading|cargando)\W*$|please wait|espere",
    re.IGNORECASE | re.MULTILINE,
)


@pytest.mark.parametrize("language", [None, "es"], ids=["English", "Spanish"])
def test_every_listing_shows_its_entries_as_links_without_javascript(
    phone_no_js_page: Any, site: Site, language: str | None
) -> None:
    """One page visits every listing (a page load each: the check stays fast) and says every
    listing that fails, not only the first."""
    root = f"/{language}/" if language else "/"
    # the listings of the catalog itself show every entry, each once
    every = {
        "credentials/": site.catalog.credentials,
        "career-fields/": site.catalog.career_fields,
        "pathways/": site.catalog.pathways,
    }
    problems = []
    for path, selector in LISTINGS.items():
        url = root + path
        phone_no_js_page.goto(site.url(url))
        main = phone_no_js_page.locator("main")
        links = main.locator(selector.format(root=root)).filter(visible=True)
        hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if not hrefs:
            problems.append(f"{url}: no entry is shown as a link")
        elif path in every and not len(hrefs) == len(set(hrefs)) == len(every[path]):
            problems.append(f"{url}: {len(set(hrefs))} entries shown, of {len(every[path])}")
        if said := NEEDS_SCRIPT.search(main.inner_text()):
            problems.append(f"{url}: says {said.group(0)!r}")
    assert problems == [], "without JavaScript:\n" + "\n".join(problems)


def test_a_stacked_table_keeps_its_table_semantics(phone_page: Any, site: Site) -> None:
    """On a phone a school's table is a card per row; screen readers still get a table whose
    cells have their column headers (roles in the markup), and no label read twice."""
    phone_page.goto(site.url(page_of_every_kind(site)["school"]))
    table = phone_page.locator("table.attainment-credentials").first
    assert table.evaluate("node => getComputedStyle(node).display") == "block"
    snapshot = table.aria_snapshot()
    assert "- table" in snapshot and "- row" in snapshot
    assert '- columnheader "Earned"' in snapshot
    assert "- rowheader" in snapshot and "- cell" in snapshot
    assert "Earned:" not in snapshot


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_has_an_axe_violation(page: Any, site: Site, kind: str) -> None:
    open_page(page, site, kind)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{kind} page:\n{results.generate_report()}"


@pytest.mark.parametrize("kind", KINDS)
def test_no_spanish_page_has_an_axe_violation(page: Any, site: Site, kind: str) -> None:
    open_page(page, site, kind, language="es")
    assert page.locator("html").get_attribute("lang") == "es"
    results = Axe().run(page)
    assert results.violations_count == 0, f"Spanish {kind} page:\n{results.generate_report()}"


@pytest.mark.parametrize("kind", PHONE_AXE_KINDS)
def test_no_page_has_an_axe_violation_on_a_phone(phone_page: Any, site: Site, kind: str) -> None:
    open_page(phone_page, site, kind)
    results = Axe().run(phone_page)
    assert results.violations_count == 0, f"{kind} page at 320px:\n{results.generate_report()}"


def test_the_work_queue_works_without_javascript(no_js_page: Any, site: Site) -> None:
    no_js_page.goto(site.url(f"{UNDOCUMENTED}contribute/"))
    rows = no_js_page.locator("#credential-queue tbody tr")
    assert rows.count() == 5
    assert "assessment" in rows.first.inner_text()
    assert no_js_page.locator("#credential-queue a[href*='/edit/main/catalog/credentials/']").count() == 5


def test_with_javascript_the_program_filter_narrows_the_credentials_table(page: Any, site: Site) -> None:
    page.goto(site.url("/credentials/"))
    visible = page.locator("#credential-table tbody tr:visible")
    page.select_option("#filter-program", "exam-fee")
    members = [
        key
        for key, credential in site.catalog.credentials.items()
        if any(membership.program == "exam-fee" for membership in credential.programs)
    ]
    assert 0 < visible.count() == len(members) < len(site.catalog.credentials)
    for programs in visible.evaluate_all("rows => rows.map(row => row.dataset.programs)"):
        assert "exam-fee" in programs.split()
    page.select_option("#filter-field", "information-technology")
    assert 0 < visible.count() < len(members)
