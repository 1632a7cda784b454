"""The network-flow audit of the attainment tables, checked against the linear programs.

The attainment system is built the way the build builds it, from random schools,
districts, credentials and counts. With its network (``system.arcs``) the audit answers
with flows; with the network taken away it answers with linear programs, which are
exact: the two must report exactly the same narrow cells, with the same ranges.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.outcomes import Attainment, Claim, School
from site_builder.reports.systems import attainment_system
from site_builder.rules import audit as audit_module
from site_builder.rules import disclosure
from site_builder.rules.audit import audit
from site_builder.rules.disclosure import protect
from site_builder.rules.privacy import TableSystem, complementary_suppression, primary_statuses

N = 10


@pytest.fixture(autouse=True, scope="module")
def flows_for_every_size():
    """The build uses flows only for large groups; here every group is large enough."""
    limit = audit_module.NETWORK_LIMIT
    audit_module.NETWORK_LIMIT = 0
    yield
    audit_module.NETWORK_LIMIT = limit


FIELDS = ("health", "trades")
counts = st.one_of(st.integers(1, 9), st.integers(1, 9), st.integers(10, 40))


@st.composite
def attainment(draw, with_claims: bool = False) -> TableSystem:
    """A small state: 2 to 3 districts of 1 to 3 schools, 3 to 5 credentials in 2 fields."""
    schools = {}
    for district in range(draw(st.integers(2, 3))):
        for number in range(draw(st.integers(1, 3))):
            school_id = f"s{district}{number}"
            schools[school_id] = School(school_id, school_id, f"d{district}", f"d{district}", "c")
    credentials = [f"c{n}" for n in range(draw(st.integers(3, 5)))]
    primary_field = {c: FIELDS[n % 2] for n, c in enumerate(credentials)}
    rows, claims = [], []
    for school_id in schools:
        for credential_id in credentials:
            if draw(st.booleans()) or credential_id == credentials[0]:
                earned = draw(counts)
                rows.append(Attainment(2025, school_id, credential_id, earned))
                if with_claims and draw(st.booleans()):
                    count = draw(st.integers(1, earned))
                    claims.append(Claim(2025, "fees", school_id, credential_id, count, Decimal(count * 100)))
    return attainment_system(rows, claims, schools, primary_field)


def without_network(system: TableSystem) -> TableSystem:
    return dataclasses.replace(system, arcs={})


def exposures(system: TableSystem, statuses: dict, **options) -> dict:
    return {(e.key, e.check): (e.low, e.high) for e in audit(system, statuses, N, **options).exposures}


def first_statuses(system: TableSystem) -> dict:
    return complementary_suppression(system, primary_statuses(system, N), N)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment())
def test_flows_find_exactly_the_narrow_cells_the_linear_programs_find(system: TableSystem) -> None:
    statuses = first_statuses(system)
    assert exposures(system, statuses) == exposures(without_network(system), statuses)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True))
def test_with_claims_the_flows_never_miss_a_narrow_cell(system: TableSystem) -> None:
    # A school's claims cannot exceed its credentials: the flows hold the other side of
    # that inequality at its true value, so they may find more narrow cells, never fewer.
    statuses = first_statuses(system)
    assert set(exposures(without_network(system), statuses)) <= set(exposures(system, statuses))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True))
def test_a_pattern_protected_with_flows_passes_the_linear_programs(system: TableSystem) -> None:
    protection = protect(system, N)
    report = audit(without_network(system), protection.statuses, N, exempt=protection.inherent)
    assert report.passed, report.exposures


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True))
def test_remembering_proven_cells_changes_nothing(system: TableSystem) -> None:
    remembered = protect(system, N).statuses
    original = disclosure.audit
    try:
        disclosure.audit = lambda *args, proven=None, **kwargs: original(*args, **kwargs)
        assert protect(system, N).statuses == remembered
    finally:
        disclosure.audit = original


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True))
def test_the_network_says_what_the_relations_say(system: TableSystem) -> None:
    """Conservation at every node spans exactly the equations of the relations."""
    cells = sorted(system.values, key=repr)
    column = {key: n for n, key in enumerate(cells)}
    relations = np.zeros((len(system.relations), len(cells)))
    for row, relation in enumerate(system.relations):
        relations[row, column[relation.total]] = 1
        for part in relation.parts:
            relations[row, column[part]] -= 1
    nodes = sorted({node for arc in system.arcs.values() for node in arc}, key=repr)
    conservation = np.zeros((len(nodes), len(cells)))
    at = {node: n for n, node in enumerate(nodes)}
    for key, (tail, head) in system.arcs.items():
        conservation[at[tail], column[key]] -= 1
        conservation[at[head], column[key]] += 1
    assert set(system.arcs) == set(system.values)
    rank = np.linalg.matrix_rank
    assert rank(relations) == rank(conservation) == rank(np.vstack([relations, conservation]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True), st.integers(1, 12))
def test_cells_handed_to_the_linear_programs_get_their_exact_verdict(
    system: TableSystem, nearby: int
) -> None:
    """Cells the flows hand over are tried among their nearest neighbours first (a
    smaller program, so it may only call a wide cell narrow), then exactly: the verdict
    is the exact one whatever the size of the neighbourhood."""
    statuses = first_statuses(system)
    every_pair = {(key, check) for key in statuses for check in ("width", "pinning")}
    limit = audit_module.NEARBY_CELLS
    try:
        audit_module.NEARBY_CELLS = nearby
        handed_over = exposures(system, statuses, exact=every_pair)
    finally:
        audit_module.NEARBY_CELLS = limit
    assert handed_over == exposures(without_network(system), statuses)
