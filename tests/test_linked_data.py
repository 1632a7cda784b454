"""Registry-grade linked data (SPEC 9): the CTDL documents of every credential, the list as a
``ceterms:Collection``, everything in one ``@graph``, and the schema.org JSON-LD of the pages.

Every document is checked against the shipped CTDL schema (terms in their domains, ranges)
and expanded with a JSON-LD processor (no term may drop out); the facts are compared with
the catalog files and the statewide counts with the numbers the report pages show. The
built sites are the session's (``conftest``): the small catalog (no agency, no jurisdiction)
and the bundled sample (both).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_factory import ctid_of, write_catalog, write_outcomes
from open_data_sites import OpenData

from site_builder.build import build, validate
from site_builder.catalog import Catalog
from site_builder.derive import derive
from site_builder.linkeddata import vocabulary
from site_builder.site import ctdl

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
REGISTRY = "https://credentialengineregistry.org/resources/"
REPORT_ROW_LINK = re.compile(r"^/credentials/([a-z0-9-]+)/$")


@pytest.fixture(params=["small", "sample"])
def site(request: pytest.FixtureRequest) -> OpenData:
    return request.getfixturevalue(f"{request.param}_open_data")


def documents(site: OpenData) -> Iterator[tuple[str, dict]]:
    """Every CTDL file under /data/: each credential's, the collection and the graph."""
    for path in sorted((site.data / "credentials").glob("*.jsonld")):
        yield f"credentials/{path.name}", site.json(f"credentials/{path.name}")
    for name in ("ctdl/collection.jsonld", "ctdl/graph.jsonld"):
        yield name, site.json(name)


def nodes(value: object) -> Iterator[dict]:
    """Every JSON object in ``value``, at any depth."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from nodes(item)


def text(language_map: dict) -> str:
    (value,) = language_map.values()
    return value


def published_counts(site: OpenData) -> tuple[dict[tuple[str, int], int], set[tuple[str, int]]]:
    """(credential, year) -> the statewide count a report page shows, and the cells it hides."""
    shown: dict[tuple[str, int], int] = {}
    hidden: set[tuple[str, int]] = set()
    for page in sorted((site.root / "reports").glob("*/index.html")):
        year = int(page.parent.name)
        tree = site.page(page.relative_to(site.root).as_posix())
        for row in tree.css("#credential-table tbody tr"):
            key = REPORT_ROW_LINK.match(row.css_first("th a").attributes["href"]).group(1)
            cell = row.css_first("td.num")
            if cell.attributes["data-status"] == "published":
                shown[key, year] = int(cell.text(strip=True).replace(",", ""))
            else:
                hidden.add((key, year))
    return shown, hidden


# --- the vocabulary: every term in its domain, nothing lost on expansion ------------------------


def test_every_document_uses_ctdl_terms_in_their_domains(site: OpenData) -> None:
    for name, document in documents(site):
        assert vocabulary.problems(document) == [], name


def test_no_term_drops_out_on_expansion(site: OpenData) -> None:
    for name, document in documents(site):
        assert vocabulary.lost_terms(document) == [], name


def test_no_fact_is_null_or_empty(site: OpenData) -> None:
    """A fact not yet documented (SPEC 8) is left out, never null, empty text or an empty list."""
    for name, document in documents(site):
        for node in nodes(document):
            for key, value in node.items():
                assert value not in (None, "", [], {}), (name, key)


# --- the credential documents -------------------------------------------------------------------


def test_credential_documents_carry_what_the_registry_requires(site: OpenData) -> None:
    catalog = site.catalog
    for key, credential in catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        assert document["@context"] == CONTEXT
        assert document["@id"] == site.jsonld_url(key)
        assert credential.ctid is not None, f"{key} has no CTID: run credsite ctid --assign"
        assert document["ceterms:ctid"] == credential.ctid
        assert document["ceterms:inLanguage"] == [catalog.site.language]
        assert document["ceterms:subjectWebpage"] == site.page_url(key)
        issuer = catalog.issuers[credential.issuer]
        (owner,) = document["ceterms:ownedBy"]
        assert owner["@type"] == "ceterms:CredentialOrganization"
        assert text(owner["ceterms:name"]) == issuer.name
        if catalog.site.agency is not None:
            assert text(owner["ceterms:name"]) != catalog.site.agency.name
        if issuer.ctid is not None:
            assert owner["@id"] == REGISTRY + issuer.ctid and owner["ceterms:ctid"] == issuer.ctid
        else:
            assert "@id" not in owner and "ceterms:ctid" not in owner
        if credential.registry_ctid is not None:
            assert document["ceterms:sameAs"] == [REGISTRY + credential.registry_ctid]
        else:
            assert "ceterms:sameAs" not in document
        (level,) = document["ceterms:audienceLevelType"]
        assert level["ceterms:targetNode"] == "audLevel:SecondaryLevel"


def test_the_agency_approves_what_is_on_the_list_now(site: OpenData) -> None:
    agency = site.catalog.site.agency
    for key, credential in site.catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        # the state's list status is expressed on the list, never as the credential's lifecycle
        assert "ceterms:credentialStatusType" not in document
        assert "ceterms:lifeCycleStatusType" not in document
        if agency is None or credential.status == "retired":
            assert "ceterms:approvedBy" not in document, key
            continue
        (approver,) = document["ceterms:approvedBy"]
        assert text(approver["ceterms:name"]) == agency.name
        assert approver["ceterms:subjectWebpage"] == agency.url


def test_sample_states_its_agency_and_jurisdiction(sample_open_data: OpenData) -> None:
    """The sample configures both, and has credentials in every list status."""
    site = sample_open_data.catalog.site
    assert site.agency is not None and site.jurisdiction is not None
    statuses = {credential.status for credential in sample_open_data.catalog.credentials.values()}
    assert statuses == {"approved", "sunsetting", "retired"}


def test_requirements_renewal_verification_and_programs(site: OpenData) -> None:
    for key, credential in site.catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        issuer = site.catalog.issuers[credential.issuer]
        (requirements,) = document["ceterms:requires"]
        conditions = text(requirements.get("ceterms:condition", {"en-US": []}))
        assert f"Assessment: {credential.assessment}" in conditions
        if credential.prerequisites.casefold() != "none":
            assert f"Prerequisites: {credential.prerequisites}" in conditions
        else:
            assert not [condition for condition in conditions if condition.startswith("Prerequisites")]
        competencies = [
            text(item["ceterms:targetNodeName"]) for item in requirements["ceterms:targetCompetency"]
        ]
        assert competencies == credential.certifies
        (renewal,) = document["ceterms:renewal"]
        assert text(renewal["ceterms:description"]) == credential.renewal
        if credential.valid_years is None:
            assert "ceterms:renewalFrequency" not in document
        else:
            assert document["ceterms:renewalFrequency"] == f"P{credential.valid_years}Y"
        url = credential.verification_url or issuer.verification_url
        if url is None:
            assert "ceterms:usesVerificationService" not in document
        else:
            (service,) = document["ceterms:usesVerificationService"]
            assert service["ceterms:verificationService"] == url
            assert service["ceterms:targetCredential"] == [site.jsonld_url(key)]
        if credential.cip_codes:
            programs = document["ceterms:instructionalProgramType"]
            assert [program["ceterms:codedNotation"] for program in programs] == credential.cip_codes
            assert {program["ceterms:framework"] for program in programs} == {
                "https://nces.ed.gov/ipeds/cipcode/"
            }
        else:
            assert "ceterms:instructionalProgramType" not in document


def test_jurisdiction_follows_portability(site: OpenData) -> None:
    state = site.catalog.site.jurisdiction
    for key, credential in site.catalog.credentials.items():
        document = site.json(f"credentials/{key}.jsonld")
        if credential.portability in ("state", "regional") and state is None:
            assert "ceterms:jurisdiction" not in document, key
            continue
        (profile,) = document["ceterms:jurisdiction"]
        (place,) = profile["ceterms:mainJurisdiction"]
        if credential.portability in ("national", "multi-state"):
            assert text(place["ceterms:name"]) == "United States"
        else:
            assert text(place["ceterms:name"]) == state.name
            (code,) = place["ceterms:identifier"]
            assert code["ceterms:identifierValueCode"] == state.code


# --- statewide counts ---------------------------------------------------------------------------


def test_aggregate_data_is_what_the_report_pages_show(site: OpenData) -> None:
    shown, hidden = published_counts(site)
    assert shown, "the built site has published statewide counts"
    state = site.catalog.site.jurisdiction
    for key in site.catalog.credentials:
        document = site.json(f"credentials/{key}.jsonld")
        profiles = document.get("ceterms:aggregateData", [])
        by_year = {}
        for profile in profiles:
            assert profile["@type"] == "ceterms:AggregateDataProfile"
            year = int(profile["ceterms:expirationDate"][:4])
            assert profile["ceterms:source"] == f"{site.base_url}/reports/{year}/"
            assert profile["ceterms:dateEffective"] == f"{year - 1}-07-01"
            assert profile["ceterms:expirationDate"] == f"{year}-06-30"
            if state is not None:
                (where,) = profile["ceterms:jurisdiction"]
                (place,) = where["ceterms:mainJurisdiction"]
                assert text(place["ceterms:name"]) == state.name
            else:
                assert "ceterms:jurisdiction" not in profile
            by_year[year] = profile["ceterms:numberAwarded"]
        assert by_year == {year: count for (credential, year), count in shown.items() if credential == key}
        assert not {year for credential, year in hidden if credential == key} & set(by_year)


def test_no_hidden_count_appears_in_the_ctdl(site: OpenData) -> None:
    """Every number awarded anywhere in the CTDL files is a count a report page shows."""
    shown, hidden = published_counts(site)
    published = set(shown.values())
    for name, document in documents(site):
        for node in nodes(document):
            if "ceterms:numberAwarded" in node:
                assert node["ceterms:numberAwarded"] in published, name
    if site.catalog.site.jurisdiction is not None:  # the sample hides some statewide counts
        assert hidden


def test_ctdl_counts_follow_the_published_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documents are written on every build from that build's statewide counts: a build
    that reuses the cached reports and pages of an earlier one still writes them, and new
    outcome data changes them."""
    monkeypatch.delenv("CREDSITE_NO_CACHE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    catalog_dir = write_catalog(tmp_path)
    write_outcomes(catalog_dir)

    def awarded(out: Path) -> int | None:
        document = json.loads((out / "data/credentials/net-pro.jsonld").read_text())
        (profile,) = document.get("ceterms:aggregateData", [None])
        return profile["ceterms:numberAwarded"] if profile else None

    build(catalog_dir, tmp_path / "first")
    first = awarded(tmp_path / "first")
    said: list[str] = []
    build(catalog_dir, tmp_path / "cached", progress=said.append)
    assert any("unchanged since an earlier build" in line for line in said), said
    assert any(line.startswith("reused") for line in said), said  # the report pages too
    assert awarded(tmp_path / "cached") == first
    attainment = catalog_dir / "outcomes/2024/attainment.csv"
    attainment.write_text(attainment.read_text().replace("2024,100001,net-pro,40", "2024,100001,net-pro,50"))
    build(catalog_dir, tmp_path / "changed")
    assert first is not None and awarded(tmp_path / "changed") == first + 10


# --- the list and the graph ---------------------------------------------------------------------


def test_collection_has_one_dated_member_per_credential(site: OpenData) -> None:
    catalog = site.catalog
    collection = site.json("ctdl/collection.jsonld")
    assert collection["@context"] == CONTEXT
    assert collection["@type"] == "ceterms:Collection"
    assert collection["@id"] == f"{site.base_url}/data/ctdl/collection.jsonld"
    assert collection.get("ceterms:ctid") == catalog.site.ctid
    assert catalog.site.ctid is not None, "site.yml has no CTID: run credsite ctid --assign"
    assert text(collection["ceterms:name"]) == catalog.site.title
    assert collection["ceterms:inLanguage"] == [catalog.site.language]
    assert collection["ceterms:subjectWebpage"] == f"{site.base_url}/"
    if catalog.site.agency is not None:
        (owner,) = collection["ceterms:ownedBy"]
        assert text(owner["ceterms:name"]) == catalog.site.agency.name
    else:
        assert "ceterms:ownedBy" not in collection
    members = {member["ceterms:proxyFor"]: member for member in collection["ceterms:hasMember"]}
    assert len(members) == len(collection["ceterms:hasMember"]) == len(catalog.credentials)
    for key, credential in catalog.credentials.items():
        member = members[site.jsonld_url(key)]
        assert member["@type"] == "ceterms:CollectionMember"
        assert site.json(f"credentials/{key}.jsonld")["@id"] == member["ceterms:proxyFor"]
        assert member["ceterms:startDate"] == credential.approved.isoformat()
        assert member.get("ceterms:endDate") == (credential.sunset.isoformat() if credential.sunset else None)
        status = text(member["ceterms:description"])
        assert {"approved": "On the list since", "sunsetting": "sunsetting", "retired": "Retired"}[
            credential.status
        ] in status


def test_graph_holds_the_same_nodes_as_the_single_files(site: OpenData) -> None:
    graph = site.json("ctdl/graph.jsonld")
    assert set(graph) == {"@context", "@graph"} and graph["@context"] == CONTEXT
    singles = [site.json("ctdl/collection.jsonld")] + [
        site.json(f"credentials/{key}.jsonld") for key in sorted(site.catalog.credentials)
    ]
    assert graph["@graph"] == [
        {key: value for key, value in document.items() if key != "@context"} for document in singles
    ]


# --- schema.org on the pages --------------------------------------------------------------------


def test_schema_org_is_recognized_by_the_agency_and_provided_by_the_issuer(site: OpenData) -> None:
    agency = site.catalog.site.agency
    for key, credential in site.catalog.credentials.items():
        tree = site.page(f"credentials/{key}/index.html")
        data = json.loads(tree.css_first("script[type='application/ld+json']").text())
        issuer = site.catalog.issuers[credential.issuer]
        assert data["provider"] == {"@type": "Organization", "name": issuer.name, "url": issuer.url}
        if agency is None or credential.status == "retired":
            assert "recognizedBy" not in data, key
        else:
            assert data["recognizedBy"] == {
                "@type": "GovernmentOrganization",
                "name": agency.name,
                "url": agency.url,
            }


# --- from the catalog alone (no build) ----------------------------------------------------------

LIST_SITE = """\
title: Listland Credentials
description: The state list, as the office keeps it.
base_url: https://creds.listland.example
living_wage_usd: 40000
current_year: 2025
agency:
  name: Listland Office of Careers
  url: https://careers.listland.example
jurisdiction:
  name: Listland
  code: US-LL
"""


def list_facts(key: str, status: str = "approved", ctid: str | None = None) -> str:
    """A credential file of list facts only (SPEC 8)."""
    sunset = "sunset: 2024-06-30\n" if status != "approved" else ""
    ctid_line = f"ctid: {ctid}\n" if ctid else ""
    return (
        f"---\nid: {key}\nname: {key.title()}\nissuer: netco\ncareer_fields: [it]\npoints: 2\n"
        f"status: {status}\napproved: 2020-07-01\n{sunset}{ctid_line}---\n"
    )


def load(catalog_dir: Path) -> Catalog:
    return validate(catalog_dir).catalog


def test_a_credential_of_list_facts_has_only_what_is_known(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    (catalog_dir / "issuers").mkdir(parents=True)
    (catalog_dir / "credentials").mkdir()
    (catalog_dir / "site.yml").write_text(LIST_SITE)
    (catalog_dir / "career-fields.yml").write_text("- id: it\n  name: IT\n  description: Computers.\n")
    (catalog_dir / "issuers/netco.yml").write_text("name: NetCo\n")
    (catalog_dir / "credentials/net-basics.md").write_text(list_facts("net-basics", ctid=ctid_of("x")))
    (catalog_dir / "credentials/old-net.md").write_text(list_facts("old-net", status="retired"))
    catalog = load(catalog_dir)
    derived = derive(catalog)
    basics = ctdl.credential_document(catalog, derived, None, "net-basics")
    assert set(basics) == {
        "@context", "@id", "@type", "ceterms:ctid", "ceterms:name", "ceterms:subjectWebpage",
        "ceterms:inLanguage", "ceterms:ownedBy", "ceterms:approvedBy", "ceterms:dateEffective",
        "ceterms:audienceLevelType",
    }  # fmt: skip
    assert basics["@type"] == "ceterms:Credential"
    assert basics["ceterms:ctid"] == ctid_of("x")
    assert basics["ceterms:ownedBy"] == [
        {"@type": "ceterms:CredentialOrganization", "ceterms:name": {"en-US": "NetCo"}}
    ]
    old = ctdl.credential_document(catalog, derived, None, "old-net")
    # no CTID yet: left out, never made up; retired: no longer approved
    assert "ceterms:ctid" not in old and "ceterms:approvedBy" not in old
    collection = ctdl.collection_document(catalog)
    assert "ceterms:ctid" not in collection
    graph = ctdl.graph_document(catalog, [ctdl.credential_node(catalog, derived, None, "net-basics")])
    for document in (basics, old, collection, graph):
        assert vocabulary.problems(document) == []
        assert vocabulary.lost_terms(document) == []
        for node in nodes(document):
            assert None not in node.values()


def test_ctids_come_from_the_files_never_from_the_address(tmp_path: Path) -> None:
    catalog_dir = write_catalog(tmp_path)
    first = load(catalog_dir)
    site_yml = catalog_dir / "site.yml"
    site_yml.write_text(site_yml.read_text().replace("creds.northland.example", "other.example"))
    moved = load(catalog_dir)
    for catalog in (first, moved):
        derived = derive(catalog)
        for key in catalog.credentials:
            document = ctdl.credential_document(catalog, derived, None, key)
            assert document["ceterms:ctid"] == ctid_of(key)
        assert ctdl.collection_document(catalog)["ceterms:ctid"] == ctid_of("site.yml")
