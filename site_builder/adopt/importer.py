"""``credsite import``: a state's list -> credential and issuer files (SPEC 8).

``import_list`` reads the list and MAP.yml, reads every row into list facts (each messy
cell through ``cells``), matches each row to a credential file (by id, then state code,
then name), gives new rows ids, and plans the writes: new files for new credentials and
issuers, the changed facts' lines for the others, and ``status: retired`` for credentials
the list no longer holds. Nothing is written when a row has an error, unless ``partial``.

Matching rows to files keeps ids stable: a file keeps its id when the list renames the
credential (the state code or the old name finds it), so links to its page never break.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from site_builder.catalog.models import SLUG_PATTERN, Credential
from site_builder.catalog.sources import FileProblem, parse_front_matter, parse_yaml_file, read_text
from site_builder.ctids import new_ctid
from site_builder.errors import CatalogInvalid, InputError, display_path, excerpt
from site_builder.inputs import InputRefused, read_input
from site_builder.output import write_whole

from . import cells
from .cells import CellProblem, key
from .frontmatter import Fact, new_file, plain_value, render, update
from .mapping import (
    DATE_FIELDS,
    ISSUER_URL,
    LIST_FACTS,
    LIST_FIELDS,
    MONEY_FIELDS,
    WHOLE_FIELDS,
    ListMap,
    field_choices,
    load_map,
)
from .spreadsheet import Cell, ListUnreadable, Sheet, read_sheet

_SLUG = re.compile(SLUG_PATTERN)
#: facts the list owns: a column or a default of the map sets them on every import
OWNED_FACTS = frozenset({*LIST_FACTS, "sunset"})
#: the longest id an import makes from a name
ID_LENGTH = 80


def slug(text: str) -> str:
    """A lowercase id from a name: "CompTIA A+" -> "comptia-a-plus", accents dropped,
    '&' read as 'and', '+' as 'plus', at most ``ID_LENGTH`` characters, cut at a hyphen."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(character for character in folded if not unicodedata.combining(character))
    folded = re.sub(r"['\u2019]", "", folded).replace("&", " and ").replace("+", " plus ")
    made = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(made) > ID_LENGTH:
        made = made[:ID_LENGTH].rsplit("-", 1)[0]
    return made


@dataclass
class ImportResult:
    """What an import did (or, with errors and no ``partial``, would have done)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} credentials created",
            f"{len(self.updated)} updated",
            f"{len(self.retired)} retired",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.issuers)} issuers created",
        ]
        return ", ".join(parts)


@dataclass
class _Existing:
    """A credential file already in the catalog."""

    id: str
    path: Path
    data: dict[str, Any]
    text: str
    crlf: bool


@dataclass
class _Row:
    number: int
    facts: dict[str, Fact] = field(default_factory=dict)
    issuer_name: str | None = None
    issuer_url: str | None = None
    failed: bool = False
    #: the file it updates, or the id of the file it creates
    target: str | None = None
    new: bool = False
    errors: list[InputError] = field(default_factory=list)


class _Catalog:
    """What the import needs to know of the catalog: career fields, issuers, credentials."""

    def __init__(self, root: Path):
        self.root = root
        errors: list[InputError] = []
        self.career_fields: dict[str, str] = {}  # key of id or name -> id
        self.career_field_names: dict[str, str] = {}
        try:
            parsed = parse_yaml_file(root / "career-fields.yml", root)
            for entry in parsed.document.data if isinstance(parsed.document.data, list) else []:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    self.career_fields[key(entry["id"])] = entry["id"]
                    # a name in several languages (SPEC 10) is a map: any of them names the field
                    name = entry.get("name")
                    names = list(name.values()) if isinstance(name, dict) else [name]
                    for text in (text for text in names if isinstance(text, str)):
                        self.career_fields.setdefault(key(text), entry["id"])
                        self.career_field_names.setdefault(entry["id"], text)
        except FileProblem as problem:
            errors.append(problem.error)
        self.issuers: dict[str, str] = {}  # key of id or name -> id
        self.issuer_ids: set[str] = set()
        for path in _files(root / "issuers", ".yml"):
            self.issuer_ids.add(path.stem)
            self.issuers[key(path.stem)] = path.stem
            try:
                data = parse_yaml_file(path, root).document.data
            except FileProblem as problem:
                errors.append(problem.error)
                continue
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                self.issuers.setdefault(key(data["name"]), path.stem)
        self.credentials: dict[str, _Existing] = {}
        for path in _files(root / "credentials", ".md"):
            try:
                parsed, _ = parse_front_matter(path, root)
                text = read_text(path, root)
                crlf = b"\r\n" in read_input(path, root)
            except FileProblem as problem:
                errors.append(problem.error)
                continue
            except InputRefused as refused:
                errors.append(refused.error)
                continue
            data = parsed.document.data if isinstance(parsed.document.data, dict) else {}
            self.credentials[path.stem] = _Existing(path.stem, path, data, text, crlf)
        if errors:
            raise CatalogInvalid(errors)


def _files(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix == suffix
        and not path.name.startswith(".")
        and path.name.lower() != "readme.md"
        and _SLUG.fullmatch(path.stem)
    )


def import_list(
    list_path: Path,
    map_path: Path,
    catalog_dir: Path,
    sheet_name: str | None = None,
    partial: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Import the list at ``list_path`` into ``catalog_dir`` as ``map_path`` says.

    Raises CatalogInvalid when the map, the list or the catalog cannot be read at all;
    row problems are in the result's ``errors``, and then nothing is written unless
    ``partial`` (the rows without errors are written, and no credential a failed row may
    name is retired). ``today`` dates the retirement of credentials gone from the list."""
    mapping, map_errors = load_map(map_path)
    if mapping is None:
        raise CatalogInvalid(map_errors)
    if not (catalog_dir / "site.yml").is_file():
        message = "not a catalog folder (it has no site.yml)"
        raise CatalogInvalid([InputError(display_path(catalog_dir), 1, None, message)])
    try:
        sheet = read_sheet(list_path, sheet_name or mapping.sheet)
    except ListUnreadable as unreadable:
        raise CatalogInvalid([unreadable.error]) from None
    catalog = _Catalog(catalog_dir)
    columns = _header(sheet, mapping)
    data_rows = _data_rows(sheet, mapping, columns)
    if not data_rows:  # a wrong header_row must not retire the whole catalog
        message = f"no credential rows below the column names in row {mapping.header_row}"
        raise CatalogInvalid([sheet.error(mapping.header_row, None, message)])
    rows = [_read_row(sheet, number, cells_, columns, mapping, catalog) for number, cells_ in data_rows]
    errors = [error for row in rows for error in row.errors]
    _match(rows, catalog, sheet, errors)
    result = ImportResult(
        errors=sorted(errors, key=lambda error: (error.line, error.column or 0, error.message))
    )
    writes = _plan(rows, catalog, mapping, today or dt.date.today(), result)
    if errors and not partial:
        return result
    for path, text in writes:
        _write(catalog_dir, path, text)
    result.written = bool(writes)
    return result


def _header(sheet: Sheet, mapping: ListMap) -> dict[str, int]:
    """Each mapped field's column (0-based), or CatalogInvalid naming the columns not found."""
    row_index = mapping.header_row - 1
    header = sheet.rows[row_index] if row_index < len(sheet.rows) else []
    found: dict[str, int] = {}
    missing: list[str] = []
    names = [cells.text(cell) or "" for cell in header]
    for field_name, column in mapping.columns.items():
        exact = [index for index, name in enumerate(names) if name == column.strip()]
        close = exact or [index for index, name in enumerate(names) if name and key(name) == key(column)]
        if len(close) > 1:
            where = ", ".join(str(index + 1) for index in close)
            raise CatalogInvalid(
                [
                    sheet.error(
                        mapping.header_row,
                        close[1] + 1,
                        f"{excerpt(column)} ({field_name}) names columns {where}; rename one",
                    )
                ]
            )
        if close:
            found[field_name] = close[0]
        else:
            missing.append(field_name)
    if missing:
        wanted = [mapping.columns[name] for name in missing]
        hint = ""
        for other, row in enumerate(sheet.rows[:50], start=1):
            keys = {key(cells.text(cell) or "") for cell in row}
            if other != mapping.header_row and all(key(name) in keys for name in mapping.columns.values()):
                hint = f"; the column names are in row {other}: set header_row: {other} in MAP.yml"
                break
        shown = ", ".join(
            f"{excerpt(name)} ({field_name})" for name, field_name in zip(wanted, missing, strict=True)
        )
        present = ", ".join(excerpt(name) for name in names if name)[:300] or "nothing"
        message = f"row {mapping.header_row} has no column {shown}{hint or f'; it holds {present}'}"
        raise CatalogInvalid([sheet.error(mapping.header_row, None, message)])
    return found


def _data_rows(sheet: Sheet, mapping: ListMap, columns: dict[str, int]) -> list[tuple[int, list[Cell]]]:
    """The rows below the header whose mapped cells are not all blank, with their numbers."""
    kept = []
    for number, row in enumerate(sheet.rows[mapping.header_row :], start=mapping.header_row + 1):
        if any(index < len(row) and not cells.is_blank(row[index]) for index in columns.values()):
            kept.append((number, row))
    return kept


@lru_cache(maxsize=64)
def _adapter(field_name: str) -> TypeAdapter[Any]:
    info = Credential.model_fields[field_name]
    return TypeAdapter(Annotated[info.annotation, info])


_PATTERN_WORDS = {
    r"^\d{2}\.\d{4}$": "must be a CIP code like 11.0101",
    SLUG_PATTERN: "must be a lowercase id like 'comptia-a-plus'",
    r"^\d{2}-\d{4}$": "must be a SOC code like 15-1232",
}


def _check(field_name: str, value: Fact) -> str | None:
    """What the catalog's model says is wrong with ``value`` for ``field_name``, or None."""
    if field_name not in Credential.model_fields:
        return None
    try:
        _adapter(field_name).validate_python(value, strict=True)
    except ValidationError as invalid:
        detail = invalid.errors(include_url=False)[0]
        if detail["type"] == "string_pattern_mismatch":
            pattern = detail.get("ctx", {}).get("pattern", "")
            words = _PATTERN_WORDS.get(pattern)
            if words is None and "https?" in pattern:
                words = "must be a web address starting with https://"
            if words is None:
                words = "has characters this field does not allow"
            return f"{words} (got {excerpt(detail['input'])})"
        message = detail["msg"].removeprefix("Value error, ")
        return message[:1].lower() + message[1:] + f" (got {excerpt(detail['input'])})"
    return None


def _read_row(
    sheet: Sheet, number: int, row: list[Cell], columns: dict[str, int], mapping: ListMap, catalog: _Catalog
) -> _Row:
    result = _Row(number)
    errors = result.errors
    for field_name in [*mapping.columns, *(name for name in mapping.defaults if name not in mapping.columns)]:
        column = columns.get(field_name)
        cell: Cell = row[column] if column is not None and column < len(row) else ""
        from_default = cells.is_blank(cell) and field_name in mapping.defaults
        if from_default:
            default = mapping.defaults[field_name]
            cell = "; ".join(default) if isinstance(default, list) else default
        where = column + 1 if column is not None and not from_default else None
        label = field_name if column is None else f"{field_name} ({excerpt(mapping.columns[field_name])})"
        try:
            value = _value(field_name, cell, mapping, catalog, result)
        except CellProblem as problem:
            errors.append(sheet.error(number, where, f"{label}: {problem}"))
            continue
        if value is None:
            if field_name in LIST_FACTS:
                errors.append(sheet.error(number, where, f"{label}: is blank; every credential needs it"))
            elif field_name == "sunset":
                result.facts["sunset"] = None
            continue
        if field_name == "issuer" and key(str(value)) not in catalog.issuers and not slug(str(value)):
            errors.append(sheet.error(number, where, f"{label}: {excerpt(value)} gives no issuer id"))
            continue
        if field_name in (ISSUER_URL, "issuer"):
            continue
        problem_text = _check(field_name, value)
        if problem_text:
            errors.append(sheet.error(number, where, f"{label}: {problem_text}"))
            continue
        result.facts[field_name] = value
    status = result.facts.get("status")
    if (
        status in ("sunsetting", "retired")
        and result.facts.get("sunset") is None
        and not any(error for error in errors if "sunset" in error.message)
    ):
        column = columns.get("sunset", columns.get("status"))
        errors.append(
            sheet.error(
                number,
                column + 1 if column is not None else None,
                f"sunset: a {status} credential needs a sunset date",
            )
        )
    result.failed = bool(errors)
    return result


def _value(field_name: str, cell: Cell, mapping: ListMap, catalog: _Catalog, row: _Row) -> Fact:
    """The catalog value of one cell of ``field_name`` (None: blank)."""
    if field_name in LIST_FIELDS:
        pieces = []
        for piece in cells.items(cell):
            mapped = mapping.value_for(field_name, piece)
            pieces.append(piece if mapped is None else str(mapped))
        if field_name == "career_fields":
            return _career_fields(pieces, catalog) or None
        if field_name == "cip_codes":
            pieces = [_cip(piece) for piece in pieces]
            if isinstance(cell, float):
                pieces = [f"{cell:07.4f}"]
        return list(dict.fromkeys(pieces)) or None
    shown = cells.text(cell)
    if shown is not None:
        mapped = mapping.value_for(field_name, shown)
        if mapped is not None:
            cell, shown = mapped, cells.text(mapped)
    if shown is None:
        return None
    if field_name in DATE_FIELDS:
        return cells.date(cell)
    if field_name in WHOLE_FIELDS:
        return cells.whole_number(cell)
    if field_name in MONEY_FIELDS:
        return cells.money(cell)
    if field_name == "issuer":
        row.issuer_name = shown
        return shown
    if field_name == ISSUER_URL:
        row.issuer_url = shown
        return shown
    choices = field_choices(field_name)
    if choices:
        matched = [choice for choice in choices if key(choice) == key(shown)]
        if not matched:
            allowed = ", ".join(choices)
            raise CellProblem(
                f"{excerpt(shown)} is not one of {allowed}; "
                f"say which it is under values: {field_name}: in MAP.yml"
            )
        return matched[0]
    return shown


def _cip(piece: str) -> str:
    """A CIP code whose leading zero a spreadsheet dropped ("1.0101") gets it back."""
    match = re.fullmatch(r"(\d)\.(\d{4})", piece)
    return f"0{match.group(1)}.{match.group(2)}" if match else piece


def _career_fields(pieces: list[str], catalog: _Catalog) -> list[str]:
    found: list[str] = []
    for piece in pieces:
        career_field = catalog.career_fields.get(key(piece))
        if career_field is None:
            names = list(catalog.career_field_names.values())
            close = difflib.get_close_matches(piece, names, n=1, cutoff=0.6)
            hint = f" (did you mean {excerpt(close[0])}?)" if close else ""
            raise CellProblem(
                f"{excerpt(piece)} is not a career field of career-fields.yml{hint}; "
                "map it under values: career_fields: in MAP.yml"
            )
        if career_field not in found:
            found.append(career_field)
    return found


def _match(rows: list[_Row], catalog: _Catalog, sheet: Sheet, errors: list[InputError]) -> None:
    """Give every row the id of the file it updates, or a new id; errors for rows that
    name the same credential or cannot get an id of their own."""
    by_code: dict[str, str] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    for existing in catalog.credentials.values():
        code = existing.data.get("state_code")
        if isinstance(code, str):
            by_code.setdefault(code.casefold(), existing.id)
        if isinstance(existing.data.get("name"), str):
            by_name[key(existing.data["name"])].append(existing.id)
    claimed: dict[str, int] = {}  # file id -> the row that updates it
    codes: dict[str, int] = {}

    def fail(row: _Row, message: str) -> None:
        errors.append(sheet.error(row.number, None, message))
        row.failed = True

    for row in rows:
        name, code, given_id = row.facts.get("name"), row.facts.get("state_code"), row.facts.get("id")
        if isinstance(code, str):
            if code.casefold() in codes:
                fail(row, f"state code {excerpt(code)} is also the code of row {codes[code.casefold()]}")
                continue
            codes[code.casefold()] = row.number
        target = None
        if isinstance(given_id, str):
            target = given_id if given_id in catalog.credentials else None
            if target is None:
                row.target, row.new = given_id, True
        elif isinstance(code, str) and code.casefold() in by_code:
            target = by_code[code.casefold()]
        elif isinstance(name, str):
            candidates = [
                file_id
                for file_id in by_name.get(key(name), [])
                if not isinstance(catalog.credentials[file_id].data.get("state_code"), str)
                or not isinstance(code, str)
            ]
            if len(candidates) > 1:
                fail(
                    row,
                    f"name {excerpt(name)} matches several credential files ({', '.join(candidates)}); "
                    "give the list a state code column",
                )
                continue
            target = candidates[0] if candidates else None
        if target is not None:
            if target in claimed:
                fail(row, f"is the same credential as row {claimed[target]} ({target})")
                continue
            claimed[target] = row.number
            row.target = target
    # new ids: the name's slug; when two would share it, the state code or issuer appended
    taken = set(catalog.credentials)
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.failed:
            continue  # never written, so it reserves no id
        if row.target is None and isinstance(row.facts.get("name"), str):
            base = slug(str(row.facts["name"]))
            if not base:
                fail(row, f"name {excerpt(row.facts['name'])} gives no id (it has no letters or digits)")
                continue
            groups[base].append(row)
        elif row.new:
            taken_by = claimed.get(str(row.target))
            if row.target in taken or taken_by:
                fail(row, f"id {excerpt(row.target)} is given twice")
            claimed[str(row.target)] = row.number
            taken.add(str(row.target))
    made: dict[str, int] = {}
    for base, group in sorted(groups.items()):
        for row in group:
            if len(group) == 1 and base not in taken:
                new_id = base
            else:
                code, issuer = row.facts.get("state_code"), row.issuer_name
                suffix = slug(str(code)) if isinstance(code, str) else slug(issuer or "")
                new_id = f"{base}-{suffix}"[: ID_LENGTH + 33].strip("-")
            if new_id in taken or new_id in made:
                other = f"row {made[new_id]}" if new_id in made else "a credential file"
                fail(row, f"gets the id '{new_id}', like {other}; give the credentials distinct state codes")
                continue
            made[new_id] = row.number
            row.target, row.new = new_id, True


def _plan(
    rows: list[_Row], catalog: _Catalog, mapping: ListMap, today: dt.date, result: ImportResult
) -> list[tuple[Path, str]]:
    """The files to write: (path inside the catalog, text)."""
    writes: list[tuple[Path, str]] = []
    # the fields' order, but a CTID goes right after the id (as credsite ctid --assign puts it)
    order = ["id", "ctid", *(name for name in Credential.model_fields if name not in ("id", "ctid"))]
    new_issuers: dict[str, tuple[str, str | None]] = {}
    seen: set[str] = set()
    for row in rows:
        if row.target is not None:
            seen.add(row.target)
    # a failed row without a name or code might be any credential: then none is retired
    unidentified = any(
        row.failed and row.target is None and not row.facts.get("name") and not row.facts.get("state_code")
        for row in rows
    )
    for row in rows:
        if row.failed or row.target is None:
            continue
        facts = dict(row.facts)
        facts["issuer"] = _issuer_id(row, catalog, new_issuers)
        facts.pop("id", None)
        existing = catalog.credentials.get(row.target)
        if existing is None:
            # a new credential gets its CTID now (SPEC 9), right after its id, unless the list gives one
            ordered = {"id": row.target, "ctid": facts.pop("ctid", None) or new_ctid()} | {
                name: facts[name] for name in order if facts.get(name) is not None
            }
            writes.append((catalog.root / "credentials" / f"{row.target}.md", new_file(ordered)))
            result.created.append(row.target)
            continue
        changes: dict[str, Fact] = {}
        for name, value in facts.items():
            if name == "ctid" and existing.data.get("ctid") is not None:
                if value != existing.data["ctid"]:
                    result.notes.append(
                        f"{existing.id}: kept its CTID; a CTID never changes (the list gives another)"
                    )
                continue
            owned = name in OWNED_FACTS or name in mapping.columns
            if not owned and name in existing.data:
                continue  # a default fills a fact only where the file has none
            if value is None and existing.data.get(name) is None:
                continue
            if plain_value(value) != existing.data.get(name):
                changes[name] = value
        if changes:
            writes.append((existing.path, _with_ends(update(existing.text, changes, order), existing.crlf)))
            result.updated.append(existing.id)
        else:
            result.unchanged.append(existing.id)
    to_retire = [
        existing
        for existing in catalog.credentials.values()
        if existing.id not in seen and existing.data.get("status") != "retired"
    ]
    if unidentified and to_retire:
        result.notes.append(
            "no credential was retired: a row with errors could not be matched to a credential"
        )
    elif not unidentified:
        for existing in to_retire:
            sunset = existing.data.get("sunset")
            keep = isinstance(sunset, str) and sunset <= today.isoformat()
            changes = {"status": "retired", "sunset": sunset if keep else today}
            writes.append((existing.path, _with_ends(update(existing.text, changes, order), existing.crlf)))
            result.retired.append(existing.id)
    for issuer_id, (name, url) in sorted(new_issuers.items()):
        text = f"name: {render(name)}\n" + (f"url: {render(url)}\n" if url else "")
        writes.append((catalog.root / "issuers" / f"{issuer_id}.yml", text))
        result.issuers.append(issuer_id)
    return writes


def _issuer_id(row: _Row, catalog: _Catalog, new_issuers: dict[str, tuple[str, str | None]]) -> str:
    """The issuer the row names: an issuer file whose id or name matches, else a new one
    (id = slug of the name; the first row naming it gives its name and url)."""
    name = row.issuer_name or ""
    found = catalog.issuers.get(key(name))
    if found is not None:
        return found
    issuer_id = slug(name)
    if issuer_id not in new_issuers:
        new_issuers[issuer_id] = (name, row.issuer_url)
    elif new_issuers[issuer_id][1] is None and row.issuer_url:
        new_issuers[issuer_id] = (new_issuers[issuer_id][0], row.issuer_url)
    return issuer_id


def _with_ends(text: str, crlf: bool) -> str:
    return text.replace("\n", "\r\n") if crlf else text


def _write(catalog_dir: Path, path: Path, text: str) -> None:
    """Write ``text`` to ``path``, a plain file inside the catalog's credentials/ or issuers/
    (never through a symbolic link)."""
    folder = path.parent
    if (
        folder.parent != catalog_dir
        or folder.name not in ("credentials", "issuers")
        or not _SLUG.fullmatch(path.stem)
    ):
        raise ValueError(f"refusing to write {path}")
    if folder.is_symlink() or path.is_symlink():
        raise CatalogInvalid(
            [InputError(display_path(path), 1, None, "is a symbolic link; the import did not write it")]
        )
    write_whole(path, text.encode("utf-8"))


__all__ = ["ImportResult", "import_list", "slug"]
