"""Page contexts of the outcome reports: schools, statewide reports, reimbursement (SPEC 6).

Every number here comes from the protected ``Reports`` (``site_builder.reports``), whose
hidden values are already gone; this module only picks, sorts and labels them. Of the
catalog, these pages and the outcome downloads see only ``CatalogNames``: the names of the
credentials and career fields, and the site's settings (its programs' names among them). The
rendered pages are cached on exactly that (``site_builder.cache.PagesCache``), so a
credential's text can change without 4,000 school pages being drawn again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from babel.numbers import format_percent

from site_builder.catalog import Catalog
from site_builder.catalog.models import SiteConfig
from site_builder.derive import quality_ratings
from site_builder.phrases import N_
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
from site_builder.reports.published import Count, Dollars, Rate
from site_builder.site.charts import BarChart, BarValue, bar_chart
from site_builder.site.environment import number, shown_count, usd
from site_builder.site.environment import percent as percent_text
from site_builder.site.i18n import _, active_locale, as_written, ngettext, url
from site_builder.site.pages import Link, Page, PageSource, career_field_url, credential_url

TOP_CREDENTIALS = 10
NONE_REPORTED = N_("no students reported")


def school_url(school_id: str) -> str:
    return url(f"/schools/{school_id}/")


def report_url(year: int) -> str:
    return url(f"/reports/{year}/")


def reimbursement_url(year: int) -> str:
    return url(f"/reimbursement/{year}/")


def district_anchor(district_id: str) -> str:
    return f"district-{district_id}"


def download_urls(year: int) -> list[Link]:
    return [
        Link(
            f"/data/attainment-{year}.csv",
            _("Attainment by school and credential, %(year)s (CSV)") % {"year": year},
        ),
        Link(f"/data/readiness-{year}.csv", _("Readiness by school, %(year)s (CSV)") % {"year": year}),
        Link(
            f"/data/reimbursement-{year}.csv",
            _("Reimbursement payments by school, %(year)s (CSV)") % {"year": year},
        ),
        Link(
            f"/data/report-{year}.json",
            _("Totals and program figures as published, %(year)s (JSON)") % {"year": year},
        ),
    ]


def year_links(reports: Reports, url_of: Callable[[int], str], this_year: int | None = None) -> list[Link]:
    """One link per year, newest first, but ``this_year``: the "Other years" of the yearly pages."""
    return [
        Link(url_of(year), str(year)) for year in sorted(reports.years, reverse=True) if year != this_year
    ]


def program_label(names: CatalogNames, program: str) -> str:
    """The program's name as site.yml gives it, in the page's language (``Catalog.in_language``:
    a name not yet translated is ``Untranslated``, which the pages mark with its ``lang``). A
    program site.yml does not define is named from the outcome data's id, 'exam-fee' -> 'Exam
    fee', so in the catalog's language (marked as such on the pages of another, ``as_written``)."""
    for defined in names.site.programs:
        if defined.id == program:
            return defined.name
    words = program.replace("-", " ")
    return as_written(words[:1].upper() + words[1:])


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


# --- the privacy legend ----------------------------------------------------------------------

#: what a "met the target" cell shows when the rate beside it is a range (such as ">=95%"):
#: the count is not published, the range says how large it is (macros.html, ``count_text``)
SEE_RATE = N_("see rate")
CODED = ("top-coded", "bottom-coded")


@dataclass(frozen=True)
class LegendEntry:
    """One code a table shows in place of a number, and what it means."""

    code: str
    meaning: str


def legend(
    min_cell: int,
    counts: Iterable[Count | None] = (),
    rates: Iterable[Rate | None] = (),
    dollars: Iterable[Dollars | None] = (),
) -> list[LegendEntry]:
    """The codes that the given cells of one table (or a few tables shown together) actually
    show, each explained once; empty when every number is shown."""
    counts = [c for c in counts if c is not None]
    rates = [r for r in rates if r is not None]
    hidden_dollars = any(d is not None and d.value is None for d in dollars)
    entries = []
    if any(c.value is None and c.status == "suppressed" for c in counts):
        entries.append(
            LegendEntry(
                f"<{min_cell}",
                _(
                    "from 1 to %(largest)s, too few to show: the exact number could point to particular students"
                )
                % {"largest": min_cell - 1},
            )
        )
    suppressed = []
    if any(c.value is None and c.status not in ("suppressed", *CODED) for c in counts):
        suppressed.append(
            _(
                "a number hidden as well, so that the small numbers cannot be worked out by subtracting from a total"
            )
        )
    if any(r.percent is None and r.status == "suppressed" for r in rates):
        suppressed.append(
            _(
                "a rate not shown, because there are fewer than %(min_cell)s graduates or a number it is made of is hidden"
            )
            % {"min_cell": min_cell}
        )
    if hidden_dollars:
        suppressed.append(_("dollars withheld to protect privacy, for the reasons given with the table"))
    if suppressed:
        entries.append(LegendEntry(_("suppressed"), _("; or ").join(suppressed)))
    coded = sorted(
        {(r.status, r.text) for r in rates if r.percent is None and r.status in CODED},
        key=lambda code: (
            code[0] != "top-coded",
            _coded_bound(code[1]) * (-1 if code[0] == "top-coded" else 1),
        ),
    )
    for index, (status, text) in enumerate(coded):
        bound = _coded_bound(text)
        meaning = (
            _("%(bound)s%% or more of the graduates met the target")
            if status == "top-coded"
            else _("%(bound)s%% or less of the graduates met the target")
        ) % {"bound": bound}
        if index == len(coded) - 1:
            meaning += (
                " "
                + _(
                    "(a rate this close to 100%% or 0%% is shown only as a range, so that it says nothing "
                    "exact about the few graduates on the other side)"
                )
                % {}
            )
        entries.append(LegendEntry(text, meaning))
    if any(c.value is None and c.status in CODED for c in counts):
        entries.append(
            LegendEntry(
                _(SEE_RATE),
                _(
                    "the number of graduates who met the target is not shown where the rate beside it is "
                    "a range; the range says about how many did"
                ),
            )
        )
    return entries


def _coded_bound(text: str) -> int:
    """'>=95%' -> 95."""
    return int(text.strip("<>=%"))


@dataclass(frozen=True)
class CatalogNames:
    """All that the report pages and the outcome downloads read of the catalog. Their
    rendered files are cached on it, so reading anything else means adding it here."""

    site: SiteConfig
    #: credential id -> (name, first career field id), for every credential
    credentials: dict[str, tuple[str, str]]
    #: career field id -> name, in the catalog's order (the order of the home page grid)
    career_fields: dict[str, str]
    #: credential id -> its overall quality rating ("High", ..., "Not yet rated"), as its page
    #: shows it: the school pages' quality mix
    quality: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogNames:
        return cls(
            site=catalog.site,
            credentials={
                key: (credential.name, credential.career_fields[0])
                for key, credential in catalog.credentials.items()
            },
            career_fields={key: career_field.name for key, career_field in catalog.career_fields.items()},
            quality={key: rating.overall for key, rating in quality_ratings(catalog).items()},
        )

    def credential_name(self, credential_id: str) -> str:
        """The credential's name, marked with the catalog's language on another language's pages."""
        named = self.credentials.get(credential_id)
        return as_written(named[0]) if named else credential_id

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
        _("Credentials earned statewide, by year"),
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
        title=_("Schools"),
        description=ngettext(
            "The %(num)s school with a credential report, by district and A to Z, with credentials earned in %(year)s.",
            "The %(num)s schools with credential reports, by district and A to Z, with credentials earned in %(year)s.",
            len(reports.schools),
        )
        % {"num": len(reports.schools), "year": year},
        context={
            "year": year,
            "districts": districts,
            "letters": letters,
            "legend": legend(reports.min_cell, latest.by_district.values()),
        },
    )


def school_page(names: CatalogNames, reports: Reports, school_id: str) -> Page:
    school = reports.schools[school_id]
    min_cell = reports.min_cell
    years = []
    for year in sorted(reports.years, reverse=True):
        report = reports.by_year[year]
        school_year: SchoolYear | None = report.schools.get(school_id)
        entry: dict = {"year": year, "report_url": report_url(year), "data": school_year}
        if school_year is not None:
            # a credential no student earned here is no news for a family: left out of the table
            earned = {key: count for key, count in school_year.by_credential.items() if count.value != 0}
            fields = [row for row in field_rows(names, school_year.by_field) if row.count.value != 0]
            credentials = sorted(
                credential_rows(names, earned), key=lambda row: (row.link.text.casefold(), row.link.url)
            )
            readiness = school_year.readiness
            payments = [
                (program, program_label(names, program), reimbursement_url(year), payment)
                for program, payment in sorted(school_year.payments.items())
            ]
            entry.update(
                fields=fields,
                credentials=credentials,
                none_earned=none_earned_text(len(school_year.by_credential) - len(earned), year),
                attainment_legend=legend(
                    min_cell,
                    [school_year.total, *(row.count for row in fields), *(row.count for row in credentials)],
                ),
                quality_mix=quality_mix(names, earned, year, min_cell),
                readiness_legend=legend(
                    min_cell,
                    [readiness.graduates, readiness.met] if readiness else [],
                    [readiness.rate] if readiness else [],
                ),
                payments=payments,
                payments_legend=legend(
                    min_cell,
                    [payment.count for *_, payment in payments],
                    dollars=[d for *_, payment in payments for d in (payment.claimed, payment.paid)],
                ),
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
        _("Credentials earned at %(school)s, by year") % {"school": school.name},
        [
            BarValue(str(year), total.value if total else None, shown_count(total) if total else _("no data"))
            for year, total in trend
        ],
    )
    return Page(
        path=school_url(school_id),
        template="school.html",
        title=school.name,
        description=_(
            "Credentials earned, readiness and reimbursement at %(school)s (%(district)s), by year."
        )
        % {"school": school.name, "district": school.district_name},
        context={
            "school": school,
            "district_url": url(f"/schools/#{district_anchor(school.district_id)}"),
            "years": years,
            "trend": trend,
            "trend_legend": legend(min_cell, [total for _, total in trend]),
            "chart": chart,
            "points_target": names.site.points_target,
        },
    )


def none_earned_text(count: int, year: int) -> str:
    """The sentence under a school's table on the credentials it reported that nobody earned."""
    if not count:
        return ""
    return ngettext(
        "Not listed: %(num)s credential the school reported that no student earned in %(year)s.",
        "Not listed: %(num)s credentials the school reported that no student earned in %(year)s.",
        count,
    ) % {"num": count, "year": year}


#: the quality ratings in the order the school pages list them (``rules.quality``)
QUALITY_ORDER = ("High", "Moderate", "Limited", "Not yet rated")
#: a credential of the reports that the catalog no longer has (a build from published files)
NOT_IN_CATALOG = "No longer in the catalog"


@dataclass(frozen=True)
class QualityShare:
    quality: str
    #: students who earned a credential of this rating, the sum of published counts
    earned: int
    #: the share of ``QualityMix.earned``, rounded to a whole percent
    percent: str

    @property
    def earned_text(self) -> str:
        return number(self.earned)


@dataclass(frozen=True)
class QualityMix:
    shares: list[QualityShare]
    #: the published counts added up: what the shares are of
    earned: int
    #: the counts left out: hidden ("<10", "suppressed")
    hidden: int
    #: what the shares are made of, in plain words
    note: str


def quality_mix(names: CatalogNames, earned: dict[str, Count], year: int, min_cell: int) -> QualityMix | None:
    """The share of the credentials earned at a school that are rated High, Moderate, Limited
    or not yet rated, from its published counts only: a hidden count is left out, never
    guessed. None when no credential was earned; without shares when every count is hidden."""
    published = {key: count.value for key, count in earned.items() if count.value}
    hidden = sum(1 for count in earned.values() if count.value is None)
    total = sum(published.values())
    if not total:
        if not hidden:
            return None
        return QualityMix(
            [],
            0,
            hidden,
            _(
                "Each credential's number earned here in %(year)s is hidden to protect privacy, so their "
                "shares by quality cannot be worked out."
            )
            % {"year": year},
        )
    by_quality: dict[str, int] = {}
    for key, value in published.items():
        rating = names.quality.get(key, NOT_IN_CATALOG)
        by_quality[rating] = by_quality.get(rating, 0) + value
    order = [*QUALITY_ORDER, NOT_IN_CATALOG]
    shares = [
        QualityShare(rating, by_quality.get(rating, 0), _share(by_quality.get(rating, 0), total))
        for rating in order
        if rating in QUALITY_ORDER[:3] or rating in by_quality
    ]
    if hidden:
        note = ngettext(
            "Counted from the %(total)s credentials earned in %(year)s whose numbers are published. "
            "%(num)s credential with a hidden number (“<%(min_cell)s” or “suppressed”) is left out, "
            "so the shares are of the published numbers only.",
            "Counted from the %(total)s credentials earned in %(year)s whose numbers are published. "
            "%(num)s credentials with a hidden number (“<%(min_cell)s” or “suppressed”) are left out, "
            "so the shares are of the published numbers only.",
            hidden,
        ) % {"total": number(total), "year": year, "num": hidden, "min_cell": min_cell}
    else:
        note = _("Counted from all %(total)s credentials earned in %(year)s: every number is published.") % {
            "total": number(total),
            "year": year,
        }
    return QualityMix(shares, total, hidden, note)


def _share(part: int, whole: int) -> str:
    """A whole percent; "less than 1%" for a share that rounds to 0 but is not."""
    percent = (Decimal(100 * part) / Decimal(whole)).to_integral_value(ROUND_HALF_UP)
    if part and not percent:
        return _("less than 1%%") % {}
    return percent_text(percent / 100)


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
        title=_("Statewide reports"),
        description=_("Credentials earned and readiness statewide, one report per school year."),
        context={
            "years": years,
            "chart": trend_chart(reports),
            "legend": legend(
                reports.min_cell,
                [entry["total"] for entry in years],
                [entry["readiness"].rate for entry in years],
            ),
        },
    )


#: why some numbers are hidden, in one sentence for families; the method is on /privacy/ and
#: /methodology/, the year's audit in a closed box under it (translated where used: ``_()``)
WHY_HIDDEN = N_(
    "Some numbers in this report are hidden to protect students' privacy: a number from 1 to "
    "%(small)s could point to particular students, so it reads “<%(min_cell)s”, and a few other "
    "numbers read “suppressed” so that the small ones cannot be worked out by subtracting from "
    "a total."
)

#: the audit's one known limit, said plainly on every report page
KNOWN_LIMIT = N_(
    "A known limit: the extra numbers are hidden smallest first, so a number hidden only to "
    "protect another is often no larger than the numbers shown beside it."
)


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
    values = {
        "hidden": hidden,
        "checked": checked,
        "solved": solved,
        "min_cell": min_cell,
        "small": min_cell - 1,
        "coded": coded,
        "coded_rates": coded_rates,
        "pinned": pinned,
        "other": hidden - checked,
    }
    audited = (
        _(
            "A disclosure audit then checked %(checked)s of them, with %(solved)s separate calculations, "
            "against everything published for the year: every number, total and rate shown, and the "
            "status of every number, knowing too that counts are whole numbers. From the numbers, "
            "totals and rates, the smallest and the largest each of them could be are at least %(min_cell)s "
            "apart; and even reading what its label says (“<%(min_cell)s” says 1 to %(small)s), none of "
            "them can be worked out exactly, but for those the status column pins (below)."
        )
        if pinned
        else _(
            "A disclosure audit then checked %(checked)s of them, with %(solved)s separate calculations, "
            "against everything published for the year: every number, total and rate shown, and the "
            "status of every number, knowing too that counts are whole numbers. From the numbers, "
            "totals and rates, the smallest and the largest each of them could be are at least %(min_cell)s "
            "apart; and even reading what its label says (“<%(min_cell)s” says 1 to %(small)s), none of "
            "them can be worked out exactly."
        )
    )
    sentences = [
        _(
            "Before publication, every table of this report was protected together: %(hidden)s numbers were hidden."
        )
        % values,
        audited % values,
    ]
    if coded:
        # the rates (one or more) and the numbers behind them (one or more): a sentence for each case
        exception = ngettext(
            "The one deliberate exception: %(coded_rates)s readiness rate is shown only as a range "
            "(such as “>=95%%”), which tells on purpose within what range the number of graduates who "
            "met the target lies; the %(coded)s hidden number behind it (its graduates who met and did "
            "not meet the target) is not checked further.",
            "The one deliberate exception: %(coded_rates)s readiness rate is shown only as a range "
            "(such as “>=95%%”), which tells on purpose within what range the number of graduates who "
            "met the target lies; the %(coded)s hidden numbers behind it (its graduates who met and did "
            "not meet the target) are not checked further.",
            coded,
        )
        if coded_rates != 1:
            exception = ngettext(
                "The one deliberate exception: %(coded_rates)s readiness rates are shown only as a range "
                "(such as “>=95%%”), which tells on purpose within what range the number of graduates who "
                "met the target lies; the %(coded)s hidden number behind them (their graduates who met and "
                "did not meet the target) is not checked further.",
                "The one deliberate exception: %(coded_rates)s readiness rates are shown only as a range "
                "(such as “>=95%%”), which tells on purpose within what range the number of graduates who "
                "met the target lies; the %(coded)s hidden numbers behind them (their graduates who met and "
                "did not meet the target) are not checked further.",
                coded,
            )
        sentences.append(exception % values)
    if hidden > checked:
        other = hidden - checked
        if other == coded:
            sentences.append(
                ngettext(
                    "That is why the audit checked %(checked)s of the %(hidden)s hidden numbers, not all of "
                    "them: the other %(other)s are this one.",
                    "That is why the audit checked %(checked)s of the %(hidden)s hidden numbers, not all of "
                    "them: the other %(other)s are these.",
                    other,
                )
                % values
            )
        else:
            sentences.append(
                _(
                    "The audit checked %(checked)s of the %(hidden)s hidden numbers: the others are behind a "
                    "rate shown as a range, or were checked with another part of the year's tables."
                )
                % values
            )
    if pinned:
        sentences.append(
            ngettext(
                "Also, %(pinned)s hidden number is pinned by the status column alone, such as a credential "
                "earned by one student at each of %(small)s schools, where the state total is below "
                "%(min_cell)s too: each count is at least 1, the %(small)s add up to at most %(small)s, so "
                "each must be 1. No further hiding can change that while “below %(min_cell)s” is published "
                "as such.",
                "Also, %(pinned)s hidden numbers are pinned by the status column alone, such as a credential "
                "earned by one student at each of %(small)s schools, where the state total is below "
                "%(min_cell)s too: each count is at least 1, the %(small)s add up to at most %(small)s, so "
                "each must be 1. No further hiding can change that while “below %(min_cell)s” is published "
                "as such.",
                pinned,
            )
            % values
        )
    sentences.append(_(KNOWN_LIMIT))
    return sentences


def year_report_page(names: CatalogNames, reports: Reports, year: int) -> Page:
    report: YearReport = reports.by_year[year]
    fields = field_rows(names, report.by_field)
    credentials = hidden_last(credential_rows(names, report.by_credential))
    top = [row for row in credentials if row.count.value is not None][:TOP_CREDENTIALS]
    districts = hidden_last(
        CountRow(Link(url(f"/schools/#{district_anchor(key)}"), reports.districts.get(key, key)), total)
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
        title=_("Statewide report %(year)s") % {"year": year},
        description=_(
            "Credentials earned statewide in %(year)s, by career field, credential and district, with readiness."
        )
        % {"year": year},
        context={
            "year": year,
            "other_years": year_links(reports, report_url, year),
            "report": report,
            "fields": fields,
            "fields_chart": bar_chart(
                "chart-fields",
                _("Credentials earned by career field, %(year)s") % {"year": year},
                chart_values(fields),
            ),
            "credentials": credentials,
            "top": top,
            "top_chart": bar_chart(
                "chart-top",
                ngettext(
                    "The %(num)s credential earned most often, %(year)s",
                    "The %(num)s credentials earned most often, %(year)s",
                    len(top),
                )
                % {"num": len(top), "year": year},
                chart_values(top),
            ),
            "districts": districts,
            "readiness_by_district": readiness_by_district,
            "trend": trend_rows(reports),
            "trend_chart": trend_chart(reports),
            "fields_legend": legend(reports.min_cell, [report.total, *(row.count for row in fields)]),
            "credentials_legend": legend(reports.min_cell, [row.count for row in credentials]),
            "readiness_legend": legend(
                reports.min_cell,
                [
                    count
                    for readiness in (report.readiness, *report.readiness_by_district.values())
                    for count in (readiness.graduates, readiness.met)
                ],
                [readiness.rate for readiness in (report.readiness, *report.readiness_by_district.values())],
            ),
            "districts_legend": legend(reports.min_cell, [row.count for row in districts]),
            "trend_legend": legend(reports.min_cell, [row.count for row in trend_rows(reports)]),
            "why_hidden": _(WHY_HIDDEN) % {"min_cell": reports.min_cell, "small": reports.min_cell - 1},
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
        claim = _(
            "Each school claims the exam fees it paid for its students' credentials. A school's own "
            "dollars are not published under this program: with the exam fees shown on the credential "
            "pages, they would tell how many of its students took each exam. Its number of credentials "
            "claimed is shown (when it is not withheld), and the totals include every school."
        )
    else:
        claim = _(
            "This program pays a flat amount: each school's claim is the number of credentials it "
            "claimed times %(amount)s."
        ) % {"amount": usd(program.unit_amount)}
    total = (
        usd(program.claimed.value) if program.claimed.value is not None else _("an amount hidden for privacy")
    )
    if program.factor is None and program.count.status == "suppressed":
        share = _(
            "Fewer than %(min_cell)s credentials were claimed under this program, so its totals, and "
            "so its proration factor, are withheld to protect privacy."
        ) % {"min_cell": min_cell}
    elif program.factor is None and program.count.shown:
        share = _(
            "This program's dollars, and so its proration factor, are withheld: with the exam fees "
            "shown on the credential pages and the number of credentials claimed, they would tell "
            "how many exams of some credential were claimed, a number too small to publish."
        )
    elif program.factor is None:
        share = _(
            "This program's totals, and so its proration factor, are withheld so that other "
            "withheld numbers cannot be worked out from them."
        )
    elif program.factor < 1:
        share = _(
            "The claims add up to %(total)s, more than the allocation of %(allocation)s. "
            "So every school is paid the same share of its claim: f = allocation ÷ claims = "
            "%(factor)s (%(percent)s; shown rounded down to six decimals, the "
            "exact fraction is used). Each payment is the school's claim times f, rounded down to the "
            "cent; the cents "
            "left over are then handed out one at a time to the schools that lost the largest fractions "
            "of a cent (equal fractions go to the lower school id), so the payments add up to the "
            "allocation exactly."
        ) % {
            "total": total,
            "allocation": usd(program.allocation),
            "factor": program.factor,
            "percent": _percent(program.factor),
        }
    else:
        share = _(
            "The claims add up to %(total)s, which fits within the allocation of "
            "%(allocation)s. So every school is paid its full claim (f = 1)."
        ) % {"total": total, "allocation": usd(program.allocation)}
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


def withheld_text(program: ProgramYear, min_cell: int) -> str:
    """What is withheld under ``program`` and why, in the words of the statuses the download
    gives the same rows: only what was actually done this year."""
    withheld = Withheld.of(program)
    rule = _(
        "A school that claimed from 1 to %(small)s credentials has its count and dollars withheld "
        "(shown as “<%(min_cell)s” and “suppressed”)."
    ) % {"small": min_cell - 1, "min_cell": min_cell}
    if not withheld.total:
        return rule + " " + _("Under this program no school's numbers are withheld.")
    sentences = [rule]
    if withheld.small:
        sentences.append(
            ngettext(
                "Under this program %(num)s school did so.",
                "Under this program %(num)s schools did so.",
                withheld.small,
            )
            % {"num": withheld.small}
        )
    if withheld.protecting:
        if withheld.small:
            protecting = ngettext(
                "%(num)s school has its count and dollars withheld too (both shown as “suppressed”), not for "
                "a small count but so that other withheld numbers cannot be worked out from the totals.",
                "%(num)s schools have their count and dollars withheld too (both shown as “suppressed”), not "
                "for a small count but so that other withheld numbers cannot be worked out from the totals.",
                withheld.protecting,
            )
        else:
            protecting = ngettext(
                "%(num)s school has its count and dollars withheld (both shown as “suppressed”), not for "
                "a small count but so that other withheld numbers cannot be worked out from the totals.",
                "%(num)s schools have their count and dollars withheld (both shown as “suppressed”), not "
                "for a small count but so that other withheld numbers cannot be worked out from the totals.",
                withheld.protecting,
            )
        sentences.append(protecting % {"num": withheld.protecting})
    sentences.append(_("Withheld payments are still paid and are included in the totals."))
    return " ".join(sentences)


def _percent(factor: Decimal) -> str:
    """95.0036%: the proration factor as a percentage, to four decimals at most, in the page's language."""
    locale = active_locale()
    if locale is not None:
        return format_percent(factor, format="#,##0.####%", locale=locale)
    return f"{factor * 100:.4f}".rstrip("0").rstrip(".") + "%"


def program_context(names: CatalogNames, reports: Reports, program: ProgramYear) -> dict:
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
        "label": program_label(names, program.program),
        "factor_percent": _percent(program.factor) if program.factor is not None else "",
        "formula": formula_text(program, reports.min_cell),
        "rows": rows,
        "withheld": Withheld.of(program).total,
        "legend": legend(
            reports.min_cell,
            [program.count, *(row.payment.count for row in rows)],
            dollars=[
                program.claimed,
                program.paid,
                *(d for row in rows for d in (row.payment.claimed, row.payment.paid)),
            ],
        ),
    }


def reimbursement_index(names: CatalogNames, reports: Reports) -> Page:
    years = [
        {
            "year": year,
            "url": reimbursement_url(year),
            "programs": [program_context(names, reports, p) for p in reports.by_year[year].programs],
        }
        for year in sorted(reports.years, reverse=True)
    ]
    return Page(
        path="/reimbursement/",
        template="reimbursement-index.html",
        title=_("Reimbursement"),
        description=_("How each year's credential funding was divided among schools."),
        context={
            "years": years,
            "legend": legend(
                reports.min_cell,
                dollars=[
                    d
                    for entry in years
                    for program in entry["programs"]
                    for d in (program["program"].claimed, program["program"].paid)
                ],
            ),
        },
    )


def reimbursement_page(names: CatalogNames, reports: Reports, year: int) -> Page:
    report = reports.by_year[year]
    return Page(
        path=reimbursement_url(year),
        template="reimbursement.html",
        title=_("Reimbursement %(year)s") % {"year": year},
        description=_("Allocation, claims, proration factor and payments by school for %(year)s.")
        % {"year": year},
        context={
            "year": year,
            "other_years": year_links(reports, reimbursement_url, year),
            "programs": [program_context(names, reports, program) for program in report.programs],
            "report_url": report_url(year),
            "download": Link(
                f"/data/reimbursement-{year}.csv",
                _("Reimbursement payments by school, %(year)s (CSV)") % {"year": year},
            ),
        },
    )


# --- the credential page's section ----------------------------------------------------------


def credential_attainment(statewide: Statewide | None, credential_id: str) -> dict | None:
    """Statewide earned per year for one credential, and where its students earned it in the
    latest year (None when there are no reports)."""
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
        else BarValue(link.text, 0, _(NONE_REPORTED))
        for link, earned in rows
    ]
    return {
        "rows": rows,
        "chart": bar_chart(
            "chart-credential-years", _("Students who earned this credential, by year"), values
        ),
        "none_reported": _(NONE_REPORTED),
        "legend": legend(statewide.min_cell, [earned for _, earned in rows]),
        "where": where_earned(statewide, credential_id) if statewide.years else None,
    }


#: more schools than this are listed in a box the reader opens
WHERE_OPEN_LIMIT = 30


@dataclass(frozen=True)
class SchoolCount:
    link: Link
    #: the school's published count, as its page shows it
    earned: str


@dataclass(frozen=True)
class DistrictSchools:
    name: str
    url: str
    schools: list[SchoolCount]


def where_earned(statewide: Statewide, credential_id: str) -> dict:
    """The credential page's "Where students earn this": the schools of the latest year whose
    published count of the credential is shown and not 0, by district, each with that count
    exactly as its school page shows it. Nothing is added up: no district total is made here
    that the reports do not publish. Schools whose count is hidden are only counted."""
    year = max(statewide.years)
    min_cell = statewide.min_cell
    listed = statewide.where_earned.get(credential_id, ())
    hidden = statewide.hidden_schools.get(credential_id, 0)
    by_district: dict[str, list[tuple[str, int]]] = {}
    for school_id, earned in listed:
        by_district.setdefault(statewide.schools[school_id].district_id, []).append((school_id, earned))
    districts = []
    for district_id, schools in by_district.items():
        first = statewide.schools[schools[0][0]]
        districts.append(
            DistrictSchools(
                name=first.district_name,
                url=url(f"/schools/#{district_anchor(district_id)}"),
                schools=[
                    SchoolCount(Link(school_url(key), statewide.schools[key].name), number(earned))
                    for key, earned in sorted(
                        schools, key=lambda item: (statewide.schools[item[0]].name.casefold(), item[0])
                    )
                ],
            )
        )
    districts.sort(key=lambda district: (district.name.casefold(), district.url))
    schools, count = len(listed), len(districts)
    if listed:
        if schools == 1:
            intro = _(
                "In %(year)s, students earned this credential at this school, in numbers large enough to show. "
                "Each number is the school's count of students who earned it, as its report shows it."
            )
        elif count == 1:
            intro = _(
                "In %(year)s, students earned this credential at these %(schools)s schools, in numbers large "
                "enough to show. Each number is the school's count of students who earned it, as its report "
                "shows it."
            )
        else:
            intro = _(
                "In %(year)s, students earned this credential at these %(schools)s schools, in %(districts)s "
                "districts, in numbers large enough to show. Each number is the school's count of students who "
                "earned it, as its report shows it."
            )
        intro = intro % {"year": year, "schools": schools, "districts": count}
    elif hidden:
        intro = _(
            "In %(year)s, no school's number of students who earned this credential is large enough to show."
        ) % {"year": year}
    else:
        intro = _("No school reported students who earned this credential in %(year)s.") % {"year": year}
    left_out = ""
    if listed or hidden:
        left_out = _(
            "To protect privacy, a school is listed only when its number is published: where fewer "
            "than %(min_cell)s students earned it (“<%(min_cell)s”), or its number is hidden so that "
            "small numbers cannot be worked out (“suppressed”), it is not listed."
        ) % {"min_cell": min_cell}
    if hidden:
        if listed:
            leaves = ngettext(
                "In %(year)s that leaves out %(num)s school, so the numbers above do not add up to the "
                "statewide total.",
                "In %(year)s that leaves out %(num)s schools, so the numbers above do not add up to the "
                "statewide total.",
                hidden,
            )
        else:
            leaves = ngettext(
                "In %(year)s that leaves out %(num)s school.",
                "In %(year)s that leaves out %(num)s schools.",
                hidden,
            )
        left_out += " " + leaves % {"year": year, "num": hidden}
    return {
        "year": year,
        "intro": intro,
        "left_out": left_out,
        "districts": districts,
        "schools": schools,
        "collapsed": schools > WHERE_OPEN_LIMIT,
        "summary": ngettext(
            "Show the %(num)s school by district", "Show the %(num)s schools by district", schools
        )
        % {"num": schools},
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
        reimbursement_index(names, reports),
        *(reimbursement_page(names, reports, year) for year in years),
    ]
