"""The outcome data package (SPEC 4): the sample loads, and each broken input gives one exact error.

Every error case copies a tiny valid package (written below, using the shipped shared
schemas) and breaks one thing; the test asserts the complete list of error lines, so a
cascade of follow-on errors would fail it too.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from site_builder.errors import CatalogInvalid
from site_builder.outcomes import Claim, Funding, Outcomes, load_outcomes

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "catalog" / "outcomes"
CREDENTIAL_IDS = {"comptia-a-plus", "osha-10"}
IDENTIFYING_MESSAGE = "identifies a student; outcome data must be aggregate counts only"

TINY_FILES = {
    "schools.csv": """\
school_id,name,district_id,district_name,county
000101,Maple Ridge High School,040001,Maple Ridge Local School District,Licking
000102,Oak Grove Online Academy,040002,Oak Grove City School District,Stark
""",
    "funding.csv": """\
year,program,allocation_usd,unit_amount_usd
2024,exam-fee,1000.00,
2024,credential-bonus,500.00,125.00
""",
    "2024/attainment.csv": """\
year,school_id,credential_id,earned
2024,000101,comptia-a-plus,12
2024,000101,osha-10,3
2024,000102,comptia-a-plus,0
""",
    "2024/readiness.csv": """\
year,school_id,graduates,met_points_target
2024,000101,120,30
2024,000102,8,2
""",
    "2024/claims.csv": """\
year,program,school_id,credential_id,count,amount_usd
2024,exam-fee,000101,comptia-a-plus,10,2530.00
2024,credential-bonus,000101,comptia-a-plus,12,
""",
}


def resource_entry(name: str, path: str, schema: str) -> dict:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "encoding": "utf-8",
        "schema": f"schemas/{schema}.json",
    }


def tiny_descriptor(years: tuple[int, ...] = (2024,)) -> dict:
    resources = [
        resource_entry("schools", "schools.csv", "schools"),
        resource_entry("funding", "funding.csv", "funding"),
    ]
    for year in years:
        for table in ("attainment", "readiness", "claims"):
            resources.append(resource_entry(f"{table}-{year}", f"{year}/{table}.csv", table))
    return {"profile": "tabular-data-package", "resources": resources}


def write_descriptor(package: Path, descriptor: dict) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny valid package at ./outcomes, with the working dir at tmp_path for short paths."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "outcomes"
    shutil.copytree(SAMPLE / "schemas", root / "schemas")
    for relative, text in TINY_FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    write_descriptor(root, tiny_descriptor())
    return root


def errors_of(package: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        load_outcomes(package, CREDENTIAL_IDS)
    return [str(error) for error in caught.value.errors]


def set_line(path: Path, line: int, text: str) -> None:
    """Replace one physical line (1-based; the header is line 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append_line(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")


# The bundled sample


def sample_credential_ids() -> set[str]:
    return {path.stem for path in (REPO / "catalog" / "credentials").glob("*.md")}


def test_sample_package_loads_without_errors() -> None:
    outcomes = load_outcomes(SAMPLE, sample_credential_ids())
    assert outcomes.years == [2023, 2024, 2025]
    assert 100 <= len(outcomes.schools) <= 200
    assert {(f.year, f.program) for f in outcomes.funding} == {
        (year, program) for year in (2023, 2024, 2025) for program in ("exam-fee", "credential-bonus")
    }
    assert {row.year for row in outcomes.attainment} == {2023, 2024, 2025}
    assert all(row.met_points_target <= row.graduates for row in outcomes.readiness)


def test_sample_claims_exceed_the_allocation_in_some_years_only() -> None:
    outcomes = load_outcomes(SAMPLE, sample_credential_ids())
    units = {(f.year, f.program): f.unit_amount_usd for f in outcomes.funding}
    claimed: dict[tuple[int, str], Decimal] = {}
    for claim in outcomes.claims:
        unit = units[(claim.year, claim.program)]
        value = claim.amount_usd if unit is None else unit * claim.count
        claimed[(claim.year, claim.program)] = claimed.get((claim.year, claim.program), Decimal(0)) + value
    prorated = {key for key, allocation in _allocations(outcomes).items() if allocation < claimed[key]}
    assert 0 < len(prorated) < len(claimed)


def _allocations(outcomes: Outcomes) -> dict[tuple[int, str], Decimal]:
    return {(f.year, f.program): f.allocation_usd for f in outcomes.funding}


def test_sample_passes_frictionless_on_its_own() -> None:
    from frictionless import Package

    report = Package(str(SAMPLE / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])


# The tiny valid package and its typed records


def test_tiny_package_loads_typed_records(package: Path) -> None:
    outcomes = load_outcomes(package, CREDENTIAL_IDS)
    assert outcomes.years == [2024]
    assert outcomes.schools[0].name == "Maple Ridge High School"
    assert outcomes.funding == [
        Funding(2024, "exam-fee", Decimal("1000.00"), None),
        Funding(2024, "credential-bonus", Decimal("500.00"), Decimal("125.00")),
    ]
    assert outcomes.claims[0] == Claim(2024, "exam-fee", "000101", "comptia-a-plus", 10, Decimal("2530.00"))
    assert [row.earned for row in outcomes.attainment] == [12, 3, 0]


# One error class each: the exact lines, and nothing else


def test_wrong_type(package: Path) -> None:
    set_line(package / "2024/attainment.csv", 3, "2024,000101,osha-10,many")
    assert errors_of(package) == [
        'outcomes/2024/attainment.csv:3:4: earned: must be an integer >= 0 (got "many")'
    ]


def test_negative_integer(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 3, "2024,000102,-5,2")
    assert errors_of(package) == [
        'outcomes/2024/readiness.csv:3:3: graduates: must be an integer >= 0 (got "-5")'
    ]


def test_missing_required_value(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 2, "2024,000101,120,")
    assert errors_of(package) == ["outcomes/2024/readiness.csv:2:4: met_points_target: a value is required"]


def test_missing_cell(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 2, "2024,000101,120")
    assert errors_of(package) == [
        "outcomes/2024/readiness.csv:2:4: met_points_target: missing value; the row has fewer values than the header"
    ]


def test_wrong_pattern(package: Path) -> None:
    set_line(
        package / "schools.csv",
        3,
        "000102,Oak Grove Online Academy,40002,Oak Grove City School District,Stark",
    )
    assert errors_of(package) == ['outcomes/schools.csv:3:3: district_id: must be 6 digits (got "40002")']


def test_duplicate_primary_key(package: Path) -> None:
    append_line(package / "2024/attainment.csv", "2024,000101,comptia-a-plus,12")
    assert errors_of(package) == [
        "outcomes/2024/attainment.csv:5: duplicate row for (2024, 000101, comptia-a-plus); first at line 2"
    ]


def test_unknown_school(package: Path) -> None:
    append_line(package / "2024/readiness.csv", "2024,999999,40,4")
    assert errors_of(package) == ['outcomes/2024/readiness.csv:4:2: school_id "999999" is not in schools.csv']


def test_unknown_year_and_program(package: Path) -> None:
    append_line(package / "2024/claims.csv", "2024,exam-fees,000101,osha-10,1,35.00")
    assert errors_of(package) == [
        'outcomes/2024/claims.csv:4:2: year 2024, program "exam-fees" is not in funding.csv'
    ]


def test_unknown_credential(package: Path) -> None:
    append_line(package / "2024/attainment.csv", "2024,000102,foo,4")
    assert errors_of(package) == [
        'outcomes/2024/attainment.csv:5:3: credential_id "foo" is not in the catalog'
    ]


def test_year_differs_from_folder(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 3, "2023,000102,8,2")
    assert errors_of(package) == [
        "outcomes/2024/readiness.csv:3:1: year: 2023 does not match the folder 2024/"
    ]


def test_met_points_target_above_graduates(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 3, "2024,000102,8,9")
    assert errors_of(package) == [
        "outcomes/2024/readiness.csv:3:4: met_points_target: more than graduates on the same row"
    ]


def test_count_above_earned(package: Path) -> None:
    set_line(package / "2024/claims.csv", 3, "2024,credential-bonus,000101,comptia-a-plus,13,")
    assert errors_of(package) == [
        "outcomes/2024/claims.csv:3:5: count: more than earned in outcomes/2024/attainment.csv line 2"
    ]


def test_claim_without_attainment(package: Path) -> None:
    append_line(package / "2024/claims.csv", "2024,credential-bonus,000102,osha-10,1,")
    assert errors_of(package) == [
        "outcomes/2024/claims.csv:4: no attainment row for (2024, 000102, osha-10) in outcomes/2024/attainment.csv"
    ]


def test_amount_required_for_actual_fee_program(package: Path) -> None:
    set_line(package / "2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,")
    assert errors_of(package) == [
        'outcomes/2024/claims.csv:2:6: amount_usd: a value is required for "exam-fee", which reimburses actual fees'
    ]


def test_money_must_be_whole_cents(package: Path) -> None:
    set_line(package / "2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,2530.005")
    set_line(package / "funding.csv", 2, "2024,exam-fee,1000.5,")
    assert errors_of(package) == [
        "outcomes/2024/claims.csv:2:6: amount_usd: must be whole cents (at most two decimals)",
    ]
    set_line(package / "2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,2530.00")
    set_line(package / "funding.csv", 2, "2024,exam-fee,1000.125,")
    assert errors_of(package) == [
        "outcomes/funding.csv:2:3: allocation_usd: must be whole cents (at most two decimals)"
    ]


def test_infinite_amount_is_an_error_not_a_crash(package: Path) -> None:
    # "Infinity" is a number >= 0 to the Table Schema, but no amount of money.
    set_line(package / "2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,Infinity")
    assert errors_of(package) == [
        "outcomes/2024/claims.csv:2:6: amount_usd: must be a number of dollars",
    ]


@pytest.mark.parametrize("column", ["student_id", "Student Name", "DOB", "e-mail", "name"])
def test_student_identifying_column(package: Path, column: str) -> None:
    path = package / "2024/attainment.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    header, *data = rows
    fields = header.split(",")
    fields.insert(2, column)
    lines = [",".join(fields)] + [",".join([*row.split(",")[:2], "x", *row.split(",")[2:]]) for row in data]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert errors_of(package) == [
        f'outcomes/2024/attainment.csv:1:3: column "{column}" {IDENTIFYING_MESSAGE}'
    ]


def test_student_identifying_field_in_schema(package: Path) -> None:
    schema_path = package / "schemas/readiness.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "birth_date", "type": "date"})
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    assert errors_of(package) == [
        f'outcomes/schemas/readiness.json:1: column "birth_date" {IDENTIFYING_MESSAGE}'
    ]


def test_wrong_header(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 1, "year,school_id,graduate,met_points_target")
    assert errors_of(package) == ['outcomes/2024/readiness.csv:1:3: column "graduate" should be "graduates"']


def test_missing_year_table(package: Path) -> None:
    (package / "2024/readiness.csv").unlink()
    descriptor = tiny_descriptor()
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "readiness-2024"]
    write_descriptor(package, descriptor)
    assert errors_of(package) == [
        'outcomes/2024/readiness.csv:1: missing: the package needs this file, declared as resource "readiness-2024"'
    ]


def test_declared_file_missing(package: Path) -> None:
    (package / "2024/readiness.csv").unlink()
    text = (package / "datapackage.json").read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(text, start=1) if '"2024/readiness.csv"' in row)
    assert errors_of(package) == [
        f'outcomes/datapackage.json:{line}: resource "readiness-2024": file "2024/readiness.csv" does not exist'
    ]


def test_undeclared_csv_file(package: Path) -> None:
    (package / "2024/notes.csv").write_text("note\nhello\n", encoding="utf-8")
    assert errors_of(package) == [
        "outcomes/2024/notes.csv:1: file is not described in datapackage.json; add a resource for it or remove it"
    ]


def test_non_utf8_csv(package: Path) -> None:
    path = package / "schools.csv"
    path.write_bytes(path.read_bytes().replace(b"Oak Grove Online", "Oak Grové Online".encode("latin-1")))
    assert errors_of(package) == [
        "outcomes/schools.csv:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_malformed_csv(package: Path) -> None:
    set_line(package / "2024/readiness.csv", 3, '2024,000102,"8,2')
    assert errors_of(package) == [
        "outcomes/2024/readiness.csv:3: malformed CSV: unexpected end of data; check the quotes on this row"
    ]


def test_quoted_multiline_value_keeps_physical_lines(package: Path) -> None:
    set_line(
        package / "schools.csv",
        2,
        '000101,"Maple Ridge\nHigh School",040001,Maple Ridge Local School District,Licking',
    )
    set_line(
        package / "schools.csv", 4, "000102,Oak Grove Online Academy,040002,Oak Grove City School District,"
    )
    # the line break is no part of a name (said at the record's first line); the next row's
    # error is at its physical line
    assert errors_of(package) == [
        "outcomes/schools.csv:2:2: name: holds a control character or a mark that reorders text",
        "outcomes/schools.csv:4:5: county: a value is required",
    ]


def test_invalid_datapackage_json(package: Path) -> None:
    (package / "datapackage.json").write_text(
        '{\n  "profile": "tabular-data-package"\n  "resources": []\n}\n'
    )
    assert errors_of(package) == ["outcomes/datapackage.json:3:3: not valid JSON: Expecting ',' delimiter"]


def test_missing_datapackage_json(package: Path) -> None:
    (package / "datapackage.json").unlink()
    assert errors_of(package) == ["outcomes/datapackage.json:1: file not found"]


def test_errors_are_all_reported_and_sorted(package: Path) -> None:
    append_line(package / "2024/attainment.csv", "2024,000102,foo,4")
    set_line(package / "2024/readiness.csv", 3, "2024,000102,8,9")
    set_line(package / "2024/attainment.csv", 3, "2024,000101,osha-10,-3")
    assert errors_of(package) == [
        'outcomes/2024/attainment.csv:3:4: earned: must be an integer >= 0 (got "-3")',
        'outcomes/2024/attainment.csv:5:3: credential_id "foo" is not in the catalog',
        "outcomes/2024/readiness.csv:3:4: met_points_target: more than graduates on the same row",
    ]


def test_a_second_year_is_three_resource_entries(package: Path) -> None:
    for table in ("attainment", "readiness", "claims"):
        text = (package / f"2024/{table}.csv").read_text(encoding="utf-8").replace("2024,", "2025,")
        (package / "2025").mkdir(exist_ok=True)
        (package / f"2025/{table}.csv").write_text(text, encoding="utf-8")
    append_line(package / "funding.csv", "2025,exam-fee,900.00,")
    append_line(package / "funding.csv", "2025,credential-bonus,400.00,125.00")
    write_descriptor(package, tiny_descriptor((2024, 2025)))
    outcomes = load_outcomes(package, CREDENTIAL_IDS)
    assert outcomes.years == [2024, 2025]
    assert len(outcomes.claims) == 4


# Equivalence with Frictionless: the row validator reports what `Package.validate()` reports.
#
# Each case breaks the tiny package in one way Frictionless understands (every file stays
# clean CSV with the right header, where the two deliberately differ); both validators
# then run and must give the same (file, row, field, error type) list. Cases below are
# per error class; the last one stacks them all, and one runs with a tiny error limit
# so that where the limit cuts, inside a row, matches too.

BROKEN_ROWS: dict[str, list[tuple[str, int | None, str]]] = {
    # (file, line to replace or None to append, text)
    "wrong type": [("2024/attainment.csv", 3, "2024,000101,osha-10,many")],
    "negative integer": [("2024/readiness.csv", 3, "2024,000102,-5,2")],
    "year out of range": [("2024/readiness.csv", 3, "1999,000102,8,2")],
    "required value empty": [("2024/readiness.csv", 2, "2024,000101,120,")],
    "pattern": [("schools.csv", 3, "000102,Oak Grove,40002,Oak Grove City School District,Stark")],
    "number type": [("2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,25.30.0")],
    "number NaN": [("2024/claims.csv", 2, "2024,exam-fee,000101,comptia-a-plus,10,NaN")],
    "number negative": [("funding.csv", 3, "2024,credential-bonus,500.00,-125.00")],
    "spaces and signs parse": [("2024/attainment.csv", 3, "2024,000101,osha-10, +3 ")],
    "duplicate primary key": [("2024/attainment.csv", None, "2024,000101,comptia-a-plus,12")],
    "three copies of a key": [
        ("2024/readiness.csv", None, "2024,000101,120,30"),
        ("2024/readiness.csv", None, "2024,000101,120,31"),
    ],
    "duplicate key with a bad cell": [("2024/attainment.csv", None, "2024,000101,comptia-a-plus,x")],
    "unknown school": [("2024/readiness.csv", None, "2024,999999,40,4")],
    "unknown year and program": [("2024/claims.csv", None, "2024,exam-fees,000101,osha-10,1,35.00")],
    "foreign key over a bad cell": [("2024/claims.csv", None, "20x4,exam-fee,000101,osha-10,1,35.00")],
    "bad school id that is not in schools": [("2024/readiness.csv", None, "2024,99999,40,4")],
    "bad school id found as bad in schools": [
        ("schools.csv", None, "12345,Tiny Academy,040002,Oak Grove City School District,Stark"),
        ("2024/readiness.csv", None, "2024,12345,40,4"),
    ],
    "missing cell": [("2024/readiness.csv", 2, "2024,000101,120")],
    "missing key cells": [("2024/attainment.csv", None, "2024,000102")],
    "extra cell": [("2024/readiness.csv", 2, "2024,000101,120,30,7")],
    "blank row": [("2024/readiness.csv", None, ",,,")],
    "empty line": [("2024/attainment.csv", 3, "")],
    "blank row with an extra cell": [("2024/readiness.csv", None, ",,,,x")],
    "short blank row": [("funding.csv", None, ",")],
}


def break_rows(package: Path, changes: list[tuple[str, int | None, str]]) -> None:
    for relative, line, text in changes:
        if line is None:
            append_line(package / relative, text)
        else:
            set_line(package / relative, line, text)


def credsite_problems(package: Path, error_limit: int = 1000) -> list[tuple]:
    from site_builder.outcomes.layout import read_layout
    from site_builder.outcomes.package import row_problems

    layout = read_layout(package)
    paths = {spec.resource_name: spec for spec in layout.specs}
    return sorted(
        (paths[name].csv_path.relative_to(package).as_posix(), p.row_number, p.field_number or 0, p.type)
        for name, problems in row_problems(layout, error_limit).items()
        for p in problems
    )


def frictionless_problems(package: Path, error_limit: int = 1000) -> list[tuple]:
    from frictionless import Package

    report = Package(str(package / "datapackage.json")).validate(limit_errors=error_limit)
    assert not report.errors, report.errors  # package-level: none expected
    return sorted(
        (task.place, error.row_number, getattr(error, "field_number", None) or 0, error.type)
        for task in report.tasks
        for error in task.errors
    )


@pytest.mark.parametrize("case", BROKEN_ROWS)
def test_same_errors_as_frictionless(package: Path, case: str) -> None:
    break_rows(package, BROKEN_ROWS[case])
    expected = frictionless_problems(package)
    assert credsite_problems(package) == expected
    assert expected or case == "spaces and signs parse"


def test_same_errors_as_frictionless_all_at_once(package: Path) -> None:
    for changes in BROKEN_ROWS.values():
        # Appends only: replaced lines would overwrite each other.
        break_rows(package, [(relative, None, text) for relative, _line, text in changes])
    expected = frictionless_problems(package)
    assert len(expected) > 30
    assert credsite_problems(package) == expected


def test_error_limit_cuts_where_frictionless_does(package: Path) -> None:
    for changes in BROKEN_ROWS.values():
        break_rows(package, [(relative, None, text) for relative, _line, text in changes])
    for limit in (1, 2, 3, 5):
        assert credsite_problems(package, limit) == frictionless_problems(package, limit), limit


def test_error_limit_message(package: Path) -> None:
    from site_builder.outcomes.layout import read_layout
    from site_builder.outcomes.package import validate_package

    set_line(package / "2024/attainment.csv", 2, "2024,000101,comptia-a-plus,x")
    set_line(package / "2024/attainment.csv", 3, "2024,000101,osha-10,x")
    set_line(package / "2024/attainment.csv", 4, "2024,000102,comptia-a-plus,x")
    _tables, errors = validate_package(read_layout(package), error_limit=2)
    assert [str(error) for error in errors] == [
        'outcomes/2024/attainment.csv:2:4: earned: must be an integer >= 0 (got "x")',
        'outcomes/2024/attainment.csv:3:4: earned: must be an integer >= 0 (got "x")',
        "outcomes/2024/attainment.csv:3: stopped checking this file after 2 errors",
    ]


def test_a_district_has_one_name(package: Path) -> None:
    append_line(package / "schools.csv", "000103,Maple Ridge Academy,040001,Maple Ridge Schools,Licking")
    assert errors_of(package) == [
        'outcomes/schools.csv:4:4: district_name: differs from the name of district "040001" at line 2'
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\tTab High School", "holds a control character or a mark that reorders text"),
        ("Evil\u202eloohcS", "holds a control character or a mark that reorders text"),
        ("x" * 201, "longer than 200 characters"),
    ],
)
def test_names_are_plain_text(package: Path, name: str, problem: str) -> None:
    append_line(package / "schools.csv", f'000103,"{name}",040001,Maple Ridge Local School District,Licking')
    assert errors_of(package) == [f"outcomes/schools.csv:4:2: name: {problem}"]


def test_records_pickle_as_columns_and_come_back_equal() -> None:
    """A year's rows travel to the protection workers pickled (``protection.tasks``). As
    ``Records`` they go as one list per field, which Dask pickles in a fraction of the
    time it takes record by record; what arrives equals what was sent, record for record
    and of the same types, and a list of mixed kinds still pickles whole."""
    import pickle

    import cloudpickle

    from site_builder.outcomes import Attainment, Records

    claims = Records(
        Claim(2025, "cte", f"S{n % 7}", f"C{n % 5}", n % 9, Decimal("12.50") if n % 2 else None)
        for n in range(1_000)
    )
    sent = cloudpickle.dumps(claims)
    back = pickle.loads(sent)
    assert type(back) is Records and back == claims
    assert all(type(a) is Claim and a == b for a, b in zip(back, claims, strict=True))
    assert len(sent) < len(cloudpickle.dumps(list(claims)))  # the field names are not written per record
    mixed = Records([claims[0], Attainment(2025, "S1", "C1", 3)])
    assert pickle.loads(pickle.dumps(mixed)) == mixed
    assert pickle.loads(pickle.dumps(Records())) == []
