"""What data catalogs harvest (SPEC 9): the licence, version, date and publisher of the open
data, for ``datapackage.json``, and ``/data.json``, the site's entry for data portals such as
data.gov: a DCAT-US 1.1 catalog (the Project Open Data metadata schema) whose datasets list
every file under /data/ as a distribution.

``/data.json`` is written from the files on disk once /data/ is complete, so it lists exactly
what was published. Every date comes from the build's date (the catalog's last commit or
``SOURCE_DATE_EPOCH``), never the clock, so two builds of one commit write the same bytes.

- ``version`` is ``<current_year>.<YYYYMMDD>.0``: the program year the site reports on, then
  the day of the data; it reads as a semantic version, and a later one is newer data.
- ``created`` is the build's moment in UTC; left out when the build has no date (no git
  history and no ``SOURCE_DATE_EPOCH``), rather than taken from the clock.
- DCAT-US requires a contact e-mail address (``contactPoint.hasEmail``): it is
  ``site.yml`` ``contact_email``. Without one the contact point holds only the name, and
  harvesters that check the schema (data.gov's) refuse the entry.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.phrases import N_
from site_builder.site import ctdl
from site_builder.site.licenses import license_of
from site_builder.site.writer import write_text

#: where the DCAT-US catalog is published, beside /data/ (data portals look for /data.json)
DCAT_FILE = "data.json"
DCAT_URL = "/" + DCAT_FILE
DCAT_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
CTDL_TERMS = "https://credreg.net/ctdl/terms/"

#: the section of the /data/ page each dataset is on; the datasets' identifiers
CATALOG_SECTION = "catalog-data"
OUTCOME_SECTION = "outcome-data"

MEDIA_TYPES = {
    ".csv": ("text/csv", "CSV"),
    ".json": ("application/json", "JSON"),
    ".jsonld": ("application/ld+json", "JSON-LD"),
}

#: files of the catalog that no Frictionless resource describes, by their path under /data/
CATALOG_FILES = {
    "catalog.json": (
        "Credential catalog (JSON)",
        "Every credential with all its facts and what the site derives from them (quality rating, "
        "stacking, pathways), plus the career fields, pathways, issuers and occupations.",
    ),
    "datapackage.json": (
        "Description of the files (Frictionless data package)",
        "The name, type and meaning of every column of the CSV files and their keys, the license, "
        "version and publisher; tools such as frictionless can check the files against it.",
    ),
}
#: the list and the graph in CTDL (``ctdl.COLLECTION_FILE``, ``ctdl.GRAPH_FILE``)
COLLECTION_TEXT = (
    "The list as a CTDL collection (JSON-LD)",
    "The state's list of credentials as a ceterms:Collection, one dated member per credential.",
)
GRAPH_TEXT = (
    "Every CTDL document in one graph (JSON-LD)",
    "The collection and every credential in one @graph, for bulk publishing to the Credential Registry.",
)


def data_day(catalog: Catalog, built_on: dt.date | None) -> dt.date:
    """The day of the data: the build's, else the latest day a credential was approved or
    reviewed (a build without git history or ``SOURCE_DATE_EPOCH``), else the program
    year's first day."""
    if built_on is not None:
        return built_on
    return max(
        (
            day
            for credential in catalog.credentials.values()
            for day in (credential.approved, credential.last_reviewed)
            if day is not None
        ),
        default=dt.date(catalog.site.current_year, 1, 1),
    )


def data_version(catalog: Catalog, built_on: dt.date | None) -> str:
    """``<current_year>.<YYYYMMDD>.0``: the program year, then the day of the data."""
    return f"{catalog.site.current_year}.{data_day(catalog, built_on):%Y%m%d}.0"


VERSION_NOTE = N_(
    "The version is the program year the site reports on, then the day of the data (YYYYMMDD), "
    "then 0: a later version holds newer data."
)


def _publisher_name(catalog: Catalog) -> str:
    return catalog.site.agency.name if catalog.site.agency else catalog.site.title


def package_facts(catalog: Catalog, built_at: dt.datetime | None) -> dict:
    """``licenses``, ``version``, ``created`` and ``contributors`` of ``datapackage.json``."""
    site = catalog.site
    publisher: dict[str, str] = {
        "title": _publisher_name(catalog),
        "path": site.agency.url if site.agency else site.base_url,
        "role": "publisher",
    }
    if site.contact_email:
        publisher["email"] = site.contact_email
    contributors = [publisher]
    if site.repository_url:
        contributors.append(
            {
                "title": "Contributors to the catalog (its Git repository)",
                "path": site.repository_url,
                "role": "contributor",
            }
        )
    facts: dict = {
        "licenses": [license_of(site.data_license).descriptor()],
        "version": data_version(catalog, built_at.date() if built_at is not None else None),
    }
    if built_at is not None:
        facts["created"] = built_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    facts["contributors"] = contributors
    return facts


def _distribution(base: str, relative: str, title: str, description: str, described: bool) -> dict:
    media_type, format_ = MEDIA_TYPES.get(Path(relative).suffix, ("application/octet-stream", "data"))
    distribution = {
        "@type": "dcat:Distribution",
        "title": title,
        "description": description,
        "downloadURL": f"{base}/data/{relative}",
        "mediaType": media_type,
        "format": format_,
    }
    if described:  # a CSV or JSON file of datapackage.json, whose columns it describes
        distribution["describedBy"] = f"{base}/data/datapackage.json"
        distribution["describedByType"] = "application/json"
    elif format_ == "JSON-LD":
        distribution["conformsTo"] = CTDL_TERMS
    return distribution


def _file_text(catalog: Catalog, relative: str) -> tuple[str, str]:
    """The title and description of a catalog file no Frictionless resource describes."""
    known = {**CATALOG_FILES, ctdl.COLLECTION_FILE: COLLECTION_TEXT, ctdl.GRAPH_FILE: GRAPH_TEXT}
    if relative in known:
        return known[relative]
    folder, _, name = relative.rpartition("/")
    key = name.removesuffix(".jsonld")
    if folder == ctdl.CREDENTIALS_FOLDER and key in catalog.credentials:
        return (
            f"{catalog.credentials[key].name} (CTDL JSON-LD)",
            "The credential in CTDL, the Credential Transparency Description Language of the "
            "Credential Registry.",
        )
    return relative, "A file of the site's open data; the /data/ page describes the files."


def dcat_catalog(catalog: Catalog, data_dir: Path, resources: list[dict], built_on: dt.date | None) -> dict:
    """The DCAT-US 1.1 catalog of every file under ``data_dir`` (except the /data/ page):
    a dataset of the credential catalog and, with outcome data, one of the school reports.

    ``resources`` are datapackage.json's: their files take their titles and descriptions;
    the ones other than catalog.csv are the outcome reports."""
    site = catalog.site
    base = site.base_url.rstrip("/")
    described = {resource["path"]: resource for resource in resources}
    outcome_files = {path for path in described if path != "catalog.csv"}
    files = sorted(
        path.relative_to(data_dir).as_posix()
        for path in data_dir.rglob("*")
        if path.is_file() and path != data_dir / "index.html"
    )
    catalog_distributions, outcome_distributions = [], []
    for relative in files:
        if relative in described:
            resource = described[relative]
            distribution = _distribution(base, relative, resource["title"], resource["description"], True)
        else:
            distribution = _distribution(base, relative, *_file_text(catalog, relative), False)
        (outcome_distributions if relative in outcome_files else catalog_distributions).append(distribution)

    licence = license_of(site.data_license)
    contact = {"@type": "vcard:Contact", "fn": _publisher_name(catalog)}
    if site.contact_email:
        contact["hasEmail"] = f"mailto:{site.contact_email}"
    place = [site.jurisdiction.name] if site.jurisdiction else []

    def dataset(section: str, title: str, description: str, keywords: list[str], distributions: list) -> dict:
        entry: dict = {
            "@type": "dcat:Dataset",
            "identifier": f"{base}/data/#{section}",
            "title": title,
            "description": description,
            "keyword": keywords + place,
            "modified": data_day(catalog, built_on).isoformat(),
            "publisher": {"@type": "org:Organization", "name": _publisher_name(catalog)},
            "contactPoint": contact,
            "accessLevel": "public",
            "license": licence.url,
            "landingPage": f"{base}/data/",
            "describedBy": f"{base}/data/datapackage.json",
            "describedByType": "application/json",
            "language": [site.language],
            "theme": ["Education"],
        }
        if site.jurisdiction:
            entry["spatial"] = site.jurisdiction.name
        if site.repository_url:
            entry["references"] = [site.repository_url]
        entry["distribution"] = distributions
        return entry

    datasets = [
        dataset(
            CATALOG_SECTION,
            f"{site.title}: the credential catalog",
            f"{site.description} Every credential with its facts, quality rating and stacking, in "
            "JSON, CSV and CTDL JSON-LD (the language of the Credential Registry).",
            ["industry-recognized credentials", "credentials", "certifications", "career and technical education", "CTDL"],
            catalog_distributions,
        )
    ]  # fmt: skip
    if outcome_distributions:
        datasets.append(
            dataset(
                OUTCOME_SECTION,
                f"{site.title}: school outcome reports",
                "Credentials earned, graduates' readiness and reimbursement by school and school year, "
                "as published on the site: counts that could identify students are hidden, and every "
                "row says whether its numbers are shown or why they are hidden.",
                ["credential attainment", "college and career readiness", "schools", "reimbursement"],
                outcome_distributions,
            )
        )
    return {
        "@context": f"{DCAT_SCHEMA}/catalog.jsonld",
        "@id": f"{base}{DCAT_URL}",
        "@type": "dcat:Catalog",
        "conformsTo": DCAT_SCHEMA,
        "describedBy": f"{DCAT_SCHEMA}/catalog.json",
        "dataset": datasets,
    }


def write_dcat(catalog: Catalog, data_dir: Path, resources: list[dict], built_on: dt.date | None) -> Path:
    """Write ``/data.json`` beside ``data_dir`` once every file of /data/ is written; its path."""
    path = data_dir.parent / DCAT_FILE
    document = dcat_catalog(catalog, data_dir, resources, built_on)
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
