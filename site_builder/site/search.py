"""Site search: the /search/ page and the Pagefind index of every page written before it.

The index is two Pagefind bundles: ``/pagefind/`` for the catalog's pages, and inside it
``/pagefind/reports/`` for the report pages (``REPORTS_BUNDLE``), which search.js merges
into every search. The report pages' bundle is indexed beside the main one, on the other
core, and is cached with the pages (``site_builder.cache.PagesCache``): a credential's
edit re-indexes 1,600 pages of a state's site, not 5,600.

The index is built at build time by the ``pagefind`` Python package and its bundled binary
(no network). What is searchable and how is decided in the templates, with Pagefind's
attributes: only ``<main>`` is read; credential pages carry the filters and metadata and give
the credential's name the highest weight; noisy parts (big data tables, diagrams that repeat
a list, the quality criteria that restate the facts of a credential page, the words every
credential page says alike, the lists of credentials) are marked ``data-pagefind-ignore``.
Pages kept out of search engines (the 404 page, this search page) are kept out of the index
too.

Two facts about Pagefind 1.5 shape this module (both checked by tests/test_search.py):

- Pagefind numbers pages in the order it receives them, and the index files encode those
  numbers. ``add_directory`` walks the folder in the filesystem's listing order (hash order
  on ext4, creation order on tmpfs), so the same site indexed on two machines gave different
  bytes. Pages are therefore fed one by one, sorted by URL.
- Pagefind writes each filter's values, and the list of filters in its meta file (and the
  languages of its entry file, ``sorted_languages``), in the order of a Rust hash map seeded
  anew in every run, so ``/pagefind/filter/`` and the meta
  file differed from build to build (its own source says "TODO: Change filter indexes to
  BTree to give them a stable hash"). ``sorted_filters`` rewrites those few files in sorted
  order; the search itself reads them the same either way.
- Pagefind reads and parses every byte it is sent, also outside ``<main>`` and inside
  ``data-pagefind-ignore``, and handles one message at a time. A state's school pages are
  96% ignored tables, so ``indexed_html`` drops what Pagefind would skip before sending
  (the index is byte for byte the same; a test compares), and pages are sent a few dozen
  ahead of the answers.
- Pagefind writes its files with asynchronous writes that it does not flush before answering,
  so stopping the service right after ``write_files`` sometimes left a file cut short (seen:
  ``pagefind.js`` at 32768 bytes, an empty ``pagefind-component-ui.js``). The files are
  fetched with ``get_files`` instead and written here, whole and in sorted order.

The package's stock service reader waits 0.1 s before each response (ten pages a second) and
reads a response into a 2 MiB buffer, too small for ``get_files``; ``_PromptService``
replaces only that reader.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment
from pagefind.index import IndexConfig, PagefindIndex
from pagefind.service import PagefindService

from site_builder.phrases import N_
from site_builder.site.i18n import _, active_language, url
from site_builder.site.pages import Page
from site_builder.site.writer import inside, output_file, write_text

SEARCH_PAGE = Page(
    path="/search/",
    template="search.html",
    title=N_("Search"),
    description=N_("Search the credentials, career fields, pathways and schools, with filters."),
    # a results page is not a page for search engines, nor for the site's own index
    indexable=False,
)

#: what Pagefind reads of each page; see the module docstring for the rest
INDEX_CONFIG = IndexConfig(
    root_selector="main",
    force_language="en",
    # keep "A+", "Network+" whole, so that "CompTIA A+" is not a search for every word
    # starting with "a"
    include_characters="+",
)
#: the same for a site of several languages (SPEC 10): Pagefind makes one index per language,
#: from each page's ``<html lang>``, and pagefind.js searches the one of the page it runs on
#: (/es/search/ the Spanish pages)
LANGUAGES_INDEX_CONFIG = IndexConfig(root_selector="main", include_characters="+")

#: base.html marks pages that are not indexable (canonical_url is None) with this tag
NOINDEX_TAG = '<meta name="robots" content="noindex">'

OUTPUT_FOLDER = "pagefind"

#: the report pages' own bundle, inside OUTPUT_FOLDER (Pagefind names none of its own files
#: so). The school pages seldom change when a credential does, so their bundle is cached
#: with them (site_builder.cache.PagesCache); search.js merges it into every search.
REPORTS_BUNDLE = "reports"
REPORTS_BUNDLE_URL = f"/{OUTPUT_FOLDER}/{REPORTS_BUNDLE}/"

#: pages sent to Pagefind ahead of its answers (it answers in order, one at a time)
SEND_AHEAD = 32

#: an element marked data-pagefind-ignore, up to the end of its opening tag
IGNORED_ELEMENT = re.compile(r"<([a-z][a-z0-9-]*)\b[^>]*\sdata-pagefind-ignore\b[^>]*>")

T = TypeVar("T")


def write_search_page(env: Environment, out: Path, merged: bool = False) -> None:
    """The /search/ page itself (its results come from the index, built last), in the active
    language; ``merged``: it also searches the report pages' bundle."""
    page = replace(
        SEARCH_PAGE,
        path=url(SEARCH_PAGE.path),
        title=_(SEARCH_PAGE.title),
        description=_(SEARCH_PAGE.description),
        language=active_language(),
    )
    html = env.get_template(page.template).render(
        page=page, canonical_url=None, merged_bundles=[REPORTS_BUNDLE_URL] if merged else []
    )
    write_text(output_file(out, page.path), html)


def index_search(
    out: Path, pages: list[tuple[str, str]] | None = None, reports: list[tuple[str, str]] | None = None
) -> int:
    """Index every page in ``out`` into ``out/pagefind/``; the number of pages indexed.

    Call it last: it indexes what is already written, or ``pages``, the (URL,
    ``indexed_html``) of those pages as ``render_site`` hands them over (the same, without
    reading 340 MB back at state size). ``reports``, the report pages, go into their own
    bundle in ``out/pagefind/reports/`` (``REPORTS_BUNDLE``), indexed at the same time;
    ``pages`` then holds every other page (read back, ``pages`` None, holds them all).
    A site of several languages (its pages' ``<html lang>``) gets an index per language in
    each bundle (``LANGUAGES_INDEX_CONFIG``).
    """
    pages = searchable_pages(out) if pages is None else sorted(pages)
    bundles = {OUTPUT_FOLDER: pages}
    if reports is not None:
        bundles[f"{OUTPUT_FOLDER}/{REPORTS_BUNDLE}"] = sorted(reports)
    languages = {page_language(html) for bundle in bundles.values() for _, html in bundle}
    config = INDEX_CONFIG if len(languages) < 2 else LANGUAGES_INDEX_CONFIG
    written = run_coroutine(_all_files(list(bundles.values()), config))
    for folder, files in zip(bundles, written, strict=True):
        for relative, content in sorted(files.items()):
            target = inside(out, f"{folder}/{relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return sum(len(bundle) for bundle in bundles.values())


async def _all_files(
    bundles: list[list[tuple[str, str]]], config: IndexConfig = INDEX_CONFIG
) -> list[dict[str, bytes]]:
    """Each bundle's files, by Pagefind services running side by side."""
    return list(await asyncio.gather(*(pagefind_files(pages, config) for pages in bundles)))


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end, also when the caller already runs an event loop (a
    notebook, or Playwright's sync API in the browser tests), which asyncio.run refuses."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


_HTML_LANG = re.compile(r'<html lang="([^"]*)"')


def page_language(html: str) -> str | None:
    """The ``<html lang>`` of a page, which Pagefind files it under."""
    found = _HTML_LANG.search(html, 0, 400)
    return found.group(1) if found else None


def searchable_pages(out: Path) -> list[tuple[str, str]]:
    """(URL, HTML) of every indexable page, sorted by URL so the index is the same every time."""
    pages = []
    for file in out.rglob("*.html"):
        relative = file.relative_to(out).as_posix()
        if relative.split("/", 1)[0] == OUTPUT_FOLDER:
            continue
        html = file.read_text(encoding="utf-8")
        if NOINDEX_TAG in html:
            continue
        url = "/" + (relative.removesuffix("index.html") if relative.endswith("index.html") else relative)
        pages.append((url, indexed_html(html)))
    return sorted(pages)


def indexed_html(html: str) -> str:
    """What Pagefind indexes of ``html``, and nothing it would read only to skip: the head,
    ``<main>`` (``INDEX_CONFIG.root_selector``; the site's header and footer go) and in it,
    the tags but not the contents of ``data-pagefind-ignore`` elements.

    An ignored element's tags stay (empty), so the text around it is split the same way;
    one that holds a filter, metadata or sort attribute, which Pagefind reads even there, is
    kept whole. The templates escape every ``<`` of text and scripts, so tags are all that
    ``<`` can start.
    """
    body, main, end = html.find("<body"), html.find("<main"), html.find("</main>")
    if -1 < body < main < end:
        html = html[: html.index(">", body) + 1] + html[main : end + len("</main>")] + "</body></html>"
    kept: list[str] = []
    done = searched = 0
    while element := IGNORED_ELEMENT.search(html, searched):
        searched = element.end()
        closing = _closing_tag(html, element.group(1), element.end())
        if closing is None:
            continue  # an element without contents
        inner = html[element.end() : closing]
        if "data-pagefind-" not in inner:
            kept.append(html[done : element.end()])
            done = searched = closing
    kept.append(html[done:])
    return "".join(kept)


def _closing_tag(html: str, name: str, start: int) -> int | None:
    """Where the ``name`` element opened just before ``start`` closes (None: it does not)."""
    depth = 1
    for tag in re.compile(rf"<(/?){name}[\s>]").finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.start()
    return None


async def pagefind_files(
    pages: list[tuple[str, str]], config: IndexConfig = INDEX_CONFIG
) -> dict[str, bytes]:
    """Index ``pages`` in the given order; the bundle's files by their path inside /pagefind/."""
    service = await _PromptService().launch()
    try:
        index: PagefindIndex = await service.create_index(config)
        # Each send writes its whole message before its first pause, so tasks started in
        # order reach Pagefind in order, and it numbers the pages in that order.
        sent: list[asyncio.Task] = []
        for url, html in pages:
            sent.append(asyncio.ensure_future(index.add_html_file(content=html, url=url)))
            if len(sent) == SEND_AHEAD:
                await asyncio.gather(*sent)
                sent = []
        await asyncio.gather(*sent)
        files = await index.get_files()
    finally:
        await service.close()
    return sorted_filters({bundle_path(str(file["path"])): file["content"] for file in files})


def bundle_path(path: str) -> str:
    """'pagefind/fragment/en_1.pf_fragment' or 'fragment/en_1.pf_fragment' -> 'fragment/...'."""
    parts = Path(path).parts
    if OUTPUT_FOLDER in parts:
        parts = parts[parts.index(OUTPUT_FOLDER) + 1 :]
    return "/".join(parts)


class _PromptService(PagefindService):
    """The package's service, with a reader that answers each response as soon as it arrives.

    Messages on the service's stdout are base64 (never a comma), each followed by a comma.
    """

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        buffer = bytearray()
        while chunk := await stdout.read(1 << 16):
            buffer += chunk
            while (end := buffer.find(b",")) != -1:
                message = bytes(buffer[:end])
                del buffer[: end + 1]
                self._answer(json.loads(base64.b64decode(message)))
        for future in self._responses.values():
            if not future.done():
                future.set_exception(RuntimeError("the pagefind service stopped unexpectedly"))

    def _answer(self, response: dict | None) -> None:
        if response is None:
            return
        message_id = response.get("message_id")
        payload = response["payload"]
        if message_id is None and payload.get("original_message"):
            # a message the service could not parse comes back with the original attached
            message_id = json.loads(payload["original_message"]).get("message_id")
        future = self._responses.get(message_id) if message_id is not None else None
        if future is None or future.done():
            return
        if payload["type"] == "Error":
            future.set_exception(RuntimeError(f"pagefind: {payload['message']}"))
        else:
            future.set_result(payload)


# --- stable filter files -------------------------------------------------------------------
# Pagefind's data files are gzipped CBOR after a signature. A filter file is
# [filter, [[value, [page numbers]], ...]]; the meta file is [version, pages, word chunks,
# [[filter, file hash], ...], sorts, meta fields].

SIGNATURE = b"pagefind_dcd"
META_FILTERS = 3


def sorted_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with filter values and filters in sorted order, renamed by their contents
    (each language's index has a meta file and filters of its own)."""
    for meta_name in sorted(name for name in files if name.endswith(".pf_meta")):
        files = _sorted_filters_of(files, meta_name)
    return sorted_languages(files)


def sorted_languages(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with the languages of its entry file in sorted order: Pagefind lists them in
    the order of a hash map seeded anew in every run. A bundle of one language is left as it is."""
    entry = json.loads(files["pagefind-entry.json"])
    if len(entry.get("languages", {})) < 2:
        return files
    entry["languages"] = dict(sorted(entry["languages"].items()))
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return {**files, "pagefind-entry.json": text.encode()}


def _sorted_filters_of(files: dict[str, bytes], meta_name: str) -> dict[str, bytes]:
    """``sorted_filters`` for the index of one language, whose meta file is ``meta_name``."""
    files = dict(files)
    old_hash = meta_name.removeprefix("pagefind.").removesuffix(".pf_meta")
    language = old_hash.rsplit("_", 1)[0]
    meta = unpack(files.pop(meta_name))
    filters = []
    for name, file_hash in meta[META_FILTERS]:
        filter_name, values = unpack(files.pop(f"filter/{file_hash}.pf_filter"))
        data = cbor_encode([filter_name, sorted(values, key=lambda value: value[0])])
        new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
        files[f"filter/{new_hash}.pf_filter"] = pack(data)
        filters.append([name, new_hash])
    meta[META_FILTERS] = sorted(filters)
    data = cbor_encode(meta)
    new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
    files[f"pagefind.{new_hash}.pf_meta"] = pack(data)
    entry = files["pagefind-entry.json"].decode()
    files["pagefind-entry.json"] = entry.replace(f'"{old_hash}"', f'"{new_hash}"').encode()
    return files


def unpack(content: bytes) -> list:
    data = gzip.decompress(content)
    if not data.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    data = data[len(SIGNATURE) :]
    value, end = cbor_decode(data, 0)
    if end != len(data) or cbor_encode(value) != data:
        raise ValueError("Pagefind's data format is not the one this module knows")
    return value


def pack(data: bytes) -> bytes:
    # mtime=0: no timestamp in the gzip header
    return gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)


def cbor_decode(data: bytes, at: int) -> tuple:
    """The CBOR subset Pagefind writes: integers, strings, byte strings, arrays, maps."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR item {data[at - 1]:#x}")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 2:
        return data[at : at + argument], at + argument
    if major == 3:
        return data[at : at + argument].decode(), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = cbor_decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(argument):
            key, at = cbor_decode(data, at)
            mapping[key], at = cbor_decode(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR item {data[at - 1]:#x}")


def cbor_encode(value: object) -> bytes:
    """Shortest-form CBOR, as Pagefind (minicbor) writes it."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"unsupported value {value!r}")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode()
        return _cbor_head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(cbor_encode(item) for item in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(
            cbor_encode(key) + cbor_encode(item) for key, item in value.items()
        )
    raise TypeError(f"unsupported value {value!r}")


def _cbor_head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError(f"integer too large for CBOR: {argument}")
