"""Publishing a built site's CTDL to the Credential Registry (SPEC 9), the way Credential
Engine's own publish action does it (CredentialEngine/credential-registry-publish-action,
``src/runner.ts`` and ``src/graphs.ts``): one graph per top-level resource, POSTed to the
Registry Assistant API with the agency's API key.

What is published, read from ``<site>/data/ctdl/graph.jsonld``:

- each credential of the list whose issuer does not publish it, to
  ``{assistant}/credential/publishGraph``, as ``{"PublishForOrganizationIdentifier": <the
  agency's organisation CTID>, "GraphInput": <its graph>}``, as the publish action sends it;
- then the list itself, the ``ceterms:Collection`` the agency owns, to
  ``{assistant}/collection/publishGraph``, its graph under ``CollectionGraph``: the name the
  Assistant gives it (``CollectionGraphRequest``, in CredentialEngine/Registry_Assistant,
  ``src/RA.Models/Input/CollectionRequest.cs``). The publish action publishes no collections,
  so this request was never tried against the Registry from here: try it in the sandbox first
  (docs/publishing-to-the-registry.md). It goes last, after the credentials its members name.

A credential whose issuer publishes it (its file's ``registry_ctid``, which the CTDL gives as a
``ceterms:sameAs`` naming a Registry record) is referenced by that record, never republished.

Each graph holds the resource first, its ``@id`` rewritten to ``{registry}/resources/<ctid>``
and its site URL kept in ``ceterms:sameAs`` (where CTDL allows sameAs), then its blank nodes:
each top-level resource embedded without a CTID (an issuer or the agency not in the Registry,
a verification service) and each member of the collection, under a ``_:`` identifier derived
from its content, so the same site always gives the same payloads. Embedded resources with a
CTID, references to other resources of the graph and Registry URLs of any environment become
Registry resource URLs of the chosen environment.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from site_builder.catalog.models import CTID_PATTERN
from site_builder.errors import display_path
from site_builder.linkeddata.vocabulary import problems, vocabulary
from site_builder.site.ctdl import CTDL_CONTEXT, GRAPH_FILE
from site_builder.site.writer import write_text


@dataclass(frozen=True)
class Environment:
    name: str
    #: where its records live: ``{registry}/resources/<ctid>``, ``{registry}/graph/<ctid>``
    registry: str
    #: the Registry Assistant API that publishes to it
    assistant: str

    def resource(self, ctid: str) -> str:
        """The address of a CTID's record."""
        return f"{self.registry}/resources/{ctid}"


ENVIRONMENTS = {
    "sandbox": Environment(
        "sandbox",
        "https://sandbox.credentialengineregistry.org",
        "https://sandbox.credentialengine.org/assistant",
    ),
    "production": Environment(
        "production", "https://credentialengineregistry.org", "https://credentialengine.org/assistant"
    ),
}
#: the agency's Credential Engine API key (a secret: never printed, never written)
API_KEY_VARIABLE = "CREDENTIAL_REGISTRY_API_KEY"
#: another Assistant base URL than the environment's (a test server)
ASSISTANT_URL_VARIABLE = "CREDENTIAL_REGISTRY_ASSISTANT_URL"
#: seconds to wait for the Assistant's answer to one request
TIMEOUT_SECONDS = 120

CREDENTIAL = "ceterms:Credential"
COLLECTION = "ceterms:Collection"
MEMBER = "ceterms:CollectionMember"
#: where each kind of resource is published, and the key of its graph in the request body
ENDPOINTS = {
    CREDENTIAL: ("/credential/publishGraph", "GraphInput"),
    COLLECTION: ("/collection/publishGraph", "CollectionGraph"),
}
#: a record in any environment of the Registry, and its CTID
REGISTRY_RECORD = re.compile(
    r"^https://(?:sandbox\.|staging\.)?credentialengineregistry\.org/resources/(ce-[0-9a-f-]{36})$"
)
_CTID = re.compile(CTID_PATTERN)
#: what an HTTP header may carry of an API key: visible ASCII, no spaces or line breaks
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


class PublishRefused(Exception):
    """What stops a publication before anything is sent: every problem, one line each."""

    def __init__(self, found: list[str]):
        super().__init__("\n".join(found))
        self.problems = found


class PublishFailed(Exception):
    """A request the Assistant did not accept (one line; the key is never in it)."""


class BadSetting(Exception):
    """A missing or unusable setting of the environment or command line (a usage error)."""


@dataclass(frozen=True)
class Payload:
    """One request: a resource and the body POSTed to publish it."""

    site_id: str
    ctid: str
    #: CREDENTIAL or COLLECTION
    kind: str
    #: its @type, e.g. ceterms:Certification
    type: str
    name: str
    body: dict

    @property
    def endpoint(self) -> str:
        """The Assistant's path, e.g. /credential/publishGraph."""
        return ENDPOINTS[self.kind][0]

    @property
    def graph(self) -> dict:
        return self.body[ENDPOINTS[self.kind][1]]

    @property
    def file_name(self) -> str:
        return f"{self.ctid}.json"


@dataclass(frozen=True)
class Reference:
    """A credential its issuer publishes: named by its Registry record, not published."""

    site_id: str
    name: str
    record: str


@dataclass(frozen=True)
class Plan:
    environment: Environment
    #: the agency's organisation CTID; None when site.yml has none (a dry run only)
    publisher: str | None
    #: in the order they are published: the credentials, then the list
    payloads: list[Payload]
    referenced: list[Reference]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _name(node: dict) -> str:
    names = node.get("ceterms:name")
    if isinstance(names, dict) and names:
        first = next(iter(names.values()))
        return first if isinstance(first, str) else str(first)
    return str(node.get("@id", ""))


def _kind(node: dict) -> str | None:
    """CREDENTIAL for any class of credential, COLLECTION for the list, else None."""
    vocab = vocabulary()
    types = [cls for cls in _as_list(node.get("@type", [])) if isinstance(cls, str)]
    if any(CREDENTIAL in vocab.ancestors(cls) for cls in types):
        return CREDENTIAL
    return COLLECTION if COLLECTION in types else None


def _registry_record(node: dict) -> str | None:
    """The CTID of the issuer's own Registry record of a credential (its ``ceterms:sameAs``)."""
    for same in _as_list(node.get("ceterms:sameAs", [])):
        match = REGISTRY_RECORD.match(same) if isinstance(same, str) else None
        if match:
            return match.group(1)
    return None


def _takes_same_as(node: dict) -> bool:
    vocab = vocabulary()
    domains = set(vocab.domains("ceterms:sameAs"))
    return any(
        vocab.ancestors(cls) & domains for cls in _as_list(node.get("@type", [])) if isinstance(cls, str)
    )


class _Graph:
    """The graph of one resource: the resource, then its blank nodes."""

    def __init__(self, environment: Environment, records: Mapping[str, str], ctid: str):
        self.environment = environment
        #: site @id -> Registry record, for every resource of the site's graph
        self.records = records
        self.record = environment.resource(ctid)
        self.blank_nodes: dict[str, dict] = {}
        self.top_level = set(vocabulary().domains("ceterms:ctid"))

    def resource(self, node: dict) -> dict:
        root: dict = {"@id": self.record}
        for key, value in node.items():
            if key != "@id":
                root[key] = value if key == "@type" else self.value(value)
        if _takes_same_as(node):
            same = [value for value in _as_list(root.get("ceterms:sameAs", [])) if value != node["@id"]]
            root["ceterms:sameAs"] = [*same, node["@id"]]
        return root

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            if value in self.records:
                return self.records[value]
            match = REGISTRY_RECORD.match(value)
            return self.environment.resource(match.group(1)) if match else value
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return self.embedded(value)
        return value

    def embedded(self, node: dict) -> Any:
        """An object inside the resource: a Registry URL for a top-level resource with a CTID
        (published on its own), a blank node's identifier for one without, and for a member
        of the collection; any other object (a profile, an alignment, a language map) stays."""
        processed = {
            key: value if key in ("@id", "@type") else self.value(value) for key, value in node.items()
        }
        types = set(_as_list(node.get("@type", [])))
        if types & self.top_level:
            ctid = node.get("ceterms:ctid")
            if isinstance(ctid, str) and _CTID.fullmatch(ctid):
                return self.environment.resource(ctid)
            return self.blank(processed)
        if MEMBER in types:
            return self.blank(processed)
        return processed

    def blank(self, node: dict) -> str:
        own = node.pop("@id", None)
        if isinstance(own, str) and not own.startswith("_:") and _takes_same_as(node):
            node["ceterms:sameAs"] = [*_as_list(node.get("ceterms:sameAs", [])), own]
        content = json.dumps(node, sort_keys=True, ensure_ascii=False)
        label = f"_:{uuid.uuid5(uuid.NAMESPACE_URL, self.record + chr(10) + content)}"
        self.blank_nodes.setdefault(label, {"@id": label, **node})
        return label

    def document(self, root: dict) -> dict:
        return {
            "@context": CTDL_CONTEXT,
            "@id": f"{self.environment.registry}/graph/{root['ceterms:ctid']}",
            "@graph": [root, *self.blank_nodes.values()],
        }


def read_graph(site_dir: Path) -> list[dict]:
    """The nodes of a built site's ``/data/ctdl/graph.jsonld``."""
    path = site_dir / "data" / GRAPH_FILE
    where = display_path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishRefused([f"{where}: not found: build the site first (credsite build)"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PublishRefused([f"{where}: cannot be read as JSON ({error})"]) from None
    nodes = document.get("@graph") if isinstance(document, dict) else None
    if not isinstance(nodes, list) or not all(
        isinstance(node, dict) and isinstance(node.get("@id"), str) for node in nodes
    ):
        raise PublishRefused([f"{where}: not a CTDL graph (an @graph of nodes, each with an @id)"])
    return nodes


def plan_publication(site_dir: Path, environment: Environment, publisher: str | None) -> Plan:
    """The payloads that publish a built site's list and credentials to ``environment``, each
    checked against the CTDL vocabulary; ``PublishRefused`` with every problem found."""
    where = display_path(site_dir / "data" / GRAPH_FILE)
    nodes = read_graph(site_dir)
    found: list[str] = []
    records: dict[str, str] = {}
    referenced: list[Reference] = []
    to_publish: list[tuple[str, dict, str]] = []
    published_ctids: dict[str, str] = {}
    for node in nodes:
        site_id, kind = node["@id"], _kind(node)
        issuers_record = _registry_record(node) if kind == CREDENTIAL else None
        if issuers_record is not None:
            records[site_id] = environment.resource(issuers_record)
            referenced.append(Reference(site_id, _name(node), records[site_id]))
        elif kind is None:
            found.append(
                f"{where}: {site_id}: a {node.get('@type')} is neither a credential nor the list, "
                "the only resources credsite publishes"
            )
        elif not (isinstance(node.get("ceterms:ctid"), str) and _CTID.fullmatch(node["ceterms:ctid"])):
            found.append(
                f"{where}: {site_id} has no CTID (ceterms:ctid): give it one with "
                "`credsite ctid --assign`, then build the site again"
            )
        elif node["ceterms:ctid"] in published_ctids:
            found.append(f"{where}: {site_id} has the CTID of {published_ctids[node['ceterms:ctid']]}")
        else:
            published_ctids[node["ceterms:ctid"]] = site_id
            records[site_id] = environment.resource(node["ceterms:ctid"])
            to_publish.append((site_id, node, kind))
    # the credentials first: the list's members name them
    to_publish.sort(key=lambda entry: entry[2] == COLLECTION)
    payloads = []
    for site_id, node, kind in to_publish:
        graph = _Graph(environment, records, node["ceterms:ctid"])
        document = graph.document(graph.resource(node))
        found += [f"payload for {site_id}: {problem}" for problem in problems(document)]
        body: dict = {} if publisher is None else {"PublishForOrganizationIdentifier": publisher}
        body[ENDPOINTS[kind][1]] = document
        type_ = " ".join(_as_list(node["@type"]))
        payloads.append(Payload(site_id, node["ceterms:ctid"], kind, type_, _name(node), body))
    if found:
        raise PublishRefused(found)
    return Plan(environment, publisher, payloads, referenced)


def write_payloads(plan: Plan, folder: Path) -> list[Path]:
    """Write each payload as ``<folder>/<ctid>.json`` (the body exactly as it would be POSTed),
    after removing the payloads an earlier run left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("ce-*.json"):
        stale.unlink()
    written = []
    for payload in plan.payloads:
        path = folder / payload.file_name
        write_text(path, json.dumps(payload.body, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def api_key(environ: Mapping[str, str]) -> str:
    """The API key from ``CREDENTIAL_REGISTRY_API_KEY``; ``BadSetting`` (never showing it)
    when it is missing or could not be sent in a header."""
    key = environ.get(API_KEY_VARIABLE, "").strip()
    if not key:
        raise BadSetting(
            f"{API_KEY_VARIABLE} is not set: publishing needs the agency's Credential Engine API key "
            "(a --dry-run needs none)"
        )
    if not _HEADER_SAFE.fullmatch(key):
        raise BadSetting(
            f"{API_KEY_VARIABLE} holds a space, a line break or another character no HTTP header can carry"
        )
    return key


def assistant_url(given: str | None, environ: Mapping[str, str], environment: Environment) -> str:
    """The Assistant's base URL: ``given`` (``--assistant-url``), else
    ``CREDENTIAL_REGISTRY_ASSISTANT_URL``, else the environment's. Only https carries the key,
    or plain http to this machine (a test server)."""
    url = (given or environ.get(ASSISTANT_URL_VARIABLE) or environment.assistant).rstrip("/")
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
        raise BadSetting(
            f"the Assistant URL {url!r} must be an https:// URL (http:// only to this machine, for a test server)"
        )
    return url


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: followed, it would carry the API key to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _messages(raw: bytes) -> str:
    """``: message; message`` from an Assistant answer's ``Messages``, else nothing."""
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    messages = answer.get("Messages") if isinstance(answer, dict) else None
    if isinstance(messages, list) and messages:
        return ": " + "; ".join(str(message) for message in messages)
    return ""


def send(
    plan: Plan,
    key: str,
    assistant: str,
    progress: Callable[[str], None] = lambda _: None,
    timeout: float = TIMEOUT_SECONDS,
) -> int:
    """POST every payload, in order, to ``assistant``; stop at the first the Assistant does not
    accept (``PublishFailed``: an answer that is not OK, or says ``"Successful": false``, or
    none within ``timeout`` seconds). The number published."""
    opener = urllib.request.build_opener(_NoRedirects)
    total = len(plan.payloads)
    for done, payload in enumerate(plan.payloads):
        url = assistant + payload.endpoint
        what = f"{payload.type} {payload.ctid}"

        def failed(reason: str, url: str = url, what: str = what, done: int = done) -> PublishFailed:
            return PublishFailed(f"POST {url} ({what}): {reason}; {done} of {total} published before it")

        request = urllib.request.Request(
            url,
            data=json.dumps(payload.body, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"ApiToken {key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with opener.open(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise failed(f"HTTP {error.code} {error.reason}{_messages(error.read())}") from None
        except (urllib.error.URLError, OSError) as error:  # refused, unreachable, timed out
            raise failed(f"no answer ({getattr(error, 'reason', error)})") from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = None
        if not isinstance(answer, dict):
            raise failed("the answer is not the Assistant's JSON")
        if answer.get("Successful") is False:
            raise failed(f"the Registry refused it{_messages(raw) or ' (no message)'}")
        progress(f"published {what} ({payload.name}): {plan.environment.resource(payload.ctid)}")
    return total
