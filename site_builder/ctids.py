"""CTIDs (SPEC 9): the Credential Transparency Identifiers the catalog's files keep.

A credential's ``ctid`` (and site.yml's, the list's own) is written once, by
``credsite ctid --assign``, and never changes after: the linked data and the Credential
Registry know the credential by it, whatever its id or name become. ``assign_ctids`` writes
one line into each file that has none, right after ``id:`` (site.yml: after ``base_url:``),
keeping every other byte of the file (its comments, order, line ends and body).

That CTIDs are unique is a check of the catalog (``catalog.checks.ctids_unique``); that
they never change is a check of ``credsite diff`` (``site_builder.diff``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from site_builder.adopt.frontmatter import update, update_yaml
from site_builder.catalog.loader import Catalog
from site_builder.inputs import read_input
from site_builder.output import write_whole

#: where the new line goes: right after the last of these keys the file has
CREDENTIAL_ANCHOR = ("id", "ctid")
SITE_ANCHOR = ("base_url", "ctid")

_BOM = "\ufeff"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def new_ctid() -> str:
    """A fresh CTID: 'ce-' and a random UUID (version 4), as the Credential Registry makes them."""
    return f"ce-{uuid.uuid4()}"


def site_file(catalog: Catalog) -> Path:
    return catalog.root / "site.yml"


def credential_file(catalog: Catalog, credential_id: str) -> Path:
    return catalog.root / "credentials" / f"{credential_id}.md"


def without_ctid(catalog: Catalog) -> list[Path]:
    """The files that have no CTID yet: site.yml first, then the credential files by id."""
    files = [site_file(catalog)] if catalog.site.ctid is None else []
    files += [
        credential_file(catalog, key)
        for key, credential in sorted(catalog.credentials.items())
        if credential.ctid is None
    ]
    return files


def missing_note(catalog: Catalog) -> str | None:
    """One line for ``build`` and ``validate`` when files have no CTID yet (never an error)."""
    credentials = sum(1 for credential in catalog.credentials.values() if credential.ctid is None)
    site = catalog.site.ctid is None
    if not credentials and not site:
        return None
    who = [f"{credentials} credential{'s' if credentials != 1 else ''}"] if credentials else []
    who += ["site.yml"] if site else []
    verb = "have" if len(who) > 1 or credentials > 1 else "has"
    return f"note: {' and '.join(who)} {verb} no CTID yet; run credsite ctid --assign"


def assign_ctids(catalog: Catalog, make: Callable[[], str] = new_ctid) -> list[tuple[Path, str]]:
    """Write a new CTID into every file of ``without_ctid``; return (file, CTID) for each.

    ``catalog`` must be the valid catalog as just loaded: its files are edited as written."""
    written = []
    for path in without_ctid(catalog):
        ctid = make()
        raw = read_input(path, catalog.root)
        original = raw.decode("utf-8")
        bom = _BOM if original.startswith(_BOM) else ""
        original = original.removeprefix(_BOM)
        text = original.replace("\r\n", "\n").replace("\r", "\n")
        edited = (
            update_yaml(text, {"ctid": ctid}, SITE_ANCHOR)
            if path == site_file(catalog)
            else update(text, {"ctid": ctid}, CREDENTIAL_ANCHOR)
        )
        write_whole(path, (bom + keeping_line_ends(original, text, edited)).encode("utf-8"))
        written.append((path, ctid))
    return written


def keeping_line_ends(original: str, text: str, edited: str) -> str:
    """``edited`` (an edit of ``text``, which is ``original`` with every line end made "\\n")
    with the lines it did not change written exactly as ``original`` has them, and its new
    lines ended as the line before them is."""
    old_lines, new_lines = _lines(text), _lines(edited)
    if old_lines and new_lines and new_lines[-1] == old_lines[-1] + "\n":
        new_lines[-1] = old_lines[-1]  # the editor ended the last line; the file did not
    original_lines = _LINE.findall(original)
    if len(original_lines) != len(old_lines):  # cannot happen: the same lines, other ends
        raise ValueError("the text is not the original's")
    same_start = 0
    while same_start < min(len(old_lines), len(new_lines)) and old_lines[same_start] == new_lines[same_start]:
        same_start += 1
    same_end = 0
    while (
        same_end < min(len(old_lines), len(new_lines)) - same_start
        and old_lines[-1 - same_end] == new_lines[-1 - same_end]
    ):
        same_end += 1
    kept_start = original_lines[:same_start]
    kept_end = original_lines[len(original_lines) - same_end :]
    ends = [_end(line) for line in original_lines if _end(line)]
    line_end = (_end(kept_start[-1]) if kept_start else "") or (ends[0] if ends else "\n")
    if kept_start and not _end(kept_start[-1]):
        kept_start[-1] += line_end  # the last line had no line end; a line follows it now
    changed = [
        line[:-1] + line_end if line.endswith("\n") else line
        for line in new_lines[same_start : len(new_lines) - same_end]
    ]
    return "".join(kept_start + changed + kept_end)


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _end(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]
