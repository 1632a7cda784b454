"""Emitted JSON-LD is checked against the real CTDL vocabulary, offline (issue 27).

Documents here are written by hand: the right ones pass, and each kind of mistake gives exactly
one expected problem line. Expansion uses pyld with the offline loader; the schema and the
context are read once per session (both are cached by the module).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
import socket
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from pyld import jsonld

from site_builder.linkeddata import vocabulary as vocab
from site_builder.linkeddata.vocabulary import (
    CTDL_CONTEXT_URL,
    OfflineLoaderRefused,
    context,
    document_loader,
    lost_terms,
    problems,
    term_status,
    terms_used,
    vocabulary,
)

PACKAGE = Path(vocab.__file__).parent
PROJECT = Path(__file__).resolve().parent.parent


# --- hand-written documents ---------------------------------------------------------------------


def alignment(node: str, framework: str | None = None, name: str | None = None) -> dict:
    aligned: dict = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": node}
    if framework is not None:
        aligned["ceterms:framework"] = framework
    if name is not None:
        aligned["ceterms:targetNodeName"] = {"en-US": name}
    return aligned


def credential() -> dict:
    """A credential using a language map, typed dates, IRI references, concepts and profiles."""
    return {
        "@context": CTDL_CONTEXT_URL,
        "@id": "https://credentials.example.gov/data/ctdl/credentials/aws-cw.json",
        "@type": "ceterms:Certification",
        "ceterms:ctid": "ce-0b4f8a52-6c7e-4f1a-9a43-5a1e0f6b2c11",
        "ceterms:name": {"en-US": "Certified Welder", "es-US": "Soldador certificado"},
        "ceterms:description": {"en-US": "Shows a welder can make sound welds to code."},
        "ceterms:subjectWebpage": "https://credentials.example.gov/credentials/aws-cw/",
        "ceterms:inLanguage": ["en-US"],
        "ceterms:dateEffective": "2024-07-01",
        "ceterms:renewalFrequency": "P3Y",
        "ceterms:isNonCredit": True,
        "ceterms:sameAs": [
            "https://credentialengineregistry.org/resources/ce-11111111-2222-4333-8444-555555555555"
        ],
        "ceterms:ownedBy": [
            {
                "@type": "ceterms:CredentialOrganization",
                "ceterms:name": {"en-US": "American Welding Society"},
                "ceterms:subjectWebpage": "https://www.aws.org/",
            }
        ],
        "ceterms:credentialStatusType": alignment(
            "credentialStat:Active", "https://credreg.net/ctdl/terms/CredentialStatus", "Active"
        ),
        "ceterms:audienceLevelType": [alignment("audLevel:SecondaryLevel", "ceterms:AudienceLevel")],
        "ceterms:occupationType": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": "https://www.bls.gov/soc/",
                "ceterms:frameworkName": {"en-US": "Standard Occupational Classification"},
                "ceterms:codedNotation": "51-4121",
                "ceterms:targetNodeName": {"en-US": "Welders, Cutters, Solderers, and Brazers"},
            }
        ],
        "ceterms:estimatedCost": [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:description": {"en-US": "Exam fee"},
                "ceterms:costDetails": "https://credentials.example.gov/credentials/aws-cw/",
                "ceterms:directCostType": alignment(
                    "costType:StandaloneAssessment", "https://credreg.net/ctdl/terms/CostType"
                ),
                "ceterms:price": 125.5,
                "ceterms:currency": "USD",
            }
        ],
        "ceterms:isPreparationFor": [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": {"en-US": "Prepares for these credentials."},
                "ceterms:targetCredential": [
                    "https://credentials.example.gov/data/ctdl/credentials/aws-cwi.json"
                ],
            }
        ],
        "ceterms:aggregateData": [
            {
                "@type": "ceterms:AggregateDataProfile",
                "ceterms:numberAwarded": 412,
                "ceterms:dateEffective": "2023-07-01",
                "ceterms:expirationDate": "2024-06-30",
                "ceterms:source": "https://credentials.example.gov/reports/2023-24/",
                "ceterms:jurisdiction": [
                    {
                        "@type": "ceterms:JurisdictionProfile",
                        "ceterms:mainJurisdiction": [
                            {
                                "@type": "ceterms:Place",
                                "ceterms:addressRegion": {"en-US": "Example State"},
                                "ceterms:addressCountry": {"en-US": "US"},
                            }
                        ],
                    }
                ],
            }
        ],
    }


def collection_graph() -> dict:
    """The state's list as a ceterms:Collection with dated members, and a credential, in @graph."""
    member = {
        "@type": "ceterms:CollectionMember",
        "ceterms:name": {"en-US": "Certified Welder"},
        "ceterms:proxyFor": "https://credentials.example.gov/data/ctdl/credentials/aws-cw.json",
        "ceterms:startDate": "2024-07-01",
        "ceterms:endDate": "2027-06-30",
    }
    listed = credential()
    del listed["@context"]
    return {
        "@context": CTDL_CONTEXT_URL,
        "@graph": [
            {
                "@id": "https://credentials.example.gov/data/ctdl/collection.jsonld",
                "@type": "ceterms:Collection",
                "ceterms:ctid": "ce-7d3e2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6",
                "ceterms:name": {"en-US": "Example State industry-recognized credentials"},
                "ceterms:inLanguage": ["en-US"],
                "ceterms:subjectWebpage": "https://credentials.example.gov/",
                "ceterms:ownedBy": [
                    {"@type": "ceterms:Organization", "ceterms:name": {"en-US": "Example Agency"}}
                ],
                "ceterms:lifeCycleStatusType": alignment("lifeCycle:Active", "ceterms:LifeCycleStatus"),
                "ceterms:hasMember": [member],
            },
            listed,
        ],
    }


def test_right_documents_have_no_problems() -> None:
    assert problems(credential()) == []
    assert problems(collection_graph()) == []


def test_concepts_and_schemes_may_be_written_in_full() -> None:
    document = credential()
    document["ceterms:audienceLevelType"] = [
        alignment(
            "https://purl.org/ctdl/vocabs/audLevel/SecondaryLevel",
            "https://purl.org/ctdl/terms/AudienceLevel",
        )
    ]
    assert problems(document) == []


# --- each kind of mistake gives exactly one line -----------------------------------------------

Change = Callable[[dict], None]


def at(*keys: str | int) -> Callable[[dict], dict]:
    def find(document: dict) -> dict:
        node = document
        for key in keys:
            node = node[key]
        return node

    return find


def setting(where: Callable[[dict], dict], key: str, value: object) -> Change:
    def change(document: dict) -> None:
        where(document)[key] = value

    return change


root = at()
cost = at("ceterms:estimatedCost", 0)
aggregate = at("ceterms:aggregateData", 0)
level = at("ceterms:audienceLevelType", 0)

MISTAKES: dict[str, tuple[Change, str]] = {
    "unknown property": (
        setting(root, "ceterms:nmae", {"en-US": "Welder"}),
        "ceterms:nmae: unknown property ceterms:nmae (not an rdf:Property of CTDL)",
    ),
    "class used as a property": (
        setting(root, "ceterms:CostProfile", "x"),
        "ceterms:CostProfile: ceterms:CostProfile is a rdfs:Class, not a property (rdf:Property) of CTDL",
    ),
    "unknown class": (
        setting(root, "@type", "ceterms:Certfication"),
        "@type: unknown class ceterms:Certfication",
    ),
    "concept used as a class": (
        setting(cost, "@type", "costType:Tuition"),
        "ceterms:estimatedCost[0].@type: costType:Tuition is a skos:Concept, not a class (rdfs:Class) of CTDL",
    ),
    "node without a type": (
        lambda document: cost(document).pop("@type"),
        "ceterms:estimatedCost[0]: node has no @type",
    ),
    "property outside its domain": (
        setting(root, "ceterms:price", 125),
        "ceterms:price: ceterms:price is not a property of ceterms:Certification (its domain: ceterms:CostProfile)",
    ),
    "property outside its domain, deep": (
        setting(cost, "ceterms:numberAwarded", 3),
        "ceterms:estimatedCost[0].ceterms:numberAwarded: ceterms:numberAwarded is not a property of "
        "ceterms:CostProfile (its domain: ceterms:AggregateDataProfile, ceterms:HoldersProfile)",
    ),
    "object of a type out of range": (
        setting(root, "ceterms:ownedBy", [{"@type": "ceterms:CostProfile"}]),
        "ceterms:ownedBy[0].@type: ceterms:CostProfile is not in the range of ceterms:ownedBy "
        "(ceterms:CredentialOrganization, ceterms:Organization, ceterms:QACredentialOrganization)",
    ),
    "object where a literal belongs": (
        setting(root, "ceterms:ctid", {"@type": "ceterms:IdentifierValue"}),
        "ceterms:ctid: an object does not fit ceterms:ctid: expected a string",
    ),
    "language map where a plain string belongs": (
        setting(root, "ceterms:ctid", {"en-US": "ce-0b4f8a52-6c7e-4f1a-9a43-5a1e0f6b2c11"}),
        "ceterms:ctid: a language map does not fit ceterms:ctid: expected a string",
    ),
    "language map where a node belongs": (
        setting(root, "ceterms:ownedBy", [{"en-US": "American Welding Society"}]),
        "ceterms:ownedBy[0]: a language map does not fit ceterms:ownedBy: expected a node or IRI of "
        "ceterms:CredentialOrganization, ceterms:Organization, ceterms:QACredentialOrganization",
    ),
    "reference where a literal belongs": (
        setting(root, "ceterms:dateEffective", {"@id": "https://example.org/"}),
        "ceterms:dateEffective: a node reference does not fit ceterms:dateEffective: expected a date YYYY-MM-DD",
    ),
    "xsd:date, impossible day": (
        setting(root, "ceterms:dateEffective", "2024-02-30"),
        'ceterms:dateEffective: "2024-02-30" does not fit ceterms:dateEffective: expected a date YYYY-MM-DD',
    ),
    "xsd:date, US order": (
        setting(root, "ceterms:dateEffective", "07/01/2024"),
        'ceterms:dateEffective: "07/01/2024" does not fit ceterms:dateEffective: expected a date YYYY-MM-DD',
    ),
    "xsd:dateTime": (
        setting(root, "ceterms:startTime", "2024-07-01 09:00"),
        'ceterms:startTime: "2024-07-01 09:00" does not fit ceterms:startTime: '
        "expected a date and time YYYY-MM-DDThh:mm:ss",
    ),
    "xsd:integer, a boolean": (
        setting(aggregate, "ceterms:numberAwarded", True),
        "ceterms:aggregateData[0].ceterms:numberAwarded: true does not fit ceterms:numberAwarded: "
        "expected an integer",
    ),
    "xsd:integer, a fraction": (
        setting(aggregate, "ceterms:numberAwarded", 41.5),
        "ceterms:aggregateData[0].ceterms:numberAwarded: 41.5 does not fit ceterms:numberAwarded: "
        "expected an integer",
    ),
    "xsd:decimal": (
        setting(cost, "ceterms:price", "125.50"),
        'ceterms:estimatedCost[0].ceterms:price: "125.50" does not fit ceterms:price: expected a number',
    ),
    "xsd:float": (
        setting(level, "ceterms:weight", "heavy"),
        'ceterms:audienceLevelType[0].ceterms:weight: "heavy" does not fit ceterms:weight: expected a number',
    ),
    "xsd:boolean": (
        setting(root, "ceterms:isNonCredit", "yes"),
        'ceterms:isNonCredit: "yes" does not fit ceterms:isNonCredit: expected true or false',
    ),
    "xsd:string": (
        setting(root, "ceterms:ctid", 42),
        "ceterms:ctid: 42 does not fit ceterms:ctid: expected a string",
    ),
    "xsd:anyURI": (
        setting(root, "ceterms:subjectWebpage", "www.example.org"),
        'ceterms:subjectWebpage: "www.example.org" does not fit ceterms:subjectWebpage: '
        "expected an absolute http(s) URL or a compact IRI of a known prefix",
    ),
    "xsd:anyURI, unknown prefix": (
        setting(root, "ceterms:subjectWebpage", "example:home"),
        'ceterms:subjectWebpage: "example:home" does not fit ceterms:subjectWebpage: '
        "expected an absolute http(s) URL or a compact IRI of a known prefix",
    ),
    "schema:Duration": (
        setting(root, "ceterms:renewalFrequency", "3 years"),
        'ceterms:renewalFrequency: "3 years" does not fit ceterms:renewalFrequency: '
        "expected an ISO 8601 duration like P3Y",
    ),
    "xsd:language": (
        setting(root, "ceterms:inLanguage", ["English"]),
        'ceterms:inLanguage[0]: "English" does not fit ceterms:inLanguage: '
        "expected a BCP 47 language tag like en-US",
    ),
    "rdf:langString, a plain string": (
        setting(root, "ceterms:name", "Certified Welder"),
        'ceterms:name: "Certified Welder" does not fit ceterms:name: expected a language map like {"en-US": "text"}',
    ),
    "language map with a bad tag": (
        setting(root, "ceterms:name", {"en_US": "Certified Welder"}),
        'ceterms:name.en_US: language map key "en_US" is not a BCP 47 language tag',
    ),
    "language map with a word for a tag": (
        setting(root, "ceterms:description", {"english": "Shows a welder can weld."}),
        'ceterms:description.english: language map key "english" is not a BCP 47 language tag',
    ),
    "language map with empty text": (
        setting(cost, "ceterms:description", {"en-US": " "}),
        'ceterms:estimatedCost[0].ceterms:description.en-US: the text must be a non-empty string, not " "',
    ),
    "class range, a plain word": (
        setting(root, "ceterms:ownedBy", ["American Welding Society"]),
        'ceterms:ownedBy[0]: "American Welding Society" does not fit ceterms:ownedBy: expected a node or IRI '
        "of ceterms:CredentialOrganization, ceterms:Organization, ceterms:QACredentialOrganization",
    ),
    "null value": (
        setting(root, "ceterms:description", None),
        "ceterms:description: null does not fit ceterms:description: leave the property out instead",
    ),
    "unknown concept": (
        setting(level, "ceterms:targetNode", "audLevel:HighSchoolLevel"),
        "ceterms:audienceLevelType[0].ceterms:targetNode: unknown concept audLevel:HighSchoolLevel",
    ),
    "unknown concept, written in full": (
        setting(level, "ceterms:targetNode", "https://purl.org/ctdl/vocabs/audLevel/HighSchoolLevel"),
        "ceterms:audienceLevelType[0].ceterms:targetNode: unknown concept audLevel:HighSchoolLevel",
    ),
    "concept from the wrong scheme (framework)": (
        setting(level, "ceterms:targetNode", "costType:Tuition"),
        "ceterms:audienceLevelType[0].ceterms:targetNode: costType:Tuition is in ceterms:CostType, "
        "not in ceterms:AudienceLevel named by ceterms:framework",
    ),
    "concept from the wrong scheme (the property's target scheme)": (
        lambda document: level(document).update(
            {
                "ceterms:framework": "https://credreg.net/ctdl/terms/CostType",
                "ceterms:targetNode": "costType:Tuition",
            }
        ),
        "ceterms:audienceLevelType[0].ceterms:targetNode: costType:Tuition is in ceterms:CostType, "
        "not in ceterms:AudienceLevel, the target scheme of ceterms:audienceLevelType",
    ),
    "framework naming no concept scheme": (
        setting(level, "ceterms:framework", "https://credreg.net/ctdl/terms/AudienceLevels"),
        "ceterms:audienceLevelType[0].ceterms:framework: https://credreg.net/ctdl/terms/AudienceLevels names "
        "ceterms:AudienceLevels, which is not a CTDL concept scheme",
    ),
    "a keyword we do not use": (
        setting(cost, "@value", 125),
        "ceterms:estimatedCost[0].@value: JSON-LD keyword @value is not used in CTDL documents",
    ),
    "wrong context": (
        setting(root, "@context", "https://schema.org/"),
        '@context: "https://schema.org/" is not the CTDL context https://credreg.net/ctdl/schema/context/json',
    ),
    "relative @id": (
        setting(root, "@id", "credentials/aws-cw.json"),
        '@id: "credentials/aws-cw.json" is not an absolute http(s) URL or a compact IRI',
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_each_mistake_gives_exactly_the_expected_line(mistake: str) -> None:
    change, line = MISTAKES[mistake]
    document = credential()
    change(document)
    assert problems(document) == [line]


def test_mistakes_in_a_graph_are_placed_by_their_json_path() -> None:
    document = collection_graph()
    document["@graph"][1]["ceterms:estimatedCost"][0]["ceterms:price"] = "ten"
    document["@graph"][0]["ceterms:hasMember"][0]["ceterms:startDate"] = "July 2024"
    assert problems(document) == [
        '@graph[0].ceterms:hasMember[0].ceterms:startDate: "July 2024" does not fit ceterms:startDate: '
        "expected a date YYYY-MM-DD",
        '@graph[1].ceterms:estimatedCost[0].ceterms:price: "ten" does not fit ceterms:price: expected a number',
    ]


def test_a_graph_document_carries_nothing_but_context_id_and_graph() -> None:
    document = collection_graph()
    document["ceterms:name"] = {"en-US": "The list"}
    del document["@context"]
    assert problems(document) == [
        "@context: missing; expected https://credreg.net/ctdl/schema/context/json",
        "ceterms:name: not allowed beside @graph (the graph's nodes carry the data)",
    ]


def test_properties_whose_domain_leaves_out_the_collection() -> None:
    """The statewide counts and the credential status are said of credentials, not of the list."""
    document = collection_graph()
    the_list = document["@graph"][0]
    the_list["ceterms:credentialStatusType"] = alignment("credentialStat:Active", "ceterms:CredentialStatus")
    the_list["ceterms:dateEffective"] = "2024-07-01"  # allowed: Collection is in its domain
    assert problems(document) == [
        "@graph[0].ceterms:credentialStatusType: ceterms:credentialStatusType is not a property of "
        "ceterms:Collection (its domain: ceterms:ApprenticeshipCertificate, ceterms:AssociateDegree, "
        "ceterms:AssociateOfAppliedArtsDegree and 29 more)"
    ]


# --- deprecated terms ---------------------------------------------------------------------------


def test_the_shipped_copy_marks_nothing_deprecated_only_stable_and_unstable() -> None:
    words = vocabulary()
    statuses = {
        node["vs:term_status"]
        for kind in (words.classes, words.properties, words.concepts)
        for node in kind.values()
    }
    assert statuses == {"vs:stable", "vs:unstable"}
    assert words.deprecated == {}
    # Deprecated is a credential *status* (a concept), not a deprecated term
    assert term_status("credentialStat:Deprecated") == "vs:stable"
    assert term_status("ceterms:Collection") == "vs:unstable"
    assert term_status("ceterms:hasMember") == "vs:unstable"
    assert term_status("ceterms:NoSuchThing") is None


@pytest.mark.parametrize(
    ("marks", "reason"),
    [
        ({"vs:term_status": "vs:deprecated"}, "vs:deprecated"),
        ({"vs:term_status": "vs:stable", "owl:deprecated": True}, "owl:deprecated"),
        (
            {"vs:term_status": "vs:stable", "meta:supersededBy": ["ceterms:codedNotation"]},
            "meta:supersededBy ceterms:codedNotation",
        ),
    ],
)
def test_a_deprecated_term_is_a_problem(marks: dict, reason: str) -> None:
    assert vocab._deprecation(marks) == reason


def test_deprecated_property_class_and_concept_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    marked = {
        "ceterms:currency": "vs:deprecated",
        "ceterms:CostProfile": "vs:deprecated",
        "costType:StandaloneAssessment": "owl:deprecated",
    }
    monkeypatch.setattr(vocab, "vocabulary", lambda: dataclasses.replace(vocabulary(), deprecated=marked))
    assert problems(credential()) == [
        "ceterms:estimatedCost[0].@type: ceterms:CostProfile is deprecated in CTDL (vs:deprecated)",
        "ceterms:estimatedCost[0].ceterms:directCostType.ceterms:targetNode: costType:StandaloneAssessment "
        "is deprecated in CTDL (owl:deprecated)",
        "ceterms:estimatedCost[0].ceterms:currency: ceterms:currency is deprecated in CTDL (vs:deprecated)",
    ]


# --- the shipped schema -------------------------------------------------------------------------


def test_the_shipped_schema_is_the_copy_named_in_its_source_note() -> None:
    note = (PACKAGE / "SOURCE.md").read_text(encoding="utf-8")
    for fact in (
        "Credential Engine",
        "CredentialEngine/credential-registry-publish-action",
        "src/ctdl-schema.json",
        "61425be",
        "2023-10-08",
        "Apache License 2.0",
        "https://credreg.net/ctdl/terms",
    ):
        assert fact in note
    digest = hashlib.sha256((PACKAGE / vocab.SCHEMA_FILE).read_bytes()).hexdigest()
    assert re.search(r"`([0-9a-f]{64})`", note).group(1) == digest


def test_the_schema_is_installed_as_package_data() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["site_builder.linkeddata"]
    for name in (vocab.SCHEMA_FILE, "SOURCE.md"):
        assert any(Path(name).match(pattern) for pattern in patterns), name


def test_the_vocabulary_is_read_whole_and_once() -> None:
    words = vocabulary()
    assert vocabulary() is words
    assert (len(words.classes), len(words.properties), len(words.concepts), len(words.schemes)) == (
        110,
        338,
        325,
        27,
    )
    assert "ceterms:Credential" in words.ancestors("ceterms:Certification")
    assert words.target_schemes("ceterms:directCostType") == ["ceterms:CostType"]


def test_terms_used_lists_properties_classes_and_concepts() -> None:
    used = terms_used(credential())
    assert {
        "ceterms:Certification",
        "ceterms:name",
        "ceterms:price",
        "audLevel:SecondaryLevel",
        "credentialStat:Active",
    } <= used
    assert "en-US" not in used and "@id" not in used
    assert all(vocabulary().term(term) for term in used)


# --- the derived context and the offline loader ------------------------------------------------


def test_the_context_is_derived_from_the_schema() -> None:
    derived = context()["@context"]
    assert derived["@version"] == 1.1
    assert derived["ceterms"] == "https://purl.org/ctdl/terms/"
    assert derived["ceasn"] == "https://purl.org/ctdlasn/terms/"
    assert derived["qdata"] == "https://credreg.net/qdata/terms/"
    assert derived["audLevel"] == "https://purl.org/ctdl/vocabs/audLevel/"
    assert derived["costType"] == "https://purl.org/ctdl/vocabs/costType/"
    assert derived["credentialStat"] == "https://purl.org/ctdl/vocabs/credentialStat/"
    assert derived["ceterms:name"] == {"@container": "@language"}
    assert derived["ceterms:subjectWebpage"] == {"@type": "@id"}  # xsd:anyURI
    assert derived["ceterms:ownedBy"] == {"@type": "@id"}  # only classes
    assert derived["ceterms:dateEffective"] == {"@type": "xsd:date"}
    assert "ceterms:price" not in derived  # numbers stay native JSON numbers
    words = vocabulary()
    for prop in words.properties:
        if "rdf:langString" in words.ranges(prop):
            assert derived[prop] == {"@container": "@language"}, prop
    # every concept prefix of the schema is defined
    assert {concept.split(":")[0] for concept in words.concepts} <= set(derived)


def test_the_context_is_a_fresh_copy_each_time() -> None:
    context()["@context"]["ceterms"] = "changed"
    assert context()["@context"]["ceterms"] == "https://purl.org/ctdl/terms/"


@pytest.mark.parametrize(
    "url",
    [
        "https://credreg.net/ctdl/schema/context/json",
        "https://credreg.net/ctdl/schema/context/json/",
        "http://credreg.net/ctdl/schema/context/json",
        "http://credreg.net/ctdl/schema/context/json/",
    ],
)
def test_the_loader_serves_the_ctdl_context(url: str) -> None:
    loaded = document_loader()(url, {})
    assert loaded["document"] == context()
    assert loaded["documentUrl"] == url


@pytest.mark.parametrize(
    "url",
    [
        "https://schema.org/",
        "https://credreg.net/ctdlasn/schema/context/json",
        "https://credreg.net/ctdl/schema/context/json?x=1",
    ],
)
def test_the_loader_refuses_every_other_url(url: str) -> None:
    with pytest.raises(OfflineLoaderRefused, match="refusing to load"):
        document_loader()(url, {})


def test_expanding_with_another_context_fails_clearly_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(jsonld.JsonLdError) as raised:
        jsonld.expand({"@context": "https://schema.org/", "name": "x"}, {"documentLoader": document_loader()})
    assert isinstance(raised.value.__cause__, OfflineLoaderRefused)
    # and the CTDL context needs no network at all
    assert lost_terms(credential()) == []


# --- expansion: no term drops out ---------------------------------------------------------------


def expanded(document: dict) -> dict:
    (node,) = jsonld.expand(copy.deepcopy(document), {"documentLoader": document_loader()})
    return node


def test_a_language_map_a_date_an_iri_and_a_concept_expand_fully() -> None:
    document = credential()
    assert lost_terms(document) == []
    node = expanded(document)
    terms = "https://purl.org/ctdl/terms/"
    assert {"@value": "Soldador certificado", "@language": "es-us"} in node[terms + "name"]
    assert node[terms + "dateEffective"] == [
        {"@value": "2024-07-01", "@type": "http://www.w3.org/2001/XMLSchema#date"}
    ]
    assert node[terms + "subjectWebpage"] == [{"@id": "https://credentials.example.gov/credentials/aws-cw/"}]
    (status,) = node[terms + "credentialStatusType"]
    assert status[terms + "targetNode"] == [{"@id": "https://purl.org/ctdl/vocabs/credentialStat/Active"}]
    (level,) = node[terms + "audienceLevelType"]
    assert level[terms + "framework"] == [{"@id": "https://purl.org/ctdl/terms/AudienceLevel"}]


def test_a_graph_expands_fully() -> None:
    assert lost_terms(collection_graph()) == []


LOSSES: dict[str, tuple[Change, list[str]]] = {
    "an unknown prefix on a key": (
        setting(root, "ctdl:name", {"en-US": "Certified Welder"}),
        ["ctdl:name: ctdl:name has no IRI: unknown prefix, so the property is lost"],
    ),
    "a key with no prefix": (
        setting(root, "name", "Certified Welder"),
        ["name: name has no IRI: unknown prefix, so the property is lost"],
    ),
    "a language map on a property without @container @language": (
        setting(root, "ceterms:ctid", {"en-US": "ce-0b4f8a52-6c7e-4f1a-9a43-5a1e0f6b2c11"}),
        [
            'ceterms:ctid.en-US: "ce-0b4f8a52-6c7e-4f1a-9a43-5a1e0f6b2c11" dropped out of the expansion '
            "(is ceterms:ctid a language map, with @container @language?)"
        ],
    ),
    "a concept with an unknown prefix": (
        setting(level, "ceterms:targetNode", "audienceLevel:SecondaryLevel"),
        [
            'ceterms:audienceLevelType[0].ceterms:targetNode: "audienceLevel:SecondaryLevel" became the IRI '
            '"audienceLevel:SecondaryLevel": unknown prefix'
        ],
    ),
    "a class with an unknown prefix": (
        setting(cost, "@type", "ctdl:CostProfile"),
        ['ceterms:estimatedCost[0].@type: "ctdl:CostProfile" has no IRI: unknown prefix'],
    ),
}


@pytest.mark.parametrize("loss", LOSSES, ids=list(LOSSES))
def test_lost_terms_catches_what_expansion_drops(loss: str) -> None:
    change, lines = LOSSES[loss]
    document = credential()
    change(document)
    assert lost_terms(document) == lines


def test_lost_terms_catches_a_context_without_containers_or_iri_coercion() -> None:
    """The same credential under a bare prefix context loses its texts and its IRIs become strings."""
    document = {
        "@context": {
            "ceterms": "https://purl.org/ctdl/terms/",
            "credentialStat": "https://purl.org/ctdl/vocabs/credentialStat/",
        },
        "@type": "ceterms:Certification",
        "ceterms:name": {"en-US": "Certified Welder"},
        "ceterms:subjectWebpage": "https://credentials.example.gov/credentials/aws-cw/",
        "ceterms:credentialStatusType": alignment("credentialStat:Active"),
    }
    assert lost_terms(document) == [
        'ceterms:name.en-US: "Certified Welder" dropped out of the expansion '
        "(is ceterms:name a language map, with @container @language?)",
        'ceterms:subjectWebpage: "https://credentials.example.gov/credentials/aws-cw/" stayed a plain string: '
        "ceterms:subjectWebpage should expand it to an IRI",
        'ceterms:credentialStatusType.ceterms:targetNode: "credentialStat:Active" stayed a plain string: '
        "ceterms:targetNode should expand it to an IRI",
    ]


def test_lost_terms_catches_a_typed_literal_whose_type_does_not_expand() -> None:
    document = {
        "@context": {
            "ceterms": "https://purl.org/ctdl/terms/",
            "ceterms:dateEffective": {"@type": "xs:date"},
        },
        "@type": "ceterms:Certification",
        "ceterms:dateEffective": "2024-07-01",
    }
    assert lost_terms(document) == [
        'ceterms:dateEffective: typed as "xs:date", which is not an absolute IRI (unknown prefix)'
    ]


def test_lost_terms_finds_a_dropped_graph_node_and_an_id_of_unknown_prefix() -> None:
    document = collection_graph()
    document["@graph"][1]["@id"] = "ctdl:aws-cw"
    # a node that says nothing but its @id is dropped by expansion
    document["@graph"].append({"@id": "https://credentials.example.gov/data/ctdl/credentials/x.json"})
    assert lost_terms(document) == [
        '@graph[1].@id: "ctdl:aws-cw" has no IRI: unknown prefix or not a URL',
        "@graph[2]: this node dropped out of the expansion",
    ]
