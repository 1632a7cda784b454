"""``credsite serve``: build, serve on localhost, rebuild on every edit, reload the browser.

The site is built into a private temporary folder (``public/`` is left alone). A watcher
polls catalog/, templates/ and content/ for changed file contents; each change triggers a
rebuild. A broken edit does not stop the server: every page then shows the errors, and
the next good edit brings the site back. Open pages reload themselves after a rebuild:
the server adds one same-origin script to HTML responses (only here, never to the
built files), which asks for the build number every second.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from site_builder.build import build
from site_builder.errors import CatalogInvalid
from site_builder.paths import CONTENT_DIR, TEMPLATES_DIR, content_dirs_for
from site_builder.rules.disclosure import DisclosureRisk

RELOAD_PATH = "/__credsite/reload.js"
VERSION_PATH = "/__credsite/version"
RELOAD_SCRIPT = f"""\
// credsite serve: reload this page when the site has been rebuilt.
(function () {{
  var seen = null;
  function check() {{
    fetch("{VERSION_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (v) {{
      if (seen !== null && v !== seen) {{ location.reload(); }}
      seen = v;
    }}).catch(function () {{}}).finally(function () {{ setTimeout(check, 1000); }});
  }}
  check();
}})();
"""


@dataclass
class LiveSite:
    """What the server shows: the latest good build, or the errors of the latest edit."""

    out_dir: Path
    version: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def watched_files(folders: Iterable[Path]) -> dict[Path, str]:
    """Every file under ``folders`` with a hash of its contents (never timestamps)."""
    fingerprints = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not any(part.startswith(".") for part in path.parts[-3:]):
                    try:
                        fingerprints[path] = hashlib.sha256(path.read_bytes()).hexdigest()
                    except OSError:
                        continue
    return fingerprints


def rebuild(catalog_dir: Path, live: LiveSite, progress: Callable[[str], None]) -> None:
    """Build into the live folder; on failure keep serving, with the errors on every page."""
    try:
        build(catalog_dir, live.out_dir, progress)
        errors: list[str] = []
    except CatalogInvalid as invalid:
        errors = [str(error) for error in invalid.errors]
    except DisclosureRisk as risk:
        errors = [str(risk)]
    with live.lock:
        live.errors = errors
        live.version += 1
    progress(f"{'errors: ' + str(len(errors)) if errors else 'site rebuilt'} (version {live.version})")


def error_page(errors: list[str]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in errors)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
        f'<script src="{RELOAD_PATH}" defer></script></head><body><main>'
        f"<h1>The catalog has {len(errors)} error{'s' if len(errors) != 1 else ''}</h1>"
        "<p>Fix them and save: this page reloads by itself.</p>"
        f"<ul>{items}</ul></main></body></html>"
    ).encode()


def make_handler(live: LiveSite) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(live.out_dir), **kwargs)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with live.lock:
                version, errors = live.version, list(live.errors)
            if path == VERSION_PATH:
                return self._send(str(version).encode(), "text/plain")
            if path == RELOAD_PATH:
                return self._send(RELOAD_SCRIPT.encode(), "text/javascript")
            if errors and (path.endswith("/") or path.endswith(".html")):
                return self._send(
                    error_page(errors), "text/html; charset=utf-8", HTTPStatus.INTERNAL_SERVER_ERROR
                )
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                page = target.read_bytes().replace(
                    b"</head>", f'<script src="{RELOAD_PATH}" defer></script></head>'.encode(), 1
                )
                return self._send(page, "text/html; charset=utf-8")
            return super().do_GET()

        def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class Server:
    """A running ``credsite serve``; ``stop()`` ends it (the CLI waits for Ctrl-C)."""

    def __init__(self, catalog_dir: Path, port: int, progress: Callable[[str], None], interval: float = 0.5):
        self.catalog_dir = catalog_dir
        self.interval = interval
        self.progress = progress
        self.live = LiveSite(Path(tempfile.mkdtemp(prefix="credsite-serve-")) / "site")
        self.folders = [catalog_dir, TEMPLATES_DIR, CONTENT_DIR, *content_dirs_for(catalog_dir)]
        self.stopped = threading.Event()
        self.seen = watched_files(self.folders)
        rebuild(catalog_dir, self.live, progress)
        self.http = ThreadingHTTPServer(("127.0.0.1", port), make_handler(self.live))
        self.port = self.http.server_address[1]
        self.threads = [
            threading.Thread(target=self.http.serve_forever, daemon=True),
            threading.Thread(target=self._watch, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _watch(self) -> None:
        while not self.stopped.wait(self.interval):
            current = watched_files(self.folders)
            if current != self.seen:
                self.seen = current
                rebuild(self.catalog_dir, self.live, self.progress)

    def stop(self) -> None:
        self.stopped.set()
        self.http.shutdown()
        self.http.server_close()
        shutil.rmtree(self.live.out_dir.parent, ignore_errors=True)
