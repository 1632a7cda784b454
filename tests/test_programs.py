"""State codes, CIP codes and programs (SPEC 8): checked in the catalog, resolved in the
outcome data, shown on pages, downloads and search, and known to the disclosure audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from catalog_factory import OUTCOME_FILES, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from test_catalog_validation import CRED, edit, errors_of, line_of
from test_search import fragments, page, text

from site_builder.build import build
from site_builder.catalog import load_catalog
from site_builder.errors import CatalogInvalid
from site_builder.outcomes import load_outcomes
from site_builder.paths import STATIC_DIR
from site_builder.protection.disclosure import protect
from site_builder.protection.privacy import Inequality
from site_builder.reports import CatalogFacts, compute_reports
from site_builder.reports.systems import attainment_system

PROGRAMS = """\
programs:
  - id: exam-fee
    name: Exam-fee reimbursement
    kind: fee-reimbursement
    description: Pays back the exam fees schools paid.
    url: https://northland.example/exam-fees
  - id: bonus
    name: Workforce incentive
    kind: flat-incentive
    description: A flat amount for each credential earned.
"""

#: credential -> what its file gains (state code, CIP codes, memberships); every claim of
#: the factory's outcome data belongs
CROSSWALKS = {
    "net-pro": 'state_code: NL-100\ncip_codes: ["11.0901"]\nprograms:\n'
    "  - program: exam-fee\n  - program: bonus\n    tier: Gold\n    amount_usd: 125\n",
    "nurse-aide": "state_code: NL.200\nprograms:\n  - program: exam-fee\n",
    "net-basics": 'state_code: nl_300\ncip_codes: ["11.0901", "11.1006"]\nprograms:\n  - program: bonus\n',
}


def with_programs(catalog: Path) -> Path:
    """The small catalog with programs in site.yml and the crosswalks above."""
    (catalog / "site.yml").write_text((catalog / "site.yml").read_text() + PROGRAMS)
    for key, lines in CROSSWALKS.items():
        edit(
            catalog / f"credentials/{key}.md",
            "last_reviewed: 2024-01-15\n",
            f"last_reviewed: 2024-01-15\n{lines}",
        )
    return catalog


def outcome_errors(catalog: Path, files: dict[str, str] | None = None) -> list[str]:
    loaded = load_catalog(catalog)
    place = write_outcomes(catalog, files)
    with pytest.raises(CatalogInvalid) as raised:
        load_outcomes(place, set(loaded.credentials), loaded.state_codes(), loaded.program_members())
    return [str(error) for error in raised.value.errors]


# --- the catalog ----------------------------------------------------------------------------


def test_crosswalks_load(small_catalog: Path) -> None:
    catalog = load_catalog(with_programs(small_catalog))
    assert catalog.state_codes() == {"NL-100": "net-pro", "NL.200": "nurse-aide", "nl_300": "net-basics"}
    assert catalog.credentials["net-basics"].cip_codes == ["11.0901", "11.1006"]
    assert catalog.program_members() == {
        "exam-fee": {"net-pro": ((None, None),), "nurse-aide": ((None, None),)},
        "bonus": {"net-basics": ((None, None),), "net-pro": ((None, None),)},
    }
    assert load_catalog(small_catalog.parent / "catalog").site.programs[1].url is None


def test_a_state_code_is_unique(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "state_code: NL.200", "state_code: NL-100")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, 'state_code:')}: state_code 'NL-100' is also the state code "
        f"of {CRED}/net-pro.md; each credential needs its own"
    ]


def test_a_state_code_is_not_another_credentials_id(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "state_code: NL.200", "state_code: net-pro")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, 'state_code:')}: state_code 'net-pro' is the id of another "
        f"credential ({CRED}/net-pro.md): outcome files could not tell the two apart"
    ]


def test_a_state_code_is_plain_text(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "state_code: NL.200", "state_code: ../x")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, 'state_code:')}: state_code: must be a code of letters, digits "
        "and '_', '.' or '-' inside, at most 32 characters (got '../x')"
    ]


def test_cip_codes_are_nn_nnnn_each_once(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "credentials/net-basics.md"
    edit(path, 'cip_codes: ["11.0901", "11.1006"]', 'cip_codes: ["11.0901", "110901", "11.0901"]')
    line = line_of(path, "cip_codes:")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-basics.md:{line}: cip_codes.1: must be a CIP code like '11.0901' (two digits, a dot, "
        "four digits) (got '110901')",
        f"{CRED}/net-basics.md:{line}: cip_codes: lists '11.0901' twice",
    ]


def test_a_membership_names_a_defined_program(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "  - program: exam-fee\n", "  - program: exam-fees\n")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, '  - program:')}: program 'exam-fees' is not defined in the "
        "programs of catalog/site.yml (defined: 'bonus', 'exam-fee') (did you mean 'exam-fee'?)"
    ]


def test_a_program_kind_is_one_of_four(small_catalog: Path) -> None:
    with_programs(small_catalog)
    path = small_catalog / "site.yml"
    edit(path, "kind: flat-incentive", "kind: bonus")
    [error] = errors_of(small_catalog)
    assert error.startswith(f"catalog/site.yml:{line_of(path, '    kind: bonus')}: programs.1.kind: ")
    assert "'fee-reimbursement', 'flat-incentive', 'list' or 'tiers'" in error


# --- the outcome data -----------------------------------------------------------------------


def test_a_claim_names_a_member_of_its_program(small_catalog: Path) -> None:
    with_programs(small_catalog)
    edit(small_catalog / "credentials/nurse-aide.md", "programs:\n  - program: exam-fee\n", "")
    assert outcome_errors(small_catalog) == [
        'catalog/outcomes/2024/claims.csv:4:4: credential_id: "nurse-aide" does not belong to program '
        '"exam-fee" in 2024 (see the programs: of its file in catalog/credentials/)'
    ]


def test_a_membership_counts_in_its_years_only(small_catalog: Path) -> None:
    with_programs(small_catalog)
    edit(
        small_catalog / "credentials/nurse-aide.md",
        "  - program: exam-fee\n",
        "  - program: exam-fee\n    last_year: 2023\n",
    )
    assert outcome_errors(small_catalog) == [
        'catalog/outcomes/2024/claims.csv:4:4: credential_id: "nurse-aide" does not belong to program '
        '"exam-fee" in 2024 (see the programs: of its file in catalog/credentials/)'
    ]
    edit(small_catalog / "credentials/nurse-aide.md", "last_year: 2023", "first_year: 2024")
    catalog = load_catalog(small_catalog)
    load_outcomes(
        small_catalog / "outcomes", set(catalog.credentials), catalog.state_codes(), catalog.program_members()
    )


def test_without_programs_any_credential_may_be_claimed(small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    assert catalog.program_members() is None
    place = write_outcomes(small_catalog)
    assert len(load_outcomes(place, set(catalog.credentials), {}, None).claims) == 5


def by_state_code(files: dict[str, str]) -> dict[str, str]:
    """The factory's outcome files, naming some credentials by their state codes."""
    renamed = dict(files)
    renamed["2024/attainment.csv"] = files["2024/attainment.csv"].replace(",net-pro,", ",NL-100,")
    renamed["2024/claims.csv"] = (
        files["2024/claims.csv"]
        .replace(",nurse-aide,", ",NL.200,")
        .replace("100004,net-basics", "100004,nl_300")
    )
    return renamed


def test_outcome_rows_may_name_a_credential_by_its_state_code(small_catalog: Path, tmp_path: Path) -> None:
    catalog = load_catalog(with_programs(small_catalog))
    by_id = load_outcomes(
        write_outcomes(small_catalog),
        set(catalog.credentials),
        catalog.state_codes(),
        catalog.program_members(),
    )
    other = tmp_path / "other"
    other.mkdir()
    place = write_outcomes(other, by_state_code(OUTCOME_FILES))
    assert "NL-100" in (place / "2024/attainment.csv").read_text()
    by_code = load_outcomes(place, set(catalog.credentials), catalog.state_codes(), catalog.program_members())
    assert by_code == by_id
    reports = [compute_reports(catalog, outcomes) for outcomes in (by_code, by_id)]
    for report in reports:
        for year in report.by_year.values():
            year.audit.clear()  # the seconds it took differ
    assert reports[0] == reports[1]


def test_an_unknown_state_code_is_an_error(small_catalog: Path) -> None:
    with_programs(small_catalog)
    files = dict(OUTCOME_FILES)
    files["2024/attainment.csv"] = files["2024/attainment.csv"].replace("100007,net-pro", "100007,NL-999")
    assert outcome_errors(small_catalog, files) == [
        'catalog/outcomes/2024/attainment.csv:15:3: credential_id "NL-999" is not in the catalog '
        "(neither a credential id nor a state code)"
    ]


def test_one_credential_by_id_and_by_code_is_one_key_twice(small_catalog: Path) -> None:
    with_programs(small_catalog)
    files = dict(OUTCOME_FILES)
    files["2024/attainment.csv"] += "2024,100007,NL.200,1\n"
    assert outcome_errors(small_catalog, files) == [
        "catalog/outcomes/2024/attainment.csv:17:3: credential_id: names the same credential as line 16 "
        "(one by its id, one by its state code): each (year, school_id, credential_id) once"
    ]


def test_outcome_errors_by_state_code_while_the_catalog_is_broken(small_catalog: Path) -> None:
    """The catalog's errors do not turn every row named by state code into another error."""
    from site_builder.build import validate

    with_programs(small_catalog)
    edit(small_catalog / "credentials/net-pro.md", "points: 9", "points: 99")
    write_outcomes(small_catalog, by_state_code(OUTCOME_FILES))
    with pytest.raises(CatalogInvalid) as raised:
        validate(small_catalog)
    assert [error.message for error in raised.value.errors] == [
        "points: input should be less than or equal to 12 (got 99)"
    ]


# --- the audit ------------------------------------------------------------------------------


def test_the_audit_knows_claims_are_of_members_only(small_catalog: Path) -> None:
    catalog = load_catalog(with_programs(small_catalog))
    outcomes = load_outcomes(
        write_outcomes(small_catalog),
        set(catalog.credentials),
        catalog.state_codes(),
        catalog.program_members(),
    )
    facts = CatalogFacts.of(catalog)
    schools = {school.school_id: school for school in outcomes.schools}
    members = facts.members_in(2024)
    assert members == {"exam-fee": {"net-pro", "nurse-aide"}, "bonus": {"net-basics", "net-pro"}}
    system = attainment_system(outcomes.attainment, outcomes.claims, schools, facts.primary_field, members)
    # school 100003 earned net-pro and nurse-aide, both of exam-fee: its exam-fee claims are
    # bounded by all it earned; school 100004 earned net-basics (bonus, the only credential of
    # its field there) and nurse-aide (no member): its bonus claims by its count in that field
    assert (
        Inequality(
            ((("claims", "school", "exam-fee", "100003"), 1.0), (("att", "school", "100003"), -1.0)), 0.0
        )
        in system.inequalities
    )
    assert (
        Inequality(
            ((("claims", "school", "bonus", "100004"), 1.0), (("att", "school-field", "100004", "it"), -1.0)),
            0.0,
        )
        in system.inequalities
    )
    # school 100006 earned net-basics and net-pro (it) and nurse-aide (health): its bonus
    # claims are bounded by the it field's total, not by nurse-aide's
    assert (
        Inequality(
            ((("claims", "school", "bonus", "100006"), 1.0), (("att", "school-field", "100006", "it"), -1.0)),
            0.0,
        )
        in system.inequalities
    )
    # the looser school-level bound is not asked for any more
    assert not any(("att", "school", "100004") in dict(i.terms) for i in system.inequalities)
    protection = protect(system, catalog.site.min_cell)
    assert not protection.unresolved
    # and the whole build's audit passes with it
    reports = compute_reports(catalog, outcomes)
    assert reports.by_year[2024].audit


def test_memberships_are_part_of_the_reports_key(small_catalog: Path) -> None:
    from site_builder.cache import reports_fingerprint

    catalog = load_catalog(with_programs(small_catalog))
    place = write_outcomes(small_catalog)
    before = reports_fingerprint(CatalogFacts.of(catalog), place)
    edit(
        small_catalog / "credentials/net-basics.md",
        "programs:\n  - program: bonus\n",
        "programs:\n  - program: bonus\n  - program: exam-fee\n",
    )
    assert reports_fingerprint(CatalogFacts.of(load_catalog(small_catalog)), place) != before
    edit(small_catalog / "credentials/net-basics.md", "state_code: nl_300", "state_code: nl_301")
    assert reports_fingerprint(CatalogFacts.of(load_catalog(small_catalog)), place) is not None


# --- pages, downloads and search ------------------------------------------------------------


@pytest.fixture
def built(small_catalog: Path, tmp_path: Path) -> Path:
    with_programs(small_catalog)
    write_outcomes(small_catalog)
    build(small_catalog, tmp_path / "public")
    return tmp_path / "public"


def test_pages_downloads_and_search_show_the_crosswalks(built: Path) -> None:
    tree = page(built, "/credentials/net-pro/")
    assert text(tree.css_first("#state-code")) == "NL-100"
    assert text(tree.css_first("#cip-codes")).startswith("11.0901")
    programs = tree.css("#qualifies-for li")
    assert [text(item) for item in programs] == [
        "Exam-fee reimbursement",
        "Workforce incentive (Tier Gold, $125)",
    ]
    assert programs[0].css_first("a").attributes["href"] == "https://northland.example/exam-fees"
    # a credential of no program says so; the site has programs
    club = page(built, "/credentials/club-coder/")
    assert club.css_first("#qualifies-for") is None
    assert "No program of this list." in text(club.css_first("section[aria-labelledby=overview]"))

    index = page(built, "/credentials/")
    options = [(o.attributes["value"], text(o)) for o in index.css("#filter-program option")]
    assert options == [("", "Any"), ("exam-fee", "Exam-fee reimbursement"), ("bonus", "Workforce incentive")]
    rows = {
        text(row.css_first("th a")): row.attributes["data-programs"]
        for row in index.css("#credential-table tbody tr")
    }
    assert rows["Network Professional"] == "exam-fee bonus"
    assert rows["Club Coder"] == ""

    document = json.loads((built / "data/catalog.json").read_text())
    record = next(c for c in document["credentials"] if c["id"] == "net-pro")
    assert record["state_code"] == "NL-100"
    assert record["cip_codes"] == ["11.0901"]
    assert record["programs"][1] == {
        "program": "bonus",
        "tier": "Gold",
        "amount_usd": 125,
        "first_year": None,
        "last_year": None,
    }
    assert [program["id"] for program in document["programs"]] == ["exam-fee", "bonus"]
    with (built / "data/catalog.csv").open(newline="") as handle:
        csv_rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert (csv_rows["net-basics"]["state_code"], csv_rows["net-basics"]["cip_codes"]) == (
        "nl_300",
        "11.0901;11.1006",
    )
    assert csv_rows["net-pro"]["programs"] == "exam-fee;bonus"
    assert csv_rows["club-coder"]["state_code"] == csv_rows["club-coder"]["programs"] == ""
    data_page = page(built, "/data/")
    described = {node.attributes["data-column"] for node in data_page.css("tr[data-column]")}
    assert {"state_code", "cip_codes", "programs"} <= described

    stored = fragments(built)
    assert stored["/credentials/net-pro/"]["filters"]["program"] == [
        "Exam-fee reimbursement",
        "Workforce incentive",
    ]
    assert "NL-100" in stored["/credentials/net-pro/"]["content"]
    assert "11.0901" in stored["/credentials/net-pro/"]["content"]
    assert "program" not in stored["/credentials/club-coder/"]["filters"]


def test_the_filters_know_the_program_filter() -> None:
    # filters.js reads how a filter matches from its select (data-match, site/filters.py)
    assert 'match === "word"' in (STATIC_DIR / "filters.js").read_text()
    assert '["program", "Qualifies for"]' in (STATIC_DIR / "search.js").read_text()


def test_the_sample_uses_programs_and_state_codes() -> None:
    from site_builder.paths import SAMPLE_CATALOG

    catalog = load_catalog(SAMPLE_CATALOG)
    assert [program.id for program in catalog.site.programs] == ["exam-fee", "credential-bonus"]
    assert all(credential.state_code for credential in catalog.credentials.values())
    members = catalog.program_members()
    assert members is not None
    for year_folder in sorted((SAMPLE_CATALOG / "outcomes").glob("20*")):
        with (year_folder / "claims.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                assert row["credential_id"] in members[row["program"]], row
    assert HTMLParser  # the page parser the checks above use
