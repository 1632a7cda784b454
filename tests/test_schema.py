"""The committed JSON Schemas are exactly what the models export."""

from __future__ import annotations

import json

import pytest

from site_builder.schema import MODELS, SCHEMA_DIR, schema_text


def outline(schema: dict) -> dict:
    """What a contributor relies on: the keys, their descriptions, which are required,
    and that no other key is allowed. (How a Pydantic release spells a type may vary.)"""
    body = schema.get("items", schema)
    return {
        "properties": {key: value.get("description") for key, value in body["properties"].items()},
        "required": sorted(body.get("required", [])),
        "additionalProperties": body.get("additionalProperties"),
    }


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_schema_matches_the_model(name: str) -> None:
    committed = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert outline(committed) == outline(json.loads(schema_text(name))), "run: python -m site_builder.schema"


def test_credential_schema_forbids_unknown_keys_and_documents_fields() -> None:
    schema = json.loads(schema_text("credential"))
    assert schema["additionalProperties"] is False
    assert "points" in schema["required"]
    assert schema["properties"]["points"]["maximum"] == 12
    assert schema["properties"]["summary"]["description"] == "One plain-language sentence for families."
