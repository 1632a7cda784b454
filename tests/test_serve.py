"""`credsite serve`: serves the site, rebuilds on edits, shows errors instead of crashing."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.serve import RELOAD_PATH, VERSION_PATH, Server


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
