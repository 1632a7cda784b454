"""``credsite export``: the catalog as the state office's spreadsheet, and the MAP.yml that
imports it back (SPEC 8).

One row per credential, sorted by id, the list facts first; issuers and career fields by
name, several values joined with "; ". Importing the exported file with ``export_map()``
over the same catalog changes no file. Text cells that a spreadsheet could run as a formula
are written as text: a string cell in .xlsx, a leading ``'`` in .csv (which ``import``
removes again).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from site_builder.catalog.loader import Catalog
from site_builder.catalog.models import Credential
from site_builder.csvsafe import csv_text

from .mapping import ISSUER_URL

SHEET_NAME = "Credentials"
#: (field, column name), list facts first
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("name", "Name"),
    ("state_code", "State Code"),
    ("issuer", "Issuer"),
    (ISSUER_URL, "Issuer Website"),
    ("points", "Points"),
    ("career_fields", "Career Fields"),
    ("status", "Status"),
    ("approved", "Approved"),
    ("sunset", "Sunset"),
    ("type", "Type"),
    ("cip_codes", "CIP Codes"),
    ("summary", "Summary"),
    ("certifies", "Certifies"),
    ("assessment", "Assessment"),
    ("prerequisites", "Prerequisites"),
    ("exam_fee_usd", "Exam Fee (USD)"),
    ("valid_years", "Valid Years"),
    ("renewal", "Renewal"),
    ("verification_url", "Verification URL"),
    ("portability", "Portability"),
    ("college_credit_hours", "College Credit Hours"),
    ("occupations", "Occupations (SOC)"),
    ("stacks_to", "Stacks To"),
    ("sources", "Sources"),
    ("last_reviewed", "Last Reviewed"),
)

Value = str | int | Decimal | dt.date | None


def columns() -> list[tuple[str, str]]:
    """The exported columns whose fields this catalog's model has."""
    return [
        (name, header) for name, header in COLUMNS if name == ISSUER_URL or name in Credential.model_fields
    ]


def rows(catalog: Catalog) -> list[list[Value]]:
    """One row per credential, in ``columns()`` order."""
    table = []
    for credential_id in sorted(catalog.credentials):
        credential = catalog.credentials[credential_id]
        issuer = catalog.issuers.get(credential.issuer)
        row: list[Value] = []
        for name, _ in columns():
            if name == "issuer":
                row.append(issuer.name if issuer else credential.issuer)
            elif name == ISSUER_URL:
                row.append(issuer.url if issuer else None)
            elif name == "career_fields":
                row.append("; ".join(_career_field_name(catalog, each) for each in credential.career_fields))
            else:
                value = getattr(credential, name)
                row.append("; ".join(map(str, value)) if isinstance(value, list) else value)
        table.append([None if value == "" else value for value in row])
    return table


def _career_field_name(catalog: Catalog, career_field: str) -> str:
    found = catalog.career_fields.get(career_field)
    return found.name if found else career_field


def export_map() -> str:
    """The MAP.yml that imports an exported file."""
    lines = ["# credsite import LIST --map MAP.yml: reads a file written by credsite export", "header_row: 1"]
    lines += [f"sheet: {SHEET_NAME}", "columns:"]
    lines += [f"  {name}: {header}" for name, header in columns()]
    return "\n".join(lines) + "\n"


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(catalog: Catalog) -> bytes:
    header = [header for _, header in columns()]
    return csv_text(header, [[_text(value) for value in row] for row in rows(catalog)]).encode("utf-8")


def xlsx_bytes(catalog: Catalog) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append([header for _, header in columns()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows(catalog), start=2):
        for column_number, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, Decimal):
                cell.value = int(value) if value == value.to_integral_value() else float(value)
            else:
                cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (34, 40, 14, 28, 30, 8, 36, 12, 12, 12), strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Catalog], bytes]] = {"csv": csv_bytes, "xlsx": xlsx_bytes}


def export_catalog(catalog: Catalog, out: Path, file_format: str) -> None:
    out.write_bytes(WRITERS[file_format](catalog))
