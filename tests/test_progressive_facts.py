"""Progressive facts (SPEC 8): only the list facts are required; the rest is documented later.

A catalog of list facts alone validates and builds; its pages say "not yet documented", its
quality reads "Not yet rated"; /contribute/ is the work queue; `validate --complete` fails on
every missing fact.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from catalog_factory import CAREER_FIELDS, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from site_builder.build import build
from site_builder.catalog import load_catalog
from site_builder.catalog.models import FACTS
from site_builder.cli import main
from site_builder.diff import UNDOCUMENTED, field_changes
from site_builder.paths import SAMPLE_CATALOG

SITE = """\
title: Listland Credentials
description: The state list, as the office keeps it.
base_url: https://creds.listland.example
living_wage_usd: 40000
current_year: 2025
"""


def list_facts(key: str, name: str, issuer: str, points: int, status: str = "approved") -> str:
    sunset = "sunset: 2024-06-30\n" if status != "approved" else ""
    return (
        f"---\nid: {key}\nname: {name}\nissuer: {issuer}\ncareer_fields: [it]\npoints: {points}\n"
        f"status: {status}\napproved: 2020-07-01\n{sunset}---\n"
    )


def write_list_catalog(root: Path) -> Path:
    """site.yml, career-fields.yml, issuers with a name only and credentials with list facts
    only: no occupations.csv, no pathways/, no outcomes/."""
    catalog = root / "catalog"
    (catalog / "issuers").mkdir(parents=True)
    (catalog / "credentials").mkdir()
    (catalog / "site.yml").write_text(SITE)
    (catalog / "career-fields.yml").write_text(CAREER_FIELDS)
    (catalog / "issuers/netco.yml").write_text("name: NetCo\n")
    (catalog / "credentials/net-basics.md").write_text(list_facts("net-basics", "Network Basics", "netco", 3))
    (catalog / "credentials/old-net.md").write_text(
        list_facts("old-net", "Old Network", "netco", 2, status="retired")
    )
    return catalog


def text(node) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def definition(term):
    """The <dd> that follows a <dt>."""
    node = term.next
    while node is not None and node.tag != "dd":
        node = node.next
    return node


def page(out: Path, path: str) -> HTMLParser:
    return HTMLParser((out / path.strip("/") / "index.html").read_text())


@pytest.fixture
def list_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    catalog = write_list_catalog(tmp_path)
    build(catalog, tmp_path / "public")
    return tmp_path / "public"


# --- a catalog of list facts builds ----------------------------------------------------------


def test_a_catalog_of_list_facts_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_list_catalog(tmp_path)
    assert main(["validate", "--catalog", "catalog", "--quiet"]) == 0
    catalog = load_catalog(tmp_path / "catalog")
    assert catalog.credentials["net-basics"].missing_facts() == FACTS
    assert catalog.issuers["netco"].missing_facts() == ("url", "kind")


def test_credential_page_says_not_yet_documented_and_not_yet_rated(list_site: Path) -> None:
    tree = page(list_site, "/credentials/net-basics/")
    facts = {text(dt): text(definition(dt)) for dt in tree.css("dl.facts dt")}
    for label in ("Type", "Exam fee", "College credit", "Recognized", "Assessment", "Prerequisites",
                  "Valid for", "Renewal"):  # fmt: skip
        assert facts[label] == "Not yet documented", label
    assert "kind of organization not yet documented" in facts["Issued by"]
    assert facts["Prepares for"] == "Not yet documented"
    assert text(tree.css_first("p.lead")) == "Summary: Not yet documented"
    assert text(tree.css_first("#quality")) == "Quality rating: Not yet rated"
    ratings = [text(row.css_first("td")) for row in tree.css("table.criteria tbody tr")]
    assert ratings == ["Not enough evidence"] * 5
    notice = tree.css_first(".help-document")
    assert text(notice).startswith(f"{len(FACTS)} facts about this credential are not yet documented.")
    assert notice.css_first("a").attributes["href"] == "/contribute/#credential-net-basics"
    # the JSON-LD leaves unknown facts out rather than saying null
    jsonld = json.loads(tree.css_first("script[type='application/ld+json']").text())
    assert "description" not in jsonld and "credentialCategory" not in jsonld
    # the issuer provides it; no agency in site.yml, so no recognizedBy
    assert jsonld["provider"] == {"@type": "Organization", "name": "NetCo"}
    assert "recognizedBy" not in jsonld


def test_other_pages_cope_with_missing_facts(list_site: Path) -> None:
    assert (
        text(page(list_site, "/pathways/").css_first("main p:last-child"))
        == "No pathways have been published yet."
    )
    rows = page(list_site, "/credentials/").css("table.credential-table tbody tr")
    assert {row.attributes["data-quality"] for row in rows} == {"Not yet rated"}
    options = [text(o) for o in page(list_site, "/credentials/").css("#filter-quality option")]
    assert "Not yet rated" in options
    assert "/contribute/" in [a.attributes["href"] for a in page(list_site, "/").css("footer a")]


def test_downloads_leave_missing_facts_empty(list_site: Path) -> None:
    document = json.loads((list_site / "data/catalog.json").read_text())
    record = next(item for item in document["credentials"] if item["id"] == "net-basics")
    assert record["missing_facts"] == list(FACTS)
    assert record["summary"] is None and record["occupations"] is None
    assert record["quality"]["overall"] == "Not yet rated"
    with (list_site / "data/catalog.csv").open(newline="") as file:
        row = next(row for row in csv.DictReader(file) if row["id"] == "net-basics")
    assert row["summary"] == "" and row["exam_fee_usd"] == "" and row["type"] == ""
    assert row["missing_facts"] == ";".join(FACTS)
    assert row["quality_portability"] == "not-enough-evidence"
    ctdl = json.loads((list_site / "data/credentials/net-basics.jsonld").read_text())
    assert ctdl["@type"] == "ceterms:Credential"
    assert "ceterms:description" not in ctdl
    assert "ceterms:subjectWebpage" not in ctdl["ceterms:ownedBy"][0]


# --- /contribute/ -------------------------------------------------------------------------------


def test_contribute_lists_missing_facts_with_counts_and_no_repository(list_site: Path) -> None:
    tree = page(list_site, "/contribute/")
    counts = {
        row.attributes["data-fact"]: text(row.css_first("td.num"))
        for row in tree.css("#fact-counts tbody tr")
    }
    assert counts == dict.fromkeys(FACTS, "2")
    assert text(tree.css_first("#documented-count")) == "0 of 2 credentials are fully documented."
    rows = tree.css("#credential-queue tbody tr")
    # no outcome data: by name
    assert [row.attributes["id"] for row in rows] == ["credential-net-basics", "credential-old-net"]
    first = rows[0]
    assert [text(code) for code in first.css(".missing-facts code")] == list(FACTS)
    # no repository_url: the file's path, and the way to propose a change instead
    assert first.css("a[href*='/edit/']") == []
    assert "catalog/credentials/net-basics.md" in text(first)
    assert tree.css_first("section[aria-labelledby=how] a[href='/propose-a-change/']") is not None
    issuers = tree.css("#issuer-queue-table tbody tr")
    assert [text(code) for code in issuers[0].css(".missing-facts code")] == ["url", "kind"]


def strip(path: Path, *keys: str) -> None:
    lines = path.read_text().splitlines(True)
    path.write_text("".join(line for line in lines if line.split(":")[0] not in keys))


def test_contribute_puts_the_most_earned_first_with_edit_links(small_catalog: Path, tmp_path: Path) -> None:
    site_file = small_catalog / "site.yml"
    site_file.write_text(site_file.read_text() + "repository_url: https://github.com/northland/creds\n")
    for key in ("net-basics", "net-pro", "nurse-aide", "club-coder"):
        strip(small_catalog / f"credentials/{key}.md", "assessment")
    strip(small_catalog / "credentials/net-pro.md", "renewal", "sources")
    write_outcomes(small_catalog)
    build(small_catalog, tmp_path / "public")
    tree = page(tmp_path / "public", "/contribute/")
    rows = tree.css("#credential-queue tbody tr")
    earned = [text(row.css_first("td.num")) for row in rows]
    # statewide 2024: net-pro 142, nurse-aide 94, net-basics 89; club-coder none reported
    assert [row.attributes["id"] for row in rows] == [
        "credential-net-pro",
        "credential-nurse-aide",
        "credential-net-basics",
        "credential-club-coder",
    ]
    assert earned == ["142", "94", "89", "none reported"]
    assert [text(code) for code in rows[0].css(".missing-facts code")] == ["assessment", "renewal", "sources"]
    assert rows[0].css_first("a[href*='/edit/']").attributes["href"] == (
        "https://github.com/northland/creds/edit/main/catalog/credentials/net-pro.md"
    )
    counts = {
        row.attributes["data-fact"]: text(row.css_first("td.num"))
        for row in tree.css("#fact-counts tbody tr")
    }
    assert counts["assessment"] == "4" and counts["renewal"] == "1" and counts["summary"] == "0"
    assert "most earned in 2024 first" in text(tree.css_first("#credential-queue caption"))


def test_fully_documented_catalog_says_so(small_catalog: Path, tmp_path: Path) -> None:
    build(small_catalog, tmp_path / "public")
    tree = page(tmp_path / "public", "/contribute/")
    assert text(tree.css_first("#all-documented")).startswith("Every credential is fully documented.")
    assert tree.css_first("#credential-queue") is None


# --- validate --complete -----------------------------------------------------------------------


def test_validate_complete_fails_on_every_missing_fact(
    small_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    strip(small_catalog / "credentials/net-pro.md", "assessment", "exam_fee_usd")
    strip(small_catalog / "issuers/netco.yml", "url")
    assert main(["validate", "--catalog", "catalog", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["validate", "--complete", "--catalog", "catalog", "--quiet"]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        "catalog/credentials/net-pro.md:2: assessment: not yet documented (--complete requires every fact)",
        "catalog/credentials/net-pro.md:2: exam_fee_usd: not yet documented (--complete requires every fact)",
        "catalog/issuers/netco.yml:1: url: not yet documented (--complete requires every fact)",
        "3 errors",
    ]


def test_validate_complete_accepts_a_documented_null(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    path.write_text(path.read_text().replace("exam_fee_usd: 100", "exam_fee_usd: null"))
    assert main(["validate", "--complete", "--catalog", "catalog", "--quiet"]) == 0


def test_the_bundled_sample_is_fully_documented() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    assert {key: c.missing_facts() for key, c in catalog.credentials.items() if c.missing_facts()} == {}
    assert {key: i.missing_facts() for key, i in catalog.issuers.items() if i.missing_facts()} == {}
    assert main(["validate", "--complete", "--catalog", str(SAMPLE_CATALOG), "--quiet"]) == 0


# --- the change summary -------------------------------------------------------------------------


def test_a_documented_fact_reads_as_such_in_change_summaries() -> None:
    before = {"id": "x", "name": "X"}
    after = {"id": "x", "name": "X", "summary": "Plain words.", "occupations": []}
    assert field_changes(before, after, absent=UNDOCUMENTED) == [
        "summary: not yet documented -> Plain words.",
        "occupations: not yet documented -> none",
    ]
    # without ``absent`` (site settings, pathways) a missing key reads as null did
    assert field_changes({"a": None}, {}) == []


def test_no_null_reaches_the_page_text(list_site: Path) -> None:
    html = (list_site / "credentials/net-basics/index.html").read_text()
    assert not re.search(r">\s*None\s*<", html)
