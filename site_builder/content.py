"""`content/*.md`: the site's prose pages (about, how points work, ...), read and checked.

Content pages are read with the catalog's own front-matter reader, so a broken page is
reported as ``path:line: message`` by ``credsite validate`` like any catalog file.

``<page>.<lang>.md`` beside ``<page>.md`` is the page in another of the site's languages
(SPEC 10), with the same front matter keys; a page not yet translated is shown in the
default language (``in_language``), marked with its ``lang``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from site_builder.catalog.models import LANGUAGE_PATTERN, SLUG_PATTERN, Text, _Strict
from site_builder.catalog.sources import FileProblem, duplicate_key_errors, parse_front_matter, validate_model
from site_builder.errors import CatalogInvalid, InputError, display_path
from site_builder.inputs import LINK_MESSAGE
from site_builder.paths import CONTENT_DIR

#: first path segments the site generates itself; a content page may not take them
RESERVED_STEMS = frozenset(
    {"credentials", "career-fields", "pathways", "schools", "reports", "reimbursement",
     "changes", "search", "data", "static", "index", "404", "sitemap", "robots", "contribute"}
)  # fmt: skip

_SLUG = re.compile(SLUG_PATTERN)
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


class ContentFrontMatter(_Strict):
    """Front matter of a `content/<page>.md` file."""

    title: Text
    description: Text


@dataclass(frozen=True)
class ContentSource:
    """One content page: its URL stem, front matter and Markdown body (not yet rendered)."""

    stem: str
    title: str
    description: str
    markdown: str
    #: the page in the site's other languages, by language
    translations: dict[str, ContentSource] = field(default_factory=dict, compare=False)
    #: the language its text is in, when shown on a page of another language (not translated)
    fallback: str | None = None


def in_language(pages: list[ContentSource], language: str, default: str) -> list[ContentSource]:
    """The pages as shown in ``language``: each translation, or the page in the default
    language marked as such (``fallback``)."""
    if language == default:
        return pages
    return [
        replace(page.translations[language], translations=page.translations)
        if language in page.translations
        else replace(page, fallback=default)
        for page in pages
    ]


def load_content(
    content_dirs: Path | list[Path], languages: tuple[str, ...] | None = None
) -> list[ContentSource]:
    """Every page of the folders sorted by name, a later folder's page replacing an
    earlier one of the same name (and its translations); CatalogInvalid with all errors.

    ``languages``, the site's (the default first), are what translations may be in; None
    when site.yml cannot tell (any language code is then taken)."""
    if isinstance(content_dirs, Path):
        content_dirs = [content_dirs]
    errors: list[InputError] = [
        InputError(display_path(folder), 1, None, LINK_MESSAGE)
        for folder in content_dirs
        if folder.is_symlink()
    ]
    files: dict[str, Path] = {}
    translation_files: dict[str, Path] = {}
    for folder in content_dirs:
        if folder.is_symlink():
            continue
        for path in sorted(folder.glob("*.md")):
            if "." not in path.stem:
                files[path.name] = path
                # a later folder's page comes with its own translations, not the earlier's
                for name in [name for name in translation_files if name.startswith(f"{path.stem}.")]:
                    if translation_files[name].parent != folder:
                        del translation_files[name]
            else:
                translation_files[path.name] = path
    pages: list[ContentSource] = []
    for path in (files[name] for name in sorted(files)):
        if path.name.lower() == "readme.md":
            continue
        shown = display_path(path)
        if languages is not None and path.stem in languages[1:]:
            errors.append(
                InputError(
                    shown,
                    1,
                    None,
                    f"'/{path.stem}/' holds the site's pages in that language; rename this file",
                )
            )
            continue
        if not _SLUG.fullmatch(path.stem):
            errors.append(
                InputError(shown, 1, None, f"file name '{path.name}' must be a lowercase id plus '.md'")
            )
            continue
        if path.stem in RESERVED_STEMS:
            errors.append(
                InputError(shown, 1, None, f"'/{path.stem}/' is a page the site generates; rename this file")
            )
            continue
        try:
            parsed, body = parse_front_matter(path, path.parent)
        except FileProblem as problem:
            errors.append(problem.error)
            continue
        errors += duplicate_key_errors(parsed)
        front, model_errors = validate_model(ContentFrontMatter, parsed.document.data, parsed)
        errors += model_errors
        if front is not None:
            pages.append(ContentSource(path.stem, front.title, front.description, body))
    by_stem = {page.stem: page for page in pages}
    for name in sorted(translation_files):
        path = translation_files[name]
        bundled = path.parent.resolve() == CONTENT_DIR.resolve()
        if bundled and languages is not None and path.stem.partition(".")[2] not in languages[1:]:
            continue  # the bundled pages come in every language credsite speaks; a site takes its own
        errors += _load_translation(path, by_stem, languages)
    if errors:
        raise CatalogInvalid(errors)
    return pages


def _load_translation(
    path: Path, pages: dict[str, ContentSource], languages: tuple[str, ...] | None
) -> list[InputError]:
    """Read ``<page>.<lang>.md`` into the translations of its page; its errors."""
    shown = display_path(path)
    stem, _, language = path.stem.partition(".")
    if not _SLUG.fullmatch(stem) or not _LANGUAGE.fullmatch(language):
        message = (
            f"file name '{path.name}' must be a lowercase id plus '.md', "
            "or plus a language code for a translation (like 'about.es.md')"
        )
        return [InputError(shown, 1, None, message)]
    if languages is not None and language == languages[0]:
        message = f"'{language}' is the default language, whose page is {stem}.md; a translation is for another language"
        return [InputError(shown, 1, None, message)]
    if languages is not None and language not in languages:
        message = (
            f"'{language}' is not one of the site's languages ({', '.join(languages)}): "
            "add it to languages in catalog/site.yml, or rename the file"
        )
        return [InputError(shown, 1, None, message)]
    if stem not in pages:
        return [
            InputError(shown, 1, None, f"a translation of '{stem}', but there is no content page {stem}.md")
        ]
    try:
        parsed, body = parse_front_matter(path, path.parent)
    except FileProblem as problem:
        return [problem.error]
    errors = duplicate_key_errors(parsed)
    front, model_errors = validate_model(ContentFrontMatter, parsed.document.data, parsed)
    errors += model_errors
    if front is not None and not errors:
        pages[stem].translations[language] = ContentSource(stem, front.title, front.description, body)
    return errors
