"""Load a whole catalog folder into validated models, or raise every error found."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    references = {
        key: checks.References.from_data(parsed.document.data)
        for (kind, key), parsed in collect.sources.items()
        if kind == "credential"
    }
    findings = [
        *checks.sunset_rules(credentials),
        *checks.stacking_cycles(references),
        *checks.credential_references(references, known),
        *checks.pathway_references(pathways, known),
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
    if not path.is_file():
        collect.missing(path, "site settings file")
        return None
    parsed = collect.parse(path, parse_yaml_file)
    return collect.model(SiteConfig, parsed.document.data, parsed) if parsed else None


def _load_career_fields(path: Path, collect: _Collector) -> dict[str, CareerField]:
    if not path.is_file():
        collect.missing(path, "career fields file")
        return {}
    parsed = collect.parse(path, parse_yaml_file)
    if parsed is None:
        return {}
    entries = parsed.document.data
    if not isinstance(entries, list) or not entries:
        collect.errors.append(
            parsed.error((), "must be a list of career fields (- id: ..., name: ..., description: ...)")
        )
        return {}
    fields: dict[str, CareerField] = {}
    first_line: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            collect.present["career-field"].add(entry["id"])
        field = collect.model(CareerField, entry, parsed, (index,))
        if field is None:
            continue
        line, _ = parsed.document.position((index, "id"))
        if field.id in fields:
            collect.errors.append(
                parsed.error(
                    (index, "id"), f"duplicate id '{field.id}' (first at line {first_line[field.id]})"
                )
            )
            continue
        fields[field.id] = field
        first_line[field.id] = line
    return fields


def _stem_errors(path: Path) -> list[InputError]:
    if _SLUG.match(path.stem):
        return []
    message = f"file name '{path.name}' must be a lowercase id like 'comptia-a-plus' plus '{path.suffix}'"
    return [InputError(display_path(path), 1, None, message)]


def _files(folder: Path, suffix: str, collect: _Collector, what: str) -> Iterable[Path]:
    if not folder.is_dir():
        collect.missing(folder, f"{what} folder")
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        if path.suffix != suffix or not path.is_file():
            collect.errors.append(
                InputError(display_path(path), 1, None, f"not a {what} file: {what} files end in '{suffix}'")
            )
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
        parsed = collect.parse(path, parse_yaml_file)
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
    files_by_id: dict[str, Path] = {}
    for path in _files(folder, ".md", collect, "credential"):
        collect.present["credential"].add(path.stem)
        try:
            parsed, body = parse_front_matter(path)
        except FileProblem as problem:
            collect.errors.append(problem.error)
            continue
        collect.errors += duplicate_key_errors(parsed)
        collect.sources[("credential", path.stem)] = parsed
        credential = collect.model(Credential, parsed.document.data, parsed)
        if credential is None:
            continue
        if credential.id != path.stem:
            collect.errors.append(
                parsed.error(("id",), f"id '{credential.id}' must equal the file name '{path.stem}'")
            )
        if credential.id in credentials:
            other = display_path(files_by_id[credential.id])
            collect.errors.append(parsed.error(("id",), f"duplicate id '{credential.id}' (also in {other})"))
            continue
        files_by_id[credential.id] = path
        credentials[credential.id] = credential
        bodies[credential.id] = body
    return credentials, bodies
