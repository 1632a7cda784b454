"""Load a whole catalog folder into validated models, or raise every error found."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from site_builder.catalog import checks
from site_builder.catalog.models import (
    SLUG_PATTERN,
    CareerField,
    Credential,
    Issuer,
    Occupation,
    Pathway,
    SiteConfig,
)
from site_builder.catalog.occupations import load_occupations
from site_builder.catalog.sources import (
    FileProblem,
    Parsed,
    duplicate_key_errors,
    parse_front_matter,
    parse_yaml_file,
    validate_model,
)
from site_builder.errors import CatalogInvalid, InputError, display_path
from site_builder.inputs import LINK_MESSAGE, refusal

Model = TypeVar("Model", bound=BaseModel)
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class Catalog:
    """Everything in ``catalog/`` except the outcome data, validated and cross-checked."""

    root: Path
    site: SiteConfig
    career_fields: dict[str, CareerField]
    issuers: dict[str, Issuer]
    occupations: dict[str, Occupation]
    credentials: dict[str, Credential]
    bodies: dict[str, str]
    pathways: dict[str, Pathway]


class _Collector:
    """Gathers errors from every file while loading goes on."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.sources: dict[tuple[str, str], Parsed] = {}
        #: ids that have a file (or entry), valid or not, by kind
        self.present: dict[str, set[str]] = {
            "credential": set(),
            "issuer": set(),
            "pathway": set(),
            "career-field": set(),
        }

    def parse(self, path: Path, parse: Callable[[Path], Parsed]) -> Parsed | None:
        try:
            parsed = parse(path)
        except FileProblem as problem:
            self.errors.append(problem.error)
            return None
        self.errors += duplicate_key_errors(parsed)
        return parsed

    def model(self, model: type[Model], data: object, parsed: Parsed, base: tuple = ()) -> Model | None:
        value, errors = validate_model(model, data, parsed, base)
        self.errors += errors
        return value

    def missing(self, path: Path, what: str) -> None:
        self.errors.append(InputError(display_path(path), 1, None, f"{what} is missing"))


def load_catalog(root: Path) -> Catalog:
    """Read and validate ``root`` (a catalog folder); raise CatalogInvalid with all errors."""
    collect = _Collector()
    if not root.is_dir():
        raise CatalogInvalid([InputError(display_path(root), 1, None, "catalog folder not found")])
    site = _load_site(root / "site.yml", collect)
    career_fields = _load_career_fields(root / "career-fields.yml", collect)
    issuers = _load_folder(root / "issuers", ".yml", Issuer, collect, "issuer")
    occupations, occupation_errors = load_occupations(root / "occupations.csv")
    collect.errors += occupation_errors
    credentials, bodies = _load_credentials(root / "credentials", collect)
    pathways = _load_folder(root / "pathways", ".yml", Pathway, collect, "pathway")

    known = checks.KnownIds(
        credentials=collect.present["credential"],
        issuers=collect.present["issuer"],
        career_fields=collect.present["career-field"],
        # SOC codes cannot be checked against a list that failed to load.
        occupations=None if occupation_errors else set(occupations),
    )
    raw = {(kind, key): parsed.document.data for (kind, key), parsed in collect.sources.items()}
    credential_data = {key: data for (kind, key), data in raw.items() if kind == "credential"}
    references = {key: checks.References.from_data(data) for key, data in credential_data.items()}
    findings = [
        *checks.sunset_rules(
            {key: checks.Lifecycle.from_data(data) for key, data in credential_data.items()}
        ),
        *(
            finding
            for key, data in credential_data.items()
            for finding in checks.repeated_items("credential", key, data, checks.UNIQUE_LISTS)
        ),
        *checks.stacking_cycles(references),
        *checks.credential_references(references, known),
        *checks.pathway_references(
            {
                key: checks.PathwayReferences.from_data(data)
                for (kind, key), data in raw.items()
                if kind == "pathway"
            },
            known,
            credentials,
        ),
    ]
    for finding in findings:
        collect.errors.append(
            collect.sources[(finding.kind, finding.key)].error(finding.location, finding.message)
        )
    if collect.errors or site is None:
        raise CatalogInvalid(collect.errors)
    return Catalog(
        root=root,
        site=site,
        career_fields=career_fields,
        issuers=issuers,
        occupations=dict(sorted(occupations.items())),
        credentials=credentials,
        bodies=bodies,
        pathways=pathways,
    )


def _load_site(path: Path, collect: _Collector) -> SiteConfig | None:
    if not path.is_file() and not path.is_symlink():
        collect.missing(path, "site settings file")
        return None
    parsed = collect.parse(path, partial(parse_yaml_file, root=path.parent))
    return collect.model(SiteConfig, parsed.document.data, parsed) if parsed else None


def _load_career_fields(path: Path, collect: _Collector) -> dict[str, CareerField]:
    if not path.is_file() and not path.is_symlink():
        collect.missing(path, "career fields file")
        return {}
    parsed = collect.parse(path, partial(parse_yaml_file, root=path.parent))
    if parsed is None:
        return {}
    entries = parsed.document.data
    if not isinstance(entries, list) or not entries:
        collect.errors.append(
            parsed.error((), "must be a list of career fields (- id: ..., name: ..., description: ...)")
        )
        return {}
    fields: dict[str, CareerField] = {}
    # Repeats are found in the raw entries, so an entry with other errors still counts.
    first_line: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        repeated = False
        for key in ("id", "name") if isinstance(entry, dict) else ():
            value = entry.get(key)
            if not isinstance(value, str) or (key == "id" and not _SLUG.fullmatch(value)):
                continue
            if key == "id":
                collect.present["career-field"].add(value)
            line, _ = parsed.document.position((index, key))
            if (key, value) in first_line:
                collect.errors.append(
                    parsed.error(
                        (index, key), f"duplicate {key} '{value}' (first at line {first_line[key, value]})"
                    )
                )
                repeated = True
            else:
                first_line[key, value] = line
        field = collect.model(CareerField, entry, parsed, (index,))
        if field is not None and not repeated:
            fields[field.id] = field
    return fields


def _stem_errors(path: Path) -> list[InputError]:
    if _SLUG.fullmatch(path.stem):
        return []
    message = f"file name '{path.name}' must be a lowercase id like 'comptia-a-plus' plus '{path.suffix}'"
    return [InputError(display_path(path), 1, None, message)]


def _files(folder: Path, suffix: str, collect: _Collector, what: str) -> Iterable[Path]:
    if folder.is_symlink():
        collect.errors.append(InputError(display_path(folder), 1, None, LINK_MESSAGE))
        return []
    if not folder.is_dir():
        collect.missing(folder, f"{what} folder")
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        problem = None
        if path.is_symlink():
            problem = LINK_MESSAGE
        elif path.is_dir():
            problem = f"is a folder; {what} files sit directly in catalog/{folder.name}/"
        elif not path.is_file():
            problem = refusal(path, folder) or "not a file"
        elif path.suffix != suffix:
            problem = f"not a {what} file: {what} files end in '{suffix}'"
        if problem is not None:
            collect.errors.append(InputError(display_path(path), 1, None, problem))
            continue
        files.append(path)
    return files


def _load_folder(
    folder: Path, suffix: str, model: type[Model], collect: _Collector, kind: str
) -> dict[str, Model]:
    """One model per file, keyed by the file name stem (issuers, pathways)."""
    loaded: dict[str, Model] = {}
    for path in _files(folder, suffix, collect, kind):
        collect.present[kind].add(path.stem)
        collect.errors += _stem_errors(path)
        parsed = collect.parse(path, partial(parse_yaml_file, root=folder.parent))
        if parsed is None:
            continue
        collect.sources[(kind, path.stem)] = parsed
        value = collect.model(model, parsed.document.data, parsed)
        if value is not None:
            loaded[path.stem] = value
    return loaded


def _load_credentials(folder: Path, collect: _Collector) -> tuple[dict[str, Credential], dict[str, str]]:
    credentials: dict[str, Credential] = {}
    bodies: dict[str, str] = {}
    files_by_id: dict[str, Path] = {}
    for path in _files(folder, ".md", collect, "credential"):
        collect.present["credential"].add(path.stem)
        try:
            parsed, body = parse_front_matter(path, folder.parent)
        except FileProblem as problem:
            collect.errors.append(problem.error)
            continue
        collect.errors += duplicate_key_errors(parsed)
        collect.sources[("credential", path.stem)] = parsed
        data = parsed.document.data
        # The id is checked in the raw data, so a file with other errors is told too.
        raw_id = data.get("id") if isinstance(data, dict) else None
        raw_id = raw_id if isinstance(raw_id, str) and _SLUG.fullmatch(raw_id) else None
        repeated = raw_id is not None and raw_id in files_by_id
        if raw_id is not None and raw_id != path.stem:
            collect.errors.append(
                parsed.error(("id",), f"id '{raw_id}' must equal the file name '{path.stem}'")
            )
        if repeated:
            other = display_path(files_by_id[raw_id])
            collect.errors.append(parsed.error(("id",), f"duplicate id '{raw_id}' (also in {other})"))
        elif raw_id is not None:
            files_by_id[raw_id] = path
        credential = collect.model(Credential, data, parsed)
        if credential is None or repeated:
            continue
        credentials[credential.id] = credential
        bodies[credential.id] = body
    return credentials, bodies
