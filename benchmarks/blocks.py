"""Experiments on splitting one year's protection into blocks (issue 29), on a generated catalog.

    python benchmarks/blocks.py directions CATALOG   # where the whole year's certificates move cells
    python benchmarks/blocks.py prove CATALOG field  # prove in blocks, the rest over the whole year
    python benchmarks/blocks.py prove CATALOG district

``CATALOG`` is a catalog folder written by ``generate_catalog.py`` (its last year is used).

- ``directions`` protects the year's attainment system with certificates (forced on at any
  size) and classifies every certificate found by where its two tables move cells: inside
  one district or one career field, across several, or through a statewide or school total.
  It says which way a block decomposition would cut the fewest proofs.
- ``prove`` decides the statuses once with the spec's rules over the whole year (attainment
  only), audits the whole year, then audits each block with every hidden cell outside it
  taken as known (a table the block's programs find differs from the truth only inside
  the block, so what they prove holds for the whole year), and last audits the whole year
  for the pairs no block proved. It prints the times, the share proven in blocks, and
  whether the exposures equal the whole year's (they must).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

from site_builder.build import validate
from site_builder.protection import HIDDEN_STATUSES, PUBLISHED, disclosure
from site_builder.protection import certificates as certificates_module
from site_builder.protection.audit import audit
from site_builder.protection.privacy import complementary_suppression, primary_statuses
from site_builder.reports import CatalogFacts
from site_builder.reports.systems import attainment_system


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("experiment", choices=("directions", "prove"))
    parser.add_argument("catalog", type=Path)
    parser.add_argument("axis", nargs="?", choices=("field", "district"), default="field")
    args = parser.parse_args()
    validated = validate(args.catalog)
    catalog, outcomes = validated.catalog, validated.outcomes
    facts = CatalogFacts.of(catalog)
    schools = {school.school_id: school for school in outcomes.schools}
    year = outcomes.years[-1]
    rows = [row for row in outcomes.attainment if row.year == year]
    if args.experiment == "directions":
        claims = [claim for claim in outcomes.claims if claim.year == year]
        system = attainment_system(rows, claims, schools, facts.primary_field, facts.members_in(year))
        directions(system, facts, schools)
    else:
        system = attainment_system(rows, [], schools, facts.primary_field, None)
        prove(system, facts, schools, args.axis)


def school_of(key: tuple) -> str | None:
    if key[0] == "att" and key[1] in ("school-credential", "school-field", "school"):
        return key[2]
    if key[:2] == ("claims", "school"):
        return key[3]
    return None


def directions(system, facts: CatalogFacts, schools: dict) -> None:
    counts: Counter[str] = Counter()
    search = certificates_module.Certifier.certify

    def classified(self, cell, check, low, high, hints=()):
        found = search(self, cell, check, low, high, hints)
        certificate = found[0]
        if certificate is None:
            counts["searches that found none"] += 1
            return found
        districts, fields, statewide = set(), set(), False
        for move in (certificate.upper, certificate.lower):
            for i in move:
                key = self.keys[i]
                school = school_of(key)
                if school is None:
                    statewide = True
                else:
                    districts.add(schools[school].district_id)
                if key[:2] == ("att", "school-credential"):
                    fields.add(facts.primary_field[key[3]])
                elif key[:2] == ("att", "school-field"):
                    fields.add(key[3])
                elif key[0] == "att":
                    fields.add("*")
        counts["through a statewide cell" if statewide else f"districts: {min(len(districts), 2)}"] += 1
        counts["fields: through a school total" if "*" in fields else f"fields: {min(len(fields), 2)}"] += 1
        return found

    certificates_module.Certifier.certify = classified
    disclosure.CERTIFICATE_LIMIT = 0
    started = time.perf_counter()
    protection = disclosure.protect(system, facts.min_cell)
    hidden = sum(status in HIDDEN_STATUSES for status in protection.statuses.values())
    print(f"{len(system.values)} cells, {hidden} hidden, {time.perf_counter() - started:.1f} s")
    print("certificates by where they move cells (2: two or more; fields 0: claims only):")
    for name, count in sorted(counts.items()):
        print(f"  {name}: {count}")


def prove(system, facts: CatalogFacts, schools: dict, axis: str) -> None:
    n = facts.min_cell
    statuses = complementary_suppression(system, primary_statuses(system, n), n)
    hidden = [key for key, status in statuses.items() if status in HIDDEN_STATUSES]
    print(f"{len(system.values)} cells, {len(hidden)} hidden by the spec's rules")
    started = time.perf_counter()
    whole = audit(system, statuses, n)
    whole_seconds = time.perf_counter() - started
    exposed = {(exposure.key, exposure.check) for exposure in whole.exposures}
    print(
        f"the whole year's audit: {whole_seconds:.1f} s, {whole.solved} programs, {len(exposed)} pairs exposed"
    )

    def block_of(key: tuple) -> str | None:
        if axis == "field":
            if key[:2] == ("att", "school-credential"):
                return facts.primary_field[key[3]]
            if key[:2] in (("att", "school-field"), ("att", "field")):
                return key[-1]
            if key[:2] == ("att", "credential"):
                return facts.primary_field[key[2]]
            return None
        if key[:2] in (("att", "school-credential"), ("att", "school-field"), ("att", "school")):
            return schools[key[2]].district_id
        return key[2] if key[:2] == ("att", "district") else None

    blocks: dict[str, list] = defaultdict(list)
    for key in hidden:
        if (block := block_of(key)) is not None:
            blocks[block].append(key)
    proven: set = set()
    started = time.perf_counter()
    for cells in blocks.values():
        inside = set(cells)
        known_outside = {
            key: status if key in inside or status not in HIDDEN_STATUSES else PUBLISHED
            for key, status in statuses.items()
        }
        report = audit(system, known_outside, n)
        narrow = {(exposure.key, exposure.check) for exposure in report.exposures}
        proven |= {(key, check) for key in cells for check in ("width", "pinning")} - narrow
    block_seconds = time.perf_counter() - started
    print(
        f"{len(blocks)} {axis} blocks: {block_seconds:.1f} s, {len(proven)} of {2 * len(hidden)} pairs proven"
    )
    started = time.perf_counter()
    rest = audit(system, statuses, n, proven=set(proven))
    rest_seconds = time.perf_counter() - started
    same = {(exposure.key, exposure.check) for exposure in rest.exposures} == exposed
    print(
        f"the rest over the whole year: {rest_seconds:.1f} s, {rest.solved} programs; "
        f"blocks and rest {block_seconds + rest_seconds:.1f} s against {whole_seconds:.1f} s; "
        f"the same exposures: {same}"
    )


if __name__ == "__main__":
    main()
