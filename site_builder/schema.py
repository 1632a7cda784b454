"""JSON Schema for the catalog's files, exported from the Pydantic models.

Editors use these for completion and checking as you type (see CONTRIBUTING.md).
Regenerate after changing a model: ``python -m site_builder.schema``; a test fails
when the committed files differ from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from site_builder.catalog.models import LANGUAGE_PATTERN, CareerField, Credential, Issuer, Pathway, SiteConfig
from site_builder.catalog.translations import MAP_FIELDS, CredentialTranslation
from site_builder.paths import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "schemas"

MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "credential": (Credential, "Front matter of catalog/credentials/<id>.md"),
    "issuer": (Issuer, "catalog/issuers/<id>.yml"),
    "pathway": (Pathway, "catalog/pathways/<id>.yml"),
    "site": (SiteConfig, "catalog/site.yml"),
    "career-field": (CareerField, "One entry of catalog/career-fields.yml"),
    "credential-translation": (CredentialTranslation, "Front matter of catalog/credentials/<id>.<lang>.md"),
}

#: the kind of file of each model whose texts may be language maps (``translations.MAP_FIELDS``)
_MAPS = {"site": "site", "career-field": "career-field", "pathway": "pathway"}
#: the same for the models inside a file (the schema's ``$defs``): site.yml's programs
_NESTED_MAPS = {"site": {"Program": "program"}}


def _allow_language_maps(schema: dict, kind: str) -> None:
    """A text that may be written as a language map, {en: ..., es: ...}, accepts one (SPEC 10)."""
    for name in MAP_FIELDS[kind]:
        field = schema["properties"][name]
        text = {key: value for key, value in field.items() if key not in ("description", "title", "default")}
        language_map = {
            "type": "object",
            "propertyNames": {"pattern": LANGUAGE_PATTERN},
            "additionalProperties": {"type": "string", "minLength": 1},
            "minProperties": 1,
        }
        for key in list(text):
            del field[key]
        field["anyOf"] = [text, language_map]


def schema_text(name: str) -> str:
    """The JSON Schema of one kind of file, as the committed file holds it."""
    model, title = MODELS[name]
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    if name in _MAPS:
        _allow_language_maps(schema, _MAPS[name])
    for definition, kind in _NESTED_MAPS.get(name, {}).items():
        _allow_language_maps(schema["$defs"][definition], kind)
    if name == "career-field":
        schema = {
            "$schema": schema.pop("$schema"),
            "title": "catalog/career-fields.yml",
            "type": "array",
            "items": schema,
        }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path = SCHEMA_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODELS:
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        print(path.relative_to(PROJECT_ROOT), file=sys.stderr)
