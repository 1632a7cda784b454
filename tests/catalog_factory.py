"""A small, valid catalog written from scratch, as another state would write one.

Tests copy it into tmp_path and break one thing at a time. It deliberately differs
from the bundled sample (other fields, issuers and ids) so the code cannot lean on it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

SITE = """\
title: Northland Credential Catalog
description: Credentials approved for Northland high schools.
base_url: https://creds.northland.example
points_target: 12
min_cell: 10
living_wage_usd: 40000
current_year: 2025
"""

CAREER_FIELDS = """\
- id: health
  name: Health Science
  description: Care for patients and communities.
- id: it
  name: Information Technology
  description: Computers, networks and software.
"""

ISSUERS = {
    "nursing-board": "name: Northland Board of Nursing\nurl: https://nursing.northland.example\nkind: government-licensing\nverification_url: https://nursing.northland.example/verify\n",
    "netco": "name: NetCo\nurl: https://netco.example\nkind: vendor\n",
    "local-club": "name: Local Computer Club\nurl: https://club.example\nkind: other\n",
}

OCCUPATIONS = """\
soc,title,median_wage_usd,wage_year,in_demand,source
15-1231,Computer Network Support Specialists,68000,2024,true,test
15-1232,Computer User Support Specialists,52000,2024,false,test
31-1131,Nursing Assistants,31000,2024,true,test
"""


def credential(
    id: str,
    name: str,
    issuer: str,
    fields: str,
    points: int,
    *,
    type: str = "certification",
    status: str = "approved",
    sunset: str = "null",
    occupations: str = "[]",
    stacks_to: str = "[]",
    portability: str = "national",
    credit: int = 0,
    verification: str | None = None,
    body: str = "A short description.\n",
) -> str:
    """The text of one credential file; keyword arguments change single fields."""
    verification_line = f"verification_url: {verification}\n" if verification else ""
    return (
        "---\n"
        f"id: {id}\n"
        f"name: {name}\n"
        f"issuer: {issuer}\n"
        f"type: {type}\n"
        f"career_fields: {fields}\n"
        f"points: {points}\n"
        f"status: {status}\n"
        "approved: 2020-07-01\n"
        f"sunset: {sunset}\n"
        f"summary: Summary of {name}.\n"
        "certifies:\n"
        "  - Doing the job safely\n"
        "assessment: One written exam\n"
        "prerequisites: None\n"
        "exam_fee_usd: 100\n"
        "valid_years: 2\n"
        "renewal: Retake the exam\n"
        f"{verification_line}"
        f"portability: {portability}\n"
        f"college_credit_hours: {credit}\n"
        f"occupations: {occupations}\n"
        f"stacks_to: {stacks_to}\n"
        "sources: [https://example.org/source]\n"
        "last_reviewed: 2024-01-15\n"
        "---\n"
        f"{body}"
    )


CREDENTIALS = {
    "net-basics": credential(
        "net-basics", "Network Basics", "netco", "[it]", 3,
        occupations='["15-1232"]', stacks_to="[net-pro]", type="badge",
    ),
    "net-pro": credential(
        "net-pro", "Network Professional", "netco", "[it]", 9,
        occupations='["15-1231"]', credit=3, verification="https://netco.example/verify",
    ),
    "club-coder": credential(
        "club-coder", "Club Coder", "local-club", "[it]", 1,
        portability="regional", status="retired", sunset="2024-06-30", type="certificate",
    ),
    "nurse-aide": credential(
        "nurse-aide", "Northland Nurse Aide", "nursing-board", "[health, it]", 12,
        type="license", portability="state", occupations='["31-1131"]',
    ),
}

PATHWAY = """\
name: Networking from scratch
career_field: it
summary: Start with the basics and become a network professional.
steps:
  - credentials: [net-basics]
  - credentials: [net-pro, club-coder]
"""


def write_catalog(root: Path) -> Path:
    """Write the small catalog into ``root/catalog`` and return that folder."""
    catalog = root / "catalog"
    (catalog / "issuers").mkdir(parents=True)
    (catalog / "credentials").mkdir()
    (catalog / "pathways").mkdir()
    (catalog / "site.yml").write_text(SITE)
    (catalog / "career-fields.yml").write_text(CAREER_FIELDS)
    (catalog / "occupations.csv").write_text(OCCUPATIONS)
    for key, text in ISSUERS.items():
        (catalog / "issuers" / f"{key}.yml").write_text(text)
    for key, text in CREDENTIALS.items():
        (catalog / "credentials" / f"{key}.md").write_text(text)
    (catalog / "pathways" / "networking.yml").write_text(textwrap.dedent(PATHWAY))
    return catalog
