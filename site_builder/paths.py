"""Where credsite finds its own templates, content pages and the bundled sample catalog."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = TEMPLATES_DIR / "static"
CONTENT_DIR = PROJECT_ROOT / "content"
SAMPLE_CATALOG = PROJECT_ROOT / "catalog"


def default_catalog() -> Path:
    """``./catalog`` when the working folder has one, else the bundled sample."""
    local = Path("catalog")
    return local if local.is_dir() else SAMPLE_CATALOG


def content_dir_for(catalog_dir: Path) -> Path:
    """A catalog's own ``content/`` beside it wins; otherwise the bundled pages are used."""
    own = catalog_dir.resolve().parent / "content"
    return own if own.is_dir() else CONTENT_DIR
