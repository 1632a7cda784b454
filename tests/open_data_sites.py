"""Built sites for the open-data tests (SPEC 6 and 9): the small catalog with a fee in cents and an
unknown fee, and the bundled sample, each built once per test session (``conftest``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from catalog_factory import write_catalog, write_outcomes
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from site_builder.build import build, validate
from site_builder.catalog import Catalog
from site_builder.derive import Derived, derive


class OpenData:
    """A built site and the catalog it was built from."""

    def __init__(self, catalog_dir: Path, root: Path) -> None:
        self.catalog_dir = catalog_dir
        self.catalog: Catalog = validate(catalog_dir).catalog
        self.derived: Derived = derive(self.catalog)
        self.base_url = self.catalog.site.base_url.rstrip("/")
        self.root = root
        self.data = root / "data"

    def json(self, relative: str) -> dict:
        return json.loads((self.data / relative).read_text(encoding="utf-8"))

    def csv_rows(self, relative: str) -> tuple[list[str], list[dict[str, str]]]:
        with (self.data / relative).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    def page(self, relative: str) -> HTMLParser:
        return HTMLParser((self.root / relative).read_text(encoding="utf-8"))

    def page_url(self, credential_id: str) -> str:
        return f"{self.base_url}/credentials/{credential_id}/"

    def jsonld_url(self, credential_id: str) -> str:
        return f"{self.base_url}/data/credentials/{credential_id}.jsonld"


def small_catalog_with_fee_variants(root: Path) -> Path:
    """The small catalog with outcome data, one unknown exam fee and one fee in cents."""
    catalog_dir = write_catalog(root)
    for key, fee in (("club-coder", "null"), ("net-pro", "99.5")):
        path = catalog_dir / "credentials" / f"{key}.md"
        path.write_text(path.read_text().replace("exam_fee_usd: 100\n", f"exam_fee_usd: {fee}\n"))
    write_outcomes(catalog_dir)
    return catalog_dir


def build_site(catalog_dir: Path, root: Path) -> OpenData:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build(catalog_dir, root / "public")
    return OpenData(catalog_dir, root / "public")
