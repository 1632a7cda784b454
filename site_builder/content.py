"""`content/*.md`: the site's prose pages (about, how points work, ...), read and checked.

Content pages are read with the catalog's own front-matter reader, so a broken page is
reported as ``path:line: message`` by ``credsite validate`` like any catalog file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog.models import SLUG_PATTERN, Text, _Strict
from site_builder.catalog.sources import FileProblem, duplicate_key_errors, parse_front_matter, validate_model
from site_builder.errors import CatalogInvalid, InputError, display_path
from site_builder.inputs import LINK_MESSAGE

#: first path segments the site generates itself; a content page may not take them
RESERVED_STEMS = frozenset(
    {"credentials", "career-fields", "pathways", "schools", "reports", "reimbursement",
     "changes", "search", "data", "static", "index", "404", "sitemap", "robots", "contribute"}
)  # fmt: skip

_SLUG = re.compile(SLUG_PATTERN)


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


def load_content(content_dirs: Path | list[Path]) -> list[ContentSource]:
    """Every page of the folders sorted by name, a later folder's page replacing an
    earlier one of the same name; CatalogInvalid with all errors."""
    if isinstance(content_dirs, Path):
        content_dirs = [content_dirs]
    errors: list[InputError] = [
        InputError(display_path(folder), 1, None, LINK_MESSAGE)
        for folder in content_dirs
        if folder.is_symlink()
    ]
    files = {
        path.name: path
        for folder in content_dirs
        if not folder.is_symlink()
        for path in sorted(folder.glob("*.md"))
    }
    pages: list[ContentSource] = []
    for path in (files[name] for name in sorted(files)):
        if path.name.lower() == "readme.md":
            continue
        shown = display_path(path)
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
    if errors:
        raise CatalogInvalid(errors)
    return pages
