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
            if row["earned"] != "0":  # a credential no student earned is not listed
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
                if met == "see rate":  # the rate beside it is a range; the download says "suppressed"
                    assert expected["status"] in ("top-coded", "bottom-coded")
                    met = "suppressed"
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
        for legend in section.css(".privacy-legend"):
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


# --- plain words for families (issue 28) ------------------------------------------------------------


def report_pages(site: Site) -> Iterator[str]:
    """Every page kind with outcome numbers: the report, school and reimbursement pages and
    the credential pages (statewide attainment)."""
    yield "/schools/"
    yield "/reports/"
    yield "/reimbursement/"
    for year in site.years:
        yield f"/reports/{year}/"
        yield f"/reimbursement/{year}/"
    yield from (f"/schools/{key}/" for key in site.school_ids())
    yield from (f"/credentials/{key}/" for key in sorted(site.catalog.credentials))


def legend_codes(tree: HTMLParser) -> list[str]:
    return [text(code) for code in tree.css(".privacy-legend .legend-item > .hidden-value")]


def shown_codes(tree: HTMLParser) -> set[str]:
    """The codes the numbers of a page show in place of a number (legends left out)."""
    main = tree.css_first("main")
    return {
        text(node)
        for node in main.css(".hidden-value")
        if not any(parent.attributes.get("class") == "privacy-legend" for parent in _parents(node))
    }


def _parents(node: Node) -> Iterator[Node]:
    while node.parent is not None:
        node = node.parent
        yield node


def test_legends_explain_exactly_the_codes_each_page_shows(site: Site) -> None:
    """No fixed ">=95%": a page's legends name each code its cells show, and no other."""
    seen: set[str] = set()
    for path in report_pages(site):
        tree = site.page(path)
        shown, explained = shown_codes(tree), legend_codes(tree)
        assert shown == set(explained), path
        seen |= shown
        for legend in tree.css(".privacy-legend"):
            # each entry ends in ';' or '.', and a space follows before the next words
            joined = legend.text(separator="")
            assert not re.search(r"[;.,:][A-Za-z“]", joined), (path, joined)
            assert legend.css_first("a").attributes["href"] == "/privacy/"
        # each table's legend follows it and names the codes of that table only
        for legend in tree.css(".privacy-legend"):
            codes = {text(code) for code in legend.css(".legend-item > .hidden-value")}
            assert codes, path
    assert f"<{site.min_cell}" in seen and "suppressed" in seen
    if site.catalog.site.title.startswith("Industry-Recognized"):
        assert "see rate" in seen and "<=5%" in seen  # the sample's coded readiness rows


def test_a_met_cell_behind_a_coded_rate_reads_see_rate_not_suppressed(site: Site) -> None:
    found = 0
    for path in report_pages(site):
        tree = site.page(path)
        for row in tree.css("table.readiness tbody tr, #readiness-table tbody tr"):
            met, rate = row.css("td")[1], row.css("td")[2]
            if rate.attributes["data-status"] in ("top-coded", "bottom-coded"):
                found += 1
                assert text(met) == "see rate", path
                assert met.attributes["data-status"] == rate.attributes["data-status"]
            else:
                assert text(met) != "see rate", path
    assert found > 0


def test_the_readiness_graduates_header_is_aligned_with_its_numbers(site: Site) -> None:
    for key in site.school_ids():
        for table in site.page(f"/schools/{key}/").css("table.readiness"):
            headers = table.css("thead th")
            assert [h.attributes.get("class") for h in headers] == ["num"] * len(headers)
            assert all("num" in (cell.attributes.get("class") or "") for cell in table.css("tbody td"))


def test_statewide_reports_say_in_plain_words_why_numbers_are_hidden(site: Site) -> None:
    for year in site.years:
        tree = site.page(f"/reports/{year}/")
        main = text(tree.css_first("main"))
        assert "linear program" not in main and "complementary" not in main
        why = tree.css_first("#why-hidden")
        assert text(why).startswith("Some numbers in this report are hidden to protect students' privacy")
        assert {a.attributes["href"] for a in why.css("a")} == {"/privacy/", "/methodology/"}
        # the year's audit, with its two counts, sits in a box the reader opens, and says why
        # the numbers it checked are fewer than the numbers hidden
        audit = tree.css_first("details.audit-details #audit")
        assert audit is not None
        hidden = int(re.search(r"(\d+) numbers were hidden", text(audit)).group(1))
        checked = int(re.search(r"checked (\d+) of them", text(audit)).group(1))
        if hidden > checked:
            assert f"checked {checked} of the {hidden} hidden numbers" in text(audit)
            assert f"the other {hidden - checked} are" in text(audit) or "the others are" in text(audit)


def test_other_years_name_only_the_other_years(site: Site) -> None:
    for kind in ("reports", "reimbursement"):
        for year in site.years:
            jump = site.page(f"/{kind}/{year}/").css_first(".year-jump")
            others = [str(other) for other in sorted(site.years, reverse=True) if other != year]
            if not others:
                assert jump is None
                continue
            assert [text(a) for a in jump.css("a")] == others
            assert str(year) not in text(jump)


def test_school_tables_leave_out_credentials_no_student_earned(site: Site) -> None:
    zero_rows = 0
    for year in site.years:
        zeros: dict[str, int] = {}
        for row in site.csv(f"attainment-{year}.csv"):
            if row["earned"] == "0":
                zeros[row["school_id"]] = zeros.get(row["school_id"], 0) + 1
        zero_rows += sum(zeros.values())
        for key in site.school_ids():
            section = site.page(f"/schools/{key}/").css_first(f"section#year-{year}")
            earned = [cells(row)[-1] for row in section.css("table.attainment-credentials tbody tr")]
            earned += [cells(row)[-1] for row in section.css("table.attainment-fields tbody tr")]
            assert "0" not in earned, (key, year)
            note = section.css_first(".none-earned")
            if zeros.get(key):
                number = zeros[key]
                credentials = "credential" if number == 1 else "credentials"
                assert text(note).startswith(f"Not listed: {number} {credentials} the school reported"), key
            else:
                assert note is None, key
    if not site.catalog.site.title.startswith("Industry-Recognized"):
        assert zero_rows == 1  # Fir High School's net-basics


def test_each_school_shows_the_quality_of_the_credentials_earned_from_published_counts(site: Site) -> None:
    from site_builder.derive import derive

    quality = {key: rating.overall for key, rating in derive(site.catalog).quality.items()}
    checked = 0
    for year in site.years:
        by_school: dict[str, list[dict[str, str]]] = {}
        for row in site.csv(f"attainment-{year}.csv"):
            by_school.setdefault(row["school_id"], []).append(row)
        for key in site.school_ids():
            section = site.page(f"/schools/{key}/").css_first(f"section#year-{year}")
            rows = [row for row in by_school.get(key, []) if row["earned"] != "0"]
            published = [row for row in rows if row["status"] == "published"]
            hidden = len(rows) - len(published)
            total = sum(int(row["earned"]) for row in published)
            table = section.css_first("table.quality-mix")
            note = section.css_first(".quality-mix-note")
            if not rows:
                assert note is None and table is None
                continue
            if not total:
                assert table is None and "is hidden to protect privacy" in text(note), key
                continue
            expected: dict[str, int] = {"High": 0, "Moderate": 0, "Limited": 0}
            for row in published:
                rating = quality[row["credential_id"]]
                expected[rating] = expected.get(rating, 0) + int(row["earned"])
            shown = {
                tr.attributes["data-quality"]: (as_number(cells(tr)[0]), cells(tr)[1])
                for tr in table.css("tbody tr")
            }
            assert {rating: number for rating, (number, _) in shown.items()} == expected, (key, year)
            for rating, (number, share) in shown.items():
                exact = Decimal(100 * number) / Decimal(total)
                if number and exact < Decimal("0.5"):
                    assert share == "less than 1%"
                else:
                    assert abs(Decimal(share.rstrip("%")) - exact) <= Decimal("0.5"), (key, rating)
            # says what the shares are of, and that hidden numbers are left out
            assert f"{total:,} credentials earned in {year}" in text(note)
            if hidden:
                assert f"{hidden} credential" in text(note) and "left out" in text(note)
            else:
                assert "every number is published" in text(note)
            checked += 1
    assert checked > 0


def test_credential_pages_list_where_students_earn_it_from_published_school_counts(site: Site) -> None:
    latest = site.years[-1]
    published: dict[str, dict[str, str]] = {}
    hidden: dict[str, int] = {}
    for row in site.csv(f"attainment-{latest}.csv"):
        school_url = f"/schools/{row['school_id']}/"
        if row["status"] == "published":
            if row["earned"] != "0":
                published.setdefault(row["credential_id"], {})[school_url] = row["earned"]
        else:
            hidden[row["credential_id"]] = hidden.get(row["credential_id"], 0) + 1
    schools = {row["school_id"]: row for row in site.csv("schools.csv")}
    listed_somewhere = 0
    for key in site.catalog.credentials:
        tree = site.page(f"/credentials/{key}/")
        section = tree.css_first("section:has(h2#where-earned)")
        assert section is not None, key
        listed = {
            li.css_first("a").attributes["href"]: text(li.css_first(".where-count")).replace(",", "")
            for li in section.css(".where-district li")
        }
        # exactly the published, non-zero school counts of the download, by the same number
        assert listed == published.get(key, {}), key
        listed_somewhere += bool(listed)
        # grouped by district: each school under its own district, and no number but the schools'
        for district in section.css(".where-district"):
            name = text(district.css_first("a"))
            for link in district.css(".link-list a"):
                school_id = link.attributes["href"].split("/")[2]
                assert schools[school_id]["district_name"] == name
            numbers = [text(n) for n in district.css(".where-count")]
            assert len(numbers) == len(district.css(".link-list li"))
        left_out = section.css_first("#where-earned-left-out")
        if listed or hidden.get(key):
            assert "a school is listed only when its number is published" in text(left_out)
            assert f"fewer than {site.min_cell} students" in text(left_out)
        if hidden.get(key):
            count = hidden[key]
            assert f"leaves out {count} school{'' if count == 1 else 's'}" in text(left_out), key
    assert listed_somewhere > 0


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
    forbidden = (
        "site_builder.outcomes",
        "site_builder.protection.disclosure",
        "site_builder.reports.systems",
    )
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
