"""Rendering: page contexts, the Jinja environment, writers.

``render_site`` reads as the list of what the site is made of: catalog pages, content
pages, static assets, then the sitemap and robots.txt that describe them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.catalog import Catalog
from site_builder.content import ContentSource
from site_builder.derive import Derived
from site_builder.paths import STATIC_DIR, TEMPLATES_DIR
from site_builder.site.environment import make_environment
from site_builder.site.pages import all_pages, canonical
from site_builder.site.writer import copy_static, output_file, robots_txt, write_text

if TYPE_CHECKING:
    from site_builder.build import BuildInfo
    from site_builder.outcomes import Outcomes

NAVIGATION = (
    ("/credentials/", "Credentials"),
    ("/career-fields/", "Career fields"),
    ("/pathways/", "Pathways"),
    ("/about/", "About"),
    ("/how-points-work/", "How points work"),
    ("/methodology/", "Quality ratings"),
)


def render_site(
    catalog: Catalog,
    outcomes: Outcomes | None,
    content: list[ContentSource],
    derived: Derived,
    info: BuildInfo,
    out: Path,
) -> None:
    """Write every page and asset of the site into the empty folder ``out``.

    ``outcomes`` (school reports) is accepted for the pipeline's sake and not drawn yet.
    """
    env = make_environment(TEMPLATES_DIR)
    env.globals.update(site=catalog.site, built_on=info.built_on, navigation=NAVIGATION)
    pages = all_pages(catalog, derived, content)
    for page in pages:
        html = env.get_template(page.template).render(
            page=page,
            canonical_url=canonical(catalog, page.path) if page.indexable else None,
            **page.context,
        )
        write_text(output_file(out, page.path), html)
    copy_static(STATIC_DIR, out / "static")
    urls = sorted(canonical(catalog, page.path) for page in pages if page.indexable)
    write_text(out / "sitemap.xml", env.get_template("sitemap.xml").render(urls=urls))
    write_text(out / "robots.txt", robots_txt(catalog.site.base_url))
