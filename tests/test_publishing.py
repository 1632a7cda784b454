"""Publishing to the Credential Registry (SPEC 9, issue 27): ``credsite publish``.

Nothing here reaches Credential Engine: the dry run writes the requests and checks them, and
the live path is tested against a stand-in Assistant on 127.0.0.1 that records every request
(method, path, headers, body) and answers as the Assistant does (``{"Successful": true}``,
an HTTP error, ``{"Successful": false, "Messages": [...]}``).

Read from the bundled sample built once per session (``sample_open_data``), and from the
small catalog built once here with the Registry facts the sample lacks: the agency's
organisation CTID, an issuer with a Registry record (netco) and a credential its issuer
publishes (net-pro, ``registry_ctid``).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from catalog_factory import ctid_of, write_catalog
from open_data_sites import OpenData, build_site

from site_builder.cli import main
from site_builder.linkeddata.vocabulary import problems
from site_builder.paths import SAMPLE_CATALOG
from site_builder.registry.publish import (
    ENVIRONMENTS,
    PublishFailed,
    plan_publication,
    send,
)

SANDBOX = "https://sandbox.credentialengineregistry.org"
PRODUCTION = "https://credentialengineregistry.org"
AGENCY_CTID = "ce-0a9e1c52-5b7f-4d0e-9a53-3f2b4c6d7e81"
NETCO_CTID = "ce-6f0b8a4e-2c1d-4e3f-8a7b-9c0d1e2f3a4b"
NET_PRO_RECORD = "ce-1b2c3d4e-5f60-4718-9a0b-c1d2e3f40516"
KEY = "test-key-7f3a9c"
GRAPH_KEYS = {"/credential/publishGraph": "GraphInput", "/collection/publishGraph": "CollectionGraph"}


@pytest.fixture(scope="module")
def registry_site(tmp_path_factory: pytest.TempPathFactory) -> OpenData:
    """The small catalog with the agency's organisation CTID, netco's Registry record and
    net-pro published by netco itself, built once."""
    root = tmp_path_factory.mktemp("registry-site")
    catalog = write_catalog(root)
    with (catalog / "site.yml").open("a") as site:
        site.write(
            "agency:\n  name: Northland Department of Education\n  url: https://education.northland.example\n"
            f"  ctid: {AGENCY_CTID}\njurisdiction:\n  name: Northland\n  code: US-NL\n"
        )
    with (catalog / "issuers" / "netco.yml").open("a") as netco:
        netco.write(f"ctid: {NETCO_CTID}\n")
    net_pro = catalog / "credentials" / "net-pro.md"
    line = f"ctid: {ctid_of('net-pro')}\n"
    assert line in net_pro.read_text()
    net_pro.write_text(net_pro.read_text().replace(line, line + f"registry_ctid: {NET_PRO_RECORD}\n"))
    return build_site(catalog, root)


def site_url(site: OpenData, path: str) -> str:
    return f"{site.base_url}{path}"


def jsonld_url(site: OpenData, key: str) -> str:
    return site_url(site, f"/data/credentials/{key}.jsonld")


def payload_files(folder: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}


def graph_of(body: dict) -> dict:
    (key,) = [key for key in ("GraphInput", "CollectionGraph") if key in body]
    return body[key]


def ids(value: Any) -> Iterator[str]:
    """Every @id anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@id" and isinstance(item, str):
                yield item
            else:
                yield from ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids(item)


def strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, string) for every string value anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                for _, text in strings(item):
                    yield key, text
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def site_nodes(site: OpenData) -> list[dict]:
    return json.loads((site.data / "ctdl" / "graph.jsonld").read_text(encoding="utf-8"))["@graph"]


# --- the dry run ------------------------------------------------------------------------------


def test_dry_run_on_the_sample_writes_one_valid_payload_per_resource(
    sample_open_data: OpenData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sample_open_data
    out = tmp_path / "payloads"
    code = main(
        [
            "publish",
            "--site",
            str(site.root),
            "--catalog",
            str(SAMPLE_CATALOG),
            "--dry-run",
            "--payloads",
            str(out),
        ]
    )
    assert code == 0
    payloads = payload_files(out)
    expected = {
        credential.ctid
        for credential in site.catalog.credentials.values()
        if credential.registry_ctid is None
    }
    assert None not in expected and site.catalog.site.ctid is not None
    assert set(payloads) == expected | {site.catalog.site.ctid}
    for ctid, body in payloads.items():
        graph = graph_of(body)
        assert graph["@context"] == "https://credreg.net/ctdl/schema/context/json"
        assert graph["@id"] == f"{SANDBOX}/graph/{ctid}"
        resource, *blank_nodes = graph["@graph"]
        assert resource["@id"] == f"{SANDBOX}/resources/{ctid}" and resource["ceterms:ctid"] == ctid
        assert all(node["@id"].startswith("_:") for node in blank_nodes)
        # each validates against the CTDL vocabulary
        assert problems(graph) == [], ctid
        # no site URL is an @id; the site's own documents are named only by ceterms:sameAs
        assert all(identifier.startswith((f"{SANDBOX}/", "_:")) for identifier in ids(graph)), ctid
        assert not [
            (key, text)
            for key, text in strings(graph)
            if text.startswith(f"{site.base_url}/data/") and key != "ceterms:sameAs"
        ]
        # the sample's site.yml names no agency organisation: no publisher yet
        assert "PublishForOrganizationIdentifier" not in body
    by_key = {key: payloads[credential.ctid] for key, credential in site.catalog.credentials.items()}
    for key, body in by_key.items():
        assert "GraphInput" in body
        assert graph_of(body)["@graph"][0]["ceterms:sameAs"] == [jsonld_url(site, key)]
    collection = payloads[site.catalog.site.ctid]["CollectionGraph"]
    assert collection["@graph"][0]["@type"] == "ceterms:Collection"
    members = [node for node in collection["@graph"][1:] if node["@type"] == "ceterms:CollectionMember"]
    assert sorted(member["ceterms:proxyFor"] for member in members) == sorted(
        f"{SANDBOX}/resources/{credential.ctid}" for credential in site.catalog.credentials.values()
    )
    assert sorted(collection["@graph"][0]["ceterms:hasMember"]) == sorted(member["@id"] for member in members)
    output = capsys.readouterr().out.splitlines()
    assert output[0] == (
        f"dry run for the sandbox Registry, nothing sent: {len(payloads)} requests written to {out}/, "
        "in the order they would be sent"
    )
    # the credentials first, the list last
    assert [line.split()[0] for line in output[1 : 1 + len(payloads)]][-1] == f"{site.catalog.site.ctid}.json"
    assert output[-1].startswith("note: site.yml has no agency.ctid, so the requests name no publisher")


def test_payloads_are_the_same_on_every_run(sample_open_data: OpenData, tmp_path: Path) -> None:
    plan = plan_publication(sample_open_data.root, ENVIRONMENTS["sandbox"], None)
    again = plan_publication(sample_open_data.root, ENVIRONMENTS["sandbox"], None)
    assert [payload.body for payload in plan.payloads] == [payload.body for payload in again.payloads]
    production = plan_publication(sample_open_data.root, ENVIRONMENTS["production"], None)
    for payload in production.payloads:
        assert all(identifier.startswith((f"{PRODUCTION}/", "_:")) for identifier in ids(payload.graph))


def test_issuers_records_are_referenced_never_republished(registry_site: OpenData, tmp_path: Path) -> None:
    site = registry_site
    plan = plan_publication(site.root, ENVIRONMENTS["sandbox"], AGENCY_CTID)
    published = {payload.site_id for payload in plan.payloads}
    assert jsonld_url(site, "net-pro") not in published
    assert published == {jsonld_url(site, key) for key in ("club-coder", "net-basics", "nurse-aide")} | {
        site_url(site, "/data/ctdl/collection.jsonld")
    }
    [reference] = plan.referenced
    assert reference.site_id == jsonld_url(site, "net-pro")
    assert reference.record == f"{SANDBOX}/resources/{NET_PRO_RECORD}"
    by_id = {payload.site_id: payload for payload in plan.payloads}
    for payload in plan.payloads:
        assert payload.body["PublishForOrganizationIdentifier"] == AGENCY_CTID
    net_basics = by_id[jsonld_url(site, "net-basics")].graph["@graph"]
    # net-basics prepares for net-pro: netco's own record of it
    assert net_basics[0]["ceterms:isPreparationFor"][0]["ceterms:targetCredential"] == [
        f"{SANDBOX}/resources/{NET_PRO_RECORD}"
    ]
    # its issuer and the agency are in the Registry: named by their records, not described again
    assert net_basics[0]["ceterms:ownedBy"] == [f"{SANDBOX}/resources/{NETCO_CTID}"]
    assert net_basics[0]["ceterms:approvedBy"] == [f"{SANDBOX}/resources/{AGENCY_CTID}"]
    assert not [node for node in net_basics[1:] if node["@type"] == "ceterms:CredentialOrganization"]
    # an issuer without a Registry record is a blank node of the graph
    nurse_aide = by_id[jsonld_url(site, "nurse-aide")].graph["@graph"]
    [owner] = nurse_aide[0]["ceterms:ownedBy"]
    [owner_node] = [node for node in nurse_aide if node["@id"] == owner]
    assert owner.startswith("_:") and owner_node["@type"] == "ceterms:CredentialOrganization"
    assert owner_node["ceterms:name"] == {"en-US": "Northland Board of Nursing"}
    collection = by_id[site_url(site, "/data/ctdl/collection.jsonld")]
    assert collection.endpoint == "/collection/publishGraph" and plan.payloads[-1] is collection
    assert collection.graph["@graph"][0]["ceterms:ownedBy"] == [f"{SANDBOX}/resources/{AGENCY_CTID}"]
    proxies = {node["ceterms:proxyFor"] for node in collection.graph["@graph"] if "ceterms:proxyFor" in node}
    assert f"{SANDBOX}/resources/{NET_PRO_RECORD}" in proxies
    assert f"{SANDBOX}/resources/{ctid_of('net-pro')}" not in proxies


# --- refusals -----------------------------------------------------------------------------------


def copy_site(site: OpenData, tmp_path: Path, edit: Callable[[list[dict]], None]) -> Path:
    """A copy of the site's /data/ctdl/graph.jsonld (all ``publish`` reads of a site), edited."""
    copy = tmp_path / "site"
    (copy / "data" / "ctdl").mkdir(parents=True)
    document = json.loads((site.data / "ctdl" / "graph.jsonld").read_text(encoding="utf-8"))
    edit(document["@graph"])
    (copy / "data" / "ctdl" / "graph.jsonld").write_text(json.dumps(document))
    return copy


def copy_catalog(site: OpenData, tmp_path: Path) -> Path:
    return Path(
        shutil.copytree(site.catalog_dir, tmp_path / "catalog", ignore=shutil.ignore_patterns("outcomes"))
    )


def publish(site: Path, catalog: Path, *options: str) -> int:
    return main(["publish", "--site", str(site), "--catalog", str(catalog), *options])


def test_publishing_needs_the_api_key(
    registry_site: OpenData, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CREDENTIAL_REGISTRY_API_KEY", raising=False)
    assert publish(registry_site.root, registry_site.catalog_dir) == 2
    assert capsys.readouterr().err == (
        "credsite: CREDENTIAL_REGISTRY_API_KEY is not set: publishing needs the agency's Credential "
        "Engine API key (a --dry-run needs none)\n"
    )


def test_a_key_no_header_can_carry_is_refused_without_showing_it(
    registry_site: OpenData, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDENTIAL_REGISTRY_API_KEY", "first-half\nsecond-half")
    assert publish(registry_site.root, registry_site.catalog_dir) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "credsite: CREDENTIAL_REGISTRY_API_KEY holds a space, a line break or another character no "
        "HTTP header can carry\n"
    )
    assert "half" not in captured.out + captured.err


def test_publishing_needs_the_agency_organisation(
    sample_open_data: OpenData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy_catalog(sample_open_data, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDENTIAL_REGISTRY_API_KEY", KEY)
    assert publish(sample_open_data.root, Path("catalog")) == 1
    assert capsys.readouterr().err == (
        "credsite publish: catalog/site.yml: agency.ctid is not set: publishing needs the CTID of the "
        "agency's organization in the Credential Registry (its Credential Engine account shows it)\n"
        "1 problem; nothing was sent\n"
    )


def test_a_credential_without_a_ctid_is_refused(
    registry_site: OpenData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def forget(nodes: list[dict]) -> None:
        [node] = [node for node in nodes if node["@id"] == jsonld_url(registry_site, "nurse-aide")]
        del node["ceterms:ctid"]

    site = copy_site(registry_site, tmp_path, forget)
    monkeypatch.chdir(tmp_path)
    assert publish(Path("site"), registry_site.catalog_dir, "--dry-run", "--payloads", "out") == 1
    assert capsys.readouterr().err == (
        f"credsite publish: site/data/ctdl/graph.jsonld: {jsonld_url(registry_site, 'nurse-aide')} has no "
        "CTID (ceterms:ctid): give it one with `credsite ctid --assign`, then build the site again\n"
        "1 problem; nothing was sent\n"
    )
    assert site.is_dir() and not (tmp_path / "out").exists()


def test_a_graph_with_a_vocabulary_problem_is_refused(
    registry_site: OpenData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def paint(nodes: list[dict]) -> None:
        [node] = [node for node in nodes if node["@id"] == jsonld_url(registry_site, "club-coder")]
        node["ceterms:colour"] = "red"

    copy_site(registry_site, tmp_path, paint)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDENTIAL_REGISTRY_API_KEY", KEY)
    assert publish(Path("site"), registry_site.catalog_dir) == 1
    assert capsys.readouterr().err == (
        f"credsite publish: payload for {jsonld_url(registry_site, 'club-coder')}: @graph[0].ceterms:colour: "
        "unknown property ceterms:colour (not an rdf:Property of CTDL)\n"
        "1 problem; nothing was sent\n"
    )


def test_a_site_not_built_is_refused(
    registry_site: OpenData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "site" / "data").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert publish(Path("site"), registry_site.catalog_dir, "--dry-run") == 1
    assert capsys.readouterr().err == (
        "credsite publish: site/data/ctdl/graph.jsonld: not found: build the site first (credsite build)\n"
        "1 problem; nothing was sent\n"
    )
    assert publish(Path("elsewhere"), registry_site.catalog_dir, "--dry-run") == 2
    assert (
        capsys.readouterr().err
        == "credsite: --site elsewhere: no built site there (run credsite build first)\n"
    )


def test_the_key_never_goes_to_a_plain_http_address(
    registry_site: OpenData, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDENTIAL_REGISTRY_API_KEY", KEY)
    assert (
        publish(registry_site.root, registry_site.catalog_dir, "--assistant-url", "http://assistant.example/")
        == 2
    )
    assert capsys.readouterr().err == (
        "credsite: the Assistant URL 'http://assistant.example' must be an https:// URL "
        "(http:// only to this machine, for a test server)\n"
    )


# --- the live path, against a stand-in Assistant ------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is no error of the test."""


class Assistant:
    """A stand-in Registry Assistant on 127.0.0.1: records every request and answers the n-th
    (from 1) with ``answer(n)``: an HTTP status and a JSON body."""

    def __init__(self, answer: Callable[[int], tuple[int, Any]]):
        self.received: list[Received] = []
        assistant = self

        class Handler(BaseHTTPRequestHandler):
            def record(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw) if raw else None
                assistant.received.append(Received(self.command, self.path, dict(self.headers), body))
                status, reply = answer(len(assistant.received))
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if 300 <= status < 400:
                    self.send_header("Location", "https://elsewhere.example/assistant/")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = record

            def log_message(self, *args: object) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/assistant"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def assistant() -> Iterator[Callable[[Callable[[int], tuple[int, Any]]], Assistant]]:
    started: list[Assistant] = []

    def start(answer: Callable[[int], tuple[int, Any]]) -> Assistant:
        started.append(Assistant(answer))
        return started[-1]

    yield start
    for server in started:
        server.close()


ACCEPTED = (200, {"Successful": True, "Messages": [], "CTID": "", "EnvelopeUrl": ""})


def live(site: OpenData, server: Assistant, monkeypatch: pytest.MonkeyPatch, *options: str) -> int:
    monkeypatch.setenv("CREDENTIAL_REGISTRY_API_KEY", KEY)
    monkeypatch.setenv("CREDENTIAL_REGISTRY_ASSISTANT_URL", server.url)
    return publish(site.root, site.catalog_dir, *options)


def test_publishing_posts_each_payload_as_the_publish_action_does(
    registry_site: OpenData,
    assistant: Callable[..., Assistant],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = assistant(lambda n: ACCEPTED)
    assert live(registry_site, server, monkeypatch, "--payloads", str(tmp_path / "sent")) == 0
    plan = plan_publication(registry_site.root, ENVIRONMENTS["sandbox"], AGENCY_CTID)
    assert len(server.received) == len(plan.payloads) == 4
    for request, payload in zip(server.received, plan.payloads, strict=True):
        assert request.method == "POST"
        assert request.path == "/assistant" + payload.endpoint
        assert request.headers["Authorization"] == f"ApiToken {KEY}"
        assert request.headers["Content-Type"] == "application/json"
        assert request.body == payload.body
        assert set(request.body) == {"PublishForOrganizationIdentifier", GRAPH_KEYS[payload.endpoint]}
        assert request.body["PublishForOrganizationIdentifier"] == AGENCY_CTID
    assert [request.path for request in server.received] == ["/assistant/credential/publishGraph"] * 3 + [
        "/assistant/collection/publishGraph"
    ]
    # what was sent is what --payloads wrote
    assert [request.body for request in server.received] == [
        json.loads((tmp_path / "sent" / f"{payload.ctid}.json").read_text()) for payload in plan.payloads
    ]
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "published 4 resources to the sandbox Registry"
    assert KEY not in captured.out + captured.err


def test_an_http_error_stops_the_publication(
    registry_site: OpenData,
    assistant: Callable[..., Assistant],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = assistant(lambda n: ACCEPTED if n == 1 else (500, {"Messages": ["Object reference not set"]}))
    assert live(registry_site, server, monkeypatch) == 1
    second = plan_publication(registry_site.root, ENVIRONMENTS["sandbox"], AGENCY_CTID).payloads[1]
    assert len(server.received) == 2  # nothing more is sent after a failure
    captured = capsys.readouterr()
    assert captured.err == (
        f"credsite publish: POST {server.url}/credential/publishGraph ({second.type} {second.ctid}): "
        "HTTP 500 Internal Server Error: Object reference not set; 1 of 4 published before it\n"
    )
    assert KEY not in captured.out + captured.err


def test_an_answer_that_says_unsuccessful_stops_the_publication(
    registry_site: OpenData,
    assistant: Callable[..., Assistant],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refusal = {"Successful": False, "Messages": ["Error: the owning organization was not found", "Error: 2"]}
    server = assistant(lambda n: (200, refusal))
    assert live(registry_site, server, monkeypatch) == 1
    first = plan_publication(registry_site.root, ENVIRONMENTS["sandbox"], AGENCY_CTID).payloads[0]
    assert len(server.received) == 1
    assert capsys.readouterr().err == (
        f"credsite publish: POST {server.url}/credential/publishGraph ({first.type} {first.ctid}): the Registry "
        "refused it: Error: the owning organization was not found; Error: 2; 0 of 4 published before it\n"
    )


def test_a_redirect_is_not_followed_with_the_key(
    registry_site: OpenData, assistant: Callable[..., Assistant], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = assistant(lambda n: (302, {}))
    assert live(registry_site, server, monkeypatch) == 1
    assert len(server.received) == 1


def test_an_assistant_that_does_not_answer_in_time(
    registry_site: OpenData, assistant: Callable[..., Assistant]
) -> None:
    answered = threading.Event()

    def slow(n: int) -> tuple[int, Any]:
        answered.wait(5)
        return ACCEPTED

    server = assistant(slow)
    plan = plan_publication(registry_site.root, ENVIRONMENTS["sandbox"], AGENCY_CTID)
    try:
        with pytest.raises(PublishFailed, match=r"no answer \(.*timed out\); 0 of 4 published before it$"):
            send(plan, KEY, server.url, timeout=0.5)
    finally:
        answered.set()
