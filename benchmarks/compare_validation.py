"""Time `frictionless validate` against credsite's outcome validation on one data package.

    python benchmarks/compare_validation.py PACKAGE_DIR [--runs N]

PACKAGE_DIR is a catalog's ``outcomes/`` folder (with ``datapackage.json``); the catalog's
credential ids (``../credentials/*.md``) are passed to credsite, which also checks them.
Both run as fresh subprocesses, alternating (Frictionless, credsite, Frictionless, ...)
so that a busy machine slows both alike. Each run prints its wall time, CPU time (user +
system) and peak memory (max RSS, from ``os.wait4`` of that very child); then the medians,
the ratio, and whether the two agree on validity (exit status 0 or not).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CREDSITE_SNIPPET = """\
import sys
from pathlib import Path
from site_builder.errors import CatalogInvalid
from site_builder.outcomes import load_outcomes
outcomes = Path(sys.argv[1])
ids = {path.stem for path in (outcomes.parent / "credentials").glob("*.md")}
try:
    load_outcomes(outcomes, ids)
except CatalogInvalid as invalid:
    print(f"{len(invalid.errors)} error(s)", *invalid.errors[:5], sep="\\n", file=sys.stderr)
    sys.exit(1)
"""


@dataclass(frozen=True)
class Run:
    tool: str
    wall: float
    cpu: float
    max_rss_mb: float
    valid: bool


def commands(package_dir: Path) -> dict[str, list[str]]:
    return {
        "frictionless": [
            sys.executable,
            "-m",
            "frictionless",
            "validate",
            str(package_dir / "datapackage.json"),
        ],
        "credsite": [sys.executable, "-c", CREDSITE_SNIPPET, str(package_dir)],
    }


def run_once(tool: str, command: list[str]) -> Run:
    """One child process: wall time, and its own CPU time and peak RSS from wait4."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    stderr = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.exit(f"{tool} failed ({child.returncode}):\n{stderr.decode(errors='replace')}")
    # Linux reports ru_maxrss in kilobytes.
    return Run(tool, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="the outcomes/ folder holding datapackage.json")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool (default 3)")
    args = parser.parse_args(argv)
    package_dir: Path = args.package_dir.resolve()
    if not (package_dir / "datapackage.json").is_file():
        parser.error(f"{package_dir} has no datapackage.json")
    if not (package_dir.parent / "credentials").is_dir():
        parser.error(f"{package_dir.parent} has no credentials/ folder to take credential ids from")

    runs: list[Run] = []
    print(f"package: {package_dir}  ({args.runs} runs each, alternating)")
    print(f"{'run':>4}  {'tool':<13}{'wall s':>8}{'cpu s':>8}{'max RSS MB':>12}  valid")
    for number in range(1, args.runs + 1):
        for tool, command in commands(package_dir).items():
            run = run_once(tool, command)
            runs.append(run)
            print(
                f"{number:>4}  {tool:<13}{run.wall:>8.1f}{run.cpu:>8.1f}{run.max_rss_mb:>12.0f}  {run.valid}",
                flush=True,
            )

    def median(tool: str, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in runs if run.tool == tool)

    print()
    print(f"{'median':<19}{'wall s':>8}{'cpu s':>8}{'max RSS MB':>12}")
    for tool in ("frictionless", "credsite"):
        peak = max(run.max_rss_mb for run in runs if run.tool == tool)
        print(f"{tool:<19}{median(tool, 'wall'):>8.1f}{median(tool, 'cpu'):>8.1f}{peak:>12.0f}")
    wall_ratio = median("frictionless", "wall") / median("credsite", "wall")
    cpu_ratio = median("frictionless", "cpu") / median("credsite", "cpu")
    print(f"frictionless / credsite: {wall_ratio:.1f}x wall, {cpu_ratio:.1f}x cpu")

    verdicts = {run.valid for run in runs}
    if len(verdicts) != 1:
        print("DISAGREE: the two do not give the same verdict on validity")
        return 1
    print(f"both say: {'valid' if verdicts.pop() else 'invalid'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
