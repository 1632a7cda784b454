"""Atomic output: pages are written to a staging folder that replaces ``out`` only on success.

Replacing a folder deletes it, so ``check_out_dir`` first makes sure the folder is
one credsite made: a mistyped ``--out .`` must never wipe a project. The caches' files are
written whole the same way (``write_whole``).

A build killed outright (SIGKILL, a cancelled CI job) cannot remove its staging folder,
nor the old site it was deleting. So both carry an owner file (``OWNER``: the process and
host that made them) from the moment they exist, and the next build beside the same output
folder removes them (``remove_leftovers``), but only a real folder (never a symlink) with
that file, whose process has ended: another build still running keeps its own.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: written into every built site; an existing output folder without it is never replaced
MARKER = ".credsite-build"

#: written into a staging folder, and the folder of a site being replaced, as soon as they
#: are made: which process made them, so that a later build can tell a killed build's
#: leftovers (``remove_leftovers``) from a running build's folders
OWNER = ".credsite-owner"


class UnsafeOutput(Exception):
    """``--out`` names a place credsite must not replace."""


def check_out_dir(out_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder that is a file, holds one of ``protected`` (the catalog,
    the working folder) or lies inside one of them... unless it is a build of ours."""
    link = _linked_step(out_dir)
    if link is not None:
        raise UnsafeOutput(
            f"--out {out_dir}: {link} is a symbolic link; the site is written only into a real folder "
            "(a link in the repository could send it anywhere)"
        )
    out = out_dir.resolve()
    for ancestor in [out, *out.parents]:
        if ancestor.exists() and not ancestor.is_dir():
            raise UnsafeOutput(f"--out {out_dir}: {ancestor} is a file, not a folder")
    for place in protected:
        place = place.resolve()
        if out == place or out in place.parents:
            raise UnsafeOutput(f"--out {out_dir}: refusing to replace {place}, which holds your work")
        if place in out.parents and place.name == "catalog":
            raise UnsafeOutput(f"--out {out_dir}: the site cannot be written inside the catalog folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UnsafeOutput(
            f"--out {out_dir}: refusing to replace a folder that credsite did not build "
            f"(it has no {MARKER} file); empty it or choose another folder"
        )


def _linked_step(out_dir: Path) -> Path | None:
    """The first symbolic link on the way to ``out_dir``: any step below the working folder
    (which a repository's files may be), or ``out_dir`` itself elsewhere."""
    absolute = Path(os.path.abspath(out_dir))
    here = Path(os.path.abspath(Path.cwd()))
    if absolute.is_relative_to(here) and absolute != here:
        steps = [
            here.joinpath(*absolute.relative_to(here).parts[:end])
            for end in range(1, len(absolute.relative_to(here).parts) + 1)
        ]
    else:
        steps = [absolute]
    return next((step for step in steps if step.is_symlink()), None)


def count_files(folder: Path) -> tuple[int, int]:
    """The HTML pages and all the files in ``folder``, at any depth. One walk of the
    folder: pathlib's rglob and is_file took 0.66 s over a state's 12,860 files, this 0.09 s."""
    pages = files = 0
    for _, _, names in os.walk(folder):
        files += len(names)
        pages += sum(1 for name in names if name.endswith(".html"))
    if (folder / OWNER).is_file():  # a staging folder's owner file is not part of the site
        files -= 1
    return pages, files


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``out_dir``; swap it in if the block succeeds.

    If anything fails inside the block, the staging folder is removed and ``out_dir``
    is left exactly as it was. Leftovers of killed builds beside ``out_dir`` are removed
    first (``remove_leftovers``).
    """
    out_dir = out_dir.resolve()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out_dir)
        stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    except OSError as error:  # /proc, /sys, a read-only disk: a usage error, not a traceback
        raise UnsafeOutput(f"--out {out_dir}: cannot write there ({error.strerror})") from None
    try:
        _claim(stage)
        yield stage
        (stage / MARKER).write_text("This folder was built by credsite; `credsite build` may replace it.\n")
    except BaseException:
        _remove_own(stage)
        raise
    os.chmod(stage, 0o755)
    if out_dir.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        _claim(retired)
        out_dir.rename(retired / out_dir.name)
        stage.rename(out_dir)
        (out_dir / OWNER).unlink(missing_ok=True)
        _remove_own(retired)
    else:
        stage.rename(out_dir)
        (out_dir / OWNER).unlink(missing_ok=True)


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the staging folders (``.<out>.staging-*``) and replaced sites (``.<out>.old-*``)
    that killed builds left beside ``out_dir``; return the folders removed.

    Only what credsite made and nobody is using goes: a real folder, not a symlink or a
    file, holding an ``OWNER`` file that names a process of this host that has ended. A
    folder without one (someone else's, or one a build was killed in the instant between
    making and marking it) is kept, and so is everything while its process runs (a build
    of the same output folder in another process). The removal never follows a symlink
    (``shutil.rmtree`` deletes links, not what they point to).
    """
    prefixes = (f".{out_dir.name}.staging-", f".{out_dir.name}.old-")
    try:
        names = sorted(name for name in os.listdir(out_dir.parent) if name.startswith(prefixes))
    except OSError:
        return []
    removed = []
    for name in names:
        folder = out_dir.parent / name
        try:
            if not stat.S_ISDIR(folder.lstat().st_mode):
                continue
        except OSError:
            continue
        owner = _owner(folder)
        if owner is None or not _ended(*owner):
            continue
        _remove_own(folder)
        if not os.path.lexists(folder):
            removed.append(folder)
    return removed


def _claim(folder: Path) -> None:
    """Mark ``folder`` as this process's (see ``OWNER``)."""
    record = {"made_by": "credsite", "pid": os.getpid(), "host": socket.gethostname()}
    (folder / OWNER).write_text(json.dumps(record) + "\n", encoding="utf-8")


def _owner(folder: Path) -> tuple[int, str] | None:
    """The process id and host in ``folder``'s ``OWNER`` file; None when there is none, or
    it is not a regular file (never a symlink; a FIFO must not block), or not ours."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(folder / OWNER, flags)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            record = json.loads(file.read(1024))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("made_by") != "credsite":
        return None
    pid, host = record.get("pid"), record.get("host")
    if type(pid) is not int or pid <= 0 or not isinstance(host, str):
        return None
    return pid, host


def _ended(pid: int, host: str) -> bool:
    """Whether process ``pid`` of ``host`` has certainly ended. Anything unsure (another
    host's process, one we may not signal, a system without ``kill(pid, 0)``) counts as
    running: its folder is kept. A reused process id keeps a leftover, never loses a build."""
    if os.name != "posix" or host != socket.gethostname() or pid == os.getpid():
        return False  # on Windows, os.kill would end the process, not test it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def _remove_own(folder: Path) -> None:
    """Remove a folder this build (or a killed one) made: its contents first, its ``OWNER``
    file last, so that a build killed while removing it leaves it marked for the next one.
    The folder is opened without following a symlink, and everything in it is removed
    relative to that handle: a folder swapped for a symlink meanwhile is left alone."""
    if hasattr(os, "O_DIRECTORY") and hasattr(os, "O_NOFOLLOW") and shutil.rmtree.avoids_symlink_attacks:
        try:
            handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return
        try:
            for entry in list(os.scandir(handle)):
                if entry.name == OWNER:
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.name, dir_fd=handle, ignore_errors=True)
                    else:
                        os.unlink(entry.name, dir_fd=handle)
                except OSError:
                    pass
        except OSError:
            pass
        finally:
            os.close(handle)
    shutil.rmtree(folder, ignore_errors=True)  # refuses a symlink itself


#: what unpickling a damaged or foreign cache file can raise; its contents are made again
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


def write_whole(path: Path, data: bytes) -> None:
    """Written to a temporary file, then renamed: a half-written entry is never read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)
