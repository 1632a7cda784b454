"""School, statewide-report and reimbursement pages (SPEC 6), drawn from the protected reports.

The bundled sample is built once for the module, and so is the small catalog with its small
outcome package (hand-checkable numbers, one year). Pages are parsed with selectolax; the
numbers on them are compared with the CSV downloads, which come from the same reports.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from catalog_factory import write_catalog, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from site_builder.build import build
from site_builder.catalog import load_catalog
from site_builder.paths import PROJECT_ROOT, SAMPLE_CATALOG, STATIC_DIR
from site_builder.site.writer import fingerprinted_assets

ASSETS = fingerprinted_assets(STATIC_DIR)

EPOCH = "1700000000"
STATUSES = {"published", "suppressed", "suppressed-complementary", "top-coded", "bottom-coded"}


class Site:
    """A built output folder of a catalog with outcome data."""

    def __init__(self, root: Path, catalog_dir: Path) -> None:
        self.root = root
        self.catalog = load_catalog(catalog_dir)
        self.min_cell = self.catalog.site.min_cell
        self.years = sorted(int(p.stem.split("-")[1]) for p in (root / "data").glob("attainment-*.csv"))

    def file(self, url_path: str) -> Path:
        relative = url_path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        return self.root / relative

    def page(self, url_path: str) -> HTMLParser:
        return HTMLParser(self.file(url_path).read_text(encoding="utf-8"))

    def csv(self, name: str) -> list[dict[str, str]]:
        with (self.root / "data" / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def school_ids(self) -> list[str]:
        return sorted(path.name for path in (self.root / "schools").iterdir() if path.is_dir())


def build_site(catalog_dir: Path, out: Path) -> Site:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(catalog_dir, out)
    return Site(out, catalog_dir)


@pytest.fixture(scope="module", params=["sample", "small"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The bundled sample, and the small test catalog with its small outcome package."""
    if request.param == "sample":
        return build_site(SAMPLE_CATALOG.resolve(), tmp_path_factory.mktemp("sample") / "public")
    root = tmp_path_factory.mktemp("small")
    catalog_dir = write_catalog(root)
    write_outcomes(catalog_dir)
    return build_site(catalog_dir, root / "public")


def text(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def cells(row: Node) -> list[str]:
    return [text(cell) for cell in row.css("td")]


def as_number(shown: str) -> int | None:
    """'1,234' -> 1234; hidden texts ('<10', 'suppressed') -> None."""
    plain = shown.replace(",", "")
    return int(plain) if plain.isdigit() else None


def as_dollars(shown: str) -> Decimal | None:
    plain = shown.replace(",", "").removeprefix("$")
    return None if plain == "suppressed" else Decimal(plain)


def assert_protected_count(shown: str, min_cell: int, where: str) -> None:
    """A count cell shows 0, a number >= min_cell, '<min_cell' or 'suppressed': never 1..min_cell-1."""
    number = as_number(shown)
    if number is None:
        assert shown in (f"<{min_cell}", "suppressed"), where
    else:
        assert number == 0 or number >= min_cell, where


# --- every page exists ----------------------------------------------------------------------


def test_every_school_year_and_program_has_a_page(site: Site) -> None:
    schools = {row["school_id"] for year in site.years for row in site.csv(f"attainment-{year}.csv")}
    assert schools and schools <= set(site.school_ids())
    for school_id in site.school_ids():
        assert text(site.page(f"/schools/{school_id}/").css_first("h1")), school_id
    for path in ["/schools/", "/reports/", "/reimbursement/"]:
        assert site.file(path).is_file(), path
    for year in site.years:
        assert site.file(f"/reports/{year}/").is_file()
        assert site.file(f"/reimbursement/{year}/").is_file()
    sitemap = (site.root / "sitemap.xml").read_text()
    base = site.catalog.site.base_url.rstrip("/")
    for path in ["/schools/", f"/schools/{site.school_ids()[0]}/", f"/reports/{site.years[-1]}/"]:
        assert f"<loc>{base}{path}</loc>" in sitemap


def test_navigation_and_home_figure_point_to_the_reports(site: Site) -> None:
    latest = site.years[-1]
    home = site.page("/")
    nav = [a.attributes["href"] for a in home.css("header nav a")]
    assert "/schools/" in nav and f"/reports/{latest}/" in nav
    figures = {
        text(li.css_first(".figure-label")): text(li.css_first(".figure-number"))
        for li in home.css(".figures li")
    }
    report = site.page(f"/reports/{latest}/")
    headline = {
        text(li.css_first(".figure-label")): text(li.css_first(".figure-number"))
        for li in report.css("#headline li")
    }
    assert figures[f"credentials earned in {latest}"] == headline["credentials earned"]


def test_schools_index_lists_every_school_by_district_and_a_to_z(site: Site) -> None:
    tree = site.page("/schools/")
    by_district = [
        a.attributes["href"] for a in tree.css(".district-list .district a") if a.attributes["href"]
    ]
    a_to_z = [a.attributes["href"] for a in tree.css(".school-az a")]
    expected = sorted(f"/schools/{key}/" for key in site.school_ids())
    assert sorted(by_district) == expected
    assert sorted(a_to_z) == expected
    names = [text(a) for a in tree.css(".school-az a")]
    assert names == sorted(names, key=str.casefold)
    for district in tree.css(".district-list .district"):
        assert text(district.css_first("h3"))
        total = text(district.css_first(".district-total"))
        assert "credentials earned in" in total or total.startswith("No credentials reported")
    # nothing on the page needs JavaScript: the only script is the site-wide search box's
    assert [script.attributes.get("src") for script in tree.css("script")] == [ASSETS["search.js"]]


# --- school pages ----------------------------------------------------------------------------


def test_school_pages_show_the_same_numbers_as_the_downloads(site: Site) -> None:
    names = {key: credential.name for key, credential in site.catalog.credentials.items()}
    for year in site.years:
        attainment: dict[str, dict[str, str]] = {}
        for row in site.csv(f"attainment-{year}.csv"):
            attainment.setdefault(row["school_id"], {})[names[row["credential_id"]]] = row["earned"]
        readiness = {row["school_id"]: row for row in site.csv(f"readiness-{year}.csv")}
        payments: dict[str, dict[str, dict[str, str]]] = {}
        for row in site.csv(f"reimbursement-{year}.csv"):
            payments.setdefault(row["school_id"], {})[row["program"]] = row
        for school_id in site.school_ids():
            section = site.page(f"/schools/{school_id}/").css_first(f"section#year-{year}")
            assert section is not None, (school_id, year)
            shown = {
                text(row.css_first("th")): cells(row)[-1]
                for row in section.css("table.attainment-credentials tbody tr")
            }
            assert {name: value.replace(",", "") for name, value in shown.items()} == attainment.get(
                school_id, {}
            ), (school_id, year)
            table = section.css_first("table.readiness")
            if school_id in readiness:
                expected = readiness[school_id]
                graduates, met, rate = cells(table.css_first("tbody tr"))
                assert (graduates.replace(",", ""), met.replace(",", ""), rate) == (
                    expected["graduates"],
                    expected["met_points_target"],
                    expected["rate"],
                )
            else:
                assert table is None
            shown_payments = {
                row.attributes["data-program"]: cells(row) for row in section.css("table.payments tbody tr")
            }
            expected_payments = {
                program: [row["claimed_usd"], row["paid_usd"]]
                for program, row in payments.get(school_id, {}).items()
            }
            assert {
                program: [str(as_dollars(value) or "suppressed") for value in shown[1:]]
                for program, shown in shown_payments.items()
            } == expected_payments, (school_id, year)


def test_school_attainment_tables_never_show_a_small_count(site: Site) -> None:
    for school_id in site.school_ids():
        tree = site.page(f"/schools/{school_id}/")
        for row in tree.css(
            "table.attainment-fields tr, table.attainment-credentials tbody tr, #school-trend tbody tr"
        ):
            for cell in row.css("td.num"):
                if text(cell) != "no data":
                    assert_protected_count(text(cell), site.min_cell, f"{school_id}: {text(row)}")
        for cell in tree.css("td.hidden-value"):
            assert cell.attributes["data-status"] in STATUSES - {"published"}


def test_school_page_has_career_fields_with_total_and_a_chart(site: Site) -> None:
    school_id = site.school_ids()[0]
    tree = site.page(f"/schools/{school_id}/")
    years = [int(section.attributes["data-year"]) for section in tree.css("section.school-year")]
    assert years == sorted(site.years, reverse=True)
    section = tree.css_first("section.school-year")
    if section.css_first("table.attainment-fields"):
        fields = {text(row.css_first("th")) for row in section.css("table.attainment-fields tbody tr")}
        assert fields <= {career_field.name for career_field in site.catalog.career_fields.values()}
        assert text(section.css_first("table.attainment-fields tfoot th")) == "Total"
        legend = section.css_first(".privacy-legend")
        assert f"<{site.min_cell}" in text(legend)
        assert legend.css_first("a").attributes["href"] == "/privacy/"
        readiness_head = (
            text(section.css_first("table.readiness thead")) if section.css_first("table.readiness") else ""
        )
        assert (
            not readiness_head or f"Met the {site.catalog.site.points_target}-point target" in readiness_head
        )
    assert tree.css_first("svg#chart-school-trend") is not None


# --- statewide reports -------------------------------------------------------------------------


def test_year_report_shows_totals_fields_credentials_readiness_districts_and_trend(site: Site) -> None:
    for year in site.years:
        tree = site.page(f"/reports/{year}/")
        attainment = site.csv(f"attainment-{year}.csv")
        headline = {
            text(li.css_first(".figure-label")): text(li.css_first(".figure-number"))
            for li in tree.css("#headline li")
        }
        total = as_number(headline["credentials earned"])
        fields = [cells(row)[0] for row in tree.css("#field-table tbody tr")]
        if all(as_number(value) is not None for value in fields):
            assert sum(as_number(value) for value in fields) == total
        assert text(tree.css_first("#field-table tfoot td")) == headline["credentials earned"]
        # every credential reported by a school is in the statewide table, sorted, hidden ones last
        credentials = [
            (text(row.css_first("th")), as_number(cells(row)[-1]))
            for row in tree.css("#credential-table tbody tr")
        ]
        names = {key: credential.name for key, credential in site.catalog.credentials.items()}
        assert {name for name, _ in credentials} == {names[row["credential_id"]] for row in attainment}
        shown = [number for _, number in credentials if number is not None]
        assert shown == sorted(shown, reverse=True)
        first_hidden = next((i for i, (_, n) in enumerate(credentials) if n is None), len(credentials))
        assert all(n is None for _, n in credentials[first_hidden:])
        top = [
            (text(row.css_first("th")), as_number(cells(row)[-1])) for row in tree.css("#top-table tbody tr")
        ]
        assert top == [item for item in credentials if item[1] is not None][:10]
        # readiness statewide first, then every district
        readiness_rows = tree.css("#readiness-table tbody tr")
        assert text(readiness_rows[0].css_first("th")) == "Statewide"
        assert cells(readiness_rows[0])[2] == headline["readiness rate"]
        districts = [text(row.css_first("th")) for row in tree.css("#district-table tbody tr")]
        assert len(districts) == len(set(districts)) > 0
        trend = [text(row.css_first("th")) for row in tree.css("#trend-table tbody tr")]
        assert trend == [str(y) for y in site.years]
        for row in tree.css("#credential-table tbody tr, #field-table tr, #district-table tbody tr"):
            for cell in row.css("td.num"):
                assert_protected_count(text(cell), site.min_cell, text(row))
        links = {a.attributes.get("href") for a in tree.css("a")}
        assert f"/data/attainment-{year}.csv" in links


def test_credential_pages_show_statewide_attainment_by_year(site: Site) -> None:
    latest = site.years[-1]
    report = site.page(f"/reports/{latest}/")
    statewide = {
        row.css_first("th a").attributes["href"]: cells(row)[-1]
        for row in report.css("#credential-table tbody tr")
    }
    for key in site.catalog.credentials:
        tree = site.page(f"/credentials/{key}/")
        section = tree.css_first("section:has(h2#attainment)")
        assert section is not None, key
        rows = {text(row.css_first("th")): cells(row)[0] for row in section.css("#attainment-table tbody tr")}
        assert list(rows) == [str(year) for year in site.years]
        expected = statewide.get(f"/credentials/{key}/", "no students reported")
        assert rows[str(latest)] == expected, key


# --- reimbursement -----------------------------------------------------------------------------


def facts(section: Node) -> dict[str, str]:
    return {
        div.attributes["data-fact"]: text(div.css_first("dd")) for div in section.css("dl.program-facts div")
    }


def test_reimbursement_page_explains_the_division_and_adds_up(site: Site) -> None:
    prorated = 0
    for year in site.years:
        tree = site.page(f"/reimbursement/{year}/")
        rows = site.csv(f"reimbursement-{year}.csv")
        programs = tree.css("section.program")
        assert {p.attributes["data-program"] for p in programs} == {row["program"] for row in rows}
        for section in programs:
            program = section.attributes["data-program"]
            shown = facts(section)
            allocation = as_dollars(shown["allocation"])
            claimed = as_dollars(shown["claimed"])
            paid = as_dollars(shown["paid"])
            factor = Decimal(shown["factor"].split()[0])
            assert paid == min(allocation, claimed)
            formula = text(section.css_first(".formula"))
            assert "claims add up to" in formula
            if factor < 1:
                prorated += 1
                assert paid == allocation
                assert "allocation ÷ claims" in formula and "rounded down to the cent" in formula
                assert "largest fractions of a cent" in formula and "lower school id" in formula
            else:
                assert "full claim" in formula
            mine = [row for row in rows if row["program"] == program]
            assert {row["factor"] for row in mine} == {str(factor)}
            published = sum(Decimal(row["paid_usd"]) for row in mine if row["status"] == "published")
            hidden = [row for row in mine if row["status"] != "published"]
            # the hidden payments make up the rest of the total; never just one of them,
            # or it could be found by subtraction
            assert published <= paid
            assert len(hidden) != 1
            if not hidden:
                assert published == paid
            table_rows = section.css("table.payments-table tbody tr")
            assert len(table_rows) == len(mine)
            withheld = [row for row in table_rows if "suppressed" in cells(row)[1:]]
            assert len(withheld) == len(hidden)
            if hidden:
                assert "withheld" in text(section)
                assert section.css_first(".privacy-legend a").attributes["href"] == "/privacy/"
            for row in table_rows:
                assert row.css_first("th a").attributes["href"].startswith("/schools/")
    if site.catalog.site.title.startswith("Industry-Recognized"):
        assert prorated > 0  # the sample has prorated programs


# --- charts --------------------------------------------------------------------------------------


def chart_pages(site: Site) -> Iterator[str]:
    yield "/reports/"
    yield from (f"/reports/{year}/" for year in site.years)
    yield f"/schools/{site.school_ids()[0]}/"
    yield f"/credentials/{sorted(site.catalog.credentials)[0]}/"


def test_every_chart_is_accessible_and_followed_by_its_table(site: Site) -> None:
    for path in chart_pages(site):
        tree = site.page(path)
        charts = tree.css("svg.chart")
        assert charts, path
        for svg in charts:
            assert svg.attributes["role"] == "img"
            title, desc = svg.attributes["aria-labelledby"].split()
            assert text(svg.css_first(f"title#{title}")), path
            assert "table" in text(svg.css_first(f"desc#{desc}")), path
            assert "viewbox" in {name.lower() for name in svg.attributes}
            assert "style" not in svg.attributes
            assert all("style" not in node.attributes for node in svg.css("*"))
            figure = svg.parent
            assert figure.tag == "figure"
            following = figure.next
            while following is not None and following.tag == "-text":
                following = following.next
            assert following is not None and following.css_first("table") is not None, path
            hidden_labels = [text(node) for node in svg.css(".chart-row-hidden .chart-value")]
            assert all(label in (f"<{site.min_cell}", "suppressed") for label in hidden_labels)
        assert tree.css("[style]") == [], path


# --- the privacy page and the rule that pages come from the protected reports -----------------------


def test_privacy_page_explains_the_rules(site: Site) -> None:
    body = text(site.page("/privacy/").css_first("main"))
    for phrase in ["<10", "suppressed", "complementary", ">=95%", "top-coded", "disclosure audit"]:
        assert phrase in body, phrase


def test_builds_are_byte_identical(site: Site, tmp_path: Path) -> None:
    if site.catalog.site.title.startswith("Industry-Recognized"):
        pytest.skip("one rebuild of the small catalog is enough")
    again = build_site(site.root.parent / "catalog", tmp_path / "public")
    for folder in ["data", "schools", "reports", "reimbursement"]:
        for file in sorted((site.root / folder).rglob("*")):
            if file.is_file():
                twin = again.root / file.relative_to(site.root)
                assert file.read_bytes() == twin.read_bytes(), file


def test_renderer_never_reads_outcome_rows() -> None:
    """The site package is written from Reports alone: it imports neither the outcome records
    nor the unprotected values of the disclosure rules."""
    forbidden = ("site_builder.outcomes", "site_builder.rules.disclosure", "site_builder.reports.systems")
    for module in sorted((PROJECT_ROOT / "site_builder/site").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = [
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
        ] + [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        assert not [name for name in imported if name.startswith(forbidden)], module.name


# --- a catalog without outcome data ------------------------------------------------------------------


def test_catalog_without_outcomes_has_no_school_pages(small_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(small_catalog, out)
    assert (out / "index.html").is_file() and (out / "credentials/net-pro/index.html").is_file()
    for folder in ["schools", "reports", "reimbursement"]:
        assert not (out / folder).exists(), folder
    assert not list(out.glob("data/attainment-*.csv"))
    for page in out.rglob("*.html"):
        tree = HTMLParser(page.read_text(encoding="utf-8"))
        hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
        assert not [h for h in hrefs if re.match(r"/(schools|reports|reimbursement)/", h)], page
    assert HTMLParser((out / "credentials/net-pro/index.html").read_text()).css_first("h2#attainment") is None


def test_the_report_names_the_numbers_the_status_column_pins(tmp_path: Path) -> None:
    """A credential earned by one student at each of nine schools, 9 statewide: every "<10"
    is at least 1 and the nine add up to at most 9, so each is 1 whatever is hidden. The
    audit exempts such cells, and the report says how many there are."""
    from catalog_factory import OUTCOME_FILES

    from site_builder.build import validate
    from site_builder.reports import compute_reports

    catalog_dir = write_catalog(tmp_path)
    files = dict(OUTCOME_FILES)
    files["schools.csv"] += (
        "100008,Hazel High School,900002,South City Schools,Elm\n"
        "100009,Ivy High School,900002,South City Schools,Elm\n"
    )
    files["2024/attainment.csv"] += "".join(f"2024,10000{n},club-coder,1\n" for n in range(1, 10))
    write_outcomes(catalog_dir, files)
    validated = validate(catalog_dir)
    assert validated.outcomes is not None
    pinned = sum(
        a.inherent for a in compute_reports(validated.catalog, validated.outcomes).by_year[2024].audit
    )
    assert pinned >= 9  # the nine ones, at least
    site = build_site(catalog_dir, tmp_path / "public")
    paragraphs = [text(p) for p in site.page("/reports/2024/").css("main p")]
    method = next(paragraph for paragraph in paragraphs if paragraph.startswith("Before publication"))
    assert f"Also, {pinned} hidden numbers are pinned by the status column alone" in method
    assert "but for those the status column pins" in method


def test_the_report_says_nothing_of_pinned_numbers_when_there_are_none(site: Site) -> None:
    for year in site.years:
        assert "pinned by the status column" not in text(site.page(f"/reports/{year}/").css_first("main"))
