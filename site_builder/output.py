"""Atomic output: pages are written to a staging folder that replaces ``out`` only on success.

Replacing a folder deletes it, so ``check_out_dir`` first makes sure the folder is
one credsite made: a mistyped ``--out .`` must never wipe a project. The caches' files are
written whole the same way (``write_whole``).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: written into every built site; an existing output folder without it is never replaced
MARKER = ".credsite-build"


class UnsafeOutput(Exception):
    """``--out`` names a place credsite must not replace."""


def check_out_dir(out_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder that is a file, holds one of ``protected`` (the catalog,
    the working folder) or lies inside one of them... unless it is a build of ours."""
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


def count_files(folder: Path) -> tuple[int, int]:
    """The HTML pages and all the files in ``folder``, at any depth. One walk of the
    folder: pathlib's rglob and is_file took 0.66 s over a state's 12,860 files, this 0.09 s."""
    pages = files = 0
    for _, _, names in os.walk(folder):
        files += len(names)
        pages += sum(1 for name in names if name.endswith(".html"))
    return pages, files


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``out_dir``; swap it in if the block succeeds.

    If anything fails inside the block, the staging folder is removed and ``out_dir``
    is left exactly as it was.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        yield stage
        (stage / MARKER).write_text("This folder was built by credsite; `credsite build` may replace it.\n")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    os.chmod(stage, 0o755)
    if out_dir.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        out_dir.rename(retired / out_dir.name)
        stage.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        stage.rename(out_dir)


#: what unpickling a damaged or foreign cache file can raise; its contents are made again
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


def write_whole(path: Path, data: bytes) -> None:
    """Written to a temporary file, then renamed: a half-written entry is never read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)
