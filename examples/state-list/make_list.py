"""Writes irc-list.xlsx: a made-up state's credential list, kept as messy as real ones are.

A title block above the column names, trailing spaces, mixed case, dates as Excel serial
numbers and as text, points typed as text ("6 pts"), blank rows, a career cluster merged
down several rows and written three ways. ``python make_list.py`` writes the list;
``python make_list.py --newer`` writes the next year's (one credential dropped, one added,
one worth more points), as the tests use it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "IRC Code",
    "Credential Title ",
    "Issuing Organization",
    "Org Website",
    "Career Cluster",
    "Point Value",
    "Status",
    "Effective Date",
    "Sunset Date",
    "Notes",
]

# code, title, issuer, website, cluster (None: merged from above), points, status, effective, sunset
ROWS: list[tuple] = [
    (
        "IT-101",
        "CompTIA A+ ",
        "CompTIA",
        "https://www.comptia.org",
        "Information Technology",
        "12 pts",
        "ACTIVE",
        43282,
        None,
    ),
    ("IT-102", "CompTIA Network+", "comptia ", None, None, 9, "Active", "7/1/2019", None),
    (
        "IT-103",
        "Cisco Certified Support Technician (CCST) Networking",
        "Cisco",
        "https://www.cisco.com",
        None,
        "6",
        "active",
        dt.date(2023, 7, 1),
        None,
    ),
    (
        "IT-104",
        "Microsoft Office Specialist: Excel",
        "Microsoft",
        "https://www.microsoft.com",
        "INFORMATION TECHNOLOGY ",
        "3.0",
        "Active",
        "2018-07-01",
        None,
    ),
    None,
    (
        "HS-201",
        "State Tested Nurse Aide",
        "State Board of Nursing",
        None,
        "Health Science",
        "12",
        "Active",
        "July 1, 2018",
        None,
    ),
    (
        "HS-202",
        "  Phlebotomy Technician (CPT)",
        "National Healthcareer Association",
        "https://www.nhanow.com",
        None,
        "9 points",
        "Active",
        43647,
        None,
    ),
    (
        "HS-203",
        "BLS Provider",
        "American Heart Association",
        "https://www.heart.org",
        "health science",
        1,
        "Sunset Pending",
        "7/1/2018",
        "6/30/2026",
    ),
    None,
    (
        "MF-301",
        "OSHA 10-Hour General Industry",
        "OSHA Training Institute",
        None,
        "Manufacturing",
        "1 pt",
        "Active",
        43282,
        None,
    ),
    (
        "MF-302",
        "AWS Certified Welder",
        "American Welding Society",
        "https://www.aws.org",
        "Manufacturing",
        "12",
        "Active",
        43282,
        None,
    ),
    (
        "MF-303",
        "NIMS Measurement, Materials and Safety",
        "NIMS",
        "https://www.nims-skills.org",
        "Manufacturing",
        "3",
        "Removed",
        "7/1/2018",
        "6/30/2024",
    ),
    (
        "AG-401",
        "Beef Quality Assurance",
        "National Cattlemen's Beef Association",
        None,
        "Agriculture, Food & Natural Resources",
        "1",
        "Active",
        "2020-07-01",
        None,
    ),
    (
        "TR-501",
        "FAA Part 107 Remote Pilot",
        "Federal Aviation Administration",
        "https://www.faa.gov",
        "Info Tech",
        "12",
        "Active",
        "2021-07-01",
        None,
    ),
]

NEWER: list[tuple] = [
    row
    if row is None or row[0] not in ("HS-202", "IT-104")
    else (row if row[0] != "IT-104" else (*row[:5], "6 pts", *row[6:]))
    for row in ROWS
    if row is None or row[0] != "HS-202"
] + [
    (
        "IT-105",
        "CompTIA Security+",
        "CompTIA",
        None,
        "Information Technology",
        "12",
        "Active",
        "7/1/2025",
        None,
    )
]


def write_list(path: Path, rows: list[tuple]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IRC List"
    sheet.append(["Department of Education: Industry-Recognized Credential List"])
    sheet.append(["School year 2025-2026. Questions: credentials@education.example.gov"])
    sheet.append([])
    sheet.append(HEADER)
    merge_from = None
    for row in rows:
        if row is None:
            sheet.append([])
            continue
        sheet.append([*row[:8], row[8], None])
        number = sheet.max_row
        if row[4] is not None:
            merge_from = number
        elif merge_from is not None and (number + 1 > len(rows) + 4 or _next_has_cluster(rows, row)):
            sheet.merge_cells(start_row=merge_from, start_column=5, end_row=number, end_column=5)
    workbook.save(path)


def _next_has_cluster(rows: list[tuple], row: tuple) -> bool:
    following = rows[rows.index(row) + 1 :]
    return not following or following[0] is None or following[0][4] is not None


if __name__ == "__main__":
    newer = "--newer" in sys.argv
    target = Path(__file__).with_name("irc-list-newer.xlsx" if newer else "irc-list.xlsx")
    write_list(target, NEWER if newer else ROWS)
    print(target)
