"""``credsite diff BASE [HEAD]`` (SPEC 7): a Markdown summary of catalog changes between revisions.

Each test builds a scratch Git repository in tmp_path from the small catalog, with fixed
commit dates, then compares two of its commits.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from catalog_factory import credential, write_catalog

from site_builder.cli import main
from site_builder.diff import field_changes


def git(repo: Path, *args: str, date: str = "2024-03-01T12:00:00+00:00") -> str:
    """Run git in ``repo`` with fixed author and committer dates, so commits are reproducible."""
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def commit_all(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message, date=date)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


FIRST_DATE = "2024-03-01T12:00:00+00:00"
SECOND_DATE = "2024-05-20T09:30:00+02:00"

CLOUD_BASICS = credential(
    "cloud-basics", "Cloud Basics", "netco", "[it]", 2, occupations='["15-1232"]', type="badge"
)


def make_repo(root: Path) -> Path:
    """A repository with two commits: the small catalog, then one of every kind of change.

    Commit 2: net-pro gets 10 points and starts sunsetting; net-basics is retired;
    cloud-basics is added; nurse-aide is renamed nurse-aide-state (file and id).
    Returns the repository folder (the catalog is its ``catalog/``).
    """
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.org")
    catalog = write_catalog(repo)
    commit_all(repo, "Add the catalog", FIRST_DATE)

    credentials = catalog / "credentials"
    replace(credentials / "net-pro.md", "points: 9", "points: 10")
    replace(credentials / "net-pro.md", "status: approved\n", "status: sunsetting\n")
    replace(credentials / "net-pro.md", "sunset: null", "sunset: 2026-06-30")
    replace(credentials / "net-basics.md", "status: approved\n", "status: retired\n")
    replace(credentials / "net-basics.md", "sunset: null", "sunset: 2025-06-30")
    (credentials / "cloud-basics.md").write_text(CLOUD_BASICS)
    (credentials / "nurse-aide.md").rename(credentials / "nurse-aide-state.md")
    replace(credentials / "nurse-aide-state.md", "id: nurse-aide\n", "id: nurse-aide-state\n")
    commit_all(repo, "Spring review: retire Network Basics, add Cloud Basics", SECOND_DATE)
    return repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = make_repo(tmp_path)
    monkeypatch.chdir(repo)
    return repo


def run_diff(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def short(repo: Path, revision: str) -> str:
    return git(repo, "rev-parse", "--short=7", revision).strip()


def test_diff_names_every_added_retired_renamed_and_changed_credential(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run_diff(["HEAD~1", "HEAD"], capsys)
    assert err == ""
    assert code == 0
    base, head = short(repo, "HEAD~1"), short(repo, "HEAD")
    assert lines == [
        f"## Catalog changes from `HEAD~1` ({base}) to `HEAD` ({head})",
        "",
        "Credentials: 1 added, 1 retired, 1 renamed, 1 changed.",
        "",
        "### Added credentials",
        "",
        "- **Cloud Basics** (`cloud-basics`): 2 points; career fields: it; quality: Limited",
        "",
        "### Retired credentials",
        "",
        "- **Network Basics** (`net-basics`)",
        "  - status: approved -> retired",
        "  - sunset: none -> 2025-06-30",
        "",
        "### Renamed credentials",
        "",
        "- **Northland Nurse Aide** (`nurse-aide-state`): renamed from `nurse-aide`",
        "",
        "### Changed credentials",
        "",
        "- **Network Professional** (`net-pro`)",
        "  - points: 9 -> 10",
        "  - status: approved -> sunsetting",
        "  - sunset: none -> 2026-06-30",
        "",
        "### Validation",
        "",
        "HEAD is valid.",
    ]


def test_the_working_tree_is_compared_when_head_is_omitted(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace(repo / "catalog/credentials/club-coder.md", "portability: regional", "portability: national")
    replace(repo / "catalog/credentials/club-coder.md", "occupations: []", 'occupations: ["15-1231"]')
    (repo / "catalog/credentials/club-coder.md").write_text(
        (repo / "catalog/credentials/club-coder.md").read_text() + "It now counts nationally.\n"
    )
    code, lines, _ = run_diff(["HEAD"], capsys)
    assert code == 0
    assert lines[0] == f"## Catalog changes from `HEAD` ({short(repo, 'HEAD')}) to the working tree"
    assert (
        "HEAD was not given, so BASE is compared with the working tree (uncommitted changes included)."
        in lines
    )
    start = lines.index("- **Club Coder** (`club-coder`)")
    assert lines[start + 1 : start + 9] == [
        "  - portability: regional -> national",
        "  - occupations: added 15-1231",
        "  - description changed",
        "  - quality: Limited -> Moderate",
        "  - quality, labor-market demand: does-not-meet -> meets",
        "  - quality, portability: does-not-meet -> meets",
        "  - quality, wages and advancement: does-not-meet -> meets",
        "",
    ]
    assert lines[-1] == "The working tree is valid."


def test_pathways_issuers_occupations_and_outcome_years(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = repo / "catalog"
    replace(catalog / "pathways/networking.yml", "[net-pro, club-coder]", "[net-pro]")
    replace(catalog / "issuers/netco.yml", "name: NetCo", "name: NetCo Inc.")
    replace(catalog / "occupations.csv", "68000", "70000")
    (catalog / "outcomes/2025").mkdir(parents=True)
    (catalog / "outcomes/2025/attainment.csv").write_text("year\n")
    commit_all(repo, "Other files", "2024-06-01T00:00:00+00:00")
    code, lines, _ = run_diff(["HEAD~1", "HEAD"], capsys)
    assert "No credential changed." in lines
    for section in (
        [
            "### Pathways",
            "",
            "- Changed **Networking from scratch** (`networking`)",
            "  - steps: net-basics; net-pro or club-coder -> net-basics; net-pro",
        ],
        ["### Issuers", "", "- Changed `netco`: name: NetCo -> NetCo Inc."],
        ["### Occupations", "", "- Changed `15-1231`: median wage usd: 68000 -> 70000"],
        ["### Outcome data", "", "- Years added: 2025"],
    ):
        start = lines.index(section[0])
        assert lines[start : start + len(section)] == section
    # the outcome folder is only half there, so HEAD does not validate
    assert code == 1


def test_an_invalid_head_exits_1_and_lists_its_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace(repo / "catalog/credentials/net-pro.md", "points: 10", "points: 13")
    commit_all(repo, "Too many points", "2024-06-01T00:00:00+00:00")
    code, lines, _ = run_diff(["HEAD~1", "HEAD"], capsys)
    assert code == 1
    start = lines.index("- **Network Professional** (`net-pro`)")
    assert lines[start + 1] == "  - points: 10 -> 13"
    assert lines[lines.index("### Validation") :] == [
        "### Validation",
        "",
        "HEAD is invalid: 1 error.",
        "",
        "```text",
        "catalog/credentials/net-pro.md:7: points: input should be less than or equal to 12 (got 13)",
        "```",
    ]


def test_a_broken_file_at_base_is_still_compared(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "catalog/issuers/netco.yml").write_text("name: [\n")
    commit_all(repo, "Broken", "2024-06-01T00:00:00+00:00")
    (repo / "catalog/issuers/netco.yml").write_text("name: NetCo\nurl: https://netco.example\nkind: vendor\n")
    replace(repo / "catalog/credentials/net-pro.md", "points: 10", "points: 11")
    commit_all(repo, "Fixed", "2024-06-02T00:00:00+00:00")
    code, lines, _ = run_diff(["HEAD~1", "HEAD"], capsys)
    assert code == 0
    assert "  - points: 10 -> 11" in lines
    assert lines[-1] == "BASE was invalid (1 error); its files were compared as written."


def test_many_errors_are_capped_with_a_count(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for number in range(60):
        (repo / f"catalog/credentials/broken-{number:02}.md").write_text("no front matter\n")
    code, lines, _ = run_diff(["HEAD"], capsys)
    assert code == 1
    assert "HEAD is invalid" not in lines
    assert "The working tree is invalid: 60 errors." in lines
    listed = [line for line in lines if line.startswith("catalog/credentials/broken-")]
    assert len(listed) == 50
    assert lines[-1] == "…and 10 more."


def test_unknown_revision_exits_2_with_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run_diff(["xyz", "HEAD"], capsys)
    assert (code, lines, err) == (2, [], "credsite: unknown revision 'xyz'\n")
    code, lines, err = run_diff(["HEAD", "v9"], capsys)
    assert (code, err) == (2, "credsite: unknown revision 'v9'\n")


def test_a_catalog_outside_git_is_a_usage_error(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = run_diff(["HEAD", "--catalog", str(small_catalog)], capsys)
    assert code == 2
    assert lines == []
    assert err.startswith("credsite: ") and len(err.splitlines()) == 1


def test_missing_base_argument_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["diff"])
    assert exited.value.code == 2


def test_field_changes_say_each_change_in_one_line() -> None:
    before = {"points": 3, "stacks_to": ["a", "b"], "certifies": ["x"], "career_fields": ["it"]}
    after = {"points": 4, "stacks_to": ["b", "c"], "certifies": ["x"], "career_fields": ["it", "health"]}
    assert field_changes(before, after, "Old text.\n", "New text.\n") == [
        "career fields: it -> it, health",
        "points: 3 -> 4",
        "stacks to: added c; removed a",
        "description changed",
    ]
    assert field_changes({"summary": "a" * 100}, {"summary": "b"}) == [f"summary: {'a' * 59}… -> b"]


def test_a_language_map_change_is_said_one_language_at_a_time(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = repo / "catalog"
    (catalog / "site.yml").write_text(
        (catalog / "site.yml").read_text()
        + "languages: [en, es]\nprograms:\n  - id: exam-fee\n    name: Exam-fee reimbursement\n"
        "    kind: fee-reimbursement\n    description: Pays back the exam fees.\n"
    )
    replace(catalog / "career-fields.yml", "name: Health Science", "name: {en: Health, es: Salud}")
    commit_all(repo, "Spanish names", "2024-06-01T00:00:00+00:00")
    replace(catalog / "career-fields.yml", "{en: Health, es: Salud}", "{en: Health Science, es: Salud}")
    replace(
        catalog / "pathways/networking.yml",
        "name: Networking from scratch",
        "name: {en: Networking from scratch, es: Redes desde cero}",
    )
    replace(
        catalog / "site.yml",
        "title: Northland Credential Catalog",
        "title: {en: Northland Credential Catalog, es: Catálogo de credenciales}",
    )
    replace(
        catalog / "site.yml",
        "name: Exam-fee reimbursement",
        "name: {en: Exam-fee reimbursement, es: Reembolso de tarifas de examen}",
    )
    commit_all(repo, "More Spanish", "2024-06-02T00:00:00+00:00")
    code, lines, _ = run_diff(["HEAD~1", "HEAD"], capsys)
    assert code == 0
    for section in (
        [
            "### Pathways",
            "",
            "- Changed **Networking from scratch** (`networking`)",
            "  - name (es): not translated -> Redes desde cero",
        ],
        ["### Career fields", "", "- Changed `health`: name (en): Health -> Health Science", ""],
        [
            "### Site settings",
            "",
            "- title (es): not translated -> Catálogo de credenciales",
            # a program's texts, by its id (not the whole list of programs, added and removed)
            "- program exam-fee: name (es): not translated -> Reembolso de tarifas de examen",
            "",
        ],
    ):
        start = lines.index(section[0])
        assert lines[start : start + len(section)] == section
    assert not any("{" in line for line in lines)


def test_field_changes_say_language_maps_by_language() -> None:
    before = {"name": "Health", "summary": None, "description": {"en": "Care.", "es": "Cuidar."}}
    after = {"name": {"en": "Health"}, "summary": {"en": "New.", "es": "Nuevo."}, "description": "Care!"}
    assert field_changes(before, after, language="en") == [
        "name: now written as a language map, same text",
        "summary (en): none -> New.",
        "summary (es): none -> Nuevo.",
        "description (en): Care. -> Care!",
        "description (es): Cuidar. -> not translated",
    ]
