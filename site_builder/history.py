"""Reading the catalog's Git history: where the repository is, revisions, and per-file changes.

Only read-only Git commands run here. Dates are commit dates (committer date, ISO 8601),
never the clock, so two builds of the same commit are identical. When the catalog is not
in a Git checkout, or Git is missing, ``read_history`` says why and returns no entries.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.catalog.yamlsource import YamlSyntaxError, parse_yaml

#: the most commits read for the change history; older ones are left out, and the site says so
COMMIT_LIMIT = 500

_RECORD, _FIELD = "\x1e", "\x1f"


class GitError(Exception):
    """Git is missing, the folder is not in a repository, or a Git command failed."""


class UnknownRevision(GitError):
    def __init__(self, revision: str):
        super().__init__(f"unknown revision '{revision}'")
        self.revision = revision


@dataclass(frozen=True)
class Repository:
    """A Git work tree and where the catalog folder sits inside it."""

    root: Path
    #: the catalog folder relative to ``root``, with a trailing slash ('' when it is the root)
    prefix: str


def git(repo_root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run a read-only Git command and return its output; GitError when it fails."""
    # No optional locks: reading must never touch the repository's index.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-c", "color.ui=never", *args],
            cwd=repo_root,
            input=stdin,
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return result.stdout


def tracked_files(folder: Path, repository_of: Path) -> set[Path]:
    """The files below ``folder`` that the git repository holding ``repository_of`` tracks
    (resolved paths); none when there is no git, no repository or ``folder`` lies outside it."""
    try:
        top = Path(git(repository_of, "rev-parse", "--show-toplevel").decode().strip()).resolve()
        inside = folder.resolve().relative_to(top)
        listed = git(top, "ls-files", "-z", "--", inside.as_posix() or ".")
    except (GitError, ValueError, OSError):
        return set()
    return {(top / name).resolve() for name in listed.decode("utf-8", "replace").split("\0") if name}


def find_repository(catalog_dir: Path) -> Repository:
    """The repository holding ``catalog_dir``; GitError when there is none."""
    if not catalog_dir.is_dir():
        raise GitError(f"{catalog_dir} is not a folder")
    lines = git(catalog_dir, "rev-parse", "--show-toplevel", "--show-prefix").decode().splitlines()
    if len(lines) < 1 or not lines[0]:
        raise GitError(f"{catalog_dir} is not inside a Git work tree")
    return Repository(root=Path(lines[0]), prefix=lines[1] if len(lines) > 1 else "")


def commit_id(repo: Repository, revision: str) -> str:
    """The full commit id of ``revision``; UnknownRevision when Git does not know it."""
    if not revision or revision.startswith("-"):
        raise UnknownRevision(revision)
    try:
        output = git(
            repo.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
        )
    except GitError:
        raise UnknownRevision(revision) from None
    return output.decode().strip()


def extract_catalog(repo: Repository, commit: str, destination: Path) -> Path:
    """Write the catalog folder as it was at ``commit`` below ``destination``; return its path.

    The folder keeps its place in the repository (``destination/catalog``), so error paths
    read as they would in a checkout. A commit without the folder gives an empty folder.
    """
    target = destination / repo.prefix if repo.prefix else destination
    target.mkdir(parents=True, exist_ok=True)
    pathspec = repo.prefix.rstrip("/") or "."
    try:
        archive = git(repo.root, "archive", "--format=tar", commit, "--", pathspec)
    except GitError:
        return target  # the folder did not exist at that commit
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter=_links_kept_unfollowed)
    return target


#: where a symbolic link of a commit points once extracted: nowhere (it stays a link, and the
#: checks refuse it as they would in a checkout)
UNFOLLOWED = "link-not-followed"


def _links_kept_unfollowed(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """The ``data`` filter, except that a link is kept as a link to ``UNFOLLOWED`` beside it
    (the data filter refuses a link that leaves the folder, with an exception); nothing but
    files, folders and links is extracted."""
    if member.issym() or member.islnk():
        member = member.replace(linkname=UNFOLLOWED, deep=False)
        member.type = tarfile.SYMTYPE
    elif not (member.isfile() or member.isdir()):
        return None
    return tarfile.data_filter(member, destination)


def renamed_files(repo: Repository, base: str, head: str | None, folder: str) -> dict[str, str]:
    """Files of ``folder`` (e.g. 'credentials') renamed between two commits: {new stem: old stem}.

    ``head`` None compares with the working tree (tracked files only).
    """
    pathspec = f"{repo.prefix}{folder}/"
    args = ["diff", "--name-status", "-M", "-z", base, *([head] if head else []), "--", pathspec]
    fields = git(repo.root, *args).decode("utf-8", "replace").split("\0")
    renames: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")):
            old, new = fields[index + 1], fields[index + 2]
            if status.startswith("R"):
                renames[Path(new).stem] = Path(old).stem
            index += 3
        else:
            index += 2
    return renames


# --- the change history of credential files ---------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """One commit's change to one credential file, with its front matter before and after."""

    commit: str
    #: committer date, ISO 8601 with the committer's offset
    committed: str
    subject: str
    #: 'added', 'changed', 'renamed' or 'removed'
    kind: str
    #: the file's id before and after the commit (None when added or removed)
    old_id: str | None
    new_id: str | None
    #: the id the file has today (or had when it was removed), following renames
    credential_id: str
    before: dict | None = None
    after: dict | None = None
    before_body: str | None = None
    after_body: str | None = None

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.committed[:10])


@dataclass(frozen=True)
class History:
    """The catalog's credential changes, newest first; empty with a reason when unavailable."""

    available: bool
    #: why there is no history, in one sentence, when ``available`` is False
    reason: str = ""
    changes: list[FileChange] = field(default_factory=list)
    #: when each credential's file was first added (following renames), by today's id
    added_on: dict[str, dt.date] = field(default_factory=dict)
    #: True when older commits were not read (more than COMMIT_LIMIT, or a shallow clone)
    truncated: bool = False
    #: why older changes are missing, in one sentence, when ``truncated``
    truncated_reason: str = ""


def unavailable(reason: str) -> History:
    return History(available=False, reason=reason)


def read_history(catalog_dir: Path, limit: int = COMMIT_LIMIT) -> History:
    """The change history of ``catalog_dir/credentials/*.md`` from one ``git log`` pass."""
    try:
        repo = find_repository(catalog_dir)
    except GitError:
        return unavailable("The catalog is not in a Git repository, so its change history is unavailable.")
    folder = f"{repo.prefix}credentials/"
    try:
        log = git(
            repo.root,
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--name-status",
            "-M",
            "-z",
            f"--max-count={limit + 1}",
            f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s{_FIELD}",
            "--",
            folder,
        ).decode("utf-8", "replace")
        commits = _parse_log(log, folder)
    except GitError:
        return unavailable("The catalog has no Git history yet, so its change history is unavailable.")
    if not commits:
        return unavailable("The catalog has no Git history yet, so its change history is unavailable.")
    reason = ""
    if len(commits) > limit:
        reason = f"Only changes from the latest {limit} commits that changed credentials are listed."
    commits = commits[:limit]
    # In a shallow clone the oldest fetched commit seems to add every file: leave it out.
    boundary = _shallow_boundary(repo)
    if any(commit.commit in boundary for commit in commits):
        commits = [commit for commit in commits if commit.commit not in boundary]
        reason = "The site was built from part of the Git history only, so older changes are not listed."
    changes = _follow_renames(commits, folder)
    changes = _with_contents(repo, changes, folder)
    added_on: dict[str, dt.date] = {}
    for change in changes:  # newest first: the oldest 'added' wins
        if change.kind == "added":
            added_on[change.credential_id] = change.date
    return History(
        available=True, changes=changes, added_on=added_on, truncated=bool(reason), truncated_reason=reason
    )


def _shallow_boundary(repo: Repository) -> set[str]:
    """The commits whose parents a shallow clone did not fetch (none in a full clone)."""
    try:
        path = git(repo.root, "rev-parse", "--git-path", "shallow").decode().strip()
    except GitError:
        return set()
    shallow = Path(path) if Path(path).is_absolute() else repo.root / path
    return set(shallow.read_text().split()) if shallow.is_file() else set()


@dataclass(frozen=True)
class _Commit:
    commit: str
    committed: str
    subject: str
    #: (status letter, old path, new path)
    files: list[tuple[str, str | None, str | None]]


def _parse_log(log: str, folder: str) -> list[_Commit]:
    commits = []
    for record in log.split(_RECORD)[1:]:
        commit, committed, subject, rest = record.split(_FIELD, 3)
        # with -z the file list is NUL-separated; empty fields only pad the record
        parts = [part for part in (piece.strip("\n") for piece in rest.split("\0")) if part]
        files: list[tuple[str, str | None, str | None]] = []
        index = 0
        while index < len(parts):
            status = parts[index][0]
            if status in "RC":
                old, new = parts[index + 1], parts[index + 2]
                index += 3
                files.append(("R", old, new) if status == "R" else ("A", None, new))
            else:
                path = parts[index + 1]
                index += 2
                files.append((status, None if status == "A" else path, None if status == "D" else path))
        credential_files = [
            entry for entry in files if any(_is_credential(path, folder) for path in entry[1:] if path)
        ]
        commits.append(_Commit(commit, committed, subject, credential_files))
    return commits


def _is_credential(path: str, folder: str) -> bool:
    name = path.removeprefix(folder)
    return (
        path.startswith(folder)
        and "/" not in name
        and name.endswith(".md")
        and name.lower() != "readme.md"
        # a translation, <id>.<lang>.md (SPEC 10), is not a credential of its own
        and "." not in name.removesuffix(".md")
    )


def _stem(path: str | None) -> str | None:
    return Path(path).stem if path else None


def _follow_renames(commits: list[_Commit], folder: str) -> list[FileChange]:
    """One FileChange per credential file per commit, each tagged with the id it has today.

    Walks from the newest commit back: a rename hands the newer id on to the older path.
    """
    today_id: dict[str, str] = {}  # path at this point of the walk -> id today
    changes = []
    for commit in commits:
        for status, old, new in commit.files:
            if not (old and _is_credential(old, folder)) and not (new and _is_credential(new, folder)):
                continue
            current = new or old
            assert current is not None
            credential_id = today_id.pop(current, None) or Path(current).stem
            if status == "R":
                assert old is not None
                today_id[old] = credential_id
            kind = {"A": "added", "D": "removed", "R": "renamed"}.get(status, "changed")
            changes.append(
                FileChange(
                    commit=commit.commit,
                    committed=commit.committed,
                    subject=commit.subject,
                    kind=kind,
                    old_id=_stem(old),
                    new_id=_stem(new),
                    credential_id=credential_id,
                )
            )
            if kind == "changed":
                today_id[current] = credential_id
    return changes


def _with_contents(repo: Repository, changes: list[FileChange], folder: str) -> list[FileChange]:
    """Fill in the front matter before and after each change, with one ``git cat-file`` run."""
    wanted: list[str] = []
    for change in changes:
        if change.old_id is not None:
            wanted.append(f"{change.commit}^:{folder}{change.old_id}.md")
        if change.new_id is not None:
            wanted.append(f"{change.commit}:{folder}{change.new_id}.md")
    blobs = cat_files(repo, wanted)
    filled = []
    for change in changes:
        before = blobs.get(f"{change.commit}^:{folder}{change.old_id}.md") if change.old_id else None
        after = blobs.get(f"{change.commit}:{folder}{change.new_id}.md") if change.new_id else None
        front_before, body_before = split_front_matter(before) if before is not None else (None, None)
        front_after, body_after = split_front_matter(after) if after is not None else (None, None)
        filled.append(
            FileChange(
                **{
                    **change.__dict__,
                    "before": front_before,
                    "after": front_after,
                    "before_body": body_before,
                    "after_body": body_after,
                }
            )
        )
    return filled


def cat_files(repo: Repository, objects: list[str]) -> dict[str, str]:
    """The text of each ``REV:path`` that exists, read by one ``git cat-file --batch``."""
    if not objects:
        return {}
    requests = "".join(f"{name}\n" for name in objects).encode()
    output = git(repo.root, "cat-file", "--batch", stdin=requests)
    texts: dict[str, str] = {}
    position = 0
    for name in objects:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].decode("utf-8", "replace").split()
        position = header_end + 1
        if len(header) == 3 and header[1] == "blob":
            size = int(header[2])
            texts[name] = output[position : position + size].decode("utf-8", "replace")
            position += size + 1
    return texts


def split_front_matter(text: str) -> tuple[dict | None, str]:
    """A credential file's front matter as plain data (None when unreadable) and its body."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None, text
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            try:
                data = parse_yaml("".join(lines[1:index]), 1).data
            except YamlSyntaxError:
                return None, "".join(lines[index + 1 :])
            return (data if isinstance(data, dict) else None), "".join(lines[index + 1 :])
    return None, text


@dataclass(frozen=True)
class BuildInfo:
    """Facts about the build itself, shown in page footers and feeds."""

    #: the date of the catalog's last commit, or SOURCE_DATE_EPOCH; never the clock
    built_on: dt.date | None
    #: the catalog's change history from git (empty, with a reason, when unavailable)
    history: History | None = None
    #: the moment ``built_on`` is the day of (``build_time``): the open data's ``created``
    built_at: dt.datetime | None = None
