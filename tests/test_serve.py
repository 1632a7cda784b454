"""`credsite serve`: serves the site, rebuilds on edits, shows errors instead of crashing."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.paths import SAMPLE_CATALOG
from site_builder.serve import FOLDER_PREFIX, RELOAD_PATH, VERSION_PATH, Server


def get(server: Server, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_version(server: Server, version: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if int(get(server, VERSION_PATH)[1]) >= version:
            return
        time.sleep(0.1)
    raise AssertionError(f"no rebuild to version {version} within {timeout}s")


@pytest.fixture
def server(small_catalog: Path) -> Iterator[Server]:
    running = Server(small_catalog, 0, lambda _: None, interval=0.1)
    yield running
    running.stop()


def test_serves_the_site_with_the_reload_script(server: Server) -> None:
    status, page = get(server, "/credentials/net-pro/")
    assert status == 200
    assert "Network Professional" in page
    assert f'<script src="{RELOAD_PATH}" defer></script>' in page
    assert get(server, RELOAD_PATH)[0] == 200
    assert get(server, VERSION_PATH)[1] == "1"


def test_an_edit_is_rebuilt_and_a_broken_edit_shows_its_errors(server: Server, small_catalog: Path) -> None:
    path = small_catalog / "credentials/net-pro.md"
    original = path.read_text()
    path.write_text(original.replace("name: Network Professional", "name: Network Pro Plus"))
    wait_for_version(server, 2)
    assert "Network Pro Plus" in get(server, "/credentials/net-pro/")[1]

    path.write_text(original.replace("points: 9", "points: 13"))
    wait_for_version(server, 3)
    status, page = get(server, "/credentials/net-pro/")
    assert status == 500
    assert (
        "catalog/credentials/net-pro.md:7: points: input should be less than or equal to 12 (got 13)" in page
    )
    assert get(server, "/")[0] == 500  # every page shows the errors; the server keeps running

    path.write_text(original)
    wait_for_version(server, 4)
    status, page = get(server, "/credentials/net-pro/")
    assert status == 200 and "Network Professional" in page


def test_the_built_files_do_not_carry_the_reload_script(server: Server) -> None:
    built = (server.live.out_dir / "index.html").read_text()
    assert RELOAD_PATH not in built


def test_stop_during_a_rebuild_leaves_no_folder_behind(small_catalog: Path) -> None:
    server = Server(small_catalog, 0, lambda _: None, interval=0.05)
    path = small_catalog / "credentials/net-pro.md"
    path.write_text(path.read_text().replace("name: Network Professional", "name: Network Pro Plus"))
    time.sleep(0.2)  # the watcher has seen the edit, and is rebuilding or has rebuilt
    server.stop()
    assert not server.folder.exists()
    time.sleep(1)  # an abandoned rebuild must not bring the folder back
    assert not server.folder.exists()


class ServeProcess:
    """``python -m site_builder serve --port 0`` with a temporary folder of its own (TMPDIR),
    its standard error read line by line."""

    def __init__(self, catalog: Path, temporary: Path, environment: dict[str, str]):
        temporary.mkdir()
        self.temporary = temporary
        self.process = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", "--catalog", str(catalog), "--port", "0"],
            env={**os.environ, **environment, "TMPDIR": str(temporary)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def folders(self) -> list[str]:
        return sorted(name for name in os.listdir(self.temporary) if name.startswith(FOLDER_PREFIX))

    def wait_for_line(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """The first line of standard error that starts with ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
            except queue.Empty:
                assert self.process.poll() is None, f"serve ended early: {''.join(self.output)}"
                continue
            self.output.append(line)
            if found := re.match(pattern, line):
                return found
        raise AssertionError(f"serve printed no {pattern!r} within {timeout}s: {''.join(self.output)}")

    def stop(self, signum: int, timeout: float = 30) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise AssertionError(
                f"serve did not stop within {timeout}s of {signal.Signals(signum).name}"
            ) from None

    def rest_of_output(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def start(catalog: Path, **environment: str) -> ServeProcess:
        started.append(ServeProcess(catalog, tmp_path / "tmp", environment))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=30)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_and_removes_its_folder(
    serve_process: Callable[..., ServeProcess], small_catalog: Path, signum: int
) -> None:
    serving = serve_process(small_catalog)
    port = int(serving.wait_for_line(r"Serving on http://127\.0\.0\.1:(\d+)/")[1])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/credentials/net-pro/", timeout=10) as response:
        assert response.status == 200
    [folder] = serving.folders()
    assert (serving.temporary / folder / "site/index.html").is_file()

    started = time.monotonic()
    assert serving.stop(signum) == 0
    assert time.monotonic() - started < 10
    assert serving.folders() == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_first_build_removes_the_folder_too(
    serve_process: Callable[..., ServeProcess], tmp_path: Path, signum: int
) -> None:
    sample = tmp_path / "sample/catalog"
    shutil.copytree(SAMPLE_CATALOG, sample)
    # the sample's outcome data takes seconds to protect: the signal comes in the middle
    serving = serve_process(sample, CREDSITE_NO_CACHE="1")
    serving.wait_for_line("protecting ")
    assert serving.folders()

    started = time.monotonic()
    assert serving.stop(signum) == 0
    assert time.monotonic() - started < 20
    assert serving.folders() == []
    assert "Serving on" not in serving.rest_of_output()
