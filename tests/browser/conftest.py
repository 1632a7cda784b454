"""Browser tests: the built sample site in Debian's Chromium, driven by Playwright's sync API.

The bundled sample is built once per session into a temporary folder and served on
127.0.0.1 by an http.server thread, with the strict Content-Security-Policy the site is
meant to run under. Without /usr/bin/chromium or Playwright the tests are skipped with the
reason, except under CI=true, where a missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from catalog_factory import copy_sample

from site_builder.build import build
from site_builder.catalog import Catalog, load_catalog
from site_builder.paths import PROJECT_ROOT, SAMPLE_CATALOG

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _netlify_policy() -> str:
    """The Content-Security-Policy that netlify.toml ships, read from the file itself, so
    the tests prove that the policy actually deployed is one every page satisfies."""
    config = tomllib.loads((PROJECT_ROOT / "netlify.toml").read_text(encoding="utf-8"))
    for rule in config["headers"]:
        if rule["for"] == "/*":
            # upgrade-insecure-requests would send the local http test server to https
            directives = rule["values"]["Content-Security-Policy"].split(";")
            return ";".join(d for d in directives if d.strip() != "upgrade-insecure-requests")
    raise AssertionError("netlify.toml has no Content-Security-Policy for /*")


#: the policy the site is served with: no inline script or style anywhere
CONTENT_SECURITY_POLICY = _netlify_policy()


def browser_unavailable(reason: str) -> None:
    """Skip locally; fail under CI=true, where the browser tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so the browser tests must run, not be skipped", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Site:
    """The built sample site, its catalog, and the address it is served at."""

    root: Path
    base_url: str
    catalog: Catalog

    def url(self, path: str) -> str:
        return self.base_url + path


class Handler(SimpleHTTPRequestHandler):
    """Static files with the site's Content-Security-Policy; no request log on stderr."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


#: where the undocumented copy of the sample is served
UNDOCUMENTED = "/undocumented/"


def undocumented_sample(folder: Path) -> Path:
    """The sample catalog with some facts of a few credentials and an issuer left out."""
    catalog = folder / "catalog"
    copy_sample(catalog, ignore=shutil.ignore_patterns(".credsite-cache"))
    # the English files (a translation, <id>.es.md, has none of these facts)
    for path in [path for path in sorted((catalog / "credentials").glob("*.md")) if "." not in path.stem][:5]:
        lines = path.read_text(encoding="utf-8").splitlines(True)
        kept = [
            line for line in lines if line.split(":")[0] not in {"assessment", "portability", "occupations"}
        ]
        path.write_text("".join(kept), encoding="utf-8")
    issuer = sorted((catalog / "issuers").glob("*.yml"))[0]
    lines = issuer.read_text(encoding="utf-8").splitlines(True)
    issuer.write_text("".join(line for line in lines if not line.startswith("url:")), encoding="utf-8")
    return catalog


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # the browser is checked first, so that a machine without one skips before building
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        browser_unavailable("Playwright is not installed (pip install -e '.[test]')")
    root = tmp_path_factory.mktemp("browser") / "public"
    build(SAMPLE_CATALOG, root)
    # the sample is fully documented: a copy with facts left out (SPEC 8) is built beside it,
    # under /undocumented/, for the pages that show missing facts (they share the assets)
    build(undocumented_sample(tmp_path_factory.mktemp("undocumented")), root / UNDOCUMENTED.strip("/"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, f"http://127.0.0.1:{server.server_address[1]}", load_catalog(SAMPLE_CATALOG))
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            browser_unavailable(f"{CHROMIUM} did not start: {error.message.splitlines()[0]}")
        yield chromium
        chromium.close()


#: a small phone's screen: the narrowest the pages are made for (WCAG 1.4.10, reflow)
PHONE = {"width": 320, "height": 640}


def checked_page(browser: Any, **options: Any) -> Iterator[Any]:
    """A fresh page in a context of its own (``options``: Playwright's context options);
    console errors, the strict Content-Security-Policy's violations among them, fail the test."""
    context = browser.new_context(**options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"errors in the browser console: {errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page with JavaScript on, on a desktop screen."""
    yield from checked_page(browser)


@pytest.fixture
def no_js_page(browser: Any) -> Iterator[Any]:
    """A fresh page with JavaScript off (a school computer that blocks scripts)."""
    yield from checked_page(browser, java_script_enabled=False)


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh page with JavaScript on, 320px wide."""
    yield from checked_page(browser, viewport=PHONE)


@pytest.fixture
def phone_no_js_page(browser: Any) -> Iterator[Any]:
    """A fresh page with JavaScript off, 320px wide."""
    yield from checked_page(browser, viewport=PHONE, java_script_enabled=False)
