"""Downloads safe to open in a spreadsheet (OWASP "CSV Injection").

Text from the input files (school, district, credential and issuer names) that begins with
= + - @, a tab or a carriage return reaches every CSV file under /data/ with a single quote in
front, so a spreadsheet shows it as text instead of running it as a formula; every other cell,
numbers included, is the same as in a build of the same data with ordinary names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import frictionless
import pytest
from catalog_factory import OUTCOME_FILES, write_catalog, write_outcomes
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from site_builder.build import build
from site_builder.csvsafe import csv_text, spreadsheet_safe

#: what a spreadsheet may read as the start of a formula (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: a plain negative number: a spreadsheet reads it as a number, so it keeps its form
NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")

#: ordinary text of the small catalog -> the hostile text the other build has instead
SCHOOL_NAMES = {
    "Alder High School": '=HYPERLINK("http://x","y")',
    "Birch High School": "+1+2",
    "Cedar Academy": "-2+3",
    "Dogwood High School": "@SUM(A1)",
    "Elm Career Center": "-x",
    "Fir High School": "+x",
    # "Gum Tree Academy" keeps its ordinary name
}
DISTRICT_NAMES = {
    "North Local Schools": "@North",
    # a semicolon inside a cell must not split it where ';' separates cells: quoted
    # (a tab or a carriage return, which a name may not hold, is checked on csv_text below)
    "South City Schools": "South;=SUM(1+2)",
}
CATALOG_TEXT = {
    # credentials/net-basics.md and issuers/netco.yml
    "Network Basics": "=Network Basics",
    "Summary of Network Basics.": "-Summary of Network Basics.",
    "NetCo": "+NetCo",
}
HOSTILE = SCHOOL_NAMES | DISTRICT_NAMES | CATALOG_TEXT


def expected_cell(text: str) -> str:
    """The hostile text as the CSV files must carry it (the rule in words, not the code)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def hostile_outcomes() -> dict[str, str]:
    schools = list(csv.reader(io.StringIO(OUTCOME_FILES["schools.csv"])))
    buffer = io.StringIO()
    # quote every input cell, so the carriage returns stay inside theirs
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(schools[0])
    for school_id, name, district_id, district_name, county in schools[1:]:
        writer.writerow(
            [school_id, SCHOOL_NAMES.get(name, name), district_id, DISTRICT_NAMES[district_name], county]
        )
    return OUTCOME_FILES | {"schools.csv": buffer.getvalue()}


def make_hostile(catalog_dir: Path) -> None:
    """Hostile credential, issuer and summary text (JSON strings are YAML double-quoted scalars)."""
    replacements = {
        catalog_dir / "credentials" / "net-basics.md": (
            "name: Network Basics\n",
            "summary: Summary of Network Basics.\n",
        ),
        catalog_dir / "issuers" / "netco.yml": ("name: NetCo\n",),
    }
    for path, lines in replacements.items():
        text = path.read_text()
        for line in lines:
            key, value = line.rstrip("\n").split(": ", 1)
            assert line in text
            text = text.replace(line, f"{key}: {json.dumps(HOSTILE[value])}\n")
        path.write_text(text)


def build_data(root: Path, *, hostile: bool) -> Path:
    catalog_dir = write_catalog(root)
    if hostile:
        make_hostile(catalog_dir)
    write_outcomes(catalog_dir, hostile_outcomes() if hostile else None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build(catalog_dir, root / "public")
    return root / "public" / "data"


@pytest.fixture(scope="module")
def ordinary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data(tmp_path_factory.mktemp("ordinary"), hostile=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data(tmp_path_factory.mktemp("hostile"), hostile=True)


def csv_files(data: Path) -> list[Path]:
    return sorted(data.rglob("*.csv"))


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, strict=True))


# --- the published files ------------------------------------------------------------------------


def test_every_csv_download_is_checked(hostile: Path) -> None:
    names = {path.relative_to(hostile).as_posix() for path in csv_files(hostile)}
    assert names == {
        "catalog.csv",
        "schools.csv",
        "attainment-2024.csv",
        "readiness-2024.csv",
        "reimbursement-2024.csv",
    }


def test_no_cell_of_any_csv_download_starts_a_formula(hostile: Path) -> None:
    for path in csv_files(hostile):
        assert path.read_bytes().endswith(b"\n"), path.name
        for row in cells(path):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (path.name, cell)


def test_hostile_text_is_quoted_and_every_other_cell_unchanged(ordinary: Path, hostile: Path) -> None:
    """Cell by cell against the build with ordinary names: only the replaced text differs."""
    assert [path.name for path in csv_files(hostile)] == [path.name for path in csv_files(ordinary)]
    seen: set[str] = set()
    for ordinary_path, hostile_path in zip(csv_files(ordinary), csv_files(hostile), strict=True):
        ordinary_rows, hostile_rows = cells(ordinary_path), cells(hostile_path)
        # same rows and columns: no carriage return split a row
        assert [len(row) for row in hostile_rows] == [len(row) for row in ordinary_rows], hostile_path.name
        for ordinary_row, hostile_row in zip(ordinary_rows, hostile_rows, strict=True):
            for before, after in zip(ordinary_row, hostile_row, strict=True):
                if before in HOSTILE:
                    seen.add(before)
                    assert after == expected_cell(HOSTILE[before]), (hostile_path.name, before, after)
                else:
                    assert after == before, hostile_path.name
    assert seen == set(HOSTILE)


def test_names_appear_with_a_single_quote_in_front(hostile: Path) -> None:
    (attainment,) = hostile.glob("attainment-*.csv")
    with attainment.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    school_names = {row["school_name"] for row in rows}
    assert {"'" + name for name in SCHOOL_NAMES.values()} <= school_names
    assert "Gum Tree Academy" in school_names
    assert {row["district_name"] for row in rows} == {"'@North", "South;=SUM(1+2)"}
    assert "'=Network Basics" in {row["credential_name"] for row in rows}


def test_numbers_and_coded_values_are_unchanged(hostile: Path) -> None:
    """The files hold counts, '<10', coded rates and dollars, as written (compared above, cell by cell)."""
    values = [cell for path in csv_files(hostile) for row in cells(path)[1:] for cell in row]
    assert "<10" in values and "suppressed" in values
    assert any(value.startswith((">=", "<=")) and value.endswith("%") for value in values)
    assert {"2024", "22", "40", "1000.00", "100"} <= set(values)


def test_datapackage_validates_the_quoted_files(hostile: Path) -> None:
    path = hostile / "datapackage.json"
    report = frictionless.Package(str(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    description = json.loads(path.read_text(encoding="utf-8"))["description"]
    assert "single quote" in description and "formula" in description


def test_data_page_says_why_a_cell_starts_with_a_quote(hostile: Path) -> None:
    tree = HTMLParser((hostile / "index.html").read_text(encoding="utf-8"))
    note = tree.css_first("main #spreadsheet-safe")
    assert note is not None
    text = " ".join(note.text().split())
    assert "single quote" in text and "formula" in text and "tab" in text and "carriage return" in text
    assert [code.text() for code in note.css("code")] == ["=", "+", "-", "@", "'"]


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("=", "'="),
        ("-", "'-"),
        ("-1e3", "'-1e3"),
        ("- 5", "'- 5"),
        # a plain number is read as a number, never as a formula
        ("-12", "-12"),
        ("-0.25", "-0.25"),
        # what the downloads hold: names, ids, counts, coded counts and rates, dollars
        ("Alder High School", "Alder High School"),
        ("net-basics", "net-basics"),
        ("22", "22"),
        ("<10", "<10"),
        (">=95%", ">=95%"),
        ("<=5%", "<=5%"),
        ("1000.00", "1000.00"),
        ("suppressed", "suppressed"),
        ("", ""),
        ("'=already quoted", "'=already quoted"),
        (" =leading space", " =leading space"),
        ("a=b", "a=b"),
    ],
)
def test_spreadsheet_safe_examples(value: str, expected: str) -> None:
    assert spreadsheet_safe(value) == expected


@given(st.text())
def test_output_never_starts_a_formula_unless_it_is_a_plain_number(value: str) -> None:
    safe = spreadsheet_safe(value)
    assert safe in (value, "'" + value)  # nothing is lost: at most a quote in front
    if safe.startswith(FORMULA_STARTS):
        assert safe == value and NEGATIVE_NUMBER.fullmatch(value)


@given(st.sampled_from(FORMULA_STARTS), st.text())
def test_formula_text_always_gets_the_quote(start: str, rest: str) -> None:
    value = start + rest
    if not NEGATIVE_NUMBER.fullmatch(value):
        assert spreadsheet_safe(value) == "'" + value


@given(st.text().filter(lambda value: not value.startswith(FORMULA_STARTS)))
def test_safe_text_is_returned_unchanged(value: str) -> None:
    assert spreadsheet_safe(value) == value


@given(st.integers(max_value=-1), st.integers(min_value=0, max_value=99))
def test_negative_numbers_are_unchanged(whole: int, cents: int) -> None:
    for number in (str(whole), f"{whole}.{cents:02d}"):
        assert spreadsheet_safe(number) == number


# --- the writer ----------------------------------------------------------------------------------

rows_of_text = st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5)


@given(rows_of_text)
def test_csv_text_reads_back_as_the_safe_cells(rows: list[list[str]]) -> None:
    """Every cell survives the round trip (a carriage return inside a cell too), quote in front."""
    text = csv_text(["a", "b"], rows)
    assert text.endswith("\n")
    read = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert read == [["a", "b"], *([spreadsheet_safe(cell) for cell in row] for row in rows)]


@given(rows_of_text)
def test_csv_text_is_byte_identical_for_ordinary_cells(rows: list[list[str]]) -> None:
    rows = [
        row
        for row in rows
        if not any(cell.startswith(FORMULA_STARTS) or any(c in cell for c in "\r;\t") for cell in row)
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["year", "name"])
    writer.writerows(rows)
    assert csv_text(["year", "name"], rows) == buffer.getvalue()


@pytest.mark.parametrize("cell", ["CompTIA A+;=cmd|' /C calc'!A0", "x\t=1+2\tShows a thing.", "a;b"])
def test_a_cell_a_spreadsheet_could_split_is_quoted(cell: str) -> None:
    """Excel splits unquoted cells at ';' where it is the list separator, an import may split at
    tabs: such a cell is quoted, so the part after the separator never starts a cell."""
    text = csv_text(["name"], [[cell]])
    assert text == 'name\n"' + cell + '"\n'
    assert next(csv.reader(io.StringIO(text.splitlines()[1]), delimiter=";")) == [cell]
