"""Reading catalog files into validated models, turning every problem into an InputError.

A file goes through three gates, each of which can stop it with a positioned error:
decoding (UTF-8, not empty), parsing (YAML, front matter) and the model.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from site_builder.catalog.models import (
    CIP_PATTERN,
    FACTS,
    ISSUER_FACTS,
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    SOC_PATTERN,
    STATE_CODE_PATTERN,
    URL_PATTERN,
)
from site_builder.catalog.yamlsource import (
    Location,
    YamlDocument,
    YamlSyntaxError,
    parse_yaml,
)
from site_builder.errors import InputError, display_path, excerpt
from site_builder.inputs import InputRefused, read_input

Model = TypeVar("Model", bound=BaseModel)

_PATTERN_HINTS = {
    SLUG_PATTERN: "must be a lowercase id like 'comptia-a-plus' (letters, digits, single hyphens)",
    SOC_PATTERN: "must be a SOC code like '15-1232'",
    CIP_PATTERN: "must be a CIP code like '11.0901' (two digits, a dot, four digits)",
    STATE_CODE_PATTERN: "must be a code of letters, digits and '_', '.' or '-' inside, at most 32 characters",
    URL_PATTERN: "must be a web address starting with https://",
    LANGUAGE_PATTERN: "must be a language code like 'en' or 'es' (ISO 639-1, optionally with a region: 'es-MX')",
}


# Nested models a value must be a mapping for, said with an example.
_MAPPING_HINTS = {
    "PathwayStep": "each step must be a mapping like '- credentials: [id, ...]'",
}

# Lists whose items contributors count from 1: pathway steps ("step 2: ...").
_NUMBERED_LISTS = frozenset({"steps"})


#: characters YAML does not allow, and NEL, which YAML 1.1 counts as a line break where
#: editors show none; the first is reported where it is
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class FileProblem(Exception):
    """A file that cannot be read or parsed at all."""

    def __init__(self, error: InputError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Parsed:
    """A parsed YAML source: the document and the file it came from."""

    path: Path
    document: YamlDocument

    def error(self, location: Location, message: str) -> InputError:
        """An error pointing at the line of ``location`` in this file."""
        line, _ = self.document.position(location)
        return InputError(display_path(self.path), line, None, message)


def read_text(path: Path, root: Path) -> str:
    """The text of ``path``, a file of ``root``; a FileProblem if it is unreadable (see
    ``site_builder.inputs``), not UTF-8 or empty. Line ends are made ``\n``: a file
    saved with carriage returns alone has its lines counted as an editor shows them."""
    try:
        raw = read_input(path, root)
    except InputRefused as refused:
        raise FileProblem(refused.error) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise FileProblem(InputError(display_path(path), line, column, message)) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (control := _CONTROL.search(text)) is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        message = f"control character U+{ord(control.group()):04X} is not allowed in a text file; remove it"
        raise FileProblem(InputError(display_path(path), line, column, message))
    if not text.strip():
        raise FileProblem(InputError(display_path(path), 1, None, "file is empty"))
    return text


def parse_yaml_file(path: Path, root: Path) -> Parsed:
    """A whole ``.yml`` file of the folder ``root``."""
    return _parse(path, read_text(path, root), 0)


def parse_front_matter(path: Path, root: Path, may_be_empty: bool = False) -> tuple[Parsed, str]:
    """A Markdown file of the folder ``root`` that starts with YAML front matter between ``---`` lines
    (``may_be_empty``: which may hold nothing, as a translation of the body alone does)."""
    text = read_text(path, root)
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise FileProblem(
            InputError(
                display_path(path), 1, None, "missing front matter: the file must start with a line '---'"
            )
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            if not front.strip():
                if may_be_empty:
                    return Parsed(path, YamlDocument(data={}, first_line=2)), body
                raise FileProblem(InputError(display_path(path), 1, None, "front matter is empty"))
            return _parse(path, front, 1), body
    raise FileProblem(
        InputError(display_path(path), 1, None, "front matter is not closed: add a line '---' after it")
    )


def _parse(path: Path, text: str, line_offset: int) -> Parsed:
    try:
        document = parse_yaml(text, line_offset)
    except YamlSyntaxError as exc:
        raise FileProblem(InputError(display_path(path), exc.line, exc.column, exc.message)) from None
    return Parsed(path, document)


def duplicate_key_errors(parsed: Parsed) -> list[InputError]:
    """YAML silently keeps the last of two equal keys; contributors should hear about it."""
    return [
        InputError(
            display_path(parsed.path),
            line,
            None,
            f"key '{location[-1]}' appears twice (first at line {first})",
        )
        for location, line, first in parsed.document.duplicate_keys
    ]


def validate_model(
    model: type[Model], data: Any, parsed: Parsed, base: Location = ()
) -> tuple[Model | None, list[InputError]]:
    """Validate ``data`` (found at ``base`` in the file) against ``model``."""
    if not isinstance(data, dict):
        where = " ".join(str(part) for part in base)
        what = f"entry {where}" if base else "the file"
        return None, [parsed.error(base, f"{what} must be a mapping of keys to values")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = [
            parsed.error((*base, *detail["loc"]), _message(model, detail))
            for detail in exc.errors(include_url=False)
        ]
        return None, errors


def _message(model: type[BaseModel], detail: dict[str, Any]) -> str:
    """Pydantic's message, reworded for a person editing a YAML file."""
    loc = detail["loc"]
    kind = detail["type"]
    key = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"missing required key '{key}'"
    if kind == "extra_forbidden":
        known = [name for name in _field_names(model, loc[:-1])]
        suggestion = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else ""
        return f"unknown key '{key}'{hint}"
    if kind == "invalid_key":
        return f"unknown key '{key}'"
    field = _field_path(loc)
    if detail.get("input", "") is None and len(loc) == 1 and key in _FACTS_OF_MODEL.get(model.__name__, ()):
        # a fact not yet known is left out (SPEC 8); null means something only where a field says so
        return f"{field}: must not be null: leave the key out while it is not yet documented"
    if kind == "model_type":
        class_name = detail.get("ctx", {}).get("class_name", "")
        return f"{field}: {_MAPPING_HINTS.get(class_name, 'must be a mapping of keys to values')}"
    if kind == "string_pattern_mismatch":
        pattern = detail.get("ctx", {}).get("pattern")
        hint = _PATTERN_HINTS.get(pattern, f"must match {pattern}")
        return f"{field}: {hint} (got {excerpt(detail['input'])})"
    message = detail["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    got = detail.get("input")
    if kind not in {"value_error"} and not isinstance(got, dict | list):
        message += f" (got {excerpt(got)})"
    return f"{field}: {message}"


#: facts a file may leave out, by model name; a null given for one of them is a mistake
_FACTS_OF_MODEL = {"Credential": FACTS, "Issuer": ISSUER_FACTS}


def _field_path(loc: tuple) -> str:
    """``steps.2.credentials.0``: the dotted location, numbered lists counted from 1."""
    parts = []
    for index, part in enumerate(loc):
        if isinstance(part, int) and index > 0 and loc[index - 1] in _NUMBERED_LISTS:
            part += 1
        parts.append(str(part))
    return ".".join(parts)


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model found at ``loc``, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = next((arg for arg in args if hasattr(arg, "model_fields")), annotation)
    return list(getattr(current, "model_fields", {}))
