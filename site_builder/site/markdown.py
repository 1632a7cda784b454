"""Markdown to HTML for credential bodies and content pages: raw HTML is never passed through."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

from site_builder.catalog.translations import Untranslated
from site_builder.site.i18n import url

# "html": False escapes raw HTML; markdown-it's validateLink already refuses javascript:,
# vbscript:, file: and data: (except images) links, which then stay as plain text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str, top_heading: int = 2) -> Markup:
    """Safe HTML for ``text``; the result may be inserted into a template unescaped.

    The text's biggest heading becomes ``<h{top_heading}>`` and the others follow it:
    the page owns its single ``<h1>``, and levels stay in order under the enclosing section.
    A link to a page of the site ('/methodology/') goes to that page in the active language.
    """
    tokens = _MARKDOWN.parse(text)
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_heading - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        for child in token.children or ():
            if child.type == "link_open" and isinstance(child.attrs.get("href"), str):
                child.attrs["href"] = url(child.attrs["href"])
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def wrapped_in_language(text: str, html: Markup) -> Markup:
    """``html``, drawn from ``text``; in a ``<div lang="..">`` when ``text`` is shown on a page
    of another language for want of a translation (``Untranslated``)."""
    if isinstance(text, Untranslated) and text.strip():
        return Markup('<div lang="%s">') % text.language + html + Markup("</div>")
    return html
