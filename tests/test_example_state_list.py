"""The second sample, examples/state-list: a made-up state's spreadsheet, mostly undocumented,
imported into its catalog. Importing it again changes no file, a newer list changes only
what changed, and the catalog builds with every credential of the list on the site."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pytest
from catalog_factory import tree
from openpyxl import load_workbook

from site_builder import build as pipeline
from site_builder.adopt.importer import import_list
from site_builder.paths import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples/state-list"


@pytest.fixture
def make_list() -> object:
    spec = importlib.util.spec_from_file_location("make_list", EXAMPLE / "make_list.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_list_is_what_the_script_writes(tmp_path: Path, make_list: object) -> None:
    make_list.write_list(tmp_path / "list.xlsx", make_list.ROWS)

    def values(path: Path) -> list[tuple]:
        return list(load_workbook(path).active.iter_rows(values_only=True))

    assert values(tmp_path / "list.xlsx") == values(EXAMPLE / "irc-list.xlsx")


def test_the_sample_imports_idempotently_and_builds(
    tmp_path: Path, make_list: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE / "catalog", catalog)
    committed = tree(catalog)
    result = import_list(EXAMPLE / "irc-list.xlsx", EXAMPLE / "MAP.yml", catalog, today=dt.date(2025, 9, 1))
    assert result.errors == [] and not result.written
    assert tree(catalog) == committed  # the committed catalog is the import of the committed list

    make_list.write_list(tmp_path / "newer.xlsx", make_list.NEWER)
    result = import_list(tmp_path / "newer.xlsx", EXAMPLE / "MAP.yml", catalog, today=dt.date(2025, 9, 1))
    assert result.errors == []
    after = tree(catalog)
    changed = sorted(name for name in after if after[name] != committed.get(name))
    assert changed == [
        "credentials/comptia-security-plus.md",
        "credentials/microsoft-office-specialist-excel.md",
        "credentials/phlebotomy-technician-cpt.md",
    ]
    assert "points: 6\n" in after["credentials/microsoft-office-specialist-excel.md"].decode()
    assert "status: retired\nsunset: 2025-09-01\n" in after[
        "credentials/phlebotomy-technician-cpt.md"
    ].decode().replace("approved: 2019-07-01\n", "")

    out = tmp_path / "public"
    pipeline.build(catalog, out)
    for name in make_list.NEWER:
        if name is None:
            continue
        code, title = name[0], name[1]
        page = next(
            (
                path.read_text()
                for path in (out / "credentials").glob("*/index.html")
                if f">{code}<" in path.read_text()
            ),
            None,
        )
        assert page is not None, f"no page shows {code} ({title.strip()})"
        points = int(str(name[5]).split()[0].split(".")[0])
        assert f"{points} point" in page
    fields = {
        "agriculture-food-natural-resources": "Agriculture, Food and Natural Resources",
        "health-science": "Health Science",
        "information-technology": "Information Technology",
        "manufacturing": "Manufacturing",
    }
    for path in (catalog / "credentials").glob("*.md"):
        page = (out / f"credentials/{path.stem}/index.html").read_text()
        line = next(line for line in path.read_text().splitlines() if line.startswith("career_fields:"))
        for field_id in line.split("[", 1)[1].rstrip("]").split(", "):
            assert fields[field_id].replace(",", "") in page.replace(",", "").replace("&amp;", "&")
