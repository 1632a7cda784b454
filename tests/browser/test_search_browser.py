"""Search in a real browser (SPEC 6, /search/): exact names come first, filters narrow, the
keyboard keeps its place, and without JavaScript the page says what works instead."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from conftest import Site

NAMED = {"ServSafe Manager": "servsafe-manager", "CompTIA A+": "comptia-a-plus"}


def other_credentials(site: Site) -> list[str]:
    """Three more credentials, spread over the catalog: the first, middle and last by id."""
    ids = sorted(key for key in site.catalog.credentials if key not in NAMED.values())
    return [ids[0], ids[len(ids) // 2], ids[-1]]


def search(page: Any, site: Site, query: str) -> list[str]:
    """Type ``query`` into the /search/ box; the URLs of the results shown, in order."""
    if not page.url.startswith(site.url("/search/")):
        page.goto(site.url("/search/"))
    page.fill("#search-q", query)
    return results_for(page, query)


def results_for(page: Any, query: str) -> list[str]:
    page.wait_for_function(
        """query => {
            const count = document.getElementById("search-count");
            const shown = document.querySelectorAll("#search-results > li").length;
            const total = Number(count.getAttribute("data-count"));
            return count.textContent.includes("“" + query + "”") && shown === Math.min(total, 20);
        }""",
        arg=query,
    )
    return page.eval_on_selector_all(
        "#search-results > li h2 a", "links => links.map(a => a.getAttribute('href'))"
    )


def result_count(page: Any) -> int:
    return int(page.get_attribute("#search-count", "data-count"))


def test_the_header_search_box_opens_the_search_page_when_javascript_runs(page: Any, site: Site) -> None:
    page.goto(site.url("/about/"))
    assert page.get_attribute("header form[role=search]", "action") == "/search/"
    page.fill("#header-q", "welder")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/search/?q=welder")
    assert results_for(page, "welder")[0] == "/credentials/aws-certified-welder/"
    assert page.input_value("#search-q") == "welder"


def test_without_javascript_the_search_page_says_what_works_and_it_does(
    phone_no_js_page: Any, site: Site
) -> None:
    page = phone_no_js_page
    page.goto(site.url("/search/?q=nurse"))
    message = page.locator("#search-needs-js")
    assert message.is_visible()
    said = message.inner_text()
    assert "Search needs JavaScript" in said
    assert "also work without JavaScript" not in said
    links = message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["/credentials/", "/career-fields/", "/pathways/"]
    assert not page.locator("#search-app").is_visible()
    assert page.get_attribute("header form[role=search]", "action") == "/credentials/#search-fallback"
    # what it promises: the table of every credential, whose filters work without a script
    message.locator("a[href='/credentials/']").click()
    page.wait_for_url("**/credentials/")
    page.click("#filter-panel > summary")
    page.select_option("#filter-field", "health")
    in_field = [key for key, c in site.catalog.credentials.items() if "health" in c.career_fields]
    assert page.locator("#credential-table tbody tr:visible").count() == len(in_field)


@pytest.mark.parametrize("name", list(NAMED))
def test_a_credentials_exact_name_brings_it_first(page: Any, site: Site, name: str) -> None:
    results = search(page, site, name)
    assert results[0] == f"/credentials/{NAMED[name]}/", results[:5]


def test_other_exact_names_bring_their_credential_first(page: Any, site: Site) -> None:
    for credential_id in other_credentials(site):
        name = site.catalog.credentials[credential_id].name
        results = search(page, site, name)
        assert results[0] == f"/credentials/{credential_id}/", (name, results[:5])


def test_the_query_in_the_address_is_searched_and_results_show_issuer_and_points(
    page: Any, site: Site
) -> None:
    page.goto(site.url("/search/?q=" + "CompTIA%20Security%2B"))
    assert results_for(page, "CompTIA Security+")[0] == "/credentials/comptia-security-plus/"
    first = page.locator("#search-results > li").first
    assert "CompTIA" in first.locator(".search-result-meta").inner_text()
    assert "12 points" in first.locator(".search-result-meta").inner_text()


def test_a_career_field_filter_narrows_the_results(page: Any, site: Site) -> None:
    results = search(page, site, "certification")
    before = result_count(page)
    field_name = site.catalog.career_fields["health"].name
    page.check(f"#search-filters input[name='career field'][value={json.dumps(field_name)}]")
    page.wait_for_function(
        "before => Number(document.getElementById('search-count').getAttribute('data-count')) < before",
        arg=before,
    )
    results = results_for(page, "certification")
    after = result_count(page)
    assert 0 < after < before
    for url in results:
        credential_id = url.removeprefix("/credentials/").removesuffix("/")
        assert url.startswith("/credentials/") and credential_id in site.catalog.credentials, url
        assert "health" in site.catalog.credentials[credential_id].career_fields, url


def test_the_search_page_offers_every_filter(page: Any, site: Site) -> None:
    page.goto(site.url("/search/"))
    # open beside the results on a wide screen
    page.wait_for_selector("#search-filters fieldset")
    legends = page.eval_on_selector_all("#search-filters legend", "nodes => nodes.map(n => n.textContent)")
    assert legends == ["Career field", "Points", "Quality", "Type", "Status", "Qualifies for"]
    fields = page.eval_on_selector_all(
        "#search-filters input[name='career field']", "nodes => nodes.map(n => n.value)"
    )
    assert sorted(fields) == sorted(field.name for field in site.catalog.career_fields.values())
    programs = page.eval_on_selector_all(
        "#search-filters input[name='program']", "nodes => nodes.map(n => n.value)"
    )
    assert sorted(programs) == sorted(program.name for program in site.catalog.site.programs)


def test_a_schools_name_finds_its_page_in_the_report_pages_bundle(page: Any, site: Site) -> None:
    """The report pages have a search bundle of their own, merged into every search."""
    with (site.catalog.root / "outcomes" / "schools.csv").open(newline="") as file:
        school = next(csv.DictReader(file))
    results = search(page, site, school["name"])
    assert results[0] == f"/schools/{school['school_id']}/", results[:5]


# --- keyboard and phone ---------------------------------------------------------------------


def focused_href(page: Any) -> str | None:
    return page.evaluate("document.activeElement.getAttribute('href')")


def test_show_more_results_keeps_the_keyboard_users_place(page: Any, site: Site) -> None:
    """Each press of "Show more results" moves focus to the first result it adds, also the last
    press, after which the button is gone: focus never drops to the start of the page."""
    search(page, site, "certification")
    total = result_count(page)
    assert total > 2 * 20, "the sample should have results for three pages or more"
    shown = 20
    while shown < total:
        # reached by Tab from the last result, and pressed with Enter
        page.focus("#search-results > li:last-child h2 a")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "search-more"
        page.keyboard.press("Enter")
        page.wait_for_function(
            "shown => document.querySelectorAll('#search-results > li').length > shown", arg=shown
        )
        first_new = page.locator("#search-results > li").nth(shown).locator("h2 a").get_attribute("href")
        assert focused_href(page) == first_new
        shown = page.locator("#search-results > li").count()
    assert shown == total
    assert not page.locator("#search-more").is_visible()
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")


def test_on_a_phone_the_results_come_first_and_the_filters_open_by_keyboard(
    phone_page: Any, site: Site
) -> None:
    page = phone_page
    search(page, site, "certification")
    before = result_count(page)
    summary = page.locator("#search-filter-panel > summary")
    # about 35 checkboxes would push the results a screen down: they are behind one button
    assert not page.locator("#search-filters fieldset").first.is_visible()
    first_result = page.locator("#search-results > li").first.bounding_box()
    assert first_result["y"] - summary.bounding_box()["y"] < 150
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#search-filters fieldset").first.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.keyboard.press("Space")
    page.wait_for_function(
        "before => Number(document.getElementById('search-count').getAttribute('data-count')) < before",
        arg=before,
    )
