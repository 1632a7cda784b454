"""What changed in the catalog between two Git revisions, as Markdown for a pull-request comment.

Each side is read from its files as written (raw front matter and YAML), so a revision with
errors can still be compared; quality ratings are computed for every credential whose
files pass their models. HEAD is also validated like ``credsite validate``.

``compare_fields`` is shared with the change-history pages, so both find the same changes;
``field_changes`` says them for a pull request, ``site.changes`` for families.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from pydantic import ValidationError

from site_builder.catalog.changes import UNDOCUMENTED, FieldChange, compare_fields, label, shown
from site_builder.catalog.models import CTID_PATTERN, LANGUAGE_PATTERN, Credential, Issuer, SiteConfig
from site_builder.catalog.occupations import load_occupations
from site_builder.catalog.yamlsource import YamlSyntaxError, parse_yaml
from site_builder.errors import CatalogInvalid, InputError, one_line
from site_builder.history import (
    commit_id,
    extract_catalog,
    find_repository,
    renamed_files,
    split_front_matter,
)
from site_builder.inputs import InputRefused, read_input
from site_builder.rules.quality import QualityRating, rate_credential

#: the most validation errors listed in a report; the rest are counted
ERROR_LIMIT = 50
_YEAR = re.compile(r"^\d{4}$")
_CTID = re.compile(CTID_PATTERN)
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


# --- describing a change ------------------------------------------------------------------------


def field_changes(
    before: dict,
    after: dict,
    before_body: str | None = None,
    after_body: str | None = None,
    absent: str | None = None,
    *,
    language: str | None = None,
) -> list[str]:
    """Each change of ``compare_fields`` as one line: ``points: 9 -> 10``,
    ``stacks to: added net-pro``; then 'description changed' when the Markdown body differs.
    A text written as a language map (SPEC 10) is said one changed language at a time,
    ``name (es): Salud -> Ciencias de la salud``; ``language`` is the site's default, whose
    text a plain string is (unknown: the map's first language)."""
    lines: list[str] = []
    for change in compare_fields(before, after, before_body, after_body, absent):
        if not change.is_body and (is_language_map(change.before) or is_language_map(change.after)):
            lines += _language_lines(change, absent, language)
        else:
            lines.append(_line(change, absent))
    return lines


def _line(change: FieldChange, absent: str | None) -> str:
    if change.is_body:
        return "description changed"
    if change.is_list:
        return f"{label(change.key)}: {_list_change(change)}"
    old_text = absent if absent is not None and change.missing_before else shown(change.before)
    new_text = absent if absent is not None and change.missing_after else shown(change.after)
    return f"{label(change.key)}: {old_text} -> {new_text}"


#: how a language that a language map leaves out is said: its pages show the default's text
NOT_TRANSLATED = "not translated"


def is_language_map(value: object) -> TypeGuard[dict[str, object]]:
    """Whether ``value`` is a language map, ``{en: Health, es: Salud}`` (SPEC 10)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(key, str) and _LANGUAGE.fullmatch(key) for key in value)
    )


def in_default(value: object, language: str | None) -> object:
    """A language map's text in the default ``language`` (or its first text, when the
    language is unknown or the map lacks it); any other value as it is."""
    if not is_language_map(value):
        return value
    return value[language] if language in value else next(iter(value.values()))


def _language_lines(change: FieldChange, absent: str | None, language: str | None) -> list[str]:
    """One line per language whose text changed: ``name (es): Salud -> Ciencias``. A plain
    text is the default language's alone; a null or left-out value has no text in any."""
    maps = [value for value in (change.after, change.before) if is_language_map(value)]
    default = language or next(iter(maps[0]))

    def texts(value: object, missing: bool) -> tuple[dict[str, str], str]:
        """The side's text by language, and how a language without one reads."""
        if missing or value is None:
            return {}, absent if absent is not None and missing else "none"
        if is_language_map(value):
            return {key: shown(text) for key, text in value.items()}, NOT_TRANSLATED
        return {default: shown(value)}, NOT_TRANSLATED

    old, old_otherwise = texts(change.before, change.missing_before)
    new, new_otherwise = texts(change.after, change.missing_after)
    lines = []
    for lang in dict.fromkeys([default, *new, *old]):
        old_text, new_text = old.get(lang, old_otherwise), new.get(lang, new_otherwise)
        if old_text != new_text:
            lines.append(f"{label(change.key)} ({lang}): {old_text} -> {new_text}")
    if lines:
        return lines
    # the same texts written another way: a plain text, or a map of the default language alone
    form = "a language map" if is_language_map(change.after) else "plain text"
    return [f"{label(change.key)}: now written as {form}, same text"]


def _list_change(change: FieldChange) -> str:
    parts = []
    if change.added:
        parts.append(f"added {shown(list(change.added))}")
    if change.removed:
        parts.append(f"removed {shown(list(change.removed))}")
    return "; ".join(parts) if parts else "reordered"


def quality_changes(before: QualityRating | None, after: QualityRating | None) -> list[str]:
    """``quality: Moderate -> High`` and one line per criterion whose rating moved."""
    if before is None or after is None:
        return []
    lines = []
    if before.overall != after.overall:
        lines.append(f"quality: {before.overall} -> {after.overall}")
    for old, new in zip(before.criteria, after.criteria, strict=True):
        if old.rating != new.rating:
            lines.append(f"quality, {old.criterion}: {old.rating} -> {new.rating}")
    return lines


# --- one side of the comparison -----------------------------------------------------------------


@dataclass(frozen=True)
class CredentialFile:
    front: dict | None  # None when the front matter cannot be read
    body: str


@dataclass
class Snapshot:
    """A catalog folder as written: raw data per file, ratings where the models pass, errors."""

    credentials: dict[str, CredentialFile] = field(default_factory=dict)
    pathways: dict[str, dict | None] = field(default_factory=dict)
    issuers: dict[str, dict | None] = field(default_factory=dict)
    occupations: dict[str, dict] = field(default_factory=dict)
    career_fields: dict[str, dict] = field(default_factory=dict)
    site: dict = field(default_factory=dict)
    outcome_years: set[int] = field(default_factory=set)
    quality: dict[str, QualityRating] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    exists: bool = True

    def name_of(self, credential_id: str) -> str:
        file = self.credentials.get(credential_id)
        name = file.front.get("name") if file and file.front else None
        return name if isinstance(name, str) and name else credential_id


def read_snapshot(catalog_dir: Path, tree_root: Path) -> Snapshot:
    """Read ``catalog_dir`` as written and validate it; error paths are relative to ``tree_root``."""
    from site_builder.build import validate

    snapshot = Snapshot(exists=catalog_dir.is_dir())
    for path in _files(catalog_dir / "credentials", ".md"):
        if "." in path.stem:  # a translation, <id>.<lang>.md (SPEC 10), not a credential
            continue
        front, body = split_front_matter(_text(path))
        snapshot.credentials[path.stem] = CredentialFile(front, body)
    for path in _files(catalog_dir / "pathways", ".yml"):
        snapshot.pathways[path.stem] = _yaml(path)
    for path in _files(catalog_dir / "issuers", ".yml"):
        snapshot.issuers[path.stem] = _yaml(path)
    snapshot.site = _yaml(catalog_dir / "site.yml") or {}
    fields = _yaml(catalog_dir / "career-fields.yml") if (catalog_dir / "career-fields.yml").is_file() else []
    for entry in fields if isinstance(fields, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            snapshot.career_fields[entry["id"]] = entry
    snapshot.occupations = _occupation_rows(catalog_dir / "occupations.csv")
    outcomes = catalog_dir / "outcomes"
    if outcomes.is_dir():
        snapshot.outcome_years = {
            int(p.name) for p in outcomes.iterdir() if p.is_dir() and _YEAR.fullmatch(p.name)
        }
    snapshot.quality = _ratings(catalog_dir, snapshot)
    try:
        validate(catalog_dir)
    except CatalogInvalid as invalid:
        snapshot.errors = [str(_relative(error, tree_root)) for error in invalid.errors]
    return snapshot


def _files(folder: Path, suffix: str) -> Iterable[Path]:
    """The folder's files of one kind; links are left to validation, which names them."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.iterdir())
        if not path.is_symlink()
        and path.is_file()
        and path.suffix == suffix
        and path.name.lower() != "readme.md"
    ]


def _text(path: Path) -> str:
    """The file's text as the catalog's readers would read it, or "" for a file they refuse
    (a link, a device, a file too large: validation reports it)."""
    try:
        return read_input(path, path.parent).decode("utf-8", "replace")
    except InputRefused:
        return ""


def _yaml(path: Path) -> dict | list | None:
    if not path.is_file():
        return None
    try:
        data = parse_yaml(_text(path).removeprefix("\ufeff")).data
    except YamlSyntaxError:
        return None
    return data if isinstance(data, dict | list) else None


def _occupation_rows(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(_text(path).removeprefix("\ufeff")))
    try:
        return {row["soc"]: dict(row) for row in rows if isinstance(row.get("soc"), str) and row["soc"]}
    except csv.Error:  # validation says what is wrong with the file
        return {}


def _ratings(catalog_dir: Path, snapshot: Snapshot) -> dict[str, QualityRating]:
    """Quality of every credential whose own file, issuer, occupations and site settings pass."""
    try:
        living_wage = SiteConfig.model_validate(snapshot.site).living_wage_usd
    except ValidationError:
        return {}
    occupations, _ = load_occupations(catalog_dir / "occupations.csv")
    ratings = {}
    for key, file in snapshot.credentials.items():
        try:
            credential = Credential.model_validate(file.front)
            issuer = Issuer.model_validate(snapshot.issuers.get(credential.issuer))
            linked = (
                None
                if credential.occupations is None
                else [occupations[soc] for soc in credential.occupations]
            )
        except (ValidationError, KeyError):
            continue
        ratings[key] = rate_credential(credential, issuer, linked, living_wage)
    return ratings


def _relative(error: InputError, tree_root: Path) -> InputError:
    """The error with its path relative to the top of the checked-out tree."""
    path = Path(error.path)
    absolute = path if path.is_absolute() else Path.cwd() / path
    absolute = absolute.parent.resolve() / absolute.name  # a link named as itself
    try:
        shown_path = absolute.relative_to(tree_root.resolve()).as_posix()
    except ValueError:
        return error
    return InputError(shown_path, error.line, error.column, error.message)


# --- the comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialChange:
    id: str
    name: str
    #: the id the file had at BASE when it was renamed
    renamed_from: str | None = None
    changes: list[str] = field(default_factory=list)
    retired: bool = False


@dataclass(frozen=True)
class Added:
    id: str
    name: str
    summary: str


@dataclass(frozen=True)
class CtidError:
    """A CTID that BASE had and HEAD lost or changed (SPEC 9: a CTID never changes)."""

    #: 'credential', 'issuer' or 'site'
    kind: str
    id: str
    name: str
    message: str


@dataclass
class DiffReport:
    base: str
    base_commit: str
    #: None when HEAD was not given: the working tree
    head: str | None
    head_commit: str | None
    added: list[Added] = field(default_factory=list)
    removed: list[Added] = field(default_factory=list)
    changed: list[CredentialChange] = field(default_factory=list)
    pathways: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    occupations: list[str] = field(default_factory=list)
    career_fields: list[str] = field(default_factory=list)
    site: list[str] = field(default_factory=list)
    outcome_years_added: list[int] = field(default_factory=list)
    outcome_years_removed: list[int] = field(default_factory=list)
    head_errors: list[str] = field(default_factory=list)
    #: CTIDs changed or lost: the check fails on them, as on an invalid HEAD
    ctid_errors: list[CtidError] = field(default_factory=list)
    base_errors: int = 0
    base_missing: bool = False

    @property
    def retired(self) -> list[CredentialChange]:
        return [change for change in self.changed if change.retired]

    @property
    def renamed(self) -> list[CredentialChange]:
        return [change for change in self.changed if change.renamed_from and not change.retired]

    @property
    def modified(self) -> list[CredentialChange]:
        return [change for change in self.changed if not change.renamed_from and not change.retired]


def compare_revisions(catalog_dir: Path, base: str, head: str | None = None) -> DiffReport:
    """Compare the catalog at ``base`` with ``head`` (or the working tree when None).

    Raises history.GitError (UnknownRevision for a revision Git does not know).
    """
    repo = find_repository(catalog_dir)
    base_commit = commit_id(repo, base)
    head_commit = commit_id(repo, head) if head is not None else None
    with tempfile.TemporaryDirectory(prefix="credsite-diff-") as scratch:
        base_root = Path(scratch) / "base"
        before = read_snapshot(extract_catalog(repo, base_commit, base_root), base_root)
        if head_commit is None:
            after = read_snapshot(repo.root / repo.prefix, repo.root)
        else:
            head_root = Path(scratch) / "head"
            after = read_snapshot(extract_catalog(repo, head_commit, head_root), head_root)
    renames = renamed_files(repo, base_commit, head_commit, "credentials")
    report = DiffReport(base=base, base_commit=base_commit, head=head, head_commit=head_commit)
    pairs = _credential_pairs(before, after, renames)
    _compare_credentials(before, after, pairs, report)
    report.ctid_errors = _ctid_errors(before, after, pairs)
    language = _default_language(after.site) or _default_language(before.site)
    report.pathways = _compare_pathways(
        before, after, renamed_files(repo, base_commit, head_commit, "pathways"), language
    )
    report.issuers = _brief(before.issuers, after.issuers, "name")
    report.occupations = _brief(before.occupations, after.occupations, "title")
    report.career_fields = _brief(before.career_fields, after.career_fields, "name", language)
    report.site = site_changes(before.site, after.site, language) if before.site and after.site else []
    report.outcome_years_added = sorted(after.outcome_years - before.outcome_years)
    report.outcome_years_removed = sorted(before.outcome_years - after.outcome_years)
    report.head_errors = after.errors
    report.base_errors = len(before.errors)
    report.base_missing = not before.exists
    return report


def site_changes(before: dict, after: dict, language: str | None = None) -> list[str]:
    """``field_changes`` of site.yml, its programs compared one by one by id, so that each
    changed text is said (one language at a time, for a language map):
    ``program exam-fee: name (es): not translated -> Reembolso``. Programs that are not a list
    of entries with distinct ids are compared as written."""
    old_programs, new_programs = _programs(before.get("programs")), _programs(after.get("programs"))
    if old_programs is None or new_programs is None:
        return field_changes(before, after, language=language)
    others = [{key: value for key, value in side.items() if key != "programs"} for side in (before, after)]
    lines = field_changes(*others, language=language)
    for key in dict.fromkeys([*new_programs, *old_programs]):
        old, new = old_programs.get(key), new_programs.get(key)
        if old is None or new is None:
            entry = new if old is None else old
            name = in_default(entry.get("name"), language)
            named = f" ({shown(name)})" if isinstance(name, str) and name else ""
            lines.append(f"program {key}: {'added' if old is None else 'removed'}{named}")
        else:
            lines += [f"program {key}: {line}" for line in field_changes(old, new, language=language)]
    kept = [key for key in old_programs if key in new_programs]
    if kept != [key for key in new_programs if key in old_programs]:
        lines.append("programs: reordered")
    return lines


def _programs(entries: object) -> dict[str, dict] | None:
    """site.yml's programs by id, in their order (none: an empty list); None when they are
    not a list of entries with distinct text ids."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        return None
    programs: dict[str, dict] = {}
    for entry in entries:
        key = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(key, str) or key in programs:
            return None
        programs[key] = entry
    return programs


def _default_language(site: object) -> str | None:
    """The site's default language as site.yml writes it (the first of ``languages``, else
    ``language``), or None when it says none readable."""
    if not isinstance(site, dict):
        return None
    languages = site.get("languages")
    first = languages[0] if isinstance(languages, list) and languages else site.get("language")
    return first if isinstance(first, str) and _LANGUAGE.fullmatch(first) else None


def _ctid(data: object) -> str | None:
    """The file's ``ctid`` when it is a CTID (a malformed one is validation's to report)."""
    value = data.get("ctid") if isinstance(data, dict) else None
    return value if isinstance(value, str) and _CTID.fullmatch(value) else None


def _credential_pairs(before: Snapshot, after: Snapshot, renames: dict[str, str]) -> dict[str, str]:
    """Credential files renamed between BASE and HEAD: {new id: old id}. A rename counts only
    when the old id is gone and the new one is new. The CTID says it first (a file new at HEAD
    that carries the CTID of a file gone from BASE is that file); then Git's rename detection,
    unless both files carry CTIDs and they differ (two credentials, not one)."""

    def gone_and_new(new: str, old: str) -> bool:
        return (
            new in after.credentials
            and new not in before.credentials
            and old in before.credentials
            and old not in after.credentials
        )

    gone = {
        ctid: key
        for key, file in before.credentials.items()
        if (ctid := _ctid(file.front)) is not None and key not in after.credentials
    }
    pairs: dict[str, str] = {}
    for key in sorted(after.credentials):
        old = gone.get(_ctid(after.credentials[key].front) or "")
        if old is not None and old not in pairs.values() and gone_and_new(key, old):
            pairs[key] = old
    for new, old in sorted(renames.items()):
        if new in pairs or old in pairs.values() or not gone_and_new(new, old):
            continue
        old_ctid, new_front = _ctid(before.credentials[old].front), after.credentials[new].front
        if (
            old_ctid is not None
            and isinstance(new_front, dict)
            and new_front.get("ctid") not in (None, old_ctid)
        ):
            continue
        pairs[new] = old
    return pairs


def _ctid_errors(before: Snapshot, after: Snapshot, pairs: dict[str, str]) -> list[CtidError]:
    """Every CTID BASE had that HEAD changed or lost: a credential's, an issuer's or
    site.yml's own, changed or its key deleted, and a credential file deleted while no file
    at HEAD carries its CTID. A CTID added where there was none is no error."""
    errors = []

    def lost(old: str, new: dict) -> str | None:
        now = new.get("ctid")
        if now is None:
            return f"ctid deleted (it was {old}); put it back"
        if now != old:
            return f"CTID changed: {old} -> {shown(now)}; put back {old}"
        return None

    renamed_from = {old: new for new, old in pairs.items()}
    kept = {_ctid(file.front) for file in after.credentials.values()}
    for old_key in sorted(before.credentials):
        old_ctid = _ctid(before.credentials[old_key].front)
        if old_ctid is None:
            continue
        key = renamed_from.get(old_key, old_key)
        if key in after.credentials:
            front = after.credentials[key].front
            message = lost(old_ctid, front) if front is not None else None
        elif old_ctid not in kept:
            message = (
                f"its file was deleted, and no file keeps its CTID {old_ctid}: put the file back "
                "and retire the credential instead (status: retired)"
            )
        else:
            message = None
        if message:
            name = after.name_of(key) if key in after.credentials else before.name_of(old_key)
            errors.append(CtidError("credential", key, name, message))
    for key in sorted(set(before.issuers) & set(after.issuers)):
        old_ctid, new = _ctid(before.issuers[key]), after.issuers[key]
        message = lost(old_ctid, new) if old_ctid is not None and isinstance(new, dict) else None
        if message:
            errors.append(CtidError("issuer", key, shown((new or {}).get("name", key)), message))
    old_ctid = _ctid(before.site)
    readable = isinstance(after.site, dict) and after.site  # else HEAD's errors say why
    message = lost(old_ctid, after.site) if old_ctid is not None and readable else None
    if message:
        errors.append(CtidError("site", "site.yml", "site settings", message))
    return errors


def _compare_credentials(
    before: Snapshot, after: Snapshot, pairs: dict[str, str], report: DiffReport
) -> None:
    for key in sorted(after.credentials):
        old_key = pairs.get(key, key)
        if old_key not in before.credentials:
            report.added.append(Added(key, after.name_of(key), _added_summary(after, key)))
            continue
        old_file, new_file = before.credentials[old_key], after.credentials[key]
        lines: list[str] = []
        if old_file.front is None or new_file.front is None:
            side = "BASE" if old_file.front is None else "HEAD"
            lines.append(f"front matter could not be read at {side}")
        else:
            old_front = dict(old_file.front)
            if old_key != key:  # the new id is said by 'renamed from'
                old_front["id"] = new_file.front.get("id", old_front.get("id"))
            lines += field_changes(old_front, new_file.front, old_file.body, new_file.body, UNDOCUMENTED)
        lines += quality_changes(before.quality.get(old_key), after.quality.get(key))
        if not lines and old_key == key:
            continue
        old_status = (old_file.front or {}).get("status")
        new_status = (new_file.front or {}).get("status")
        report.changed.append(
            CredentialChange(
                id=key,
                name=after.name_of(key),
                renamed_from=old_key if old_key != key else None,
                changes=lines,
                retired=new_status == "retired" and old_status != "retired",
            )
        )
    renamed_away = set(pairs.values())
    for key in sorted(set(before.credentials) - set(after.credentials) - renamed_away):
        report.removed.append(Added(key, before.name_of(key), ""))


def _added_summary(snapshot: Snapshot, key: str) -> str:
    front = snapshot.credentials[key].front or {}
    quality = snapshot.quality.get(key)
    return "; ".join(
        [
            f"{shown(front.get('points'))} points",
            f"career fields: {shown(front.get('career_fields'))}",
            f"quality: {quality.overall}" if quality else "quality: not rated (the file has errors)",
        ]
    )


def _steps(pathway: dict) -> str:
    steps = pathway.get("steps")
    if not isinstance(steps, list):
        return shown(steps)
    return "; ".join(
        " or ".join(str(item) for item in step.get("credentials") or [])
        if isinstance(step, dict) and isinstance(step.get("credentials"), list)
        else shown(step)
        for step in steps
    )


def _compare_pathways(
    before: Snapshot, after: Snapshot, renames: dict[str, str], language: str | None = None
) -> list[str]:
    lines = []
    pairs = {
        new: old for new, old in renames.items() if new not in before.pathways and old not in after.pathways
    }
    for key in sorted(after.pathways):
        new = after.pathways[key] or {}
        old_key = pairs.get(key, key)
        title = f"**{md(shown(in_default(new.get('name', key), language)))}** ({code(str(key))})"
        if old_key not in before.pathways:
            steps = new.get("steps")
            count = len(steps) if isinstance(steps, list) else 0
            lines.append(f"- Added {title}: {count} step{'' if count == 1 else 's'}: {md(_steps(new))}")
            continue
        old = before.pathways[old_key] or {}
        changes = field_changes(
            {k: v for k, v in old.items() if k != "steps"},
            {k: v for k, v in new.items() if k != "steps"},
            language=language,
        )
        if _steps(old) != _steps(new):
            changes.append(f"steps: {_steps(old)} -> {_steps(new)}")
        if changes or old_key != key:
            lines.append(
                f"- Changed {title}" + (f": renamed from {code(str(old_key))}" if old_key != key else "")
            )
            lines += [f"  - {md(line)}" for line in changes]
    for key in sorted(set(before.pathways) - set(after.pathways) - set(pairs.values())):
        old = before.pathways[key] or {}
        name = in_default(old.get("name", key), language)
        lines.append(f"- Removed **{md(shown(name))}** ({code(str(key))})")
    return lines


def _brief(before: dict, after: dict, name_key: str, language: str | None = None) -> list[str]:
    """One line per added, removed or changed entry; changed entries name their changed keys
    (a language map's texts in ``language``, the site's default, and the others)."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None or new is None:
            entry = new if old is None else old
            name = in_default(entry.get(name_key), language) if isinstance(entry, dict) else None
            verb = "Added" if old is None else "Removed"
            lines.append(f"- {verb} {code(str(key))}" + (f" ({md(shown(name))})" if name else ""))
        elif isinstance(old, dict) and isinstance(new, dict):
            changes = field_changes(old, new, language=language)
            lines.append(f"- Changed {code(str(key))}: {md('; '.join(changes))}")
        else:
            lines.append(f"- Changed {code(str(key))}")
    return lines


# --- Markdown -------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<])")


def md(text: str) -> str:
    """Text on one line with the characters Markdown would act on escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def _fence(texts: list[str], least: int) -> str:
    """Backticks enough to fence ``texts``: more than the longest run of them in any, and at
    least ``least`` (the texts come from a pull request)."""
    longest = max((len(run) for text in texts for run in re.findall("`+", text)), default=0)
    return "`" * max(least, longest + 1)


def code(text: str) -> str:
    """Text as an inline code span on one line: fenced by more backticks than it holds, so a
    file name or key from a pull request cannot close the span and write Markdown."""
    text = one_line(text)
    fence = _fence([text], 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def render_markdown(report: DiffReport) -> str:
    """The report as a pull-request comment."""
    base = f"{code(report.base)} ({report.base_commit[:7]})"
    head = f"{code(report.head)} ({report.head_commit[:7]})" if report.head_commit else "the working tree"
    lines = [f"## Catalog changes from {base} to {head}", ""]
    if report.head is None:
        lines += [
            "HEAD was not given, so BASE is compared with the working tree (uncommitted changes included).",
            "",
        ]
    if report.base_missing:
        lines += ["BASE has no catalog folder; everything in HEAD is new.", ""]
    if report.ctid_errors:
        lines += [
            f"### CTID errors ({len(report.ctid_errors)})",
            "",
            "A CTID never changes once written: the Credential Registry and everyone who links to the "
            'credential know it by its CTID (CONTRIBUTING.md, "CTIDs"). This check fails until each '
            "is put back.",
            "",
        ]
        for error in report.ctid_errors:
            subject = (
                f"**{md(error.name)}** ({code(error.id)})"
                if error.kind == "credential"
                else f"Issuer **{md(error.name)}** ({code(error.id)})"
                if error.kind == "issuer"
                else f"Site settings ({code(error.id)})"
            )
            lines.append(f"- {subject}: {md(error.message)}")
        lines.append("")
    counts = [
        (len(report.added), "added"),
        (len(report.retired), "retired"),
        (len(report.removed), "removed"),
        (len(report.renamed), "renamed"),
        (len(report.modified), "changed"),
    ]
    summary = ", ".join(f"{number} {what}" for number, what in counts if number)
    lines += [f"Credentials: {summary}." if summary else "No credential changed.", ""]

    def credential_section(title: str, changes: list[CredentialChange]) -> None:
        if not changes:
            return
        lines.extend([f"### {title}", ""])
        for change in changes:
            renamed = f": renamed from {code(change.renamed_from)}" if change.renamed_from else ""
            lines.append(f"- **{md(change.name)}** ({code(change.id)}){renamed}")
            lines.extend(f"  - {md(line)}" for line in change.changes)
        lines.append("")

    if report.added:
        lines += ["### Added credentials", ""]
        lines += [f"- **{md(item.name)}** ({code(item.id)}): {md(item.summary)}" for item in report.added]
        lines.append("")
    credential_section("Retired credentials", report.retired)
    if report.removed:
        lines += ["### Removed credentials", ""]
        lines += [f"- **{md(item.name)}** ({code(item.id)})" for item in report.removed]
        lines.append("")
    credential_section("Renamed credentials", report.renamed)
    credential_section("Changed credentials", report.modified)
    for title, section in (
        ("Pathways", report.pathways),
        ("Issuers", report.issuers),
        ("Occupations", report.occupations),
        ("Career fields", report.career_fields),
        ("Site settings", [f"- {md(line)}" for line in report.site]),
    ):
        if section:
            lines += [f"### {title}", "", *section, ""]
    if report.outcome_years_added or report.outcome_years_removed:
        lines += ["### Outcome data", ""]
        if report.outcome_years_added:
            lines.append(f"- Years added: {', '.join(map(str, report.outcome_years_added))}")
        if report.outcome_years_removed:
            lines.append(f"- Years removed: {', '.join(map(str, report.outcome_years_removed))}")
        lines.append("")
    lines += ["### Validation", ""]
    head_name = "HEAD" if report.head_commit else "The working tree"
    if report.head_errors:
        shown_errors = [one_line(error) for error in report.head_errors[:ERROR_LIMIT]]
        fence = _fence(shown_errors, 3)
        lines += [f"{head_name} is invalid: {_count(len(report.head_errors), 'error')}.", "", f"{fence}text"]
        lines += shown_errors
        lines.append(fence)
        if len(report.head_errors) > ERROR_LIMIT:
            lines += ["", f"…and {len(report.head_errors) - ERROR_LIMIT} more."]
    else:
        lines.append(f"{head_name} is valid.")
    if report.base_errors:
        lines += [
            "",
            f"BASE was invalid ({_count(report.base_errors, 'error')}); its files were compared as written.",
        ]
    return "\n".join(lines) + "\n"
