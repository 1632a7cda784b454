"""School-level reports (SPEC 5): attainment, readiness and reimbursement, protected.

``compute_reports`` is the only place outcome data is turned into published numbers:
it builds each year's table systems, protects them (suppression + audit), divides the
reimbursement allocations, and returns reports that hold published values only.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import chain

from site_builder.catalog import Catalog
from site_builder.memory import give_back
from site_builder.outcomes import Attainment, Claim, Outcomes, Records, School
from site_builder.protection import (
    CODED_STATUSES,
    PUBLISHED,
    Key,
    Protection,
    Status,
    TableSystem,
    Task,
    make_slice,
    merged,
    owners,
    protect,
    rate_thresholds,
    settle,
    wholes,
)
from site_builder.protection import run as run_tasks
from site_builder.reports.model import (
    AuditSummary,
    Payment,
    ProgramYear,
    Readiness,
    Reports,
    SchoolYear,
    YearReport,
)
from site_builder.reports.published import count, dollars, rate
from site_builder.reports.systems import (
    STATE,
    attainment_shared,
    attainment_system,
    readiness_system,
)
from site_builder.rules.fees import exposed as fee_exposures
from site_builder.rules.programs import Members, members_in_year
from site_builder.rules.reimbursement import prorate, proration_factor, school_claim

__all__ = ["CatalogFacts", "Reports", "compute_reports"]


@dataclass(frozen=True)
class CatalogFacts:
    """All that the reports read of the catalog (the reports cache keys on it, so reading
    anything else means adding it here)."""

    min_cell: int
    #: credential id -> its first career field, for every credential in the catalog
    primary_field: dict[str, str]
    #: credential id -> its exam fee (None: not known), published on the credential pages
    exam_fees: dict[str, Decimal | None] = field(default_factory=dict)
    #: state code -> credential id: outcome rows may name a credential by its code, so the
    #: same files mean other reports when a code moves to another credential
    state_codes: dict[str, str] = field(default_factory=dict)
    #: each program's credentials and their years (``rules.programs``), published on the
    #: credential pages; None when site.yml defines no programs
    members: Members | None = None

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogFacts:
        return cls(
            min_cell=catalog.site.min_cell,
            primary_field={
                key: credential.career_fields[0] for key, credential in catalog.credentials.items()
            },
            exam_fees={key: credential.exam_fee_usd for key, credential in catalog.credentials.items()},
            state_codes=catalog.state_codes(),
            members=catalog.program_members(),
        )

    def members_in(self, year: int) -> dict[str, frozenset[str]] | None:
        """Program id -> its credentials in school year ``year``; None: no programs defined."""
        if self.members is None:
            return None
        return {program: frozenset(members_in_year(self.members, program, year)) for program in self.members}


def compute_reports(
    catalog: Catalog,
    outcomes: Outcomes,
    progress: Callable[[str], None] = lambda _: None,
    protector: Callable[[TableSystem, int], Protection] = protect,
    scheduler: str | None = None,
) -> Reports:
    """Protected reports for every year of ``outcomes``; ``protector`` is ``protect`` or a
    cache in front of it (see site_builder.cache); ``scheduler``, the address of a Dask
    scheduler to protect on (``protection.tasks``)."""
    return _reports_from(CatalogFacts.of(catalog), outcomes, progress, protector, scheduler)


def _reports_from(
    facts: CatalogFacts,
    outcomes: Outcomes,
    progress: Callable[[str], None] = lambda _: None,
    protector: Callable[[TableSystem, int], Protection] = protect,
    scheduler: str | None = None,
) -> Reports:
    """``compute_reports`` from the catalog's facts alone, so that it cannot read more of
    the catalog than the reports cache keys on."""
    min_cell, primary_field = facts.min_cell, facts.primary_field
    schools = {school.school_id: school for school in outcomes.schools}
    attainment, readiness, claims = (
        _by_year(rows) for rows in (outcomes.attainment, outcomes.readiness, outcomes.claims)
    )
    systems: list[Task] = []
    #: year -> the numbers of its attainment systems (one, or its slices) and, for slices,
    #: the shared cells' whole counts
    attainment_of: dict[int, tuple[list[int], dict | None]] = {}
    readiness_of: dict[int, int] = {}
    for year in outcomes.years:
        first = len(systems)
        whole = _add_attainment(
            systems,
            year,
            attainment[year],
            claims[year],
            schools,
            primary_field,
            min_cell,
            facts.members_in(year),
        )
        attainment_of[year] = (list(range(first, len(systems))), whole)
        readiness_of[year] = len(systems)
        systems.append(
            Task(
                f"{year} readiness",
                len(readiness[year]),
                partial(readiness_system, readiness[year], schools, min_cell),
                READINESS_COST,
            )
        )
    # Protection can take long on a large state: say what is being done before it starts.
    rows = sum(system.rows for system in systems)
    progress(f"protecting {len(outcomes.years)} years: {rows} outcome rows in {len(systems)} table systems")
    done = []

    def finished(number: int, seconds: float) -> None:
        done.append(number)
        progress(f"protected {systems[number].name} ({len(done)} of {len(systems)}) in {seconds:.1f}s")

    protected = run_tasks(systems, min_cell, protector, finished, scheduler)
    by_year = {}
    for year in outcomes.years:
        numbers, whole = attainment_of[year]
        parts = [protected[n] for n in numbers]
        ready, ready_seconds = protected[readiness_of[year]]
        for n in (*numbers, readiness_of[year]):  # held here now, and dropped once used
            protected[n] = None
        if whole is None:
            ((counts, counts_seconds),) = parts
        else:
            counts = merged([protection for protection, _ in parts], whole)
            counts_seconds = sum(seconds for _, seconds in parts)
        del parts  # a year's slices, in ``counts`` now: not kept while it settles
        if whole is not None and counts.unresolved:
            started = time.perf_counter()
            system = attainment_system(
                attainment[year], claims[year], schools, primary_field, facts.members_in(year)
            )
            counts = settle(
                system,
                counts,
                min_cell,
                lambda said, year=year: progress(f"settling {year} attainment's slices: {said}"),
            )
            del system
            give_back()  # a national year's system and its audit: 3 GB, not to be kept
            counts_seconds += time.perf_counter() - started
            progress(f"settled {year} attainment's slices in {time.perf_counter() - started:.1f}s")
        by_year[year] = _year_report(
            year, outcomes, counts, ready, claims[year], min_cell, facts.exam_fees, facts.members_in(year)
        )
        by_year[year].audit.extend((_summary(counts, counts_seconds), _summary(ready, ready_seconds)))
        hidden = counts.report.hidden + ready.report.hidden
        solved = counts.report.solved + ready.report.solved
        progress(f"{year}: {hidden} cells hidden, audit passed ({solved} linear programs and certificates)")
        del counts, ready
    del protected
    districts = {school.district_id: school.district_name for school in outcomes.schools}
    schools_by_district: dict[str, list[str]] = defaultdict(list)
    for school in sorted(outcomes.schools, key=lambda school: (school.name.lower(), school.school_id)):
        schools_by_district[school.district_id].append(school.school_id)
    return Reports(
        min_cell=min_cell,
        years=list(outcomes.years),
        schools=dict(sorted(schools.items())),
        districts=dict(sorted(districts.items(), key=lambda item: (item[1].lower(), item[0]))),
        schools_by_district=dict(schools_by_district),
        by_year=by_year,
    )


#: what a readiness row costs to protect against an attainment row (``Task.cost``): its
#: system goes to the linear programs, an attainment year's to the flows. A national
#: readiness year (40,000 rows) took 101 s, a slice of 100,000 attainment rows 35-79 s; a
#: state's readiness year (4,000 rows) 5-7 s, its attainment year (320,000) about 42 s.
#: Counted as one row, the national readiness went last, alone on one worker
READINESS_COST = 10
#: an attainment year of more outcome rows (attainment and claims) than this is protected
#: in slices of whole districts (``protection.blocks``): a state's year, 320,000 rows, is
#: protected whole; a national year, 3.2 million, in slices
SLICE_ABOVE = 1_000_000
#: the rows of a slice, about: a slice's time grows faster than its size (a national
#: slice of 400,000 rows was still certifying after 7.5 minutes; of 100,000, 145 s)
SLICE_ROWS = 100_000


def _add_attainment(
    systems: list[Task],
    year: int,
    rows: list[Attainment],
    claims: list[Claim],
    schools: dict[str, School],
    primary_field: dict[str, str],
    min_cell: int,
    members: Mapping[str, frozenset[str]] | None = None,
) -> dict | None:
    """The year's attainment system added to ``systems``, whole or as slices; for slices,
    the whole counts of the cells they share. ``members``: each program's credentials that
    year (None: site.yml defines no programs)."""
    size = len(rows) + len(claims)
    if size <= SLICE_ABOVE:
        systems.append(
            Task(
                f"{year} attainment",
                size,
                partial(attainment_system, rows, claims, schools, primary_field, members),
            )
        )
        return None
    groups = _district_groups(rows, claims, schools, math.ceil(size / SLICE_ROWS))
    parts = [
        attainment_shared(group_rows, group_claims, primary_field) for group_rows, group_claims in groups
    ]
    whole, owned = wholes(parts), owners(parts, min_cell)
    for number, (group_rows, group_claims) in enumerate(groups):
        # only its own schools travel with a slice's task: all of a nation's 40,000, in each
        # of a national build's 160 tasks, took minutes to send
        own = {row.school_id for row in chain(group_rows, group_claims)}
        group_schools = {school_id: schools[school_id] for school_id in sorted(own)}
        make = partial(attainment_system, group_rows, group_claims, group_schools, primary_field, members)
        systems.append(
            Task(
                f"{year} attainment, part {number + 1} of {len(groups)}",
                len(group_rows) + len(group_claims),
                partial(_slice, make, parts[number], whole, owned, number),
            )
        )
    return whole


def _district_groups(
    rows: list[Attainment], claims: list[Claim], schools: dict[str, School], count: int
) -> list[tuple[list[Attainment], list[Claim]]]:
    """The rows split into ``count`` groups of whole districts (in district order) of about
    equal size."""
    size: dict[str, int] = defaultdict(int)
    for row in chain(rows, claims):
        size[schools[row.school_id].district_id] += 1
    group_of: dict[str, int] = {}
    running, total = 0, sum(size.values())
    for district_id in sorted(size):
        group_of[district_id] = min(count - 1, running * count // total)
        running += size[district_id]
    groups: list[tuple[Records, Records]] = [(Records(), Records()) for _ in range(count)]  # sent as columns
    for row in rows:
        groups[group_of[schools[row.school_id].district_id]][0].append(row)
    for claim in claims:
        groups[group_of[schools[claim.school_id].district_id]][1].append(claim)
    return [group for group in groups if group[0] or group[1]]


def _slice(make: Callable[[], TableSystem], part: dict, whole: dict, owned: dict, number: int) -> TableSystem:
    """Made by the worker that protects it: one group's attainment system as slice ``number``."""
    return make_slice(make(), part, whole, owned, number)


def _by_year(rows: list) -> defaultdict[int, Records]:
    """Rows grouped by their year, in one pass (as ``Records``, which the protection tasks
    carry to the workers as columns)."""
    grouped: defaultdict[int, Records] = defaultdict(Records)
    for row in rows:
        grouped[row.year].append(row)
    return grouped


def _summary(protection: Protection, seconds: float) -> AuditSummary:
    report = protection.report
    coded, coded_rates = _shown_coded(protection.statuses)
    return AuditSummary(
        report.hidden,
        report.checked,
        report.solved,
        protection.repair_rounds,
        seconds,
        len(protection.inherent),
        coded,
        coded_rates,
    )


def _shown_coded(statuses: dict[Key, Status]) -> tuple[int, int]:
    """The hidden counts behind a rate shown as a coded range, and how many such rates.

    A coded count (met or not met) is behind a shown range exactly when its graduates are
    published (``readiness_system`` codes only from ``min_cell`` graduates up): these are
    the cells ``protection.privacy.must_be_wide`` exempts from the audit, the one deliberate
    exception the report pages and /privacy/ name."""
    counts = rates = 0
    for key, status in statuses.items():
        if status in CODED_STATUSES and statuses.get(("ready", "graduates", *key[2:])) == PUBLISHED:
            counts += 1
            rates += key[1] == "met"
    return counts, rates


def _year_report(
    year: int,
    outcomes: Outcomes,
    counts: Protection,
    ready: Protection,
    claims: list,
    min_cell: int,
    exam_fees: Mapping[str, Decimal | None],
    members: Mapping[str, frozenset[str]] | None = None,
) -> YearReport:
    values = _Values(counts, min_cell)
    readiness = _ReadinessValues(ready, min_cell)
    programs = _programs(year, outcomes, claims, counts, min_cell, exam_fees, members)
    school_ids = sorted(
        {key[2] for key in counts.statuses if key[:2] == ("att", "school")} | readiness.schools
    )
    schools = {}
    for school_id in school_ids:
        schools[school_id] = SchoolYear(
            total=values.get_or_zero(("att", "school", school_id)),
            by_field=values.matching(("att", "school-field", school_id)),
            by_credential=values.matching(("att", "school-credential", school_id)),
            readiness=readiness.of(("school", school_id)) if school_id in readiness.schools else None,
            payments={p.program: p.payments[school_id] for p in programs if school_id in p.payments},
        )
    return YearReport(
        year=year,
        total=values.get(("att", STATE)),
        by_field=values.matching(("att", "field")),
        by_credential=values.matching(("att", "credential")),
        by_district=values.matching(("att", "district")),
        readiness=readiness.of((STATE,)),
        readiness_by_district={
            key[3]: readiness.of(("district", key[3]))
            for key in sorted(ready.statuses)
            if key[:3] == ("ready", "graduates", "district")
        },
        schools=schools,
        programs=programs,
    )


class _Values:
    """Published counts of one protected system, looked up by key or key prefix."""

    def __init__(self, protection: Protection, min_cell: int):
        self.protection = protection
        self.min_cell = min_cell
        self.by_prefix: dict[tuple, dict[str, Key]] = defaultdict(dict)
        for key in protection.statuses:
            self.by_prefix[key[:-1]][key[-1]] = key

    def get(self, key: Key):
        return count(self.protection.values[key], self.protection.statuses[key], self.min_cell)

    def get_or_zero(self, key: Key):
        """A school with graduates and no attainment row earned nothing: 0, as published."""
        return self.get(key) if key in self.protection.statuses else count(0, PUBLISHED, self.min_cell)

    def matching(self, prefix: tuple) -> dict:
        return {last: self.get(key) for last, key in sorted(self.by_prefix.get(prefix, {}).items())}


#: The status a coded count is published with when its rate is not shown (its graduates are
#: hidden, by complementary suppression: coding needs ``min_cell`` graduates, so they are
#: never "<10" then). Its cell shows "suppressed", and its rate "suppressed" too. A status
#: may say no more than the row shows: "bottom-coded" there would tell that at most 20% met
#: the target, which no cell of the row shows. "suppressed" would not do either: that status
#: always goes with "<10" (1 to min_cell - 1), which this count need not be. So it gets the
#: status of every other count shown as "suppressed": hidden for another reason than being
#: a small count itself. Nothing is told that the audit does not already assume known: it
#: models this cell as coded (the coded rate's inequality stays in the system, and
#: ``protection.privacy.must_be_wide`` asks it to be wide, its rate being hidden), which says
#: more than this status does. The /privacy/ page says that a "suppressed" count of
#: graduates who met the target may be of any size.
_SHOWN_AS_SUPPRESSED: Status = "suppressed-complementary"


class _ReadinessValues:
    def __init__(self, protection: Protection, min_cell: int):
        self.protection = protection
        self.min_cell = min_cell
        self.schools = {key[3] for key in protection.statuses if key[:3] == ("ready", "graduates", "school")}

    def of(self, unit: tuple) -> Readiness:
        statuses, values = self.protection.statuses, self.protection.values
        graduates_key, met_key = ("ready", "graduates", *unit), ("ready", "met", *unit)
        graduates, met = values[graduates_key], values[met_key]
        graduates_status, met_status = statuses[graduates_key], statuses[met_key]
        coded_at = None
        if graduates_status != PUBLISHED or graduates < self.min_cell:
            rate_status: Status = "suppressed"
        elif met_status in ("top-coded", "bottom-coded"):
            rate_status = met_status
            top, bottom = rate_thresholds(graduates)
            coded_at = int((top if met_status == "top-coded" else bottom) * 100)
        elif met_status == PUBLISHED and statuses[("ready", "not-met", *unit)] == PUBLISHED:
            rate_status = PUBLISHED
        else:
            rate_status = "suppressed"
        if met_status in CODED_STATUSES and rate_status not in CODED_STATUSES:
            met_status = _SHOWN_AS_SUPPRESSED
        return Readiness(
            graduates=count(graduates, graduates_status, self.min_cell),
            met=count(met, met_status, self.min_cell),
            rate=rate(met, graduates, rate_status, coded_at),
        )


def dollars_status(count_status: Status, unit_amount: Decimal | None) -> Status:
    """The status of a school's dollars under a program, from its claimed count's.

    A flat-rate program's dollars are the count times the unit amount: they follow the
    count. A program that reimburses actual exam fees never publishes a school's dollars
    (shown "suppressed", status ``suppressed-complementary``): the credential pages publish
    every exam fee, and the dollars are the sum of fee x claimed count per credential, so
    they would tell how many students the school claimed for each credential. $414 with
    fees of $35, $99 and $250 can only be 9 x $35 + 1 x $99, which pins two hidden "<10"
    cells (claims <= earned) and says what a school claimed per credential, which SPEC 5
    never publishes. The audit does not model fees (yet): until it checks such sums over
    whole numbers, the figure is not published. The program's own totals stay published.
    """
    if unit_amount is not None or count_status != PUBLISHED:
        return count_status
    return "suppressed-complementary"


def fee_totals_status(
    claimed: Decimal,
    claimed_count: int,
    counts: Protection,
    exam_fees: Mapping[str, Decimal | None],
    min_cell: int,
) -> Status:
    """The status of a fee program's statewide dollars (and so its factor and total paid):
    published, unless with the exam fees and the published count they would pin a number of
    claims per credential to a small number, or raise the least value of a hidden statewide
    count earned (``rules.fees``); then withheld, ``suppressed-complementary``."""
    upper: dict[str, int | None] = {}
    hidden = set()
    for credential_id in exam_fees:
        key = ("att", "credential", credential_id)
        status = counts.statuses.get(key)
        if status is None:
            upper[credential_id] = 0  # nobody earned it: no row in the download
        elif status == PUBLISHED:
            upper[credential_id] = counts.values[key]
        else:
            upper[credential_id] = min_cell - 1 if status == "suppressed" else None
            hidden.add(credential_id)
    fees = {key: fee for key, fee in exam_fees.items() if fee is not None and fee > 0}
    exposed = fee_exposures(
        claimed,
        claimed_count,
        fees,
        upper,
        hidden,
        min_cell,
        zero_fees=any(fee == 0 for fee in exam_fees.values()),
        unknown_fees=any(fee is None for fee in exam_fees.values()),
    )
    return "suppressed-complementary" if exposed else PUBLISHED


def _programs(
    year: int,
    outcomes: Outcomes,
    claims: list,
    counts: Protection,
    min_cell: int,
    exam_fees: Mapping[str, Decimal | None],
    members: Mapping[str, frozenset[str]] | None = None,
) -> list[ProgramYear]:
    """Each program's allocation divided among schools; dollars follow their count's status
    (``dollars_status``), and a fee program's totals are withheld when, with the exam fees,
    they would narrow claims per credential (``fee_totals_status``). With ``members`` (the
    programs' credentials that year, published on the credential pages), only a program's
    members can have been claimed under it: only their fees enter the sum."""
    programs = []
    for funding in sorted((f for f in outcomes.funding if f.year == year), key=lambda f: f.program):
        mine = [claim for claim in claims if claim.program == funding.program]
        by_school: dict[str, list] = defaultdict(list)
        for claim in mine:
            by_school[claim.school_id].append(claim)
        claimed = {
            school_id: school_claim(
                [c.amount_usd for c in rows], [c.count for c in rows], funding.unit_amount_usd
            )
            for school_id, rows in sorted(by_school.items())
        }
        paid = prorate(claimed, funding.allocation_usd)
        total_claimed = sum(claimed.values(), Decimal(0))
        payments = {}
        for school_id in claimed:
            key = ("claims", "school", funding.program, school_id)
            status = counts.statuses[key]
            money = dollars_status(status, funding.unit_amount_usd)
            payments[school_id] = Payment(
                count=count(counts.values[key], status, min_cell),
                claimed=dollars(claimed[school_id], money),
                paid=dollars(paid[school_id], money),
            )
        total_key = ("claims", "program", funding.program)
        total_status = counts.statuses.get(total_key, PUBLISHED)
        money = total_status
        if funding.unit_amount_usd is None and total_status == PUBLISHED:
            fees = (
                exam_fees
                if members is None
                else {key: fee for key, fee in exam_fees.items() if key in members.get(funding.program, ())}
            )
            money = fee_totals_status(total_claimed, counts.values.get(total_key, 0), counts, fees, min_cell)
        programs.append(
            ProgramYear(
                year=year,
                program=funding.program,
                allocation=funding.allocation_usd,
                unit_amount=funding.unit_amount_usd,
                count=count(counts.values.get(total_key, 0), total_status, min_cell),
                claimed=dollars(total_claimed, money),
                factor=proration_factor(funding.allocation_usd, total_claimed)
                if money == PUBLISHED
                else None,
                paid=dollars(sum(paid.values(), Decimal(0)), money),
                payments=payments,
            )
        )
    return programs
