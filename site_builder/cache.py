"""Caches of the slow parts of a build, keyed on the full content of their input.

Three caches, in ``.credsite-cache/`` beside the catalog:

- ``ProtectionCache``: each table system's protection, keyed on the system itself. It
  still serves when the outcome files change elsewhere or credsite's other code changes.
- ``ReportsCache`` (in ``reports/``): the finished reports, keyed on the bytes of every
  outcome file, the catalog facts the reports read (``CatalogFacts``: the minimum cell size
  and each credential's first career field, whose keys are also the credential ids the
  outcome rows are checked against) and the source of the modules that make them. On a hit the outcome
  files are neither validated nor read again, so a contributor's edit to a credential's
  text rebuilds the site without reading a million rows. Validation is a function of the
  same inputs and only reports that passed are kept, so a hit is a package that passes.
  Beside the reports are their ``Statewide`` figures, all that the catalog's own pages
  show: a build that copies its report pages reads only those. ``credsite validate`` never
  uses it.
- ``PagesCache`` (in ``pages/``): the rendered report pages, outcome downloads and the
  report pages' search bundle, keyed on the reports' key, the catalog's names and settings
  they show (``CatalogNames``, in each of the site's languages, each text marked translated
  or not), the build date, menu, privacy link and asset names every page carries, and all
  of credsite's code, templates and interface translations (``locale/``) with the versions
  of Python, Jinja, MarkupSafe, Babel and Pagefind (``render_fingerprint``). A state's 4,000 school pages
  are reused instead of drawn again when a pull request changes a credential's text:
  placed as hard links to the entry's files, so no bytes are copied, and replacing the
  site frees none.

Entries are pickles, and reading a pickle can run code, so the build never reads a cache
folder that git tracks anything in (``tracked_by_git``): a pull request must not be able
to commit one (nor pages, which would go out as the site).

Protecting a state's outcome data (suppression, the audit's linear programs and the certificates) is the
slow part of a build, and most pull requests do not change it. Each protection is stored
under a hash of everything the computation reads: every cell value, relation, coded
rate and grid place of the table system, the minimum cell size, and the source code of the
rules themselves. So a hit can only ever return what a cold build would compute; never
timestamps. A damaged or unreadable entry is ignored and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path

import site_builder
from site_builder.collector import collector_paused
from site_builder.inputs import InputRefused, read_input
from site_builder.outcomes.layout import PackagePlace, parse_json
from site_builder.output import UNREADABLE, write_whole
from site_builder.paths import TEMPLATES_DIR
from site_builder.protection import (
    Protection,
    TableSystem,
    audit,
    blocks,
    certificates,
    disclosure,
    flows,
    privacy,
    propagation,
    protect,
)
from site_builder.reports import CatalogFacts, Reports
from site_builder.reports.model import Statewide

FORMAT = b"credsite-protection-1"
REPORTS_FORMAT = b"credsite-reports-2"

#: the modules the reports are made by (everything they import from credsite but the catalog,
#: whose part is hashed by value as ``CatalogFacts``); one more import means one more line
REPORTS_SOURCES = (
    "outcomes/*.py",
    "reports/*.py",
    "rules/*.py",
    "phrases.py",
    "protection/*.py",
    "errors.py",
    "inputs.py",
    "collector.py",
    "memory.py",
    "cache.py",
    "output.py",
    "paths.py",
)

PAGES_FORMAT = b"credsite-pages-2"
#: entries of the pages cache kept: this build's and the one before (a state's are 450 MB each)
PAGES_KEPT = 2
MANIFEST = "manifest.json"


@cache
def code_fingerprint() -> str:
    """A hash of the rule modules' source: a change to the rules empties the cache."""
    digest = hashlib.sha256(FORMAT)
    for module in (privacy, propagation, audit, certificates, flows, disclosure, blocks):
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
    digest.update(repr(sorted(system.offsets.items(), key=repr)).encode())
    digest.update(repr(sorted(system.elsewhere, key=repr)).encode())
    digest.update(repr(sorted(system.arcs.items(), key=repr)).encode())
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
            statuses, report, rounds, inherent, unresolved = pickle.loads(path.read_bytes())
            self.hits += 1
            return Protection(system.values, statuses, report, rounds, inherent, unresolved)
        except UNREADABLE:
            pass
        self.misses += 1
        protection = protect(system, min_cell)
        stored = (
            protection.statuses,
            protection.report,
            protection.repair_rounds,
            protection.inherent,
            protection.unresolved,
        )
        write_whole(path, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
        return protection


@cache
def source_fingerprint() -> str:
    """A hash of the source of every module that validates outcome data, computes the
    reports or defines what they are made of (``REPORTS_SOURCES``), so that a change to a
    template or a page of the site keeps the cache."""
    digest = hashlib.sha256(REPORTS_FORMAT)
    package = Path(site_builder.__file__).parent
    _hash_files(digest, package, (path for name in REPORTS_SOURCES for path in package.glob(name)))
    return digest.hexdigest()


def reports_fingerprint(facts: CatalogFacts, place: PackagePlace | Path) -> str | None:
    """A hash of everything validating the outcome data and computing its reports read;
    None when the data package points outside its folders (never cached)."""
    place = PackagePlace.at(place)
    contract, data = place.contract.resolve(), place.data.resolve()
    try:
        descriptor = parse_json(read_input(contract / "datapackage.json", contract).decode("utf-8"))
        named = [
            (folder, resource.get(key))
            for resource in descriptor["resources"]
            for folder, key in ((data, "path"), (contract, "schema"))
        ]
    except (InputRefused, ValueError, KeyError, TypeError, AttributeError):
        return None
    if any(
        isinstance(name, str) and not (folder / name).resolve().is_relative_to(folder)
        for folder, name in named
    ):
        return None
    digest = hashlib.sha256(source_fingerprint().encode())
    digest.update(
        repr(
            (
                facts.min_cell,
                sorted(facts.primary_field.items()),
                sorted(facts.exam_fees.items()),
                sorted(facts.state_codes.items()),
                None
                if facts.members is None
                else sorted((program, sorted(spans.items())) for program, spans in facts.members.items()),
            )
        ).encode()
    )
    _hash_files(digest, contract, contract.rglob("*"))
    if data != contract:
        digest.update(b"\0data\0")
        _hash_files(digest, data, data.rglob("*"))
    return digest.hexdigest()


class ReportsCache:
    """Finished reports on disk, one pair of files per input hash (see the module docstring):
    the reports, and their ``Statewide`` figures with the reports' size, which is all that
    a build that copies its report pages needs (``PagesCache``)."""

    def __init__(self, folder: Path):
        self.folder = folder / "reports"
        self.key: str | None = None
        self.inputs: tuple[CatalogFacts, PackagePlace | Path] | None = None

    def find(self, facts: CatalogFacts, place: PackagePlace | Path) -> Statewide | None:
        """The statewide figures of an earlier build with exactly these inputs, if kept
        with its reports (``reports`` reads those); the key is remembered for ``keep``."""
        self.key, self.inputs = reports_fingerprint(facts, place), (facts, place)
        if self.key is None:
            return None
        try:
            size, statewide = pickle.loads((self.folder / f"{self.key}.statewide.pickle").read_bytes())
            if (self.folder / f"{self.key}.pickle").stat().st_size != size:
                return None
        except UNREADABLE:
            return None
        return statewide if isinstance(statewide, Statewide) else None

    def reports(self) -> Reports | None:
        """The reports of the last ``find``; None if they cannot be read."""
        if self.key is None:
            return None
        try:
            with collector_paused():  # a state's reports are a million small objects
                reports = pickle.loads((self.folder / f"{self.key}.pickle").read_bytes())
        except UNREADABLE:
            return None
        return reports if isinstance(reports, Reports) else None

    def keep(self, reports: Reports) -> None:
        """Store ``reports`` under the key of the last ``find``, unless an outcome file
        changed since (while the build read it): then they are not what that key says, and
        the key is forgotten (the pages cache keys on it)."""
        if self.key is not None and self.inputs and reports_fingerprint(*self.inputs) == self.key:
            data = pickle.dumps(reports, protocol=pickle.HIGHEST_PROTOCOL)
            write_whole(self.folder / f"{self.key}.pickle", data)
            statewide = (len(data), reports.statewide())
            write_whole(self.folder / f"{self.key}.statewide.pickle", pickle.dumps(statewide))
        else:
            self.key = None


@cache
def render_fingerprint() -> str:
    """A hash of everything that draws a page but its data: all of credsite's source, the
    templates and static files, and the versions of Python, Jinja, MarkupSafe and Pagefind
    (a cached search bundle is read by the new version's ``pagefind.js``)."""
    digest = hashlib.sha256(PAGES_FORMAT)
    # Babel: the dates and numbers of the pages in other languages (SPEC 10)
    for package in ("jinja2", "markupsafe", "pagefind", "pagefind_bin", "babel"):
        digest.update(f"{package} {version(package)}\0".encode())
    digest.update(f"{sys.version}\0".encode())
    package = Path(site_builder.__file__).parent
    # the interface strings of every language are drawn into the pages too
    for root, pattern in ((package, "**/*.py"), (package, "locale/**/*.po"), (TEMPLATES_DIR, "**/*")):
        _hash_files(digest, root, root.glob(pattern))
    return digest.hexdigest()


class PagesCache:
    """Rendered files of an earlier build (the report pages and the outcome downloads),
    one folder per input hash, and what the build needs to know of the pages among them.

    The key is a hash of the reports' own key (``ReportsCache``: the outcome files, the
    catalog facts the reports read and the code that makes them), ``inputs`` (all else the
    files are drawn from, as plain data) and ``render_fingerprint``. Nothing is kept once
    ``reports`` has forgotten that key (reports computed again from an outcome file that
    changed meanwhile are not what it says, nor the pages drawn from them). An entry is a folder of
    files with a JSON manifest written last; it is renamed into place whole, so a half-written
    entry is never found. Only the newest ``PAGES_KEPT`` entries are kept.

    The site's files and the entry's are the same files (hard links, ``_place``): a state's
    466 MB took 0.8 s to copy, and its old site's copies as long again to delete. So a
    file of the site written over in place (a minifier run on ``public/``, say) is written
    over in the entry too. The manifest therefore keeps each file's modification time
    beside its size, and an entry whose files differ in either is drawn again.
    """

    def __init__(self, folder: Path, reports: ReportsCache):
        assert reports.key is not None
        self.folder = folder / "pages"
        self.reports = reports
        self.reports_key = reports.key

    def key(self, inputs: object) -> str:
        digest = hashlib.sha256(render_fingerprint().encode())
        digest.update(self.reports_key.encode())
        digest.update(json.dumps(inputs, ensure_ascii=False).encode())
        return digest.hexdigest()

    def find(self, key: str, out: Path) -> list[dict] | None:
        """Place the files of entry ``key`` in ``out`` (``_place``) and return its pages;
        None (and nothing placed) when there is no such entry, or it is damaged."""
        entry = self.folder / key
        try:
            manifest = json.loads((entry / MANIFEST).read_bytes())
            files = [(Path(relative), size, modified) for relative, size, modified in manifest["files"]]
            pages = manifest["pages"]
            intact = all(
                not relative.is_absolute()
                and ".." not in relative.parts
                and _unchanged(entry / "files" / relative, size, modified)
                for relative, size, modified in files
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not intact or not isinstance(pages, list):
            return None
        placed = []
        try:
            for relative, _, _ in files:
                (out / relative).parent.mkdir(parents=True, exist_ok=True)
                _place(entry / "files" / relative, out / relative)
                placed.append(out / relative)
        except OSError:  # another build dropped the entry meanwhile: as if never found
            for path in placed:
                path.unlink(missing_ok=True)
            return None
        return pages

    def keep(self, key: str, out: Path, files: list[Path], pages: list[dict]) -> None:
        """Store ``files`` (paths in ``out``) and ``pages`` as entry ``key``, then drop all
        but the newest entries; nothing if the reports' key is no longer theirs."""
        if self.reports.key != self.reports_key:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=self.folder, prefix=f"{key}.", suffix=".tmp"))
        try:
            listed = []
            for path in files:
                relative = path.relative_to(out)
                (temporary / "files" / relative).parent.mkdir(parents=True, exist_ok=True)
                _place(path, temporary / "files" / relative)
                listed.append([relative.as_posix(), *_size_and_time(temporary / "files" / relative)])
            manifest = {"files": listed, "pages": pages}
            (temporary / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            shutil.rmtree(self.folder / key, ignore_errors=True)  # a damaged entry that find passed over
            os.rename(temporary, self.folder / key)
        except OSError:
            shutil.rmtree(temporary, ignore_errors=True)  # another build stored it first, or no room
            return
        entries = sorted(
            (
                path
                for path in self.folder.iterdir()
                if not path.name.endswith(".tmp") and (path / MANIFEST).is_file()
            ),
            key=lambda path: (path / MANIFEST).stat().st_mtime,
            reverse=True,
        )
        for old in entries[PAGES_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)


def tracked_by_git(folder: Path) -> bool:
    """Whether git tracks anything in ``folder``. Cache entries are pickles, and reading a
    pickle can run code: a pull request that commits one must not have the build read it.
    A cache only ever comes from earlier builds on the same machine."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", folder.name],
            cwd=folder.parent,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False  # no git: nothing can have been committed through it
    return listed.returncode == 0 and bool(listed.stdout)


def _hash_files(digest: hashlib._Hash, root: Path, paths: Iterable[Path]) -> None:
    """Add each file's path under ``root``, size and bytes to ``digest``, in sorted order."""
    for path in sorted(paths):
        if path.is_file():
            content = path.read_bytes()
            digest.update(f"{path.relative_to(root).as_posix()}\0{len(content)}\0".encode())
            digest.update(content)


def _place(source: Path, target: Path) -> None:
    """``source`` at ``target`` too: a hard link, or a copy where the file system makes none
    (the cache on another disk than the site, a file system without links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)  # raises in turn if ``source`` is gone


#: the precisions a modification time may come back in from a cache restored by a tool that
#: keeps fewer digits than the file system (tar's old formats keep whole seconds)
TIME_PRECISIONS_NS = (1, 1_000, 1_000_000, 1_000_000_000)


def _unchanged(path: Path, size: int, modified: int) -> bool:
    """Whether ``path`` still has the size and modification time it was kept with, the time
    perhaps cut to a coarser precision (a write sets a new time to the full precision)."""
    now_size, now_modified = _size_and_time(path)
    return now_size == size and any(now_modified == modified - modified % unit for unit in TIME_PRECISIONS_NS)


def _size_and_time(path: Path) -> tuple[int, int]:
    """What a pages entry checks of each file: a file written over in place through the
    site's link to it has a new modification time, and most often a new size."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns
