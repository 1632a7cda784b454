"""Writing the rendered site: pages as <path>/index.html, static assets, sitemap and robots.txt."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

#: one segment of a path the site writes: no '.', '..', separators or hidden names
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


class UnsafeWrite(Exception):
    """A path that would be written outside the site's folder; never caught as input."""


def output_file(out: Path, url_path: str) -> Path:
    """'/' -> index.html, '/about/' -> about/index.html, '/404.html' -> 404.html; refuses
    (``UnsafeWrite``) a URL path whose file would not lie inside ``out``."""
    relative = url_path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return inside(out, relative)


def inside(out: Path, relative: str) -> Path:
    """``out / relative``, or ``UnsafeWrite`` unless every segment of ``relative`` is a plain
    name: ids are validated long before (slugs, safe codes), this is the last guard."""
    segments = relative.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise UnsafeWrite(f"refusing to write {relative[:80]!r}: not a plain path inside the site folder")
    return out.joinpath(*segments)


def write_text(path: Path, text: str) -> None:
    if ".." in path.parts:
        raise UnsafeWrite(f"refusing to write {path.name[:80]!r}: its path leaves the site folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="\n" keeps the bytes identical on every platform.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def fingerprinted_assets(source: Path, url_prefix: str = "/static/") -> dict[str, str]:
    """Each asset's URL with a hash of its contents in the name (site.3f2a9c1b0d.css), so
    browsers may cache them for a year and still see every change at once."""
    assets = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            name = path.relative_to(source).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, dot, suffix = name.rpartition(".")
            assets[name] = f"{url_prefix}{stem}.{digest}.{suffix}" if dot else f"{url_prefix}{name}.{digest}"
    return assets


def copy_static(source: Path, destination: Path, assets: dict[str, str]) -> None:
    """Copy the asset folder under the fingerprinted names, contents only (no timestamps or modes)."""
    for name, url in sorted(assets.items()):
        target = destination / url.removeprefix("/static/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target)


def robots_txt(base_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n"
