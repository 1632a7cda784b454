"""Load a whole catalog folder into validated models, or raise every error found."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from site_builder.catalog import checks
from site_builder.catalog.models import (
    FACTS,
    ISSUER_FACTS,
    LANGUAGE_PATTERN,
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
from site_builder.catalog.translations import (
    MAP_FIELDS,
    TRANSLATED_FIELDS,
    CredentialTranslation,
    Translations,
    Untranslated,
    map_fields,
    translated_credential,
)
from site_builder.errors import CatalogInvalid, InputError, display_path, excerpt
from site_builder.inputs import LINK_MESSAGE, refusal

Model = TypeVar("Model", bound=BaseModel)
_SLUG = re.compile(SLUG_PATTERN)
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


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
    #: the texts in the site's other languages (SPEC 10); ``in_language`` applies them
    translations: Translations = field(default_factory=Translations)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the pages, the default first."""
        return self.site.all_languages

    def in_language(self, language: str) -> Catalog:
        """This catalog with its texts in ``language``: each translation, else the default
        language's text as an ``Untranslated`` string (the templates mark it with ``lang``).
        The default language gives the catalog itself."""
        default = self.languages[0]
        if language == default:
            return self
        texts = self.translations

        def texts_of(kind: str, key: str, model: Model) -> Model:
            """``model`` with its texts of ``MAP_FIELDS[kind]`` in ``language``."""
            return model.model_copy(
                update={
                    name: texts.text(kind, key, name, language, getattr(model, name), default)
                    for name in MAP_FIELDS[kind]
                }
            )

        programs = [texts_of("program", program.id, program) for program in self.site.programs]
        site = texts_of("site", "site", self.site).model_copy(update={"programs": programs})
        career_fields = {
            key: texts_of("career-field", key, field) for key, field in self.career_fields.items()
        }
        pathways = {key: texts_of("pathway", key, pathway) for key, pathway in self.pathways.items()}
        translated = texts.credentials.get(language, {})
        credentials = {
            key: translated_credential(credential, translated.get(key), default)
            for key, credential in self.credentials.items()
        }
        translated_bodies = texts.bodies.get(language, {})
        bodies = {
            key: translated_bodies[key]
            if translated_bodies.get(key, "").strip()
            else (Untranslated(body, default) if body.strip() else body)
            for key, body in self.bodies.items()
        }
        return replace(
            self,
            site=site,
            career_fields=career_fields,
            pathways=pathways,
            credentials=credentials,
            bodies=bodies,
        )

    def state_codes(self) -> dict[str, str]:
        """State code -> credential id, for the credentials that have one."""
        return {
            credential.state_code: key
            for key, credential in sorted(self.credentials.items())
            if credential.state_code is not None
        }

    def program_members(self) -> dict[str, dict[str, tuple[tuple[int | None, int | None], ...]]] | None:
        """Program id -> credential id -> the school years of its memberships
        (``rules.programs.Members``); None when site.yml defines no programs."""
        if not self.site.programs:
            return None
        members: dict[str, dict[str, tuple[tuple[int | None, int | None], ...]]] = {
            program.id: {} for program in self.site.programs
        }
        for key, credential in sorted(self.credentials.items()):
            for membership in credential.programs:
                spans = members[membership.program].get(key, ())
                members[membership.program][key] = (*spans, (membership.first_year, membership.last_year))
        return members


class _Collector:
    """Gathers errors from every file while loading goes on."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.sources: dict[tuple[str, str], Parsed] = {}
        #: the site's languages, the default first; None while site.yml cannot tell
        self.languages: tuple[str, ...] | None = None
        #: the other languages' texts of language maps: (kind, id, field) -> language -> text
        self.texts: dict[tuple[str, str, str], dict[str, str]] = {}
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

    def language_maps(
        self, kind: str, key: str | None, data: object, parsed: Parsed, base: tuple = ()
    ) -> object:
        """``data`` with its language maps (``translations.MAP_FIELDS``) made plain texts in the
        default language; the other languages' texts are kept (by ``key``, when it is known)."""
        plain, found, errors = map_fields(kind, data, base, self.languages, parsed)
        self.errors += errors
        if key is not None:
            for name, texts in found.items():
                self.texts[(kind, key, name)] = texts
        return plain


def load_catalog(root: Path, complete: bool = False) -> Catalog:
    """Read and validate ``root`` (a catalog folder); raise CatalogInvalid with all errors.

    ``complete`` (``credsite validate --complete``) also makes every fact a credential or
    issuer file leaves out an error (SPEC 8); without it, only the list facts are required."""
    collect = _Collector()
    if not root.is_dir():
        raise CatalogInvalid([InputError(display_path(root), 1, None, "catalog folder not found")])
    site = _load_site(root / "site.yml", collect)
    if site is not None:
        collect.languages = site.all_languages
    career_fields = _load_career_fields(root / "career-fields.yml", collect)
    issuers = _load_folder(root / "issuers", ".yml", Issuer, collect, "issuer")
    # occupations and pathways are optional (SPEC 8): a state's list starts without them
    occupation_file = root / "occupations.csv"
    occupations, occupation_errors = (
        load_occupations(occupation_file)
        if occupation_file.is_file() or occupation_file.is_symlink()
        else ({}, [])
    )
    collect.errors += occupation_errors
    credentials, bodies, translation_files = _load_credentials(root / "credentials", collect)
    translated, translated_bodies = _load_translations(translation_files, collect)
    pathways = _load_folder(root / "pathways", ".yml", Pathway, collect, "pathway", optional=True)

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
    crosswalks = {key: checks.Crosswalk.from_data(data) for key, data in credential_data.items()}
    program_ids, program_findings = (
        checks.site_programs(raw[("site", "site")]) if ("site", "site") in raw else (None, [])
    )
    findings = [
        *program_findings,
        *checks.state_codes_unique(
            crosswalks,
            {key: display_path(collect.sources[("credential", key)].path) for key in crosswalks},
        ),
        *checks.ctids_unique(
            claim
            for (kind, key), parsed in collect.sources.items()
            for claim in checks.ctid_claims(kind, key, display_path(parsed.path), parsed.document.data)
        ),
        *checks.program_memberships(crosswalks, program_ids),
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
    if complete:
        collect.errors += _missing_fact_errors(collect)
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
        translations=Translations(texts=collect.texts, credentials=translated, bodies=translated_bodies),
    )


#: the facts each kind of file may leave out until ``--complete`` is asked for
_FACTS_OF_KIND = {"issuer": ISSUER_FACTS, "credential": FACTS}
#: ``--complete``'s error for a credential file or site.yml without its CTID (SPEC 9)
MISSING_CTID = "ctid: not yet assigned (--complete requires every CTID; run credsite ctid --assign)"


def _missing_fact_errors(collect: _Collector) -> list[InputError]:
    """One error per fact a credential or issuer file leaves out, read from the raw data so
    that a file with other errors is told too."""
    errors = []
    for (kind, _), parsed in collect.sources.items():
        data = parsed.document.data
        if kind in ("credential", "site") and isinstance(data, dict) and data.get("ctid") is None:
            # not a fact families miss (never on /contribute/), but a complete list has them all
            errors.append(parsed.error(("ctid",), MISSING_CTID))
        if kind not in _FACTS_OF_KIND or not isinstance(data, dict):
            continue
        errors += [
            parsed.error((fact,), f"{fact}: not yet documented (--complete requires every fact)")
            for fact in _FACTS_OF_KIND[kind]
            if fact not in data
        ]
    return errors


def _load_site(path: Path, collect: _Collector) -> SiteConfig | None:
    if not path.is_file() and not path.is_symlink():
        collect.missing(path, "site settings file")
        return None
    parsed = collect.parse(path, partial(parse_yaml_file, root=path.parent))
    if parsed is None:
        return None
    collect.sources[("site", "site")] = parsed  # its programs are cross-checked
    # the languages are read from the file first: its own language maps are checked against them
    collect.languages = _raw_languages(collect)
    data = collect.language_maps("site", "site", parsed.document.data, parsed)
    if isinstance(data, dict) and isinstance(data.get("programs"), list):
        # each program's texts too, by its id (a repeated id is an error of its own)
        data = {
            **data,
            "programs": [
                collect.language_maps("program", _raw_id(entry), entry, parsed, ("programs", index))
                for index, entry in enumerate(data["programs"])
            ],
        }
    return collect.model(SiteConfig, data, parsed)


def _raw_id(entry: object) -> str | None:
    """The id an entry of a YAML list gives itself, when it is text (the model checks it)."""
    raw_id = entry.get("id") if isinstance(entry, dict) else None
    return raw_id if isinstance(raw_id, str) else None


def _raw_languages(collect: _Collector) -> tuple[str, ...] | None:
    """The languages site.yml lists, when its model cannot say (or before it is made)."""
    parsed = collect.sources.get(("site", "site"))
    data = parsed.document.data if parsed is not None else None
    if not isinstance(data, dict):
        return None
    languages = data.get("languages", [data.get("language", "en")])
    if isinstance(languages, list) and languages and all(isinstance(code, str) for code in languages):
        return tuple(languages)
    return None


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
    for index, raw_entry in enumerate(entries):
        entry = collect.language_maps("career-field", _raw_id(raw_entry), raw_entry, parsed, (index,))
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


def _files(
    folder: Path, suffix: str, collect: _Collector, what: str, optional: bool = False
) -> Iterable[Path]:
    if folder.is_symlink():
        collect.errors.append(InputError(display_path(folder), 1, None, LINK_MESSAGE))
        return []
    if not folder.is_dir():
        if not optional or folder.exists():
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
    folder: Path, suffix: str, model: type[Model], collect: _Collector, kind: str, optional: bool = False
) -> dict[str, Model]:
    """One model per file, keyed by the file name stem (issuers, pathways); an ``optional``
    folder may be absent."""
    loaded: dict[str, Model] = {}
    for path in _files(folder, suffix, collect, kind, optional):
        collect.present[kind].add(path.stem)
        collect.errors += _stem_errors(path)
        parsed = collect.parse(path, partial(parse_yaml_file, root=folder.parent))
        if parsed is None:
            continue
        collect.sources[(kind, path.stem)] = parsed
        data = parsed.document.data
        if kind == "pathway":
            data = collect.language_maps(kind, path.stem, data, parsed)
        value = collect.model(model, data, parsed)
        if value is not None:
            loaded[path.stem] = value
    return loaded


def _load_credentials(
    folder: Path, collect: _Collector
) -> tuple[dict[str, Credential], dict[str, str], list[Path]]:
    """The credentials and their bodies, by id; and the translation files beside them
    (``<id>.<lang>.md``: ids are slugs, so a name with a dot is never a credential's)."""
    credentials: dict[str, Credential] = {}
    bodies: dict[str, str] = {}
    files_by_id: dict[str, Path] = {}
    translation_files: list[Path] = []
    for path in _files(folder, ".md", collect, "credential"):
        if "." in path.stem:
            translation_files.append(path)
            continue
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
    return credentials, bodies, translation_files


def _load_translations(
    files: list[Path], collect: _Collector
) -> tuple[dict[str, dict[str, CredentialTranslation]], dict[str, dict[str, str]]]:
    """The credential translations (``<id>.<lang>.md``): language -> id -> translated texts,
    and language -> id -> translated body."""
    translations: dict[str, dict[str, CredentialTranslation]] = {}
    bodies: dict[str, dict[str, str]] = {}
    languages = collect.languages
    for path in files:
        key, _, language = path.stem.partition(".")
        shown = display_path(path)
        if not _SLUG.fullmatch(key) or not _LANGUAGE.fullmatch(language):
            message = (
                f"file name '{path.name}' must be a credential id plus '.md' (like 'comptia-a-plus.md'), "
                "or plus a language code for a translation (like 'comptia-a-plus.es.md')"
            )
            collect.errors.append(InputError(shown, 1, None, message))
            continue
        if languages is not None and language == languages[0]:
            message = (
                f"'{language}' is the default language, whose texts are in {key}.md; "
                "a translation is for one of the other languages"
            )
            collect.errors.append(InputError(shown, 1, None, message))
            continue
        if languages is not None and language not in languages:
            message = (
                f"'{language}' is not one of the site's languages ({', '.join(languages)}): "
                "add it to languages in site.yml, or rename the file"
            )
            collect.errors.append(InputError(shown, 1, None, message))
            continue
        if key not in collect.present["credential"]:
            message = f"a translation of '{key}', but there is no credential file {key}.md"
            collect.errors.append(InputError(shown, 1, None, message))
            continue
        try:
            parsed, body = parse_front_matter(path, path.parent.parent, may_be_empty=True)
        except FileProblem as problem:
            collect.errors.append(problem.error)
            continue
        collect.errors += duplicate_key_errors(parsed)
        data = parsed.document.data
        if isinstance(data, dict):
            for name in data:
                if name not in TRANSLATED_FIELDS:
                    collect.errors.append(
                        parsed.error(
                            (name,),
                            f"{excerpt(name)} is not a text to translate: a translation holds only "
                            f"{', '.join(TRANSLATED_FIELDS)} and the body; the other facts come from {key}.md",
                        )
                    )
            data = {name: value for name, value in data.items() if name in TRANSLATED_FIELDS}
        translation = collect.model(CredentialTranslation, data, parsed)
        if translation is None:
            continue
        translations.setdefault(language, {})[key] = translation
        if body.strip():
            bodies.setdefault(language, {})[key] = body
    return translations, bodies


def raw_state_codes(folder: Path) -> dict[str, str]:
    """State code -> credential id (the file name), as the credential files in ``folder`` say
    when the catalog as a whole has errors: the outcome data is still checked in the same run,
    and its rows that name a credential by state code are not all reported as unknown. A file
    that cannot be read, or whose code is not a plain code, is left out (the catalog's errors
    tell why); a code two files claim goes to the first."""
    codes: dict[str, str] = {}
    if folder.is_symlink() or not folder.is_dir():
        return codes
    for path in sorted(folder.glob("*.md")):
        if path.is_symlink() or not path.is_file() or not _SLUG.fullmatch(path.stem):
            continue
        try:
            parsed, _ = parse_front_matter(path, folder.parent)
        except FileProblem:
            continue
        code = checks.Crosswalk.from_data(parsed.document.data).state_code
        if code is not None:
            codes.setdefault(code, path.stem)
    return codes
