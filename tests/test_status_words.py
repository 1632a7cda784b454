"""Honest words (SPEC 5 and 11): a status says exactly what its row shows, and the pages say
exactly what is withheld and what the disclosure audit guarantees.

A small outcome package is written so that every case happens: a rate shown as a coded
range, a coded count whose graduates are hidden (so its rate is hidden too), claims
withheld for a small count and to protect another school, and a program whose totals are
withheld. The bundled sample is built too (from a copy), for the same rules at its size.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from catalog_factory import OUTCOME_FILES, copy_sample, write_catalog, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from site_builder.build import build, validate
from site_builder.reports import compute_reports

EPOCH = "1700000000"
HIDDEN = {"suppressed", "suppressed-complementary"}
CODED = {"top-coded", "bottom-coded"}

FILES = dict(OUTCOME_FILES)
# Ivy: 12 graduates, 1 met the target: bottom-coded (<=20%). Hazel's 6 graduates are "<10",
# so their district's total needs a second hidden part: Ivy's 12, the smallest. With its
# graduates hidden, Ivy's rate is hidden, and its coded count must not say "bottom-coded".
FILES["schools.csv"] += (
    "100008,Hazel High School,900001,North Local Schools,Ash\n"
    "100009,Ivy High School,900001,North Local Schools,Ash\n"
)
FILES["2024/readiness.csv"] += "2024,100008,6,2\n2024,100009,12,1\n"
# pilot: 5 credentials claimed in all, so its totals are withheld for a small count
FILES["funding.csv"] += "2024,pilot,100.00,\n"
FILES["2024/claims.csv"] += "2024,pilot,100001,net-basics,2,300.00\n2024,pilot,100002,net-basics,3,450.00\n"


class Site:
    def __init__(self, root: Path, catalog_dir: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.catalog_dir = catalog_dir
        self.min_cell = validate(catalog_dir).catalog.site.min_cell
        self.years = sorted(int(p.stem.split("-")[1]) for p in (root / "data").glob("attainment-*.csv"))

    def csv(self, kind: str, year: int) -> list[dict[str, str]]:
        with (self.root / "data" / f"{kind}-{year}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def page(self, url_path: str) -> HTMLParser:
        return HTMLParser((self.root / url_path.strip("/") / "index.html").read_text(encoding="utf-8"))


def build_site(catalog_dir: Path, out: Path, name: str = "small") -> Site:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(catalog_dir, out)
    return Site(out, catalog_dir, name)


def write_small(root: Path) -> Path:
    catalog_dir = write_catalog(root)
    write_outcomes(catalog_dir, FILES)
    return catalog_dir


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("words")
    return build_site(write_small(root), root / "public")


@pytest.fixture(scope="module", params=["small", "sample"])
def site(request: pytest.FixtureRequest, small: Site, tmp_path_factory: pytest.TempPathFactory) -> Site:
    if request.param == "small":
        return small
    root = tmp_path_factory.mktemp("sample")
    catalog_dir = root / "catalog"
    copy_sample(catalog_dir)  # a copy: no git around it
    return build_site(catalog_dir, root / "public", "sample")


def text(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def is_coded_range(shown: str) -> bool:
    return re.fullmatch(r"(>=|<=)\d+%", shown) is not None


def count_status(shown: str, min_cell: int) -> set[str]:
    """The statuses a count cell showing ``shown`` may carry: no more than it shows."""
    if shown == f"<{min_cell}":
        return {"suppressed"}
    if shown == "suppressed":
        return {"suppressed-complementary"}
    assert shown.replace(",", "").isdigit(), shown
    return {"published"}


# --- the downloads ------------------------------------------------------------------------------


def test_a_status_says_exactly_what_its_row_shows(site: Site) -> None:
    """Every hidden cell has a hidden status, never a coded one unless the row shows the
    coded range; every coded status stands beside a coded range."""
    n = site.min_cell
    for year in site.years:
        for row in site.csv("attainment", year):
            assert {row["status"]} <= count_status(row["earned"], n), row
        for row in site.csv("readiness", year):
            assert {row["graduates_status"]} <= count_status(row["graduates"], n), row
            rate, status = row["rate"], row["status"]
            if status in CODED:
                assert rate.startswith(">=" if status == "top-coded" else "<="), row
                assert is_coded_range(rate) and row["met_points_target"] == "suppressed", row
            else:
                assert not is_coded_range(rate), row
                assert {status} <= count_status(row["met_points_target"], n), row
        for row in site.csv("reimbursement", year):
            hidden = row["claimed_usd"] == "suppressed"
            assert (row["paid_usd"] == "suppressed") == hidden, row
            assert (row["status"] in HIDDEN) == hidden and row["status"] not in CODED, row


def test_a_coded_count_behind_a_hidden_rate_says_only_suppressed(small: Site) -> None:
    """The attacker's case: Ivy's rate is hidden (its graduates are), so its status may not
    tell that at most 20% met the target."""
    (row,) = [row for row in small.csv("readiness", 2024) if row["school_id"] == "100009"]
    assert row["graduates"] == row["met_points_target"] == row["rate"] == "suppressed"
    assert row["status"] == "suppressed-complementary"
    # and a coded rate that is shown keeps its coding
    (dogwood,) = [row for row in small.csv("readiness", 2024) if row["school_id"] == "100004"]
    assert (dogwood["rate"], dogwood["status"]) == ("<=2%", "bottom-coded")


def test_the_pages_mark_readiness_cells_as_the_downloads_do(site: Site) -> None:
    """On every readiness table, a cell's data-status is coded only beside a coded range."""
    n = site.min_cell
    pages = [f"/reports/{year}/" for year in site.years]
    pages += [f"/schools/{path.name}/" for path in sorted((site.root / "schools").iterdir()) if path.is_dir()]
    seen_coded = 0
    for path in pages:
        tree = site.page(path)
        for row in tree.css("table.readiness tbody tr, #readiness-table tbody tr"):
            graduates, met, rate = row.css("td")
            shown_rate, rate_status = text(rate), rate.attributes["data-status"]
            if is_coded_range(shown_rate):
                seen_coded += 1
                assert rate_status in CODED and met.attributes["data-status"] == rate_status, path
            else:
                assert rate_status not in CODED, path
                assert met.attributes["data-status"] in count_status(text(met), n), path
            assert graduates.attributes["data-status"] in count_status(text(graduates), n), path
    assert seen_coded


# --- reimbursement: statuses and words agree ------------------------------------------------------


def withheld_words(formula: str, min_cell: int) -> tuple[int, int]:
    """(schools withheld for a small count, schools withheld to protect others), as the page says."""
    small = re.search(r"Under this program (\d+) schools? did so\.", formula)
    protecting = re.search(r"(\d+) schools? ha(?:s its|ve their) count and dollars withheld", formula)
    if "no school's numbers are withheld" in formula:
        assert not small and not protecting
    assert f"from 1 to {min_cell - 1} credentials" in formula
    return (int(small.group(1)) if small else 0, int(protecting.group(1)) if protecting else 0)


def test_reimbursement_words_match_the_statuses(site: Site) -> None:
    n = site.min_cell
    for year in site.years:
        rows = site.csv("reimbursement", year)
        tree = site.page(f"/reimbursement/{year}/")
        for section in tree.css("section.program"):
            program = section.attributes["data-program"]
            mine = [row for row in rows if row["program"] == program]
            formula = text(section.css_first(".formula"))
            fees = "Each school claims the exam fees it paid" in formula
            # the counts' statuses, as the page shows them beside the dollars
            counts = [
                cell.attributes["data-status"]
                for cell in section.css("table.payments-table tbody tr td:first-of-type")
            ]
            small, protecting = withheld_words(formula, n)
            assert small == counts.count("suppressed"), (year, program)
            assert protecting == counts.count("suppressed-complementary"), (year, program)
            if counts.count("suppressed-complementary"):
                assert "not for a small count" in formula
            else:
                assert "not for a small count" not in formula and "a few more" not in formula
            for table_row in section.css("table.payments-table tbody tr"):
                cells = table_row.css("td")
                # the count cell shows what its status says; the dollars beside it share the
                # count's status, except under a fee program, which never shows a school's dollars
                assert cells[0].attributes["data-status"] in count_status(text(cells[0]), n), (year, program)
                money = {cell.attributes["data-status"] for cell in cells[1:]}
                expected = cells[0].attributes["data-status"]
                if fees and expected == "published":
                    expected = "suppressed-complementary"
                assert money == {expected}, (year, program)
                assert all(text(cell) == "suppressed" for cell in cells[1:]) or not fees, (year, program)
            # the download's status is the dollars'
            assert sorted(row["status"] for row in mine) == sorted(
                cell.attributes["data-status"]
                for cell in section.css("table.payments-table tbody tr td:nth-of-type(2)")
            )
            # the words about the program's own totals
            count_cell = section.css_first('[data-fact="count"] dd')
            if text(count_cell) == f"<{n}":
                assert f"Fewer than {n} credentials were claimed under this program" in formula
            elif (
                text(section.css_first('[data-fact="factor"] dd')) == "suppressed"
                and text(count_cell) == "suppressed"
            ):
                assert "withheld so that other withheld numbers cannot be worked out" in formula
            elif text(section.css_first('[data-fact="factor"] dd')) == "suppressed":
                # the count is shown: the fees would split the dollars into small counts
                assert "This program's dollars, and so its proration factor, are withheld" in formula


def test_the_small_package_withholds_for_both_reasons(small: Site) -> None:
    formula = text(small.page("/reimbursement/2024/").css_first("section#program-exam-fee .formula"))
    assert withheld_words(formula, 10) == (1, 1)


def test_a_program_withheld_for_a_small_total_says_so(small: Site) -> None:
    section = small.page("/reimbursement/2024/").css_first("section#program-pilot")
    formula = text(section.css_first(".formula"))
    assert "Fewer than 10 credentials were claimed under this program" in formula
    assert withheld_words(formula, 10) == (2, 0)
    assert "not for a small count" not in formula


def test_a_school_page_gives_each_withheld_payment_the_status_of_its_count(small: Site) -> None:
    for school_id, program, status in [
        ("100001", "exam-fee", "suppressed-complementary"),
        ("100003", "exam-fee", "suppressed"),
        ("100001", "pilot", "suppressed"),
    ]:
        row = small.page(f"/schools/{school_id}/").css_first(f'table.payments tr[data-program="{program}"]')
        assert {cell.attributes["data-status"] for cell in row.css("td")} == {status}
    note = text(small.page("/schools/100001/").css_first("section#year-2024 p.muted"))
    assert "fewer than 10 credentials" in note and "so that other withheld numbers" in note


# --- what the report pages and /privacy/ say is guaranteed -----------------------------------------


def test_the_report_names_the_coded_rates_as_the_exception(site: Site) -> None:
    if site.name == "sample":
        pytest.skip("computing the sample's reports again is slow; the small package checks the numbers")
    validated = validate(site.catalog_dir)
    reports = compute_reports(validated.catalog, validated.outcomes)
    for year in site.years:
        audit = reports.by_year[year].audit
        paragraph = text(site.page(f"/reports/{year}/").css_first("#audit"))
        hidden, checked = sum(a.hidden for a in audit), sum(a.checked for a in audit)
        coded, coded_rates = sum(a.coded for a in audit), sum(a.coded_rates for a in audit)
        assert f"{hidden} numbers were hidden" in paragraph
        assert f"checked {checked} of them" in paragraph
        # the rates shown as a range: the schools' in the download, the state's and districts' here
        shown = sum(row["status"] in CODED for row in site.csv("readiness", year))
        shown += sum(
            is_coded_range(text(cell))
            for cell in site.page(f"/reports/{year}/").css("#readiness-table td:last-child")
        )
        assert coded_rates == shown and coded == 2 * shown
        assert coded_rates > 0 and hidden >= checked + coded
        assert f"The one deliberate exception: {coded_rates} readiness rates are shown only as a range" in (
            paragraph
        )
        assert f"the {coded} hidden numbers behind them" in paragraph
        assert "knowing too that counts are whole numbers" in paragraph
        assert "A known limit: the extra numbers are hidden smallest first" in paragraph
        assert "linear program" not in paragraph  # plain words on a page for families


def test_privacy_page_states_the_guarantee_its_exception_and_its_limits(site: Site) -> None:
    body = text(site.page("/privacy/").css_first("main"))
    assert (
        "no published number, alone or together with the others (totals and rates), narrows a hidden "
        "count to a range less than 10 wide"
    ) in body
    assert "no hidden count can be worked out exactly" in body
    assert "Coded rates, on purpose." in body
    assert "are the one deliberate exception" in body
    assert "the audit does not check how far they can be narrowed" in body
    assert "NCES" in body
    for fact in ("Dollars and fees.", "one credential at a time.", "Whole numbers.", "A known limit"):
        assert fact in body, fact
    assert "the smallest and the largest whole number" in body
    # the status column says no more than the row
    assert "never has a coded status" in body
    # what it used to claim and no longer may
    assert "every hidden number can still take a range" not in body


def test_two_builds_are_byte_identical(small: Site, tmp_path: Path) -> None:
    again = build_site(write_small(tmp_path), tmp_path / "public")
    for folder in ["data", "schools", "reports", "reimbursement", "privacy"]:
        for file in sorted((small.root / folder).rglob("*")):
            if file.is_file():
                assert file.read_bytes() == (again.root / file.relative_to(small.root)).read_bytes(), file
