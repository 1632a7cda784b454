"""Each class of catalog error: one small broken catalog, the exact error line, nothing else.

The catalog is the small hand-written one from catalog_factory; each test breaks one
thing and asserts the complete list of errors, so an unrelated or duplicated error fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.errors import CatalogInvalid
from site_builder.inputs import LINK_MESSAGE


def errors_of(catalog: Path) -> list[str]:
    """Every error ``load_catalog`` reports, as the one-line strings users see."""
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(catalog)
    return [str(error) for error in raised.value.errors]


def line_of(path: Path, startswith: str) -> int:
    """1-based number of the first line of ``path`` that starts with ``startswith``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(startswith):
            return number
    raise AssertionError(f"{startswith!r} not in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


CRED = "catalog/credentials"


def test_the_small_catalog_is_valid(small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    assert sorted(catalog.credentials) == ["club-coder", "net-basics", "net-pro", "nurse-aide"]
    assert list(catalog.career_fields) == ["health", "it"]
    assert catalog.credentials["net-pro"].exam_fee_usd == 100


# --- one file's own content --------------------------------------------------------


def test_unknown_key_is_named_with_a_suggestion(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "valid_years: 2\n", "valid_years: 2\nvalid_year: 3\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'valid_year:')}: unknown key 'valid_year' (did you mean 'valid_years'?)"
    ]


def test_missing_required_key(small_catalog: Path) -> None:
    # only the list facts are required (SPEC 8); a missing fact such as assessment is not an error
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "assessment: One written exam\n", "")
    edit(path, "points: 9\n", "")
    assert errors_of(small_catalog) == [f"{CRED}/net-pro.md:2: missing required key 'points'"]


def test_retired_credential_without_a_sunset_key(small_catalog: Path) -> None:
    path = small_catalog / "credentials/club-coder.md"
    edit(path, "sunset: 2024-06-30\n", "")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'status:')}: status is retired, so 'sunset' must be a date (YYYY-MM-DD)"
    ]


def test_a_fact_given_as_null_is_still_refused_where_null_means_nothing(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "assessment: One written exam", "assessment: null")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'assessment:')}: assessment: must not be null: leave the key out while it is not yet documented"
    ]


def test_wrong_type(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "points: 9", "points: nine")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'points:')}: points: input should be a valid integer (got 'nine')"
    ]


def test_points_out_of_range(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "points: 9", "points: 13")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'points:')}: points: input should be less than or equal to 12 (got 13)"
    ]


def test_unknown_enum_value(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "portability: national", "portability: galactic")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'portability:')}: portability: input should be "
        "'national', 'multi-state', 'state' or 'regional' (got 'galactic')"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2020-13-01", "approved: is not a real date (month must be in 1..12)"),
        ("2020-02-30", "approved: is not a real date (day is out of range for month)"),
        ("July 1, 2020", "approved: must be a date written as YYYY-MM-DD"),
        ("20200701", "approved: must be a date written as YYYY-MM-DD"),
    ],
)
def test_bad_dates(small_catalog: Path, written: str, message: str) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "approved: 2020-07-01", f"approved: {written}")
    assert errors_of(small_catalog) == [f"{CRED}/net-pro.md:{line_of(path, 'approved:')}: {message}"]


def test_bad_item_in_a_list_points_at_the_item(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, 'occupations: ["15-1231"]', 'occupations:\n  - "15-1231"\n  - "151231"')
    line = line_of(path, '  - "151231"')
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line}: occupations.1: must be a SOC code like '15-1232' (got '151231')"
    ]


def test_repeated_key(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "prerequisites: None\n", "prerequisites: None\npoints: 4\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'prerequisites:') + 1}: key 'points' appears twice "
        f"(first at line {line_of(path, 'points:')})"
    ]


# --- files that cannot be read -------------------------------------------------------


def test_file_that_is_not_utf8(small_catalog: Path) -> None:
    (small_catalog / "credentials/net-pro.md").write_bytes(
        "---\nid: net-pro\nname: Caf\xe9\n".encode("latin-1")
    )
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:3:10: file is not UTF-8 text (byte 0xe9); save it as UTF-8"
    ]


def test_empty_file(small_catalog: Path) -> None:
    (small_catalog / "issuers/netco.yml").write_text("\n  \n")
    assert errors_of(small_catalog) == ["catalog/issuers/netco.yml:1: file is empty"]


def test_file_that_is_not_yaml(small_catalog: Path) -> None:
    (small_catalog / "issuers/netco.yml").write_text(
        "name: NetCo\nurl: [https://netco.example\nkind: vendor\n"
    )
    assert errors_of(small_catalog) == [
        "catalog/issuers/netco.yml:3:5: invalid YAML: expected ',' or ']', but got ':'"
    ]


def test_yaml_that_is_not_a_mapping(small_catalog: Path) -> None:
    (small_catalog / "issuers/netco.yml").write_text("- just\n- a list\n")
    assert errors_of(small_catalog) == [
        "catalog/issuers/netco.yml:1: the file must be a mapping of keys to values"
    ]


def test_credential_without_front_matter(small_catalog: Path) -> None:
    (small_catalog / "credentials/net-pro.md").write_text("# Network Professional\n\nJust Markdown.\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:1: missing front matter: the file must start with a line '---'"
    ]


def test_front_matter_that_is_never_closed(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    path.write_text(path.read_text().replace("---\nA short", "A short"))
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:1: front matter is not closed: add a line '---' after it"
    ]


def test_file_with_the_wrong_extension(small_catalog: Path) -> None:
    (small_catalog / "credentials/notes.txt").write_text("to do\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/notes.txt:1: not a credential file: credential files end in '.md'"
    ]


# --- ids -------------------------------------------------------------------------------


def test_id_must_equal_the_file_name(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "id: net-pro", "id: network-pro")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:2: id 'network-pro' must equal the file name 'net-pro'",
    ]


def test_duplicate_ids(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "id: net-pro", "id: net-basics")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:2: duplicate id 'net-basics' (also in {CRED}/net-basics.md)",
        f"{CRED}/net-pro.md:2: id 'net-basics' must equal the file name 'net-pro'",
    ]


def test_id_that_is_not_a_slug(small_catalog: Path) -> None:
    (small_catalog / "issuers/netco.yml").rename(small_catalog / "issuers/NetCo.yml")
    # the credentials that name issuer 'netco' now point at nothing, and say so
    assert errors_of(small_catalog) == [
        f"{CRED}/net-basics.md:4: issuer 'netco' is not in catalog/issuers/ (did you mean 'NetCo'?)",
        f"{CRED}/net-pro.md:4: issuer 'netco' is not in catalog/issuers/ (did you mean 'NetCo'?)",
        "catalog/issuers/NetCo.yml:1: file name 'NetCo.yml' must be a lowercase id like 'comptia-a-plus' plus '.yml'",
    ]


def test_duplicate_career_field_ids(small_catalog: Path) -> None:
    path = small_catalog / "career-fields.yml"
    path.write_text(path.read_text() + "- id: it\n  name: IT again\n  description: Twice.\n")
    assert errors_of(small_catalog) == ["catalog/career-fields.yml:7: duplicate id 'it' (first at line 4)"]


# --- references ---------------------------------------------------------------------------


def test_unknown_issuer(small_catalog: Path) -> None:
    edit(small_catalog / "credentials/net-pro.md", "issuer: netco", "issuer: netcorp")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:4: issuer 'netcorp' is not in catalog/issuers/ (did you mean 'netco'?)"
    ]


def test_unknown_career_field(small_catalog: Path) -> None:
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "career_fields: [health, it]", "career_fields:\n  - health\n  - nursing")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, '  - nursing')}: career field 'nursing' is not in catalog/career-fields.yml"
    ]


def test_unknown_soc_code(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, 'occupations: ["15-1231"]', 'occupations: ["15-1299"]')
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'occupations:')}: occupation '15-1299' is not in catalog/occupations.csv"
    ]


def test_unknown_stacks_to(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-basics.md"
    edit(path, "stacks_to: [net-pro]", "stacks_to: [net-pros]")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-basics.md:{line_of(path, 'stacks_to:')}: stacks_to: no credential 'net-pros' "
        "in catalog/credentials/ (did you mean 'net-pro'?)"
    ]


def test_unknown_pathway_step_and_field(small_catalog: Path) -> None:
    path = small_catalog / "pathways/networking.yml"
    edit(path, "career_field: it", "career_field: itt")
    edit(path, "[net-pro, club-coder]", "[net-pro, club-coders]")
    assert errors_of(small_catalog) == [
        "catalog/pathways/networking.yml:2: career field 'itt' is not in catalog/career-fields.yml (did you mean 'it'?)",
        "catalog/pathways/networking.yml:6: step 2: no credential 'club-coders' in catalog/credentials/ "
        "(did you mean 'club-coder'?)",
    ]


def test_reference_to_a_broken_file_is_not_reported_twice(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "points: 9", "points: 0")
    # the pathway and net-basics still name net-pro: only the points error is reported
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'points:')}: points: input should be greater than or equal to 1 (got 0)"
    ]


def test_stacks_to_cycle_is_named(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "stacks_to: []", "stacks_to: [club-coder]")
    edit(small_catalog / "credentials/club-coder.md", "stacks_to: []", "stacks_to: [net-basics]")
    basics = small_catalog / "credentials/net-basics.md"
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(basics, 'stacks_to:')}: stacks_to cycle: "
        "club-coder -> net-basics -> net-pro -> club-coder"
    ]


def test_credential_that_stacks_to_itself(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "stacks_to: []", "stacks_to: [net-pro]")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'stacks_to:')}: stacks_to cycle: net-pro -> net-pro"
    ]


# --- sunset rules -------------------------------------------------------------------------


def test_retired_credential_needs_a_sunset_date(small_catalog: Path) -> None:
    path = small_catalog / "credentials/club-coder.md"
    edit(path, "sunset: 2024-06-30", "sunset: null")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'status:')}: status is retired, so 'sunset' must be a date (YYYY-MM-DD)"
    ]


def test_sunsetting_credential_needs_a_sunset_date(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "status: approved", "status: sunsetting")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'status:')}: status is sunsetting, so 'sunset' must be a date (YYYY-MM-DD)"
    ]


def test_sunset_before_approval(small_catalog: Path) -> None:
    path = small_catalog / "credentials/club-coder.md"
    edit(path, "sunset: 2024-06-30", "sunset: 2019-06-30")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'sunset:')}: sunset 2019-06-30 is before approved 2020-07-01"
    ]


# --- the other catalog files -----------------------------------------------------------------


def test_occupations_csv_errors_have_row_and_column(small_catalog: Path) -> None:
    path = small_catalog / "occupations.csv"
    path.write_text(
        "soc,title,median_wage_usd,wage_year,in_demand,source\n"
        "15-1231,Computer Network Support Specialists,lots,2024,true,test\n"
        "15-1232,Computer User Support Specialists,52000,2024,maybe,test\n"
        "31-1131,Nursing Assistants,31000,2024,true,test\n"
        "15-1232,Again,1,2024,true,test\n"
    )
    assert errors_of(small_catalog) == [
        "catalog/occupations.csv:2:3: median_wage_usd: must be a number (got 'lots')",
        "catalog/occupations.csv:3:5: in_demand: must be true or false (got 'maybe')",
        "catalog/occupations.csv:5: soc appears twice (first at line 3)",
    ]


def test_occupations_csv_with_a_wrong_header(small_catalog: Path) -> None:
    path = small_catalog / "occupations.csv"
    path.write_text("soc,title,wage\n15-1231,Computer Network Support Specialists,1\n")
    # the same header check, and the same messages, as the outcome CSVs
    assert errors_of(small_catalog) == [
        'catalog/occupations.csv:1:3: column "wage" should be "median_wage_usd"',
        'catalog/occupations.csv:1:4: missing column "in_demand"',
        'catalog/occupations.csv:1:4: missing column "source"',
        'catalog/occupations.csv:1:4: missing column "wage_year"',
    ]


def test_site_settings_are_validated(small_catalog: Path) -> None:
    path = small_catalog / "site.yml"
    edit(path, "min_cell: 10", "min_cell: ten")
    edit(path, "current_year: 2025", "current_year: 2025\ntheme: dark")
    assert errors_of(small_catalog) == [
        f"catalog/site.yml:{line_of(path, 'min_cell:')}: min_cell: input should be a valid integer (got 'ten')",
        f"catalog/site.yml:{line_of(path, 'theme:')}: unknown key 'theme'",
    ]


def test_issuer_with_an_unknown_kind(small_catalog: Path) -> None:
    edit(small_catalog / "issuers/netco.yml", "kind: vendor", "kind: company")
    assert errors_of(small_catalog) == [
        "catalog/issuers/netco.yml:3: kind: input should be 'industry-association', 'vendor', "
        "'government-licensing', 'postsecondary' or 'other' (got 'company')"
    ]


def test_missing_files_are_reported(small_catalog: Path) -> None:
    # occupations.csv is optional (SPEC 8), but the SOC codes credentials name must be in it
    (small_catalog / "site.yml").unlink()
    (small_catalog / "occupations.csv").unlink()
    errors = errors_of(small_catalog)
    assert errors == [
        f"{CRED}/net-basics.md:{line_of(small_catalog / 'credentials/net-basics.md', 'occupations:')}: "
        "occupation '15-1232' is not in catalog/occupations.csv",
        f"{CRED}/net-pro.md:{line_of(small_catalog / 'credentials/net-pro.md', 'occupations:')}: "
        "occupation '15-1231' is not in catalog/occupations.csv",
        f"{CRED}/nurse-aide.md:{line_of(small_catalog / 'credentials/nurse-aide.md', 'occupations:')}: "
        "occupation '31-1131' is not in catalog/occupations.csv",
        "catalog/site.yml:1: site settings file is missing",
    ]


def test_occupations_and_pathways_are_optional(small_catalog: Path) -> None:
    import shutil

    (small_catalog / "occupations.csv").unlink()
    shutil.rmtree(small_catalog / "pathways")
    for path in (small_catalog / "credentials").glob("*.md"):
        text = "".join(
            line for line in path.read_text().splitlines(True) if not line.startswith("occupations:")
        )
        path.write_text(text)
    catalog = load_catalog(small_catalog)
    assert catalog.pathways == {} and catalog.occupations == {}
    assert catalog.credentials["net-pro"].missing_facts() == ("occupations",)


def test_many_errors_are_reported_at_once(small_catalog: Path) -> None:
    edit(small_catalog / "credentials/net-pro.md", "points: 9", "points: 13")
    edit(small_catalog / "credentials/nurse-aide.md", "type: license", "type: licence")
    edit(small_catalog / "issuers/netco.yml", "kind: vendor", "kind: shop")
    errors = errors_of(small_catalog)
    assert [error.split(":")[0] for error in errors] == [
        "catalog/credentials/net-pro.md",
        "catalog/credentials/nurse-aide.md",
        "catalog/issuers/netco.yml",
    ]


# --- YAML that means something other than what it shows ---------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # an alias inside its own anchor: a value that contains itself
        ("name: NetCo\nurl: https://netco.example\nkind: vendor\nextra: &r [*r]\n", 4, 8),
        # an alias of an earlier anchor
        ("name: &n NetCo\nurl: https://netco.example\nkind: vendor\n", 1, 7),
        # an alias whose anchor is missing is refused the same way, not as a YAML error
        ("name: NetCo\nurl: https://netco.example\nkind: *vendor\n", 3, 7),
    ],
)
def test_yaml_anchors_and_aliases_are_refused(small_catalog: Path, text: str, line: int, column: int) -> None:
    (small_catalog / "issuers/netco.yml").write_text(text)
    assert errors_of(small_catalog) == [
        f"catalog/issuers/netco.yml:{line}:{column}: YAML anchors and aliases are not allowed; write the value out"
    ]


def test_yaml_alias_in_front_matter_is_refused_at_its_line(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "certifies:\n  - Doing the job safely\n", "certifies: &r [*r]\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'certifies:')}:12: YAML anchors and aliases are not allowed; "
        "write the value out"
    ]


def test_yaml_alias_bomb_is_refused_before_it_expands(small_catalog: Path) -> None:
    # 40 levels of doubling: 2**40 items if expanded; refused at the first anchor instead.
    levels = ["a0: &a0 [x, x]"] + [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]" for n in range(1, 40)]
    (small_catalog / "issuers/netco.yml").write_text("\n".join(levels) + "\n")
    assert errors_of(small_catalog) == [
        "catalog/issuers/netco.yml:1:5: YAML anchors and aliases are not allowed; write the value out"
    ]


@pytest.mark.parametrize(
    ("key", "written", "message"),
    [
        ("points", "012", "points: must be a plain number without leading zeros (got '012')"),
        ("points", "00", "points: must be a plain number without leading zeros (got '00')"),
        ("exam_fee_usd", "0045", "exam_fee_usd: must be a plain number without leading zeros (got '0045')"),
        # YAML 1.1 read these as 90 and as octal 15; under YAML 1.2 they are text
        ("points", "1:30", "points: input should be a valid integer (got '1:30')"),
        ("valid_years", "0o17", "valid_years: input should be a valid integer (got '0o17')"),
    ],
)
def test_numbers_are_read_as_written(small_catalog: Path, key: str, written: str, message: str) -> None:
    path = small_catalog / "credentials/net-pro.md"
    text = path.read_text()
    old = next(line for line in text.splitlines() if line.startswith(f"{key}:"))
    edit(path, old, f"{key}: {written}")
    assert errors_of(small_catalog) == [f"{CRED}/net-pro.md:{line_of(path, f'{key}:')}: {message}"]


def test_yaml_1_1_words_stay_text(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "renewal: Retake the exam", "renewal: No")
    edit(path, "prerequisites: None", "prerequisites: 1:30")
    edit(path, "assessment: One written exam", "assessment: on")
    credential = load_catalog(small_catalog).credentials["net-pro"]
    assert (credential.renewal, credential.prerequisites, credential.assessment) == ("No", "1:30", "on")


def test_integer_key_is_reported_at_its_own_line(small_catalog: Path) -> None:
    edit(small_catalog / "issuers/netco.yml", "kind: vendor\n", "kind: vendor\n1: one\n")
    assert errors_of(small_catalog) == ["catalog/issuers/netco.yml:4: unknown key '1'"]


# --- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("'253'", "exam_fee_usd: must be a number (got '253')"),
        ("253.999", "exam_fee_usd: must be whole cents (got 253.999)"),
        ("true", "exam_fee_usd: must be a number (got True)"),
        (".inf", "exam_fee_usd: must be a number (got inf)"),
        ("-5", "exam_fee_usd: input should be greater than or equal to 0 (got -5)"),
    ],
)
def test_bad_fees(small_catalog: Path, written: str, message: str) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "exam_fee_usd: 100", f"exam_fee_usd: {written}")
    assert errors_of(small_catalog) == [f"{CRED}/net-pro.md:{line_of(path, 'exam_fee_usd:')}: {message}"]


@pytest.mark.parametrize(("written", "value"), [("253.5", "253.5"), ("253.990", "253.99"), ("-0.0", "0.0")])
def test_fees_in_whole_cents_are_kept_exactly(small_catalog: Path, written: str, value: str) -> None:
    edit(small_catalog / "credentials/net-pro.md", "exam_fee_usd: 100", f"exam_fee_usd: {written}")
    fee = load_catalog(small_catalog).credentials["net-pro"].exam_fee_usd
    assert fee is not None
    # -0 is accepted as zero, never shown as "-0.00"
    assert (str(fee), fee.is_signed()) == (value, False)


# --- pathways that would count a credential twice ----------------------------------------------


def test_pathway_step_repeating_an_earlier_step(small_catalog: Path) -> None:
    path = small_catalog / "pathways/networking.yml"
    path.write_text(path.read_text() + "  - credentials:\n      - net-pro\n      - net-basics\n")
    assert errors_of(small_catalog) == [
        f"catalog/pathways/networking.yml:{line_of(path, '      - net-pro')}: "
        "step 3: 'net-pro' already appears in step 2",
        f"catalog/pathways/networking.yml:{line_of(path, '      - net-basics')}: "
        "step 3: 'net-basics' already appears in step 1",
    ]


def test_pathway_step_repeating_a_credential_within_the_step(small_catalog: Path) -> None:
    edit(small_catalog / "pathways/networking.yml", "[net-pro, club-coder]", "[net-pro, net-pro]")
    assert errors_of(small_catalog) == ["catalog/pathways/networking.yml:6: step 2: lists 'net-pro' twice"]


HEALTH_PATHWAY = """\
name: Caring for patients
career_field: health
summary: From nurse aide onward.
steps:
  - credentials: [nurse-aide]
  - credentials:
      - club-coder
      - net-pro
"""


def test_pathway_credential_outside_the_career_field(small_catalog: Path) -> None:
    path = small_catalog / "pathways/caring.yml"
    path.write_text(HEALTH_PATHWAY)
    assert errors_of(small_catalog) == [
        f"catalog/pathways/caring.yml:{line_of(path, '      - club-coder')}: "
        "step 2: 'club-coder' is not in career field 'health' (its fields: it)",
        f"catalog/pathways/caring.yml:{line_of(path, '      - net-pro')}: "
        "step 2: 'net-pro' is not in career field 'health' (its fields: it)",
    ]


def test_pathway_career_field_check_skips_credentials_that_did_not_load(small_catalog: Path) -> None:
    (small_catalog / "pathways/caring.yml").write_text(HEALTH_PATHWAY.replace("      - club-coder\n", ""))
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "points: 9", "points: 13")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'points:')}: points: input should be less than or equal to 12 (got 13)"
    ]


def test_pathway_step_that_is_not_a_mapping(small_catalog: Path) -> None:
    path = small_catalog / "pathways/networking.yml"
    edit(path, "  - credentials: [net-pro, club-coder]", "  - net-pro")
    assert errors_of(small_catalog) == [
        f"catalog/pathways/networking.yml:{line_of(path, '  - net-pro')}: "
        "steps.2: each step must be a mapping like '- credentials: [id, ...]'"
    ]


# --- every check runs on a file that has other errors -------------------------------------------


def test_sunset_rule_runs_alongside_other_errors(small_catalog: Path) -> None:
    path = small_catalog / "credentials/club-coder.md"
    edit(path, "sunset: 2024-06-30", "sunset: null")
    edit(path, "points: 1", "points: 13")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'points:')}: points: input should be less than or equal to 12 (got 13)",
        f"{CRED}/club-coder.md:{line_of(path, 'status:')}: status is retired, so 'sunset' must be a date (YYYY-MM-DD)",
    ]


def test_sunset_before_approval_alongside_other_errors(small_catalog: Path) -> None:
    path = small_catalog / "credentials/club-coder.md"
    edit(path, "sunset: 2024-06-30", "sunset: 2019-06-30")
    edit(path, "type: certificate", "type: diploma")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'type:')}: type: input should be 'certification', 'license', "
        "'certificate' or 'badge' (got 'diploma')",
        f"{CRED}/club-coder.md:{line_of(path, 'sunset:')}: sunset 2019-06-30 is before approved 2020-07-01",
    ]


def test_id_check_runs_alongside_other_errors(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "id: net-pro", "id: net-professional")
    edit(path, "points: 9", "points: 13")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:2: id 'net-professional' must equal the file name 'net-pro'",
        f"{CRED}/net-pro.md:{line_of(path, 'points:')}: points: input should be less than or equal to 12 (got 13)",
    ]


def test_pathway_references_run_alongside_other_errors(small_catalog: Path) -> None:
    path = small_catalog / "pathways/networking.yml"
    edit(path, "career_field: it", "career_field: itt")
    edit(path, "[net-pro, club-coder]", "[net-pro, club-coders]")
    edit(path, "summary:", "sumary:")
    assert errors_of(small_catalog) == [
        "catalog/pathways/networking.yml:1: missing required key 'summary'",
        "catalog/pathways/networking.yml:2: career field 'itt' is not in catalog/career-fields.yml (did you mean 'it'?)",
        "catalog/pathways/networking.yml:3: unknown key 'sumary' (did you mean 'summary'?)",
        "catalog/pathways/networking.yml:6: step 2: no credential 'club-coders' in catalog/credentials/ "
        "(did you mean 'club-coder'?)",
    ]


def test_repeated_soc_code_is_reported_beside_an_invalid_one(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, 'occupations: ["15-1231"]', 'occupations:\n  - "15-1231"\n  - "151231"\n  - "15-1231" ')
    lines = [
        number for number, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("  - ")
    ]
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{lines[-2]}: occupations.1: must be a SOC code like '15-1232' (got '151231')",
        f"{CRED}/net-pro.md:{lines[-1]}: occupations: lists '15-1231' twice",
    ]


def test_duplicate_career_field_names(small_catalog: Path) -> None:
    path = small_catalog / "career-fields.yml"
    path.write_text(path.read_text() + "- id: health-care\n  name: Health Science\n  description: Again.\n")
    assert errors_of(small_catalog) == [
        "catalog/career-fields.yml:8: duplicate name 'Health Science' (first at line 2)"
    ]


# --- things in catalog folders that are not files ------------------------------------------------


def test_folder_in_the_credentials_folder(small_catalog: Path) -> None:
    (small_catalog / "credentials/drafts.md").mkdir()
    assert errors_of(small_catalog) == [
        f"{CRED}/drafts.md:1: is a folder; credential files sit directly in catalog/credentials/"
    ]


def test_broken_link_in_the_credentials_folder(small_catalog: Path) -> None:
    (small_catalog / "credentials/gone.md").symlink_to("nowhere.md")
    assert errors_of(small_catalog) == [f"{CRED}/gone.md:1: {LINK_MESSAGE}"]


# --- occupations.csv gets the outcome CSVs' raw checks ------------------------------------------

OCCUPATIONS_HEADER = "soc,title,median_wage_usd,wage_year,in_demand,source\n"


def test_occupations_csv_that_is_not_utf8(small_catalog: Path) -> None:
    (small_catalog / "occupations.csv").write_bytes(
        (OCCUPATIONS_HEADER + "15-1231,Network,1,2024,true,t\n15-1232,Caf\xe9,1,2024,true,t\n").encode(
            "latin-1"
        )
    )
    assert errors_of(small_catalog) == [
        "catalog/occupations.csv:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_occupations_csv_with_a_blank_line(small_catalog: Path) -> None:
    path = small_catalog / "occupations.csv"
    path.write_text(path.read_text() + "\n")
    assert errors_of(small_catalog) == ["catalog/occupations.csv:5: blank row; remove it"]


def test_occupations_csv_with_an_empty_soc(small_catalog: Path) -> None:
    path = small_catalog / "occupations.csv"
    path.write_text(path.read_text() + ",Nobody,1,2024,true,t\n,Nobody again,1,2024,true,t\n")
    assert errors_of(small_catalog) == [
        "catalog/occupations.csv:5:1: soc: a value is required",
        "catalog/occupations.csv:6:1: soc: a value is required",
    ]


def test_occupations_csv_lines_count_a_title_on_two_lines(small_catalog: Path) -> None:
    (small_catalog / "occupations.csv").write_text(
        OCCUPATIONS_HEADER
        + '15-1231,"Computer Network\nSupport Specialists",68000,2024,true,test\n'
        + "15-1232,Computer User Support Specialists,lots,2024,false,test\n"
        + "31-1131,Nursing Assistants,31000,2024,true,test\n"
        + "15-1232,Again,1,2024,true,test\n"
    )
    assert errors_of(small_catalog) == [
        "catalog/occupations.csv:4:3: median_wage_usd: must be a number (got 'lots')",
        "catalog/occupations.csv:6: soc appears twice (first at line 4)",
    ]


def test_occupations_csv_with_semicolons(small_catalog: Path) -> None:
    (small_catalog / "occupations.csv").write_text(
        OCCUPATIONS_HEADER.replace(",", ";") + "15-1231;Network;1;2024;true;t\n"
    )
    assert errors_of(small_catalog) == [
        "catalog/occupations.csv:1: values must be separated by commas, not semicolons"
    ]


def test_libyaml_and_pyyaml_read_every_sample_file_alike() -> None:
    """Files are parsed by libyaml; PyYAML's own parser only words syntax errors. Both
    must give the same values and the same positions."""
    from site_builder.catalog import yamlsource
    from site_builder.paths import SAMPLE_CATALOG

    texts = [path.read_text() for path in sorted(SAMPLE_CATALOG.rglob("*.yml"))]
    texts += [path.read_text().split("---\n")[1] for path in sorted(SAMPLE_CATALOG.glob("credentials/*.md"))]
    assert len(texts) > 50
    for text in texts:
        documents = []
        for loader in (yamlsource._Loader, yamlsource._WordingLoader):
            node, data = yamlsource._load(loader, text)
            documents.append(yamlsource.YamlDocument(data))
            yamlsource._record_positions(node, (), documents[-1], 0)
        assert documents[0] == documents[1]
        assert len(documents[0].positions) > 3
