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


def content_dirs_for(catalog_dir: Path) -> list[Path]:
    """The bundled pages, then the catalog's own ``content/`` beside it, whose pages
    replace bundled ones of the same name and add new ones."""
    own = catalog_dir.resolve().parent / "content"
    return [CONTENT_DIR] if not own.is_dir() or own.resolve() == CONTENT_DIR.resolve() else [CONTENT_DIR, own]


def cache_dir_for(catalog_dir: Path) -> Path:
    """``.credsite-cache/`` beside the catalog (ignored by git)."""
    return catalog_dir.resolve().parent / ".credsite-cache"
