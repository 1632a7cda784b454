"""The protected reports read back from a published site's /data/ files (SPEC 11).

``credsite build --reports-from DIR``: a pull request's build and a contributor's laptop
never see the true outcome data, yet they draw the report pages and downloads exactly as
the published site shows them. Everything those pages show is published under /data/, in
the form and with the status the pages show it (``site.downloads``): each year's
attainment, readiness and reimbursement CSV files hold the school rows,
``report-<year>.json`` every other figure (totals, readiness by district, the programs,
the audit paragraph's numbers) and ``schools.csv`` the schools. This module reads them
back into ``Reports``: nothing is computed and nothing protected again, and a value that
is hidden on the site is hidden here, since no file holds it.

The files come from the network or from another site, so they are read as hostile input:
each through ``inputs`` (a real file inside DIR, never a link, of a bounded size), parsed
with bounds (JSON nesting and number size, CSV field size), and every value checked to be
a form a published site holds: one of the five statuses with the text that goes with it
("<10" with ``suppressed``, "suppressed" with the others, a number only when published,
never 1 to min_cell - 1), ids that are codes. Every problem is one ``path:line[:column]:
message``, all of them at once (``CatalogInvalid``).

The reports must fit the catalog they are drawn with: the minimum cell size must be the
catalog's, and every credential of the reports must be in the catalog with the same first
career field (the attainment rows name it). A credential removed from the catalog, or
moved to another field, changes the totals the protection made, which only a build with
the data can protect again: such reports are refused, each credential named, rather than
drawn with totals that are not the catalog's. A credential added to the catalog is simply
one no school reported, as it is in a build with the data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from site_builder.catalog.models import SLUG_PATTERN
from site_builder.csvsafe import FORMULA_STARTS, spreadsheet_safe
from site_builder.errors import CatalogInvalid, InputError, display_path, excerpt
from site_builder.inputs import MIB, OUTCOME_LIMIT, InputRefused, open_input, read_input
from site_builder.outcomes import School
from site_builder.outcomes.layout import parse_json
from site_builder.outcomes.rules import CODE_PATTERN, name_problem
from site_builder.protection import CODED_STATUSES, PUBLISHED, Status
from site_builder.reports import CatalogFacts
from site_builder.reports.download_format import (
    DOWNLOAD_KINDS,
    REPORT,
    SCHOOLS,
    download_name,
    outcome_tables,
    report_file,
)
from site_builder.reports.model import (
    AuditSummary,
    Payment,
    ProgramYear,
    Readiness,
    Reports,
    SchoolYear,
    YearReport,
)
from site_builder.reports.published import SUPPRESSED_TEXT, Count, Dollars, Rate, count, dollars

#: the largest file of each kind read: the descriptor (a state's is 100 KB), a year's report
#: document (a state's is about 3 MB, a nation's 30 MB) and a CSV file (as an outcome CSV)
DESCRIPTOR_LIMIT = 8 * MIB
REPORT_LIMIT = 256 * MIB
CSV_LIMIT = OUTCOME_LIMIT

#: errors kept per file; reading a file stops there (``format_errors`` prints 50 of them)
ERRORS_KEPT = 1000
#: the errors of a file whose line is searched for (``_File.line_of``)
ERRORS_LINED = 60

DESCRIPTOR = "datapackage.json"
_YEARLY_NAME = re.compile(rf"^({'|'.join((*DOWNLOAD_KINDS, REPORT))})-([0-9]{{4}})$")

NOT_FOUND = (
    "not found; --reports-from reads a copy of a built site's whole data/ folder "
    "(its datapackage.json and every file it lists)"
)


def read_published_reports(data_dir: Path, facts: CatalogFacts) -> Reports:
    """The reports whose published files are in ``data_dir`` (a copy of a site's /data/),
    checked against the catalog's ``facts``; ``CatalogInvalid`` with every problem."""
    errors: list[InputError] = []
    years = _years(data_dir, errors)
    schools = _schools(data_dir, errors)
    by_year = {}
    if schools is not None:
        for year in years:
            report = _Year(data_dir, year, facts, schools, errors).read()
            if report is not None:
                by_year[year] = report
    if errors or schools is None or not years:
        raise CatalogInvalid(errors)
    directory = dict(sorted(schools.items()))
    districts = {school.district_id: school.district_name for school in directory.values()}
    schools_by_district: dict[str, list[str]] = defaultdict(list)
    for school in sorted(directory.values(), key=lambda school: (school.name.lower(), school.school_id)):
        schools_by_district[school.district_id].append(school.school_id)
    return Reports(
        min_cell=facts.min_cell,
        years=years,
        schools=directory,
        districts=dict(sorted(districts.items(), key=lambda item: (item[1].lower(), item[0]))),
        schools_by_district=dict(schools_by_district),
        by_year=by_year,
    )


# --- the files: where they are, what each problem is ----------------------------------------


@dataclass
class _File:
    """One published file being read, and the errors found in it (at most ``ERRORS_KEPT``)."""

    path: Path
    errors: list[InputError]
    found: int = 0

    @property
    def where(self) -> str:
        return display_path(self.path)

    @property
    def full(self) -> bool:
        return self.found >= ERRORS_KEPT

    def line_of(self, text: str, loc: tuple) -> int:
        """``_line_of``, for the first ``ERRORS_LINED`` errors only: each search reads the
        document from its start, and a document of thousands of bad keys would take minutes;
        later errors say line 1 (only the first 50 of a file are printed)."""
        return _line_of(text, loc) if self.found < ERRORS_LINED else 1

    def error(self, line: int, column: int | None, message: str) -> None:
        self.found += 1
        if self.found <= ERRORS_KEPT:
            self.errors.append(InputError(self.where, line, column, message))

    def refused(self, refused: InputRefused) -> None:
        message = NOT_FOUND if refused.error.message == "not found" else refused.error.message
        self.error(refused.error.line, refused.error.column, message)


def _json_file(file: _File, root: Path, limit: int) -> tuple[Any, str] | None:
    """The parsed JSON of ``file`` and its text, or None after recording why not."""
    try:
        data = read_input(file.path, root, limit)
    except InputRefused as refused:
        file.refused(refused)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        file.error(data.count(b"\n", 0, error.start) + 1, None, "not valid UTF-8")
        return None
    try:
        return parse_json(text), text
    except json.JSONDecodeError as error:
        file.error(error.lineno, error.colno, f"not valid JSON: {error.msg}")
    except ValueError as error:  # bounds: nesting, number sizes, NaN
        file.error(1, None, f"not accepted: {error}")
    return None


def _csv_rows(file: _File, root: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells by column) of each row of a CSV download whose header is ``columns``;
    a file that cannot be read as such is one error, and gives no rows after it."""
    try:
        handle = open_input(file.path, root, CSV_LIMIT)
    except InputRefused as refused:
        file.refused(refused)
        return
    line = 1
    with io.TextIOWrapper(handle, "utf-8", newline="") as text:
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader, None)
            if header != columns:
                got = "nothing" if header is None else excerpt(",".join(header))
                file.error(1, None, f"the columns must be {','.join(columns)} (got {got})")
                return
            line = reader.line_num + 1
            for cells in reader:
                if len(cells) != len(columns):
                    file.error(line, None, f"has {len(cells)} cells; a row has {len(columns)}")
                else:
                    yield line, dict(zip(columns, cells, strict=True))
                if file.full:
                    return
                line = reader.line_num + 1
        except csv.Error as error:
            file.error(line, None, f"not valid CSV: {error}")
        except UnicodeDecodeError:
            file.error(line, None, "not valid UTF-8")


# --- the published forms: a text and its status -> the value the pages show ----------------


class _Wrong(ValueError):
    """A value no published site shows; the message says why, and ``column`` in which CSV
    column it is."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.column = column


class _SaidAlready(Exception):
    """A row wrong in the way an earlier row of its file was (a credential the catalog no
    longer has): the earlier row's error says it, once."""


_WHOLE = re.compile(r"^(0|[1-9][0-9]{0,14})$")
_CENTS = re.compile(r"^(0|[1-9][0-9]{0,14})\.[0-9]{2}$")
_PERCENT = re.compile(r"^(0|[1-9][0-9]?|100)%$")
_CODED = {
    "top-coded": re.compile(r"^>=(0|[1-9][0-9]?|100)%$"),
    "bottom-coded": re.compile(r"^<=(0|[1-9][0-9]?|100)%$"),
}
_FACTOR = re.compile(r"^(1|0\.[0-9]{1,6})$")
_STATUSES: frozenset[str] = frozenset(
    ("published", "suppressed", "suppressed-complementary", *CODED_STATUSES)
)


def _status(status: str) -> Status:
    if status not in _STATUSES:
        raise _Wrong(f"must be one of {', '.join(sorted(_STATUSES))} (got {excerpt(status)})", "status")
    return status  # type: ignore[return-value]


@lru_cache(maxsize=1 << 16)  # a state's million cells are a few thousand distinct forms
def published_count(text: str, status: str, min_cell: int) -> Count:
    """A count as a published site shows it: a whole number of 0 or at least ``min_cell``
    when published, else the text of its status ("<10" or "suppressed")."""
    status = _status(status)
    if status == PUBLISHED:
        if not _WHOLE.match(text):
            raise _Wrong(f"a published count is a whole number (got {excerpt(text)})")
        value = int(text)
        if 0 < value < min_cell:
            raise _Wrong(f"a count from 1 to {min_cell - 1} is never published (got {value})")
        return count(value, PUBLISHED, min_cell)
    shown = count(0, status, min_cell)
    if text != shown.text:
        raise _Wrong(f"a count of status {status} is shown as {shown.text!r} (got {excerpt(text)})")
    return shown


def published_rate(text: str, status: str) -> Rate:
    """A rate as a published site shows it: a whole percent, a coded range, or hidden."""
    status = _status(status)
    if status == PUBLISHED and _PERCENT.match(text):
        return Rate(int(text[:-1]), PUBLISHED, text)
    if status in _CODED and _CODED[status].match(text):
        return Rate(None, status, text)
    if status == "suppressed" and text == SUPPRESSED_TEXT:
        return Rate(None, status, text)
    raise _Wrong(f"a rate of status {status} is not shown as {excerpt(text)}")


def published_dollars(text: str, status: str) -> Dollars:
    """Dollars as a published site shows them: to the cent when published, else "suppressed"."""
    status = _status(status)
    if status == PUBLISHED:
        if not _CENTS.match(text):
            raise _Wrong(f"published dollars are shown to the cent, as 1234.50 (got {excerpt(text)})")
        return dollars(Decimal(text), PUBLISHED)
    if status in CODED_STATUSES or text != SUPPRESSED_TEXT:
        raise _Wrong(f"dollars of status {status} are shown as 'suppressed' (got {excerpt(text)})")
    return dollars(Decimal(0), status)


def _rate_status(text: str) -> str:
    """The status a readiness row's rate has, from its text alone (the row's status column
    is the rate's only when the rate is coded)."""
    if text.startswith(">="):
        return "top-coded"
    if text.startswith("<="):
        return "bottom-coded"
    return "suppressed" if text == SUPPRESSED_TEXT else PUBLISHED


def _unescaped(cell: str) -> str:
    """A text cell as it was before ``csvsafe.spreadsheet_safe`` put a quote in front."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell


# --- datapackage.json and schools.csv --------------------------------------------------------


def _years(data_dir: Path, errors: list[InputError]) -> list[int]:
    """The years of reports the descriptor lists (any of a year's files names the year)."""
    file = _File(data_dir / DESCRIPTOR, errors)
    read = _json_file(file, data_dir, DESCRIPTOR_LIMIT)
    if read is None:
        return []
    descriptor, _ = read
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(isinstance(entry, dict) for entry in resources):
        file.error(1, None, "not a data package: 'resources' must be a list of resources")
        return []
    names = [entry.get("name") for entry in resources]
    years = sorted(
        {int(match[2]) for name in names if isinstance(name, str) and (match := _YEARLY_NAME.match(name))}
    )
    if not years:
        file.error(1, None, "lists no outcome reports: the site it comes from publishes no school reports")
    elif SCHOOLS not in names:
        message = f"lists no '{SCHOOLS}' resource: the site was built before it published all of its reports"
        file.error(1, None, message)
    return years


def _schools(data_dir: Path, errors: list[InputError]) -> dict[str, School] | None:
    """Every school of ``schools.csv``, by id; None when the file cannot be read."""
    file = _File(data_dir / f"{SCHOOLS}.csv", errors)
    columns = [column.name for column in outcome_tables(1)[SCHOOLS].columns]
    schools: dict[str, School] = {}
    first_line: dict[str, int] = {}
    district_names: dict[str, tuple[str, int]] = {}
    for line, cells in _csv_rows(file, data_dir, columns):
        school_id, district_id = cells["school_id"], cells["district_id"]
        if any("\0" in cell for cell in cells.values()):  # the names go onto pages
            file.error(line, None, "holds a NUL character: not a text file")
            break
        for column, name, value in ((1, "school_id", school_id), (3, "district_id", district_id)):
            if problem := _code_problem(name, value):
                file.error(line, column, problem)
        for column, name in ((2, "school_name"), (4, "district_name"), (5, "county")):
            if problem := name_problem(_unescaped(cells[name])):
                file.error(line, column, f"{name}: {problem}")
        if not (_CODE.fullmatch(school_id) and _CODE.fullmatch(district_id)):
            continue
        if school_id in schools:
            file.error(line, 1, f"school {school_id} is listed twice; first at line {first_line[school_id]}")
            continue
        school = School(
            school_id,
            _unescaped(cells["school_name"]),
            district_id,
            _unescaped(cells["district_name"]),
            _unescaped(cells["county"]),
        )
        named, named_at = district_names.setdefault(district_id, (school.district_name, line))
        if named != school.district_name:
            file.error(
                line,
                4,
                f"district {district_id} has another name at line {named_at}; a district has one name",
            )
        schools[school_id], first_line[school_id] = school, line
    if file.found or not file.path.is_file():
        return None
    return schools


_CODE = re.compile(CODE_PATTERN)


def _code_problem(name: str, value: str) -> str | None:
    if _CODE.match(value):
        return None
    return (
        f"{name}: must be a code of letters, digits and '_', '.' or '-' inside, at most 64 "
        f"characters (got {excerpt(value)})"
    )


# --- report-<year>.json: its shape ------------------------------------------------------------

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Money = Annotated[str, StringConstraints(pattern=_CENTS.pattern)]
Whole = Annotated[int, Field(ge=0, le=10**15)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Shown(_Document):
    """A number as the pages show it: its text and its status."""

    text: Annotated[str, StringConstraints(max_length=24)]
    status: str


class ReadinessShown(_Document):
    graduates: Shown
    met_points_target: Shown
    rate: Shown


class SchoolShown(_Document):
    earned: Shown
    earned_by_career_field: dict[Slug, Shown]


class ProgramShown(_Document):
    allocation_usd: Money
    unit_amount_usd: Money | None
    factor: Annotated[str, StringConstraints(pattern=_FACTOR.pattern)] | None
    claimed: Shown
    claimed_usd: Shown
    paid_usd: Shown
    claimed_by_school: dict[Code, Shown]


class AuditShown(_Document):
    hidden: Whole
    checked: Whole
    calculations: Whole
    pinned: Whole
    behind_coded_rates: Whole
    coded_rates: Whole


class ReportDocument(_Document):
    """``report-<year>.json`` (``site.downloads.report_document``)."""

    year: Annotated[int, Field(ge=1000, le=9999)]
    min_cell: Annotated[int, Field(ge=1, le=10**6)]
    earned: Shown
    earned_by_career_field: dict[Slug, Shown]
    earned_by_credential: dict[Slug, Shown]
    earned_by_district: dict[Code, Shown]
    readiness: ReadinessShown
    readiness_by_district: dict[Code, ReadinessShown]
    schools: dict[Code, SchoolShown]
    programs: dict[Code, ProgramShown]
    audit: AuditShown | None


def _document_errors(file: _File, text: str, error: ValidationError) -> None:
    for detail in error.errors(include_url=False):
        loc = tuple(part for part in detail["loc"] if part != "[key]")
        where = _path(loc) or "the file"
        kind = detail["type"]
        if kind == "missing":
            message = f"{where}: missing"
        elif kind == "extra_forbidden":
            message = f"{where}: not a key of a report"
        elif kind == "string_pattern_mismatch":
            got = excerpt(detail["input"])
            message = f"{where}: not an id, an amount or a factor as a published report writes it (got {got})"
        else:
            got = detail.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {excerpt(got)})"
            message = f"{where}: {detail['msg'][:1].lower()}{detail['msg'][1:]}{shown}"
        file.error(file.line_of(text, loc), None, message)
        if file.full:
            return


def _path(loc: tuple) -> str:
    """Where in a document, as dotted keys, each key cut and escaped (keys are the file's)."""
    return ".".join(str(part) if isinstance(part, int) else excerpt(str(part), quote="") for part in loc)


def _line_of(text: str, loc: tuple) -> int:
    """The line of the value at ``loc``, found by its keys in order (JSON parsers keep no
    positions; a report document has one key per line)."""
    position = 0
    for part in loc:
        if isinstance(part, str):
            found = text.find(json.dumps(part, ensure_ascii=False) + ":", position)
            if found < 0:
                break
            position = found
    return text.count("\n", 0, position) + 1


# --- one year --------------------------------------------------------------------------------

_MOVED = (
    "these reports were protected with another catalog; only a build with the outcome data can "
    "report on a credential removed from the catalog or given another first career field"
)


def _summary(audit: AuditShown) -> AuditSummary:
    """The audit paragraph's numbers as one summary (the page adds up the year's summaries)."""
    return AuditSummary(
        hidden=audit.hidden,
        checked=audit.checked,
        solved=audit.calculations,
        repair_rounds=0,
        seconds=0.0,
        inherent=audit.pinned,
        coded=audit.behind_coded_rates,
        coded_rates=audit.coded_rates,
    )


def _at(column: str, read: Any, *args: Any) -> Any:
    """``read(*args)``, its problem named by the CSV column it is in."""
    try:
        return read(*args)
    except _Wrong as wrong:
        raise _Wrong(f"{column}: {wrong}", column) from None


class _Year:
    """One year's report, read from its four files: ``report-<year>.json`` and the year's
    attainment, readiness and reimbursement CSV files."""

    def __init__(
        self,
        data_dir: Path,
        year: int,
        facts: CatalogFacts,
        directory: dict[str, School],
        errors: list[InputError],
    ):
        self.data_dir, self.year, self.facts, self.directory = data_dir, year, facts, directory
        self.errors = errors
        self.file = _File(data_dir / report_file(year), errors)
        #: the text of report-<year>.json, to say on which line a problem is
        self.text = ""
        self.min_cell = facts.min_cell
        self.fields = set(facts.primary_field.values())
        self.districts = {school.district_id for school in directory.values()}
        #: school id -> its cells in a row of a CSV file that names it
        self.named = {
            school.school_id: (
                ("school_name", spreadsheet_safe(school.name)),
                ("district_id", school.district_id),
                ("district_name", spreadsheet_safe(school.district_name)),
            )
            for school in directory.values()
        }
        #: the line of each row read of the file being read, by its key
        self._lines: dict[tuple[str, ...], int] = {}
        #: the CSV files read that had a problem, by kind: their rows are not all there
        self.damaged: set[str] = set()
        #: the credentials and career fields said not to fit the catalog, said once per file
        self.unfit: set[tuple[str, str]] = set()

    def read(self) -> YearReport | None:
        """The year's report; None after recording every problem of its files."""
        before = len(self.errors)
        document = self._document()
        if document is None:
            return None
        total = self._count(document.earned, ("earned",))
        by_field = self._by_field(document.earned_by_career_field, ("earned_by_career_field",))
        by_credential = {}
        for key, shown in sorted(document.earned_by_credential.items()):
            if key not in self.facts.primary_field:
                self._wrong(
                    ("earned_by_credential", key), f"credential '{key}' is not in the catalog: {_MOVED}"
                )
            by_credential[key] = self._count(shown, ("earned_by_credential", key))
        by_district = {}
        for key, shown in sorted(document.earned_by_district.items()):
            self._district(key, ("earned_by_district", key))
            by_district[key] = self._count(shown, ("earned_by_district", key))
        readiness_by_district = {}
        for key, readiness in sorted(document.readiness_by_district.items()):
            self._district(key, ("readiness_by_district", key))
            readiness_by_district[key] = self._readiness(readiness, ("readiness_by_district", key))
        earned = self._attainment_rows(document)
        ready = self._readiness_rows(document)
        programs = self._programs(document, self._reimbursement_rows(document))
        schools = {}
        for school_id, shown in sorted(document.schools.items()):
            loc = ("schools", school_id)
            if school_id not in self.directory:
                self._wrong(loc, f"school {school_id} is not in {SCHOOLS}.csv")
            schools[school_id] = SchoolYear(
                total=self._count(shown.earned, (*loc, "earned")),
                by_field=self._by_field(shown.earned_by_career_field, (*loc, "earned_by_career_field")),
                by_credential=earned.get(school_id, {}),
                readiness=ready.get(school_id),
                payments={p.program: p.payments[school_id] for p in programs if school_id in p.payments},
            )
        if len(self.errors) > before:
            return None
        return YearReport(
            year=self.year,
            total=total,
            by_field=by_field,
            by_credential=by_credential,
            by_district=by_district,
            readiness=self._readiness(document.readiness, ("readiness",)),
            readiness_by_district=readiness_by_district,
            schools=schools,
            programs=programs,
            audit=[] if document.audit is None else [_summary(document.audit)],
        )

    # --- report-<year>.json

    def _document(self) -> ReportDocument | None:
        read = _json_file(self.file, self.data_dir, REPORT_LIMIT)
        if read is None:
            return None
        data, self.text = read
        try:
            document = ReportDocument.model_validate(data)
        except ValidationError as error:
            _document_errors(self.file, self.text, error)
            return None
        if document.year != self.year:
            self._wrong(("year",), f"must be {self.year}, the year of the file name (got {document.year})")
            return None
        if document.min_cell != self.min_cell:
            self._wrong(
                ("min_cell",),
                f"these reports were protected with a minimum cell size of {document.min_cell}, "
                f"but the catalog's site.yml says {self.min_cell}; a build without the outcome data "
                "cannot protect them again",
            )
            return None
        return document

    def _wrong(self, loc: tuple, message: str) -> None:
        self.file.error(self.file.line_of(self.text, loc), None, f"{_path(loc)}: {message}")

    def _shown(self, read: Any, shown: Shown, loc: tuple, *args: Any) -> Any:
        """``read`` of a number of the document; None after recording why it is not one."""
        try:
            return read(shown.text, shown.status, *args)
        except _Wrong as wrong:
            self._wrong((*loc, "status") if wrong.column == "status" else loc, str(wrong))
            return None

    def _count(self, shown: Shown, loc: tuple) -> Count:
        return self._shown(published_count, shown, loc, self.min_cell) or count(0, PUBLISHED, self.min_cell)

    def _dollars(self, shown: Shown, loc: tuple) -> Dollars:
        return self._shown(published_dollars, shown, loc) or dollars(Decimal(0), PUBLISHED)

    def _readiness(self, shown: ReadinessShown, loc: tuple) -> Readiness:
        rate = self._shown(published_rate, shown.rate, (*loc, "rate")) or Rate(
            None, "suppressed", SUPPRESSED_TEXT
        )
        return Readiness(
            graduates=self._count(shown.graduates, (*loc, "graduates")),
            met=self._count(shown.met_points_target, (*loc, "met_points_target")),
            rate=rate,
        )

    def _by_field(self, shown: dict[str, Shown], loc: tuple) -> dict[str, Count]:
        by_field = {}
        for key, value in sorted(shown.items()):
            if key not in self.fields and self._first_unfit(REPORT, key):
                self._wrong(
                    (*loc, key),
                    f"career field '{key}' is no credential's first career field in the catalog: {_MOVED}",
                )
            by_field[key] = self._count(value, (*loc, key))
        return by_field

    def _district(self, district_id: str, loc: tuple) -> None:
        if district_id not in self.districts:
            self._wrong(loc, f"district {district_id} has no school in {SCHOOLS}.csv")

    def _programs(
        self, document: ReportDocument, rows: dict[str, dict[str, tuple[Dollars, Dollars]]]
    ) -> list[ProgramYear]:
        programs = []
        for program, shown in sorted(document.programs.items()):
            loc = ("programs", program)
            payments = {}
            for school_id, claimed_count in sorted(shown.claimed_by_school.items()):
                if school_id not in self.directory:
                    self._wrong(
                        (*loc, "claimed_by_school", school_id), f"school {school_id} is not in {SCHOOLS}.csv"
                    )
                dollars_of = rows.get(program, {}).get(school_id)
                if dollars_of is None:
                    if "reimbursement" not in self.damaged:  # else its problems are said already
                        name = download_name("reimbursement", self.year)
                        self._wrong((*loc, "claimed_by_school", school_id), f"has no row in {name}.csv")
                    continue
                payments[school_id] = Payment(
                    count=self._count(claimed_count, (*loc, "claimed_by_school", school_id)),
                    claimed=dollars_of[0],
                    paid=dollars_of[1],
                )
            programs.append(
                ProgramYear(
                    year=self.year,
                    program=program,
                    allocation=Decimal(shown.allocation_usd),
                    unit_amount=None if shown.unit_amount_usd is None else Decimal(shown.unit_amount_usd),
                    count=self._count(shown.claimed, (*loc, "claimed")),
                    claimed=self._dollars(shown.claimed_usd, (*loc, "claimed_usd")),
                    factor=None if shown.factor is None else Decimal(shown.factor),
                    paid=self._dollars(shown.paid_usd, (*loc, "paid_usd")),
                    payments=payments,
                )
            )
        return programs

    # --- the CSV files

    def _rows(self, kind: str) -> Iterator[tuple[_File, int, dict[str, str]]]:
        """The rows of the year's ``kind`` file whose year and school are the report's
        (``damaged`` holds ``kind`` once they are read, if the file had a problem)."""
        file = _File(self.data_dir / f"{download_name(kind, self.year)}.csv", self.errors)
        columns = [column.name for column in outcome_tables(self.min_cell)[kind].columns]
        for line, cells in _csv_rows(file, self.data_dir, columns):
            try:
                if cells["year"] != str(self.year):
                    raise _Wrong(
                        f"year: must be {self.year}, the year of the file name "
                        f"(got {excerpt(cells['year'])})",
                        "year",
                    )
                self._school_cells(cells)
            except _Wrong as wrong:
                file.error(line, columns.index(wrong.column) + 1 if wrong.column else None, str(wrong))
                continue
            yield file, line, cells
        if file.found:
            self.damaged.add(kind)

    def _school_cells(self, cells: dict[str, str]) -> None:
        """The row's school is in schools.csv, named as there."""
        named = self.named.get(cells["school_id"])
        if named is None:
            raise _Wrong(
                f"school_id: school {excerpt(cells['school_id'])} is not in {SCHOOLS}.csv", "school_id"
            )
        for column, value in named:
            if cells.get(column, value) != value:
                raise _Wrong(
                    f"{column}: not the school's as {SCHOOLS}.csv gives it (got {excerpt(cells[column])})",
                    column,
                )

    def _each_row(
        self, kind: str, read_row: Any, document: ReportDocument
    ) -> Iterator[tuple[int, dict[str, str], Any]]:
        """(line, cells, what ``read_row`` made of them) of each good row of the year's ``kind``
        file; each bad row is an error naming its column."""
        columns = [column.name for column in outcome_tables(self.min_cell)[kind].columns]
        for file, line, cells in self._rows(kind):
            try:
                yield line, cells, read_row(document, cells)
            except _SaidAlready:
                continue
            except _Wrong as wrong:
                file.error(
                    line, columns.index(wrong.column) + 1 if wrong.column in columns else None, str(wrong)
                )

    def _attainment_rows(self, document: ReportDocument) -> dict[str, dict[str, Count]]:
        """School -> credential -> earned, from the attainment file."""
        self._lines = {}
        earned: dict[str, dict[str, Count]] = defaultdict(dict)
        for line, cells, shown in self._each_row("attainment", self._attainment_row, document):
            earned[cells["school_id"]][cells["credential_id"]] = shown
            self._lines[cells["school_id"], cells["credential_id"]] = line
        return {school_id: dict(sorted(counts.items())) for school_id, counts in earned.items()}

    def _attainment_row(self, document: ReportDocument, cells: dict[str, str]) -> Count:
        school_id, credential_id = cells["school_id"], cells["credential_id"]
        self._reported(document, school_id)
        primary = self.facts.primary_field.get(credential_id)
        if primary != cells["career_field"] and not self._first_unfit("attainment", credential_id):
            raise _SaidAlready
        if primary is None:
            raise _Wrong(
                f"credential_id: credential {excerpt(credential_id)} is not in the catalog: {_MOVED}",
                "credential_id",
            )
        if cells["career_field"] != primary:
            raise _Wrong(
                f"career_field: credential '{credential_id}' was reported under career field "
                f"{excerpt(cells['career_field'])}, but its first career field in the catalog is "
                f"'{primary}': {_MOVED}",
                "career_field",
            )
        self._once((school_id, credential_id), f"school {school_id} and credential '{credential_id}'")
        status = _at("status", _status, cells["status"])
        return _at("earned", published_count, cells["earned"], status, self.min_cell)

    def _readiness_rows(self, document: ReportDocument) -> dict[str, Readiness]:
        """School -> readiness, from the readiness file."""
        self._lines = {}
        ready: dict[str, Readiness] = {}
        for line, cells, readiness in self._each_row("readiness", self._readiness_row, document):
            ready[cells["school_id"]], self._lines[(cells["school_id"],)] = readiness, line
        return ready

    def _readiness_row(self, document: ReportDocument, cells: dict[str, str]) -> Readiness:
        school_id = cells["school_id"]
        self._reported(document, school_id)
        self._once((school_id,), f"school {school_id}")
        rate = _at("rate", published_rate, cells["rate"], _rate_status(cells["rate"]))
        # the row's status is the rate's when the rate is a coded range, else the met count's
        status = _at("status", _status, cells["status"])
        if rate.status in CODED_STATUSES and status != rate.status:
            raise _Wrong(
                f"status: a row whose rate is shown as a range has the rate's status, {rate.status}", "status"
            )
        if rate.status not in CODED_STATUSES and status in CODED_STATUSES:
            raise _Wrong(
                f"status: {status} goes with a rate shown as a range (got rate {excerpt(cells['rate'])})",
                "status",
            )
        return Readiness(
            graduates=_at(
                "graduates",
                published_count,
                cells["graduates"],
                _at("graduates_status", _status, cells["graduates_status"]),
                self.min_cell,
            ),
            met=_at("met_points_target", published_count, cells["met_points_target"], status, self.min_cell),
            rate=rate,
        )

    def _reimbursement_rows(self, document: ReportDocument) -> dict[str, dict[str, tuple[Dollars, Dollars]]]:
        """Program -> school -> (claimed, paid), from the reimbursement file."""
        self._lines = {}
        paid: dict[str, dict[str, tuple[Dollars, Dollars]]] = defaultdict(dict)
        for line, cells, amounts in self._each_row("reimbursement", self._reimbursement_row, document):
            paid[cells["program"]][cells["school_id"]] = amounts
            self._lines[cells["program"], cells["school_id"]] = line
        return paid

    def _reimbursement_row(self, document: ReportDocument, cells: dict[str, str]) -> tuple[Dollars, Dollars]:
        program, school_id = cells["program"], cells["school_id"]
        shown = document.programs.get(program)
        if shown is None:
            raise _Wrong(
                f"program: {excerpt(program)} is not a program of {report_file(self.year)}", "program"
            )
        if school_id not in shown.claimed_by_school:
            raise _Wrong(
                f"school_id: school {school_id} claimed nothing under '{program}' in "
                f"{report_file(self.year)}",
                "school_id",
            )
        factor = SUPPRESSED_TEXT if shown.factor is None else shown.factor
        if cells["factor"] != factor:
            raise _Wrong(
                f"factor: the program's factor is {factor} in {report_file(self.year)} "
                f"(got {excerpt(cells['factor'])})",
                "factor",
            )
        self._once((program, school_id), f"program '{program}' and school {school_id}")
        status = _at("status", _status, cells["status"])
        # the dollars' status (``reports.dollars_status``): both amounts have it
        return (
            _at("claimed_usd", published_dollars, cells["claimed_usd"], status),
            _at("paid_usd", published_dollars, cells["paid_usd"], status),
        )

    def _first_unfit(self, kind: str, key: str) -> bool:
        """Whether ``key`` (a credential or career field that does not fit the catalog) is
        said for the first time in the ``kind`` file: it is said once per file."""
        first = (kind, key) not in self.unfit
        self.unfit.add((kind, key))
        return first

    def _reported(self, document: ReportDocument, school_id: str) -> None:
        if school_id not in document.schools:
            raise _Wrong(
                f"school_id: school {school_id} has no figures in {report_file(self.year)}", "school_id"
            )

    def _once(self, key: tuple[str, ...], what: str) -> None:
        if key in self._lines:
            raise _Wrong(f"the row of {what} is also at line {self._lines[key]}")
