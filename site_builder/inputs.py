"""Reading contributors' files: real files inside the catalog, of a bounded size, or nothing.

The catalog arrives by pull request from strangers, and CI builds it on a machine that
holds other files (credentials, tokens, the checkout of the site itself). So a file is
read only when it is a regular file reached from its root (the catalog folder, a content
folder) without a symbolic link on the way, and no larger than its kind's limit. A link,
a device, a FIFO or a socket is an error naming the file, never followed, never opened:
opening a FIFO could block forever and reading ``/dev/zero`` never ends.

``refusal`` says why a path may not be read; ``read_input`` and ``open_input`` read it
(``O_NOFOLLOW``, then the opened file checked again, so a file swapped for a link after
the check is refused all the same); ``scan`` lists every link and special file in a tree,
so a contributor hears of all of them at once, read or not.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import requests
from frictionless import system

from site_builder.errors import InputError, display_path

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

#: the largest file of each kind the build reads; a state's largest credential file is 6 KB,
#: its occupations 100 KB, a nation's largest outcome file about 600 MB
TEXT_LIMIT = 1 * MIB  # YAML, Markdown and JSON files
TABLE_LIMIT = 32 * MIB  # occupations.csv
OUTCOME_LIMIT = 4 * GIB  # one outcome CSV file

LINK_MESSAGE = "is a symbolic link; the build reads only real files inside the catalog, and did not follow it"


class InputRefused(Exception):
    """A file the build will not read; carries the error naming it."""

    def __init__(self, error: InputError):
        super().__init__(str(error))
        self.error = error


def _size(count: int) -> str:
    for unit, name in ((GIB, "GB"), (MIB, "MB"), (KIB, "KB")):
        if count >= unit:
            return f"{count / unit:.3g} {name}"
    return f"{count} bytes"


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in a contributor's words (None: regular)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return LINK_MESSAGE
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a file; it was not read"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file; it was not read"
    return "is a device, not a file; it was not read"


def refusal(path: Path, root: Path, limit: int = TEXT_LIMIT) -> str | None:
    """Why ``path`` may not be read as a file of ``root``; None when it may.

    Refused: a path that leaves ``root`` (absolute, or through ``..``), a symbolic link at
    any step below ``root``, anything but a regular file, a file over ``limit`` bytes, and
    a file that does not exist ("not found").
    """
    root_abs = Path(os.path.abspath(root))
    path_abs = Path(os.path.abspath(path))
    if ".." in path.parts or not path_abs.is_relative_to(root_abs):
        return "is outside the catalog; the build reads only files inside it"
    current = root_abs
    parts = path_abs.relative_to(root_abs).parts
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return "not found"
        except OSError as error:
            return f"cannot be read: {error.strerror}"
        last = index == len(parts) - 1
        if stat.S_ISLNK(mode):
            return LINK_MESSAGE if last else f"is inside '{part}', which {LINK_MESSAGE}"
        if not last and not stat.S_ISDIR(mode):
            return "not found"
    if not parts:
        return "is a folder, not a file"
    status = os.lstat(path_abs)
    problem = _kind(status.st_mode)
    if problem is not None:
        return problem
    if status.st_size > limit:
        return f"is {_size(status.st_size)}, over the {_size(limit)} a file of this kind may hold"
    return None


def open_input(path: Path, root: Path, limit: int = TEXT_LIMIT) -> BinaryIO:
    """The file opened for reading in binary, or ``InputRefused`` naming it."""
    problem = refusal(path, root, limit)
    if problem is None:
        try:
            descriptor = os.open(
                path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            )
        except OSError as error:
            problem = LINK_MESSAGE if error.errno == errno.ELOOP else f"cannot be read: {error.strerror}"
        else:
            status = os.fstat(descriptor)
            problem = _kind(status.st_mode)
            if problem is None and status.st_size > limit:
                problem = f"is {_size(status.st_size)}, over the {_size(limit)} a file of this kind may hold"
            if problem is None:
                os.set_blocking(descriptor, True)
                return os.fdopen(descriptor, "rb")
            os.close(descriptor)
    raise InputRefused(InputError(display_path(path), 1, None, problem))


def read_input(path: Path, root: Path, limit: int = TEXT_LIMIT) -> bytes:
    """The file's bytes (at most ``limit``), or ``InputRefused`` naming it."""
    with open_input(path, root, limit) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # grew while being read
        message = f"is over the {_size(limit)} a file of this kind may hold"
        raise InputRefused(InputError(display_path(path), 1, None, message))
    return data


def scan(root: Path) -> list[InputError]:
    """Every symbolic link and special file below ``root``, as errors; links are not followed."""
    errors: list[InputError] = []
    if not root.is_dir() or root.is_symlink():
        return errors
    for folder, folders, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in sorted(folders + files):
            path = base / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                continue
            problem = _kind(mode)
            if problem is not None:
                errors.append(InputError(display_path(path), 1, None, problem))
        folders[:] = sorted(name for name in folders if not name.startswith(".git"))
    return errors


class _Offline(requests.adapters.BaseAdapter):
    """A transport that sends nothing: every request fails at once."""

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        raise requests.ConnectionError("credsite opens no network connection while it reads a catalog")

    def close(self) -> None:
        pass


@contextmanager
def offline() -> Iterator[None]:
    """Within the block Frictionless cannot reach the network: a descriptor may name a
    profile or a file by web address (``"profiles": ["http://..."]`` is read as one), and
    fetching it would let a pull request make CI send requests, print their answers or
    wait on a server that never answers. The layout check refuses such descriptors first;
    this is the guard behind it."""
    session = requests.Session()
    session.mount("http://", _Offline())
    session.mount("https://", _Offline())
    with system.use_context(http_session=session):
        yield
