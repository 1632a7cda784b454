"""Fuzz: hostile edits of a small catalog never give a traceback, a hang, a multi-line error,
an error that names no file, or a word of a file outside the catalog.

A seeded mutator (the same cases on every run) takes the small hand-written catalog with its
outcome package and damages one file the way a careless or hostile contributor could: byte
flips, truncation, duplicated and deleted lines, huge numbers, NaN and infinity, Unicode edge
cases, a BOM, CRLF and CR line ends, YAML tags and alias bombs, CSV quoting, links to a file
outside the catalog, FIFOs, deep nesting, ids that are paths. Each case is validated in
process (``credsite validate``) under a time limit; every seventh is built in full. The
hostile cases found by hand are kept in ``test_hostile_inputs.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from catalog_factory import write_catalog, write_outcomes

from site_builder.cli import main

CASES = int(os.environ.get("CREDSITE_FUZZ_CASES", "240"))
SEED = int(os.environ.get("CREDSITE_FUZZ_SEED", "20261206"))
#: a case that takes longer has hung (validating the small catalog takes about 0.1 s)
SECONDS_PER_CASE = 20
CANARY = "CANARY-7f3a-do-not-print"

_ERROR_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>[0-9]+)(?::[0-9]+)?: \S.*$")
_SUMMARY_LINE = re.compile(r"^[0-9,]+ errors?(?:; nothing was built)?$")


class Hung(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- mutations: each takes the random source, the catalog and one of its files ------------------

Mutation = Callable[[random.Random, Path, Path], None]
MUTATIONS: dict[str, Mutation] = {}


def mutation(function: Mutation) -> Mutation:
    MUTATIONS[function.__name__] = function
    return function


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) or [b""]


@mutation
def flip_bytes(rng: random.Random, catalog: Path, path: Path) -> None:
    data = bytearray(path.read_bytes() or b"x")
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))


@mutation
def truncate(rng: random.Random, catalog: Path, path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data) + 1)])


@mutation
def duplicate_line(rng: random.Random, catalog: Path, path: Path) -> None:
    lines = _lines(path)
    index = rng.randrange(len(lines))
    lines[index:index] = [lines[index]] * rng.choice([1, 2, 50, 3000])
    path.write_bytes(b"".join(lines))


@mutation
def delete_lines(rng: random.Random, catalog: Path, path: Path) -> None:
    lines = _lines(path)
    start = rng.randrange(len(lines))
    del lines[start : start + rng.randint(1, 3)]
    path.write_bytes(b"".join(lines))


_NUMBER = re.compile(rb"(?<![0-9A-Za-z])[0-9]+(?:\.[0-9]+)?")
_ODD_NUMBERS = [
    b"9" * 5000,
    b"-" + b"9" * 400,
    b"NaN",
    b".nan",
    b"inf",
    b"-.inf",
    b"Infinity",
    b"1e999",
    b"-1",
    b"0x1F",
    b"1_000",
    b"00012",
    b"1" * 40 + b".5",
]


@mutation
def odd_number(rng: random.Random, catalog: Path, path: Path) -> None:
    data = path.read_bytes()
    numbers = list(_NUMBER.finditer(data))
    if not numbers:
        data += rng.choice(_ODD_NUMBERS)
    else:
        found = rng.choice(numbers)
        data = data[: found.start()] + rng.choice(_ODD_NUMBERS) + data[found.end() :]
    path.write_bytes(data)


_UNICODE = [
    "\u202e",  # right-to-left override
    "\u2028",  # line separator
    "\x85",  # next line
    "\x00",
    "\x1b[31m",
    "\ufeff",
    "e\u0301" * 50,  # combining marks
    "\U0001f600",
    "\uffff",
    "\r",
    "\x0c",
]


@mutation
def unicode_edge(rng: random.Random, catalog: Path, path: Path) -> None:
    data = path.read_bytes()
    at = rng.randrange(len(data) + 1)
    inserted = rng.choice([*[text.encode("utf-8") for text in _UNICODE], b"\xed\xa0\x80", b"\xff\xfe"])
    path.write_bytes(data[:at] + inserted + data[at:])


@mutation
def byte_order_mark(rng: random.Random, catalog: Path, path: Path) -> None:
    path.write_bytes(
        rng.choice([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe"]) + path.read_bytes()
    )


@mutation
def line_ends(rng: random.Random, catalog: Path, path: Path) -> None:
    data = path.read_bytes().replace(b"\r\n", b"\n")
    path.write_bytes(data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r", b"\r\r\n"])))


_YAML_TRICKS = [
    "x: !!python/object/apply:os.system ['echo hacked']\n",
    "x: !!binary aGVsbG8=\n",
    "x: !custom 3\n",
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "? [complex, key]\n: value\n",
    "<<: {merged: 1}\n",
    "%YAML 1.1\n---\n",
    "x: 2024-13-45\n",
    "id: ../../../../x\n",
    "---\nsecond: document\n",
    "x: '" + "a" * 200_000 + "'\n",
    "\t- tab indented\n",
]


@mutation
def yaml_trick(rng: random.Random, catalog: Path, path: Path) -> None:
    lines = _lines(path)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(_YAML_TRICKS).encode())
    path.write_bytes(b"".join(lines))


_CSV_TRICKS = [
    b'"unclosed,quote\n',
    b'a"b,c\n',
    b'"multi\nline",x,y\n',
    b"," * 20000 + b"\n",
    b'"' + b"x" * 300_000 + b'"\n',
    b"\n\n\n",
    b'=HYPERLINK("http://x"),@SUM(1),+1,-1,\tx\n',
    b"../../../../x,../x,..,.,x\n",
    b"100001,=cmd|' /C calc'!A0,900001,-2+3,@x\n",
    b"a;b;c;d\n",
]


@mutation
def csv_trick(rng: random.Random, catalog: Path, path: Path) -> None:
    lines = _lines(path)
    lines.insert(rng.randrange(1, len(lines) + 1), rng.choice(_CSV_TRICKS))
    path.write_bytes(b"".join(lines))


@mutation
def link_outside(rng: random.Random, catalog: Path, path: Path) -> None:
    """The file (or its folder) becomes a link to the canary file or folder outside the catalog."""
    canary = catalog.parent.parent / "secret"
    target = path if rng.random() < 0.7 or path.parent == catalog else path.parent
    if target.is_dir():
        shutil.rmtree(target)
        target.symlink_to(canary, target_is_directory=True)
    else:
        target.unlink()
        target.symlink_to(canary / rng.choice(["token.txt", "token.csv", "token.yml"]))


@mutation
def special_file(rng: random.Random, catalog: Path, path: Path) -> None:
    path.unlink()
    if rng.random() < 0.5:
        os.mkfifo(path)
    else:
        path.symlink_to(rng.choice(["/dev/zero", "/dev/urandom", "/proc/self/environ", "/etc/passwd"]))


@mutation
def hostile_descriptor(rng: random.Random, catalog: Path, path: Path) -> None:
    descriptor = catalog / "outcomes" / "datapackage.json"
    text = descriptor.read_text()
    choice = rng.choice(
        [
            ('"schemas/schools.json"', '"/dev/zero"'),
            ('"schemas/schools.json"', f'"{catalog.parent.parent / "secret" / "token.json"}"'),
            ('"schemas/schools.json"', '"../../secret/token.json"'),
            ('"schemas/attainment.json"', '"https://example.com/schema.json"'),
            ('"tabular-data-package"', '"https://example.com/profile.json"'),
            ('"name": "test-outcomes"', '"name": "test-outcomes", "x": ' + "[" * 3000 + "]" * 3000),
            ('"name": "test-outcomes"', '"name": "test-outcomes", "x": ' + "7" * 5000),
            ('"name": "test-outcomes"', '"name": "test-outcomes", "x": NaN'),
            ('"encoding": "utf-8"', '"encoding": "utf-16"'),
            ('"encoding": "utf-8"', '"dialect": "../../secret/token.json"'),
        ]
    )
    descriptor.write_text(text.replace(*choice, 1))


@mutation
def hostile_schema(rng: random.Random, catalog: Path, path: Path) -> None:
    schema = catalog / "outcomes" / "schemas" / rng.choice(["schools", "attainment", "claims", "funding"])
    schema = schema.with_suffix(".json")
    text = schema.read_text()
    choice = rng.choice(
        [
            ('"minimum": 0', '"minimum": NaN'),
            ('"minimum": 0', '"minimum": -1e999'),
            ('"type": "integer"', '"type": "string"'),
            ('"type": "number"', '"type": "any"'),
            ('"pattern": "[0-9]{6}"', '"pattern": "(a+)+$"'),
            ('"pattern": "[0-9]{6}"', '"pattern": "["'),
            ('"required": true', '"required": false'),
            (
                '"fields"',
                '"foreignKeys": [{"fields": "x", "reference": {"resource": "nope", "fields": "y"}}], "fields"',
            ),
        ]
    )
    schema.write_text(text.replace(*choice, 1))


@mutation
def path_ids(rng: random.Random, catalog: Path, path: Path) -> None:
    """Ids that are paths, with the shipped schemas' patterns taken out so only the code stands."""
    for schema in (catalog / "outcomes" / "schemas").glob("*.json"):
        schema.write_text(re.sub(r',?\s*"pattern": "[^"]*"', "", schema.read_text()))
    bad = rng.choice(["../../../../../x", "..", ".", "a/b", "a\\b", "", " 1", "x" * 100, "%2e%2e"])
    for csv_file in (catalog / "outcomes").rglob("*.csv"):
        csv_file.write_text(csv_file.read_text().replace("100001", bad).replace("exam-fee", bad))


def _base(root: Path) -> Path:
    """The small catalog with its outcome package, and a 'secret' folder beside it."""
    secret = root / "secret"
    secret.mkdir(parents=True)
    for name in ("token.txt", "token.csv", "token.yml", "token.json"):
        (secret / name).write_text(f"{CANARY}\nsoc,{CANARY}\n")
    catalog = write_catalog(root / "case")
    write_outcomes(catalog)
    return catalog


def _case_files(catalog: Path) -> list[Path]:
    return sorted(path for path in catalog.rglob("*") if path.is_file())


def _check_output(output: str, code: int, case: str) -> None:
    assert code in (0, 1), f"{case}: exit {code}\n{output[-3000:]}"
    assert CANARY not in output, f"{case}: printed the content of a file outside the catalog"
    assert "Traceback" not in output, f"{case}: traceback\n{output[-3000:]}"
    lines = output.splitlines()
    assert len(lines) <= 600, f"{case}: {len(lines)} lines"
    errors = [line for line in lines if not _SUMMARY_LINE.match(line)]
    for line in errors:
        match = _ERROR_LINE.match(line)
        assert match, f"{case}: not one error line naming a file: {line[:300]!r}"
        assert match["path"].startswith(("catalog/", "content/")) or match["path"] == "catalog", (
            f"{case}: the error names no catalog file: {line[:300]!r}"
        )
        assert len(line) < 700, f"{case}: a line of {len(line)} characters"
    if code == 1:
        assert errors, f"{case}: exit 1 without an error line\n{output}"


def _run(arguments: list[str]) -> tuple[int, str]:
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = main(arguments)
    return code, captured.getvalue()


def test_fuzzed_catalogs_fail_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSITE_NO_CACHE", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    base = _base(tmp_path / "base")
    rng = random.Random(SEED)
    names = sorted(MUTATIONS)
    slowest = (0.0, "")
    started = time.perf_counter()
    for number in range(CASES):
        name = names[number % len(names)]
        folder = tmp_path / f"{number:04d}"
        shutil.copytree(base.parent.parent, folder, symlinks=True)
        catalog = folder / "case" / "catalog"
        target = rng.choice(_case_files(catalog))
        MUTATIONS[name](rng, catalog, target)
        case = f"case {number} ({name} on {target.relative_to(catalog)})"
        monkeypatch.chdir(folder / "case")
        began = time.perf_counter()
        command = "build" if number % 7 == 3 else "validate"
        try:
            with time_limit(SECONDS_PER_CASE):
                code, output = _run(
                    [command, "--catalog", "catalog", "--quiet"]
                    + (["--out", "public"] if command == "build" else [])
                )
        except BaseException as error:
            raise AssertionError(f"{case}: {command} raised {type(error).__name__}") from error
        if command == "build" and code == 0:
            assert (folder / "case" / "public" / "index.html").is_file()
        slowest = max(slowest, (time.perf_counter() - began, case))
        _check_output(output, code, case)
        written = {path.relative_to(folder) for path in folder.rglob("*")}
        outside = {
            path for path in written if path.parts[:2] not in {("case", "catalog"), ("case", "public")}
        }
        outside -= {Path("case"), Path("secret"), Path("case/public"), Path("case/catalog")}
        outside -= {Path("secret") / name for name in ("token.txt", "token.csv", "token.yml", "token.json")}
        assert not outside, f"{case}: wrote {sorted(map(str, outside))[:5]}"
        shutil.rmtree(folder)
    print(f"{CASES} cases in {time.perf_counter() - started:.1f} s; slowest {slowest[0]:.2f} s: {slowest[1]}")
