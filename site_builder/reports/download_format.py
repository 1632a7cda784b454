"""The published outcome downloads' names and columns (SPEC 6): the format that the site
writes (``site.downloads``) and that a build without the outcome data reads back
(``reports.published_reader``), kept below both so that neither imports the other.

The descriptions are English in the files; the /data/ page says them in its own language
(``site.i18n.translated``): each is a message marked with ``N_``, or a ``Phrase`` of one.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.phrases import N_, Phrase

#: the outcome tables downloaded per year, in the order of the files and their descriptors
DOWNLOAD_KINDS = ("attainment", "readiness", "reimbursement")
#: the school directory (one file for all years) and the rest of each year's report (JSON)
SCHOOLS = "schools"
REPORT = "report"


def download_name(kind: str, year: int) -> str:
    """The name of one year's download of one table, and of its resource in datapackage.json."""
    return f"{kind}-{year}"


def report_file(year: int) -> str:
    """The name of the file holding the rest of one year's report (``site.downloads.report_document``)."""
    return f"{download_name(REPORT, year)}.json"


STATUSES = ["published", "suppressed", "suppressed-complementary", "top-coded", "bottom-coded"]

HIDDEN_NOTE = N_(
    "A number, or '<%(n)s' (between 1 and %(m)s students, hidden to protect privacy), or 'suppressed' "
    "(hidden so that other hidden numbers cannot be worked out from totals)."
)
MET_NOTE = N_(
    "A number, or '<%(n)s' (between 1 and %(m)s students, hidden to protect privacy), or 'suppressed': "
    "hidden so that other hidden numbers cannot be worked out, or because the rate is too close to "
    "0%% or 100%% to show exactly; then it may be of any size."
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    #: True for the status columns, which hold one of STATUSES
    status: bool = False

    def descriptor(self) -> dict:
        field: dict = {"name": self.name, "type": self.type, "description": self.description}
        if self.status:
            field["constraints"] = {"required": True, "enum": STATUSES}
        else:
            field["constraints"] = {"required": True}
        return field


@dataclass(frozen=True)
class Table:
    """One kind of download: its columns, primary key and what a row is."""

    kind: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]


def outcome_tables(min_cell: int) -> dict[str, Table]:
    hidden = Phrase(HIDDEN_NOTE, n=min_cell, m=min_cell - 1)
    status_text = Phrase(
        N_(
            "Why the number is shown or hidden, saying no more than the row shows: published, "
            "suppressed (shown as '<%(n)s': fewer than %(n)s students), "
            "suppressed-complementary (shown as 'suppressed': hidden so that other hidden numbers "
            "cannot be worked out), top-coded or bottom-coded (a rate shown only as a range)."
        ),
        n=min_cell,
    )
    year = Column("year", "integer", N_("School year of the report."))
    school_id = Column("school_id", "string", N_("State school id."))
    school_name = Column("school_name", "string", N_("School name."))
    district_id = Column("district_id", "string", N_("State district id."))
    return {
        "attainment": Table(
            "attainment",
            N_("Credentials earned by school and credential"),
            N_(
                "Students who earned each credential for the first time, by school, after privacy "
                "protection. One row per school and credential reported."
            ),
            (
                year,
                school_id,
                school_name,
                district_id,
                Column("district_name", "string", N_("District name.")),
                Column("credential_id", "string", N_("Credential id in the catalog (see catalog.json).")),
                Column("credential_name", "string", N_("Credential name.")),
                Column("career_field", "string", N_("Id of the credential's primary career field.")),
                Column(
                    "earned",
                    "string",
                    Phrase(N_("Students who earned the credential. %(hidden)s"), hidden=hidden),
                ),
                Column("status", "string", status_text, status=True),
            ),
            ("year", "school_id", "credential_id"),
        ),
        "readiness": Table(
            "readiness",
            N_("Graduates who met the points target, by school"),
            N_(
                "Graduates and how many of them earned the points target in one career field, by "
                "school, after privacy protection."
            ),
            (
                year,
                school_id,
                school_name,
                district_id,
                Column("graduates", "string", Phrase(N_("Graduates. %(hidden)s"), hidden=hidden)),
                Column(
                    "graduates_status",
                    "string",
                    Phrase(N_("Status of the graduates count. %(status)s"), status=status_text),
                    status=True,
                ),
                Column(
                    "met_points_target",
                    "string",
                    Phrase(
                        N_("Graduates who met the points target. %(hidden)s"),
                        hidden=Phrase(MET_NOTE, n=min_cell, m=min_cell - 1),
                    ),
                ),
                Column(
                    "rate",
                    "string",
                    N_(
                        "Share of graduates who met the target: a whole percent, a coded range such as "
                        "'>=95%' or '<=5%', or 'suppressed'."
                    ),
                ),
                Column(
                    "status",
                    "string",
                    Phrase(
                        N_(
                            "Status of the rate when it is shown as a range (top-coded, bottom-coded; "
                            "met_points_target is then 'suppressed'), otherwise of met_points_target. "
                            "%(status)s"
                        ),
                        status=status_text,
                    ),
                    status=True,
                ),
            ),
            ("year", "school_id"),
        ),
        "reimbursement": Table(
            "reimbursement",
            N_("Reimbursement claims and payments by school"),
            N_(
                "What each school claimed and was paid under each program; dollars are published per "
                "school and program only."
            ),
            (
                year,
                Column("program", "string", N_("Funding program id.")),
                school_id,
                Column(
                    "claimed_usd",
                    "string",
                    N_("Dollars claimed, to the cent, or 'suppressed' when withheld to protect privacy."),
                ),
                Column(
                    "paid_usd",
                    "string",
                    N_("Dollars paid, to the cent, or 'suppressed' when withheld to protect privacy."),
                ),
                Column(
                    "factor",
                    "string",
                    N_(
                        "Proration factor of the program: min(1, allocation / total claimed), six decimals, "
                        "rounded down; 'suppressed' when the program's totals are withheld."
                    ),
                ),
                Column(
                    "status",
                    "string",
                    Phrase(
                        N_(
                            "Status of the dollars: published (dollars shown), suppressed (fewer than "
                            "%(n)s credentials claimed, count shown as '<%(n)s'; dollars withheld), "
                            "suppressed-complementary (dollars withheld: under a program that reimburses "
                            "actual exam fees always, since with the published fees they would tell what "
                            "the school claimed for each credential; under a flat-rate program so that "
                            "other withheld numbers cannot be worked out from the totals)."
                        ),
                        n=min_cell,
                    ),
                    status=True,
                ),
            ),
            ("year", "program", "school_id"),
        ),
        SCHOOLS: Table(
            SCHOOLS,
            N_("Schools with a report"),
            N_(
                "Every school with a report page, whatever the year, with its district and county, as "
                "the school pages name them."
            ),
            (
                school_id,
                school_name,
                district_id,
                Column("district_name", "string", N_("District name.")),
                Column("county", "string", N_("County of the school.")),
            ),
            ("school_id",),
        ),
    }
