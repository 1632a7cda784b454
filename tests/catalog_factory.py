"""A small, valid catalog written from scratch, as another state would write one.

Tests copy it into tmp_path and break one thing at a time. It deliberately differs
from the bundled sample (other fields, issuers and ids) so the code cannot lean on it.
"""

from __future__ import annotations

import shutil
import textwrap
import uuid
from pathlib import Path

#: the small catalog's CTIDs are name-based UUIDs of the ids in this namespace, so every test
#: gets the same ones (a real catalog's come from ``credsite ctid --assign``, at random)
CTID_NAMESPACE = uuid.UUID("4403b2bf-52b5-409b-8b31-964a67723662")


def ctid_of(key: str) -> str:
    """The CTID the small catalog gives the credential ``key`` (``site.yml``: the list's own)."""
    return f"ce-{uuid.uuid5(CTID_NAMESPACE, key)}"


SITE = f"""\
title: Northland Credential Catalog
description: Credentials approved for Northland high schools.
base_url: https://creds.northland.example
points_target: 12
min_cell: 10
living_wage_usd: 40000
current_year: 2025
ctid: {ctid_of("site.yml")}
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
    ctid: str | None = "",
) -> str:
    """The text of one credential file; keyword arguments change single fields. Its ``ctid``
    is ``ctid_of(id)`` unless given (None: no CTID); the line is the last of the front matter,
    so the other keys keep the line numbers tests name."""
    verification_line = f"verification_url: {verification}\n" if verification else ""
    ctid = ctid_of(id) if ctid == "" else ctid
    ctid_line = f"ctid: {ctid}\n" if ctid else ""
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
        f"{ctid_line}"
        "---\n"
        f"{body}"
    )


CREDENTIALS = {
    "net-basics": credential(
        "net-basics",
        "Network Basics",
        "netco",
        "[it]",
        3,
        occupations='["15-1232"]',
        stacks_to="[net-pro]",
        type="badge",
    ),
    "net-pro": credential(
        "net-pro",
        "Network Professional",
        "netco",
        "[it]",
        9,
        occupations='["15-1231"]',
        credit=3,
        verification="https://netco.example/verify",
    ),
    "club-coder": credential(
        "club-coder",
        "Club Coder",
        "local-club",
        "[it]",
        1,
        portability="regional",
        status="retired",
        sunset="2024-06-30",
        type="certificate",
    ),
    "nurse-aide": credential(
        "nurse-aide",
        "Northland Nurse Aide",
        "nursing-board",
        "[health, it]",
        12,
        type="license",
        portability="state",
        occupations='["31-1131"]',
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


def run_git(repo: Path, *arguments: str) -> None:
    """A git command in ``repo`` by a test author (no global configuration needed)."""
    import subprocess

    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


# --- a small outcome data package for the small catalog ---------------------------------------

REPO = Path(__file__).resolve().parent.parent


def copy_sample(catalog_dir: Path, ignore: shutil.IgnorePattern | None = None) -> Path:
    """A copy of the bundled sample catalog at ``catalog_dir``, with the protection cache of the
    sample's own builds beside it when there is one: protecting the sample cold takes a minute,
    and a copy whose outcome data and memberships are the same protects the same tables (the
    cache is keyed on the tables, never on a path), so the test suite protects it once."""
    from site_builder.paths import SAMPLE_CATALOG, cache_dir_for

    shutil.copytree(SAMPLE_CATALOG, catalog_dir, ignore=ignore)
    cache = cache_dir_for(catalog_dir)
    for protection in sorted(cache_dir_for(SAMPLE_CATALOG).glob("*.pickle")):  # ProtectionCache's files
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(protection, cache / protection.name)
    return catalog_dir


OUTCOME_FILES = {
    "schools.csv": """\
school_id,name,district_id,district_name,county
100001,Alder High School,900001,North Local Schools,Ash
100002,Birch High School,900001,North Local Schools,Ash
100003,Cedar Academy,900001,North Local Schools,Ash
100004,Dogwood High School,900002,South City Schools,Elm
100005,Elm Career Center,900002,South City Schools,Elm
100006,Fir High School,900002,South City Schools,Elm
100007,Gum Tree Academy,900002,South City Schools,Elm
""",
    "funding.csv": """\
year,program,allocation_usd,unit_amount_usd
2024,exam-fee,1000.00,
2024,bonus,5000.00,50.00
""",
    "2024/attainment.csv": """\
year,school_id,credential_id,earned
2024,100001,net-basics,22
2024,100001,net-pro,40
2024,100002,net-basics,18
2024,100002,net-pro,35
2024,100003,net-pro,25
2024,100003,nurse-aide,3
2024,100004,net-basics,45
2024,100004,nurse-aide,30
2024,100005,net-basics,4
2024,100005,nurse-aide,28
2024,100006,net-basics,0
2024,100006,net-pro,30
2024,100006,nurse-aide,19
2024,100007,net-pro,12
2024,100007,nurse-aide,14
""",
    "2024/readiness.csv": """\
year,school_id,graduates,met_points_target
2024,100001,100,30
2024,100002,150,60
2024,100003,120,50
2024,100004,200,3
2024,100005,50,48
2024,100006,8,2
2024,100007,30,15
""",
    "2024/claims.csv": """\
year,program,school_id,credential_id,count,amount_usd
2024,exam-fee,100001,net-pro,10,1000.00
2024,exam-fee,100002,net-pro,10,1000.00
2024,exam-fee,100003,nurse-aide,3,1000.00
2024,bonus,100004,net-basics,20,
2024,bonus,100006,net-pro,30,
""",
}


def write_outcomes(
    catalog: Path, files: dict[str, str] | None = None, years: tuple[int, ...] = (2024,)
) -> Path:
    """Write a small outcome package into ``catalog/outcomes`` (schemas from the repo)."""
    import json
    import shutil

    from site_builder.outcomes.layout import package_descriptor

    outcomes = catalog / "outcomes"
    shutil.copytree(REPO / "catalog/outcomes/schemas", outcomes / "schemas")
    for name, text in (files or OUTCOME_FILES).items():
        (outcomes / name).parent.mkdir(parents=True, exist_ok=True)
        (outcomes / name).write_text(text)
    descriptor = package_descriptor(
        list(years), "test-outcomes", "Test outcome data", "Written by the tests."
    )
    (outcomes / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return outcomes


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes, by relative path: two trees compare equal
    exactly when they hold the same files, byte for byte."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
