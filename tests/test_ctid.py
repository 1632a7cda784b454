"""CTIDs stored in the catalog's files (SPEC 9): unique in the catalog, written once by
``credsite ctid --assign`` (every other byte of the file kept), given to new credentials by
``credsite import``, a note (not an error) while missing, and never changed or lost, which
``credsite diff`` and the pull-request check refuse.

The small catalog (catalog_factory) gives every credential and site.yml a fixed CTID.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from catalog_factory import ctid_of, run_git, tree, write_catalog

from site_builder.adopt.importer import import_list
from site_builder.catalog import load_catalog
from site_builder.catalog.models import FACTS, ISSUER_FACTS
from site_builder.cli import main
from site_builder.ctids import missing_note
from site_builder.errors import CatalogInvalid
from site_builder.paths import PROJECT_ROOT, SAMPLE_CATALOG

CRED = "catalog/credentials"
CTID_LINE = re.compile(r"^ctid: (ce-[0-9a-f-]{36})$", re.M)
#: CTIDs made up for the tests, as the Registry would give them
OTHER = "ce-0b7e1f43-51c8-4a59-9d0a-2c6d1e3f4a5b"
AGENCY = "ce-5f0c3a2e-7b1d-4e6a-8c9f-1a2b3c4d5e6f"


def errors_of(catalog: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(catalog)
    return [str(error) for error in raised.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, startswith: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(startswith):
            return number
    raise AssertionError(f"{startswith!r} not in {path}")


def drop_ctid(path: Path) -> None:
    """Take the ``ctid:`` line out of a file (not ``registry_ctid:``, nor an agency's)."""
    path.write_text(re.sub(r"^ctid: .*\n", "", path.read_text(), flags=re.M))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- every CTID in the catalog is distinct ---------------------------------------------------------


def test_the_small_catalog_carries_its_ctids(small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    assert {key: c.ctid for key, c in catalog.credentials.items()} == {
        key: ctid_of(key) for key in ("club-coder", "net-basics", "net-pro", "nurse-aide")
    }
    assert catalog.site.ctid == ctid_of("site.yml")


def test_two_credentials_with_the_same_ctid(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, f"ctid: {ctid_of('net-pro')}", f"ctid: {ctid_of('net-basics')}")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'ctid:')}: ctid: {ctid_of('net-basics')} is also the ctid of "
        f"{CRED}/net-basics.md; every CTID in the catalog names one thing (a copied file keeps its "
        "source's CTID: delete this line and run credsite ctid --assign)"
    ]


def test_a_registry_ctid_that_is_another_credentials_ctid(small_catalog: Path) -> None:
    path = small_catalog / "credentials/nurse-aide.md"
    edit(path, "---\nA short", f"registry_ctid: {ctid_of('club-coder')}\n---\nA short")
    assert errors_of(small_catalog) == [
        f"{CRED}/nurse-aide.md:{line_of(path, 'registry_ctid:')}: registry_ctid: {ctid_of('club-coder')} "
        f"is also the ctid of {CRED}/club-coder.md; every CTID in the catalog names one thing"
    ]


def test_two_credentials_with_the_same_registry_ctid(small_catalog: Path) -> None:
    for key in ("net-basics", "net-pro"):
        edit(small_catalog / f"credentials/{key}.md", "---\nA short", f"registry_ctid: {OTHER}\n---\nA short")
    path = small_catalog / "credentials/net-pro.md"
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'registry_ctid:')}: registry_ctid: {OTHER} is also the "
        f"registry_ctid of {CRED}/net-basics.md; every CTID in the catalog names one thing"
    ]


def test_a_registry_ctid_that_is_the_files_own_ctid(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    edit(path, "---\nA short", f"registry_ctid: {ctid_of('net-pro')}\n---\nA short")
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'registry_ctid:')}: registry_ctid: {ctid_of('net-pro')} "
        "is also this file's ctid; every CTID in the catalog names one thing"
    ]


def test_an_issuer_with_a_credentials_ctid(small_catalog: Path) -> None:
    # issuers are read before credentials: the credential is told
    (small_catalog / "issuers/netco.yml").write_text(
        f"name: NetCo\nurl: https://netco.example\nkind: vendor\nctid: {ctid_of('net-pro')}\n"
    )
    path = small_catalog / "credentials/net-pro.md"
    assert errors_of(small_catalog) == [
        f"{CRED}/net-pro.md:{line_of(path, 'ctid:')}: ctid: {ctid_of('net-pro')} is also the ctid of "
        "catalog/issuers/netco.yml; every CTID in the catalog names one thing (a copied file keeps its "
        "source's CTID: delete this line and run credsite ctid --assign)"
    ]


def test_two_issuers_with_the_same_ctid(small_catalog: Path) -> None:
    for key in ("local-club", "netco"):
        path = small_catalog / f"issuers/{key}.yml"
        path.write_text(path.read_text() + f"ctid: {OTHER}\n")
    assert errors_of(small_catalog) == [
        f"catalog/issuers/netco.yml:4: ctid: {OTHER} is also the ctid of catalog/issuers/local-club.yml; "
        "every CTID in the catalog names one thing"
    ]


def test_the_agency_with_the_lists_own_ctid(small_catalog: Path) -> None:
    site = small_catalog / "site.yml"
    site.write_text(
        site.read_text() + f"agency:\n  name: Northland Education\n  url: https://edu.northland.example\n"
        f"  ctid: {ctid_of('site.yml')}\n"
    )
    assert errors_of(small_catalog) == [
        f"catalog/site.yml:12: agency.ctid: {ctid_of('site.yml')} is also this file's ctid; "
        "every CTID in the catalog names one thing"
    ]


def test_a_credential_with_the_agencys_ctid(small_catalog: Path) -> None:
    site = small_catalog / "site.yml"
    site.write_text(
        site.read_text() + f"agency:\n  name: Northland Education\n  url: https://edu.northland.example\n"
        f"  ctid: {AGENCY}\n"
    )
    path = small_catalog / "credentials/club-coder.md"
    edit(path, f"ctid: {ctid_of('club-coder')}", f"ctid: {AGENCY}")
    assert errors_of(small_catalog) == [
        f"{CRED}/club-coder.md:{line_of(path, 'ctid:')}: ctid: {AGENCY} is also the agency.ctid of "
        "catalog/site.yml; every CTID in the catalog names one thing (a copied file keeps its source's "
        "CTID: delete this line and run credsite ctid --assign)"
    ]


def test_a_malformed_ctid_is_reported_once_for_its_shape(small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    bad = ctid_of("net-basics").upper()
    edit(path, f"ctid: {ctid_of('net-pro')}", f"ctid: {bad}")
    (error,) = errors_of(small_catalog)
    assert error.startswith(f"{CRED}/net-pro.md:{line_of(path, 'ctid:')}: ctid: ")
    assert "is also" not in error


# --- credsite ctid [--assign] ---------------------------------------------------------------------


def test_credsite_help_lists_the_ctid_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+ctid\s+list the files without a CTID", out, re.M), out


def test_ctid_lists_nothing_and_exits_0_when_every_file_has_one(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["ctid"], capsys) == (0, "catalog: every credential and site.yml have a CTID\n", "")


def test_ctid_lists_the_files_without_one_and_exits_1(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_ctid(small_catalog / "credentials/net-pro.md")
    drop_ctid(small_catalog / "credentials/club-coder.md")
    drop_ctid(small_catalog / "site.yml")
    before = tree(small_catalog)
    code, out, err = run(["ctid", "--catalog", "catalog"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "catalog/site.yml: no CTID yet",
        f"{CRED}/club-coder.md: no CTID yet",
        f"{CRED}/net-pro.md: no CTID yet",
    ]
    assert err == "3 files without a CTID; run credsite ctid --assign\n"
    assert tree(small_catalog) == before  # listing writes nothing


def test_assign_writes_one_line_after_the_id_and_keeps_every_other_byte(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    credentials = small_catalog / "credentials"
    # a file as a contributor's editor may leave it: a byte-order mark, CRLF line ends, comments
    (credentials / "net-pro.md").write_bytes(
        "\ufeff---\r\nid: net-pro   # the id\r\nname: Network Professional\r\n".encode()
        + (credentials / "net-pro.md")
        .read_bytes()
        .split(b"name: Network Professional\n", 1)[1]
        .replace(f"ctid: {ctid_of('net-pro')}\n".encode(), b"")
        .replace(b"\n", b"\r\n")
    )
    # a CTID left null is a CTID still to write
    edit(credentials / "club-coder.md", f"ctid: {ctid_of('club-coder')}", "ctid: null  # later")
    site = small_catalog / "site.yml"
    site.write_text(
        "# the program's settings\n" + re.sub(r"^ctid: .*\n", "", site.read_text(), flags=re.M).rstrip("\n")
    )
    before = tree(small_catalog)

    code, out, err = run(["ctid", "--assign", "--catalog", "catalog"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split(": ctid ")[0] for line in lines[:-1]] == [
        "catalog/site.yml",
        f"{CRED}/club-coder.md",
        f"{CRED}/net-pro.md",
    ]
    assert lines[-1] == "3 CTIDs written"
    written = {line.split(": ctid ")[0]: line.split(": ctid ")[1] for line in lines[:-1]}
    for ctid in written.values():
        assert uuid.UUID(ctid.removeprefix("ce-")).version == 4
        assert str(uuid.UUID(ctid.removeprefix("ce-"))) == ctid.removeprefix("ce-")
    assert len(set(written.values()) | {ctid_of("net-basics"), ctid_of("nurse-aide")}) == 5

    after = tree(small_catalog)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["credentials/club-coder.md", "credentials/net-pro.md", "site.yml"]
    net_pro = written[f"{CRED}/net-pro.md"]
    assert after["credentials/net-pro.md"] == before["credentials/net-pro.md"].replace(
        b"id: net-pro   # the id\r\n", f"id: net-pro   # the id\r\nctid: {net_pro}\r\n".encode()
    )
    assert after["credentials/club-coder.md"] == before["credentials/club-coder.md"].replace(
        b"ctid: null  # later\n", f"ctid: {written[f'{CRED}/club-coder.md']}  # later\n".encode()
    )
    # site.yml: right after base_url (its last line had no line end, and keeps none)
    assert after["site.yml"] == before["site.yml"].replace(
        b"base_url: https://creds.northland.example\n",
        f"base_url: https://creds.northland.example\nctid: {written['catalog/site.yml']}\n".encode(),
    )
    catalog = load_catalog(small_catalog)
    assert catalog.credentials["net-pro"].ctid == net_pro

    # again: nothing to write
    assert run(["ctid", "--assign"], capsys) == (
        0,
        "0 CTIDs written: every credential and site.yml have one\n",
        "",
    )
    assert tree(small_catalog) == after
    assert run(["ctid"], capsys)[0] == 0


def test_assign_refuses_an_invalid_catalog_with_validates_errors(
    small_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    drop_ctid(small_catalog / "credentials/net-basics.md")
    edit(small_catalog / "credentials/net-pro.md", "points: 9", "points: 13")
    before = tree(small_catalog)
    code, out, err = run(["ctid", "--assign"], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{CRED}/net-pro.md:7: points: input should be less than or equal to 12 (got 13)",
        "1 error; no CTID was written",
    ]
    assert tree(small_catalog) == before
    _, _, validate_err = run(["validate", "--quiet"], capsys)
    assert validate_err.splitlines()[0] == err.splitlines()[0]
    # listing refuses too: an invalid catalog's CTIDs cannot be trusted
    assert run(["ctid"], capsys)[0] == 1


def test_assign_refuses_a_duplicate_ctid(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_ctid(small_catalog / "credentials/net-basics.md")
    path = small_catalog / "credentials/net-pro.md"
    edit(path, f"ctid: {ctid_of('net-pro')}", f"ctid: {ctid_of('club-coder')}")
    code, _, err = run(["ctid", "--assign"], capsys)
    assert code == 1
    assert err.splitlines()[-1] == "1 error; no CTID was written"
    assert "is also the ctid of catalog/credentials/club-coder.md" in err
    assert "ctid:" not in (small_catalog / "credentials/net-basics.md").read_text()


def test_ctid_without_a_catalog_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./catalog: never the bundled sample
    assert run(["ctid", "--assign"], capsys) == (
        2,
        "",
        "credsite: catalog: no such catalog folder (give --catalog DIR)\n",
    )


def test_the_bundled_samples_carry_their_ctids(capsys: pytest.CaptureFixture[str]) -> None:
    for catalog in (SAMPLE_CATALOG, PROJECT_ROOT / "examples/state-list/catalog"):
        assert run(["ctid", "--catalog", str(catalog)], capsys)[0] == 0
        credentials = [path for path in (catalog / "credentials").glob("*.md") if "." not in path.stem]
        assert credentials  # <id>.<lang>.md translations carry no CTID: they are not credentials
        for path in credentials:
            lines = path.read_text().splitlines()
            assert lines[1] == f"id: {path.stem}" and CTID_LINE.fullmatch(lines[2]), path


# --- build and validate: a note, never an error ---------------------------------------------------


def test_validate_and_build_note_missing_ctids(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("net-basics", "net-pro", "nurse-aide"):
        drop_ctid(small_catalog / f"credentials/{key}.md")
    code, out, err = run(["validate"], capsys)
    assert (code, out) == (0, "catalog: valid\n")
    note = "note: 3 credentials have no CTID yet; run credsite ctid --assign"
    assert err.splitlines().count(note) == 1
    code, _, err = run(["build", "--out", str(tmp_path / "public")], capsys)
    assert code == 0 and err.splitlines().count(note) == 1
    # not a fact families miss: /contribute/ does not ask for it
    contribute = (tmp_path / "public/contribute/index.html").read_text()
    assert "ctid" not in contribute.lower()
    assert "ctid" not in FACTS and "ctid" not in ISSUER_FACTS


def test_no_note_when_every_file_has_its_ctid(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate"], capsys)
    assert code == 0 and "CTID" not in err


def test_the_note_counts_credentials_and_names_site_yml(small_catalog: Path) -> None:
    assert missing_note(load_catalog(small_catalog)) is None
    drop_ctid(small_catalog / "site.yml")
    assert (
        missing_note(load_catalog(small_catalog))
        == "note: site.yml has no CTID yet; run credsite ctid --assign"
    )
    drop_ctid(small_catalog / "credentials/net-pro.md")
    assert (
        missing_note(load_catalog(small_catalog))
        == "note: 1 credential and site.yml have no CTID yet; run credsite ctid --assign"
    )
    write_catalog(small_catalog.parent / "other")
    drop_ctid(small_catalog.parent / "other/catalog/credentials/net-pro.md")
    assert (
        missing_note(load_catalog(small_catalog.parent / "other/catalog"))
        == "note: 1 credential has no CTID yet; run credsite ctid --assign"
    )


def test_validate_complete_lists_each_missing_ctid(
    small_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    drop_ctid(small_catalog / "credentials/net-pro.md")
    drop_ctid(small_catalog / "credentials/club-coder.md")
    drop_ctid(small_catalog / "site.yml")
    code, _, err = run(["validate", "--complete", "--quiet"], capsys)
    assert code == 1
    message = "ctid: not yet assigned (--complete requires every CTID; run credsite ctid --assign)"
    assert err.splitlines() == [
        f"{CRED}/club-coder.md:2: {message}",
        f"{CRED}/net-pro.md:2: {message}",
        f"catalog/site.yml:1: {message}",
        "3 errors",
    ]


# --- credsite import -------------------------------------------------------------------------------

IMPORT_MAP = """\
columns:
  name: Name
  issuer: Issuer
  career_fields: Career Field
  points: Points
  status: Status
  approved: Approved
  sunset: Sunset
  ctid: CTID
"""

IMPORT_LIST = f"""\
Name,Issuer,Career Field,Points,Status,Approved,Sunset,CTID
Network Basics,NetCo,it,3,approved,2020-07-01,,{OTHER}
Network Professional,NetCo,it,9,approved,2020-07-01,,
Club Coder,Local Computer Club,it,1,retired,2020-07-01,2024-06-30,
Northland Nurse Aide,Northland Board of Nursing,health;it,12,approved,2020-07-01,,
Cloud Basics,NetCo,it,2,approved,2024-07-01,,
Data Basics,NetCo,it,2,approved,2024-07-01,,{AGENCY}
"""


def test_import_gives_new_credentials_a_ctid_and_never_changes_one(small_catalog: Path) -> None:
    (small_catalog.parent / "MAP.yml").write_text(IMPORT_MAP)
    (small_catalog.parent / "list.csv").write_text(IMPORT_LIST)
    before = tree(small_catalog)
    result = import_list(small_catalog.parent / "list.csv", small_catalog.parent / "MAP.yml", small_catalog)
    assert result.errors == []
    assert sorted(result.created) == ["cloud-basics", "data-basics"]
    # the list gives net-basics another CTID: the file keeps its own, and the import says so
    assert result.notes == ["net-basics: kept its CTID; a CTID never changes (the list gives another)"]
    after = tree(small_catalog)
    assert {name for name in after if after[name] != before.get(name)} == {
        "credentials/cloud-basics.md",
        "credentials/data-basics.md",
    }
    cloud = (small_catalog / "credentials/cloud-basics.md").read_text().splitlines()
    assert cloud[1] == "id: cloud-basics" and CTID_LINE.fullmatch(cloud[2])
    data = (small_catalog / "credentials/data-basics.md").read_text().splitlines()
    assert data[1:3] == ["id: data-basics", f"ctid: {AGENCY}"]  # the list's own CTID for a new file
    load_catalog(small_catalog)
    # again: nothing changes
    again = import_list(small_catalog.parent / "list.csv", small_catalog.parent / "MAP.yml", small_catalog)
    assert again.errors == [] and not again.written
    assert tree(small_catalog) == after


def test_a_map_cannot_give_every_credential_one_ctid(small_catalog: Path) -> None:
    (small_catalog.parent / "MAP.yml").write_text(IMPORT_MAP + f"defaults:\n  ctid: {OTHER}\n")
    (small_catalog.parent / "list.csv").write_text(IMPORT_LIST)
    with pytest.raises(CatalogInvalid) as raised:
        import_list(small_catalog.parent / "list.csv", small_catalog.parent / "MAP.yml", small_catalog)
    assert [str(error) for error in raised.value.errors] == [
        "MAP.yml:11: defaults: 'ctid' cannot have a default (each credential has its own)"
    ]


# --- credsite diff: renames keep the CTID; a changed or lost CTID fails -----------------------------


def commit(repo: Path, message: str) -> None:
    run_git(repo, "add", "--all")
    run_git(repo, "commit", "--quiet", "--message", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small catalog, committed once, in a fresh repository (the working folder)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    run_git(repo, "init", "--quiet", "--initial-branch=main")
    write_catalog(repo)
    commit(repo, "the catalog")
    monkeypatch.chdir(repo)
    return repo


def diff(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code, out, err = run(["diff", "HEAD~1", "HEAD"], capsys)
    assert err == ""
    return code, out.splitlines()


def section(lines: list[str], title: str) -> list[str]:
    start = lines.index(title)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("### ")), len(lines))
    return lines[start:end]


CTID_INTRO = (
    "A CTID never changes once written: the Credential Registry and everyone who links to the credential "
    'know it by its CTID (CONTRIBUTING.md, "CTIDs"). This check fails until each is put back.'
)


def test_a_rename_that_keeps_the_ctid_is_a_rename_even_when_the_text_is_all_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    credentials = repo / "catalog/credentials"
    old = credentials / "net-pro.md"
    # so much rewritten that Git no longer sees a rename: only the CTID says it is one
    text = old.read_text().replace("id: net-pro\n", "id: network-professional\n")
    text = re.sub(
        r"^(summary|assessment|renewal|prerequisites): .*$",
        r"\1: Rewritten from scratch, entirely.",
        text,
        flags=re.M,
    )
    text = text.replace("A short description.\n", "A whole new description.\n" * 20)
    old.unlink()
    (credentials / "network-professional.md").write_text(text)
    edit(repo / "catalog/pathways/networking.yml", "net-pro", "network-professional")
    edit(credentials / "net-basics.md", "stacks_to: [net-pro]", "stacks_to: [network-professional]")
    commit(repo, "rename")
    renames = subprocess.run(
        ["git", "diff", "--name-status", "-M", "HEAD~1", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout
    assert "R" not in "".join(line[:1] for line in renames.splitlines())  # Git sees a delete and an add
    code, lines = diff(capsys)
    assert code == 0
    assert "Credentials: 1 renamed, 1 changed." in lines
    assert section(lines, "### Renamed credentials")[2] == (
        "- **Network Professional** (`network-professional`): renamed from `net-pro`"
    )
    assert "### Removed credentials" not in lines and "### Added credentials" not in lines
    assert not any(line.startswith("### CTID errors") for line in lines)


def test_a_changed_ctid_is_an_error_at_the_top_and_exits_1(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo / "catalog/credentials/net-pro.md", f"ctid: {ctid_of('net-pro')}", f"ctid: {OTHER}")
    edit(repo / "catalog/credentials/net-pro.md", "points: 9", "points: 10")
    commit(repo, "a new CTID")
    code, lines = diff(capsys)
    assert code == 1
    assert lines[2:9] == [
        "### CTID errors (1)",
        "",
        CTID_INTRO,
        "",
        f"- **Network Professional** (`net-pro`): CTID changed: {ctid_of('net-pro')} -> {OTHER}; "
        f"put back {ctid_of('net-pro')}",
        "",
        "Credentials: 1 changed.",
    ]
    assert lines[-1] == "HEAD is valid."  # the summary is all there


def test_a_deleted_ctid_key_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_ctid(repo / "catalog/credentials/club-coder.md")
    commit(repo, "no CTID")
    code, lines = diff(capsys)
    assert code == 1
    assert section(lines, "### CTID errors (1)")[4] == (
        f"- **Club Coder** (`club-coder`): ctid deleted (it was {ctid_of('club-coder')}); put it back"
    )


def test_a_rename_that_drops_the_ctid_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    credentials = repo / "catalog/credentials"
    (credentials / "club-coder.md").rename(credentials / "coder.md")
    edit(credentials / "coder.md", "id: club-coder", "id: coder")
    drop_ctid(credentials / "coder.md")
    commit(repo, "rename without CTID")
    code, lines = diff(capsys)
    assert code == 1
    assert section(lines, "### CTID errors (1)")[4] == (
        f"- **Club Coder** (`coder`): ctid deleted (it was {ctid_of('club-coder')}); put it back"
    )
    assert "- **Club Coder** (`coder`): renamed from `club-coder`" in lines


def test_a_deleted_file_whose_ctid_no_file_keeps_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "catalog/credentials/club-coder.md").unlink()
    edit(repo / "catalog/pathways/networking.yml", "[net-pro, club-coder]", "[net-pro]")
    commit(repo, "delete")
    code, lines = diff(capsys)
    assert code == 1
    assert section(lines, "### CTID errors (1)")[4] == (
        f"- **Club Coder** (`club-coder`): its file was deleted, and no file keeps its CTID "
        f"{ctid_of('club-coder')}: put the file back and retire the credential instead (status: retired)"
    )
    assert section(lines, "### Removed credentials")[2] == "- **Club Coder** (`club-coder`)"


def test_a_copy_with_a_new_ctid_is_not_a_rename(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Git would call this a rename; the two CTIDs say it is two credentials, one of them deleted
    credentials = repo / "catalog/credentials"
    text = (credentials / "club-coder.md").read_text()
    (credentials / "club-coder.md").unlink()
    (credentials / "coder.md").write_text(
        text.replace("id: club-coder", "id: coder").replace(ctid_of("club-coder"), OTHER)
    )
    edit(repo / "catalog/pathways/networking.yml", "club-coder", "coder")
    commit(repo, "copy")
    code, lines = diff(capsys)
    assert code == 1
    assert "Credentials: 1 added, 1 removed." in lines
    assert section(lines, "### CTID errors (1)")[4].startswith(
        "- **Club Coder** (`club-coder`): its file was deleted"
    )


def test_issuer_and_site_ctids_must_not_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    netco = repo / "catalog/issuers/netco.yml"
    netco.write_text(netco.read_text() + f"ctid: {OTHER}\n")
    commit(repo, "NetCo's Registry organisation")
    edit(netco, f"ctid: {OTHER}", f"ctid: {AGENCY}")
    edit(repo / "catalog/site.yml", f"ctid: {ctid_of('site.yml')}", f"ctid: {ctid_of('elsewhere')}")
    commit(repo, "other CTIDs")
    code, lines = diff(capsys)
    assert code == 1
    assert section(lines, "### CTID errors (2)")[4:] == [
        f"- Issuer **NetCo** (`netco`): CTID changed: {OTHER} -> {AGENCY}; put back {OTHER}",
        f"- Site settings (`site.yml`): CTID changed: {ctid_of('site.yml')} -> {ctid_of('elsewhere')}; "
        f"put back {ctid_of('site.yml')}",
        "",
        "No credential changed.",
        "",
    ]


def test_adding_a_ctid_is_fine(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_ctid(repo / "catalog/credentials/net-basics.md")
    drop_ctid(repo / "catalog/site.yml")
    commit(repo, "before the CTIDs")
    assert main(["ctid", "--assign"]) == 0
    capsys.readouterr()
    commit(repo, "credsite ctid --assign")
    code, lines = diff(capsys)
    assert code == 0
    assert not any(line.startswith("### CTID errors") for line in lines)
    assert section(lines, "### Changed credentials")[2] == "- **Network Basics** (`net-basics`)"


# --- the pull-request check fails on a CTID error, with the summary written --------------------------


def summarise_step() -> str:
    workflow = yaml.safe_load((PROJECT_ROOT / ".github/workflows/pull-request.yml").read_text())
    (step,) = [
        step for step in workflow["jobs"]["check"]["steps"] if step.get("name") == "Summarise the change"
    ]
    return step["run"]


@pytest.mark.parametrize(("diff_status", "step_status"), [(0, 0), (1, 1), (2, 0)])
def test_the_pull_request_check_fails_when_credsite_diff_exits_1(
    tmp_path: Path, diff_status: int, step_status: int
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in (
        ("git", "exit 0"),
        ("credsite", f'echo "## Catalog changes ($*)"; exit {diff_status}'),
    ):
        (bin_dir / name).write_text(f"#!/bin/sh\n{script}\n")
        (bin_dir / name).chmod(0o755)
    summary = tmp_path / "summary.md"
    result = subprocess.run(
        ["bash", "-e", "-c", summarise_step()],
        env={
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
            "BASE_REF": "main",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == step_status, result
    assert summary.read_text() == "## Catalog changes (diff origin/main HEAD)\n"
    if diff_status == 1:
        assert "::error::" in result.stdout
