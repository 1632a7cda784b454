"""What /data/ holds (SPEC 6), in one place: every download, and the page that lists them.

- ``catalog.json`` and ``catalog.csv``: the catalog with its derived fields (quality, stacking,
  pathways), one record per credential;
- ``credentials/<id>.jsonld``: each credential in CTDL, the Credential Transparency Description
  Language of the Credential Registry, and in ``ctdl/`` the list as a CTDL collection and
  everything in one graph (made by ``site_builder.site.ctdl``);
- the outcome downloads (``downloads``), written from the protected reports only: each year's
  CSV files and ``report-<year>.json``, and ``schools.csv``;
- ``datapackage.json``: the Frictionless descriptor of every CSV file and report document,
  with the license, version and publisher;
- and beside /data/, ``/data.json``: the DCAT-US catalog of every file here, for data portals
  (``harvest``).

The files are written first and the /data/ page is built last, from the files on disk, so the
sizes it shows are the sizes of what was published.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import get_args

from site_builder.catalog import Catalog
from site_builder.catalog.models import (
    SLUG_PATTERN,
    STATE_CODE_PATTERN,
    CredentialType,
    Portability,
    Status,
)
from site_builder.csvsafe import csv_text
from site_builder.derive import Derived
from site_builder.phrases import N_, Phrase
from site_builder.reports import Reports
from site_builder.reports.model import Statewide
from site_builder.rules.quality import CRITERIA, Overall, Rating
from site_builder.site import ctdl
from site_builder.site.downloads import (
    REPORT,
    REPORT_KEYS,
    download_resources,
    outcome_tables,
    write_datapackage,
    write_downloads,
)
from site_builder.site.harvest import DCAT_FILE, DCAT_URL, VERSION_NOTE, write_dcat
from site_builder.site.i18n import _, translated
from site_builder.site.pages import Page, canonical, career_field_url, credential_url, pathway_url
from site_builder.site.report_pages import CatalogNames
from site_builder.site.writer import write_text

DATA_URL = "/data/"
CATALOG_JSON = "catalog.json"
CATALOG_CSV = "catalog.csv"
DATAPACKAGE = "datapackage.json"

# --- catalog.json ------------------------------------------------------------------------------


def money_number(amount: Decimal) -> int | float:
    """A JSON number for a dollar amount: whole dollars as an integer, else rounded to the cent."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def plain(value: object) -> object:
    """A model value as plain JSON: dates in ISO form, money as numbers, lists and dicts recursively."""
    if isinstance(value, Decimal):
        return money_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def credential_record(catalog: Catalog, derived: Derived, credential_id: str) -> dict:
    """One credential: every field of its file, and what the site derives from it."""
    credential = catalog.credentials[credential_id]
    quality = derived.quality[credential_id]
    # every front-matter field, so a field added to the model is exported without a change here
    record = {key: plain(value) for key, value in credential.model_dump().items()}
    record.update(
        # a fact left out of the file is null above, as is a documented null: this tells them apart
        missing_facts=list(credential.missing_facts()),
        issuer_name=catalog.issuers[credential.issuer].name,
        stacked_from=list(derived.stacked_from.get(credential_id, [])),
        pathways=list(derived.pathways_of.get(credential_id, [])),
        quality={
            "overall": quality.overall,
            "criteria": {result.criterion: result.rating for result in quality.criteria},
        },
        url=canonical(catalog, credential_url(credential_id)),
        ctdl_url=canonical(catalog, ctdl.credential_path(credential_id)),
    )
    return record


def catalog_document(catalog: Catalog, derived: Derived) -> dict:
    """The whole of ``catalog.json``: credentials sorted by id, with the lists they refer to."""
    return {
        "title": catalog.site.title,
        "description": catalog.site.description,
        "generated_from": catalog.site.base_url,
        "points_target": catalog.site.points_target,
        "quality_criteria": list(CRITERIA),
        "credentials": [credential_record(catalog, derived, key) for key in sorted(catalog.credentials)],
        "career_fields": [
            {
                "id": key,
                "name": career_field.name,
                "description": career_field.description,
                "url": canonical(catalog, career_field_url(key)),
            }
            for key, career_field in catalog.career_fields.items()
        ],
        "pathways": [
            {
                "id": key,
                "name": pathway.name,
                "career_field": pathway.career_field,
                "summary": pathway.summary,
                "steps": [list(step.credentials) for step in pathway.steps],
                "url": canonical(catalog, pathway_url(key)),
            }
            for key, pathway in sorted(catalog.pathways.items())
        ],
        "issuers": [
            {"id": key, **plain(issuer.model_dump())} for key, issuer in sorted(catalog.issuers.items())
        ],
        "occupations": [
            plain(occupation.model_dump()) for _, occupation in sorted(catalog.occupations.items())
        ],
        # the programs of site.yml; each credential's "programs" lists its memberships
        "programs": [plain(program.model_dump()) for program in catalog.site.programs],
    }


def json_text(data: object) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text, a final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- catalog.csv -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogColumn:
    """One column of ``catalog.csv``: its Table Schema field and how a record fills it."""

    name: str
    type: str
    description: str
    value: Callable[[dict], object]
    constraints: dict
    #: the Table Schema format of a string column ("uri")
    format: str | None = None


def _field(name: str) -> Callable[[dict], object]:
    return lambda record: record[name]


def _criterion_column(criterion: str) -> CatalogColumn:
    return _column(
        "quality_" + re.sub(r"[^a-z0-9]+", "_", criterion),
        "string",
        Phrase(
            N_(
                "Rating on the '%(criterion)s' quality criterion: meets, partial, does-not-meet, "
                "or not-enough-evidence while the facts that decide it are not yet documented."
            ),
            criterion=Phrase(criterion),  # the criterion's name, translated on the page
        ),
        value=lambda record: record["quality"]["criteria"][criterion],
        enum=list(get_args(Rating)),
    )


def _column(
    name: str,
    type_: str,
    description: str,
    *,
    required: bool = True,
    format_: str | None = None,
    value: Callable[[dict], object] | None = None,
    **constraints: object,
) -> CatalogColumn:
    """A column filled from the record's field of the same name unless ``value`` says otherwise."""
    if required:
        constraints = {"required": True, **constraints}
    return CatalogColumn(name, type_, description, value or _field(name), constraints, format_)


def catalog_columns() -> tuple[CatalogColumn, ...]:
    """The columns of ``catalog.csv``, in order; lists of ids are joined with ';'."""
    return (
        _column("id", "string", N_("Credential id, as in the catalog."), unique=True, pattern=SLUG_PATTERN),
        _column("name", "string", N_("The credential's official name.")),
        _column("issuer", "string", N_("Id of the organization that awards it.")),
        _column("issuer_name", "string", N_("Name of the organization that awards it.")),
        _column(
            "type", "string", N_("certification, license, certificate or badge; empty when not yet documented."),
            required=False, enum=list(get_args(CredentialType)),
        ),
        _column("career_fields", "string", N_("Ids of its career fields, separated by ';'; the first is the primary field.")),
        _column("points", "integer", N_("Points toward the goal, 1 to 12."), minimum=1, maximum=12),
        _column("status", "string", N_("approved, sunsetting or retired."), enum=list(get_args(Status))),
        _column("approved", "date", N_("Date it was added to the approved list.")),
        _column("sunset", "date", N_("Date it leaves (or left) the approved list; empty while it stays."), required=False),
        _column("summary", "string", N_("One plain-language sentence for families; empty when not yet documented."), required=False),
        _column("exam_fee_usd", "number", N_("Exam fee in US dollars; empty when unknown or not yet documented (see missing_facts)."), required=False, minimum=0),
        _column("valid_years", "integer", N_("Years it stays valid; empty when it does not expire or is not yet documented (see missing_facts)."), required=False, minimum=1),
        _column(
            "portability", "string",
            N_("Where employers recognize it: national, multi-state, state or regional; empty when not yet documented."),
            required=False, enum=list(get_args(Portability)),
        ),
        _column(
            "college_credit_hours", "integer", N_("College credit hours it earns; 0 when none, empty when not yet documented."),
            required=False, minimum=0,
        ),
        _column("occupations", "string", N_("SOC codes of the jobs it leads to, separated by ';'; empty when none or not yet documented (see missing_facts)."), required=False),
        _column("stacks_to", "string", N_("Ids of the credentials it prepares for, separated by ';'; empty when none or not yet documented (see missing_facts)."), required=False),
        _column("stacked_from", "string", N_("Ids of the credentials that prepare for it, separated by ';'; empty when none."), required=False),
        _column("pathways", "string", N_("Ids of the pathways that include it, separated by ';'; empty when none."), required=False),
        _column(
            "quality_overall", "string", N_("Overall quality rating: High, Moderate, Limited, or Not yet rated while a criterion lacks evidence."),
            value=lambda record: record["quality"]["overall"], enum=list(get_args(Overall)),
        ),
        *(_criterion_column(criterion) for criterion in CRITERIA),
        _column("assessment", "string", N_("How candidates are assessed; empty when not yet documented."), required=False),
        _column("prerequisites", "string", N_("What a candidate needs first; empty when not yet documented."), required=False),
        _column("renewal", "string", N_("How a holder renews it; empty when not yet documented."), required=False),
        _column(
            "verification_url", "string", N_("Where an employer verifies a holder; empty when none is listed."),
            required=False, format_="uri",
        ),
        _column("last_reviewed", "date", N_("When its facts were last checked; empty when not yet documented."), required=False),
        _column(
            "missing_facts", "string",
            N_("Facts of its file not yet documented, separated by ';'; empty when fully documented (see /contribute/)."),
            required=False,
        ),
        _column(
            "state_code", "string",
            N_("The id the state's reporting system uses for it (outcome files may name it so); empty when none."),
            required=False, unique=True, pattern=STATE_CODE_PATTERN,
        ),
        _column(
            "cip_codes", "string",
            N_("CIP codes (NN.NNNN) of the instructional programs that lead to it, separated by ';'; empty when none."),
            required=False,
        ),
        _column(
            "programs", "string",
            N_("Ids of the programs it qualifies for (catalog.json's programs list them), separated by ';'; empty when none."),
            required=False,
            value=lambda record: list(dict.fromkeys(membership["program"] for membership in record["programs"])),
        ),
        _column("url", "string", N_("Its page on this site."), format_="uri"),
    )  # fmt: skip


def csv_cell(value: object) -> str:
    """Empty for null and for an empty list (declared as the missing value); lists joined with ';'."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def catalog_csv(records: list[dict]) -> str:
    columns = catalog_columns()
    rows = ([csv_cell(column.value(record)) for column in columns] for record in records)
    return csv_text([column.name for column in columns], rows)


def catalog_resource() -> dict:
    """The Frictionless resource descriptor of ``catalog.csv``."""
    fields = []
    for column in catalog_columns():
        field: dict = {"name": column.name, "type": column.type, "description": column.description}
        if column.format:
            field["format"] = column.format
        if column.constraints:
            field["constraints"] = column.constraints
        fields.append(field)
    return {
        "name": "catalog",
        "type": "table",
        "path": CATALOG_CSV,
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Credential catalog",
        "description": (
            "Every credential in the catalog, one row each, with its quality rating and how it stacks. "
            "An empty cell means none, unknown or does not apply, as each column says. "
            "catalog.json holds the same records, plus the competencies and sources of each credential "
            "and the tier and amount of each program it qualifies for."
        ),
        "schema": {"fields": fields, "primaryKey": ["id"], "missingValues": [""]},
    }


# --- writing /data/ and the page that lists it -------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One file (or, for the JSON-LD documents, one family of files) listed on the /data/ page."""

    url: str
    #: what the file is, in words; the link text
    label: str
    #: the file's path under /data/, shown next to the label
    name: str
    description: str
    bytes: int
    #: how many files the entry stands for (the JSON-LD documents), else 1
    files: int = 1

    @property
    def size(self) -> str:
        return size_text(self.bytes)


def size_text(size: int) -> str:
    """'850 bytes', '12.4 KB' or '1.3 MB' (1 KB = 1,024 bytes)."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def write_open_data(
    catalog: Catalog,
    derived: Derived,
    statewide: Statewide | None,
    data_dir: Path,
    downloads: Reports | None = None,
    built_at: dt.datetime | None = None,
) -> Page:
    """Write every file of /data/, then /data.json, the DCAT-US catalog that lists them
    (``harvest``); return the /data/ page that lists them all (render it afterwards).
    ``built_at`` is the build's moment (``build.build_time``): the data's date and version.

    The outcome downloads are written from ``downloads``, the reports; without them, they are
    already there (copied from an earlier build's, ``site_builder.cache.PagesCache``), or
    there is no outcome data (``statewide`` None).
    """
    records = [credential_record(catalog, derived, key) for key in sorted(catalog.credentials)]
    write_text(data_dir / CATALOG_JSON, json_text(catalog_document(catalog, derived)))
    write_text(data_dir / CATALOG_CSV, catalog_csv(records))
    # the CTDL documents carry the statewide counts published this build (``statewide``, from
    # the reports or the reports cache, keyed on the outcome data): written on every build,
    # never copied from an earlier one, so they change whenever the published counts do
    credential_nodes = [
        ctdl.credential_node(catalog, derived, statewide, key) for key in sorted(catalog.credentials)
    ]
    for key, node in zip(sorted(catalog.credentials), credential_nodes, strict=True):
        write_text(
            data_dir / ctdl.CREDENTIALS_FOLDER / f"{key}.jsonld",
            json_text({"@context": ctdl.CTDL_CONTEXT, **node}),
        )
    write_text(data_dir / ctdl.COLLECTION_FILE, json_text(ctdl.collection_document(catalog)))
    write_text(data_dir / ctdl.GRAPH_FILE, json_text(ctdl.graph_document(catalog, credential_nodes)))
    if downloads is not None:
        write_downloads(CatalogNames.of(catalog), downloads, data_dir)
    resources = listed_resources(statewide)
    min_cell = statewide.min_cell if statewide is not None else None
    write_datapackage(catalog, resources, min_cell, data_dir, built_at)
    # last: the DCAT catalog lists the files on disk
    write_dcat(catalog, data_dir, resources, built_at.date() if built_at is not None else None)
    return data_page(catalog, statewide, resources, data_dir)


def listed_resources(statewide: Statewide | None) -> list[dict]:
    """The Frictionless resources of /data/: the catalog's, then the outcome downloads'."""
    return [catalog_resource(), *(download_resources(statewide) if statewide is not None else [])]


def data_page_of(catalog: Catalog, statewide: Statewide | None, data_dir: Path) -> Page:
    """The /data/ page of files already written (``write_open_data``), in the active language."""
    return data_page(catalog, statewide, listed_resources(statewide), data_dir)


def columns_of(resource: dict) -> list[dict]:
    """Name, type and meaning of each column, as the Frictionless descriptor states them (in
    English: the files are the same for all languages), the meaning in the page's language."""
    return [
        {"name": field["name"], "type": field["type"], "description": translated(field["description"])}
        for field in resource["schema"]["fields"]
    ]


def _kind_of(resource: dict) -> str:
    """'attainment' for 'attainment-2024', 'schools' for 'schools'."""
    kind, _, year = resource["name"].rpartition("-")
    return kind if kind and year.isdigit() else resource["name"]


def _file_description(resource: dict) -> str:
    year = resource["name"].rpartition("-")[2]
    return _("The %(year)s school year.") % {"year": year} if year.isdigit() else _("All years.")


def data_page(catalog: Catalog, statewide: Statewide | None, resources: list[dict], data_dir: Path) -> Page:
    """The /data/ page: every file under /data/ with its size on disk, and the meaning of each column."""

    def download(name: str, label: str, description: str) -> Download:
        return Download(DATA_URL + name, label, name, description, (data_dir / name).stat().st_size)

    ctdl_files = sorted((data_dir / ctdl.CREDENTIALS_FOLDER).glob("*.jsonld"))
    example = min(catalog.credentials)
    catalog_files = [
        download(
            CATALOG_JSON,
            _("The catalog in JSON"),
            _(
                "Every credential with all its facts and what the site derives from them (quality rating and "
                "criteria, what it stacks to and from, its pathways), plus the career fields, pathways, issuers "
                "and occupations."
            ),
        ),
        download(
            CATALOG_CSV,
            _("The catalog in CSV"),
            _("One row per credential, for spreadsheets. The columns are listed below."),
        ),
        Download(
            ctdl.credential_path(example),
            _("Each credential in CTDL JSON-LD (example: %(name)s)")
            % {"name": catalog.credentials[example].name},
            f"{ctdl.CREDENTIALS_FOLDER}/<id>.jsonld",
            _(
                "One file per credential, in the Credential Transparency Description Language (CTDL) of the "
                "Credential Registry: who issues it, what it takes to earn and renew, its cost, the jobs it "
                "leads to and how many students earned it statewide each year. Every credential page links "
                "to its own file. The size is that of all the files together."
            ),
            sum(path.stat().st_size for path in ctdl_files),
            files=len(ctdl_files),
        ),
        download(
            ctdl.COLLECTION_FILE,
            _("The list in CTDL JSON-LD"),
            _(
                "The list itself as a CTDL collection: one member for every credential that is or was on it, "
                "with the date it joined the list and the date it leaves or left it."
            ),
        ),
        download(
            ctdl.GRAPH_FILE,
            _("The list and every credential in one CTDL file"),
            _(
                "The collection and every credential's document in one JSON-LD graph, for publishing to the "
                "Credential Registry in bulk."
            ),
        ),
    ]
    outcome_sections = []
    if statewide is not None:
        for kind, table in outcome_tables(statewide.min_cell).items():
            of_kind = [resource for resource in resources if _kind_of(resource) == kind]
            if of_kind:
                outcome_sections.append(
                    {
                        "id": kind,
                        "title": translated(table.title),
                        "description": translated(table.description),
                        "files": [
                            download(
                                resource["path"], translated(resource["title"]), _file_description(resource)
                            )
                            for resource in of_kind
                        ],
                        "columns": columns_of(of_kind[0]),
                        "columns_caption": _("%(table)s: columns") % {"table": translated(table.title)},
                    }
                )
        reports = [resource for resource in resources if _kind_of(resource) == REPORT]
        if reports:
            outcome_sections.append(
                {
                    "id": REPORT,
                    "title": _("The rest of each year's report"),
                    "description": translated(reports[0]["description"]),
                    "files": [
                        download(resource["path"], translated(resource["title"]), _file_description(resource))
                        for resource in reports
                    ],
                    "columns": [
                        {"name": key.name, "type": key.type, "description": translated(key.description)}
                        for key in REPORT_KEYS
                    ],
                    "columns_caption": _("The rest of each year's report: keys"),
                }
            )
    descriptor = download(
        DATAPACKAGE,
        _("Description of the files (Frictionless data package)"),
        _(
            "Describes every CSV file here (each column's name, type and meaning, and the keys) and "
            "every report-<year>.json. Tools such as frictionless can check the files against it."
        ),
    )
    dcat = Download(
        DCAT_URL,
        _("Entry for data portals (DCAT-US catalog)"),
        DCAT_URL,
        _(
            "Lists every file here, with its address, type and license, in the Project Open Data "
            "metadata schema (DCAT-US 1.1) that data.gov and other data portals harvest."
        ),
        (data_dir.parent / DCAT_FILE).stat().st_size,
    )
    # the license and version the descriptor states, as written
    package = json.loads((data_dir / DATAPACKAGE).read_text(encoding="utf-8"))
    catalog_resource_ = next(resource for resource in resources if resource["path"] == CATALOG_CSV)
    return Page(
        path=DATA_URL,
        template="data.html",
        title=_("Download the data"),
        description=(
            _(
                "The %(title)s as open data: the catalog in JSON, CSV and CTDL JSON-LD, and the school outcome "
                "reports in CSV and JSON."
            )
            if outcome_sections
            else _("The %(title)s as open data: the catalog in JSON, CSV and CTDL JSON-LD.")
        )
        % {"title": catalog.site.title},
        context={
            "catalog_files": catalog_files,
            "catalog_columns": columns_of(catalog_resource_),
            "outcome_sections": outcome_sections,
            "descriptors": [descriptor, dcat],
            "license": package["licenses"][0],
            "version": package["version"],
            "version_note": translated(VERSION_NOTE),
        },
    )
