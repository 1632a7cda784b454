"""One year's outcome data as table systems: every published count and how they add up.

Keys are tuples whose first item names the table: ``("att", "school-credential", s, c)``.
Attainment and reimbursement claims form one system (a school cannot claim more
credentials than its students earned, which links them); readiness is another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from site_builder.outcomes import Attainment, Claim, Readiness, School
from site_builder.protection import Inequality, Status, TableSystem, rate_coding, rate_thresholds

STATE = "state"


def attainment_system(
    rows: Iterable[Attainment],
    claims: Iterable[Claim],
    schools: Mapping[str, School],
    primary_field: Mapping[str, str],
    program_members: Mapping[str, Collection[str]] | None = None,
) -> TableSystem:
    """Attainment by school x credential with every total the site publishes, plus claim counts.

    ``program_members``: each program's credentials that year (published on the credential pages),
    None when site.yml defines no programs."""
    system = TableSystem()
    values = system.values
    school_credentials: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        key = ("att", "school-credential", row.school_id, row.credential_id)
        values[key] = row.earned
        system.grid[key] = (row.school_id, row.credential_id)
        school_credentials[row.school_id].append(row.credential_id)

    def add(key: tuple, parts: list[tuple]) -> None:
        values[key] = sum(values[part] for part in parts)
        system.add_relation(key, parts)

    fields_at_school: dict[str, dict[str, list[tuple]]] = {}
    schools_with_field: dict[str, list[str]] = defaultdict(list)
    schools_with_credential: dict[str, list[str]] = defaultdict(list)
    for school_id in sorted(school_credentials):
        by_field: dict[str, list[tuple]] = defaultdict(list)
        for credential_id in sorted(school_credentials[school_id]):
            by_field[primary_field[credential_id]].append(
                ("att", "school-credential", school_id, credential_id)
            )
            schools_with_credential[credential_id].append(school_id)
        fields_at_school[school_id] = by_field
        for field_id, parts in sorted(by_field.items()):
            add(("att", "school-field", school_id, field_id), parts)
            schools_with_field[field_id].append(school_id)
        add(("att", "school", school_id), [("att", "school-field", school_id, f) for f in sorted(by_field)])

    districts: dict[str, list[str]] = defaultdict(list)
    for school_id in sorted(school_credentials):
        districts[schools[school_id].district_id].append(school_id)
    for district_id, members in sorted(districts.items()):
        add(("att", "district", district_id), [("att", "school", s) for s in members])
    for credential_id, members in sorted(schools_with_credential.items()):
        add(
            ("att", "credential", credential_id),
            [("att", "school-credential", s, credential_id) for s in members],
        )
    credentials_in_field: dict[str, list[str]] = defaultdict(list)
    for credential_id in sorted(schools_with_credential):
        credentials_in_field[primary_field[credential_id]].append(credential_id)
    for field_id, credential_ids in sorted(credentials_in_field.items()):
        add(("att", "field", field_id), [("att", "credential", c) for c in credential_ids])
        system.add_relation(
            ("att", "field", field_id),
            [("att", "school-field", s, field_id) for s in schools_with_field[field_id]],
        )
    add(("att", STATE), [("att", "field", f) for f in sorted(credentials_in_field)])
    if districts:
        system.add_relation(("att", STATE), [("att", "district", d) for d in sorted(districts)])

    _add_claims(system, claims, fields_at_school, program_members)
    district_of = {school_id: school.district_id for school_id, school in schools.items()}
    system.arcs = {key: _arc(key, primary_field, district_of) for key in values}
    return system


def _arc(key: tuple, field_of: Mapping[str, str], district_of: Mapping[str, str]) -> tuple:
    """A cell's arc in the circulation the year's counts form (``TableSystem.arcs``): the
    state total flows into the districts, a district's into its schools, a school's into
    its school-field totals, those into their cells, each cell into its credential's
    statewide total, credentials into their field and fields back into the state total.
    A program's claims run from its total's head back to its tail, school by school."""
    table, kind, *rest = key
    if table == "claims":
        program = rest[0]
        if kind == "program":
            return (("claims out", program), ("claims in", program))
        return (("claims in", program), ("claims out", program))
    if kind == "school-credential":
        school_id, credential_id = rest
        return (("school-field", school_id, field_of[credential_id]), ("credential", credential_id))
    if kind == "school-field":
        return (("school", rest[0]), ("school-field", *rest))
    if kind == "school":
        return (("district", district_of[rest[0]]), ("school", rest[0]))
    if kind == "district":
        return ("state in", ("district", rest[0]))
    if kind == "credential":
        return (("credential", rest[0]), ("field", field_of[rest[0]]))
    if kind == "field":
        return (("field", rest[0]), "state out")
    return ("state out", "state in")  # the state total closes the circulation


def attainment_shared(
    rows: Iterable[Attainment], claims: Iterable[Claim], primary_field: Mapping[str, str]
) -> dict[tuple, int]:
    """The statewide cells of ``attainment_system`` over these rows, and their counts: what
    the slices of a year (``protection.blocks``), each a group of districts, share."""
    shared: dict[tuple, int] = defaultdict(int)
    shared[("att", STATE)] = 0
    for row in rows:
        shared[("att", "credential", row.credential_id)] += row.earned
        shared[("att", "field", primary_field[row.credential_id])] += row.earned
        shared[("att", STATE)] += row.earned
    for claim in claims:
        shared[("claims", "program", claim.program)] += claim.count
    return dict(shared)


def _add_claims(
    system: TableSystem,
    claims: Iterable[Claim],
    fields_at_school: Mapping[str, Mapping[str, list[tuple]]],
    members: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Claimed credential counts per school and program; dollars follow their statuses.

    What an attacker knows of a school's claims under a program: no more than its students
    earned of the credentials that can be claimed under it (claims <= earned, per
    credential). Without programs in site.yml that is every credential the school's
    students earned (the school's total); with them, the program's members only, whose
    school-credential cells the inequality sums."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for claim in claims:
        counts[(claim.program, claim.school_id)] += claim.count
    by_program: dict[str, list[str]] = defaultdict(list)
    for (program, school_id), total in sorted(counts.items()):
        system.values[("claims", "school", program, school_id)] = total
        system.grid[("claims", "school", program, school_id)] = (("claims", program), ("claims", school_id))
        by_program[program].append(school_id)
        claimed = ("claims", "school", program, school_id)
        if members is not None:
            # claims under the program <= the school's earned counts of the program's members
            earned = _earned_of(school_id, fields_at_school.get(school_id, {}), members.get(program, ()))
            system.inequalities.append(Inequality(((claimed, 1.0), *((cell, -1.0) for cell in earned)), 0.0))
        # Claimed credentials cannot outnumber the credentials the school's students earned.
        elif ("att", "school", school_id) in system.values:
            system.inequalities.append(
                Inequality(
                    ((("claims", "school", program, school_id), 1.0), (("att", "school", school_id), -1.0)),
                    0.0,
                )
            )
    for program, school_ids in sorted(by_program.items()):
        parts = [("claims", "school", program, s) for s in school_ids]
        system.values[("claims", "program", program)] = sum(system.values[p] for p in parts)
        system.add_relation(("claims", "program", program), parts)


def _earned_of(school_id: str, fields: Mapping[str, list[tuple]], member_ids: Collection[str]) -> list[tuple]:
    """The fewest cells whose sum is what the school's students earned of ``member_ids``:
    a career field's total where every credential of the field earned there is a member,
    the school's total where all are, the school-credential cells otherwise. The sum is the
    same, but an inequality over fewer cells costs the audit far less (over single cells,
    the sample's protection took ten times as long)."""
    terms: list[tuple] = []
    every_field = True
    for field_id, cells in sorted(fields.items()):
        in_program = [cell for cell in cells if cell[3] in member_ids]
        if len(in_program) == len(cells):
            terms.append(("att", "school-field", school_id, field_id))
        else:
            every_field = False
            terms.extend(in_program)
    return [("att", "school", school_id)] if every_field and fields else terms


def readiness_system(rows: Iterable[Readiness], schools: Mapping[str, School], min_cell: int) -> TableSystem:
    """Graduates = met + not met, for every school, district and the state, with coded rates.

    "not met" is never printed, but it is a count all the same: 100 graduates of whom
    95 met the target says that 5 did not, so it is protected like the others.
    """
    system = TableSystem()
    units: dict[tuple, tuple[int, int]] = {}
    districts: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        units[("school", row.school_id)] = (row.graduates, row.met_points_target)
        districts[schools[row.school_id].district_id].append(row.school_id)
    for district_id, members in sorted(districts.items()):
        units[("district", district_id)] = (
            sum(units[("school", s)][0] for s in members),
            sum(units[("school", s)][1] for s in members),
        )
    units[(STATE,)] = (
        sum(units[("district", d)][0] for d in districts),
        sum(units[("district", d)][1] for d in districts),
    )
    for unit, (graduates, met) in units.items():
        g, m, n = ("ready", "graduates", *unit), ("ready", "met", *unit), ("ready", "not-met", *unit)
        system.values.update({g: graduates, m: met, n: graduates - met})
        system.add_relation(g, [m, n])
        coding = rate_coding(met, graduates) if graduates >= min_cell else None
        if coding is not None:
            _code(system, g, m, n, coding, graduates)
    for measure in ("graduates", "met", "not-met"):
        for district_id, members in sorted(districts.items()):
            system.add_relation(
                ("ready", measure, "district", district_id),
                [("ready", measure, "school", s) for s in members],
            )
        system.add_relation(
            ("ready", measure, STATE), [("ready", measure, "district", d) for d in sorted(districts)]
        )
    return system


def _code(system: TableSystem, g: tuple, m: tuple, n: tuple, coding: Status, graduates: int) -> None:
    """Hide the exact counts behind a coded rate, and tell the audit what the rate reveals."""
    top, bottom = rate_thresholds(graduates)
    system.coded[m] = coding
    system.coded[n] = coding
    system.coded_by[m] = system.coded_by[n] = g
    if coding == "top-coded":  # met >= top * graduates
        system.inequalities.append(Inequality(((m, -1.0), (g, float(top))), 0.0))
    else:  # met <= bottom * graduates
        system.inequalities.append(Inequality(((m, 1.0), (g, -float(bottom))), 0.0))
