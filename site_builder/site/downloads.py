"""The published outcome downloads (SPEC 6): CSV files and the Frictionless descriptor of /data/.

Written from the protected ``Reports`` alone, like the pages, so a download can never
hold a number the pages hide. Hidden cells carry their replacement text (``<10``,
``suppressed``) and every row a ``status``; no cell is ever blank.

Besides each year's three tables, ``schools.csv`` (every school with a report page) and
``report-<year>.json`` (every other published figure of the year's pages: the totals by
career field, credential, district and state, readiness by district and state, the
programs' totals and each school's claimed count, the numbers of the audit paragraph) hold
the rest of what the report pages show, each value in the form and with the status the
pages give it. Together they are all of the reports, so a build without the outcome data
draws the same report pages from them (``credsite build --reports-from``,
``site_builder.reports.published_reader``).

A status says exactly what the row's cells show on the site, never more: ``suppressed``
goes with "<10" (1 to min_cell - 1), ``suppressed-complementary`` with "suppressed",
``top-coded``/``bottom-coded`` with a rate shown as a range (">=95%"). Those are also the
statuses the disclosure audit assumes an attacker reads (``protection.audit.status_bounds``).
The reimbursement rows carry the status of the school's claimed count, which the
reimbursement page shows beside the withheld dollars.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.csvsafe import SPREADSHEET_NOTE, csv_text
from site_builder.phrases import N_, Phrase
from site_builder.protection import CODED_STATUSES
from site_builder.reports import Reports
from site_builder.reports.download_format import (
    DOWNLOAD_KINDS,
    REPORT,
    SCHOOLS,
    Column,
    Table,
    download_name,
    outcome_tables,
    report_file,
)
from site_builder.reports.model import AuditSummary, Readiness, Statewide
from site_builder.reports.published import Count, Dollars, Rate
from site_builder.site.harvest import VERSION_NOTE, package_facts
from site_builder.site.report_pages import CatalogNames
from site_builder.site.writer import write_text


def attainment_rows(names: CatalogNames, reports: Reports, year: int) -> list[list[str]]:
    """One row per (school, credential) cell of the year, sorted by school and credential id."""
    rows = []
    for school_id, school_year in sorted(reports.by_year[year].schools.items()):
        school = reports.schools[school_id]
        for credential_id, earned in sorted(school_year.by_credential.items()):
            # outcome rows name catalog credentials only (a checked foreign key)
            credential_name, primary_field = names.credentials[credential_id]
            rows.append(
                [
                    str(year),
                    school_id,
                    school.name,
                    school.district_id,
                    school.district_name,
                    credential_id,
                    credential_name,
                    primary_field,
                    earned.text,
                    earned.status,
                ]
            )
    return rows


def readiness_status(readiness: Readiness) -> str:
    """The status of what the row shows: the rate's coding when the rate shows a coded range,
    else the met count's status. A coded status never stands beside a hidden rate: the reports
    give a count behind a hidden rate the status of its "suppressed" cell (``Readiness``)."""
    if readiness.rate.status in CODED_STATUSES:
        return readiness.rate.status
    if readiness.met.status in CODED_STATUSES:  # never made so; a coded status needs its range shown
        raise ValueError("a coded count behind a hidden rate would say more than its row shows")
    return readiness.met.status


def readiness_rows(reports: Reports, year: int) -> list[list[str]]:
    rows = []
    for school_id, school_year in sorted(reports.by_year[year].schools.items()):
        readiness = school_year.readiness
        if readiness is None:
            continue
        school = reports.schools[school_id]
        rows.append(
            [
                str(year),
                school_id,
                school.name,
                school.district_id,
                readiness.graduates.text,
                readiness.graduates.status,
                readiness.met.text,
                readiness.rate.text,
                readiness_status(readiness),
            ]
        )
    return rows


def reimbursement_rows(reports: Reports, year: int) -> list[list[str]]:
    """One row per program and school, sorted by program, then school id. The status is the
    dollars' (``reports.dollars_status``): the claimed count's, which the page shows as "<10"
    or "suppressed" and the audit models with that status, except under a program that
    reimburses actual fees, whose dollars per school are never published."""
    rows = []
    for program in sorted(reports.by_year[year].programs, key=lambda p: p.program):
        for school_id, payment in sorted(program.payments.items()):
            rows.append(
                [
                    str(year),
                    program.program,
                    school_id,
                    payment.claimed.text,
                    payment.paid.text,
                    "suppressed" if program.factor is None else str(program.factor),
                    payment.claimed.status,
                ]
            )
    return rows


def schools_rows(reports: Reports) -> list[list[str]]:
    """One row per school with a report page, sorted by school id."""
    return [
        [school.school_id, school.name, school.district_id, school.district_name, school.county]
        for _, school in sorted(reports.schools.items())
    ]


#: what ``report-<year>.json`` holds, in words: the descriptor's and the /data/ page's
REPORT_DESCRIPTION = N_(
    "Every other figure of the year's report pages, in the form and with the status the pages "
    "show it: the statewide total and the totals by career field, credential and district; readiness "
    "statewide and by district; each school's total and totals by career field; each funding "
    "program's allocation, flat amount, proration factor, totals, and the count of credentials each "
    "school claimed; and the numbers of the disclosure audit paragraph. Each number is an object "
    "with its 'text' (as in the CSV files: a number, '<%(n)s', 'suppressed', or a rate such as '45%%' or "
    "'>=95%%') and its 'status'. With schools.csv and the year's CSV files it is the whole report, "
    "so a copy of the site can draw the report pages without the private data."
)


#: the keys of ``report-<year>.json``, for the /data/ page ("number": an object with its text and status)
REPORT_KEYS = (
    Column("year", "integer", N_("School year of the report.")),
    Column("min_cell", "integer", N_("The smallest count shown: smaller ones are shown as '<min_cell'.")),
    Column("earned", "object", N_("Credentials earned statewide: a number, with its 'text' and 'status'.")),
    Column("earned_by_career_field", "object", N_("Credentials earned statewide, by career field id: numbers.")),
    Column(
        "earned_by_credential", "object",
        N_(
            "Students who earned each credential statewide, by credential id: numbers."
        ),
    ),
    Column("earned_by_district", "object", N_("Credentials earned, by district id: numbers.")),
    Column(
        "readiness", "object",
        N_(
            "Statewide graduates, graduates who met the points target, and the rate: numbers "
            "'graduates', 'met_points_target' and 'rate'."
        ),
    ),
    Column("readiness_by_district", "object", N_("The same for each district, by district id.")),
    Column(
        "schools", "object",
        N_(
            "By school id: the credentials the school's students earned ('earned') and the same by "
            "career field ('earned_by_career_field'), as on the school page."
        ),
    ),
    Column(
        "programs", "object",
        N_(
            "By funding program id: the allocation and flat amount per credential (dollars, or null when "
            "the program reimburses actual fees), the proration factor (null when withheld), the "
            "credentials claimed ('claimed') and the dollars claimed and paid, and the credentials each "
            "school claimed ('claimed_by_school', by school id): numbers."
        ),
    ),
    Column(
        "audit", "object",
        N_(
            "The numbers of the report page's paragraph on the disclosure audit: numbers hidden, checked, "
            "calculations, pinned by the status column alone, behind coded rates, and coded rates."
        ),
    ),
)  # fmt: skip


def _shown(published: Count | Rate | Dollars) -> dict[str, str]:
    """A published value as the pages show it: its text and status, never a hidden value."""
    return {"text": published.text, "status": published.status}


def _all_shown(values: dict[str, Count]) -> dict[str, dict[str, str]]:
    return {key: _shown(value) for key, value in sorted(values.items())}


def _readiness_shown(readiness: Readiness) -> dict[str, dict[str, str]]:
    return {
        "graduates": _shown(readiness.graduates),
        "met_points_target": _shown(readiness.met),
        "rate": _shown(readiness.rate),
    }


def _audit_shown(audit: list[AuditSummary]) -> dict[str, int] | None:
    """The sums the audit paragraph of the report page states (``audit_sentences``); not
    its repair rounds or seconds, which no page shows."""
    if not audit:
        return None
    return {
        "hidden": sum(summary.hidden for summary in audit),
        "checked": sum(summary.checked for summary in audit),
        "calculations": sum(summary.solved for summary in audit),
        "pinned": sum(summary.inherent for summary in audit),
        "behind_coded_rates": sum(summary.coded for summary in audit),
        "coded_rates": sum(summary.coded_rates for summary in audit),
    }


def report_document(reports: Reports, year: int) -> dict:
    """``report-<year>.json``: what the year's report pages show and its CSV files do not,
    each value as the pages show it (``_shown``). The school rows of the CSV files
    (credentials earned, readiness, claimed and paid dollars) are not repeated here."""
    report = reports.by_year[year]
    return {
        "year": year,
        "min_cell": reports.min_cell,
        "earned": _shown(report.total),
        "earned_by_career_field": _all_shown(report.by_field),
        "earned_by_credential": _all_shown(report.by_credential),
        "earned_by_district": _all_shown(report.by_district),
        "readiness": _readiness_shown(report.readiness),
        "readiness_by_district": {
            key: _readiness_shown(readiness)
            for key, readiness in sorted(report.readiness_by_district.items())
        },
        "schools": {
            school_id: {"earned": _shown(school.total), "earned_by_career_field": _all_shown(school.by_field)}
            for school_id, school in sorted(report.schools.items())
        },
        "programs": {
            program.program: {
                "allocation_usd": f"{program.allocation:.2f}",
                "unit_amount_usd": None if program.unit_amount is None else f"{program.unit_amount:.2f}",
                "factor": None if program.factor is None else str(program.factor),
                "claimed": _shown(program.count),
                "claimed_usd": _shown(program.claimed),
                "paid_usd": _shown(program.paid),
                "claimed_by_school": {
                    school_id: _shown(payment.count)
                    for school_id, payment in sorted(program.payments.items())
                },
            }
            for program in sorted(report.programs, key=lambda program: program.program)
        },
        "audit": _audit_shown(report.audit),
    }


#: a number of ``report_document`` as ``json.dumps`` indents it, over four lines
_NUMBER_LINES = re.compile(r'\{\n *"text": ("[^"\n\\]*"),\n *"status": ("[a-z-]+")\n *\}')


def report_json(document: dict) -> str:
    """``report_document`` as indented JSON, each number on one line:
    ``{"text": "22", "status": "published"}``."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _NUMBER_LINES.sub(r'{"text": \1, "status": \2}', text) + "\n"


def write_downloads(names: CatalogNames, reports: Reports, data_dir: Path) -> None:
    """Write the school directory and every year's outcome CSV files and report document into
    ``data_dir`` (``download_resources`` describes them)."""
    tables = outcome_tables(reports.min_cell)
    write_text(
        data_dir / f"{SCHOOLS}.csv",
        csv_text([column.name for column in tables[SCHOOLS].columns], schools_rows(reports)),
    )
    for year in sorted(reports.years):
        contents = {
            "attainment": attainment_rows(names, reports, year),
            "readiness": readiness_rows(reports, year),
            "reimbursement": reimbursement_rows(reports, year),
        }
        for kind in DOWNLOAD_KINDS:
            rows = contents[kind]
            path = data_dir / f"{download_name(kind, year)}.csv"
            write_text(path, csv_text([column.name for column in tables[kind].columns], rows))
        write_text(data_dir / report_file(year), report_json(report_document(reports, year)))


def _table_resource(table: Table, name: str, title: str) -> dict:
    return {
        "name": name,
        "type": "table",
        "path": f"{name}.csv",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": table.description,
        "schema": {
            "fields": [column.descriptor() for column in table.columns],
            "primaryKey": list(table.primary_key),
        },
    }


def download_resources(statewide: Statewide) -> list[dict]:
    """The resource descriptor of each file ``write_downloads`` writes, in the same order.

    The descriptors go into ``datapackage.json`` (``write_datapackage``) and onto the /data/ page.
    """
    tables = outcome_tables(statewide.min_cell)
    resources = [_table_resource(tables[SCHOOLS], SCHOOLS, tables[SCHOOLS].title)]
    for year in sorted(statewide.years):
        for kind in DOWNLOAD_KINDS:
            table = tables[kind]
            title = Phrase(N_("%(title)s, %(year)s"), title=Phrase(table.title), year=year)
            resources.append(_table_resource(table, download_name(kind, year), title))
        resources.append(
            {
                "name": download_name(REPORT, year),
                "type": "json",
                "path": report_file(year),
                "scheme": "file",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "title": Phrase(N_("The rest of the report, %(year)s"), year=year),
                "description": Phrase(REPORT_DESCRIPTION, n=statewide.min_cell),
            }
        )
    return resources


def write_datapackage(
    catalog: Catalog,
    resources: list[dict],
    min_cell: int | None,
    data_dir: Path,
    built_at: dt.datetime | None = None,
) -> None:
    """Write ``datapackage.json``: the Frictionless descriptor of every download in ``data_dir``
    (the CSV files, and each year's ``report-<year>.json``), with the licence, version, date
    and publisher harvesters read (``harvest.package_facts``).

    ``min_cell`` is the privacy threshold of the outcome reports, None when the site has none;
    ``built_at`` the build's moment, which dates the data.
    """
    description = "The credential catalog with its derived fields (quality ratings, stacking, pathways)"
    if min_cell is None:
        description += "."
    else:
        description += (
            ", and credentials earned, readiness and reimbursement by school, as published on the site. "
            f"In the school reports, counts from 1 to {min_cell - 1} are shown as '<{min_cell}', and more "
            "cells are hidden ('suppressed') so that no hidden number can be worked out from totals; "
            "readiness rates near 0% or 100% are shown only as a range. "
            "Every row of a school report has a status column, and every number of a report-<year>.json "
            "file a status, which says no more than the row or the number shows."
        )
    description += " " + SPREADSHEET_NOTE + " " + VERSION_NOTE
    package = {
        "name": "credential-data",
        "title": f"{catalog.site.title}: open data",
        "description": description,
        "homepage": catalog.site.base_url.rstrip("/") + "/data/",
        **package_facts(catalog, built_at),
        "resources": resources,
    }
    write_text(data_dir / "datapackage.json", json.dumps(package, indent=2, ensure_ascii=False) + "\n")
