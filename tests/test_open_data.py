"""Open data (SPEC 6): catalog.json, catalog.csv, CTDL JSON-LD per credential, the data package
and the /data/ page that lists every download.

Built once per module from the small catalog (with its small outcome package, a credential
without a known fee and one with a fee in cents) and from the bundled sample; every file is
compared with the catalog and with ``derive()``.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from open_data_sites import OpenData
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from site_builder.build import build
from site_builder.rules.quality import CRITERIA

CTDL_TYPES = {
    "certification": "ceterms:Certification",
    "license": "ceterms:License",
    "certificate": "ceterms:Certificate",
    "badge": "ceterms:Badge",
}
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def small_site(small_open_data: OpenData) -> OpenData:
    return small_open_data


@pytest.fixture
def sample_site(sample_open_data: OpenData) -> OpenData:
    return sample_open_data


@pytest.fixture(params=["small", "sample"])
def site(request: pytest.FixtureRequest) -> OpenData:
    return request.getfixturevalue(f"{request.param}_site")


def money(amount: Decimal | None) -> int | float | None:
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# --- catalog.json ---------------------------------------------------------------------------------


def test_catalog_json_is_stable_sorted_json(site: OpenData) -> None:
    text = (site.data / "catalog.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    document = json.loads(text)
    assert document["title"] == site.catalog.site.title
    assert document["generated_from"] == site.catalog.site.base_url
    assert document["points_target"] == site.catalog.site.points_target
    assert [field["id"] for field in document["career_fields"]] == list(site.catalog.career_fields)


def test_catalog_json_matches_the_catalog_and_derive(site: OpenData) -> None:
    records = site.json("catalog.json")["credentials"]
    assert [record["id"] for record in records] == sorted(site.catalog.credentials)
    for record in records:
        key = record["id"]
        credential = site.catalog.credentials[key]
        quality = site.derived.quality[key]
        assert record["name"] == credential.name
        assert record["issuer"] == credential.issuer
        assert record["issuer_name"] == site.catalog.issuers[credential.issuer].name
        assert record["type"] == credential.type
        assert record["career_fields"] == credential.career_fields
        assert record["points"] == credential.points
        assert record["status"] == credential.status
        assert record["approved"] == credential.approved.isoformat()
        assert record["sunset"] == (credential.sunset.isoformat() if credential.sunset else None)
        assert record["summary"] == credential.summary
        # money is a number, never a string
        assert record["exam_fee_usd"] == money(credential.exam_fee_usd)
        assert not isinstance(record["exam_fee_usd"], str)
        assert record["valid_years"] == credential.valid_years
        assert record["portability"] == credential.portability
        assert record["college_credit_hours"] == credential.college_credit_hours
        assert record["occupations"] == credential.occupations
        assert record["stacks_to"] == credential.stacks_to
        assert record["stacked_from"] == site.derived.stacked_from[key]
        assert record["pathways"] == site.derived.pathways_of.get(key, [])
        assert record["quality"] == {
            "overall": quality.overall,
            "criteria": {result.criterion: result.rating for result in quality.criteria},
        }
        assert set(record["quality"]["criteria"]) == set(CRITERIA)
        assert record["url"] == site.page_url(key)
        assert record["url"].startswith(("https://", "http://"))


def test_catalog_json_lists_the_pathways_with_their_steps(site: OpenData) -> None:
    pathways = site.json("catalog.json")["pathways"]
    assert [pathway["id"] for pathway in pathways] == sorted(site.catalog.pathways)
    for pathway in pathways:
        source = site.catalog.pathways[pathway["id"]]
        assert pathway["name"] == source.name
        assert pathway["career_field"] == source.career_field
        assert pathway["steps"] == [step.credentials for step in source.steps]
        assert pathway["url"] == f"{site.base_url}/pathways/{pathway['id']}/"


def test_small_catalog_money_and_stacking(small_site: OpenData) -> None:
    records = {record["id"]: record for record in small_site.json("catalog.json")["credentials"]}
    assert records["net-pro"]["exam_fee_usd"] == 99.5
    assert records["club-coder"]["exam_fee_usd"] is None
    assert records["nurse-aide"]["exam_fee_usd"] == 100 and isinstance(
        records["nurse-aide"]["exam_fee_usd"], int
    )
    assert records["net-basics"]["stacks_to"] == ["net-pro"]
    assert records["net-pro"]["stacked_from"] == ["net-basics"]
    assert records["net-pro"]["pathways"] == ["networking"]
    assert records["net-pro"]["quality"]["overall"] == "High"


# --- catalog.csv ----------------------------------------------------------------------------------


def test_catalog_csv_has_one_row_per_credential_with_the_same_values(site: OpenData) -> None:
    raw = (site.data / "catalog.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    header, rows = site.csv_rows("catalog.csv")
    records = site.json("catalog.json")["credentials"]
    assert [row["id"] for row in rows] == [record["id"] for record in records]
    criterion_columns = {
        criterion: "quality_" + re.sub(r"[^a-z0-9]+", "_", criterion) for criterion in CRITERIA
    }
    assert set(criterion_columns.values()) <= set(header)
    for row, record in zip(rows, records, strict=True):
        for name in ("name", "issuer", "issuer_name", "type", "status", "summary", "portability", "url"):
            assert row[name] == record[name], (record["id"], name)
        for name in ("points", "college_credit_hours"):
            assert int(row[name]) == record[name]
        assert row["approved"] == record["approved"]
        assert row["sunset"] == (record["sunset"] or "")
        assert row["valid_years"] == ("" if record["valid_years"] is None else str(record["valid_years"]))
        if record["exam_fee_usd"] is None:
            assert row["exam_fee_usd"] == ""
        else:
            assert Decimal(row["exam_fee_usd"]) == Decimal(str(record["exam_fee_usd"]))
        for name in ("career_fields", "occupations", "stacks_to", "stacked_from", "pathways"):
            assert row[name] == ";".join(record[name]), (record["id"], name)
        assert row["quality_overall"] == record["quality"]["overall"]
        for criterion, column in criterion_columns.items():
            assert row[column] == record["quality"]["criteria"][criterion]


# --- CTDL JSON-LD ---------------------------------------------------------------------------------


def test_every_credential_has_a_ctdl_document(site: OpenData) -> None:
    files = sorted(path.stem for path in (site.data / "credentials").glob("*.jsonld"))
    assert files == sorted(site.catalog.credentials)
    ctids = set()
    for key, credential in site.catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        assert document["@context"] == "https://credreg.net/ctdl/schema/context/json"
        assert document["@id"] == site.jsonld_url(key)
        assert document["@type"] == CTDL_TYPES[credential.type]
        # the CTID of the file (SPEC 9), never one made up from the URL; left out until assigned
        ctid = document.get("ceterms:ctid")
        assert ctid == credential.ctid
        if ctid is not None:
            assert CTID.match(ctid), ctid
            assert str(uuid.UUID(ctid.removeprefix("ce-"))) == ctid.removeprefix("ce-")
            ctids.add(ctid)
        assert document["ceterms:name"] == {"en-US": credential.name}
        assert document["ceterms:description"] == {"en-US": credential.summary}
        assert document["ceterms:subjectWebpage"] == site.page_url(key)
        issuer = site.catalog.issuers[credential.issuer]
        (owner,) = document["ceterms:ownedBy"]
        assert owner["@type"] == "ceterms:CredentialOrganization"
        assert owner["ceterms:name"] == {"en-US": issuer.name}
        assert owner["ceterms:subjectWebpage"] == issuer.url
        assert document["ceterms:dateEffective"] == credential.approved.isoformat()
        # the state's list status is on the list (the collection), not the credential's lifecycle
        assert "ceterms:credentialStatusType" not in document
    assert len(ctids) == len([c for c in site.catalog.credentials.values() if c.ctid is not None])


def test_ctdl_occupations_cost_and_stacking(site: OpenData) -> None:
    for key, credential in site.catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        occupations = document.get("ceterms:occupationType", [])
        assert [o["ceterms:codedNotation"] for o in occupations] == credential.occupations
        for alignment in occupations:
            assert alignment["@type"] == "ceterms:CredentialAlignmentObject"
            title = site.catalog.occupations[alignment["ceterms:codedNotation"]].title
            assert alignment["ceterms:targetNodeName"] == {"en-US": title}
            assert alignment["ceterms:frameworkName"] == {"en-US": "Standard Occupational Classification"}
        if credential.exam_fee_usd is None:
            assert "ceterms:estimatedCost" not in document
        else:
            (cost,) = document["ceterms:estimatedCost"]
            assert cost["@type"] == "ceterms:CostProfile"
            assert cost["ceterms:price"] == money(credential.exam_fee_usd)
            assert cost["ceterms:currency"] == "USD"
            (cost_type,) = cost["ceterms:directCostType"]
            assert cost_type["ceterms:targetNode"] == "costType:StandaloneAssessment"
        if credential.stacks_to:
            (condition,) = document["ceterms:isPreparationFor"]
            assert condition["@type"] == "ceterms:ConditionProfile"
            targets = condition["ceterms:targetCredential"]
            assert targets == [site.jsonld_url(target) for target in credential.stacks_to]
            for target in credential.stacks_to:
                # every target is itself a published document with that @id
                assert site.json(f"credentials/{target}.jsonld")["@id"] == site.jsonld_url(target)
        else:
            assert "ceterms:isPreparationFor" not in document


def test_credential_pages_link_to_their_ctdl_document(site: OpenData) -> None:
    for key in site.catalog.credentials:
        tree = site.page(f"credentials/{key}/index.html")
        links = [a.attributes.get("href") for a in tree.css("main a")]
        assert f"/data/credentials/{key}.jsonld" in links, key
        canonical = tree.css_first("link[rel=canonical]").attributes["href"]
        assert site.json(f"credentials/{key}.jsonld")["ceterms:subjectWebpage"] == canonical


# --- datapackage.json -----------------------------------------------------------------------------


def test_datapackage_validates_and_describes_catalog_csv(site: OpenData) -> None:
    report = frictionless.Package(str(site.data / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = site.json("datapackage.json")
    (resource,) = [r for r in descriptor["resources"] if r["path"] == "catalog.csv"]
    header, _ = site.csv_rows("catalog.csv")
    fields = resource["schema"]["fields"]
    assert [field["name"] for field in fields] == header
    assert all(field["description"] for field in fields)
    assert resource["schema"]["primaryKey"] == ["id"]
    assert resource["schema"]["missingValues"] == [""]
    types = {field["name"]: field["type"] for field in fields}
    assert types["points"] == "integer" and types["exam_fee_usd"] == "number" and types["approved"] == "date"


def test_catalog_schema_rejects_a_bad_row(site: OpenData, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(site.data, copy)
    text = (copy / "catalog.csv").read_text(encoding="utf-8")
    header, first_row = text.splitlines()[:2]
    points_at = header.split(",").index("points")
    assert first_row.split(",")[points_at].isdigit()  # the row has no quoted comma before points
    cells = first_row.split(",")
    cells[points_at] = "13"
    (copy / "catalog.csv").write_text(text.replace(first_row, ",".join(cells), 1), encoding="utf-8")
    package = frictionless.Package(str(copy / "datapackage.json"))
    report = package.get_resource("catalog").validate()
    assert not report.valid


# --- the /data/ page ------------------------------------------------------------------------------


def test_data_page_lists_every_file_with_its_size(site: OpenData) -> None:
    tree = site.page("data/index.html")
    rows = {row.attributes["data-download"]: row for row in tree.css("main tr[data-download]")}

    def listed_bytes(url: str) -> int:
        row = rows[url]
        assert row.css_first(f'a[href="{url}"]') is not None, url
        return int(row.css_first("data.bytes").attributes["value"])

    files = sorted(path for path in site.data.rglob("*") if path.is_file() and path.name != "index.html")
    singles = [path for path in files if path.parent == site.data]
    assert {path.name for path in singles} >= {"catalog.json", "catalog.csv", "datapackage.json"}
    for path in singles:
        assert listed_bytes(f"/data/{path.name}") == path.stat().st_size, path.name
    jsonld = [path for path in files if path.parent == site.data / "credentials"]
    # the list and the graph in CTDL (SPEC 9), each listed on its own
    ctdl = [path for path in files if path.parent == site.data / "ctdl"]
    assert {path.name for path in ctdl} == {"collection.jsonld", "graph.jsonld"}
    for path in ctdl:
        assert listed_bytes(f"/data/ctdl/{path.name}") == path.stat().st_size, path.name
    assert len(jsonld) + len(ctdl) + len(singles) == len(files)
    (family,) = [url for url in rows if url.startswith("/data/credentials/")]
    assert (site.root / family.lstrip("/")).is_file()
    assert int(rows[family].attributes["data-files"]) == len(jsonld) == len(site.catalog.credentials)
    assert listed_bytes(family) == sum(path.stat().st_size for path in jsonld)
    # and /data.json beside /data/, the DCAT-US catalog of them all (tests/test_open_data_catalogs.py)
    assert listed_bytes("/data.json") == (site.root / "data.json").stat().st_size
    assert len(rows) == len(singles) + len(ctdl) + 2


def test_data_page_explains_every_csv_column(site: OpenData) -> None:
    tree = site.page("data/index.html")
    tables = [
        [
            (row.attributes["data-column"], " ".join(row.css("td")[-1].text(separator=" ").split()))
            for row in table.css("tbody tr[data-column]")
        ]
        for table in tree.css("main table.column-table")
    ]
    for resource in site.json("datapackage.json")["resources"]:
        if resource["format"] != "csv":
            continue  # report-<year>.json, whose keys are listed too (tests/test_reports_from.py)
        header, _ = site.csv_rows(resource["path"])
        columns = [(field["name"], field["description"]) for field in resource["schema"]["fields"]]
        assert [name for name, _ in columns] == header
        assert columns in tables, resource["path"]


def test_data_page_is_in_the_sitemap(site: OpenData) -> None:
    tree = ET.parse(site.root / "sitemap.xml")
    urls = [loc.text for loc in tree.getroot().findall("sm:url/sm:loc", SITEMAP_NS)]
    assert f"{site.base_url}/data/" in urls
    page = site.page("data/index.html")
    assert page.css_first("link[rel=canonical]").attributes["href"] == f"{site.base_url}/data/"
    assert len(page.css("h1")) == 1


def test_open_data_without_outcome_data(small_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(small_catalog, out)
    data = out / "data"
    assert {path.name for path in data.iterdir()} == {
        "catalog.json", "catalog.csv", "credentials", "ctdl", "datapackage.json", "index.html",
    }  # fmt: skip
    report = frictionless.Package(str(data / "datapackage.json")).validate()
    assert report.valid
    descriptor = json.loads((data / "datapackage.json").read_text())
    assert [resource["path"] for resource in descriptor["resources"]] == ["catalog.csv"]
    tree = HTMLParser((data / "index.html").read_text(encoding="utf-8"))
    downloads = [row.attributes["data-download"] for row in tree.css("tr[data-download]")]
    assert not [url for url in downloads if url.endswith(".csv") and "catalog" not in url]
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
    assert not [href for href in hrefs if re.match(r"/(schools|reports|reimbursement)/", href)]
