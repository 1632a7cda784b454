"""Input errors as data: where a problem is, what it is, and one way to print it.

Every check in credsite reports problems as ``InputError`` values and keeps going,
so a contributor sees all of them at once. ``CatalogInvalid`` carries the collected
list out of the pipeline to the command line, which prints one line per error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class InputError:
    """One problem in one input file: ``path:line[:column]: message``."""

    path: str
    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        return f"{where}: {self.message}"

    def github_annotation(self) -> str:
        """The same error as a GitHub Actions workflow command."""
        props = f"file={_escape_property(self.path)},line={self.line}"
        if self.column is not None:
            props += f",col={self.column}"
        return f"::error {props}::{_escape_data(self.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Workflow command properties also reserve ':' and ','."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class CatalogInvalid(Exception):
    """Raised by a pipeline stage when its input has errors; carries all of them."""

    def __init__(self, errors: list[InputError]):
        self.errors = sorted(set(errors), key=_error_sort_key)
        super().__init__(f"{len(self.errors)} input error(s)")


def _error_sort_key(error: InputError) -> tuple:
    return (error.path, error.line, error.column or 0, error.message)


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user should see it: relative to ``root`` (default: the working dir)."""
    base = root if root is not None else Path.cwd()
    try:
        return Path(os.path.relpath(path, base)).as_posix() if _is_under(path, base) else path.as_posix()
    except ValueError:
        return path.as_posix()


def _is_under(path: Path, base: Path) -> bool:
    # the folder resolved, the name kept: a symbolic link is named, never the file it points at
    try:
        (path.parent.resolve() / path.name).relative_to(base.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def format_errors(errors: list[InputError], github: bool = False) -> list[str]:
    """The lines to print for a list of errors; GitHub annotations follow when asked."""
    lines = [str(error) for error in errors]
    if github:
        lines += [error.github_annotation() for error in errors]
    return lines
