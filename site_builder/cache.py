"""A cache of disclosure protection results, keyed on the full content of their input.

Protecting a state's outcome data (suppression, the audit's linear programs and the certificates) is the
slow part of a build, and most pull requests do not change it. Each result is stored
under a hash of everything the computation reads: every cell value, relation, coded
rate and grid place of the table system, the minimum cell size, and the source code of the
rules themselves. So a hit can only ever return what a cold build would compute; never
timestamps. A damaged or unreadable entry is ignored and recomputed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

from site_builder.rules import audit, certificates, disclosure, privacy, propagation
from site_builder.rules.disclosure import Protection, protect
from site_builder.rules.privacy import TableSystem

FORMAT = b"credsite-protection-1"


@cache
def code_fingerprint() -> str:
    """A hash of the rule modules' source: a change to the rules empties the cache."""
    digest = hashlib.sha256(FORMAT)
    for module in (privacy, propagation, audit, certificates, disclosure):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def system_fingerprint(system: TableSystem, min_cell: int) -> str:
    """A hash of everything ``protect`` reads."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(repr(min_cell).encode())
    digest.update(repr(sorted(system.values.items(), key=repr)).encode())
    digest.update(repr(sorted((r.total, r.parts) for r in system.relations)).encode())
    digest.update(repr(sorted((i.terms, i.bound) for i in system.inequalities)).encode())
    digest.update(repr(sorted(system.coded.items(), key=repr)).encode())
    digest.update(repr(sorted(system.coded_by.items(), key=repr)).encode())
    digest.update(repr(sorted(system.grid.items(), key=repr)).encode())
    return digest.hexdigest()


class ProtectionCache:
    """Protection results on disk, one file per input hash."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.hits = self.misses = 0

    def protect(self, system: TableSystem, min_cell: int) -> Protection:
        key = system_fingerprint(system, min_cell)
        path = self.folder / f"{key}.pickle"
        try:
            statuses, report, rounds, inherent = pickle.loads(path.read_bytes())
            self.hits += 1
            return Protection(system.values, statuses, report, rounds, inherent)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            pass
        self.misses += 1
        protection = protect(system, min_cell)
        stored = (protection.statuses, protection.report, protection.repair_rounds, protection.inherent)
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a half-written entry is never read.
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
        return protection
