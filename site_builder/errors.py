"""Input errors as data: where a problem is, what it is, and one way to print it.

Every check in credsite reports problems as ``InputError`` values and keeps going,
so a contributor sees all of them at once. ``CatalogInvalid`` carries the collected
list out of the pipeline to the command line, which prints one line per error.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, order=True)
class InputError:
    """One problem in one input file: ``path:line[:column]: message``."""

    path: str
    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"{one_line(self.path)}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        return f"{where}: {one_line(self.message, MESSAGE_CHARS)}"

    def github_annotation(self) -> str:
        """The same error as a GitHub Actions workflow command."""
        props = f"file={_escape_property(one_line(self.path))},line={self.line}"
        if self.column is not None:
            props += f",col={self.column}"
        return f"::error {props}::{_escape_data(one_line(self.message, MESSAGE_CHARS))}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Workflow command properties also reserve ':' and ','."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


#: the most of a value from an input file an error quotes, and the longest message printed
EXCERPT_CHARS = 40
MESSAGE_CHARS = 400
#: errors printed per file, and in all; the rest are counted ("and 12 more ...")
ERRORS_PER_FILE = 50
ERRORS_IN_ALL = 500

# control characters, line and paragraph separators, and the marks that reorder text
# (a right-to-left override can make a line read as something else)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line: control and reordering characters escaped (``\\n``,
    ``\\u202e``), and cut at ``limit`` characters."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "..."
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    return repr(character)[1:-1] if ord(character) < 0x100 else f"\\u{ord(character):04x}"


def excerpt(value: object, quote: str = "'") -> str:
    """A value from an input file as an error may quote it: at most ``EXCERPT_CHARS``
    characters, in ``quote`` marks when it is text, escaped, on one line; a longer value
    says how long it is."""
    text = (
        value
        if isinstance(value, str)
        else str(value)
        if isinstance(value, int | float | Decimal)
        else repr(value)
    )
    shown = one_line(text[:EXCERPT_CHARS])
    if isinstance(value, str):
        shown = f"{quote}{shown}{quote}"
    if len(text) > EXCERPT_CHARS:
        shown += f"... ({len(text):,} characters)"
    return shown


def quoted(value: object) -> str:
    """``excerpt`` in double quotes, as the outcome data's messages quote values."""
    return excerpt(value, quote='"')


class CatalogInvalid(Exception):
    """Raised by a pipeline stage when its input has errors; carries all of them."""

    def __init__(self, errors: list[InputError]):
        self.errors = sorted(set(errors), key=_error_sort_key)
        super().__init__(f"{len(self.errors)} input error(s)")


def _error_sort_key(error: InputError) -> tuple:
    return (error.path, error.line, error.column or 0, error.message)


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user should see it: relative to ``root`` (default: the working dir)."""
    return _display_path(path, root if root is not None else Path.cwd())


@lru_cache(maxsize=4096)
def _display_path(path: Path, base: Path) -> str:
    # kept: a file with thousands of errors names itself thousands of times
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


def print_errors(errors: list[InputError]) -> None:
    """Print ``format_errors``' lines: errors to stderr, and under GitHub Actions their
    annotations (``::error``) to stdout, where the runner reads them."""
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for line in format_errors(errors, github=github):
        print(line, file=sys.stdout if line.startswith("::") else sys.stderr)


def format_errors(errors: list[InputError], github: bool = False) -> list[str]:
    """The lines to print for a list of errors; GitHub annotations follow when asked.

    At most ``ERRORS_PER_FILE`` of one file and ``ERRORS_IN_ALL`` in all are printed, each
    cut followed by a line, at the first error it leaves out, that counts them (a file of
    200,000 broken items must not print 200,000 lines into a CI log). ``errors`` are in
    file order, as ``CatalogInvalid`` keeps them."""
    shown: list[InputError] = []
    lines: list[str] = []
    per_file: dict[str, int] = {}
    for error in errors:
        per_file[error.path] = per_file.get(error.path, 0) + 1
    printed: dict[str, int] = {}
    counted = 0  # left out, and counted on a file's own line
    for position, error in enumerate(errors):
        count = printed.get(error.path, 0) + 1
        if count > ERRORS_PER_FILE:
            continue
        if len(shown) >= ERRORS_IN_ALL:
            left = len(errors) - len(shown) - counted
            where = f"{one_line(error.path)}:{error.line}"
            lines.append(
                f"{where}: and {left:,} more error{'s' if left != 1 else ''} from here on, not shown"
            )
            break
        shown.append(error)
        lines.append(str(error))
        printed[error.path] = count
        if count == ERRORS_PER_FILE and per_file[error.path] > count:
            more = per_file[error.path] - count
            counted += more
            following = errors[position + 1]
            where = f"{one_line(error.path)}:{following.line}"
            lines.append(
                f"{where}: and {more:,} more error{'s' if more != 1 else ''} in this file, not shown"
            )
    if github:
        lines += [error.github_annotation() for error in shown]
    return lines
