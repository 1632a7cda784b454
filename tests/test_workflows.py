"""The CI workflows keep SECURITY.md's rules: a pull request's build gets no secret, no
write access and no cache that holds a true outcome count.

A pull request runs its own copy of the workflows, so these tests cannot stop a stranger
(GitHub's rules for forks do: a read-only token, no secrets, caches saved in their own
scope); they stop the maintainers' own edits from opening a door.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / ".github" / "workflows"
WORKFLOWS = {path.name: yaml.safe_load(path.read_text()) for path in sorted(WORKFLOWS_DIR.glob("*.y*ml"))}

#: events whose runs execute a pull request's code (or what it made) from a fork
PULL_REQUEST_EVENTS = {"pull_request", "pull_request_review", "pull_request_review_comment"}

#: events that run in the base repository's trusted context, with its secrets, on behalf of
#: a pull request: never used (a build of a stranger's code there could steal them)
TRUSTED_CONTEXT_EVENTS = {"pull_request_target", "workflow_run"}

#: the only parts of .credsite-cache/ a workflow may put in the Actions cache: they hold
#: published pages and the parsed public catalog, never a true outcome count (the
#: protection and reports caches do, and any pull request can restore what main saved)
PUBLIC_CACHE_PATHS = {".credsite-cache/pages", ".credsite-cache/yaml"}

#: the owners whose actions may be used by tag; any other action is pinned to a commit
FIRST_PARTY_OWNERS = {"actions", "github"}

#: the condition of a job run by hand that gets secrets: it runs from main only
ON_MAIN = "github.ref == 'refs/heads/main'"


def triggers(workflow: dict[Any, Any]) -> set[str]:
    """The events of ``on:`` (which YAML 1.1 reads as the key True)."""
    events = workflow.get("on", workflow.get(True))
    if isinstance(events, str):
        return {events}
    return set(events or [])


def runs_on_pull_requests(workflow: dict[Any, Any]) -> bool:
    return bool(triggers(workflow) & PULL_REQUEST_EVENTS)


def pull_request_workflows() -> list[str]:
    return [name for name, workflow in WORKFLOWS.items() if runs_on_pull_requests(workflow)]


def strings(node: object) -> Iterator[str]:
    """Every string (keys too) anywhere in a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def steps(workflow: dict[Any, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def uses(step: dict[str, Any], action: str) -> bool:
    """Whether ``step`` uses ``action`` (``owner/name[/path]``, any version)."""
    return str(step.get("uses", "")).split("@")[0] == action


def cache_paths(step: dict[str, Any]) -> list[str]:
    return [line.strip().rstrip("/") for line in str(step["with"]["path"]).splitlines() if line.strip()]


def read_only(permissions: object) -> bool:
    if permissions in ("read-all", {}):
        return True
    return isinstance(permissions, dict) and all(level in ("read", "none") for level in permissions.values())


def test_there_are_workflows_and_one_of_them_checks_pull_requests() -> None:
    assert {"deploy.yml", "pull-request.yml"} <= set(WORKFLOWS)
    assert pull_request_workflows() == ["pull-request.yml"]


@pytest.mark.parametrize("name", WORKFLOWS)
def test_no_workflow_runs_in_the_trusted_context_for_a_pull_request(name: str) -> None:
    assert not triggers(WORKFLOWS[name]) & TRUSTED_CONTEXT_EVENTS


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_workflow_sets_its_token_permissions(name: str) -> None:
    assert "permissions" in WORKFLOWS[name], "the default token may be allowed to write"


@pytest.mark.parametrize("name", pull_request_workflows())
def test_pull_request_jobs_have_a_read_only_token(name: str) -> None:
    workflow = WORKFLOWS[name]
    assert read_only(workflow["permissions"])
    for job_name, job in workflow["jobs"].items():
        assert read_only(job.get("permissions", {})), job_name


@pytest.mark.parametrize("name", pull_request_workflows())
def test_pull_request_jobs_see_no_secret(name: str) -> None:
    workflow = WORKFLOWS[name]
    named = {match for text in strings(workflow) for match in re.findall(r"secrets\s*\.\s*(\w+)", text)}
    assert named <= {"GITHUB_TOKEN"}
    assert not any(re.search(r"secrets\s*\[", text) for text in strings(workflow))
    for job_name, job in workflow["jobs"].items():
        assert "secrets" not in job, f"{job_name} passes secrets on"
        assert "environment" not in job, f"{job_name} may use an environment's secrets"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_secrets_are_given_only_on_main_to_a_job_of_an_environment(name: str) -> None:
    """On a push to main, or run by hand (which takes write access) from main only."""
    workflow = WORKFLOWS[name]
    for job_name, job in workflow["jobs"].items():
        named = {match for text in strings(job) for match in re.findall(r"secrets\s*\.\s*(\w+)", text)}
        if named - {"GITHUB_TOKEN"}:
            assert job.get("environment"), f"{job_name} uses secrets outside an environment"
            assert triggers(workflow) in ({"push"}, {"workflow_dispatch"}), (
                f"{name} gives secrets to other events"
            )
            if triggers(workflow) == {"push"}:
                assert workflow.get("on", workflow.get(True))["push"] == {"branches": ["main"]}
            else:
                assert job.get("if") == ON_MAIN, f"{job_name} may run from another branch"


@pytest.mark.parametrize("name", pull_request_workflows())
def test_pull_request_scripts_take_no_expressions(name: str) -> None:
    """What a workflow expression gives (a branch name, say) reaches a script through the
    environment: pasted into the script, it would be run as shell code."""
    for job_name, step in steps(WORKFLOWS[name]):
        assert "${{" not in str(step.get("run", "")), f"{job_name}: {step.get('name', step.get('run'))}"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_checkouts_leave_no_token_behind(name: str) -> None:
    for job_name, step in steps(WORKFLOWS[name]):
        if uses(step, "actions/checkout"):
            assert step.get("with", {}).get("persist-credentials") is False, job_name


@pytest.mark.parametrize("name", WORKFLOWS)
def test_actions_of_other_owners_are_pinned_to_a_commit(name: str) -> None:
    for job_name, step in steps(WORKFLOWS[name]):
        action = str(step.get("uses", ""))
        if not action or action.startswith("./"):
            continue
        if action.startswith("docker://"):
            assert "@sha256:" in action, f"{job_name}: {action}"
        elif action.split("/")[0] not in FIRST_PARTY_OWNERS:
            assert re.fullmatch(r"[^@]+@[0-9a-f]{40}", action), f"{job_name}: {action} is not pinned"


@pytest.mark.parametrize("name", pull_request_workflows())
def test_pull_requests_never_save_a_cache(name: str) -> None:
    for job_name, step in steps(WORKFLOWS[name]):
        assert not uses(step, "actions/cache"), f"{job_name} saves a cache"
        assert not uses(step, "actions/cache/save"), f"{job_name} saves a cache"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_no_cache_holds_the_true_outcome_counts(name: str) -> None:
    for job_name, step in steps(WORKFLOWS[name]):
        if any(
            uses(step, action) for action in ("actions/cache", "actions/cache/save", "actions/cache/restore")
        ):
            assert set(cache_paths(step)) <= PUBLIC_CACHE_PATHS, job_name


def test_pull_requests_restore_what_the_publish_saves() -> None:
    """The cache's version is a hash of its paths: other paths would never find an entry."""
    [(_, saved)] = [entry for entry in steps(WORKFLOWS["deploy.yml"]) if uses(entry[1], "actions/cache")]
    [(_, restored)] = [
        entry for entry in steps(WORKFLOWS["pull-request.yml"]) if uses(entry[1], "actions/cache/restore")
    ]
    assert cache_paths(restored) == cache_paths(saved)
    assert restored["with"]["restore-keys"] == saved["with"]["restore-keys"]
    assert str(saved["with"]["key"]).startswith(saved["with"]["restore-keys"])


# --- publishing to the Credential Registry (docs/publishing-to-the-registry.md) ---------------


def run_steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_name, step) for job_name, step in steps(workflow) if "run" in step]


def test_the_registry_is_published_to_by_hand_to_the_sandbox_in_a_dry_run_by_default() -> None:
    workflow = WORKFLOWS["publish-registry.yml"]
    assert triggers(workflow) == {"workflow_dispatch"}
    inputs = workflow.get("on", workflow.get(True))["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["type"] == "choice"
    assert inputs["environment"]["options"] == ["sandbox", "production"]
    assert inputs["environment"]["default"] == "sandbox"
    assert inputs["dry_run"] == {**inputs["dry_run"], "type": "boolean", "default": True}
    assert read_only(workflow["permissions"])
    assert all(job.get("if") == ON_MAIN for job in workflow["jobs"].values())


def test_the_registry_workflow_builds_publishes_and_keeps_the_requests() -> None:
    workflow = WORKFLOWS["publish-registry.yml"]
    runs = [(job_name, str(step["run"])) for job_name, step in run_steps(workflow)]
    [(build_job, _)] = [(job_name, run) for job_name, run in runs if "credsite build" in run]
    [(publish_job, publish)] = [(job_name, run) for job_name, run in runs if "credsite publish" in run]
    assert build_job in workflow["jobs"][publish_job].get("needs", [build_job])
    assert "--dry-run" in publish and "--payloads registry-payloads" in publish
    [(_, step)] = [entry for entry in steps(workflow) if "credsite publish" in str(entry[1].get("run", ""))]
    assert step["env"]["CREDENTIAL_REGISTRY_API_KEY"] == "${{ secrets.CREDENTIAL_REGISTRY_API_KEY }}"
    # the key reaches that step alone, and every input reaches a script through the environment
    holders = [entry for entry in steps(workflow) if "CREDENTIAL_REGISTRY_API_KEY" in str(entry[1])]
    assert len(holders) == 1
    for job_name, entry in run_steps(workflow):
        assert "${{" not in str(entry["run"]), f"{job_name}: {entry.get('name')}"
    uploads = [entry for _, entry in steps(workflow) if uses(entry, "actions/upload-artifact")]
    assert any(entry["with"]["path"].rstrip("/") == "registry-payloads" for entry in uploads)


def test_pull_requests_check_the_registry_requests_in_a_dry_run() -> None:
    workflow = WORKFLOWS["pull-request.yml"]
    runs = [str(step["run"]) for _, step in run_steps(workflow)]
    built = next(index for index, run in enumerate(runs) if "credsite build" in run)
    [published] = [index for index, run in enumerate(runs) if "credsite publish" in run]
    assert published > built
    assert "--dry-run" in runs[published]
    assert "CREDENTIAL_REGISTRY_API_KEY" not in str(workflow)
