"""``credsite serve``: build, serve on localhost, rebuild on every edit, reload the browser.

The site is built into a private temporary folder (``public/`` is left alone). A watcher
polls catalog/, templates/ and content/ for changed file contents; each change triggers a
rebuild. A broken edit does not stop the server: every page then shows the errors, and
the next good edit brings the site back. Open pages reload themselves after a rebuild:
the server adds one same-origin script to HTML responses (only here, never to the
built files), which asks for the build number every second.

SIGTERM and SIGINT (Ctrl-C) stop the server and remove its temporary folder, also in the
middle of a build (``stopped_by_signals``).
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from site_builder.build import build
from site_builder.errors import CatalogInvalid
from site_builder.paths import CONTENT_DIR, TEMPLATES_DIR, content_dirs_for
from site_builder.protection import DisclosureRisk

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


#: the temporary folder of a server is named so (the site is built into its ``site/``)
FOLDER_PREFIX = "credsite-serve-"

#: how long ``Server.stop`` waits for a rebuild in progress to give up, at most
STOP_TIMEOUT = 30.0


class Stop(BaseException):
    """The server was asked to stop: what is being built is abandoned. A BaseException, like
    KeyboardInterrupt, so that no ``except Exception`` in the build can swallow it."""


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise ``Stop`` in this process's main thread.

    Only the first: the ones after it are ignored, so that cleaning up (``Server.stop``)
    is not cut short. A process forked meanwhile (the build's renderers) inherits the
    handler, and ends by the signal as if there were none. The handlers before the block
    come back after it.
    """
    owner = os.getpid()
    stopping = False

    def handle(signum: int, frame: object) -> None:
        nonlocal stopping
        if os.getpid() != owner:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if not stopping:
            stopping = True
            raise Stop(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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


def rebuild(
    catalog_dir: Path,
    live: LiveSite,
    progress: Callable[[str], None],
    outcomes_dir: Path | None = None,
    reports_from: Path | None = None,
) -> None:
    """Build into the live folder; on failure keep serving, with the errors on every page."""
    try:
        build(catalog_dir, live.out_dir, progress, outcomes_dir, reports_from)
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
    """A running ``credsite serve``; ``stop()`` ends it and removes its temporary folder
    (the CLI waits for SIGTERM or Ctrl-C). If the first build is stopped (``Stop``), the
    folder is removed before the exception goes on."""

    def __init__(
        self,
        catalog_dir: Path,
        port: int,
        progress: Callable[[str], None],
        interval: float = 0.5,
        outcomes_dir: Path | None = None,
        reports_from: Path | None = None,
    ):
        self.catalog_dir = catalog_dir
        self.outcomes_dir = outcomes_dir
        self.reports_from = reports_from
        self.interval = interval
        self.progress = progress
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        try:
            self.live = LiveSite(self.folder / "site")
            self.folders = [catalog_dir, TEMPLATES_DIR, CONTENT_DIR, *content_dirs_for(catalog_dir)]
            self.folders += [folder for folder in (outcomes_dir, reports_from) if folder is not None]
            self.stopped = threading.Event()
            self.seen = watched_files(self.folders)
            rebuild(catalog_dir, self.live, progress, outcomes_dir, reports_from)
            self.http = ThreadingHTTPServer(("127.0.0.1", port), make_handler(self.live))
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.port = self.http.server_address[1]
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.threads = [threading.Thread(target=self.http.serve_forever, daemon=True), self.watcher]
        for thread in self.threads:
            thread.start()

    def _watch(self) -> None:
        while not self.stopped.wait(self.interval):
            current = watched_files(self.folders)
            if current != self.seen:
                self.seen = current
                try:
                    rebuild(
                        self.catalog_dir,
                        self.live,
                        self._progress_until_stopped,
                        self.outcomes_dir,
                        self.reports_from,
                    )
                except Stop:
                    return  # abandoned for stop(): the live site is not changed

    def _progress_until_stopped(self, message: str) -> None:
        """Report a rebuild's progress; once the server is stopping, end the rebuild instead
        (at its next stage: a rebuild cannot be interrupted from another thread)."""
        if self.stopped.is_set():
            raise Stop("the server is stopping")
        self.progress(message)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop serving and watching, then remove the temporary folder. A rebuild in
        progress is waited for (it ends at its next stage), ``timeout`` seconds at most,
        so that it writes nothing into the folder after it is gone."""
        self.stopped.set()
        self.http.shutdown()
        self.http.server_close()
        if self.watcher is not threading.current_thread():
            self.watcher.join(timeout)
        shutil.rmtree(self.folder, ignore_errors=True)
