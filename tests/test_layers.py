"""Imports go one way, down the pipeline: cli -> build -> stages -> rules and models. No
module imports the one that calls it (read from the source, including imports made inside
functions and for type checking only). What two layers share sits below both: the
download format (``reports.download_format``, which the site writes and
``reports.published_reader`` reads back), the spreadsheet-safe CSV cells (``csvsafe``) and
the translation marker (``phrases.N_``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import site_builder

PACKAGE = Path(site_builder.__file__).parent

#: package (or module) -> the parts of credsite it must never import: those above it
NEVER_IMPORTS = {
    "protection": (
        "build",
        "cli",
        "serve",
        "diff",
        "cache",
        "reports",
        "site",
        "catalog",
        "outcomes",
        "rules",
    ),
    "rules": ("build", "cli", "serve", "diff", "cache", "reports", "site", "protection"),
    "phrases": ("build", "cli", "serve", "diff", "site", "rules", "reports", "catalog"),
    "catalog": ("build", "cli", "serve", "diff", "cache", "reports", "site", "protection"),
    "reports": ("build", "cli", "serve", "diff", "site"),
    "csvsafe": (
        "build",
        "cli",
        "serve",
        "diff",
        "site",
        "reports",
        "rules",
        "catalog",
        "protection",
        "outcomes",
    ),
    "site": ("build", "cli", "serve", "diff"),
    "history": ("build", "cli", "serve", "diff", "site"),
    "build": ("cli", "serve", "diff"),
}


def imported_parts(path: Path) -> set[str]:
    """The first part after ``site_builder.`` of every module ``path`` imports."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            pieces = name.split(".")
            if pieces[0] == "site_builder" and len(pieces) > 1:
                parts.add(pieces[1])
    return parts


def sources(part: str) -> list[Path]:
    folder = PACKAGE / part
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{part}.py"]


@pytest.mark.parametrize("part", sorted(NEVER_IMPORTS))
def test_imports_go_down_the_pipeline(part: str) -> None:
    files = sources(part)
    assert files and all(path.is_file() for path in files)
    wrong = {
        f"{path.relative_to(PACKAGE)} imports site_builder.{name}"
        for path in files
        for name in imported_parts(path) & set(NEVER_IMPORTS[part])
    }
    assert not wrong, sorted(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "upward.py"
    module.write_text("def late():\n    from site_builder.build import validate\n", encoding="utf-8")
    assert imported_parts(module) == {"build"}
