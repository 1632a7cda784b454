"""Experiment (issue 29): a year's attainment counts as a flow network, audited by maximum flows.

    python benchmarks/network.py CATALOG             # every hidden cell, both checks
    python benchmarks/network.py CATALOG --sample 300 [--method edmonds_karp]
    python benchmarks/network.py CATALOG --engine paths   # the build's flow audit (protection.flows)

``CATALOG`` is a catalog folder written by ``generate_catalog.py`` (its last year is used).

Without claims, every relation of ``attainment_system`` says that what flows into a node
flows out of it: the state total into the districts, a district's total into its schools,
a school's into its school-field totals, each school-field total into its cells, a cell
into its credential's statewide total, credentials into their field, the fields back into
the state total. So every count is the flow on one arc of a circulation (the relation
"a field's total is the sum of its school-field totals" follows from the others), and what
an attacker can learn of a hidden count is how far that arc's flow can move while every
published arc stays fixed and every hidden one stays within what its status tells. By
max-flow/min-cut, a hidden arc u -> v can rise by the largest flow from v to u through
the residual arcs of the other hidden cells, and fall by the largest flow from u to v. The
network's matrix is totally unimodular, so those ranges are whole numbers without any
branch and bound.

The script checks that shape, decides the spec's rules over the year, then asks scipy's
compiled maximum flow (Dinic) for each hidden cell's room up and down, capped at what the
check needs (``min_cell`` for the width check, 1 for pinning). It prints the cells found
narrow under each check and the time per cell. On the 200-school year the pinning check
finds the same 52 cells that the linear programs find (``blocks.py prove``).

``--engine paths`` asks the build's own flow audit instead (``site_builder.protection.flows``,
which began here as ``paths.py``): the same exact ranges by augmenting paths that stop at
what the check needs and look near the cell first, compiled with numba.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from site_builder.build import validate
from site_builder.protection import HIDDEN_STATUSES
from site_builder.protection.audit import known_bounds
from site_builder.protection.flows import Network
from site_builder.protection.privacy import complementary_suppression, must_be_wide, primary_statuses
from site_builder.reports import CatalogFacts
from site_builder.reports.systems import attainment_system

#: a hidden cell's unbounded room, as a capacity scipy can hold (int32)
UNBOUNDED = 10**6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("catalog", type=Path)
    parser.add_argument(
        "--engine",
        choices=("flows", "paths"),
        default="flows",
        help="scipy's maximum flows, or the build's flow audit",
    )
    parser.add_argument(
        "--method", choices=("dinic", "edmonds_karp"), default="dinic", help="scipy's maximum flow algorithm"
    )
    parser.add_argument(
        "--sample", type=int, default=0, help="audit only this many hidden cells, drawn at random"
    )
    args = parser.parse_args()
    validated = validate(args.catalog)
    facts = CatalogFacts.of(validated.catalog)
    schools = {school.school_id: school for school in validated.outcomes.schools}
    year = validated.outcomes.years[-1]
    rows = [row for row in validated.outcomes.attainment if row.year == year]
    system = attainment_system(rows, [], schools, facts.primary_field, None)
    min_cell = validated.catalog.site.min_cell
    started = time.perf_counter()
    statuses = complementary_suppression(system, primary_statuses(system, min_cell), min_cell)
    print(
        f"{len(system.values):,} cells; the spec's rules hide "
        f"{sum(s in HIDDEN_STATUSES for s in statuses.values()):,} in {time.perf_counter() - started:.1f} s"
    )

    keys = list(system.values)
    numbers: dict[object, int] = {}
    arcs = [tuple(numbers.setdefault(end, len(numbers)) for end in system.arcs[key]) for key in keys]
    nodes = len(numbers)
    check_conservation(system, keys, arcs)
    hidden = [i for i, key in enumerate(keys) if statuses[key] in HIDDEN_STATUSES]
    proven = [i for i in hidden if must_be_wide(system, statuses, keys[i])]
    if args.sample and args.sample < len(proven):
        proven = random.Random(29).sample(proven, args.sample)
    print(f"{nodes:,} nodes, {len(hidden):,} hidden arcs, {len(proven):,} cells to prove")
    for check, need in (("width", min_cell), ("pinning", 1)):
        started = time.perf_counter()
        if args.engine == "paths":
            network = Network(system, keys)
            low, high = known_ranges(system, statuses, keys, hidden, check, min_cell)
            value = [system.values[key] for key in keys]
            hidden_now = [statuses[key] in HIDDEN_STATUSES for key in keys]
            found = network.prove(
                proven,
                hidden_now,
                [low.get(i, v) for i, v in enumerate(value)],
                [high.get(i, v) for i, v in enumerate(value)],
                need,
            )
            narrow = found.narrow
        else:
            narrow = audit(
                system, statuses, keys, arcs, nodes, hidden, proven, check, need, min_cell, args.method
            )
        seconds = time.perf_counter() - started
        print(
            f"{check}: {len(narrow):,} narrow, {seconds:.1f} s, {1000 * seconds / len(proven):.2f} ms a cell"
        )


def check_conservation(system, keys: list[tuple], arcs: list[tuple[int, int]]) -> None:
    """Every relation is conservation at one node, but the field totals' second one."""
    index = {key: i for i, key in enumerate(keys)}
    for relation in system.relations:
        tail, head = arcs[index[relation.total]]
        tails = {arcs[index[part]][0] for part in relation.parts}
        heads = {arcs[index[part]][1] for part in relation.parts}
        assert tails == {head} or heads == {tail} or relation.total[1] == "field", relation.total


def known_ranges(system, statuses, keys, hidden, check, min_cell) -> tuple[dict, dict]:
    """What the attacker knows of each hidden cell under ``check``: its lowest and highest."""
    low, high = {}, {}
    for i in hidden:
        if check == "pinning":
            low[i], high[i] = known_bounds(system, keys[i], statuses[keys[i]], min_cell)
        else:
            low[i], high[i] = 0, float("inf")
    return low, high


def audit(
    system, statuses, keys, arcs, nodes, hidden, proven, check, need, min_cell, method="dinic"
) -> list[int]:
    """The cells of ``proven`` whose room up plus room down is below ``need``."""
    value = [system.values[key] for key in keys]
    low, high = known_ranges(system, statuses, keys, hidden, check, min_cell)
    source = nodes  # a node of its own, whose one arc out caps the flow at what is needed
    tails, heads, capacities = [], [], []
    for i in hidden:
        tail, head = arcs[i]
        tails += [tail, head]
        heads += [head, tail]
        capacities += [min(UNBOUNDED, high[i] - value[i]), value[i] - low[i]]
    tails += [source] * nodes
    heads += list(range(nodes))
    capacities += [0] * nodes
    graph = csr_matrix((np.array(capacities, dtype=np.int64), (tails, heads)), shape=(nodes + 1, nodes + 1))
    graph.sum_duplicates()
    graph.data = graph.data.astype(np.int32)

    def entry(tail: int, head: int) -> int:
        start, end = graph.indptr[tail], graph.indptr[tail + 1]
        return start + int(np.searchsorted(graph.indices[start:end], head))

    def room(start: int, end: int, cap: int) -> int:
        first = entry(source, start)
        graph.data[first] = cap
        flow = maximum_flow(graph, source, end, method=method).flow_value
        graph.data[first] = 0
        return flow

    narrow = []
    for i in proven:
        tail, head = arcs[i]
        forward, backward = entry(tail, head), entry(head, tail)
        up_room, down_room = min(UNBOUNDED, high[i] - value[i]), value[i] - low[i]
        graph.data[forward] -= up_room  # the cell's own arc carries no flow round itself
        graph.data[backward] -= down_room
        up = room(head, tail, int(min(need, up_room)))
        down = room(tail, head, int(min(need - up, down_room))) if up < need else 0
        graph.data[forward] += up_room
        graph.data[backward] += down_room
        if up + down < need:
            narrow.append(i)
    return narrow


if __name__ == "__main__":
    main()
