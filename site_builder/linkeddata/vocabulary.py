"""Check emitted CTDL JSON-LD against the real CTDL vocabulary, offline.

The vocabulary is the copy of Credential Engine's CTDL schema shipped beside this module
(``ctdl-schema-2023-10-08.json``; where it came from is in ``SOURCE.md``). Nothing is downloaded.

Public interface, in plain words:

- ``problems(document) -> list[str]``: everything wrong with one JSON-LD document (one node with
  ``@context``, or a document with ``@graph``), one line each, ``"<JSON path>: <what is wrong>"``,
  e.g. ``@graph[3].ceterms:estimatedCost[0].ceterms:price: "ten" does not fit ceterms:price:
  expected a number``. An empty list means the document uses only CTDL terms, each where CTDL
  allows it, with values that fit.
- ``terms_used(document) -> set[str]``: every CTDL term a document uses: property keys, classes
  in ``@type`` and concepts (compact, e.g. ``audLevel:SecondaryLevel``).
- ``term_status(term) -> str | None``: the term's ``vs:term_status`` in the schema
  (``"vs:stable"``, ``"vs:unstable"``, ...), or None for a term the schema does not define.
- ``context() -> dict``: a JSON-LD 1.1 context document (``{"@context": {...}}``) *derived from the
  schema*, standing in for the official one at ``CTDL_CONTEXT_URL``, which we cannot download.
- ``document_loader()``: a pyld document loader that serves ``context()`` for the CTDL context URL
  (http or https, with or without a trailing slash) and refuses every other URL with
  ``OfflineLoaderRefused``; it never touches the network.
- ``lost_terms(document) -> list[str]``: expands the document with pyld and ``document_loader()``
  and names every compact key or value that has no counterpart in the expansion (an unknown
  prefix, a language map on a property without ``@container: @language``, a concept IRI that
  stayed a plain string, ...). Needs ``pyld`` (a test extra), imported only when called.
- ``vocabulary() -> Vocabulary``: the parsed schema (classes, properties, concepts, schemes),
  loaded once per process.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

SCHEMA_FILE = "ctdl-schema-2023-10-08.json"
CTDL_CONTEXT_URL = "https://credreg.net/ctdl/schema/context/json"

#: JSON-LD keywords our documents may use; anything else starting with "@" is a problem
ALLOWED_KEYWORDS = ("@context", "@id", "@type", "@graph")

# --- namespaces ---------------------------------------------------------------------------------
#
# The three CTDL vocabularies, as the schema itself and Credential Engine's publishing tools use
# them (https since CTDL moved off http://purl.org/ctdl/terms/).
VOCABULARY_NAMESPACES = {
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "qdata": "https://credreg.net/qdata/terms/",
}
# Other vocabularies whose terms appear in the schema as properties, classes or ranges. CTDL uses
# http://schema.org/ (not https), as Credential Engine's published contexts do.
OTHER_NAMESPACES = {
    "asn": "http://purl.org/ASN/schema/core/",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# Concept-scheme prefixes (audLevel, costType, credentialStat, ...) are taken from the concepts in
# the schema, each mapped to https://purl.org/ctdl/vocabs/<prefix>/. What backs that pattern
# offline (the official context could not be downloaded):
#   - https://purl.org/ctdl/vocabs/creditUnit/ appears as a JSON-LD context entry in the
#     Credential Registry's own test suite (CredentialEngine/CredentialRegistry);
#   - https://purl.org/ctdl/vocabs/lifeCycle/Developing appears as an expanded IRI in a
#     third-party CTDL test;
#   - an older Credential Engine publisher (C#) declares actionStat, agentSector, serviceType,
#     assessMethod, assessUse, audience, claimType, costType, credentialStat, creditUnit,
#     deliveryType, inputType, learnMethod, orgType, residency and score under
#     http://purl.org/ctdl/vocabs/<prefix>/, the http form of the same pattern, from before the
#     move to https (ceterms moved from http to https the same way).
# Not confirmed offline in any form: accommodation, array, audLevel, collectionCategory, compare,
# financialAid, logic, scheduleFrequency, scheduleTiming, support; they are assumed to follow the
# same pattern as every other CTDL concept scheme.
CONCEPT_NAMESPACE = "https://purl.org/ctdl/vocabs/{prefix}/"

# --- ranges -------------------------------------------------------------------------------------

#: ranges that are literals (everything else in schema:rangeIncludes is a class)
LITERAL_RANGES = frozenset(
    {
        "rdf:langString",
        "rdfs:Literal",
        "schema:Duration",
        "xsd:anyURI",
        "xsd:boolean",
        "xsd:date",
        "xsd:dateTime",
        "xsd:decimal",
        "xsd:float",
        "xsd:integer",
        "xsd:language",
        "xsd:string",
    }
)
#: literal ranges the derived context types with "@type". Assumption (the official context could
#: not be checked offline): dates and date-times are typed; numbers and booleans stay native JSON
#: values; strings, durations and language tags stay plain strings.
TYPED_LITERALS = frozenset({"xsd:date", "xsd:dateTime"})

RANGE_WORDS = {
    "rdf:langString": 'a language map like {"en-US": "text"}',
    "rdfs:Literal": "a literal",
    "schema:Duration": "an ISO 8601 duration like P3Y",
    "xsd:anyURI": "an absolute http(s) URL or a compact IRI of a known prefix",
    "xsd:boolean": "true or false",
    "xsd:date": "a date YYYY-MM-DD",
    "xsd:dateTime": "a date and time YYYY-MM-DDThh:mm:ss",
    "xsd:decimal": "a number",
    "xsd:float": "a number",
    "xsd:integer": "an integer",
    "xsd:language": "a BCP 47 language tag like en-US",
    "xsd:string": "a string",
}

#: a term is deprecated when its vs:term_status is one of these, when it carries owl:deprecated,
#: or when it names a replacement (meta:supersededBy, dct:isReplacedBy, ...). The 2023-10-08
#: copy uses only vs:stable and vs:unstable, so nothing in it is deprecated.
DEPRECATED_STATUSES = frozenset({"vs:archaic", "vs:archive", "vs:archived", "vs:deprecated", "vs:superseded"})
REPLACEMENT_KEYS = ("supersededby", "isreplacedby", "replacedby")

# --- literal formats ----------------------------------------------------------------------------

# BCP 47 (RFC 5646) tags: language[-extlang][-script][-region](-variant)*(-extension)*[-x-private],
# or a private-use tag. The primary language subtag is held to the 2-3 letters of ISO 639 (the
# 4-8 letter form is reserved and unused), so that "english" is caught; grandfathered tags are out.
_LANGUAGE_TAG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?"
    r"|x(?:-[A-Za-z0-9]{1,8})+)$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$")
_DURATION = re.compile(
    r"^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_COMPACT_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):(?!//)(\S+)$")
_CONTEXT_URL = re.compile(r"^https?://credreg\.net/ctdl/schema/context/json/?$", re.IGNORECASE)
_CONCEPT_URL = re.compile(r"^https?://(?:purl\.org|credreg\.net)/ctdl/vocabs/([A-Za-z]+)/([^/#?\s]+)/?$")
_CTDL_TERM_URL = re.compile(r"^https?://(?:purl\.org|credreg\.net)/ctdl/terms[/#]([^/#?\s]+)/?$")


def is_language_tag(text: str) -> bool:
    """True when text is a well-formed BCP 47 language tag (en, en-US, zh-Hant-TW, ...)."""
    return bool(_LANGUAGE_TAG.match(text))


def is_absolute_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    if not isinstance(text, str) or any(character.isspace() for character in text):
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- the vocabulary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The CTDL schema, indexed: every term node by its compact IRI, per kind."""

    classes: dict[str, dict]
    properties: dict[str, dict]
    concepts: dict[str, dict]
    schemes: dict[str, dict]
    #: each class with all its superclasses (itself included), following rdfs:subClassOf
    superclasses: dict[str, frozenset[str]]
    #: term -> why it counts as deprecated
    deprecated: dict[str, str]

    def term(self, term: str) -> dict | None:
        return (
            self.properties.get(term)
            or self.classes.get(term)
            or self.concepts.get(term)
            or self.schemes.get(term)
        )

    def ranges(self, prop: str) -> list[str]:
        return list(self.properties[prop].get("schema:rangeIncludes", []))

    def domains(self, prop: str) -> list[str]:
        return list(self.properties[prop].get("schema:domainIncludes", []))

    def target_schemes(self, prop: str) -> list[str]:
        """The concept schemes of the schema a property's values must come from (meta:targetScheme)."""
        node = self.properties.get(prop, {})
        return [scheme for scheme in node.get("meta:targetScheme", []) if scheme in self.schemes]

    def ancestors(self, cls: str) -> frozenset[str]:
        return self.superclasses.get(cls, frozenset({cls}))

    @property
    def concept_prefixes(self) -> frozenset[str]:
        return frozenset(concept.split(":", 1)[0] for concept in self.concepts)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _deprecation(node: dict) -> str | None:
    status = node.get("vs:term_status")
    if status in DEPRECATED_STATUSES:
        return status
    if node.get("owl:deprecated") in (True, "true"):
        return "owl:deprecated"
    for key, value in node.items():
        if key.split(":")[-1].lower() in REPLACEMENT_KEYS and value:
            return f"{key} {', '.join(map(str, _as_list(value)))}"
    return None


@cache
def vocabulary() -> Vocabulary:
    """The shipped CTDL schema, parsed and indexed once per process."""
    text = (resources.files(__package__) / SCHEMA_FILE).read_text(encoding="utf-8")
    graph = json.loads(text)["@graph"]
    kinds: dict[str, dict[str, dict]] = {
        "rdfs:Class": {},
        "rdf:Property": {},
        "skos:Concept": {},
        "skos:ConceptScheme": {},
    }
    for node in graph:
        for kind in _as_list(node.get("@type")):
            if kind in kinds:
                kinds[kind][node["@id"]] = node
    classes = kinds["rdfs:Class"]

    def closure(cls: str) -> frozenset[str]:
        seen = {cls}
        todo = [cls]
        while todo:
            for parent in classes.get(todo.pop(), {}).get("rdfs:subClassOf", []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    deprecated = {node["@id"]: reason for node in graph if (reason := _deprecation(node))}
    return Vocabulary(
        classes=classes,
        properties=kinds["rdf:Property"],
        concepts=kinds["skos:Concept"],
        schemes=kinds["skos:ConceptScheme"],
        superclasses={cls: closure(cls) for cls in classes},
        deprecated=deprecated,
    )


def term_status(term: str) -> str | None:
    """The vs:term_status of a term of the schema ("vs:stable", "vs:unstable", ...), or None."""
    node = vocabulary().term(term)
    return node.get("vs:term_status") if node else None


@cache
def namespaces() -> dict[str, str]:
    """Every prefix the derived context defines, with its namespace IRI."""
    table = dict(VOCABULARY_NAMESPACES)
    table.update(OTHER_NAMESPACES)
    for prefix in sorted(vocabulary().concept_prefixes):
        table.setdefault(prefix, CONCEPT_NAMESPACE.format(prefix=prefix))
    return table


_BLANK_NODE = re.compile(r"_:[A-Za-z0-9][A-Za-z0-9_.-]*")


def expand_iri(text: str) -> str | None:
    """An absolute IRI for a compact IRI of a known prefix or an absolute http(s) URL; a blank node
    identifier (``_:b1``) as it is, since JSON-LD keeps it where an IRI may stand; else None."""
    if is_absolute_url(text) or _BLANK_NODE.fullmatch(text):
        return text
    match = _COMPACT_IRI.match(text)
    if match and match.group(1) in namespaces():
        return namespaces()[match.group(1)] + match.group(2)
    return None


def is_iri(text: Any) -> bool:
    """True for an absolute http(s) URL, a compact IRI whose prefix the context defines, or a
    blank node identifier."""
    return isinstance(text, str) and expand_iri(text) is not None


def concept_of(text: str) -> str | None:
    """The compact IRI of the CTDL concept a value names (compact or expanded form), else None."""
    match = _COMPACT_IRI.match(text)
    if match and match.group(1) in vocabulary().concept_prefixes:
        return text
    match = _CONCEPT_URL.match(text)
    if match and match.group(1) in vocabulary().concept_prefixes:
        return f"{match.group(1)}:{match.group(2)}"
    return None


def scheme_named_by(framework: str) -> str | None:
    """The ceterms term a framework value names (ceterms:X, purl.org or credreg.net URL), else None."""
    if framework.startswith("ceterms:"):
        return framework
    match = _CTDL_TERM_URL.match(framework)
    return f"ceterms:{match.group(1)}" if match else None


# --- checking a document ------------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return path or "(document)"


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _some(terms: Iterable[str], limit: int = 3) -> str:
    ordered = sorted(terms)
    if len(ordered) <= limit:
        return ", ".join(ordered)
    return ", ".join(ordered[:limit]) + f" and {len(ordered) - limit} more"


def _expected(ranges: list[str]) -> str:
    words = [RANGE_WORDS[r] for r in ranges if r in LITERAL_RANGES]
    classes = [r for r in ranges if r not in LITERAL_RANGES]
    if classes:
        words.append(f"a node or IRI of {_some(classes)}")
    return " or ".join(words) if words else "nothing (no range)"


def _literal_fits(value: Any, kind: str) -> bool:
    """Whether a JSON string, number or boolean is a value of one literal range."""
    if isinstance(value, bool):
        return kind in ("xsd:boolean", "rdfs:Literal")
    if isinstance(value, int):
        return kind in ("xsd:integer", "xsd:decimal", "xsd:float", "rdfs:Literal")
    if isinstance(value, float):
        return kind in ("xsd:decimal", "xsd:float", "rdfs:Literal")
    if not isinstance(value, str):
        return False
    if kind in ("xsd:string", "rdfs:Literal"):
        return True
    if kind == "xsd:anyURI":
        return is_iri(value)
    if kind == "xsd:date":
        return bool(_DATE.match(value)) and _parses(date.fromisoformat, value)
    if kind == "xsd:dateTime":
        return bool(_DATE_TIME.match(value)) and _parses(datetime.fromisoformat, value)
    if kind == "schema:Duration":
        return bool(_DURATION.match(value))
    if kind == "xsd:language":
        return is_language_tag(value)
    return False


def _parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _is_language_map(value: dict) -> bool:
    """A JSON object whose keys are neither keywords nor (compact) IRIs: language tags, or junk."""
    return bool(value) and not any(key.startswith("@") or ":" in key for key in value)


class _Checker:
    def __init__(self) -> None:
        self.vocab = vocabulary()
        self.found: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.found.append(f"{_where(path)}: {message}")

    def deprecated(self, path: str, term: str) -> None:
        reason = self.vocab.deprecated.get(term)
        if reason:
            self.problem(path, f"{term} is deprecated in CTDL ({reason})")

    # documents

    def document(self, document: Any) -> list[str]:
        if not isinstance(document, dict):
            self.problem("", f"a JSON-LD document is a JSON object, not {_show(document)}")
            return self.found
        if "@context" not in document:
            self.problem("@context", f"missing; expected {CTDL_CONTEXT_URL}")
        if "@graph" in document:
            for key, value in document.items():
                if key == "@context":
                    self.context(value, key)
                elif key == "@id":
                    self.identifier(value, key)
                elif key != "@graph":
                    self.problem(key, "not allowed beside @graph (the graph's nodes carry the data)")
            graph = document["@graph"]
            if not isinstance(graph, list):
                self.problem("@graph", "must be a list of nodes")
                return self.found
            for index, node in enumerate(graph):
                self.node(node, f"@graph[{index}]", parent_property=None)
        else:
            self.node(document, "", parent_property=None)
        return self.found

    def context(self, value: Any, path: str) -> None:
        if not (isinstance(value, str) and _CONTEXT_URL.match(value)):
            self.problem(path, f"{_show(value)} is not the CTDL context {CTDL_CONTEXT_URL}")

    def identifier(self, value: Any, path: str) -> None:
        if not (isinstance(value, str) and (is_iri(value) or value.startswith("_:"))):
            self.problem(path, f"{_show(value)} is not an absolute http(s) URL or a compact IRI")

    # nodes

    def node(self, node: Any, path: str, parent_property: str | None) -> None:
        if not isinstance(node, dict):
            self.problem(path, f"expected a node (JSON object), got {_show(node)}")
            return
        types = self.types(node, path)
        for key, value in node.items():
            key_path = _join(path, key)
            if key == "@context":
                self.context(value, key_path)
            elif key == "@id":
                self.identifier(value, key_path)
            elif key == "@type":
                continue
            elif key.startswith("@"):
                self.problem(key_path, f"JSON-LD keyword {key} is not used in CTDL documents")
            else:
                self.property(key, value, key_path, types)
        if any("ceterms:CredentialAlignmentObject" in self.vocab.ancestors(t) for t in types):
            self.alignment(node, path, parent_property)

    def types(self, node: dict, path: str) -> list[str]:
        """The node's classes known to the schema; every other @type is reported."""
        if "@type" not in node:
            if set(node) - {"@id", "@context"}:
                self.problem(path, "node has no @type")
            return []
        known: list[str] = []
        values = node["@type"]
        for index, cls in enumerate(_as_list(values)):
            type_path = _join(path, "@type") + (f"[{index}]" if isinstance(values, list) else "")
            if not isinstance(cls, str):
                self.problem(type_path, f"{_show(cls)} is not a class name")
            elif cls in self.vocab.classes:
                known.append(cls)
                self.deprecated(type_path, cls)
            elif self.vocab.term(cls):
                kind = self.vocab.term(cls)["@type"]
                self.problem(type_path, f"{cls} is a {kind}, not a class (rdfs:Class) of CTDL")
            else:
                self.problem(type_path, f"unknown class {cls}")
        return known

    def property(self, key: str, value: Any, path: str, types: list[str]) -> None:
        vocab = self.vocab
        if key not in vocab.properties:
            node = vocab.term(key)
            if node:
                self.problem(path, f"{key} is a {node['@type']}, not a property (rdf:Property) of CTDL")
            else:
                self.problem(path, f"unknown property {key} (not an rdf:Property of CTDL)")
            return
        self.deprecated(path, key)
        domains = set(vocab.domains(key))
        # a property without schema:domainIncludes may be used anywhere
        if domains and types and not any(vocab.ancestors(cls) & domains for cls in types):
            self.problem(
                path, f"{key} is not a property of {', '.join(types)} (its domain: {_some(domains)})"
            )
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, key, f"{path}[{index}]")
        else:
            self.value(value, key, path)

    # values

    def value(self, value: Any, prop: str, path: str) -> None:
        ranges = self.vocab.ranges(prop)
        classes = [r for r in ranges if r not in LITERAL_RANGES]
        refers = bool(classes) or "xsd:anyURI" in ranges
        if value is None:
            self.problem(path, f"null does not fit {prop}: leave the property out instead")
        elif isinstance(value, list):
            self.problem(path, "a list inside a list")
        elif isinstance(value, dict):
            if "rdf:langString" in ranges and _is_language_map(value):
                self.language_map(value, path)
            elif set(value) == {"@id"}:
                if refers:
                    self.identifier(value["@id"], _join(path, "@id"))
                    if isinstance(value["@id"], str):
                        self.concept(value["@id"], prop, _join(path, "@id"))
                else:
                    self.problem(path, f"a node reference does not fit {prop}: expected {_expected(ranges)}")
            elif not classes or _is_language_map(value):
                what = "a language map" if _is_language_map(value) else "an object"
                self.problem(path, f"{what} does not fit {prop}: expected {_expected(ranges)}")
            else:
                self.in_range(value, prop, classes, path)
                self.node(value, path, parent_property=prop)
        else:
            fits = any(_literal_fits(value, kind) for kind in ranges if kind in LITERAL_RANGES)
            fits = fits or (bool(classes) and is_iri(value))
            if not fits:
                self.problem(path, f"{_show(value)} does not fit {prop}: expected {_expected(ranges)}")
            elif isinstance(value, str) and refers:
                self.concept(value, prop, path)

    def in_range(self, node: dict, prop: str, classes: list[str], path: str) -> None:
        types = [t for t in _as_list(node.get("@type", [])) if t in self.vocab.classes]
        if types and not any(self.vocab.ancestors(t) & set(classes) for t in types):
            self.problem(
                _join(path, "@type"),
                f"{', '.join(types)} is not in the range of {prop} ({_some(classes)})",
            )

    def language_map(self, value: dict, path: str) -> None:
        for tag, text in value.items():
            entry = _join(path, tag)
            if not is_language_tag(tag):
                self.problem(entry, f"language map key {_show(tag)} is not a BCP 47 language tag")
            for item in _as_list(text):
                if not (isinstance(item, str) and item.strip()):
                    self.problem(entry, f"the text must be a non-empty string, not {_show(item)}")

    def concept(self, value: str, prop: str, path: str) -> None:
        """A value naming a CTDL concept must name one that exists (in the property's scheme)."""
        concept = concept_of(value)
        if concept is None:
            return
        if concept not in self.vocab.concepts:
            self.problem(path, f"unknown concept {concept}")
            return
        self.deprecated(path, concept)
        targets = self.vocab.target_schemes(prop)
        schemes = self.vocab.concepts[concept].get("skos:inScheme", [])
        if targets and not set(schemes) & set(targets):
            self.problem(
                path,
                f"{concept} is in {', '.join(schemes)}, not in {', '.join(targets)}, "
                f"the target scheme of {prop}",
            )

    def alignment(self, node: dict, path: str, parent_property: str | None) -> None:
        """The concept a CredentialAlignmentObject points at must be in the scheme it claims."""
        named: list[str] = []
        for index, framework in enumerate(_as_list(node.get("ceterms:framework", []))):
            if not isinstance(framework, str):
                continue
            scheme = scheme_named_by(framework)
            if scheme is None:
                continue  # an outside framework (SOC, NAICS, ...): nothing to check it against
            if scheme in self.vocab.schemes:
                named.append(scheme)
            else:
                framework_path = _join(path, "ceterms:framework")
                if isinstance(node["ceterms:framework"], list):
                    framework_path += f"[{index}]"
                self.problem(
                    framework_path, f"{framework} names {scheme}, which is not a CTDL concept scheme"
                )
        targets = self.vocab.target_schemes(parent_property) if parent_property else []
        nodes = node.get("ceterms:targetNode", [])
        for index, target in enumerate(_as_list(nodes)):
            concept = concept_of(target) if isinstance(target, str) else None
            if concept is None or concept not in self.vocab.concepts:
                continue  # not a CTDL concept, or an unknown one (reported with the value)
            target_path = _join(path, "ceterms:targetNode") + (
                f"[{index}]" if isinstance(nodes, list) else ""
            )
            schemes = self.vocab.concepts[concept].get("skos:inScheme", [])
            wrong_framework = [scheme for scheme in named if scheme not in schemes]
            if wrong_framework:
                self.problem(
                    target_path,
                    f"{concept} is in {', '.join(schemes)}, not in {', '.join(wrong_framework)} "
                    "named by ceterms:framework",
                )
            elif targets and not set(schemes) & set(targets):
                self.problem(
                    target_path,
                    f"{concept} is in {', '.join(schemes)}, not in {', '.join(targets)}, "
                    f"the target scheme of {parent_property}",
                )


def problems(document: Any) -> list[str]:
    """Every way one JSON-LD document departs from the CTDL vocabulary, one line each."""
    return _Checker().document(document)


def terms_used(document: Any) -> set[str]:
    """Every CTDL term a document uses: property keys, @type classes and concepts in values."""
    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if _is_language_map(value):
                return
            for key, item in value.items():
                if key == "@type":
                    used.update(t for t in _as_list(item) if isinstance(t, str))
                elif key == "@context":
                    continue
                else:
                    if not key.startswith("@"):
                        used.add(key)
                    walk(item)
        elif isinstance(value, str):
            concept = concept_of(value)
            if concept:
                used.add(concept)

    walk(document)
    return used


# --- the derived context ------------------------------------------------------------------------


def _term_definition(ranges: list[str]) -> dict | None:
    """How the derived context reads one property's values, from its schema:rangeIncludes."""
    if "rdf:langString" in ranges:
        return {"@container": "@language"}
    literals = [r for r in ranges if r in LITERAL_RANGES]
    if ranges and set(literals) <= {"xsd:anyURI"}:
        return {"@type": "@id"}  # only classes and/or URLs: a string value is an IRI
    if len(ranges) == 1 and ranges[0] in TYPED_LITERALS:
        return {"@type": ranges[0]}
    return None


@cache
def _context() -> dict:
    vocab = vocabulary()
    definitions: dict[str, Any] = {"@version": 1.1}
    definitions.update(namespaces())
    for prop in sorted(vocab.properties):
        definition = _term_definition(vocab.ranges(prop))
        if definition:
            definitions[prop] = definition
    return {"@context": definitions}


def context() -> dict:
    """A JSON-LD 1.1 context document derived from the shipped schema (not the official file).

    It stands in for https://credreg.net/ctdl/schema/context/json so that documents expand
    offline: the CTDL, schema.org, W3C and concept-scheme prefixes (see the namespace notes at
    the top of this module); ``"@container": "@language"`` on every rdf:langString property;
    ``"@type": "@id"`` on every property whose range is xsd:anyURI or only classes; and
    ``"@type": "xsd:date"`` / ``"xsd:dateTime"`` on date properties (an assumption about the
    official context). A fresh copy each call: callers may change it.
    """
    return copy.deepcopy(_context())


class OfflineLoaderRefused(LookupError):
    """The offline document loader was asked for a URL other than the CTDL context."""


def document_loader() -> Callable[..., dict]:
    """A pyld documentLoader serving context() for the CTDL context URL and refusing all else.

    pyld caches resolved contexts by URL for the whole process, so the context is read once.
    """

    def load(url: str, options: dict | None = None) -> dict:
        if not _CONTEXT_URL.match(url.strip()):
            raise OfflineLoaderRefused(
                f"refusing to load {url}: only the CTDL context ({CTDL_CONTEXT_URL}) is available "
                "offline, and this loader never uses the network"
            )
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": context(),
        }

    return load


# --- what expansion loses -----------------------------------------------------------------------


def lost_terms(document: dict) -> list[str]:
    """Every compact key or value of a document with no counterpart in its JSON-LD expansion.

    Expands with pyld and document_loader(), then walks the compact document and the expansion
    side by side: each key must expand to the IRI its prefix gives, each @type and @id likewise,
    each language-map entry must come back as a value with that language, each IRI as an IRI
    (a concept or URL that stays a plain string on a property whose range is IRIs is lost), each
    other literal as a value, each embedded node as a node. One line per loss, with the JSON path.
    """
    from pyld import jsonld  # a test extra; only this function and its callers need it

    expanded = jsonld.expand(copy.deepcopy(document), {"documentLoader": document_loader()})
    return _Expansion().document(document, expanded)


def _value_objects(values: list) -> Iterator[dict]:
    return (value for value in values if isinstance(value, dict) and "@value" in value)


class _Expansion:
    def __init__(self) -> None:
        self.vocab = vocabulary()
        self.lost: list[str] = []

    def report(self, path: str, message: str) -> None:
        self.lost.append(f"{_where(path)}: {message}")

    def document(self, document: dict, expanded: list) -> list[str]:
        if "@graph" not in document:
            if len(expanded) != 1:
                self.report("", f"expanded to {len(expanded)} nodes, expected 1")
            else:
                self.node(document, expanded[0], "")
            return self.lost
        if "@id" in document:
            named = [node for node in expanded if "@graph" in node]
            if not named:
                self.report("@id", "the named graph dropped out of the expansion")
                return self.lost
            self.iri(document["@id"], named[0].get("@id"), "@id")
            expanded = named[0]["@graph"]
        graph = [node for node in _as_list(document["@graph"]) if isinstance(node, dict)]
        by_id = {node.get("@id"): node for node in expanded if "@id" in node}
        for index, node in enumerate(graph):
            path = f"@graph[{index}]"
            counterpart = None
            if isinstance(node.get("@id"), str):
                counterpart = by_id.get(expand_iri(node["@id"]) or node["@id"])
            elif len(graph) == len(expanded):
                counterpart = expanded[index]
            if counterpart is None:
                self.report(path, "this node dropped out of the expansion")
            else:
                self.node(node, counterpart, path)
        return self.lost

    def iri(self, compact: Any, expanded: Any, path: str) -> None:
        expected = expand_iri(compact) if isinstance(compact, str) else None
        if expected is None:
            self.report(path, f"{_show(compact)} has no IRI: unknown prefix or not a URL")
        elif expanded != expected:
            self.report(path, f"{_show(compact)} expanded to {_show(expanded)}, expected {expected}")

    def node(self, compact: dict, expanded: dict, path: str) -> None:
        for key, value in compact.items():
            key_path = _join(path, key)
            if key == "@context" or (key.startswith("@") and key not in ("@id", "@type")):
                continue
            if key == "@id":
                self.iri(value, expanded.get("@id"), key_path)
            elif key == "@type":
                for cls in _as_list(value):
                    expected = expand_iri(cls) if isinstance(cls, str) else None
                    if expected is None:
                        self.report(key_path, f"{_show(cls)} has no IRI: unknown prefix")
                    elif expected not in expanded.get("@type", []):
                        self.report(key_path, f"{cls} dropped out of the expansion")
            else:
                iri = expand_iri(key)
                if iri is None:
                    self.report(key_path, f"{key} has no IRI: unknown prefix, so the property is lost")
                elif iri not in expanded:
                    self.report(key_path, f"{key} dropped out of the expansion")
                else:
                    self.values(key, value, list(expanded[iri]), key_path)

    def values(self, key: str, value: Any, remaining: list, path: str) -> None:
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(value, list) else path
            if item is None:
                continue  # JSON-LD drops null on purpose
            if isinstance(item, dict) and _is_language_map(item):
                self.language_map(key, item, remaining, item_path)
            elif isinstance(item, dict) and set(item) == {"@id"}:
                self.reference(item["@id"], remaining, item_path)
            elif isinstance(item, dict):
                nodes = [
                    e for e in remaining if isinstance(e, dict) and "@value" not in e and set(e) != {"@id"}
                ]
                if not nodes:
                    self.report(item_path, "this node dropped out of the expansion")
                    continue
                remaining.remove(nodes[0])
                self.node(item, nodes[0], item_path)
            elif isinstance(item, str):
                self.string(key, item, remaining, item_path)
            else:
                match = next(
                    (
                        e
                        for e in _value_objects(remaining)
                        if type(e["@value"]) is type(item) and e["@value"] == item
                    ),
                    None,
                )
                if match is None:
                    self.report(item_path, f"{_show(item)} dropped out of the expansion")
                else:
                    remaining.remove(match)
                    self.datatype(match, item_path)

    def language_map(self, key: str, item: dict, remaining: list, path: str) -> None:
        for tag, texts in item.items():
            for text in _as_list(texts):
                match = next(
                    (
                        e
                        for e in _value_objects(remaining)
                        if e["@value"] == text and str(e.get("@language", "")).lower() == tag.lower()
                    ),
                    None,
                )
                if match is None:
                    self.report(
                        _join(path, tag),
                        f"{_show(text)} dropped out of the expansion "
                        f"(is {key} a language map, with @container @language?)",
                    )
                else:
                    remaining.remove(match)

    def reference(self, compact: Any, remaining: list, path: str) -> None:
        expected = expand_iri(compact) if isinstance(compact, str) else None
        match = next((e for e in remaining if isinstance(e, dict) and set(e) == {"@id"}), None)
        if expected is not None:
            match = next((e for e in remaining if isinstance(e, dict) and e.get("@id") == expected), match)
        if match is None:
            self.report(path, f"the reference {_show(compact)} dropped out of the expansion")
            return
        remaining.remove(match)
        self.iri(compact, match["@id"], _join(path, "@id"))

    def string(self, key: str, text: str, remaining: list, path: str) -> None:
        expected = expand_iri(text)
        as_iri = next(
            (
                e
                for e in remaining
                if isinstance(e, dict) and e.get("@id") in (text, expected) and "@value" not in e
            ),
            None,
        )
        if as_iri is not None:
            remaining.remove(as_iri)
            if expected is None or as_iri["@id"] != expected:
                self.report(path, f"{_show(text)} became the IRI {_show(as_iri['@id'])}: unknown prefix")
            return
        as_value = next((e for e in _value_objects(remaining) if e["@value"] == text), None)
        if as_value is None:
            self.report(path, f"{_show(text)} dropped out of the expansion")
            return
        remaining.remove(as_value)
        self.datatype(as_value, path)
        ranges = self.vocab.ranges(key) if key in self.vocab.properties else []
        literals = [r for r in ranges if r in LITERAL_RANGES]
        if ranges and set(literals) <= {"xsd:anyURI"} and (expected or _COMPACT_IRI.match(text)):
            self.report(path, f"{_show(text)} stayed a plain string: {key} should expand it to an IRI")

    def datatype(self, value_object: dict, path: str) -> None:
        datatype = value_object.get("@type")
        if datatype is not None and not is_absolute_url(datatype):
            self.report(path, f"typed as {_show(datatype)}, which is not an absolute IRI (unknown prefix)")
