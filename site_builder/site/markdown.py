"""Markdown to HTML for credential bodies and content pages: raw HTML is never passed through."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# "html": False escapes raw HTML; markdown-it's validateLink already refuses javascript:,
# vbscript:, file: and data: (except images) links, which then stay as plain text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str, top_heading: int = 2) -> Markup:
    """Safe HTML for ``text``; the result may be inserted into a template unescaped.

    The text's biggest heading becomes ``<h{top_heading}>`` and the others follow it:
    the page owns its single ``<h1>``, and levels stay in order under the enclosing section.
    """
    tokens = _MARKDOWN.parse(text)
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_heading - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))
