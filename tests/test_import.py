"""``credsite import`` and ``credsite export`` (SPEC 8): messy lists in, catalog files out,
every problem named by row and column, idempotent, and export read back by import."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from catalog_factory import tree
from openpyxl import Workbook

from site_builder import build as pipeline
from site_builder.adopt.importer import import_list
from site_builder.cli import main
from site_builder.errors import CatalogInvalid
from site_builder.paths import SAMPLE_CATALOG

TODAY = dt.date(2025, 9, 1)

SITE = """title: Test list
description: A state list imported in a test.
base_url: https://credentials.example.gov
points_target: 12
min_cell: 10
living_wage_usd: 41600
current_year: 2025
"""
CAREER_FIELDS = """- id: information-technology
  name: Information Technology
  description: Computers and networks.
- id: health-science
  name: Health Science
  description: Caring for patients.
- id: agriculture-environmental-systems
  name: Agricultural and Environmental Systems
  description: Farms and the land.
"""

MAP = """header_row: 4
sheet: IRC List
columns:
  state_code: IRC Code
  name: Credential Name
  issuer: Issuing Entity
  issuer_url: Issuer Website
  career_fields: Career Field
  points: Point Value
  status: Status
  approved: Effective Date
  sunset: Sunset Date
values:
  status: {Active: approved, Sunset Pending: sunsetting, Removed: retired}
  career_fields: {"Agriculture/Environmental Systems": agriculture-environmental-systems}
defaults: {type: certification}
"""

HEADER = [
    "IRC Code",
    "Credential Name ",
    "Issuing Entity",
    "Issuer Website",
    "Career Field",
    "Point Value",
    "Status",
    "Effective Date",
    "Sunset Date",
]

# a state's messy list: every normalisation appears at least once
ROWS: list[list | None] = [
    ["IT-1", "CompTIA A+ ", "CompTIA", None, "Information Technology", "12 pts", "ACTIVE", 43282, None],
    [
        "IT-2",
        " CompTIA Network+",
        "comptia",
        None,
        None,
        9,
        "active",
        "7/1/2019",
        None,
    ],  # field merged from above
    None,  # a blank row
    [
        "HS-1",
        "BLS Provider",
        "American Heart Association",
        "https://www.heart.org",
        "health science",
        "1",
        "Sunset Pending",
        "2018-07-01",
        "6/30/2026",
    ],
    [
        "HS-2",
        "State Tested Nurse Aide",
        "State Board of Nursing",
        None,
        "HEALTH  SCIENCE;Information Technology",
        "12.0",
        "Active",
        dt.date(2018, 7, 1),
        None,
    ],
    [
        "AG-1",
        "Beef Quality Assurance",
        "Beef Council",
        None,
        "Agriculture/Environmental Systems",
        "1 point",
        "Active",
        "July 1, 2020",
        None,
    ],
    [
        "AG-2",
        "Pesticide Applicator",
        "Dept. of Agriculture",
        None,
        "agricultural and environmental systems",
        3,
        "Removed",
        "7/1/2018",
        45107,
    ],
]


def write_xlsx(path: Path, rows: list[list | None], merge: str | None = "E5:E6") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IRC List"
    sheet.append(["State Department of Education"])
    sheet.append(["Industry-Recognized Credentials, 2025-2026"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row or [])
    if merge:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def make_catalog(root: Path) -> Path:
    catalog = root / "catalog"
    for folder in ("credentials", "issuers", "pathways"):
        (catalog / folder).mkdir(parents=True)
    (catalog / "site.yml").write_text(SITE)
    (catalog / "career-fields.yml").write_text(CAREER_FIELDS)
    (catalog / "occupations.csv").write_text("soc,title,median_wage_usd,wage_year,in_demand,source\n")
    (catalog / "issuers/comptia.yml").write_text(
        "name: CompTIA\nurl: https://www.comptia.org\nkind: industry-association\n"
    )
    return catalog


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalog folder and MAP.yml in tmp_path, the working folder (messages name files from it)."""
    monkeypatch.chdir(tmp_path)
    make_catalog(tmp_path)
    (tmp_path / "MAP.yml").write_text(MAP)
    return tmp_path


def run_import(place: Path, list_path: Path, **options: object) -> object:
    return import_list(list_path, place / "MAP.yml", place / "catalog", today=TODAY, **options)


def test_a_messy_list_is_imported_validates_and_builds(place: Path) -> None:
    result = run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    assert result.errors == []
    catalog = place / "catalog"
    assert sorted(result.created) == [
        "beef-quality-assurance",
        "bls-provider",
        "comptia-a-plus",
        "comptia-network-plus",
        "pesticide-applicator",
        "state-tested-nurse-aide",
    ]
    assert sorted(result.issuers) == [
        "american-heart-association",
        "beef-council",
        "dept-of-agriculture",
        "state-board-of-nursing",
    ]
    # a new file gets a CTID of its own (SPEC 9), right after its id
    ctids = [
        re.search(r"^ctid: (ce-[0-9a-f-]{36})$", path.read_text(), re.M)
        for path in (catalog / "credentials").glob("*.md")
    ]
    assert all(ctids) and len({found.group(1) for found in ctids}) == 6
    ctid = re.search(r"^ctid: (.*)$", (catalog / "credentials/comptia-a-plus.md").read_text(), re.M).group(1)
    assert (catalog / "credentials/comptia-a-plus.md").read_text() == (
        f"---\nid: comptia-a-plus\nctid: {ctid}\nname: CompTIA A+\nissuer: comptia\ntype: certification\n"
        "career_fields: [information-technology]\npoints: 12\nstatus: approved\napproved: 2018-07-01\n"
        "state_code: IT-1\n---\n"
    )
    network = (catalog / "credentials/comptia-network-plus.md").read_text()
    assert "career_fields: [information-technology]\n" in network  # the merged cell
    assert "approved: 2019-07-01\n" in network and "points: 9\n" in network
    nurse = (catalog / "credentials/state-tested-nurse-aide.md").read_text()
    assert "career_fields: [health-science, information-technology]\n" in nurse
    bls = (catalog / "credentials/bls-provider.md").read_text()
    assert "status: sunsetting\n" in bls and "sunset: 2026-06-30\n" in bls
    pesticide = (catalog / "credentials/pesticide-applicator.md").read_text()
    assert "status: retired\n" in pesticide and "sunset: 2023-06-30\n" in pesticide  # a serial date
    assert "career_fields: [agriculture-environmental-systems]" in pesticide  # via its career-fields.yml name
    assert (catalog / "issuers/american-heart-association.yml").read_text() == (
        "name: American Heart Association\nurl: https://www.heart.org\n"
    )
    # the catalog's own validation, then the site: every credential with code, points and fields
    pipeline.validate(catalog)
    out = place / "public"
    pipeline.build(catalog, out)
    page = (out / "credentials/state-tested-nurse-aide/index.html").read_text()
    assert (
        "HS-2" in page
        and "12 points" in page
        and "Health Science" in page
        and "Information Technology" in page
    )
    for credential_id in result.created:
        assert (out / f"credentials/{credential_id}/index.html").is_file()


def test_reimporting_the_same_list_changes_no_file(place: Path) -> None:
    list_path = write_xlsx(place / "list.xlsx", ROWS)
    run_import(place, list_path)
    before = tree(place / "catalog")
    result = run_import(place, list_path)
    assert tree(place / "catalog") == before
    assert result.created == result.updated == result.retired == result.issuers == []
    assert len(result.unchanged) == 6


def test_a_newer_list_changes_only_what_changed_and_keeps_contributors_facts(place: Path) -> None:
    run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    catalog = place / "catalog"
    documented = catalog / "credentials/comptia-a-plus.md"
    text = documented.read_text().replace(
        "type: certification\n", "type: certification  # checked 2025\nsummary: Fixes computers.\n"
    )
    documented.write_text(text + "A contributor's description.\n")
    before = tree(catalog)
    newer = [list(row) if row else None for row in ROWS]
    newer[0][5] = "9"  # A+ now worth 9 points
    newer[0][1] = "CompTIA A+ (Core 1 and 2)"  # renamed: found by its state code, keeps its id
    del newer[3]  # BLS Provider gone from the list
    newer.append(
        [
            "IT-3",
            "CompTIA Security+",
            "CompTIA",
            None,
            "Information Technology",
            12,
            "Active",
            "7/1/2025",
            None,
        ]
    )
    result = run_import(place, write_xlsx(place / "newer.xlsx", newer, merge="E5:E6"))
    assert result.errors == []
    after = tree(catalog)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == [
        "credentials/bls-provider.md",
        "credentials/comptia-a-plus.md",
        "credentials/comptia-security-plus.md",
    ]
    assert (
        after["credentials/comptia-a-plus.md"].decode()
        == text.replace("points: 12", "points: 9").replace(
            "name: CompTIA A+\n", "name: CompTIA A+ (Core 1 and 2)\n"
        )
        + "A contributor's description.\n"
    )
    # gone from the list: retired, never deleted; its scheduled sunset is later than today
    bls = after["credentials/bls-provider.md"].decode()
    assert "status: retired\n" in bls and f"sunset: {TODAY.isoformat()}\n" in bls
    assert result.retired == ["bls-provider"]


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(place: Path) -> None:
    bad = [list(row) if row else None for row in ROWS]
    bad[0][5] = "6.5"  # row 5, column 6
    bad[1][6] = "Pending"  # row 6, column 7
    bad[3][7] = "25/12/2024"  # row 8, column 8
    bad[4][4] = "Nursing"  # row 9, column 5
    bad[5][1] = None  # row 10: no name
    bad[6][8] = None  # row 11: retired without a sunset date
    list_path = write_xlsx(place / "bad.xlsx", bad)
    before = tree(place / "catalog")
    result = run_import(place, list_path)
    assert tree(place / "catalog") == before
    assert [str(error) for error in result.errors] == [
        "bad.xlsx:IRC List:5:6: points ('Point Value'): must be a whole number like 6 or '6 pts' (got '6.5')",
        "bad.xlsx:IRC List:6:7: status ('Status'): 'Pending' is not one of approved, sunsetting, retired; "
        "say which it is under values: status: in MAP.yml",
        "bad.xlsx:IRC List:8:8: approved ('Effective Date'): '25/12/2024' reads as day/month/year, but dates "
        "here are month/day/year; write it as YYYY-MM-DD",
        "bad.xlsx:IRC List:9:5: career_fields ('Career Field'): 'Nursing' is not a career field of "
        "career-fields.yml; map it under values: career_fields: in MAP.yml",
        "bad.xlsx:IRC List:10:2: name ('Credential Name'): is blank; every credential needs it",
        "bad.xlsx:IRC List:11:9: sunset: a retired credential needs a sunset date",
    ]


def test_partial_imports_the_other_rows_and_retires_nothing_a_failed_row_names(place: Path) -> None:
    run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    bad = [list(row) if row else None for row in ROWS]
    bad[3][5] = "lots"  # BLS Provider's row fails: it must not be retired
    bad[0][5] = 6
    result = run_import(place, write_xlsx(place / "bad.xlsx", bad), partial=True)
    assert len(result.errors) == 1 and result.written
    assert result.updated == ["comptia-a-plus"] and result.retired == []
    assert "status: sunsetting" in (place / "catalog/credentials/bls-provider.md").read_text()


def test_the_same_name_twice_gets_the_state_code_appended(place: Path) -> None:
    rows = [
        [
            "AG-7",
            "Pesticide Applicator",
            "Dept. of Agriculture",
            None,
            "Information Technology",
            3,
            "Active",
            "7/1/2018",
            None,
        ],
        [
            "AG-8",
            "Pesticide Applicator",
            "Dept. of Agriculture",
            None,
            "Information Technology",
            3,
            "Active",
            "7/1/2018",
            None,
        ],
    ]
    result = run_import(place, write_xlsx(place / "list.xlsx", rows, merge=None))
    assert sorted(result.created) == ["pesticide-applicator-ag-7", "pesticide-applicator-ag-8"]
    again = run_import(place, write_xlsx(place / "list.xlsx", rows[::-1], merge=None))
    assert again.created == [] and again.updated == []


def test_the_same_credential_twice_is_an_error(place: Path) -> None:
    rows = [ROWS[0], list(ROWS[0])]
    result = run_import(place, write_xlsx(place / "list.xlsx", rows, merge=None))
    assert [str(error) for error in result.errors] == [
        "list.xlsx:IRC List:6: state code 'IT-1' is also the code of row 5"
    ]


def test_a_header_row_below_the_title_block_is_pointed_out(place: Path) -> None:
    (place / "MAP.yml").write_text(MAP.replace("header_row: 4\n", ""))
    with pytest.raises(CatalogInvalid) as invalid:
        run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    (error,) = invalid.value.errors
    assert str(error).startswith("list.xlsx:IRC List:1: row 1 has no column 'IRC Code' (state_code), ")
    assert str(error).endswith("the column names are in row 4: set header_row: 4 in MAP.yml")


def test_map_errors_point_at_their_lines(place: Path) -> None:
    (place / "MAP.yml").write_text("columns:\n  name: Credential Name\n  pints: Point Value\n")
    with pytest.raises(CatalogInvalid) as invalid:
        run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    messages = [str(error) for error in invalid.value.errors]
    assert "MAP.yml:3: columns: 'pints' is not a credential field (did you mean 'points'?)" in messages
    assert (
        "MAP.yml:1: columns: 'issuer' is a list fact: name its column here, or give it under defaults"
        in messages
    )


def test_a_missing_sheet_is_named(place: Path) -> None:
    (place / "MAP.yml").write_text(MAP.replace("sheet: IRC List", "sheet: Credentials"))
    with pytest.raises(CatalogInvalid) as invalid:
        run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    assert [str(error) for error in invalid.value.errors] == [
        "list.xlsx:1: has no sheet 'Credentials'; its sheets are 'IRC List'"
    ]


def test_csv_in_windows_1252(place: Path) -> None:
    (place / "MAP.yml").write_text(
        MAP.replace("sheet: IRC List\n", "").replace("header_row: 4", "header_row: 1")
    )
    lines = [",".join(HEADER), 'NU-1,Soins Infirmiers Santé,CompTIA,,Health Science,"6 pts",Active,45474,']
    (place / "list.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    result = run_import(place, place / "list.csv")
    assert result.errors == [] and result.created == ["soins-infirmiers-sante"]
    text = (place / "catalog/credentials/soins-infirmiers-sante.md").read_text()
    assert "name: Soins Infirmiers Santé\n" in text and "approved: 2024-07-01\n" in text


def ods_file(path: Path) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (nothing here writes .ods): a
    title row, the header, and a career field merged over two rows."""

    def cell(value: str, extra: str = "") -> str:
        return (
            f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p></table:table-cell>'
        )

    def row(*cells: str) -> str:
        return "<table:table-row>" + "".join(cells) + "</table:table-row>"

    header = row(*(cell(name) for name in HEADER))
    first = row(
        cell("IT-1"),
        cell("CompTIA A+"),
        cell("CompTIA"),
        cell(""),
        cell("Information Technology", ' table:number-rows-spanned="2" table:number-columns-spanned="1"'),
        '<table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell>',
        cell("Active"),
        '<table:table-cell office:value-type="date" office:date-value="2018-07-01"><text:p>07/01/18</text:p></table:table-cell>',
    )
    second = row(
        cell("IT-2"),
        cell("CompTIA Network+"),
        cell("CompTIA"),
        cell(""),
        "<table:covered-table-cell/>",
        cell("9 pts"),
        cell("Active"),
        cell("7/1/2019"),
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="IRC List">'
        + row(cell("State list"))
        + '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        + header
        + first
        + second
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def test_ods_with_merged_cells(place: Path) -> None:
    result = run_import(place, ods_file(place / "list.ods"))
    assert result.errors == [] and sorted(result.created) == ["comptia-a-plus", "comptia-network-plus"]
    network = (place / "catalog/credentials/comptia-network-plus.md").read_text()
    assert "career_fields: [information-technology]\n" in network and "points: 9\n" in network


def test_cli_import_prints_errors_and_exits_1(
    place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(place)
    bad = [list(row) if row else None for row in ROWS]
    bad[0][5] = "many"
    write_xlsx(place / "bad.xlsx", bad)
    assert main(["import", "bad.xlsx", "--map", "MAP.yml"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("bad.xlsx:IRC List:5:6: points")
    assert err[-1] == "1 error; nothing was written (fix the rows, or give --partial to import the others)"
    assert main(["import", "bad.xlsx", "--map", "MAP.yml", "--partial"]) == 1
    assert "5 credentials created" in capsys.readouterr().err
    write_xlsx(place / "list.xlsx", ROWS)
    assert main(["import", "list.xlsx", "--map", "MAP.yml"]) == 0


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_round_trips_through_import(
    tmp_path: Path, file_format: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE_CATALOG, tmp_path / "catalog", ignore=shutil.ignore_patterns("outcomes"))
    before = tree(tmp_path / "catalog")
    assert main(["export", "--format", file_format, "--out", f"list.{file_format}"]) == 0
    assert main(["export", "--map"]) == 0
    (tmp_path / "MAP.yml").write_text(capsys.readouterr().out)
    assert main(["import", f"list.{file_format}", "--map", "MAP.yml"]) == 0
    assert tree(tmp_path / "catalog") == before
    assert "0 updated, 0 retired" in capsys.readouterr().err


def test_a_list_without_rows_retires_nothing(place: Path) -> None:
    run_import(place, write_xlsx(place / "list.xlsx", ROWS))
    with pytest.raises(CatalogInvalid) as invalid:
        run_import(place, write_xlsx(place / "empty.xlsx", [], merge=None))
    assert [str(error) for error in invalid.value.errors] == [
        "empty.xlsx:IRC List:4: no credential rows below the column names in row 4"
    ]


def test_a_row_no_credential_can_be_matched_to_holds_back_retiring_only_when_there_is_any(
    place: Path,
) -> None:
    """A failed row without name or state code could be any credential, so nothing is
    retired, and the import says so; on a first import there is nothing to retire and
    nothing to say."""
    bad = [list(row) if row else None for row in ROWS]
    bad[5][0] = bad[5][1] = None  # row 10: neither state code nor name
    bad_list = write_xlsx(place / "bad.xlsx", bad)
    first = run_import(place, bad_list, partial=True)
    assert first.errors and first.written and first.notes == []
    assert not run_import(place, write_xlsx(place / "list.xlsx", ROWS)).errors
    result = run_import(place, bad_list, partial=True)
    assert result.notes == [
        "no credential was retired: a row with errors could not be matched to a credential"
    ]
    assert result.retired == []
