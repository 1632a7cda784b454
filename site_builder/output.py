"""Atomic output: pages are written to a staging folder that replaces ``out`` only on success."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    stage.chmod(0o755)
    if out_dir.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        out_dir.rename(retired / out_dir.name)
        stage.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        stage.rename(out_dir)
