"""The build pipeline, stage by stage: load, validate, compute, render."""

from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from site_builder.cache import PagesCache, ProtectionCache, ReportsCache, tracked_by_git
from site_builder.catalog import Catalog, load_catalog
from site_builder.catalog.loader import raw_state_codes
from site_builder.catalog.yamlsource import remembered_parses
from site_builder.collector import rare_collections
from site_builder.content import ContentSource, load_content
from site_builder.ctids import missing_note
from site_builder.derive import Derived, derive
from site_builder.errors import CatalogInvalid, InputError, display_path
from site_builder.history import BuildInfo, read_history, tracked_files
from site_builder.inputs import LINK_MESSAGE, scan
from site_builder.memory import give_back
from site_builder.outcomes import Outcomes, PackagePlace, load_outcomes, tracked_real_data
from site_builder.output import check_out_dir, count_files, staging
from site_builder.paths import cache_dir_for, content_dirs_for
from site_builder.protection import SCHEDULER_VARIABLE, Protection, TableSystem, protect
from site_builder.reports import CatalogFacts, Reports, compute_reports
from site_builder.reports.model import Statewide
from site_builder.reports.published_reader import read_published_reports

Progress = Callable[[str], None]
Protector = Callable[[TableSystem, int], Protection]

#: the parsed YAML documents of the catalog and content pages, in the cache folder (``validate``)
PARSES_FILE = "yaml/parsed.pickle"


class BadEnvironment(Exception):
    """An environment variable the build reads has an unusable value (a usage error)."""


@dataclass(frozen=True)
class Validated:
    """A catalog that passed every check, with its outcome data if it has any."""

    catalog: Catalog
    outcomes: Outcomes | None
    content: list[ContentSource]
    #: the statewide figures of an earlier build of exactly this outcome data (``outcomes``
    #: is then None: the files were not read again; their reports are in the cache too);
    #: see site_builder.cache
    statewide: Statewide | None = None
    #: the reports read from a published site's /data/ files (``reports_from``), instead of
    #: the outcome data, which is then not read
    published: Reports | None = None


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    pages: int
    files: int
    seconds: float
    #: seconds per stage: validate, compute, render, index
    stages: dict[str, float] = field(default_factory=dict)


def validate(
    catalog_dir: Path,
    progress: Progress = lambda _: None,
    known: ReportsCache | None = None,
    parses: Path | None = None,
    outcomes_dir: Path | None = None,
    reports_from: Path | None = None,
    complete: bool = False,
) -> Validated:
    """Load and check the catalog, its outcome data and the content pages; raise
    CatalogInvalid with every error.

    ``complete`` (``validate --complete``) also fails on every fact a credential or issuer
    file leaves out (SPEC 8).

    ``outcomes_dir`` holds the CSV files of the outcome package when they are kept outside
    the repository (``--outcomes``, SPEC 11); by default they are in ``catalog/outcomes/``.

    With ``reports_from`` (``--reports-from``, SPEC 11: a copy of a published site's /data/
    folder) the reports are read from its files and checked against the catalog
    (``published_reader``), and the outcome data is not read (only checked not to be
    tracked by git, as on every build).

    With ``parses``, the YAML documents of the catalog and content pages that an earlier
    build parsed from the same text are taken from that file, and this build's kept there
    (``remembered_parses``).

    With ``known``, outcome data that an earlier build already validated and reported on,
    byte for byte, is not read again: its statewide figures come back instead, and its
    reports are read from the cache only if the report pages must be drawn.
    """
    started = time.perf_counter()
    if catalog_dir.is_symlink():  # a pull request may replace the folder with a link
        raise CatalogInvalid([InputError(display_path(catalog_dir), 1, None, LINK_MESSAGE)])
    # links and special files anywhere in the catalog, read or not; the loaders refuse the same
    errors: list[InputError] = scan(catalog_dir) + (scan(outcomes_dir) if outcomes_dir else [])
    if errors:
        known = None  # the cache's key would read the files behind them
    content_errors: list[InputError] = []
    catalog = None
    content: list[ContentSource] = []
    with remembered_parses(parses):
        try:
            catalog = load_catalog(catalog_dir, complete=complete)
        except CatalogInvalid as invalid:
            errors += invalid.errors
        try:
            content = load_content(content_dirs_for(catalog_dir), catalog.languages if catalog else None)
        except CatalogInvalid as invalid:
            content_errors = invalid.errors
    outcomes = statewide = None
    # a linked outcomes folder is one of scan's errors, and never read (place is then None)
    place = PackagePlace.of(catalog_dir, outcomes_dir)
    if place is not None and outcomes_dir is None and not any(place.data.rglob("*.csv")):
        # the contract without its data: a pull request's build, or a contributor's laptop
        if reports_from is None:
            progress(f"no outcome data beside {display_path(place.descriptor)}: building without reports")
        place = None
    if place is not None:
        errors += tracked_real_data(place, partial(tracked_files, repository_of=catalog_dir))
    published = None
    if reports_from is not None:
        place = None  # the reports come from the published files: the outcome data is not read
        if catalog is not None:
            try:
                published = read_published_reports(reports_from, CatalogFacts.of(catalog))
            except CatalogInvalid as invalid:
                errors += invalid.errors
    if place is not None and catalog and known and not errors:
        statewide = known.find(CatalogFacts.of(catalog), place)
    if place is not None and statewide is None:
        # Checked even when the catalog has errors, so a contributor sees everything at once.
        credential_ids = (
            set(catalog.credentials)
            if catalog
            # (a translation, <id>.<lang>.md, is not a credential)
            else {path.stem for path in (catalog_dir / "credentials").glob("*.md") if "." not in path.stem}
            if not (catalog_dir / "credentials").is_symlink()
            else set()
        )
        try:
            outcomes = (
                load_outcomes(place, credential_ids, catalog.state_codes(), catalog.program_members())
                if catalog
                else load_outcomes(place, credential_ids, raw_state_codes(catalog_dir / "credentials"))
            )
        except CatalogInvalid as invalid:
            errors += invalid.errors
    errors += content_errors  # after the outcome data's, as a contributor reads the catalog
    if errors or catalog is None:
        raise CatalogInvalid(errors)
    progress(
        f"validated {len(catalog.credentials)} credentials, {len(catalog.pathways)} pathways, "
        f"{len(catalog.issuers)} issuers, {len(catalog.occupations)} occupations"
        + (f", outcome data for {len(outcomes.years)} years" if outcomes else "")
        + (
            f"; outcome data for {len(statewide.years)} years unchanged since an earlier build"
            if statewide
            else ""
        )
        + (f"; published reports for {len(published.years)} years in {reports_from}" if published else "")
        + f" in {time.perf_counter() - started:.1f}s"
    )
    note = missing_note(catalog)  # files without a CTID yet: a note, never an error (SPEC 9)
    if note:
        progress(note)
    return Validated(catalog, outcomes, content, statewide, published)


def build(
    catalog_dir: Path,
    out_dir: Path,
    progress: Progress = lambda _: None,
    outcomes_dir: Path | None = None,
    reports_from: Path | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Validate, compute, render and index the site into ``out_dir``, atomically; the outcome
    package's CSV files are in ``outcomes_dir`` when given (see ``validate``); the outcome
    tables are protected on the Dask scheduler at ``scheduler`` when given
    (``protection.tasks``).

    With ``reports_from``, a copy of a published site's /data/ folder, the report pages and
    downloads are drawn from its files, as that site shows them, instead of from the outcome
    data (nothing is protected, and no cache of reports or pages is used)."""
    if reports_from is not None and outcomes_dir is not None:
        raise ValueError("the reports come from the outcome data or from published files, not both")
    from site_builder.site import keep_report_files, render_site
    from site_builder.site.search import index_search

    clock = Stopwatch(progress)
    check_out_dir(out_dir, [catalog_dir, Path.cwd()])
    built_at = build_time(catalog_dir)  # SOURCE_DATE_EPOCH is checked before anything is read
    caches = Caches.beside(catalog_dir, progress, reports_from)
    with clock.stage("validate"), rare_collections():
        validated = validate(catalog_dir, progress, caches.reports, caches.parses, outcomes_dir, reports_from)
    gc.freeze()  # what the stages make is kept to the end: the collector need not scan it again
    with clock.stage("compute"):
        computed = compute(validated, catalog_dir, outcomes_dir, built_at, caches, progress, scheduler)
        del validated  # a state's million outcome rows, freed before the renderers fork
        give_back()
    gc.freeze()
    with staging(out_dir) as stage:
        with clock.stage("render"):
            rendered = render_site(*computed.for_pages(), stage, cached=caches.pages(), progress=progress)
            del computed  # the reports (a national build's: gigabytes), freed before Pagefind starts
            give_back()
        with clock.stage("index"):
            indexed = (
                index_search(stage, rendered.searched, rendered.reports_searched) + rendered.reused_in_index
            )
        if caches.pages() is not None and rendered.to_keep is not None:
            keep_report_files(caches.pages(), rendered.to_keep, stage)
        pages, files = count_files(stage)
    progress(
        f"built {pages} pages ({files} files, {indexed} in the search index) into {out_dir} "
        f"in {clock.total():.1f}s"
    )
    return BuildResult(out_dir=out_dir, pages=pages, files=files, seconds=clock.total(), stages=clock.stages)


@dataclass
class Caches:
    """The caches beside a catalog (``site_builder.cache``), each wrapping the stage it
    saves; None (and ``protector`` plain ``protect``) when caching is off."""

    folder: Path
    #: each table system's protection, keyed on the system (or ``protect`` itself)
    protector: Protector
    #: finished reports, keyed on the outcome files (none for a build from published files)
    reports: ReportsCache | None = None
    #: the YAML documents parsed by an earlier build (``validate``)
    parses: Path | None = None
    _pages: PagesCache | None = None

    @classmethod
    def beside(cls, catalog_dir: Path, progress: Progress, reports_from: Path | None) -> Caches:
        folder = cache_dir_for(catalog_dir)
        if os.environ.get("CREDSITE_NO_CACHE"):
            return cls(folder, protect)
        if tracked_by_git(folder):
            progress(
                f"not using the cache {folder}: git tracks files in it, and a cache must never come from a commit"
            )
            return cls(folder, protect)
        known = ReportsCache(folder) if reports_from is None else None
        return cls(folder, ProtectionCache(folder).protect, known, folder / PARSES_FILE)

    def pages(self) -> PagesCache | None:
        """The rendered report pages, keyed on the reports' key: only once validation found
        the reports to be exactly what the outcome files hash to."""
        if self._pages is None and self.reports is not None and self.reports.key:
            self._pages = PagesCache(self.folder, self.reports)
        return self._pages


@dataclass(frozen=True)
class Computed:
    """What the pages are drawn from, besides the catalog's own texts."""

    catalog: Catalog
    statewide: Statewide | None
    #: the reports, made (or read from the cache) only when report pages must be drawn
    reports: Callable[[], Reports] | None
    content: list[ContentSource]
    derived: Derived
    info: BuildInfo

    def for_pages(self) -> tuple:
        """``render_site``'s arguments before the output folder, in its order."""
        return (self.catalog, self.statewide, self.reports, self.content, self.derived, self.info)


def compute(
    validated: Validated,
    catalog_dir: Path,
    outcomes_dir: Path | None,
    built_at: dt.datetime | None,
    caches: Caches,
    progress: Progress,
    scheduler: str | None = None,
) -> Computed:
    """The derived facts (stacking, pathways), the protected reports and the change history.

    The reports come from the published files (``--reports-from``), from the reports cache
    (read only if a report page must be drawn) or from the outcome data, protected; only the
    protected reports go on to the renderer: the outcome rows stop here."""
    catalog, statewide = validated.catalog, validated.statewide
    reports: Callable[[], Reports] | None = None
    # the protection cache is a folder of this machine, which a named cluster's workers lack
    protector = protect if scheduler or os.environ.get(SCHEDULER_VARIABLE) else caches.protector
    if validated.published is not None:
        published = validated.published
        statewide, reports = published.statewide(), lambda: published
    elif statewide is not None and caches.reports is not None:
        place = PackagePlace.of(catalog_dir, outcomes_dir)
        assert place is not None  # the cache found this package's reports
        reports = partial(cached_reports, catalog, place, caches.reports, progress, protector, scheduler)
    elif validated.outcomes:
        made = computed_reports(catalog, validated.outcomes, caches.reports, progress, protector, scheduler)
        statewide, reports = made.statewide(), lambda: made
    info = BuildInfo(
        built_on=built_at.date() if built_at is not None else None,
        history=read_history(catalog_dir),
        built_at=built_at,
    )
    return Computed(catalog, statewide, reports, validated.content, derive(catalog), info)


def cached_reports(
    catalog: Catalog,
    place: PackagePlace,
    known: ReportsCache,
    progress: Progress,
    protector: Protector,
    scheduler: str | None = None,
) -> Reports:
    """The reports whose statewide figures ``known`` found, read only when the report pages
    must be drawn; computed again, as in a cold build, if they can no longer be read."""
    reports = known.reports()
    if reports is None:
        progress("the cached reports could not be read: computing them again")
        outcomes = load_outcomes(
            place, set(catalog.credentials), catalog.state_codes(), catalog.program_members()
        )
        reports = computed_reports(catalog, outcomes, known, progress, protector, scheduler)
    return reports


def computed_reports(
    catalog: Catalog,
    outcomes: Outcomes,
    known: ReportsCache | None,
    progress: Progress,
    protector: Protector,
    scheduler: str | None = None,
) -> Reports:
    """The reports of ``outcomes``, computed and kept in ``known``."""
    reports = compute_reports(catalog, outcomes, progress, protector, scheduler)
    if known is not None:
        known.keep(reports)
    return reports


class Stopwatch:
    """Times the build's stages and reports each as it ends (``--quiet`` silences it)."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        yield
        self.stages[name] = time.perf_counter() - began
        self.progress(f"{name}: {self.stages[name]:.1f}s (elapsed {self.total():.1f}s)")

    def total(self) -> float:
        return time.perf_counter() - self.started


def build_time(catalog_dir: Path) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH if set (UTC), else the time of the last commit touching the catalog
    (with the committer's offset, so that its date is the commit's own day)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise BadEnvironment(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a valid time in whole seconds since 1970"
            ) from None
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%cI", "--", "."],
            cwd=catalog_dir,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = result.stdout.strip()
    return dt.datetime.fromisoformat(text) if result.returncode == 0 and text else None
