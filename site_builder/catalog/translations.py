"""Translations of the catalog's texts (SPEC 10), kept apart from the texts themselves.

The models hold the text in the site's default language, as they always did; ``Translations``
holds every other language's, read from:

- ``catalog/credentials/<id>.<lang>.md``: front matter with translated texts only
  (``TRANSLATED_FIELDS``: the texts families and employers read), then the translated
  Markdown body. Ids are slugs, without dots, so such a file is never a credential's own;
- language maps in YAML, ``name: {en: Health Science, es: Ciencias de la salud}``, in the
  fields of ``MAP_FIELDS`` (a plain string is the default language's text alone): the site's
  texts, career fields, pathways and site.yml's programs;
- and ``content/<page>.<lang>.md`` (``site_builder.content``).

``Catalog.in_language`` gives the catalog with its texts in one language: a text not yet
translated keeps the default language's words as an ``Untranslated`` string, which the
templates mark with its ``lang``. ``missing_translations`` lists what is not yet translated,
for /contribute/: never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import Field

from site_builder.catalog.models import LANGUAGE_PATTERN, Credential, Text, _Strict
from site_builder.catalog.sources import Parsed
from site_builder.errors import InputError, excerpt

#: the texts of a credential file a translation may hold, besides its body
TRANSLATED_FIELDS = ("summary", "certifies", "assessment", "prerequisites", "renewal")
#: how /contribute/ names the Markdown body of a credential file
BODY = "description"
#: the YAML text fields that may be language maps, by kind of file
MAP_FIELDS = {
    "site": ("title", "description", "sample_notice"),
    "career-field": ("name", "description"),
    "pathway": ("name", "summary"),
    # an entry of site.yml's programs, keyed by its id
    "program": ("name", "description"),
}

_LANGUAGE = re.compile(LANGUAGE_PATTERN)


class CredentialTranslation(_Strict):
    """Front matter of `catalog/credentials/<id>.<lang>.md`: a credential's texts in another
    language; the Markdown body after it is the translated description. Every other fact
    comes from `<id>.md`; a text left out is shown in the default language until translated."""

    summary: Text = Field(default=None, description="The summary, translated.")
    certifies: Annotated[list[Text], Field(min_length=1)] = Field(
        default=None, description="What it certifies, translated (its own list)."
    )
    assessment: Text = Field(default=None, description="How candidates are assessed, translated.")
    prerequisites: Text = Field(default=None, description="What a candidate needs first, translated.")
    renewal: Text = Field(default=None, description="How a holder renews it, translated.")


class Untranslated(str):
    """A text shown on a page of another language because it has no translation yet: the
    templates' ``lang_marked`` filter wraps it in ``<span lang="...">``."""

    language: str

    def __new__(cls, text: str, language: str) -> Untranslated:
        made = super().__new__(cls, text)
        made.language = language
        return made

    def __reduce__(self) -> tuple:
        return (Untranslated, (str(self), self.language))


@dataclass(frozen=True)
class Translations:
    """Every text of the catalog in a language other than the default."""

    #: (kind, id, field) -> language -> text, from language maps: ("career-field", "health", "name")
    texts: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    #: language -> credential id -> its translated texts
    credentials: dict[str, dict[str, CredentialTranslation]] = field(default_factory=dict)
    #: language -> credential id -> its translated Markdown body (absent when not translated)
    bodies: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(
        self, kind: str, key: str, name: str, language: str, default: str | None, in_default: str
    ) -> str | None:
        """The field ``name`` of the ``kind`` file ``key`` in ``language``: its translation, or
        ``default``, the text in the default language ``in_default``, as an ``Untranslated``
        string (None stays None)."""
        if default is None:
            return None
        found = self.texts.get((kind, key, name), {}).get(language)
        return found if found is not None else Untranslated(default, in_default)


def translated_credential(
    credential: Credential, translation: CredentialTranslation | None, default: str
) -> Credential:
    """``credential`` with its texts in another language: each translated text, and the
    default language's for the rest (``Untranslated``). Only documented texts are replaced,
    so what the file leaves out stays a missing fact."""
    update: dict[str, object] = {}
    for name in TRANSLATED_FIELDS:
        original = getattr(credential, name)
        if original is None:
            continue
        translated = getattr(translation, name) if translation is not None else None
        if translated is not None:
            update[name] = translated
        elif isinstance(original, list):
            update[name] = [Untranslated(item, default) for item in original]
        else:
            update[name] = Untranslated(original, default)
    return credential.model_copy(update=update)


def missing_translations(
    credential: Credential, body: str, translation: CredentialTranslation | None, translated_body: str | None
) -> tuple[str, ...]:
    """The texts of ``credential`` (documented in the default language) that have no
    translation: fields of ``TRANSLATED_FIELDS`` in order, then ``BODY`` for the body."""
    missing = tuple(
        name
        for name in TRANSLATED_FIELDS
        if getattr(credential, name) is not None
        and (translation is None or getattr(translation, name) is None)
    )
    if body.strip() and not (translated_body or "").strip():
        missing += (BODY,)
    return missing


def split_language_map(
    value: object,
    location: tuple,
    name: str,
    languages: tuple[str, ...] | None,
    parsed: Parsed,
) -> tuple[object, dict[str, str], list[InputError]]:
    """A YAML field that may be a language map: (the default language's text, for the model;
    the other languages' texts; errors). A plain value is returned as it is, for the model
    to judge. ``languages`` None: the site's are unknown (site.yml has errors), so any
    language code is taken, and the first entry is the default."""
    if not isinstance(value, dict):
        return value, {}, []
    errors: list[InputError] = []
    texts: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not _LANGUAGE.fullmatch(key) or (languages and key not in languages):
            shown = ", ".join(languages) if languages else "language codes like en, es"
            errors.append(
                parsed.error(
                    (*location, key), f"{name}: {excerpt(key)} is not one of the site's languages ({shown})"
                )
            )
            continue
        if not isinstance(text, str):
            got = f" (got {excerpt(text)})" if not isinstance(text, dict | list) else ""
            errors.append(parsed.error((*location, key), f"{name}.{key}: must be text{got}"))
            continue
        if not text.strip():
            errors.append(parsed.error((*location, key), f"{name}.{key}: must not be empty"))
            continue
        texts[key] = text
    default = languages[0] if languages else next(iter(texts), None)
    if not errors and (default is None or default not in texts):
        errors.append(
            parsed.error(
                location,
                f"{name}: the text in the default language is missing: a language map needs "
                f"'{default or 'en'}: ...' (a plain text is the default language's alone)",
            )
        )
    if errors:
        # stands in for the text, so that the model does not report the same field again
        return f"-{location}", {}, errors
    return texts[default], {key: text for key, text in texts.items() if key != default}, []


def map_fields(
    kind: str,
    data: object,
    base: tuple,
    languages: tuple[str, ...] | None,
    parsed: Parsed,
) -> tuple[object, dict[str, dict[str, str]], list[InputError]]:
    """``data`` (a file's, or an entry's at ``base``) with each language map of ``MAP_FIELDS``
    replaced by its default text; the translations by field; the errors."""
    if not isinstance(data, dict):
        return data, {}, []
    found: dict[str, dict[str, str]] = {}
    errors: list[InputError] = []
    plain = dict(data)
    for name in MAP_FIELDS[kind]:
        if name not in data:
            continue
        plain[name], texts, problems = split_language_map(data[name], (*base, name), name, languages, parsed)
        errors += problems
        if texts:
            found[name] = texts
    return plain, found, errors
