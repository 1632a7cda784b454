"""The exact flow audit (``protection.flows``) against the linear programs.

The attainment system is built as the build builds it, from random small states; the
audit's linear programs (exact at this size) are the oracle. Without claims the year is a
network, and the flows must find exactly the cells the programs find narrow. With claims
(inequalities the network does not see) a cell the flows prove must be wide and a cell
they find narrow must be narrow; the rest are left to the certificates.
"""

from __future__ import annotations

from decimal import Decimal

from attainment_systems import attainment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.outcomes import Attainment, Claim, School
from site_builder.protection.audit import audit
from site_builder.protection.certificates import CHECKS, Certificate, Certifier
from site_builder.protection.flows import Network
from site_builder.protection.privacy import (
    Inequality,
    TableSystem,
    complementary_suppression,
    primary_statuses,
)
from site_builder.reports.systems import attainment_system

N = 10


def flows_and_programs(system: TableSystem) -> tuple[dict, dict]:
    """For each check: the flows' findings, and the cells the linear programs find narrow."""
    statuses = complementary_suppression(system, primary_statuses(system, N), N)
    narrow = {check: set() for check in CHECKS}
    for exposure in audit(system, statuses, N).exposures:
        narrow[exposure.check].add(exposure.key)
    certifier = Certifier(system, N)
    certifier.use(statuses)
    network = Network(system, certifier.keys)
    found = {}
    for check in CHECKS:
        low, high = certifier.bounds(check)
        result = network.prove(certifier.must_prove(), certifier.hidden, low, high, certifier.need(check))
        keys = certifier.keys
        found[check] = (
            {keys[i] for i in result.proven},
            {keys[i] for i in result.narrow},
            {keys[i] for i in result.unsettled},
            {keys[i] for i in certifier.must_prove()},
        )
    return found, narrow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=False))
def test_without_claims_the_flows_find_exactly_the_cells_the_programs_find_narrow(
    system: TableSystem,
) -> None:
    found, narrow = flows_and_programs(system)
    for check in CHECKS:
        proven, flow_narrow, unsettled, asked = found[check]
        assert flow_narrow == narrow[check]
        assert not unsettled  # no inequality can break a table
        assert asked - flow_narrow <= proven
        assert not proven & narrow[check]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True))
def test_with_claims_what_the_flows_prove_is_wide_and_what_they_find_narrow_is_narrow(
    system: TableSystem,
) -> None:
    found, narrow = flows_and_programs(system)
    for check in CHECKS:
        proven, flow_narrow, unsettled, asked = found[check]
        assert not proven & narrow[check]
        assert flow_narrow <= narrow[check]
        assert asked <= proven | flow_narrow | unsettled


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attainment(with_claims=True, programs=True))
def test_with_a_programs_members_the_flows_stay_sound(system: TableSystem) -> None:
    found, narrow = flows_and_programs(system)
    for check in CHECKS:
        proven, flow_narrow, _, _ = found[check]
        assert not proven & narrow[check]
        assert flow_narrow <= narrow[check]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(attainment(with_claims=True), attainment(with_claims=True, programs=True)))
def test_an_attainment_year_is_a_network_whose_every_node_is_a_relation(system: TableSystem) -> None:
    assert set(system.arcs) == set(system.values)
    assert Network(system, sorted(system.values, key=repr)).exact


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(attainment(with_claims=True), attainment(with_claims=True, programs=True)))
def test_the_networks_rows_list_each_cells_relations_and_inequalities_in_order(system: TableSystem) -> None:
    """The compressed rows the searches read, made from flat arrays, against each cell's
    relations (the total +1, a part -1) and inequalities listed one by one."""
    keys = sorted(system.values, key=repr)
    index = {key: number for number, key in enumerate(keys)}
    network = Network(system, keys)
    for cell, key in enumerate(keys):
        start, end = network.relation_start[cell], network.relation_start[cell + 1]
        assert list(
            zip(
                network.relation_of[start:end].tolist(),
                network.relation_sign[start:end].tolist(),
                strict=True,
            )
        ) == [
            (number, 1 if position == 0 else -1)
            for number, relation in enumerate(system.relations)
            for position, member in enumerate((relation.total, *relation.parts))
            if member == key
        ]
        start, end = network.inequality_start[cell], network.inequality_start[cell + 1]
        assert network.inequality_of[start:end].tolist() == [
            number
            for number, inequality in enumerate(system.inequalities)
            for k, _ in inequality.terms
            if k == key
        ]
    for number, inequality in enumerate(system.inequalities):
        start, end = network.term_start[number], network.term_start[number + 1]
        assert network.term_cell[start:end].tolist() == [index[key] for key, _ in inequality.terms]


def three_schools() -> TableSystem:
    """Three schools of one district, each with two hidden cells of 5 that balance."""
    schools = {s: School(s, s, "d", "d", "c") for s in ("a", "b", "c")}
    rows = [Attainment(2025, s, c, 5) for s in schools for c in ("x", "y")]
    return attainment_system(rows, [], schools, {"x": "health", "y": "health"})


def all_statuses(system: TableSystem) -> dict:
    return {key: "suppressed-complementary" for key in system.values}


def all_hidden(system: TableSystem) -> tuple[Certifier, list[int]]:
    certifier = Certifier(system, N)
    certifier.use(all_statuses(system))
    cells = [certifier.index[key] for key in system.values if key[1] == "school-credential"]
    return certifier, cells


def test_a_table_that_breaks_a_relation_proves_nothing() -> None:
    """Arcs that do not match the relations (here every cell of school "a" reversed) give
    tables the exact check rejects: nothing is proven by them, and nothing is called narrow
    (a node is no longer a relation, so the flows are not exact)."""
    system = three_schools()
    for key, (tail, head) in list(system.arcs.items()):
        if key[1] == "school-credential" and key[2] == "a":
            system.arcs[key] = (head, tail)
    certifier, cells = all_hidden(system)
    network = Network(system, certifier.keys)
    assert not network.exact
    low, high = certifier.bounds("width")
    result = network.prove(cells, certifier.hidden, low, high, N)
    moved_a = {
        certifier.index[key] for key in system.values if key[1] == "school-credential" and key[2] == "a"
    }
    assert not moved_a & set(result.proven)
    assert result.narrow == []
    assert moved_a <= set(result.unsettled)


def test_a_table_that_breaks_an_inequality_proves_nothing() -> None:
    """Inequalities that hold school "a"'s count where it is (as claims can, from below):
    every table that moves it breaks one, so it is left to the certificates."""
    system = three_schools()
    school_a = ("att", "school", "a")
    system.inequalities += [Inequality(((school_a, 1.0),), 10.0), Inequality(((school_a, -1.0),), -10.0)]
    certifier, _ = all_hidden(system)
    network = Network(system, certifier.keys)
    low, high = certifier.bounds("width")
    result = network.prove(certifier.must_prove(), certifier.hidden, low, high, N)
    assert certifier.index[school_a] in result.unsettled
    assert certifier.index[school_a] not in result.proven
    # the schools' cells still trade within their schools, a's too: proven
    for school in ("a", "b", "c"):
        assert certifier.index[("att", "school-credential", school, "x")] in result.proven


def test_a_claim_as_large_as_the_schools_earned_count_is_proven_by_a_mended_table() -> None:
    """School a claims all 6 credentials its students earned: lowered, its claim moves 6
    at most, so it must also rise by 4. A table raising it breaks "claims at most
    earned"; the mending raises its earned count with it, by a table of the attainment
    part, and the pair passes the exact check."""
    schools = {s: School(s, s, "d", "d", "c") for s in ("a", "b", "c")}
    rows = [Attainment(2025, s, c, 3 if s == "a" else 5) for s in schools for c in ("x", "y")]
    claims = [Claim(2025, "fees", "a", "x", 3, Decimal(300)), Claim(2025, "fees", "a", "y", 3, Decimal(300))]
    claims += [Claim(2025, "fees", s, "x", 3, Decimal(300)) for s in ("b", "c")]
    system = attainment_system(rows, claims, schools, {"x": "health", "y": "health"})
    certifier, _ = all_hidden(system)
    network = Network(system, certifier.keys)
    low, high = certifier.bounds("width")
    claim_a = certifier.index[("claims", "school", "fees", "a")]
    assert claim_a in network.prove([claim_a], certifier.hidden, low, high, N).unsettled
    mended = network.joint_tables([claim_a], certifier.hidden, low, high, N)[claim_a]
    upper, lower = mended.upper, mended.lower
    assert upper[claim_a] > 0
    assert upper[certifier.index[("att", "school", "a")]] >= upper[claim_a]  # mended
    certificate = Certificate(claim_a, "width", upper, lower)
    assert certificate.width >= N
    assert certifier.verify(certificate, low, high)
    assert not any(
        e.key == ("claims", "school", "fees", "a") for e in audit(system, all_statuses(system), N).exposures
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(attainment(with_claims=True), attainment(with_claims=True, programs=True)))
def test_a_mended_pair_that_passes_the_exact_check_is_wide_in_the_programs(system: TableSystem) -> None:
    statuses = complementary_suppression(system, primary_statuses(system, N), N)
    narrow = {(e.key, e.check) for e in audit(system, statuses, N).exposures}
    certifier = Certifier(system, N)
    certifier.use(statuses)
    network = Network(system, certifier.keys)
    for check in CHECKS:
        low, high = certifier.bounds(check)
        need = certifier.need(check)
        unsettled = network.prove(certifier.must_prove(), certifier.hidden, low, high, need).unsettled
        mended = network.joint_tables(unsettled, certifier.hidden, low, high, need)
        for cell, tables in mended.items():
            certificate = Certificate(cell, check, tables.upper, tables.lower)
            if certifier.verify(certificate, low, high):
                assert (certifier.keys[cell], check) not in narrow
