"""Every kind of page in a real browser: the credentials table with and without JavaScript,
the pathway diagram, no horizontal scroll at 320 px, and no axe-core violation."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import UNDOCUMENTED, Site


def page_of_every_kind(site: Site) -> dict[str, str]:
    """One URL path per page kind, found in the built sample."""

    def first(folder: str) -> str:
        return min(path.name for path in (site.root / folder).iterdir() if path.is_dir())

    return {
        "home": "/",
        "credentials index": "/credentials/",
        "credential": "/credentials/comptia-a-plus/",
        "career field": "/career-fields/health/",
        "pathway": "/pathways/it-support-to-networking/",
        "school index": "/schools/",
        "school": f"/schools/{first('schools')}/",
        "report": f"/reports/{first('reports')}/",
        "reimbursement": f"/reimbursement/{first('reimbursement')}/",
        "content page": "/about/",
        "search": "/search/?q=nurse",
        "data": "/data/",
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
    "home", "credentials index", "credential", "career field", "pathway", "school index", "school",
    "report", "reimbursement", "content page", "search", "data", "404", "contribute",
    "undocumented credential",
]  # fmt: skip


def open_page(page: Any, site: Site, kind: str) -> None:
    """Go to the page of ``kind`` and wait until its scripts have drawn it."""
    path = page_of_every_kind(site)[kind]
    if not served(site, path):
        pytest.skip(f"{path} is not built yet")
    page.goto(site.url(path))
    if kind == "search":
        page.wait_for_selector("#search-results > li")
        page.wait_for_selector("#search-filters fieldset")


def served(site: Site, path: str) -> bool:
    try:
        with urllib.request.urlopen(site.url(path)):
            return True
    except urllib.error.HTTPError:
        return False


# --- the credentials table ------------------------------------------------------------------


def test_without_javascript_the_credentials_table_shows_every_row_and_no_filters(
    no_js_page: Any, site: Site
) -> None:
    no_js_page.goto(site.url("/credentials/"))
    rows = no_js_page.locator("#credential-table tbody tr")
    assert rows.count() == len(site.catalog.credentials)
    assert no_js_page.locator("#credential-table tbody tr:visible").count() == rows.count()
    assert not no_js_page.locator("#credential-filters").is_visible()


def test_with_javascript_the_filters_narrow_the_credentials_table(page: Any, site: Site) -> None:
    page.goto(site.url("/credentials/"))
    visible = page.locator("#credential-table tbody tr:visible")
    assert page.locator("#credential-filters").is_visible()
    assert visible.count() == len(site.catalog.credentials)
    page.select_option("#filter-field", "health")
    in_field = [key for key, c in site.catalog.credentials.items() if "health" in c.career_fields]
    assert visible.count() == len(in_field)
    for fields in visible.evaluate_all("rows => rows.map(row => row.dataset.careerFields)"):
        assert "health" in fields.split()
    page.select_option("#filter-quality", "High")
    assert visible.count() < len(in_field)
    page.click("#credential-filters button[type=reset]")
    # a function, not an expression string: the site's CSP forbids evaluating strings
    page.wait_for_function(
        "total => document.querySelectorAll('#credential-table tbody tr:not([hidden])').length === total",
        arg=len(site.catalog.credentials),
    )


# --- the pathway diagram --------------------------------------------------------------------


def test_the_pathway_diagram_is_drawn(page: Any, site: Site) -> None:
    page.goto(site.url("/pathways/it-support-to-networking/"))
    box = page.locator(".pathway-diagram svg").bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0


# --- every kind of page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def narrow_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    yield context
    context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_scrolls_sideways_on_a_320px_screen(narrow_context: Any, site: Site, kind: str) -> None:
    page = narrow_context.new_page()
    try:
        open_page(page, site, kind)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{kind} page is {width}px wide: {wider_than_the_screen(page)}"
    finally:
        page.close()


def wider_than_the_screen(page: Any) -> list[str]:
    """The outermost elements reaching past the right edge, to say what to fix."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter(el => el.getBoundingClientRect().right > 320.5)
            .filter(el => !(el.parentElement && el.parentElement.getBoundingClientRect().right > 320.5))
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""))"""
    )


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_has_an_axe_violation(page: Any, site: Site, kind: str) -> None:
    open_page(page, site, kind)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{kind} page:\n{results.generate_report()}"


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
