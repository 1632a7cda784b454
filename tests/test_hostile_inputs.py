"""The hostile pull requests found by hand, kept as regression tests: each gives its exact
error line(s) naming the file, exit 1 (2 for a bad --out), no traceback, nothing written
outside --out and nothing read from outside the catalog. The fuzz test (test_fuzz.py)
covers the classes more widely; these pin the cases down.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from catalog_factory import run_git, write_outcomes

from site_builder.cli import main
from site_builder.errors import InputError, format_errors
from site_builder.inputs import LINK_MESSAGE
from site_builder.site.writer import UnsafeWrite, output_file

SECRET = "SECRET-TOKEN-4d2c"
SCHOOLS_ERROR = (
    "school_id: must be a code of letters, digits and '_', '.' or '-' inside, at most 64 characters"
)


def run(*arguments: str) -> tuple[int, list[str]]:
    """``credsite`` in process: its exit code and every line it printed."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = main(list(arguments))
    lines = captured.getvalue().splitlines()
    assert not any("Traceback" in line for line in lines)
    return code, lines


def errors_of(catalog: Path) -> tuple[int, list[str]]:
    code, lines = run("validate", "--catalog", str(catalog), "--quiet")
    assert code == 1, lines
    assert re.fullmatch(r"[0-9,]+ errors?", lines[-1])
    return code, lines[:-1]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the catalog that a CI machine might hold."""
    path = tmp_path / "elsewhere" / "token.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET},second\n{SECRET}\n")
    return path


@pytest.fixture
def catalog(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    write_outcomes(small_catalog)
    return small_catalog


def _without_patterns(catalog: Path) -> None:
    """The package's schemas as a pull request may change them: no pattern on the ids."""
    for schema in (catalog / "outcomes" / "schemas").glob("*.json"):
        schema.write_text(re.sub(r',?\s*"pattern": "[^"]*"', "", schema.read_text()))


def _replace_in_outcomes(catalog: Path, old: str, new: str) -> None:
    for path in (catalog / "outcomes").rglob("*.csv"):
        path.write_text(path.read_text().replace(old, new))


# --- writes stay in the output ------------------------------------------------------------------


@pytest.mark.parametrize("school_id", ["../../../../../x", "..", ".", "a/b", "x" * 65])
def test_a_school_id_that_is_a_path_is_refused_before_anything_is_written(
    catalog: Path, tmp_path: Path, school_id: str
) -> None:
    _without_patterns(catalog)
    _replace_in_outcomes(catalog, "100001", school_id)
    before = {path for path in tmp_path.rglob("*")}
    code, lines = run("build", "--catalog", str(catalog), "--out", str(tmp_path / "a/b/out"), "--quiet")
    assert code == 1
    assert f"catalog/outcomes/schools.csv:2:1: {SCHOOLS_ERROR} (got {school_id[:40]!r}" in "\n".join(lines)
    assert f"catalog/outcomes/2024/attainment.csv:2:2: {SCHOOLS_ERROR}" in "\n".join(lines)
    assert {path for path in tmp_path.rglob("*")} == before  # nothing written, anywhere


@pytest.mark.parametrize("url", ["/schools/../../x/", "/./", "/a//b/", "/schools/.hidden/", "/x\\..\\y/"])
def test_the_writer_refuses_a_path_outside_the_site(tmp_path: Path, url: str) -> None:
    with pytest.raises(UnsafeWrite):
        output_file(tmp_path, url)
    assert output_file(tmp_path, "/schools/100001/") == tmp_path / "schools/100001/index.html"


@pytest.mark.parametrize("place", ["/proc/credsite-test", "/sys/kernel/credsite-test"])
def test_out_under_proc_or_sys_is_a_usage_error(catalog: Path, place: str) -> None:
    if not Path(place).parent.is_dir():
        pytest.skip(f"{Path(place).parent} does not exist here")
    code, lines = run("build", "--catalog", str(catalog), "--out", place, "--quiet")
    assert code == 2
    assert lines[-1].startswith(f"credsite: --out {place}: cannot write there (")


# --- reads stay in the catalog ------------------------------------------------------------------


def test_linked_files_are_named_and_never_read(catalog: Path, secret: Path) -> None:
    (catalog / "issuers" / "stolen.yml").symlink_to(secret)
    (catalog / "occupations.csv").unlink()
    (catalog / "occupations.csv").symlink_to(secret)
    (catalog / "outcomes" / "schools.csv").unlink()
    (catalog / "outcomes" / "schools.csv").symlink_to(secret)
    _, lines = errors_of(catalog)
    assert lines == [
        f"catalog/issuers/stolen.yml:1: {LINK_MESSAGE}",
        f"catalog/occupations.csv:1: {LINK_MESSAGE}",
        f"catalog/outcomes/schools.csv:1: {LINK_MESSAGE}",
    ]


def test_a_linked_folder_is_named_and_never_followed(catalog: Path, secret: Path) -> None:
    (catalog / "pathways" / "networking.yml").unlink()
    (catalog / "pathways").rmdir()
    (catalog / "pathways").symlink_to(secret.parent, target_is_directory=True)
    (secret.parent / "x.yml").write_text(f"name: {SECRET}\n")
    _, lines = errors_of(catalog)
    assert lines == [f"catalog/pathways:1: {LINK_MESSAGE}"]


def test_a_linked_outcomes_folder_is_never_read(catalog: Path, secret: Path) -> None:
    elsewhere = secret.parent / "outcomes"
    (catalog / "outcomes").rename(elsewhere)
    (elsewhere / "datapackage.json").write_text('{"' + SECRET + '": [')
    (catalog / "outcomes").symlink_to(elsewhere, target_is_directory=True)
    _, lines = errors_of(catalog)
    assert lines == [f"catalog/outcomes:1: {LINK_MESSAGE}"]


def test_special_files_are_refused_without_blocking(catalog: Path) -> None:
    os.mkfifo(catalog / "credentials" / "pipe.md")
    (catalog / "issuers" / "zero.yml").symlink_to("/dev/zero")
    _, lines = errors_of(catalog)
    assert lines == [
        "catalog/credentials/pipe.md:1: is a named pipe, not a file; it was not read",
        f"catalog/issuers/zero.yml:1: {LINK_MESSAGE}",
    ]


@pytest.mark.parametrize(
    "schema", ["/dev/zero", "{secret}", "../../elsewhere/token.txt", "https://x.example/s.json"]
)
def test_a_schema_outside_the_package_is_refused(catalog: Path, secret: Path, schema: str) -> None:
    descriptor = catalog / "outcomes" / "datapackage.json"
    named = schema.format(secret=secret)
    descriptor.write_text(descriptor.read_text().replace('"schemas/schools.json"', json.dumps(named), 1))
    _, lines = errors_of(catalog)
    line = next(n for n, text in enumerate(descriptor.read_text().splitlines(), 1) if '"schools.csv"' in text)
    assert lines == [
        f'catalog/outcomes/datapackage.json:{line}: resource "schools": the schema must be a file inside '
        "the package folder, named by a relative path like schemas/schools.json"
    ]


def test_a_remote_profile_is_refused(catalog: Path) -> None:
    descriptor = catalog / "outcomes" / "datapackage.json"
    text = descriptor.read_text().replace('"tabular-data-package"', '"https://x.example/profile.json"')
    descriptor.write_text(text)
    _, lines = errors_of(catalog)
    assert lines == [
        'catalog/outcomes/datapackage.json:1: a package\'s profile must be "data-package" or '
        '"tabular-data-package"; no other profile is read'
    ]


@pytest.mark.parametrize("where", ["package", "resource"])
def test_a_profile_by_web_address_is_never_fetched(catalog: Path, where: str) -> None:
    """``profiles`` (Data Package v2) is read by Frictionless as the profile, and fetched."""
    with listening() as (address, connections):
        descriptor = catalog / "outcomes" / "datapackage.json"
        data = json.loads(descriptor.read_text())
        entry = data if where == "package" else data["resources"][0]
        entry["profiles"] = [f"http://{address}/profile.json"]
        descriptor.write_text(json.dumps(data, indent=2))
        _, lines = errors_of(catalog)
    kind, names = (
        ("package", '"data-package" or "tabular-data-package"')
        if where == "package"
        else (
            "resource",
            '"data-resource" or "tabular-data-resource"',
        )
    )
    assert lines == [
        f"catalog/outcomes/datapackage.json:1: a {kind}'s profile must be {names}; no other profile is read"
    ]
    assert connections == []


def test_frictionless_reaches_no_network_while_offline() -> None:
    """The guard behind the layout check: within ``offline`` a remote descriptor fails at once."""
    from frictionless import FrictionlessException, Package

    from site_builder.inputs import offline

    with listening() as (address, connections), offline(), pytest.raises(FrictionlessException):
        Package(f"http://{address}/datapackage.json")
    assert connections == []


@contextlib.contextmanager
def listening():
    """A server on the loopback that records every connection made to it."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections: list[object] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", connections
    finally:
        done.set()
        thread.join(timeout=5)
        server.close()


def test_a_linked_catalog_folder_is_never_read(
    tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (secret.parent / "site.yml").write_text(f"title: {SECRET}\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "catalog").symlink_to(secret.parent, target_is_directory=True)
    monkeypatch.chdir(repo)
    _, lines = errors_of(Path("catalog"))
    assert lines == [f"catalog:1: {LINK_MESSAGE}"]


def test_a_linked_output_folder_in_the_repository_is_refused(catalog: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere-site"
    (tmp_path / "public").symlink_to(target, target_is_directory=True)
    code, lines = run("build", "--catalog", str(catalog), "--quiet")
    assert code == 2
    assert lines[-1].startswith(f"credsite: --out public: {tmp_path / 'public'} is a symbolic link;")
    assert not target.exists()


def test_an_id_with_a_trailing_newline_is_refused(catalog: Path, tmp_path: Path) -> None:
    _without_patterns(catalog)
    _replace_in_outcomes(catalog, "100001,", '"100001\n",')
    code, lines = run("build", "--catalog", str(catalog), "--out", "out", "--quiet")
    assert code == 1
    assert f"catalog/outcomes/schools.csv:2:1: {SCHOOLS_ERROR} (got '100001\\n')" in lines
    assert not (tmp_path / "out").exists()


def test_a_file_over_its_size_limit_is_refused(catalog: Path) -> None:
    path = catalog / "credentials" / "net-pro.md"
    path.write_text(path.read_text() + "x" * (1 << 20))
    _, lines = errors_of(catalog)
    assert lines[0] == "catalog/credentials/net-pro.md:1: is 1 MB, over the 1 MB a file of this kind may hold"


# --- bounded parsing: a clear line, never a traceback or a hang -----------------------------------


def test_a_5000_digit_integer_in_yaml(catalog: Path) -> None:
    path = catalog / "credentials" / "net-pro.md"
    path.write_text(re.sub(r"points: [0-9]+", "points: " + "9" * 5000, path.read_text()))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("points:"))
    _, lines = errors_of(catalog)
    assert lines == [
        f"catalog/credentials/net-pro.md:{line}:9: invalid YAML: a whole number of more than 30 digits"
    ]


@pytest.mark.parametrize(
    ("inserted", "message"),
    [
        ('"x": ' + "9" * 5000 + ", ", "not accepted: a number has more than 30 digits"),
        ('"x": ' + "[" * 100_000 + "]" * 100_000 + ", ", "not accepted: nested more than 20 levels deep"),
        ('"x": NaN, ', "not accepted: NaN is not a JSON number; write a number or remove the value"),
    ],
)
def test_unbounded_json_in_the_descriptor(catalog: Path, inserted: str, message: str) -> None:
    descriptor = catalog / "outcomes" / "datapackage.json"
    descriptor.write_text(descriptor.read_text().replace('"name"', inserted + '"name"', 1))
    _, lines = errors_of(catalog)
    assert lines == [f"catalog/outcomes/datapackage.json:1: {message}"]


def test_nan_in_a_schema_constraint(catalog: Path) -> None:
    schema = catalog / "outcomes" / "schemas" / "attainment.json"
    schema.write_text(schema.read_text().replace('"minimum": 0', '"minimum": NaN'))
    _, lines = errors_of(catalog)
    assert lines == [
        "catalog/outcomes/schemas/attainment.json:1: not accepted: NaN is not a JSON number; "
        "write a number or remove the value"
    ]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "[",
            "its schema: a pattern is not a regular expression RE2 accepts (no back-references or look-arounds)",
        ),
        ("(a+)+$", None),  # catastrophic for Python's re, linear for RE2
    ],
)
def test_hostile_patterns_in_a_schema(catalog: Path, pattern: str, message: str | None) -> None:
    schema = catalog / "outcomes" / "schemas" / "schools.json"
    schema.write_text(schema.read_text().replace('"[0-9]{6}"', json.dumps(pattern), 1))
    _replace_in_outcomes(catalog, "Alder High School", "a" * 5000 + "!")
    _, lines = errors_of(catalog)
    if message is not None:
        assert f"catalog/outcomes/schools.csv:1: {message}" in lines
    else:
        assert lines[0].startswith("catalog/outcomes/schools.csv:2:1: school_id: must be text matching")


def test_a_schema_that_changes_the_contract_types(catalog: Path) -> None:
    schema = catalog / "outcomes" / "schemas" / "attainment.json"
    schema.write_text(schema.read_text().replace('"type": "integer"', '"type": "string"'))
    _, lines = errors_of(catalog)
    assert lines == [
        'catalog/outcomes/schemas/attainment.json:1: field "earned" must have "type": "integer"',
        'catalog/outcomes/schemas/attainment.json:1: field "year" must have "type": "integer"',
    ]


def test_a_row_with_thousands_of_empty_cells(catalog: Path) -> None:
    path = catalog / "occupations.csv"
    lines = path.read_text().splitlines()
    lines[2] += "," * 20_000
    path.write_text("\n".join(lines) + "\n")
    _, errors = errors_of(catalog)
    assert errors == ["catalog/occupations.csv:3:7: row has 20,006 values; the header has 6 columns"]


def test_many_bad_items_are_one_line(catalog: Path) -> None:
    path = catalog / "credentials" / "net-pro.md"
    path.write_text(path.read_text().replace("stacks_to: [", "stacks_to: [" + "a, " * 10_000, 1))
    _, lines = errors_of(catalog)
    assert len(lines) == 1
    assert lines[0].endswith(": the file holds more than 5,000 values; no catalog file needs as many")


# --- error lines: one line each, short, escaped, capped --------------------------------------------


def test_control_characters_in_yaml_are_one_line_at_their_place(catalog: Path) -> None:
    path = catalog / "issuers" / "netco.yml"
    path.write_text(path.read_text() + 'x: "\x1b[31m"\n')
    line = len(path.read_text().splitlines())
    _, lines = errors_of(catalog)
    assert lines == [
        f"catalog/issuers/netco.yml:{line}:5: control character U+001B is not allowed in a text file; remove it"
    ]


def test_a_newline_inside_a_csv_value_is_escaped(catalog: Path) -> None:
    path = catalog / "occupations.csv"
    path.write_text(path.read_text() + '"15-\n1299",Title,1,2024,true,x\n')
    _, lines = errors_of(catalog)
    assert lines == ["catalog/occupations.csv:5:1: soc: must be a SOC code like '15-1232' (got '15-\\n1299')"]


def test_a_file_with_carriage_returns_alone_counts_its_lines(catalog: Path) -> None:
    """The same error line as the same file saved with newlines (it once named lines past its end)."""
    path = catalog / "issuers" / "netco.yml"
    text = path.read_text().replace("kind: vendor\n", "kind: [vendor\nname2: x\n")
    path.write_text(text)
    _, with_newlines = errors_of(catalog)
    path.write_bytes(text.replace("\n", "\r").encode())
    _, with_returns = errors_of(catalog)
    assert with_returns == with_newlines
    assert len(with_returns) == 1 and int(with_returns[0].split(":")[1]) <= text.count("\n")


def test_a_long_value_is_quoted_short() -> None:
    from site_builder.errors import excerpt

    assert excerpt("a" * 100) == "'" + "a" * 40 + "'... (100 characters)"
    assert excerpt("line\nbreak\u202e") == "'line\\nbreak\\u202e'"
    assert str(InputError("a\nb.md", 1, None, "x\ry")) == "a\\nb.md:1: x\\ry"


def test_errors_are_capped_per_file_and_in_all() -> None:
    many = [InputError("catalog/a.md", line, None, "bad") for line in range(1, 61)]
    many += [InputError(f"catalog/f{n:03d}.md", 1, None, "bad") for n in range(600)]
    lines = format_errors(many)
    assert lines[49:51] == [
        "catalog/a.md:50: bad",
        "catalog/a.md:51: and 10 more errors in this file, not shown",
    ]
    assert lines[-1] == "catalog/f450.md:1: and 150 more errors from here on, not shown"
    assert len(lines) == 502


# --- credsite diff over a commit with links ------------------------------------------------------------


def test_diff_keeps_foreign_text_out_of_its_markdown(small_catalog: Path) -> None:
    """Keys shown as code and error lines cannot close their spans or fences and write Markdown
    (a fake "HEAD is valid." and an HTML comment hiding the real validation)."""
    repo = small_catalog.parent
    run_git(repo, "init", "-q")
    run_git(repo, "add", "catalog")
    run_git(repo, "commit", "-qm", "base")
    fake = "x`\n\n### Validation\n\nHEAD is valid.\n\n<!--"
    occupations = small_catalog / "occupations.csv"
    occupations.write_text(occupations.read_text() + f'"{fake}",Farmers,1,2024,true,t\n```\n')
    run_git(repo, "add", "catalog")
    run_git(repo, "commit", "-qm", "injection")
    code, lines = run("diff", "HEAD~1", "HEAD", "--catalog", str(small_catalog))
    assert code == 1
    assert lines.count("### Validation") == 1
    assert "HEAD is valid." not in lines
    assert not any(line.startswith("<!--") for line in lines)
    assert "- Added ``x`\\n\\n### Validation\\n\\nHEAD is valid.\\n\\n<!--`` (Farmers)" in lines
    fence = next(line for line in lines if line.endswith("text"))
    assert fence == "````text" and lines[-1] == "````"


def test_diff_over_a_commit_with_links(small_catalog: Path, secret: Path) -> None:
    repo = small_catalog.parent
    run_git(repo, "init", "-q")
    run_git(repo, "add", "catalog")
    run_git(repo, "commit", "-qm", "base")
    (small_catalog / "issuers" / "stolen.yml").symlink_to(secret)
    (small_catalog / "credentials" / "etc").symlink_to("/etc", target_is_directory=True)
    run_git(repo, "add", "catalog")
    run_git(repo, "commit", "-qm", "links")
    code, lines = run("diff", "HEAD~1", "HEAD", "--catalog", str(small_catalog))
    assert code == 1
    text = "\n".join(lines)
    assert SECRET not in text
    assert f"catalog/credentials/etc:1: {LINK_MESSAGE}" in lines
    assert f"catalog/issuers/stolen.yml:1: {LINK_MESSAGE}" in lines
