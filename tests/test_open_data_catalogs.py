"""Open data that catalogs can harvest (SPEC 9): the published ``/data/datapackage.json`` passes
``frictionless validate`` and carries its licence, version, date and publisher; ``/data.json``
is a DCAT-US 1.1 catalog listing every file under /data/ as a distribution.

Read from the sites built once per session (``small_open_data``, ``sample_open_data``), both
built with SOURCE_DATE_EPOCH=1700000000 (2023-11-14T22:13:20Z). The sample names its agency,
jurisdiction and contact address; the small catalog names none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import frictionless
import pytest
from open_data_sites import OpenData
from test_diff import commit_all, git

from site_builder.build import build_time
from site_builder.site.harvest import data_version, package_facts
from site_builder.site.licenses import license_of

#: SOURCE_DATE_EPOCH of the session's sites
BUILT_AT = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
DCAT_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
#: DCAT-US 1.1 (catalog.json of the Project Open Data schema): the patterns of these fields
MAILTO = re.compile(r"^mailto:[\w\_\~\!\$\&\'\(\)\*\+\,\;\=\:.-]+@[\w.-]+\.[\w.-]+?$")
MEDIA_TYPE = re.compile(r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(params=["small", "sample"])
def site(request: pytest.FixtureRequest) -> OpenData:
    return request.getfixturevalue(f"{request.param}_open_data")


def dcat(site: OpenData) -> dict:
    return json.loads((site.root / "data.json").read_text(encoding="utf-8"))


def published_files(site: OpenData) -> set[str]:
    """Every file under /data/ but the /data/ page, by its path there."""
    return {
        path.relative_to(site.data).as_posix()
        for path in site.data.rglob("*")
        if path.is_file() and path != site.data / "index.html"
    }


# --- datapackage.json ---------------------------------------------------------------------------


def test_published_datapackage_passes_frictionless_validate(site: OpenData) -> None:
    report = frictionless.validate(str(site.data / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.stats["tasks"] == len(site.json("datapackage.json")["resources"])


def test_datapackage_names_its_licence_version_date_and_publisher(site: OpenData) -> None:
    descriptor = site.json("datapackage.json")
    config = site.catalog.site
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert descriptor["version"] == f"{config.current_year}.20231114.0"
    assert descriptor["created"] == "2023-11-14T22:13:20Z"
    assert "The version is the program year" in descriptor["description"]
    publisher, *others = descriptor["contributors"]
    if config.agency is not None:
        assert publisher == {
            "title": config.agency.name,
            "path": config.agency.url,
            "role": "publisher",
            "email": config.contact_email,
        }
    else:
        assert publisher == {"title": config.title, "path": config.base_url, "role": "publisher"}
    assert others == (
        [{"title": "Contributors to the catalog (its Git repository)", "path": config.repository_url, "role": "contributor"}]
        if config.repository_url
        else []
    )  # fmt: skip
    # frictionless reads them as package metadata
    package = frictionless.Package(str(site.data / "datapackage.json"))
    assert package.version == descriptor["version"] and package.created == descriptor["created"]
    assert [license["name"] for license in package.licenses] == ["CC-BY-4.0"]


@pytest.mark.parametrize(
    ("spdx", "path"),
    [
        ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ("cc0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("ODC-By-1.0", "https://opendatacommons.org/licenses/by/1-0/"),
        ("PDDL-1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
        ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
        # any other SPDX identifier: its SPDX page, which holds the text
        ("Apache-2.0", "https://spdx.org/licenses/Apache-2.0.html"),
    ],
)
def test_licences_are_named_by_their_canonical_address(spdx: str, path: str) -> None:
    licence = license_of(spdx).descriptor()
    assert licence["path"] == path
    assert licence["name"].lower() == spdx.lower() and licence["title"]


def test_a_build_without_a_date_says_no_creation_time(small_open_data: OpenData) -> None:
    """No git history and no SOURCE_DATE_EPOCH: no ``created`` rather than the clock's, and
    the version is dated by the latest approval or review."""
    facts = package_facts(small_open_data.catalog, None)
    assert "created" not in facts
    latest = max(
        day
        for credential in small_open_data.catalog.credentials.values()
        for day in (credential.approved, credential.last_reviewed)
        if day is not None
    )
    assert facts["version"] == f"2025.{latest:%Y%m%d}.0"
    later = replace(
        small_open_data.catalog, site=small_open_data.catalog.site.model_copy(update={"current_year": 2026})
    )
    assert data_version(later, dt.date(2026, 1, 2)) == "2026.20260102.0" > facts["version"]


def test_created_is_the_catalogs_last_commit_without_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git(tmp_path, "init", "--quiet")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "site.yml").write_text("title: x\n")
    commit_all(tmp_path, "Add the catalog", "2024-05-20T09:30:00+02:00")
    moment = build_time(tmp_path / "catalog")
    assert moment == dt.datetime(2024, 5, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert moment is not None and moment.date() == dt.date(2024, 5, 20)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_time(tmp_path / "catalog") == BUILT_AT


# --- /data.json (DCAT-US 1.1) -------------------------------------------------------------------


def test_data_json_is_a_dcat_us_catalog(site: OpenData) -> None:
    document = dcat(site)
    assert document["conformsTo"] == DCAT_SCHEMA
    assert document["@context"] == f"{DCAT_SCHEMA}/catalog.jsonld"
    assert document["@type"] == "dcat:Catalog"
    assert document["describedBy"] == f"{DCAT_SCHEMA}/catalog.json"
    assert isinstance(document["dataset"], list) and document["dataset"]
    text = (site.root / "data.json").read_text(encoding="utf-8")
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_every_dataset_has_the_fields_dcat_us_requires(site: OpenData) -> None:
    config = site.catalog.site
    publisher = config.agency.name if config.agency else config.title
    datasets = dcat(site)["dataset"]
    assert len({dataset["identifier"] for dataset in datasets}) == len(datasets)
    for dataset in datasets:
        assert dataset["@type"] == "dcat:Dataset"
        for field in ("title", "description", "identifier"):
            assert isinstance(dataset[field], str) and dataset[field].strip(), field
        assert dataset["keyword"] and all(isinstance(word, str) and word for word in dataset["keyword"])
        assert dataset["modified"] == "2023-11-14" and ISO_DATE.match(dataset["modified"])
        assert dataset["publisher"] == {"@type": "org:Organization", "name": publisher}
        assert dataset["contactPoint"]["@type"] == "vcard:Contact"
        assert dataset["contactPoint"]["fn"] == publisher
        assert dataset["accessLevel"] == "public"
        assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert dataset["landingPage"] == f"{site.base_url}/data/"
        assert dataset["identifier"].startswith(f"{site.base_url}/data/#")
        assert dataset["describedBy"] == f"{site.base_url}/data/datapackage.json"
        if config.jurisdiction:
            assert dataset["spatial"] == config.jurisdiction.name
            assert config.jurisdiction.name in dataset["keyword"]
        else:
            assert "spatial" not in dataset
        for distribution in dataset["distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert MEDIA_TYPE.match(distribution["mediaType"]), distribution
            for field in ("title", "description", "format"):
                assert isinstance(distribution[field], str) and distribution[field].strip(), field
            url = urlsplit(distribution["downloadURL"])
            assert url.scheme == "https" and distribution["downloadURL"].startswith(f"{site.base_url}/data/")


def test_the_contact_point_has_the_address_dcat_us_requires_when_there_is_one(
    small_open_data: OpenData, sample_open_data: OpenData
) -> None:
    (sample, *_) = dcat(sample_open_data)["dataset"]
    assert sample_open_data.catalog.site.contact_email
    assert sample["contactPoint"]["hasEmail"] == f"mailto:{sample_open_data.catalog.site.contact_email}"
    assert MAILTO.match(sample["contactPoint"]["hasEmail"])
    # without contact_email the contact point holds the name alone (and DCAT-US harvesters refuse it)
    (small, *_) = dcat(small_open_data)["dataset"]
    assert small_open_data.catalog.site.contact_email is None
    assert small["contactPoint"] == {"@type": "vcard:Contact", "fn": small_open_data.catalog.site.title}


def test_every_file_under_data_is_a_distribution_and_every_distribution_exists(site: OpenData) -> None:
    urls = [
        distribution["downloadURL"]
        for dataset in dcat(site)["dataset"]
        for distribution in dataset["distribution"]
    ]
    assert len(urls) == len(set(urls))
    listed = {url.removeprefix(f"{site.base_url}/data/") for url in urls}
    assert listed == published_files(site)
    for relative in listed:
        assert (site.data / relative).is_file(), relative
    # the DCAT file itself is beside /data/, not in it
    assert not (site.data / "data.json").exists()


def test_distributions_say_what_each_file_is(site: OpenData) -> None:
    distributions = {
        distribution["downloadURL"].removeprefix(f"{site.base_url}/data/"): distribution
        for dataset in dcat(site)["dataset"]
        for distribution in dataset["distribution"]
    }
    kinds = {".csv": ("text/csv", "CSV"), ".json": ("application/json", "JSON"), ".jsonld": ("application/ld+json", "JSON-LD")}  # fmt: skip
    for relative, distribution in distributions.items():
        assert (distribution["mediaType"], distribution["format"]) == kinds[Path(relative).suffix], relative
    resources = {resource["path"]: resource for resource in site.json("datapackage.json")["resources"]}
    for path, resource in resources.items():
        assert distributions[path]["title"] == resource["title"]
        assert distributions[path]["description"] == resource["description"]
        assert distributions[path]["describedBy"] == f"{site.base_url}/data/datapackage.json"
    for key, credential in site.catalog.credentials.items():
        assert distributions[f"credentials/{key}.jsonld"]["title"] == f"{credential.name} (CTDL JSON-LD)"


def test_outcome_files_form_a_dataset_of_their_own(small_open_data: OpenData) -> None:
    catalog_set, outcomes = dcat(small_open_data)["dataset"]
    resources = small_open_data.json("datapackage.json")["resources"]
    outcome_paths = {resource["path"] for resource in resources if resource["path"] != "catalog.csv"}
    assert outcome_paths
    assert {d["downloadURL"].rsplit("/data/", 1)[1] for d in outcomes["distribution"]} == outcome_paths
    assert not {d["downloadURL"].rsplit("/data/", 1)[1] for d in catalog_set["distribution"]} & outcome_paths


def test_data_page_lists_data_json_and_states_the_licence_and_version(site: OpenData) -> None:
    tree = site.page("data/index.html")
    (row,) = tree.css('main tr[data-download="/data.json"]')
    assert row.css_first('a[href="/data.json"]') is not None
    assert int(row.css_first("data.bytes").attributes["value"]) == (site.root / "data.json").stat().st_size
    licence = tree.css_first("main #license")
    assert licence.css_first('a[href="https://creativecommons.org/licenses/by/4.0/"]') is not None
    assert site.json("datapackage.json")["version"] in licence.text()


def test_the_sitemap_lists_pages_only(site: OpenData) -> None:
    """The sitemap lists no data file, so /data.json is not in it either."""
    tree = ET.parse(site.root / "sitemap.xml")
    urls = [loc.text or "" for loc in tree.getroot().findall("sm:url/sm:loc", SITEMAP_NS)]
    assert urls and all(url.endswith("/") for url in urls)
