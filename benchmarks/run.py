"""Time `credsite build` stage by stage on a synthetic catalog: medians and peak memory.

    python benchmarks/run.py small                 # the bundled sample, 5 runs
    python benchmarks/run.py state --runs 3        # 1,500 credentials, 4,000 schools, 5 years
    python benchmarks/run.py state --schools 1000  # an intermediate size
    python benchmarks/run.py national --runs 1 --rebuilds 0
    python benchmarks/run.py national --runs 1 --rebuilds 0 --rules-only   # all but the audit

Each run is a fresh process (nothing cached in memory) building into an empty folder:
a cold build. Then one credential file is edited and the site rebuilt, which is what a
contributor's pull request costs (``--rebuilds N``: N times, one more edit each), or with
``--edit outcome`` one school's count in the last year's attainment file is corrected. The
catalog is generated once into --workdir and reused. Every figure is printed per run, then
as min / median / max.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from site_builder.paths import cache_dir_for

HERE = Path(__file__).resolve().parent
STAGES = ("validate", "compute", "render", "index")

#: runs in a child process: one build, its stage times and its peak resident memory (its
#: progress goes to the benchmark's standard error, as it goes: a national build is long)
CHILD = """
import json, os, resource, sys
from pathlib import Path
import site_builder.build
from site_builder.build import build
if os.environ.get("CREDSITE_BENCH_RULES_ONLY"):
    from rules_only import protect_by_rules
    site_builder.build.protect = protect_by_rules
result = build(Path(sys.argv[1]), Path(sys.argv[2]), lambda message: print(message, file=sys.stderr, flush=True))
print(json.dumps({"stages": result.stages, "total": result.seconds, "pages": result.pages,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(size: str, workdir: Path, overrides: list[str]) -> Path:
    catalog = workdir / "catalog"
    if not catalog.is_dir():
        command = [sys.executable, str(HERE / "generate_catalog.py"), size, str(workdir), *overrides]
        subprocess.run(command, check=True)
    return catalog


#: ``--rules-only``: the build protects with ``rules_only.protect_by_rules`` (which its
#: protection workers import from here), and so without the protection cache
RULES_ONLY = {"CREDSITE_BENCH_RULES_ONLY": "1", "CREDSITE_NO_CACHE": "1", "PYTHONPATH": str(HERE)}

#: seconds between samples of the resident sizes, and of the proportional sizes (reading
#: those walks a process's page tables: 18 ms for 1.5 GB, too slow to do every 50 ms)
RSS_EVERY, PSS_EVERY = 0.05, 0.5


def one_build(catalog: Path, out: Path, rules_only: bool = False, memory_every: float = 0) -> dict:
    """One build in a fresh process, with two peaks of memory over the build and its
    protection workers, renderers and Pagefind together (on Linux; elsewhere the build
    process's own peak), and the second at which the PSS peak came (``peak_pss_at``):

    - ``peak_mb``: the largest sum of resident sizes, sampled every 50 ms. A forked
      renderer's resident size counts the pages it shares with the build, so this counts
      them twice.
    - ``peak_pss_mb``: the largest sum of proportional sizes (a shared page split among
      the processes sharing it), sampled every 0.5 s: the physical memory in use.

    ``total`` is the build's own time; ``command`` adds Python's start and credsite's
    imports, what a user waits for ``credsite build``.

    ``memory_every``: every so many seconds (0: never), a line on standard error, among the
    build's progress, with the proportional size of the whole tree and of the build's own
    process: where a peak comes from.
    """
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(catalog), str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env={
            "SOURCE_DATE_EPOCH": "1700000000",
            "PATH": "/usr/bin:/bin",
            **(RULES_ONLY if rules_only else {}),
        },
    ) as child:
        peak_kb = peak_pss_kb = 0
        peak_pss_at = 0.0
        next_pss = next_line = time.monotonic()
        while child.poll() is None:
            peak_kb = max(peak_kb, tree_memory_kb(child.pid, "status", "VmRSS:"))
            if time.monotonic() >= next_pss:
                pss_kb = tree_memory_kb(child.pid, "smaps_rollup", "Pss:")
                if pss_kb > peak_pss_kb:
                    peak_pss_kb, peak_pss_at = pss_kb, time.perf_counter() - started
                next_pss = time.monotonic() + PSS_EVERY
                if memory_every and time.monotonic() >= next_line:
                    own_kb = tree_memory_kb(child.pid, "smaps_rollup", "Pss:", descendants=False)
                    print(
                        f"[memory at {time.perf_counter() - started:.0f}s] PSS {pss_kb / 1024:.0f} MB, "
                        f"the build's own process {own_kb / 1024:.0f} MB (peak so far {peak_pss_kb / 1024:.0f} MB)",
                        file=sys.stderr,
                        flush=True,
                    )
                    next_line = time.monotonic() + memory_every
            time.sleep(RSS_EVERY)
        stdout, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"build failed ({child.returncode}): its output is above")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["command"] = time.perf_counter() - started
    result["peak_pss_mb"] = peak_pss_kb / 1024 if peak_pss_kb else result["peak_mb"]
    result["peak_pss_at"] = round(peak_pss_at, 1)
    result["peak_mb"] = max(result["peak_mb"], peak_kb / 1024)
    return result


def tree_memory_kb(pid: int, table: str, field: str, descendants: bool = True) -> int:
    """One memory figure (``field`` of /proc/PID/``table``, in kB) summed over a process
    and all its descendants, or of the process alone (``descendants`` False); 0 without /proc."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            lines = Path(f"/proc/{current}/{table}").read_text().splitlines()
            for task in Path(f"/proc/{current}/task").iterdir() if descendants else ():
                pending.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)
    return total


def edit_one_credential(catalog: Path, run: int) -> None:
    """Change one credential's description, as a pull request would."""
    path = sorted((catalog / "credentials").glob("*.md"))[0]
    path.write_text(
        path.read_text(encoding="utf-8") + f"\nEdited for benchmark run {run}.\n", encoding="utf-8"
    )


def correct_one_row(catalog: Path, run: int) -> None:
    """Correct one school's count in the last year's attainment file (its first row gets
    ``run`` more), as a state's data office would: issue 29's one-row rebuild."""
    path = sorted((catalog / "outcomes").glob("*/attainment.csv"))[-1]
    header, first, *rest = path.read_text(encoding="utf-8").splitlines(True)
    cells = first.rstrip("\n").split(",")
    cells[-1] = str(int(cells[-1]) + run)
    path.write_text("".join([header, ",".join(cells) + "\n", *rest]), encoding="utf-8")


EDITS = {"credential": edit_one_credential, "outcome": correct_one_row}


def summary(label: str, values: list[float], unit: str) -> str:
    return f"{label:<22} min {min(values):8.2f}  median {statistics.median(values):8.2f}  max {max(values):8.2f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", choices=("small", "state", "national"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--rebuilds", type=int, default=1, help="rebuilds after one edit each, per cold build (default 1)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where the catalog is generated (default: a folder in /tmp)"
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="protect by the spec's rules alone, without the audit: times the other stages of a build "
        "whose protection takes hours (never a site to publish)",
    )
    parser.add_argument(
        "--edit",
        choices=sorted(EDITS),
        default="credential",
        help="what each rebuild changes: one credential's text (default) or one school's attainment count",
    )
    parser.add_argument(
        "--memory-every",
        type=float,
        default=0,
        metavar="SECONDS",
        help="print the build's memory (PSS) among its progress every so many seconds",
    )
    parser.add_argument("--schools", type=int)
    parser.add_argument("--credentials", type=int)
    args = parser.parse_args()
    overrides = [f"--{name}={value}" for name in ("schools", "credentials") if (value := getattr(args, name))]
    workdir = args.workdir or Path(tempfile.gettempdir()) / f"credsite-bench-{args.size}{''.join(overrides)}"
    catalog = generate(args.size, workdir, overrides)
    cold, rebuilt = [], []
    for run in range(1, args.runs + 1):
        out = workdir / "public"
        shutil.rmtree(out, ignore_errors=True)
        # Cold means cold: the protection and reports caches the last run left go too.
        shutil.rmtree(cache_dir_for(catalog), ignore_errors=True)
        cold.append(one_build(catalog, out, args.rules_only, args.memory_every))
        print(f"run {run}: cold {json.dumps(cold[-1])}", flush=True)
        for _ in range(args.rebuilds):
            EDITS[args.edit](catalog, len(rebuilt) + 1)
            rebuilt.append(one_build(catalog, out, args.rules_only, args.memory_every))
            print(f"       rebuild {json.dumps(rebuilt[-1])}", flush=True)
    for title, results in (("cold build", cold), (f"rebuild after one {args.edit} edit", rebuilt)):
        if not results:
            continue
        print(
            f"\n{title} ({args.size}{' ' + ' '.join(overrides) if overrides else ''}, {len(results)} runs, "
            f"{results[0]['pages']} pages)"
        )
        for stage in STAGES:
            print(summary(stage, [r["stages"].get(stage, 0.0) for r in results], "s"))
        print(summary("total", [r["total"] for r in results], "s"))
        print(summary("command", [r["command"] for r in results], "s"))
        print(summary("peak memory (RSS)", [r["peak_mb"] for r in results], "MB"))
        print(summary("peak memory (PSS)", [r["peak_pss_mb"] for r in results], "MB"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
