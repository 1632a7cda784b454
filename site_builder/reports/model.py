"""The protected reports: everything the school, state and reimbursement pages and the
downloads show, holding only published values (see ``published.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from site_builder.outcomes import School
from site_builder.reports.published import Count, Dollars, Rate


@dataclass(frozen=True)
class Readiness:
    """Graduates, how many reached the points target, and the rate.

    ``met`` carries a coded status (``top-coded``/``bottom-coded``) only when ``rate`` shows
    that coded range: a count behind a coded rate whose graduates are hidden is shown as
    ``suppressed`` with the status every other ``suppressed`` count has (see
    ``site_builder.reports._ReadinessValues``), so no status says more than the row shows.
    """

    graduates: Count
    met: Count
    rate: Rate


@dataclass(frozen=True)
class Payment:
    """One school's claim and payment under one program."""

    count: Count
    claimed: Dollars
    paid: Dollars


@dataclass(frozen=True)
class ProgramYear:
    """The division of one program's allocation in one year (SPEC 5)."""

    year: int
    program: str
    allocation: Decimal
    #: None when the program reimburses the actual fees claimed
    unit_amount: Decimal | None
    count: Count
    claimed: Dollars
    #: None when the program's total is hidden: allocation / factor would give it away
    factor: Decimal | None
    paid: Dollars
    payments: dict[str, Payment]


@dataclass(frozen=True)
class SchoolYear:
    """One school's figures for one year."""

    total: Count
    by_field: dict[str, Count]
    by_credential: dict[str, Count]
    readiness: Readiness | None
    payments: dict[str, Payment]


@dataclass(frozen=True)
class AuditSummary:
    """What the disclosure audit did for one year: shown on the methodology of the reports."""

    hidden: int
    checked: int
    #: linear programs solved, or certificates found (``protection.certificates``)
    solved: int
    repair_rounds: int
    seconds: float
    #: hidden cells the status column pins by itself ("<10" parts of a "<10" total that can
    #: only all be 1), which no hiding can widen; the audit exempts them
    inherent: int = 0
    #: hidden counts behind a rate shown as a coded range (">=95%"): the range is published
    #: on purpose (NCES tiered coding), so the audit does not ask them to be wide
    coded: int = 0
    #: the readiness rates shown as a coded range, whose counts ``coded`` are
    coded_rates: int = 0


@dataclass(frozen=True)
class YearReport:
    year: int
    total: Count
    by_field: dict[str, Count]
    by_credential: dict[str, Count]
    by_district: dict[str, Count]
    readiness: Readiness
    readiness_by_district: dict[str, Readiness]
    schools: dict[str, SchoolYear]
    programs: list[ProgramYear]
    audit: list[AuditSummary] = field(default_factory=list)


@dataclass(frozen=True)
class Reports:
    """All years of protected outcome reports."""

    min_cell: int
    years: list[int]
    schools: dict[str, School]
    #: district_id -> district name
    districts: dict[str, str]
    #: district_id -> its school ids, sorted by school name
    schools_by_district: dict[str, list[str]]
    by_year: dict[int, YearReport]

    def statewide(self) -> Statewide:
        where: dict[str, list[tuple[str, int]]] = {}
        hidden: dict[str, int] = {}
        if self.years:
            # the latest year's school counts, as its school pages show them: published ones
            # by value, hidden ones only counted (how many rows of the download are hidden)
            for school_id, school_year in sorted(self.by_year[max(self.years)].schools.items()):
                for credential_id, earned in school_year.by_credential.items():
                    if earned.value is None:
                        hidden[credential_id] = hidden.get(credential_id, 0) + 1
                    elif earned.value > 0:
                        where.setdefault(credential_id, []).append((school_id, earned.value))
        named = sorted({school_id for rows in where.values() for school_id, _ in rows})
        return Statewide(
            min_cell=self.min_cell,
            years=list(self.years),
            total={year: report.total for year, report in self.by_year.items()},
            by_credential={year: dict(report.by_credential) for year, report in self.by_year.items()},
            where_earned={key: tuple(rows) for key, rows in sorted(where.items())},
            hidden_schools=dict(sorted(hidden.items())),
            schools={school_id: self.schools[school_id] for school_id in named},
        )


@dataclass(frozen=True)
class Statewide:
    """All that the catalog's own pages show of the reports: each year's statewide total (the
    home page, the menu's latest report) and each credential's (its page), the schools where
    each credential's count is published in the latest year (its page), and the minimum
    cell size and years that describe the downloads. The reports cache keeps it beside the
    reports, so a build that copies the report pages never loads the reports (60 MB at
    state size)."""

    min_cell: int
    years: list[int]
    total: dict[int, Count]
    #: year -> credential id -> statewide earned
    by_credential: dict[int, dict[str, Count]]
    #: the latest year's published count of each credential at each school where it is shown
    #: and not 0, as the school pages and the attainment download show it: credential id ->
    #: ((school id, earned), ...) by school id. A hidden count has no value here to list.
    where_earned: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    #: credential id -> how many schools' counts of it are hidden ("<10", "suppressed") that
    #: year: the rows of the download whose status is not published
    hidden_schools: dict[str, int] = field(default_factory=dict)
    #: the schools named in ``where_earned``
    schools: dict[str, School] = field(default_factory=dict)
