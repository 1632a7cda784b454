"""Generate the SAMPLE outcome data package in catalog/outcomes/ (synthetic, illustrative).

The sample exists so the site has realistic shapes to render and the privacy and
proration rules have something to bite on: many small counts (suppression matters),
a few tiny schools, explicit zero rows, and claims that exceed the allocation in some
(year, program) and not in others. Schools, districts and numbers are invented;
counties are real Ohio counties. Output depends only on the seed and on the catalog
credentials found, so re-running it on the same catalog gives identical files.

    python scripts/generate_sample_outcomes.py [--catalog catalog] [--out catalog/outcomes]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from site_builder.outcomes.layout import package_descriptor

SEED = 20240701
YEARS = (2023, 2024, 2025)
DISTRICT_COUNT = 40
SCHOOL_TARGET = 150
BONUS_UNIT_USD = Decimal("125.00")
BONUS_MIN_POINTS = 3
CENT = Decimal("0.01")

# allocation / total claims per (year, program): below 1 the program is prorated.
ALLOCATION_RATIOS = {
    (2023, "exam-fee"): Decimal("1.15"),
    (2023, "credential-bonus"): Decimal("0.85"),
    (2024, "exam-fee"): Decimal("0.92"),
    (2024, "credential-bonus"): Decimal("1.08"),
    (2025, "exam-fee"): Decimal("0.78"),
    (2025, "credential-bonus"): Decimal("0.95"),
}

OHIO_COUNTIES = (
    "Allen", "Ashtabula", "Athens", "Butler", "Clark", "Clermont", "Columbiana", "Cuyahoga",
    "Darke", "Delaware", "Fairfield", "Franklin", "Greene", "Hamilton", "Hancock", "Knox",
    "Lake", "Licking", "Lorain", "Lucas", "Mahoning", "Marion", "Medina", "Miami",
    "Montgomery", "Muskingum", "Portage", "Ross", "Scioto", "Stark", "Summit", "Trumbull",
    "Tuscarawas", "Warren", "Washington", "Wayne", "Wood",
)  # fmt: skip
PLACE_FIRST = (
    "Maple", "Cedar", "Oak", "Willow", "Pine", "Elm", "Hickory", "Buckeye", "Walnut",
    "Sycamore", "Chestnut", "Birch", "Laurel", "Cardinal", "Riverside", "Fox", "Hawk",
    "Stone", "Mill", "Clear", "North", "Green", "Deer", "Eagle",
)  # fmt: skip
PLACE_SECOND = (
    "Ridge", "Valley", "Creek", "Heights", "Grove", "Hills", "Springs", "Falls", "Run",
    "Lake", "Meadows", "Point", "Bend", "Crossing",
)  # fmt: skip
DISTRICT_KINDS = ("Local", "Local", "Local", "City", "Exempted Village")
WINGS = ("North", "South", "East", "West", "Central")
SPECIAL_KINDS = ("Career Center", "Career Technical Center", "Early College Academy")
SMALL_SCHOOL_NAMES = ("Online Academy", "Alternative Learning Center", "Community Academy")

# Rough popularity of career fields in high-school credential attainment.
FIELD_POPULARITY = {
    "health": 2.0,
    "manufactur": 1.6,
    "information": 1.5,
    "construction": 1.4,
    "hospitality": 1.3,
    "transport": 1.1,
    "agri": 1.0,
    "law": 0.9,
}

TABLE_ORDER = ("attainment", "readiness", "claims")


@dataclass(frozen=True)
class Credential:
    """The few catalog facts the sample needs."""

    id: str
    points: int
    career_fields: tuple[str, ...]
    exam_fee_usd: Decimal | None


@dataclass(frozen=True)
class School:
    school_id: str
    name: str
    district_id: str
    district_name: str
    county: str
    size: int  # typical graduates per year


def read_credentials(credentials_dir: Path) -> list[Credential]:
    """Credentials that schools can still award (approved or sunsetting), sorted by id."""
    credentials = []
    for path in sorted(credentials_dir.glob("*.md")):
        try:
            front = _front_matter(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            # The catalog validator reports it properly; the sample just leaves it out.
            print(f"skipping {path}: unreadable front matter ({error.__class__.__name__})", file=sys.stderr)
            continue
        if not front or front.get("status", "approved") not in ("approved", "sunsetting"):
            continue
        fee = front.get("exam_fee_usd")
        credentials.append(
            Credential(
                id=str(front.get("id", path.stem)),
                points=int(front.get("points") or 1),
                career_fields=tuple(front.get("career_fields") or ["other"]),
                exam_fee_usd=Decimal(str(fee)).quantize(CENT) if fee is not None else None,
            )
        )
    return credentials


def _front_matter(text: str) -> dict | None:
    """The YAML between the first two ``---`` lines, or None when there is none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            data = yaml.safe_load("\n".join(lines[1:end]))
            return data if isinstance(data, dict) else None
    return None


def credential_weight(credential: Credential, rng: random.Random) -> float:
    """How often schools award a credential: popular fields and low-point credentials lead."""
    field = credential.career_fields[0].lower()
    popularity = next((w for key, w in FIELD_POPULARITY.items() if key in field), 0.8)
    by_points = 1.8 if credential.points <= 2 else 1.2 if credential.points <= 6 else 0.7
    return popularity * by_points * rng.uniform(0.5, 1.5)


def make_schools(rng: random.Random) -> list[School]:
    """About 150 schools in 40 districts; a few tiny schools so small cells exist."""
    places = [f"{first} {second}" for first in PLACE_FIRST for second in PLACE_SECOND]
    rng.shuffle(places)
    district_places = places[:DISTRICT_COUNT]
    spare_places = iter(places[DISTRICT_COUNT:])
    used_ids: set[str] = set()
    used_names: set[str] = set()
    schools: list[School] = []
    # Districts get 1-8 schools; the weights put most at 2-4, a few large city districts.
    sizes = rng.choices(range(1, 9), weights=(6, 12, 10, 6, 3, 1, 1, 1), k=DISTRICT_COUNT)
    scale = SCHOOL_TARGET / sum(sizes)
    sizes = [max(1, round(size * scale)) for size in sizes]
    for index, place in enumerate(district_places):
        county = OHIO_COUNTIES[index] if index < len(OHIO_COUNTIES) else rng.choice(OHIO_COUNTIES)
        district_name = f"{place} {rng.choice(DISTRICT_KINDS)} School District"
        district_id = _unique_id(rng, used_ids, "04")
        for school_index in range(sizes[index]):
            name = _school_name(rng, place, school_index)
            if name in used_names:
                name = f"{next(spare_places)} High School"
            used_names.add(name)
            size = _typical_graduates(rng, name)
            schools.append(
                School(_unique_id(rng, used_ids, "0"), name, district_id, district_name, county, size)
            )
    return sorted(schools, key=lambda school: school.school_id)


def _unique_id(rng: random.Random, used: set[str], prefix: str) -> str:
    while True:
        candidate = prefix + "".join(rng.choices("0123456789", k=6 - len(prefix)))
        if candidate not in used:
            used.add(candidate)
            return candidate


def _school_name(rng: random.Random, place: str, index: int) -> str:
    if index == 0:
        return f"{place} High School"
    roll = rng.random()
    if roll < 0.04:
        return f"{place} {rng.choice(SMALL_SCHOOL_NAMES)}"
    if roll < 0.2:
        return f"{place} {rng.choice(SPECIAL_KINDS)}"
    return f"{place} {WINGS[(index - 1) % len(WINGS)]} High School"


def _typical_graduates(rng: random.Random, name: str) -> int:
    """A skewed spread of 25-600 graduates, and under 10 for the small academies."""
    if any(kind in name for kind in SMALL_SCHOOL_NAMES):
        return rng.randint(4, 9)
    return min(600, max(25, round(rng.lognormvariate(math.log(160), 0.7))))


def attainment_rows(
    rng: random.Random, schools: Sequence[School], credentials: Sequence[Credential], year: int
) -> list[tuple[int, str, str, int]]:
    """Per school ~8-25 credentials, counts skewed: mostly 1-9, some large, a few zeros."""
    weights = {
        credential.id: credential_weight(credential, random.Random(f"{SEED}-{credential.id}"))
        for credential in credentials
    }
    ids = [credential.id for credential in credentials]
    rows = []
    for school in schools:
        graduates = _graduates(school, year)
        wanted = min(len(ids), 8 + min(17, graduates // 30) + rng.randint(-2, 2))
        if graduates < 10:
            wanted = min(len(ids), rng.randint(2, 5))
        for credential_id in _weighted_sample(rng, ids, [weights[i] for i in ids], wanted):
            median = max(1.0, graduates * 0.03 * weights[credential_id])
            earned = min(
                max(1, graduates * 6 // 10), max(1, round(rng.lognormvariate(math.log(median), 0.9)))
            )
            if rng.random() < 0.03:
                earned = 0
            rows.append((year, school.school_id, credential_id, earned))
    return sorted(rows)


def _graduates(school: School, year: int) -> int:
    """A school's graduates drift a little from year to year, deterministically."""
    drift = random.Random(f"{SEED}-{school.school_id}-{year}").uniform(0.9, 1.1)
    graduates = round(school.size * drift)
    return graduates if school.size < 10 else min(600, max(25, graduates))


def _weighted_sample(rng: random.Random, items: list[str], weights: list[float], k: int) -> list[str]:
    """k distinct items, more likely the heavier ones (Efraimidis-Spirakis keys)."""
    keyed = sorted(
        ((rng.random() ** (1 / weight), item) for item, weight in zip(items, weights, strict=True)),
        reverse=True,
    )
    return [item for _key, item in keyed[:k]]


def readiness_rows(
    rng: random.Random, schools: Sequence[School], year: int
) -> list[tuple[int, str, int, int]]:
    """Graduates per school and how many met the points target (never more than graduates)."""
    rows = []
    for school in schools:
        graduates = _graduates(school, year)
        share = random.Random(f"{SEED}-{school.school_id}-share").uniform(0.04, 0.4) * rng.uniform(0.85, 1.15)
        rows.append((year, school.school_id, graduates, min(graduates, round(graduates * share))))
    return rows


def claim_rows(
    rng: random.Random, attainment: Iterable[tuple[int, str, str, int]], credentials: Sequence[Credential]
) -> list[tuple[int, str, str, str, int, Decimal | None]]:
    """Exam-fee claims at actual fees, and flat-rate bonus claims; count <= earned."""
    by_id = {credential.id: credential for credential in credentials}
    rows = []
    for year, school_id, credential_id, earned in attainment:
        if earned == 0:
            continue
        credential = by_id[credential_id]
        fee = credential.exam_fee_usd
        if fee and rng.random() < 0.85:
            count = max(1, round(earned * rng.uniform(0.7, 1.0)))
            rows.append((year, "exam-fee", school_id, credential_id, count, fee * count))
        if credential.points >= BONUS_MIN_POINTS and rng.random() < 0.9:
            count = max(1, earned - rng.choice((0, 0, 0, 1)))
            rows.append((year, "credential-bonus", school_id, credential_id, count, None))
    return sorted(rows, key=lambda row: row[:4])


def funding_rows(claims: Iterable[tuple[int, str, str, str, int, Decimal | None]]) -> list[tuple]:
    """Allocations set from the claimed totals so proration applies in some years only."""
    totals: dict[tuple[int, str], Decimal] = {}
    for year, program, _school, _credential, count, amount in claims:
        claimed = amount if amount is not None else BONUS_UNIT_USD * count
        totals[(year, program)] = totals.get((year, program), Decimal(0)) + claimed
    rows = []
    for (year, program), total in sorted(totals.items()):
        ratio = ALLOCATION_RATIOS.get((year, program), Decimal(1))
        allocation = (total * ratio / 1000).quantize(Decimal(1)) * 1000
        unit = BONUS_UNIT_USD if program == "credential-bonus" else None
        rows.append((year, program, allocation.quantize(CENT), unit))
    return rows


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in rows)


def descriptor(years: Sequence[int]) -> dict:
    """datapackage.json: shared schemas by path, three resources per year (as in the sample)."""
    return package_descriptor(
        list(years),
        "credsite-outcomes",
        "Credential attainment, readiness and reimbursement by school (SAMPLE, synthetic)",
        "Synthetic sample data for credsite. Not real schools or students. See README.md.",
        synthetic=True,  # made up, so it may sit in the repository (SPEC 11)
    )


def generate(catalog_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the sample package; row counts per table, for the log."""
    credentials = read_credentials(catalog_dir / "credentials")
    if not credentials:
        raise SystemExit(f"no approved credentials in {catalog_dir / 'credentials'}")
    rng = random.Random(SEED)
    schools = make_schools(rng)
    write_csv(
        out_dir / "schools.csv",
        ("school_id", "name", "district_id", "district_name", "county"),
        [(s.school_id, s.name, s.district_id, s.district_name, s.county) for s in schools],
    )
    counts = {"schools": len(schools), "funding": 0, "attainment": 0, "readiness": 0, "claims": 0}
    all_claims = []
    for year in YEARS:
        attainment = attainment_rows(rng, schools, credentials, year)
        readiness = readiness_rows(rng, schools, year)
        claims = claim_rows(rng, attainment, credentials)
        all_claims += claims
        write_csv(
            out_dir / f"{year}/attainment.csv", ("year", "school_id", "credential_id", "earned"), attainment
        )
        write_csv(
            out_dir / f"{year}/readiness.csv",
            ("year", "school_id", "graduates", "met_points_target"),
            readiness,
        )
        write_csv(
            out_dir / f"{year}/claims.csv",
            ("year", "program", "school_id", "credential_id", "count", "amount_usd"),
            claims,
        )
        counts["attainment"] += len(attainment)
        counts["readiness"] += len(readiness)
        counts["claims"] += len(claims)
    funding = funding_rows(all_claims)
    write_csv(out_dir / "funding.csv", ("year", "program", "allocation_usd", "unit_amount_usd"), funding)
    counts["funding"] = len(funding)
    (out_dir / "datapackage.json").write_text(
        json.dumps(descriptor(YEARS), indent=2) + "\n", encoding="utf-8"
    )
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (reads credentials/)"
    )
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: CATALOG/outcomes)")
    args = parser.parse_args(argv)
    counts = generate(args.catalog, args.out or args.catalog / "outcomes")
    print(", ".join(f"{table}: {count} rows" for table, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
