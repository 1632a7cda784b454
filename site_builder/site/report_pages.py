"""Page contexts of the outcome reports: schools, statewide reports, reimbursement (SPEC 6).

Every number here comes from the protected ``Reports`` (``site_builder.reports``), whose
hidden values are already gone; this module only picks, sorts and labels them. Of the
catalog, these pages and the outcome downloads see only ``CatalogNames``: the names of the
credentials and career fields, and the site's settings. The rendered pages are cached on
exactly that (``site_builder.cache.PagesCache``), so a credential's text can change without
4,000 school pages being drawn again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from site_builder.catalog import Catalog
from site_builder.catalog.models import SiteConfig
from site_builder.reports import Reports
from site_builder.reports.model import (
    AuditSummary,
    Payment,
    ProgramYear,
    Readiness,
    SchoolYear,
    Statewide,
    YearReport,
)
from site_builder.reports.published import Count
from site_builder.site.charts import BarChart, BarValue, bar_chart
from site_builder.site.environment import shown_count, usd
from site_builder.site.pages import Link, Page, PageSource, career_field_url, credential_url

TOP_CREDENTIALS = 10
NONE_REPORTED = "no students reported"


def school_url(school_id: str) -> str:
    return f"/schools/{school_id}/"


def report_url(year: int) -> str:
    return f"/reports/{year}/"


def reimbursement_url(year: int) -> str:
    return f"/reimbursement/{year}/"


def district_anchor(district_id: str) -> str:
    return f"district-{district_id}"


def download_urls(year: int) -> list[Link]:
    return [
        Link(f"/data/attainment-{year}.csv", f"Attainment by school and credential, {year} (CSV)"),
        Link(f"/data/readiness-{year}.csv", f"Readiness by school, {year} (CSV)"),
        Link(f"/data/reimbursement-{year}.csv", f"Reimbursement payments by school, {year} (CSV)"),
        Link(f"/data/report-{year}.json", f"Totals and program figures as published, {year} (JSON)"),
    ]


def year_links(reports: Reports, url_of: Callable[[int], str]) -> list[Link]:
    """One link per year, newest first: the year switcher of the yearly pages."""
    return [Link(url_of(year), str(year)) for year in sorted(reports.years, reverse=True)]


def program_label(program: str) -> str:
    """'exam-fee' -> 'Exam fee'."""
    words = program.replace("-", " ")
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class CountRow:
    """One row of a count table: what is counted (linked when it has a page) and the count."""

    link: Link
    count: Count
    #: a second column, e.g. the credential's career field
    note: str = ""


@dataclass(frozen=True)
class ReadinessRow:
    label: str
    readiness: Readiness


@dataclass(frozen=True)
class PaymentRow:
    link: Link
    payment: Payment


def latest_year(reports: Reports) -> int:
    return max(reports.years)


def hidden_last(rows: Iterable[CountRow]) -> list[CountRow]:
    """Largest published count first, hidden counts after them; ties by name."""
    return sorted(
        rows,
        key=lambda row: (row.count.value is None, -(row.count.value or 0), row.link.text.casefold()),
    )


def chart_values(rows: Iterable[CountRow]) -> list[BarValue]:
    return [BarValue(row.link.text, row.count.value, shown_count(row.count)) for row in rows]


@dataclass(frozen=True)
class CatalogNames:
    """All that the report pages and the outcome downloads read of the catalog. Their
    rendered files are cached on it, so reading anything else means adding it here."""

    site: SiteConfig
    #: credential id -> (name, first career field id), for every credential
    credentials: dict[str, tuple[str, str]]
    #: career field id -> name, in the catalog's order (the order of the home page grid)
    career_fields: dict[str, str]

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogNames:
        return cls(
            site=catalog.site,
            credentials={
                key: (credential.name, credential.career_fields[0])
                for key, credential in catalog.credentials.items()
            },
            career_fields={key: career_field.name for key, career_field in catalog.career_fields.items()},
        )

    def credential_name(self, credential_id: str) -> str:
        named = self.credentials.get(credential_id)
        return named[0] if named else credential_id

    def field_name(self, field_id: str) -> str:
        return self.career_fields.get(field_id, field_id)


def field_rows(names: CatalogNames, by_field: dict[str, Count]) -> list[CountRow]:
    """Career fields in the catalog's order (the order of the home page grid)."""
    order = {key: index for index, key in enumerate(names.career_fields)}
    return [
        CountRow(Link(career_field_url(key), names.field_name(key)), by_field[key])
        for key in sorted(by_field, key=lambda key: (order.get(key, len(order)), key))
    ]


def credential_rows(names: CatalogNames, by_credential: dict[str, Count]) -> list[CountRow]:
    rows = []
    for key, earned in by_credential.items():
        named = names.credentials.get(key)
        primary = names.field_name(named[1]) if named else ""
        rows.append(CountRow(Link(credential_url(key), names.credential_name(key)), earned, primary))
    return rows


def trend_rows(reports: Reports) -> list[CountRow]:
    """The statewide total of every year, oldest first."""
    return [
        CountRow(Link(report_url(year), str(year)), reports.by_year[year].total)
        for year in sorted(reports.years)
    ]


def trend_chart(reports: Reports, chart_id: str = "chart-trend") -> BarChart:
    return bar_chart(
        chart_id,
        "Credentials earned statewide, by year",
        chart_values(trend_rows(reports)),
    )


# --- schools ---------------------------------------------------------------------------------


def schools_index(reports: Reports) -> Page:
    year = latest_year(reports)
    latest = reports.by_year[year]
    districts = []
    for district_id, district_name in reports.districts.items():
        districts.append(
            {
                "id": district_id,
                "anchor": district_anchor(district_id),
                "name": district_name,
                "total": latest.by_district.get(district_id),
                "schools": [
                    Link(school_url(key), reports.schools[key].name)
                    for key in reports.schools_by_district.get(district_id, [])
                ],
            }
        )
    by_name = sorted(reports.schools.values(), key=lambda school: (school.name.casefold(), school.school_id))
    letters: dict[str, list[dict]] = {}
    for school in by_name:
        letter = school.name[:1].upper()
        letters.setdefault(letter, []).append(
            {"link": Link(school_url(school.school_id), school.name), "district": school.district_name}
        )
    return Page(
        path="/schools/",
        template="schools.html",
        title="Schools",
        description=(
            f"The {len(reports.schools)} schools with credential reports, by district and A to Z, "
            f"with credentials earned in {year}."
        ),
        context={"year": year, "districts": districts, "letters": letters},
    )


def school_page(names: CatalogNames, reports: Reports, school_id: str) -> Page:
    school = reports.schools[school_id]
    years = []
    for year in sorted(reports.years, reverse=True):
        report = reports.by_year[year]
        school_year: SchoolYear | None = report.schools.get(school_id)
        entry: dict = {"year": year, "report_url": report_url(year), "data": school_year}
        if school_year is not None:
            entry.update(
                fields=field_rows(names, school_year.by_field),
                credentials=sorted(
                    credential_rows(names, school_year.by_credential),
                    key=lambda row: (row.link.text.casefold(), row.link.url),
                ),
                payments=[
                    (program, program_label(program), reimbursement_url(year), payment)
                    for program, payment in sorted(school_year.payments.items())
                ],
            )
        years.append(entry)
    trend = [
        (
            year,
            reports.by_year[year].schools[school_id].total
            if school_id in reports.by_year[year].schools
            else None,
        )
        for year in sorted(reports.years)
    ]
    chart = bar_chart(
        "chart-school-trend",
        f"Credentials earned at {school.name}, by year",
        [
            BarValue(str(year), total.value if total else None, shown_count(total) if total else "no data")
            for year, total in trend
        ],
    )
    return Page(
        path=school_url(school_id),
        template="school.html",
        title=school.name,
        description=(
            f"Credentials earned, readiness and reimbursement at {school.name} "
            f"({school.district_name}), by year."
        ),
        context={
            "school": school,
            "district_url": f"/schools/#{district_anchor(school.district_id)}",
            "years": years,
            "trend": trend,
            "chart": chart,
            "points_target": names.site.points_target,
        },
    )


# --- statewide reports -----------------------------------------------------------------------


def reports_index(reports: Reports) -> Page:
    years = [
        {
            "year": year,
            "url": report_url(year),
            "reimbursement_url": reimbursement_url(year),
            "total": reports.by_year[year].total,
            "readiness": reports.by_year[year].readiness,
        }
        for year in sorted(reports.years, reverse=True)
    ]
    return Page(
        path="/reports/",
        template="reports.html",
        title="Statewide reports",
        description="Credentials earned and readiness statewide, one report per school year.",
        context={"years": years, "chart": trend_chart(reports)},
    )


#: the audit's one known limit, said plainly on every report page
KNOWN_LIMIT = (
    "A known limit: the extra numbers are hidden smallest first, so a number hidden only to "
    "protect another is often no larger than the numbers shown beside it."
)


def _numbers(count: int, singular: str = "number is", plural: str = "numbers are") -> str:
    return f"{count} hidden {singular if count == 1 else plural}"


def audit_sentences(audit: list[AuditSummary], min_cell: int) -> list[str]:
    """What the disclosure audit proved for one year, in plain words and no more: which
    hidden numbers it checked and what it proved of them, the one deliberate exception
    (counts behind coded rates), the numbers the status column pins, and its known limits.
    Empty when the year has no audit."""
    if not audit:
        return []
    hidden = sum(summary.hidden for summary in audit)
    checked = sum(summary.checked for summary in audit)
    solved = sum(summary.solved for summary in audit)
    coded = sum(summary.coded for summary in audit)
    coded_rates = sum(summary.coded_rates for summary in audit)
    pinned = sum(summary.inherent for summary in audit)
    sentences = [
        f"Before publication, every table of this report was protected together: {hidden} numbers "
        "were hidden.",
        f"A disclosure audit then checked {checked} of them, with {solved} separate calculations, "
        "against everything published for the year: every number, total and rate shown, and the "
        "status of every number, knowing too that counts are whole numbers. From the numbers, "
        f"totals and rates, the smallest and the largest each of them could be are at least {min_cell} "
        "apart; and even reading what its label says "
        f"(“<{min_cell}” says 1 to {min_cell - 1}), none of them can be worked out exactly"
        + (", but for those the status column pins (below)." if pinned else "."),
    ]
    if coded:
        one = coded_rates == 1
        sentences.append(
            f"The one deliberate exception: {coded_rates} readiness "
            f"{'rate is' if one else 'rates are'} shown only as a range (such as “>=95%”), which "
            "tells on purpose within what range the number of graduates who met the target lies; "
            f"the {_numbers(coded, 'number', 'numbers')} behind {'it' if one else 'them'} "
            f"({'its' if one else 'their'} graduates who met and did not meet the target) "
            f"{'is' if coded == 1 else 'are'} not checked further."
        )
    if pinned:
        sentences.append(
            f"Also, {_numbers(pinned)} pinned by the status column alone, such as a credential "
            f"earned by one student at each of {min_cell - 1} schools, where the state total is below "
            f"{min_cell} too: each count is at least 1, the {min_cell - 1} add up to at most "
            f"{min_cell - 1}, so each must be 1. No further hiding can change that while "
            f"“below {min_cell}” is published as such."
        )
    sentences.append(KNOWN_LIMIT)
    return sentences


def year_report_page(names: CatalogNames, reports: Reports, year: int) -> Page:
    report: YearReport = reports.by_year[year]
    fields = field_rows(names, report.by_field)
    credentials = hidden_last(credential_rows(names, report.by_credential))
    top = [row for row in credentials if row.count.value is not None][:TOP_CREDENTIALS]
    districts = hidden_last(
        CountRow(Link(f"/schools/#{district_anchor(key)}", reports.districts.get(key, key)), total)
        for key, total in report.by_district.items()
    )
    readiness_by_district = sorted(
        (
            ReadinessRow(reports.districts.get(key, key), readiness)
            for key, readiness in report.readiness_by_district.items()
        ),
        key=lambda row: row.label.casefold(),
    )
    return Page(
        path=report_url(year),
        template="report.html",
        title=f"Statewide report {year}",
        description=f"Credentials earned statewide in {year}, by career field, credential and district, with readiness.",
        context={
            "year": year,
            "other_years": year_links(reports, report_url),
            "report": report,
            "fields": fields,
            "fields_chart": bar_chart(
                "chart-fields", f"Credentials earned by career field, {year}", chart_values(fields)
            ),
            "credentials": credentials,
            "top": top,
            "top_chart": bar_chart(
                "chart-top", f"The {len(top)} credentials earned most often, {year}", chart_values(top)
            ),
            "districts": districts,
            "readiness_by_district": readiness_by_district,
            "trend": trend_rows(reports),
            "trend_chart": trend_chart(reports),
            "audit": audit_sentences(report.audit, reports.min_cell),
            "downloads": download_urls(year),
            "reimbursement_url": reimbursement_url(year),
            "points_target": names.site.points_target,
        },
    )


# --- reimbursement ---------------------------------------------------------------------------


def formula_text(program: ProgramYear, min_cell: int) -> list[str]:
    """The division of the allocation, in plain words with this program's numbers."""
    if program.unit_amount is None:
        claim = (
            "Each school claims the exam fees it paid for its students' credentials. A school's own "
            "dollars are not published under this program: with the exam fees shown on the credential "
            "pages, they would tell how many of its students took each exam. Its number of credentials "
            "claimed is shown (when it is not withheld), and the totals include every school."
        )
    else:
        claim = (
            f"This program pays a flat amount: each school's claim is the number of credentials it "
            f"claimed times {usd(program.unit_amount)}."
        )
    total = (
        usd(program.claimed.value) if program.claimed.value is not None else "an amount hidden for privacy"
    )
    if program.factor is None and program.count.status == "suppressed":
        share = (
            f"Fewer than {min_cell} credentials were claimed under this program, so its totals, and "
            "so its proration factor, are withheld to protect privacy."
        )
    elif program.factor is None and program.count.shown:
        share = (
            "This program's dollars, and so its proration factor, are withheld: with the exam fees "
            "shown on the credential pages and the number of credentials claimed, they would tell "
            "how many exams of some credential were claimed, a number too small to publish."
        )
    elif program.factor is None:
        share = (
            "This program's totals, and so its proration factor, are withheld so that other "
            "withheld numbers cannot be worked out from them."
        )
    elif program.factor < 1:
        share = (
            f"The claims add up to {total}, more than the allocation of {usd(program.allocation)}. "
            f"So every school is paid the same share of its claim: f = allocation ÷ claims = "
            f"{program.factor} ({_percent(program.factor)}; shown rounded down to six decimals, the "
            "exact fraction is used). Each payment is the school's claim times f, rounded down to the "
            "cent; the cents "
            "left over are then handed out one at a time to the schools that lost the largest fractions "
            "of a cent (equal fractions go to the lower school id), so the payments add up to the "
            "allocation exactly."
        )
    else:
        share = (
            f"The claims add up to {total}, which fits within the allocation of "
            f"{usd(program.allocation)}. So every school is paid its full claim (f = 1)."
        )
    return [claim, share, withheld_text(program, min_cell)]


@dataclass(frozen=True)
class Withheld:
    """How many schools' payments a program withholds, by the reason their count shows."""

    #: claimed 1 to min_cell - 1 credentials: count "<10", status ``suppressed``
    small: int
    #: count and dollars "suppressed", status ``suppressed-complementary``: withheld so that
    #: other withheld numbers cannot be worked out
    protecting: int

    @classmethod
    def of(cls, program: ProgramYear) -> Withheld:
        hidden = [payment.count.status for payment in program.payments.values() if not payment.count.shown]
        small = sum(1 for status in hidden if status == "suppressed")
        return cls(small=small, protecting=len(hidden) - small)

    @property
    def total(self) -> int:
        return self.small + self.protecting


def _schools(number: int) -> str:
    return f"{number} school" if number == 1 else f"{number} schools"


def withheld_text(program: ProgramYear, min_cell: int) -> str:
    """What is withheld under ``program`` and why, in the words of the statuses the download
    gives the same rows: only what was actually done this year."""
    withheld = Withheld.of(program)
    rule = (
        f"A school that claimed from 1 to {min_cell - 1} credentials has its count and dollars withheld "
        f"(shown as “<{min_cell}” and “suppressed”)."
    )
    if not withheld.total:
        return f"{rule} Under this program no school's numbers are withheld."
    sentences = [rule]
    if withheld.small:
        sentences.append(f"Under this program {_schools(withheld.small)} did so.")
    if withheld.protecting:
        one = withheld.protecting == 1
        sentences.append(
            f"{_schools(withheld.protecting)} {'has its' if one else 'have their'} count and dollars "
            f"withheld{' too' if withheld.small else ''} (both shown as “suppressed”), not for a small "
            "count but so that other withheld numbers cannot be worked out from the totals."
        )
    sentences.append("Withheld payments are still paid and are included in the totals.")
    return " ".join(sentences)


def _percent(factor: Decimal) -> str:
    return f"{factor * 100:.4f}".rstrip("0").rstrip(".") + "%"


def program_context(reports: Reports, program: ProgramYear) -> dict:
    rows = sorted(
        (
            PaymentRow(Link(school_url(key), reports.schools[key].name), payment)
            for key, payment in program.payments.items()
        ),
        key=lambda row: (row.link.text.casefold(), row.link.url),
    )
    return {
        "program": program,
        "id": f"program-{program.program}",
        "label": program_label(program.program),
        "factor_percent": _percent(program.factor) if program.factor is not None else "",
        "formula": formula_text(program, reports.min_cell),
        "rows": rows,
        "withheld": Withheld.of(program).total,
    }


def reimbursement_index(reports: Reports) -> Page:
    years = [
        {
            "year": year,
            "url": reimbursement_url(year),
            "programs": [program_context(reports, p) for p in reports.by_year[year].programs],
        }
        for year in sorted(reports.years, reverse=True)
    ]
    return Page(
        path="/reimbursement/",
        template="reimbursement-index.html",
        title="Reimbursement",
        description="How each year's credential funding was divided among schools.",
        context={"years": years},
    )


def reimbursement_page(reports: Reports, year: int) -> Page:
    report = reports.by_year[year]
    return Page(
        path=reimbursement_url(year),
        template="reimbursement.html",
        title=f"Reimbursement {year}",
        description=f"Allocation, claims, proration factor and payments by school for {year}.",
        context={
            "year": year,
            "other_years": year_links(reports, reimbursement_url),
            "programs": [program_context(reports, program) for program in report.programs],
            "report_url": report_url(year),
            "download": Link(
                f"/data/reimbursement-{year}.csv", f"Reimbursement payments by school, {year} (CSV)"
            ),
        },
    )


# --- the credential page's section ----------------------------------------------------------


def credential_attainment(statewide: Statewide | None, credential_id: str) -> dict | None:
    """Statewide earned per year for one credential (None when there are no reports)."""
    if statewide is None:
        return None
    # (year link, earned); None when no school reported the credential that year
    rows = [
        (Link(report_url(year), str(year)), statewide.by_credential[year].get(credential_id))
        for year in sorted(statewide.years)
    ]
    values = [
        BarValue(link.text, earned.value, shown_count(earned))
        if earned is not None
        else BarValue(link.text, 0, NONE_REPORTED)
        for link, earned in rows
    ]
    return {
        "rows": rows,
        "chart": bar_chart("chart-credential-years", "Students who earned this credential, by year", values),
        "none_reported": NONE_REPORTED,
    }


def all_report_pages(names: CatalogNames, reports: Reports) -> list[PageSource]:
    """Every page drawn from the protected reports, in a stable order; the school pages
    are made by the renderer that writes them."""
    years = sorted(reports.years)
    return [
        schools_index(reports),
        *(partial(school_page, names, reports, key) for key in reports.schools),
        reports_index(reports),
        *(year_report_page(names, reports, year) for year in years),
        reimbursement_index(reports),
        *(reimbursement_page(reports, year) for year in years),
    ]
