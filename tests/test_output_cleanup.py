"""A build killed outright leaves its staging folder behind; the next build removes it, and
nothing else: not a folder credsite did not make, not what a symlink points to, not the
folders of a build that is still running."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_factory import copy_sample

from site_builder.build import build
from site_builder.output import MARKER, OWNER, remove_leftovers, staging

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids and signals as on POSIX")


def ended_pid() -> int:
    """The id of a process that has ended (and been waited for)."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait(timeout=30)
    return process.pid


@pytest.fixture
def running_pid() -> Iterator[int]:
    """The id of a process that runs for the whole test."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process.pid
    process.kill()
    process.wait(timeout=30)


def leftover(parent: Path, name: str, pid: int, host: str | None = None) -> Path:
    """A folder made and marked as ``staging`` makes them, with some pages in it."""
    folder = parent / name
    (folder / "credentials/a").mkdir(parents=True)
    (folder / "credentials/a/index.html").write_text("<p>half a site</p>")
    record = {"made_by": "credsite", "pid": pid, "host": host or socket.gethostname()}
    (folder / OWNER).write_text(json.dumps(record))
    return folder


def leftovers(parent: Path, out_name: str) -> list[str]:
    return sorted(
        name for name in os.listdir(parent) if name.startswith((f".{out_name}.staging-", f".{out_name}.old-"))
    )


def owner_written(parent: Path) -> bool:
    """Whether a build staging its pages in ``parent`` has marked its folder (a kill in the
    instant between making the folder and marking it leaves a folder that is kept)."""
    for name in leftovers(parent, "public") if parent.is_dir() else []:
        try:
            return "pid" in json.loads((parent / name / OWNER).read_text())
        except (OSError, ValueError):
            return False
    return False


def test_a_build_killed_mid_way_leaves_a_marked_folder_that_the_next_build_removes(
    tmp_path: Path, small_catalog: Path
) -> None:
    sample = tmp_path / "sample/catalog"
    copy_sample(sample)
    out = tmp_path / "site/public"
    command = [sys.executable, "-m", "site_builder", "build", "--catalog", str(sample), "--out", str(out)]
    # rendering the sample's pages takes a second or more, so the build is caught mid-way
    # (with its protection copied, it does not protect again); its own session, so that the
    # kill reaches its worker processes too
    environment = {key: value for key, value in os.environ.items() if key != "CREDSITE_NO_CACHE"}
    process = subprocess.Popen(
        command, env=environment, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # generous: protecting the sample cold takes a minute or two on a busy two-core machine
        deadline = time.monotonic() + 300
        while not owner_written(out.parent):
            assert process.poll() is None, "the build ended before it was caught staging its pages"
            assert time.monotonic() < deadline, "the build never began to stage its pages"
            time.sleep(0.002)
    finally:
        with contextlib.suppress(ProcessLookupError):  # ended on its own: the assertion above says why
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    [left] = leftovers(out.parent, "public")
    assert left.startswith(".public.staging-")
    assert json.loads((out.parent / left / OWNER).read_text())["pid"] == process.pid

    result = build(small_catalog, out, lambda _: None)

    assert leftovers(out.parent, "public") == []
    assert (out / MARKER).is_file() and not (out / OWNER).exists()
    # the owner file was in the staging folder when its files were counted, but is not a page
    assert result.files == sum(len(names) for _, _, names in os.walk(out)) - 1


def test_the_leftovers_of_ended_processes_go_and_the_site_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "public"
    with staging(out) as stage:
        (stage / "index.html").write_text("first")
    staged = leftover(tmp_path, ".public.staging-k1ll3d", ended_pid())
    retired = leftover(tmp_path, ".public.old-k1ll3d", ended_pid())
    (retired / "public").mkdir()
    (retired / "public" / MARKER).write_text("")

    with staging(out) as stage:
        assert not staged.exists() and not retired.exists()
        (stage / "index.html").write_text("second")

    assert (out / "index.html").read_text() == "second"
    assert sorted(os.listdir(tmp_path)) == ["public"]
    assert sorted(os.listdir(out)) == [MARKER, "index.html"]


def test_a_folder_named_like_a_leftover_without_credsites_mark_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "public"
    unmarked = tmp_path / ".public.staging-mine"
    unmarked.mkdir()
    (unmarked / "notes.txt").write_text("my work")
    foreign = leftover(tmp_path, ".public.old-foreign", ended_pid())
    (foreign / OWNER).write_text(json.dumps({"made_by": "someone-else", "pid": ended_pid(), "host": "x"}))
    garbled = leftover(tmp_path, ".public.old-garbled", ended_pid())
    (garbled / OWNER).write_text("not json {")
    a_file = tmp_path / ".public.staging-file"
    a_file.write_text("a file, not a folder")

    assert remove_leftovers(out) == []

    assert (unmarked / "notes.txt").read_text() == "my work"
    assert (foreign / "credentials/a/index.html").is_file()
    assert (garbled / "credentials/a/index.html").is_file()
    assert a_file.read_text() == "a file, not a folder"


def test_a_symlink_named_like_a_leftover_is_neither_followed_nor_removed(tmp_path: Path) -> None:
    out = tmp_path / "site/public"
    out.parent.mkdir()
    precious = leftover(tmp_path, "precious", ended_pid())  # marked, as if to lure a cleaner
    link = out.parent / ".public.staging-link"
    link.symlink_to(precious, target_is_directory=True)
    marker_link = leftover(out.parent, ".public.old-markerlink", ended_pid())
    (marker_link / OWNER).unlink()
    (marker_link / OWNER).symlink_to(precious / OWNER)

    assert remove_leftovers(out) == []

    assert link.is_symlink() and (precious / "credentials/a/index.html").is_file()
    assert (precious / OWNER).is_file() and (marker_link / "credentials/a/index.html").is_file()


def test_a_leftover_is_removed_without_following_the_symlinks_inside_it(tmp_path: Path) -> None:
    out = tmp_path / "site/public"
    out.parent.mkdir()
    precious = tmp_path / "precious"
    (precious / "deep").mkdir(parents=True)
    (precious / "deep/work.txt").write_text("keep me")
    staged = leftover(out.parent, ".public.staging-links", ended_pid())
    (staged / "to-folder").symlink_to(precious, target_is_directory=True)
    (staged / "credentials/to-file").symlink_to(precious / "deep/work.txt")

    assert remove_leftovers(out) == [staged]

    assert not os.path.lexists(staged)
    assert (precious / "deep/work.txt").read_text() == "keep me"


def test_the_folders_of_a_build_still_running_are_kept(tmp_path: Path, running_pid: int) -> None:
    out = tmp_path / "public"
    running = leftover(tmp_path, ".public.staging-running", running_pid)
    replacing = leftover(tmp_path, ".public.old-running", running_pid)
    this_process = leftover(tmp_path, ".public.staging-this", os.getpid())
    elsewhere = leftover(tmp_path, ".public.staging-elsewhere", ended_pid(), host="another-machine")

    with staging(out) as stage:
        (stage / "index.html").write_text("built beside a running build")

    for folder in (running, replacing, this_process, elsewhere):
        assert (folder / "credentials/a/index.html").is_file(), folder.name
    assert (out / "index.html").is_file()


def test_a_failed_build_removes_its_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    with pytest.raises(RuntimeError), staging(out) as stage:
        (stage / "index.html").write_text("half")
        assert json.loads((stage / OWNER).read_text())["pid"] == os.getpid()
        raise RuntimeError("a stage failed")
    assert os.listdir(tmp_path) == []
