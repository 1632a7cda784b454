"""Generate SYNTHETIC catalogs of a chosen size, in the catalog format of SPEC sections 3 and 4.

Benchmark input only: every credential, issuer, occupation, school and number is invented
(fixed seed, so the same arguments always give byte-identical files).

    python benchmarks/generate_catalog.py SIZE OUT_DIR [--schools N] [--credentials N] [--years N]

SIZE is ``small`` (a copy of the bundled sample catalog/), ``state`` (1,500 credentials,
4,000 schools, 5 years, about 1.6 million outcome rows) or ``national`` (10x state). The
catalog is written to OUT_DIR/catalog/. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import yaml

from site_builder.outcomes.layout import package_descriptor

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CATALOG = REPO / "catalog"
SEED = 20250101
LAST_YEAR = 2025
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Size:
    """How big a generated catalog is."""

    credentials: int
    schools: int
    districts: int
    years: int


SIZES = {
    "state": Size(credentials=1_500, schools=4_000, districts=600, years=5),
    "national": Size(credentials=15_000, schools=40_000, districts=6_000, years=5),
}
SCHOOLS_PER_DISTRICT = 4_000 / 600

# Funding programs: one reimburses actual exam fees, one pays a flat amount per credential.
FEE_PROGRAM = "exam-fee"
FLAT_PROGRAM = "credential-bonus"
FLAT_UNIT_USD = Decimal("125.00")
FLAT_MIN_POINTS = 3
# allocation / total claimed, cycled over the years: below 1 the (year, program) is prorated.
ALLOCATION_RATIOS = {
    FEE_PROGRAM: (Decimal("1.15"), Decimal("0.92"), Decimal("0.78"), Decimal("1.05"), Decimal("0.88")),
    FLAT_PROGRAM: (Decimal("0.85"), Decimal("1.08"), Decimal("0.95"), Decimal("0.90"), Decimal("1.12")),
}

TABLES = ("attainment", "readiness", "claims")
HEADERS = {
    "schools": ("school_id", "name", "district_id", "district_name", "county"),
    "funding": ("year", "program", "allocation_usd", "unit_amount_usd"),
    "attainment": ("year", "school_id", "credential_id", "earned"),
    "readiness": ("year", "school_id", "graduates", "met_points_target"),
    "claims": ("year", "program", "school_id", "credential_id", "count", "amount_usd"),
}

COUNTIES = (
    "Adams", "Allen", "Ashland", "Ashtabula", "Athens", "Belmont", "Brown", "Butler", "Clark",
    "Clermont", "Columbiana", "Cuyahoga", "Darke", "Delaware", "Erie", "Fairfield", "Franklin",
    "Greene", "Hamilton", "Hancock", "Huron", "Knox", "Lake", "Licking", "Lorain", "Lucas",
    "Mahoning", "Marion", "Medina", "Miami", "Montgomery", "Muskingum", "Portage", "Ross",
    "Scioto", "Stark", "Summit", "Trumbull", "Tuscarawas", "Warren", "Washington", "Wayne", "Wood",
)  # fmt: skip
PLACE_PREFIX = ("", "New ", "East ", "West ", "North ", "South ", "Lake ", "Mount ", "Port ")
PLACE_FIRST = (
    "Maple", "Cedar", "Oak", "Willow", "Pine", "Elm", "Hickory", "Buckeye", "Walnut", "Sycamore",
    "Chestnut", "Birch", "Laurel", "Cardinal", "River", "Fox", "Hawk", "Stone", "Mill", "Clear",
    "Green", "Deer", "Eagle", "Spring",
)  # fmt: skip
PLACE_SECOND = (
    "Ridge", "Valley", "Creek", "Heights", "Grove", "Hills", "Springs", "Falls", "Run", "Lake",
    "Meadows", "Point", "Bend", "Crossing",
)  # fmt: skip
DISTRICT_KINDS = ("Local", "Local", "Local", "City", "Exempted Village")
SCHOOL_KINDS = (
    "High School", "North High School", "South High School", "East High School", "West High School",
    "Central High School", "Career Center", "Career Technical Center", "Early College Academy",
    "Online Academy", "Alternative Learning Center", "Community Academy",
)  # fmt: skip
SMALL_SCHOOL_KINDS = SCHOOL_KINDS[-3:]

TOPICS = (
    "Welding", "Machining", "Network Support", "Cybersecurity", "Patient Care", "Phlebotomy",
    "Pharmacy Support", "Food Safety", "Culinary Arts", "Carpentry", "Electrical", "HVAC", "Plumbing",
    "Automotive Brakes", "Diesel Engines", "Logistics", "Forklift Operation", "Drafting", "CAD Design",
    "Graphic Design", "Video Production", "Audio Engineering", "Bookkeeping", "Spreadsheets",
    "Project Coordination", "Early Childhood", "Teaching Assistance", "Emergency Response",
    "Fire Safety", "Animal Care", "Landscaping", "Pesticide Handling", "Cloud Computing",
    "Programming", "Data Analysis", "Robotics", "Hospitality", "Customer Service", "Cosmetology",
    "Law Enforcement Basics",
)  # fmt: skip
LEVELS = ("Foundations", "Level 1", "Level 2", "Associate", "Specialist", "Technician", "Professional")
ISSUER_WORDS = ("Institute", "Council", "Association", "Board", "Academy", "Alliance", "Guild", "Society")
ISSUER_KINDS = ("industry-association", "vendor", "government-licensing", "postsecondary", "other")
ISSUER_KIND_WEIGHTS = (35, 30, 15, 10, 10)
SOC_GROUPS = {
    "11": "Manager", "13": "Business Specialist", "15": "Computer Specialist", "17": "Engineering Technician",
    "19": "Science Technician", "21": "Community Worker", "23": "Legal Assistant", "25": "Teaching Assistant",
    "27": "Media Worker", "29": "Healthcare Technologist", "31": "Healthcare Aide", "33": "Protective Service Worker",
    "35": "Food Service Worker", "37": "Grounds Worker", "39": "Personal Care Worker", "41": "Sales Worker",
    "43": "Office Support Worker", "45": "Farm Worker", "47": "Construction Worker", "49": "Repair Technician",
    "51": "Production Worker", "53": "Transportation Worker",
}  # fmt: skip


@dataclass(frozen=True)
class Credential:
    """The facts the outcome tables need about a generated credential."""

    id: str
    field: str  # primary career field
    points: int
    exam_fee_usd: Decimal | None
    weight: float  # how often schools award it
    awardable: bool  # approved or sunsetting: schools still award it


@dataclass(frozen=True)
class School:
    """A generated school and its typical number of graduates."""

    school_id: str
    name: str
    district_id: str
    district_name: str
    county: str
    size: int


# ---------------------------------------------------------------- small helpers


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a CSV (None -> empty cell); the number of data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def slug(text: str) -> str:
    """A lowercase slug of plain words."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def yaml_list(items: Sequence[str], quote: bool = False) -> str:
    """A YAML flow list: ``[a, b]`` (or ``["a", "b"]``)."""
    return "[" + ", ".join(f'"{item}"' if quote else item for item in items) + "]"


def random_date(rng: random.Random, first_year: int, last_year: int) -> str:
    """A YYYY-MM-DD date between two years (days 1-28, so always real)."""
    return f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


# ---------------------------------------------------------------- catalog files


def write_site(catalog: Path, size_name: str) -> None:
    """site.yml: the sample's program settings, marked as synthetic."""
    text = f"""title: Industry-Recognized Credentials (synthetic {size_name} benchmark)
description: A synthetic catalog generated for benchmarks; every credential, school and number is invented.
base_url: https://credentials.example.org
language: en
points_target: 12
min_cell: 10
living_wage_usd: 41600
current_year: {LAST_YEAR}
repository_url: https://github.com/example/credentials
sample_notice: "Synthetic benchmark data generated by benchmarks/generate_catalog.py; nothing here is real."
"""
    (catalog / "site.yml").write_text(text, encoding="utf-8")


def copy_career_fields(catalog: Path) -> list[tuple[str, str]]:
    """The sample's career fields, in English only (the synthetic site has one language:
    the sample's ``{en: ..., es: ...}`` texts become their English value); their (id, name)
    pairs."""
    fields = yaml.safe_load((SAMPLE_CATALOG / "career-fields.yml").read_text(encoding="utf-8"))
    english = [
        {key: value["en"] if isinstance(value, dict) else value for key, value in field.items()}
        for field in fields
    ]
    text = yaml.safe_dump(english, allow_unicode=True, sort_keys=False)
    (catalog / "career-fields.yml").write_text(text, encoding="utf-8")
    return [(field["id"], field["name"]) for field in english]


def write_issuers(rng: random.Random, catalog: Path, count: int) -> dict[str, str]:
    """issuers/<id>.yml; issuer id -> kind."""
    folder = catalog / "issuers"
    folder.mkdir()
    kinds: dict[str, str] = {}
    for number in range(1, count + 1):
        issuer_id = f"issuer-{number:04d}"
        kind = rng.choices(ISSUER_KINDS, weights=ISSUER_KIND_WEIGHTS)[0]
        name = f"{rng.choice(PLACE_FIRST)} {rng.choice(TOPICS)} {rng.choice(ISSUER_WORDS)} {number}"
        lines = [f"name: {name}", f"url: https://{issuer_id}.example.org", f"kind: {kind}"]
        if kind != "other" and rng.random() < 0.7:
            lines.append(f"verification_url: https://{issuer_id}.example.org/verify")
        (folder / f"{issuer_id}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        kinds[issuer_id] = kind
    return kinds


def write_occupations(rng: random.Random, catalog: Path, count: int) -> list[str]:
    """occupations.csv with synthetic SOC codes in the real NN-NNNN format; the codes."""
    groups = list(SOC_GROUPS)
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(f"{rng.choice(groups)}-{rng.randint(1000, 9199)}")
    ordered = sorted(codes)
    rows = [
        (
            code,
            f"{SOC_GROUPS[code[:2]]} {code[3:]}",
            int(round(rng.lognormvariate(math.log(46_000), 0.4), -1)),
            2024,
            "true" if rng.random() < 0.45 else "false",
            "synthetic benchmark value",
        )
        for code in ordered
    ]
    write_csv(
        catalog / "occupations.csv",
        ("soc", "title", "median_wage_usd", "wage_year", "in_demand", "source"),
        rows,
    )
    return ordered


def credential_id(number: int) -> str:
    """``cred-00001`` style ids: zero-padded, so sorting by id is sorting by number."""
    return f"cred-{number:05d}"


def stacks_to(rng: random.Random, number: int, total: int) -> list[str]:
    """0-3 later credentials (higher numbers only, so stacks_to is a DAG)."""
    later = total - number
    if later <= 0 or rng.random() < 0.45:
        return []
    picks = rng.sample(range(number + 1, min(total, number + 40) + 1), min(later, 40, rng.randint(1, 3)))
    return [credential_id(pick) for pick in sorted(picks)]


def credential_text(
    rng: random.Random,
    number: int,
    total: int,
    issuer: tuple[str, str],
    fields: Sequence[str],
    socs: Sequence[str],
) -> tuple[str, Credential]:
    """The Markdown file of one credential (front matter + short body) and its outcome facts."""
    cred_id = credential_id(number)
    issuer_id, kind = issuer
    topic, level = rng.choice(TOPICS), rng.choice(LEVELS)
    points = rng.choices(range(1, 13), weights=(10, 12, 12, 8, 4, 5, 2, 2, 2, 1, 1, 6))[0]
    status = rng.choices(("approved", "sunsetting", "retired"), weights=(88, 6, 6))[0]
    approved = random_date(rng, 2015, 2023)
    sunset = "null" if status == "approved" else random_date(rng, int(approved[:4]) + 1, LAST_YEAR + 1)
    fee = None if rng.random() < 0.12 else Decimal(rng.choice((0, 25, 35, 50, 75, 99, 120, 150, 253, 369)))
    if fee is not None and rng.random() < 0.2:
        fee += Decimal("0.50")
    valid_years = rng.choice(("null", "null", "2", "3", "3", "5"))
    careers = rng.sample(fields, rng.choices((1, 2), weights=(80, 20))[0])
    linked = rng.sample(socs, rng.choices((0, 1, 2, 3), weights=(10, 50, 30, 10))[0])
    name = f"{topic} {level} {number}"
    lines = [
        "---",
        f"id: {cred_id}",
        f"name: {name}",
        f"issuer: {issuer_id}",
        f"type: {'license' if kind == 'government-licensing' else rng.choice(('certification', 'certificate', 'badge'))}",
        f"career_fields: {yaml_list(careers)}",
        f"points: {points}",
        f"status: {status}",
        f"approved: {approved}",
        f"sunset: {sunset}",
        f"summary: Shows that a student can do entry-level {topic.lower()} work at the {level.lower()} level.",
        "certifies:",
        *(
            f"  - {verb} {topic.lower()} tasks safely and to industry standard"
            for verb in rng.sample(
                ("Plan", "Perform", "Inspect", "Document", "Troubleshoot", "Explain"), rng.randint(1, 4)
            )
        ),
        f"assessment: {rng.choice(('A proctored exam', 'A written exam and a practical test', 'A portfolio review'))}",
        f"prerequisites: {rng.choice(('None', 'A completed course in the career field', 'Age 16 or older'))}",
        f"exam_fee_usd: {'null' if fee is None else fee}",
        f"valid_years: {valid_years}",
        f"renewal: {'Does not expire' if valid_years == 'null' else 'Continuing education or a retake'}",
        *([f"verification_url: https://{issuer_id}.example.org/verify"] if rng.random() < 0.6 else []),
        f"portability: {rng.choices(('national', 'multi-state', 'state', 'regional'), weights=(55, 15, 25, 5))[0]}",
        f"college_credit_hours: {rng.choices((0, 1, 2, 3, 4, 6), weights=(70, 5, 5, 12, 5, 3))[0]}",
        f"occupations: {yaml_list(sorted(linked), quote=True)}",
        f"stacks_to: {yaml_list(stacks_to(rng, number, total))}",
        f"sources: [https://{issuer_id}.example.org/credentials/{cred_id}]",
        f"last_reviewed: {random_date(rng, 2023, LAST_YEAR)}",
        "---",
        f"{name} is a synthetic credential generated for benchmarks. It stands for a typical "
        f"{topic.lower()} credential that a high-school student can earn in a career-technical program.",
        "",
        "Nothing on this page describes a real credential.",
    ]
    weight = rng.lognormvariate(0, 1.0) * (1.8 if points <= 2 else 1.0 if points <= 6 else 0.6)
    facts = Credential(cred_id, careers[0], points, fee, weight, status != "retired")
    return "\n".join(lines) + "\n", facts


def write_credentials(
    rng: random.Random,
    catalog: Path,
    count: int,
    issuers: dict[str, str],
    fields: Sequence[str],
    socs: Sequence[str],
) -> tuple[list[Credential], dict[str, list[str]]]:
    """credentials/<id>.md; the credentials' outcome facts and ids by primary career field."""
    folder = catalog / "credentials"
    folder.mkdir()
    issuer_items = sorted(issuers.items())
    credentials: list[Credential] = []
    by_field: dict[str, list[str]] = {field: [] for field in fields}
    for number in range(1, count + 1):
        text, facts = credential_text(rng, number, count, rng.choice(issuer_items), fields, socs)
        (folder / f"{facts.id}.md").write_text(text, encoding="utf-8")
        credentials.append(facts)
        by_field[facts.field].append(facts.id)
    return credentials, by_field


def write_pathways(
    rng: random.Random,
    catalog: Path,
    count: int,
    fields: Sequence[tuple[str, str]],
    by_field: dict[str, list[str]],
) -> int:
    """pathways/<id>.yml: 2-4 ordered steps of 1-2 alternatives from one career field."""
    folder = catalog / "pathways"
    folder.mkdir()
    usable = [(field_id, name) for field_id, name in fields if by_field[field_id]]
    for number in range(1, count + 1):
        field_id, field_name = rng.choice(usable)
        pool = by_field[field_id]
        chosen = sorted(rng.sample(pool, min(len(pool), rng.randint(2, 6))))
        steps: list[list[str]] = []
        while chosen:
            take = 2 if len(chosen) > 2 and rng.random() < 0.3 else 1
            steps.append(chosen[:take])
            chosen = chosen[take:]
        lines = [
            f"name: {field_name} pathway {number}",
            f"career_field: {field_id}",
            "summary: A synthetic stackable pathway generated for benchmarks.",
            "steps:",
            *(f"  - credentials: {yaml_list(step)}" for step in steps),
        ]
        (folder / f"pathway-{number:04d}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


# ---------------------------------------------------------------- schools and outcomes


def unique_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct place names (a numeral is added once the word lists run out)."""
    places = [f"{p}{a} {b}" for p in PLACE_PREFIX for a in PLACE_FIRST for b in PLACE_SECOND]
    rng.shuffle(places)
    return [
        places[i % len(places)] + ("" if i < len(places) else f" {i // len(places) + 1}")
        for i in range(count)
    ]


def make_schools(rng: random.Random, school_count: int, district_count: int) -> list[School]:
    """Schools in districts of skewed size (most 2-8 schools, a few big city districts)."""
    district_ids = sorted(rng.sample(range(1, 100_000), district_count))
    school_ids = sorted(rng.sample(range(100_000, 1_000_000), school_count))
    places = unique_names(rng, district_count)
    weights = [rng.lognormvariate(0, 0.8) for _ in range(district_count)]
    # every district gets a school; the rest go by weight
    members = list(range(district_count)) + rng.choices(
        range(district_count), weights, k=school_count - district_count
    )
    rng.shuffle(members)
    districts = [
        (
            f"{district_ids[i]:06d}",
            places[i],
            f"{places[i]} {rng.choice(DISTRICT_KINDS)} School District",
            rng.choice(COUNTIES),
        )
        for i in range(district_count)
    ]
    seen: dict[int, int] = {}
    schools = []
    for school_id, district in zip(school_ids, members, strict=True):
        district_id, place, district_name, county = districts[district]
        index = seen.get(district, 0)
        seen[district] = index + 1
        kind = SCHOOL_KINDS[0] if index == 0 else SCHOOL_KINDS[1 + (index - 1) % (len(SCHOOL_KINDS) - 1)]
        name = f"{place} {kind}" + (
            f" {index // len(SCHOOL_KINDS) + 1}" if index >= len(SCHOOL_KINDS) else ""
        )
        schools.append(
            School(f"{school_id:06d}", name, district_id, district_name, county, typical_graduates(rng, kind))
        )
    return schools


def typical_graduates(rng: random.Random, kind: str) -> int:
    """A skewed spread of 25-800 graduates; under 10 for the small academies."""
    if kind in SMALL_SCHOOL_KINDS:
        return rng.randint(3, 9)
    return min(800, max(25, round(rng.lognormvariate(math.log(170), 0.7))))


def graduates_in(rng: random.Random, school: School) -> int:
    """A school's graduates in one year: its typical size, drifting a little."""
    graduates = round(school.size * rng.uniform(0.9, 1.1))
    return graduates if school.size < 10 else max(25, graduates)


def offered(
    rng: random.Random, school: School, ids: Sequence[str], cum_weights: Sequence[float]
) -> list[str]:
    """The credentials a school's programs teach: popular ones more often (a stable set across years)."""
    if not ids:
        return []
    wanted = 5 if school.size < 10 else min(90, 24 + school.size // 8)
    picks = dict.fromkeys(rng.choices(ids, cum_weights=cum_weights, k=wanted * 2))
    return list(picks)[:wanted]


def earned_count(rng: random.Random, graduates: int, weight: float) -> int:
    """Students who earned one credential: mostly 1-9, some 0, a long tail of large counts."""
    if rng.random() < 0.04:
        return 0
    median = max(1.0, graduates * 0.008 * weight)
    return min(max(1, graduates * 6 // 10), max(1, round(rng.lognormvariate(math.log(median), 0.9))))


def school_year_rows(
    rng: random.Random, year: int, school: School, menu: Sequence[str], facts: dict[str, Credential]
) -> Iterator[tuple[tuple, list[tuple]]]:
    """One school's attainment rows for a year, each with the claims made for it (count <= earned)."""
    graduates = graduates_in(rng, school)
    taught = sorted(rng.sample(menu, min(len(menu), max(1, round(len(menu) * rng.uniform(0.75, 0.95))))))
    for cred_id in taught:
        credential = facts[cred_id]
        earned = earned_count(rng, graduates, credential.weight)
        claims = []
        if earned:
            fee = credential.exam_fee_usd
            if fee and rng.random() < 0.85:
                count = max(1, round(earned * rng.uniform(0.7, 1.0)))
                claims.append(
                    (year, FEE_PROGRAM, school.school_id, cred_id, count, (fee * count).quantize(CENT))
                )
            if credential.points >= FLAT_MIN_POINTS and rng.random() < 0.9:
                count = max(1, earned - rng.choice((0, 0, 0, 1)))
                claims.append((year, FLAT_PROGRAM, school.school_id, cred_id, count, None))
        yield (year, school.school_id, cred_id, earned), claims


def write_year(
    rng: random.Random,
    outcomes: Path,
    year: int,
    schools: Sequence[School],
    menus: dict[str, list[str]],
    facts: dict[str, Credential],
    claimed: dict[tuple[int, str], Decimal],
) -> dict[str, int]:
    """<year>/{attainment,readiness,claims}.csv, streamed; adds the claimed dollars to ``claimed``."""
    folder = outcomes / str(year)
    folder.mkdir(parents=True)
    counts = dict.fromkeys(TABLES, 0)
    handles: dict[str, TextIO] = {
        table: (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") for table in TABLES
    }
    try:
        writers = {table: csv.writer(handle, lineterminator="\n") for table, handle in handles.items()}
        for table, writer in writers.items():
            writer.writerow(HEADERS[table])
        for school in schools:
            share = rng.uniform(0.04, 0.4)
            for attainment, claims in school_year_rows(rng, year, school, menus[school.school_id], facts):
                writers["attainment"].writerow(attainment)
                counts["attainment"] += 1
                for claim in claims:
                    amount = claim[5]
                    writers["claims"].writerow((*claim[:5], "" if amount is None else amount))
                    key = (year, claim[1])
                    claimed[key] = claimed.get(key, Decimal(0)) + (
                        FLAT_UNIT_USD * claim[4] if amount is None else amount
                    )
                counts["claims"] += len(claims)
            graduates = graduates_in(rng, school)
            writers["readiness"].writerow(
                (year, school.school_id, graduates, min(graduates, round(graduates * share)))
            )
            counts["readiness"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def funding_rows(years: Sequence[int], claimed: dict[tuple[int, str], Decimal]) -> list[tuple]:
    """Allocations set from the claimed totals so that some (year, program) are prorated."""
    rows = []
    for index, year in enumerate(years):
        for program in (FLAT_PROGRAM, FEE_PROGRAM):
            ratios = ALLOCATION_RATIOS[program]
            total = claimed.get((year, program), Decimal(0))
            allocation = (total * ratios[index % len(ratios)] / 1000).quantize(Decimal(1)) * 1000
            unit = FLAT_UNIT_USD if program == FLAT_PROGRAM else None
            rows.append((year, program, allocation.quantize(CENT), unit))
    return rows


def descriptor(years: Sequence[int]) -> dict:
    """datapackage.json: shared schemas by path, three resources per year (as in the sample)."""
    return package_descriptor(
        list(years),
        "credsite-outcomes",
        "Credential attainment, readiness and reimbursement by school (SYNTHETIC benchmark)",
        "Synthetic benchmark data from benchmarks/generate_catalog.py. Not real schools or students.",
    )


def write_outcomes(
    rng: random.Random, catalog: Path, size: Size, credentials: Sequence[Credential]
) -> dict[str, int]:
    """The outcome data package: schools, funding, per-year tables, descriptor and schemas."""
    outcomes = catalog / "outcomes"
    shutil.copytree(SAMPLE_CATALOG / "outcomes" / "schemas", outcomes / "schemas")
    schools = make_schools(rng, size.schools, size.districts)
    counts = {
        "schools": write_csv(
            outcomes / "schools.csv",
            HEADERS["schools"],
            ((s.school_id, s.name, s.district_id, s.district_name, s.county) for s in schools),
        )
    }
    awardable = [credential for credential in credentials if credential.awardable]
    ids = [credential.id for credential in awardable]
    cum_weights = list(_accumulate(credential.weight for credential in awardable))
    menus = {school.school_id: offered(rng, school, ids, cum_weights) for school in schools}
    facts = {credential.id: credential for credential in awardable}
    years = list(range(LAST_YEAR - size.years + 1, LAST_YEAR + 1))
    claimed: dict[tuple[int, str], Decimal] = {}
    for table in TABLES:
        counts[table] = 0
    for year in years:
        for table, count in write_year(rng, outcomes, year, schools, menus, facts, claimed).items():
            counts[table] += count
    counts["funding"] = write_csv(outcomes / "funding.csv", HEADERS["funding"], funding_rows(years, claimed))
    (outcomes / "datapackage.json").write_text(
        json.dumps(descriptor(years), indent=2) + "\n", encoding="utf-8"
    )
    return counts


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# ---------------------------------------------------------------- entry points


def generate(size_name: str, size: Size, catalog: Path) -> dict[str, int]:
    """Write a complete synthetic catalog to ``catalog``; what was written, by kind."""
    rng = random.Random(f"{SEED}-{size_name}")
    catalog.mkdir(parents=True)
    write_site(catalog, size_name)
    fields = copy_career_fields(catalog)
    counts = {"career fields": len(fields)}
    issuers = write_issuers(rng, catalog, min(1_000, max(5, size.credentials // 5)))
    socs = write_occupations(rng, catalog, min(800, max(20, size.credentials // 5)))
    credentials, by_field = write_credentials(
        rng, catalog, size.credentials, issuers, [f for f, _ in fields], socs
    )
    counts |= {"issuers": len(issuers), "occupations": len(socs), "credentials": len(credentials)}
    counts["pathways"] = write_pathways(rng, catalog, max(1, size.credentials // 20), fields, by_field)
    counts |= write_outcomes(rng, catalog, size, credentials)
    return counts


def copy_sample(catalog: Path) -> dict[str, int]:
    """The ``small`` size: the bundled sample catalog, copied as is."""
    shutil.copytree(SAMPLE_CATALOG, catalog)
    outcomes = catalog / "outcomes"
    counts = {
        "credentials": len(list((catalog / "credentials").glob("*.md"))),
        "pathways": len(list((catalog / "pathways").glob("*.yml"))),
        "issuers": len(list((catalog / "issuers").glob("*.yml"))),
    }
    for table in ("schools", "funding", *TABLES):
        files = (
            [outcomes / f"{table}.csv"]
            if table in ("schools", "funding")
            else sorted(outcomes.glob(f"*/{table}.csv"))
        )
        counts[table] = sum(_data_rows(path) for path in files)
    return counts


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("size", choices=("small", *SIZES), help="small (the sample), state or national")
    parser.add_argument("out_dir", type=Path, help="the catalog is written to OUT_DIR/catalog/")
    parser.add_argument("--schools", type=int, help="override the number of schools")
    parser.add_argument("--credentials", type=int, help="override the number of credentials")
    parser.add_argument("--years", type=int, help=f"override the number of years (ending {LAST_YEAR})")
    parser.add_argument("--force", action="store_true", help="replace an existing OUT_DIR/catalog/")
    args = parser.parse_args(argv)
    for name in ("schools", "credentials", "years"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be at least 1")
        if value is not None and args.size == "small":
            parser.error(f"--{name} does not apply to the small size (a copy of catalog/)")
    return args


def sized(args: argparse.Namespace) -> Size:
    """The named size with any overrides; districts follow the school count."""
    base = SIZES[args.size]
    schools = args.schools or base.schools
    districts = base.districts if args.schools is None else max(1, round(schools / SCHOOLS_PER_DISTRICT))
    return Size(
        credentials=args.credentials or base.credentials,
        schools=schools,
        districts=districts,
        years=args.years or base.years,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    catalog = args.out_dir / "catalog"
    if catalog.exists():
        if not args.force:
            print(f"{catalog} already exists (use --force to replace it)", file=sys.stderr)
            return 2
        shutil.rmtree(catalog)
    started = time.perf_counter()
    counts = copy_sample(catalog) if args.size == "small" else generate(args.size, sized(args), catalog)
    seconds = time.perf_counter() - started
    rows = sum(counts.get(table, 0) for table in ("schools", "funding", *TABLES))
    print(f"wrote {catalog} ({args.size}) in {seconds:.1f}s")
    for kind, count in counts.items():
        print(f"  {kind:>14}: {count:,}")
    print(f"  {'outcome rows':>14}: {rows:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
