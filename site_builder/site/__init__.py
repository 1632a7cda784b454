"""Rendering: page contexts, the Jinja environment, writers.

``render_site`` reads as the list of what the site is made of: the report pages (drawn, or
copied from an earlier build), the open data under /data/ and the page listing it, the
catalog and content pages, static assets, then the sitemap and robots.txt that describe
them, and last the search page (the index follows, in ``search.index_search``).

Every page is drawn in each of the site's languages (SPEC 10): the default one at the usual
paths, each other under ``/<lang>/`` (``pages_in``), from the catalog with its texts in that
language (``Catalog.in_language``) and with that language's Jinja environment. The files of
/data/, the feed, the assets and the search index are written once, for all languages.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields, replace
from functools import partial
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from site_builder.cache import PagesCache
from site_builder.catalog import Catalog
from site_builder.catalog.translations import Untranslated
from site_builder.content import ContentSource
from site_builder.content import in_language as content_in_language
from site_builder.derive import Derived
from site_builder.paths import STATIC_DIR, TEMPLATES_DIR
from site_builder.phrases import N_
from site_builder.site import i18n
from site_builder.site.changes import FEED_PATH, change_entries, changes_feed
from site_builder.site.downloads import download_resources
from site_builder.site.environment import SharedTemplates, make_environment
from site_builder.site.i18n import _, in_language, path_in, url
from site_builder.site.opendata import data_page_of, write_open_data
from site_builder.site.pages import Page, PageSource, all_pages, canonical
from site_builder.site.report_pages import CatalogNames, all_report_pages, report_url
from site_builder.site.search import OUTPUT_FOLDER, REPORTS_BUNDLE, indexed_html, write_search_page
from site_builder.site.writer import copy_static, fingerprinted_assets, output_file, robots_txt, write_text

if TYPE_CHECKING:
    from site_builder.history import BuildInfo
    from site_builder.reports import Reports
    from site_builder.reports.model import Statewide

NAVIGATION = (
    ("/credentials/", N_("Credentials")),
    ("/career-fields/", N_("Career fields")),
    ("/pathways/", N_("Pathways")),
    ("/about/", N_("About")),
    ("/how-points-work/", N_("How points work")),
    ("/methodology/", N_("Quality ratings")),
)


def navigation(statewide: Statewide | None) -> tuple[tuple[str, str], ...]:
    """The main menu, in the active language; the school and report pages are listed only
    when they exist."""
    menu = NAVIGATION
    if statewide is not None and statewide.years:
        reports_link = (report_url(max(statewide.years)), N_("Reports"))
        menu = (*NAVIGATION[:3], ("/schools/", N_("Schools")), reports_link, *NAVIGATION[3:])
    return tuple((url(path), _(label)) for path, label in menu)


@dataclass(frozen=True)
class ReportFiles:
    """The report pages and outcome downloads just drawn, to keep in the pages cache once
    their search bundle is written too (``keep_report_files``)."""

    key: str
    files: list[Path]
    #: ``page_fields`` of each report page, for the sitemap of a build that copies them
    pages: list[dict]


@dataclass(frozen=True)
class Rendered:
    """What the index needs of the pages written, and what to cache after it."""

    #: (URL, what the index reads) of every page of the main bundle
    searched: list[tuple[str, str]]
    #: the same for the report pages, which have a bundle of their own; None when there are
    #: none, or their bundle was copied from an earlier build with them
    reports_searched: list[tuple[str, str]] | None = None
    #: report pages copied from an earlier build that are in its search bundle
    reused_in_index: int = 0
    to_keep: ReportFiles | None = None


def render_site(
    catalog: Catalog,
    statewide: Statewide | None,
    reports: Callable[[], Reports] | None,
    content: list[ContentSource],
    derived: Derived,
    info: BuildInfo,
    out: Path,
    cached: PagesCache | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> Rendered:
    """Write every page and asset of the site into the empty folder ``out``; what
    ``search.index_search`` indexes.

    ``statewide`` is what the catalog's own pages show of the protected outcome reports, and
    ``reports`` gives the reports themselves (both None without outcome data): the school,
    report and reimbursement pages and the outcome downloads are drawn from them alone, with
    the catalog's names (``CatalogNames``). ``reports`` is called only when those must be
    drawn. With ``cached``, those files and their search
    bundle come from an earlier build whose inputs were the same (``PagesCache``), or are
    kept for the next (``keep_report_files``, after the index).
    """
    languages = catalog.languages
    i18n.configure(languages)
    default = languages[0]
    assets = fingerprinted_assets(STATIC_DIR)
    catalogs = {language: catalog.in_language(language) for language in languages}
    envs: dict[str, Environment] = {}
    compiled = SharedTemplates() if len(languages) > 1 else None
    settings: dict[str, dict] = {}
    names: dict[str, CatalogNames] = {}
    for language in languages:
        with in_language(language):
            env = envs[language] = make_environment(TEMPLATES_DIR, language, compiled)
            env.globals["asset"] = assets.__getitem__
            settings[language] = {
                "site": catalogs[language].site,
                "built_on": info.built_on,
                "navigation": navigation(statewide),
                # a catalog with its own content/ folder may not have the privacy page
                "privacy_url": url("/privacy/") if any(page.stem == "privacy" for page in content) else None,
            }
            env.globals.update(settings[language])
            env.globals.update(language_globals(catalog, language))
            names[language] = CatalogNames.of(catalogs[language])
    reported: list[PageSource] = []
    key = found = drawn_from = None
    if statewide is not None and reports is not None:
        if cached is not None:
            key = cached.key(
                marked_texts(
                    [pages_inputs(names[language], settings[language], assets) for language in languages]
                )
            )
            found = cached.find(key, out)
        if found is None:
            drawn_from = reports()
            for language in languages:
                reported += pages_in(language, partial(all_report_pages, names[language], drawn_from))
        else:
            progress(
                f"reused {len(found)} report pages, their search index and the outcome downloads of an earlier build"
            )
    # open data: every file under /data/ is written first; the /data/ page lists them with
    # their sizes. The costliest page to make, so it goes first.
    open_data = partial(
        write_open_data,
        catalog,
        derived,
        statewide,
        out / "data",
        downloads=drawn_from,
        built_at=info.built_at,
    )
    pages = [
        *pages_in(default, lambda: [open_data]),
        *reported,
        *(
            source
            for language in languages
            for source in pages_in(
                language,
                partial(
                    all_pages,
                    catalogs[language],
                    derived,
                    content_in_language(content, language, default),
                    statewide,
                    info.history,
                ),
            )
        ),
    ]
    rendered = render_pages(envs, catalog, pages, out)
    # render_pages keeps the order: the report pages are the ones after the open data
    drawn, written = rendered[1 : 1 + len(reported)], rendered[:1] + rendered[1 + len(reported) :]
    # the /data/ page in the other languages lists the files just written, as the first did
    data_pages = [
        source
        for language in languages[1:]
        for source in pages_in(language, partial(_data_pages, catalogs[language], statewide, out / "data"))
    ]
    if data_pages:
        written += render_pages(envs, catalog, data_pages, out)
    copied = [Page(**stored) for stored in found or []]
    # the Atom feed of /changes/, from the same git history as the page
    feed = changes_feed(catalog, change_entries(catalog, info.history), info.built_on)
    write_text(output_file(out, FEED_PATH), feed)
    copy_static(STATIC_DIR, out / "static", assets)
    every = [page for page, _ in written + drawn] + copied
    paths = sorted({page.path for page in every if page.indexable}, key=lambda path: canonical(catalog, path))
    urls = [canonical(catalog, path) for path in paths]
    # each address with its twins in every language (none when the site has one)
    alternates = {
        canonical(catalog, path): [
            (language, canonical(catalog, path_in(path, language))) for language in languages
        ]
        for path in paths
        if len(languages) > 1
    }
    sitemap = envs[default].get_template("sitemap.xml").render(urls=urls, twins=alternates)
    write_text(out / "sitemap.xml", sitemap)
    write_text(out / "robots.txt", robots_txt(catalog.site.base_url))
    # last, so that it indexes every page above: the /search/ page and the Pagefind index
    for language in languages:
        with in_language(language):
            write_search_page(envs[language], out, merged=found is not None or drawn_from is not None)
    to_keep = None
    if key is not None and found is None:
        downloads = [out / "data" / resource["path"] for resource in download_resources(statewide)]
        files = [output_file(out, page.path) for page, _ in drawn] + downloads
        to_keep = ReportFiles(key, files, [page_fields(page) for page, _ in drawn])
    return Rendered(
        searched=searched_pages(written),
        reports_searched=searched_pages(drawn) if drawn_from is not None else None,
        reused_in_index=sum(page.indexable for page in copied),
        to_keep=to_keep,
    )


def pages_in(language: str, make: Callable[[], list[PageSource]]) -> list[PageSource]:
    """The pages ``make`` makes, in ``language``: made with it active (``i18n.in_language``),
    now or by the renderer that writes a page made there, and each at its path in that
    language. A file drawn like a page (a stylesheet) is the same for every language: only
    the default language's is kept."""
    with in_language(language):
        sources = make()
        return [
            _localized(source) if isinstance(source, Page) else partial(_made_in, language, source)
            for source in sources
            if not isinstance(source, Page)
            or language == i18n.default_language()
            or i18n.is_page(source.path)
        ]


def _localized(page: Page) -> Page:
    """``page`` at its path in the active language."""
    return replace(page, path=url(page.path), language=i18n.active_language())


def _made_in(language: str, source: Callable[[], Page]) -> Page:
    with in_language(language):
        return _localized(source())


def _data_pages(catalog: Catalog, statewide: Statewide | None, data_dir: Path) -> list[PageSource]:
    return [data_page_of(catalog, statewide, data_dir)]


def language_globals(catalog: Catalog, language: str) -> dict:
    """What base.html needs to say which language a page is in and where its twins are:
    ``page_language``; ``alternates(path)``, the same page in every language (nothing when
    the site has one), for the ``hreflang`` links and the language switcher."""
    languages = catalog.languages

    def alternates(path: str) -> list[dict]:
        if len(languages) == 1:
            return []
        return [
            {
                "language": other,
                "name": i18n.language_name(other),
                "path": path_in(path, other),
                "href": canonical(catalog, path_in(path, other)),
                "current": other == language,
            }
            for other in languages
        ]

    return {"page_language": language, "alternates": alternates}


def marked_texts(value: object) -> object:
    """``value`` with every text not yet translated (``Untranslated``) told apart from a
    translation that reads the same: the pages mark the first with ``lang``."""
    if isinstance(value, Untranslated):
        return {"untranslated": value.language, "text": str(value)}
    if isinstance(value, dict):
        return {key: marked_texts(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [marked_texts(item) for item in value]
    return value


def searched_pages(written: list[Written]) -> list[tuple[str, str]]:
    return [(page.path, searched) for page, searched in written if searched is not None]


def keep_report_files(cached: PagesCache, kept: ReportFiles, out: Path) -> None:
    """Keep the report pages and downloads just drawn, with their search bundle, for the
    next build (``render_site``)."""
    bundle = sorted(path for path in (out / OUTPUT_FOLDER / REPORTS_BUNDLE).rglob("*") if path.is_file())
    cached.keep(kept.key, out, kept.files + bundle, kept.pages)


def pages_inputs(names: CatalogNames, settings: dict, assets: dict[str, str]) -> list:
    """All that the report pages and outcome downloads are drawn from, besides the reports
    and the code, as plain data: what ``PagesCache`` keys them on."""
    return [
        names.site.model_dump(mode="json"),
        # the texts of another language, each translated or not (``marked_texts``)
        [names.site.title, names.site.description, names.site.sample_notice],
        [(program.name, program.description) for program in names.site.programs],
        list(names.credentials.items()),
        list(names.career_fields.items()),
        list(names.quality.items()),
        str(settings["built_on"]),
        settings["navigation"],
        settings["privacy_url"],
        assets,
    ]


def page_fields(page: Page) -> dict:
    """A written page (its context already dropped) as plain data, for ``PagesCache``."""
    return {field.name: getattr(page, field.name) for field in fields(page) if field.name != "context"}


#: a page as written (without its context) and what the search index reads of it (None:
#: not indexed), so that the index need not read the pages back
Written = tuple[Page, str | None]

#: below this many pages one process renders them all: a second would cost more than it saves.
#: A state's rebuild that copies its report pages renders 1,600 (on two cores: render 5.3 s
#: to 4.1 s, medians of 3 alternated)
PARALLEL_PAGES = 500

#: pages a renderer takes at a time
CHUNK = 16

#: the Jinja environment of each language (``make_environment``)
Environments = dict[str, Environment]

#: what the forked renderers share with the build: set just before they fork, then cleared
_shared: tuple[Environments, Catalog, list[PageSource], Path, Synchronized] | None = None


def render_pages(envs: Environments, catalog: Catalog, pages: list[PageSource], out: Path) -> list[Written]:
    """Render and write ``pages`` (a page, or what makes it: made by the renderer that
    writes it); each page written, in the order of ``pages``, without its context, with
    what the search index reads of it.

    A large site's pages are rendered on every core: each process takes the next few pages
    until none are left, so a slower process (a forked one pays for copying what it
    touches) takes fewer. Put the costliest first.
    """
    global _shared
    processes = min(len(pages) // PARALLEL_PAGES, os.cpu_count() or 1)
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _render(envs, catalog, pages, out)
    context = multiprocessing.get_context("fork")
    # Forked, the renderers share the reports and contexts with the build instead of copying
    # them; with them the languages' settings (``i18n.configure``), set before.
    _shared = (envs, catalog, pages, out, context.Value("q", 0))
    try:
        with ProcessPoolExecutor(max_workers=processes - 1, mp_context=context) as pool:
            others = [pool.submit(_render_next) for _ in range(1, processes)]
            chunks = _render_next()
            for other in others:
                chunks += other.result()  # an error in another process is raised here
    finally:
        _shared = None
    return [page for _, chunk in sorted(chunks, key=lambda chunk: chunk[0]) for page in chunk]


def _render_next() -> list[tuple[int, list[Written]]]:
    """Render the next CHUNK pages not yet taken, until every page is; each chunk with
    where it starts in the list of pages."""
    assert _shared is not None
    envs, catalog, pages, out, taken = _shared
    chunks = []
    while True:
        with taken.get_lock():
            start = taken.value
            taken.value += CHUNK
        if start >= len(pages):
            return chunks
        chunks.append((start, _render(envs, catalog, pages[start : start + CHUNK], out)))


def _render(envs: Environments, catalog: Catalog, pages: list[PageSource], out: Path) -> list[Written]:
    """Make (in its language: ``pages_in``) and draw each page, in its language."""
    written = []
    for source in pages:
        page = source if isinstance(source, Page) else source()
        with in_language(page.language):
            html = (
                envs[page.language]
                .get_template(page.template)
                .render(
                    page=page,
                    canonical_url=canonical(catalog, page.path) if page.indexable else None,
                    **page.context,
                )
            )
        write_text(output_file(out, page.path), html)
        written.append((replace(page, context={}), indexed_html(html) if page.indexable else None))
    return written
