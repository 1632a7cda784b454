"""Protected reports from a small outcome package written here, with hand-computed answers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from catalog_factory import write_outcomes

from site_builder.build import validate
from site_builder.reports import compute_reports
from site_builder.reports.model import Reports

D = Decimal


@pytest.fixture
def reports(small_catalog: Path) -> Reports:
    write_outcomes(small_catalog)
    validated = validate(small_catalog)
    assert validated.outcomes is not None
    return compute_reports(validated.catalog, validated.outcomes)


def test_fee_program_is_prorated_to_the_cent(reports: Reports) -> None:
    (exam,) = [p for p in reports.by_year[2024].programs if p.program == "exam-fee"]
    # Claims 1000 + 1000 + 1000 = 3000 against 1000: f = 1/3; each is owed 333.333...,
    # floors 333.33 x 3 = 999.99, and the leftover cent goes to the smallest school_id.
    assert exam.claimed.value == D("3000.00")
    assert exam.factor == D("0.333333")
    assert exam.paid.value == D("1000.00")
    # Cedar claimed 3 credentials (< 10): withheld, and Alder (smallest id of the two
    # equal 10s) is withheld with it so Cedar's count cannot be subtracted out. Birch's count
    # is published; its dollars are not: a fee program never publishes a school's dollars,
    # which the exam fees would split into counts per credential.
    assert {
        school: (p.count.text, p.claimed.text, p.paid.text, p.paid.status)
        for school, p in exam.payments.items()
    } == {
        "100001": ("suppressed", "suppressed", "suppressed", "suppressed-complementary"),
        "100002": ("10", "suppressed", "suppressed", "suppressed-complementary"),
        "100003": ("<10", "suppressed", "suppressed", "suppressed"),
    }


def test_flat_rate_program_pays_count_times_unit(reports: Reports) -> None:
    (bonus,) = [p for p in reports.by_year[2024].programs if p.program == "bonus"]
    assert bonus.unit_amount == D("50.00")
    assert bonus.claimed.value == D("2500.00")  # (20 + 30) x 50
    assert bonus.factor == 1
    assert {school: p.paid.value for school, p in bonus.payments.items()} == {
        "100004": D("1000.00"),
        "100006": D("1500.00"),
    }


def test_hidden_counts_carry_no_value(reports: Reports) -> None:
    year = reports.by_year[2024]
    cedar = year.schools["100003"].by_credential["nurse-aide"]
    assert (cedar.value, cedar.status, cedar.text) == (None, "suppressed", "<10")
    for school in year.schools.values():
        for cell in [school.total, *school.by_field.values(), *school.by_credential.values()]:
            assert cell.value is None or cell.value == 0 or cell.value >= 10


def test_state_totals_are_published(reports: Reports) -> None:
    year = reports.by_year[2024]
    assert year.total.value == 325
    assert year.by_credential["net-pro"].value == 40 + 35 + 25 + 30 + 12
    assert year.by_district["900001"].value == 22 + 40 + 18 + 35 + 25 + 3
    assert year.by_field["health"].value == 3 + 30 + 28 + 19 + 14


def test_rates_are_coded_by_tier(reports: Reports) -> None:
    schools = reports.by_year[2024].schools
    assert schools["100001"].readiness.rate.text == "30%"
    assert schools["100005"].readiness.rate.text == ">=95%"  # 48 of 50: 96%
    assert schools["100005"].readiness.graduates.value == 50
    assert schools["100005"].readiness.met.value is None  # never numerator, denominator and code together
    assert schools["100004"].readiness.rate.text == "<=2%"  # 3 of 200: 1.5%
    assert schools["100006"].readiness.graduates.text == "<10"
    assert schools["100006"].readiness.rate.status == "suppressed"
    # Gum Tree's 30 graduates are hidden so that Fir's 8 cannot be worked out from the district.
    assert schools["100007"].readiness.graduates.status == "suppressed-complementary"
    assert schools["100007"].readiness.rate.status == "suppressed"


def test_every_protected_year_passed_its_audit(reports: Reports) -> None:
    for summary in reports.by_year[2024].audit:
        assert summary.hidden > 0
        assert summary.checked <= summary.hidden


def test_a_program_with_a_hidden_total_hides_its_factor(small_catalog: Path) -> None:
    from catalog_factory import OUTCOME_FILES

    files = dict(OUTCOME_FILES)
    files["funding.csv"] += "2024,pilot,100.00,\n"
    files["2024/claims.csv"] += (
        "2024,pilot,100001,net-basics,2,300.00\n2024,pilot,100002,net-basics,3,450.00\n"
    )
    write_outcomes(small_catalog, files)
    validated = validate(small_catalog)
    reports = compute_reports(validated.catalog, validated.outcomes)
    (pilot,) = [p for p in reports.by_year[2024].programs if p.program == "pilot"]
    # 5 credentials claimed in all: the total is below 10, so 100 / 750 must not be published
    assert pilot.count.text == "<10"
    assert pilot.factor is None
    assert pilot.claimed.value is None and pilot.paid.value is None
    assert all(payment.paid.value is None for payment in pilot.payments.values())


def test_large_attainment_tables_are_protected_by_certificates_and_readiness_by_linear_programs(
    small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size limit the attainment tables (and claims), which have a grid of
    schools by credentials, are protected by certificates; readiness, with its coded
    rates and no grid, keeps the linear programs. The published cells keep the rules."""
    import site_builder.protection.disclosure as disclosure_module

    protected: dict[str, list[str]] = {"certificates": [], "linear programs": []}
    certificates_before, audit_before = disclosure_module.protect_by_certificates, disclosure_module.audit

    def certificates_spy(system, *args, **kwargs):
        protected["certificates"].extend(sorted({key[0] for key in system.values}))
        return certificates_before(system, *args, **kwargs)

    def audit_spy(system, *args, **kwargs):
        protected["linear programs"].extend(sorted({key[0] for key in system.values}))
        return audit_before(system, *args, **kwargs)

    monkeypatch.setattr(disclosure_module, "CERTIFICATE_LIMIT", 0)  # the sample's tables are small
    monkeypatch.setattr(disclosure_module, "protect_by_certificates", certificates_spy)
    monkeypatch.setattr(disclosure_module, "audit", audit_spy)
    write_outcomes(small_catalog)
    validated = validate(small_catalog)
    reports = compute_reports(validated.catalog, validated.outcomes, protector=disclosure_module.protect)
    assert set(protected["certificates"]) == {"att", "claims"}
    assert set(protected["linear programs"]) == {"ready"}
    for school in reports.by_year[2024].schools.values():
        for cell in [school.total, *school.by_field.values(), *school.by_credential.values()]:
            assert cell.value is None or cell.value == 0 or cell.value >= 10


def test_protection_on_a_two_worker_cluster_publishes_the_same_numbers(
    small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large state's systems are protected as tasks on a Dask cluster (``protection.tasks``),
    each made by the worker that protects it, so the build never holds them besides the rows
    they are made of; what is published must not depend on where they ran. A real local
    cluster of two worker processes, given by address as ``--scheduler`` gives it, against
    the same reports computed in this process."""
    from distributed import LocalCluster

    import site_builder.reports.systems as systems_module

    write_outcomes(small_catalog)
    validated = validate(small_catalog)
    made_here: list[object] = []

    class Recorded(systems_module.TableSystem):
        """A table system that says it was made in this process (a worker imports its own)."""

        def __init__(self, *args, **kwargs) -> None:
            made_here.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(systems_module, "TableSystem", Recorded)
    monkeypatch.delenv("CREDSITE_SCHEDULER", raising=False)
    alone = compute_reports(validated.catalog, validated.outcomes)
    assert len(made_here) == 2 * len(alone.years)  # the spy sees systems made in this process
    made_here.clear()
    messages: list[str] = []
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert len(cluster.workers) == 2
        clustered = compute_reports(
            validated.catalog, validated.outcomes, messages.append, scheduler=cluster.scheduler_address
        )
    assert made_here == []
    assert sum(message.startswith("protected ") for message in messages) == 2 * len(alone.years)
    # the same to the last byte, but for how long each protection took
    assert _untimed(repr(clustered)) == _untimed(repr(alone))


def _untimed(text: str) -> str:
    return re.sub(r"seconds=[0-9.e+-]+", "seconds=_", text)


def _small_system(values: tuple[int, ...]):
    from site_builder.protection import TableSystem

    system = TableSystem(values={("part", n): value for n, value in enumerate(values)})
    system.values[("total",)] = sum(values)
    system.add_relation(("total",), [("part", n) for n in range(len(values))])
    return system


def _protect_with_glibc_left_alone(system, min_cell: int):
    import os

    from site_builder.protection import protect

    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ
    return protect(system, min_cell)


def test_the_local_cluster_leaves_the_workers_allocator_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which stops glibc from
    raising its mmap threshold: every large array is mapped afresh, and a state year's
    attainment took 104-107 s instead of 67-78 s. The local cluster the build starts when
    no scheduler is named (two workers here) leaves it unset."""
    from functools import partial

    from site_builder.protection import Task, protect, run, tasks

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.delenv(tasks.SCHEDULER_VARIABLE, raising=False)
    monkeypatch.setattr(tasks, "PARALLEL_ROWS", 0)
    systems = [Task(f"system {n}", 3, partial(_small_system, (n + 1, 12, 30))) for n in range(2)]
    protected = run(systems, 10, _protect_with_glibc_left_alone, workers=2)
    assert [protection.report.passed for protection, _ in protected] == [True, True]
    assert [protection.statuses for protection, _ in protected] == [
        protect(_small_system((n + 1, 12, 30)), 10).statuses for n in range(2)
    ]


def test_the_largest_tasks_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers take the largest systems first, so that a build ends on a small one: a
    state's readiness years (4,000 rows) went first when they were submitted first. Large
    by their rows' cost: a national readiness year (40,000 rows at ten times an attainment
    row's cost) went last, after 32 slices of 100,000 rows, and ran alone. One worker
    here, so the order they finish in is the order it took them."""
    from functools import partial

    from distributed import LocalCluster

    from site_builder.protection import Task, protect, run

    sizes = [(1, 1.0), (30, 1.0), (5, 1.0), (4, 10.0)]
    systems = [
        Task(f"system {n}", rows, partial(_small_system, (n + 1, 12, 30)), cost)
        for n, (rows, cost) in enumerate(sizes)
    ]
    finished: list[int] = []
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        run(systems, 10, protect, lambda number, seconds: finished.append(number), cluster.scheduler_address)
    assert finished == [3, 1, 2, 0]


def _protect_dying_once(marker: Path, system, min_cell: int):
    """Kills its worker process the first time any task runs; protects as usual after."""
    import os

    from site_builder.protection import protect

    if not marker.exists():
        marker.write_text("died", encoding="utf-8")
        os._exit(1)
    return protect(system, min_cell)


def test_a_task_whose_worker_dies_runs_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies mid-task (out of memory, killed) does not fail the build: the
    scheduler holds what the task is made of and runs it again on another worker."""
    from functools import partial

    from site_builder.protection import Task, protect, run, tasks

    monkeypatch.delenv(tasks.SCHEDULER_VARIABLE, raising=False)
    monkeypatch.setattr(tasks, "PARALLEL_ROWS", 0)
    marker = tmp_path / "died"
    systems = [Task(f"system {n}", 3, partial(_small_system, (n + 1, 12, 30))) for n in range(2)]
    protected = run(systems, 10, partial(_protect_dying_once, marker), workers=2)
    assert marker.read_text(encoding="utf-8") == "died"
    assert [protection.statuses for protection, _ in protected] == [
        protect(_small_system((n + 1, 12, 30)), 10).statuses for n in range(2)
    ]


def test_equal_counts_are_one_object(reports: Reports) -> None:
    """A nation's reports hold ten million counts, most of them "<10" or small numbers:
    each distinct count is made once and shared, not made again for every cell."""
    cells = [
        cell
        for year in reports.by_year.values()
        for school in year.schools.values()
        for cell in [school.total, *school.by_field.values(), *school.by_credential.values()]
    ]
    hidden = [cell for cell in cells if cell.text == "<10"]
    assert len(hidden) > 1
    assert len({id(cell) for cell in hidden}) == 1
    assert len({id(cell) for cell in cells}) == len({(cell.value, cell.status) for cell in cells})


def test_a_cancelled_task_is_reported_with_dasks_reason() -> None:
    """A task the cluster cancels fails the build with Dask's reason for it (a national
    build's tasks were once cancelled while being sent, and the message said only
    "cancelled"), never with the task's data."""
    import time

    from distributed import Client, LocalCluster

    from site_builder.protection.tasks import _kind

    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        future = client.submit(time.sleep, 3)  # cancelled long before it ends
        client.cancel([future], reason="scheduler-connection-lost")
        assert _kind(future) == "cancelled (scheduler-connection-lost)"
