"""Time the protection of a synthetic catalog's outcome tables, side by side with a baseline.

    python benchmarks/protection.py state --years 1            # one state year, 1 run each
    python benchmarks/protection.py state --runs 3             # five years, medians of 3
    python benchmarks/protection.py state --baseline 4682796   # the baseline commit (default)

Both sides protect the same generated catalog (``generate_catalog.py``, fixed seed) in
fresh processes, without any cache: this checkout's ``compute_reports`` (blocks, tasks on
Dask) and the baseline commit's (whole systems), the latter run from a detached git
worktree of that commit made in the work folder. Each run prints the protection's wall
time, how many systems or blocks were protected as how many tasks, and the cells hidden;
then the medians side by side with their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
BASELINE = "4682796"

#: runs in a child process with one side's code first on the path: protect every year
CHILD = """
import json, re, sys, time
from pathlib import Path
from site_builder.build import validate
from site_builder.reports import compute_reports

validated = validate(Path(sys.argv[1]))
catalog, outcomes = validated.catalog, validated.outcomes
del validated
messages = []
def progress(message):
    messages.append(message)
    print(message, file=sys.stderr, flush=True)
started = time.perf_counter()
reports = compute_reports(catalog, outcomes, progress)
seconds = time.perf_counter() - started
hidden = sum(summary.hidden for year in reports.by_year.values() for summary in year.audit)
tasks = [m for m in messages if m.startswith("protected ")]
times = sorted(float(re.search(r"in ([0-9.]+)s$", m).group(1)) for m in tasks)
print(json.dumps({"seconds": seconds, "hidden": hidden, "tasks": len(tasks), "task_seconds": times,
                  "blocks": sum(" block " in m or " part " in m for m in tasks)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", choices=("small", "state", "national"))
    parser.add_argument("--years", type=int, help="years of outcome data (default: the size's)")
    parser.add_argument("--schools", type=int)
    parser.add_argument("--credentials", type=int)
    parser.add_argument("--runs", type=int, default=1, help="runs of each side (default: 1)")
    parser.add_argument(
        "--baseline", default=BASELINE, help=f"the commit to compare with (default: {BASELINE})"
    )
    parser.add_argument("--no-baseline", action="store_true", help="time this checkout only")
    parser.add_argument(
        "--workdir", type=Path, help="where the catalog and the worktree go (default: a temp folder)"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="credsite-protection-"))
    overrides = [
        f"--{name}={value}"
        for name in ("years", "schools", "credentials")
        if (value := getattr(args, name)) is not None
    ]
    catalog = workdir / "catalog"
    if not catalog.is_dir():
        command = [sys.executable, str(HERE / "generate_catalog.py"), args.size, str(workdir), *overrides]
        subprocess.run(command, check=True)
    sides = {"this checkout": REPOSITORY}
    if not args.no_baseline:
        sides[f"at {args.baseline}"] = worktree(args.baseline, workdir)
    results: dict[str, list[dict]] = {side: [] for side in sides}
    for run in range(args.runs):
        for side, code in sides.items():  # alternating, so that both see the same machine
            result = protect_once(code, catalog)
            results[side].append(result)
            print(
                f"run {run + 1}, {side}: {result['seconds']:.1f} s, {result['tasks']} tasks "
                f"({result['blocks']} blocks), {result['hidden']} cells hidden",
                flush=True,
            )
    print()
    print("| side | protection (median) | tasks | blocks | slowest task | cells hidden |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for side, runs in results.items():
        medians[side] = statistics.median(run["seconds"] for run in runs)
        last = runs[-1]
        print(
            f"| {side} | {medians[side]:.1f} s | {last['tasks']} | {last['blocks']} | "
            f"{max(last['task_seconds'], default=0):.1f} s | {last['hidden']} |"
        )
    if len(sides) == 2:
        mine, theirs = (results[side][-1] for side in sides)
        base = list(sides)[1]
        print(
            f"\nspeed-up {medians[base] / medians['this checkout']:.2f}x; "
            f"cells hidden {100 * (mine['hidden'] - theirs['hidden']) / theirs['hidden']:+.1f}%"
        )
    return 0


def worktree(commit: str, workdir: Path) -> Path:
    """A detached worktree of ``commit`` in ``workdir`` (made once, reused)."""
    folder = workdir / f"credsite-{commit}"
    if not folder.is_dir():
        subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(folder), commit], check=True
        )
    return folder


def protect_once(code: Path, catalog: Path) -> dict:
    """One fresh process protecting ``catalog`` with the code in ``code``; its figures."""
    environment = {**os.environ, "PYTHONPATH": str(code), "CREDSITE_NO_CACHE": "1"}
    environment.pop("CREDSITE_SCHEDULER", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(catalog)],
        cwd=tempfile.gettempdir(),  # not the repository: Python would put it ahead of PYTHONPATH
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
