"""Writing the rendered site: pages as <path>/index.html, static assets, sitemap and robots.txt."""

from __future__ import annotations

import shutil
from pathlib import Path


def output_file(out: Path, url_path: str) -> Path:
    """'/' -> index.html, '/about/' -> about/index.html, '/404.html' -> 404.html."""
    relative = url_path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return out / relative


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="\n" keeps the bytes identical on every platform.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def copy_static(source: Path, destination: Path) -> None:
    """Copy the asset folder in sorted order, contents only (no timestamps or modes)."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            target = destination / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def robots_txt(base_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n"
