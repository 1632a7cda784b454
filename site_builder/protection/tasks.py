"""Protection tasks, run on Dask (``dask.distributed``).

Each task makes one table system (a year's readiness, or one block of a year's
attainment: ``protection.blocks``) and protects it. Tasks are independent and each one's
result is deterministic, so where they run never changes what is published: in this
process when there is little to do, else on a local cluster of one worker process per core
started for the build, or on an existing cluster (``--scheduler ADDRESS`` or the
``CREDSITE_SCHEDULER`` variable) when a national build outgrows one machine.

The tasks carry true counts to the workers. A cluster given by address must be the
state's own, run where its student data may be (SPEC 11), reached over TLS
(``tls://``); a local cluster is reached over TLS with credentials made for the build.
Workers must run the same protection code as the build (checked before any task is
sent). Workers' logs are kept to errors, and a task or a cluster that fails is reported
by the kind of failure only, never with its arguments (which hold counts). A task whose
worker dies is run again on another (the scheduler holds what it is made of).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from site_builder.protection.disclosure import DisclosureRisk, Protection, protect
from site_builder.protection.privacy import PUBLISHED, TableSystem

#: the environment variable naming an existing Dask scheduler (``--scheduler`` wins)
SCHEDULER_VARIABLE = "CREDSITE_SCHEDULER"
#: below this many outcome rows in all (and with no scheduler named), the tasks run in this
#: process: starting a cluster costs more than it saves
PARALLEL_ROWS = 50_000
#: how long a named scheduler may take to answer before the build gives up
CONNECT_TIMEOUT = "30s"
#: tasks sent to the cluster ahead of their turn, for each worker: one running, one waiting
IN_FLIGHT = 2


Protector = Callable[[TableSystem, int], Protection]


@dataclass(frozen=True)
class Task:
    """A table system not made yet: the worker that protects it makes it, so that the build
    never holds a large state's systems (90 MB each for an attainment year) besides the
    outcome rows they are made of."""

    name: str
    #: the outcome rows it is made of: how large it will be
    rows: int
    #: makes it (picklable, to be sent to a worker)
    make: Callable[[], TableSystem]
    #: what one of its rows costs, against one of an attainment year's
    cost: float = 1.0

    @property
    def size(self) -> int:
        """How long it should take, in attainment rows: the larger go first."""
        return round(self.rows * self.cost)


class ClusterFailed(Exception):
    """A task failed on the cluster, or the cluster could not be reached; the message says
    which task and what kind of failure, never the task's data."""


def run(
    tasks: list[Task],
    min_cell: int,
    protector: Protector = protect,
    finished: Callable[[int, float], None] = lambda number, seconds: None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> list[tuple[Protection, float]]:
    """Each task's system made and protected, with the seconds its protection took, in the
    order given. ``scheduler``: a Dask scheduler's address (default: ``CREDSITE_SCHEDULER``,
    else a local cluster of ``workers`` processes, by default one per core, when the tasks
    are large enough to be worth it)."""
    scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    workers = workers or min(len(tasks), os.cpu_count() or 1)
    if scheduler is None and (workers < 2 or sum(task.rows for task in tasks) < PARALLEL_ROWS):
        results = []
        for number, task in enumerate(tasks):
            results.append(_timed(protector, task.make(), min_cell))
            finished(number, results[-1][1])
        return results
    from distributed import as_completed

    sent: dict[int, tuple[bytes, float]] = {}
    with _client(scheduler, workers) as client:
        try:
            _same_engine(client)
            # Largest first, so that the last task to finish is a small one, and only a few
            # at a time (IN_FLIGHT for each worker): what a task is made of travels in the
            # task itself (10 MB for a state year), and the scheduler keeps it, so a task
            # whose worker dies is run again elsewhere. Sent all at once, a national
            # build's 165 tasks (2 GB) sat in the build's scheduler, and twice the build
            # lost its connection to it ("scheduler-connection-lost") a few minutes in
            largest_first = iter(sorted(range(len(tasks)), key=lambda number: (-tasks[number].size, number)))
            window = IN_FLIGHT * max(1, len(client.scheduler_info().get("workers", {})))
            futures: dict = {}
            running = as_completed()

            def send(number: int) -> None:
                future = client.submit(
                    _made_and_protected,
                    protector,
                    tasks[number].make,
                    min_cell,
                    pure=False,
                    priority=tasks[number].size,
                )
                futures[future] = number
                running.add(future)

            for number in islice(largest_first, window):
                send(number)
            for future in running:
                number = futures.pop(future)
                if future.status != "finished":
                    raise ClusterFailed(
                        f"protecting {tasks[number].name} failed on the cluster: {_kind(future)}"
                    )
                outcome = future.result()
                future.release()  # the worker may forget the task and its result
                if isinstance(outcome, _Failure):
                    raise outcome.error(tasks[number].name)
                sent[number] = outcome
                finished(number, outcome[1])
                if (following := next(largest_first, None)) is not None:
                    send(following)
        except (ClusterFailed, DisclosureRisk):
            raise
        except Exception as error:  # the cluster's own failures, by kind only: never their data
            raise ClusterFailed(f"the Dask cluster failed while protecting: {type(error).__name__}") from None
    return [(_received(sent[number][0]), sent[number][1]) for number in range(len(tasks))]


def _kind(future: object) -> str:
    """What kind of failure a future that did not finish had: its exception's type, or for
    a cancelled one Dask's reason (such as "scheduler-connection-lost"), never its data."""
    status = future.status  # type: ignore[attr-defined]
    if status == "error":
        return type(future.exception()).__name__  # type: ignore[attr-defined]
    reason = getattr(getattr(getattr(future, "_state", None), "exception", None), "reason", None)
    return f"{status} ({reason})" if isinstance(reason, str) and reason.isprintable() else status


def engine_fingerprint() -> str:
    """A hash of the source that makes and protects the systems: what every worker must run
    the same of, or the published numbers would depend on where a task ran."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*(package / "protection").glob("*.py"), package / "reports" / "systems.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _same_engine(client: object) -> None:
    """Refuse a cluster whose workers run other code than this build (another credsite)."""
    theirs = set(client.run(engine_fingerprint).values())  # type: ignore[attr-defined]
    if theirs and theirs != {engine_fingerprint()}:
        raise ClusterFailed("the Dask workers run another version of credsite's protection than this build")


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator:
    """A client of the scheduler at ``scheduler``, or of a local cluster of ``workers``
    single-threaded processes (the linear programs hold the GIL) on this machine, reached
    over TLS with credentials made for this build only (any process on the machine can
    reach its port, none can talk to it), with no dashboard and no memory limit (a task's
    peak is its own; the workers' nannies give freed memory back to the system)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterFailed(
                f"could not reach the Dask scheduler at {scheduler}: {type(error).__name__}"
            ) from None
        with client:
            yield client
        return
    try:
        settings = dask.config.set(
            {
                # the workers' environment, in place of Dask's default. That holds OpenMP
                # and BLAS to one thread (the last long task of a build runs alone on the
                # machine), and sets MALLOC_TRIM_THRESHOLD_, which also stops glibc from
                # raising its mmap threshold: every array or list over 128 KB is then mapped
                # and unmapped afresh. With the flow audit's arrays a state year's attainment
                # took 104-107 s so, against 67-78 s with glibc left alone (its peak 60 MB
                # higher, 787 -> 847 MB, when the linear programs did the work)
                "distributed.nanny.pre-spawn-environ": {},
                # the workers' sampling profiler takes the interpreter lock a hundred times a
                # second: a state year's attainment took 386 s on a worker, 329 s in the build
                "distributed.worker.profile.enabled": False,
                # a task carries its rows (a state year: about 10 MB); that is expected here
                "distributed.admin.large-graph-warning-threshold": "2GB",
                # every process is on this machine: one that has not read its socket for
                # 30 s (Dask's default) is busy, not gone
                "distributed.comm.timeouts.tcp": "300s",
            }
        )
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            security=True,
            dashboard_address=None,
            memory_limit=0,
            silence_logs=logging.ERROR,
        )
    except Exception as error:
        raise ClusterFailed(f"could not start a local Dask cluster: {type(error).__name__}") from None
    with settings, cluster, Client(cluster) as client:
        yield client


@dataclass(frozen=True)
class _Failure:
    """What a failed task sends back: the kind of failure and, for a disclosure risk (whose
    message names cells by key only), its message."""

    kind: str
    message: str | None

    def error(self, name: str) -> Exception:
        if self.kind == "DisclosureRisk":
            return DisclosureRisk(f"{name}: {self.message}")
        return ClusterFailed(f"protecting {name} failed on the cluster: {self.kind}")


def _made_and_protected(protector: Protector, make: Callable[[], TableSystem], min_cell: int) -> object:
    """A task: make a system and protect it; what the reports need of it (its values, and the
    status of each hidden cell: most cells are published), pickled, with the seconds the
    protection took. A failure comes back as a ``_Failure``, so that no traceback or log line
    of the worker shows the task's arguments."""
    try:
        protection, seconds = _timed(protector, make(), min_cell)
    except DisclosureRisk as risk:
        return _Failure("DisclosureRisk", str(risk))
    except Exception as error:
        return _Failure(type(error).__name__, None)
    hidden = {key: status for key, status in protection.statuses.items() if status != PUBLISHED}
    sent = (
        protection.values,
        hidden,
        protection.report,
        protection.repair_rounds,
        protection.inherent,
        protection.unresolved,
    )
    return pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL), seconds


def _received(sent: bytes) -> Protection:
    """The protection ``_made_and_protected`` sent: every cell not sent back hidden is published."""
    values, hidden, report, rounds, inherent, unresolved = pickle.loads(sent)
    statuses = {key: hidden.get(key, PUBLISHED) for key in values}
    return Protection(values, statuses, report, rounds, inherent, unresolved)


def _timed(protector: Protector, system: TableSystem, min_cell: int) -> tuple[Protection, float]:
    started = time.perf_counter()
    protection = protector(system, min_cell)
    return protection, time.perf_counter() - started
