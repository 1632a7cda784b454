"""One table system protected in slices, when it is too large to protect whole.

A national attainment year is two million cells: its certificates alone would take
4.5 GB. So its schools are split into groups (of whole districts), and each group's
*slice* is protected on its own: the group's schools and districts as they are, and
each cell the groups share (a statewide total) as the group's own part of it.

Why that is sound. Take a table that differs from the true one only inside one group
and that the group's slice finds possible: the other groups' parts stay as they are,
so each shared cell moves exactly as the group's part does, and the table is possible
for the whole system too. So a range a slice proves is a range of the whole system;
and what other slices hide only adds unknowns, which can only widen it. A shared
cell's status describes the whole count, so a slice reads its ranges shifted by what
the other groups hold (``TableSystem.offsets``). Every hidden shared cell is proven
wide by at least one slice: the slice that hid it, or, for one hidden from the start,
the slice holding most of it; the others take it as an unknown with nothing to prove
(``TableSystem.elsewhere``), or one rare credential would be widened in every group.
A slice records no cell as pinned by the status column alone (inherent): one may look
pinned there only because the other groups' parts are held fixed, so the whole system
decides (``disclosure.settle``), as it does for every cell a slice could not widen.

A slice of a year's attainment is a network as the whole year is (``TableSystem.arcs``):
its parts of the shared cells conserve at every node, so the flows prove its cells as
exactly as they prove a whole year's, within the slice. A cell they find narrow there
may be wide in the whole system (through another group); it is widened in the slice,
which hides a little more, or left to ``settle``.

The price is a little more hidden than the whole system would need: a slice cannot
use a move that changes two groups at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from site_builder.protection.audit import AuditReport
from site_builder.protection.disclosure import Protection
from site_builder.protection.privacy import HIDDEN_STATUSES, PUBLISHED, Key, Status, TableSystem, is_primary


def owners(parts: Sequence[Mapping[Key, int]], min_cell: int) -> dict[Key, int]:
    """For each shared cell hidden from the start (its whole count is 1 to min_cell - 1),
    the number of the slice that proves it: the one holding most of it, the first of
    equals. ``parts`` holds each slice's part of every shared cell."""
    return {
        key: max(range(len(parts)), key=lambda number: (parts[number].get(key, 0), -number))
        for key, value in wholes(parts).items()
        if is_primary(value, min_cell)
    }


def wholes(parts: Sequence[Mapping[Key, int]]) -> dict[Key, int]:
    """Each shared cell's whole count: the sum of the slices' parts."""
    whole: dict[Key, int] = {}
    for part in parts:
        for key, value in part.items():
            whole[key] = whole.get(key, 0) + value
    return whole


def make_slice(
    system: TableSystem,
    part: Mapping[Key, int],
    whole: Mapping[Key, int],
    owned: Mapping[Key, int],
    number: int,
) -> TableSystem:
    """``system`` (slice ``number``'s cells, its shared ones holding ``part``) made a slice:
    what the other slices hold of each shared cell, and the hidden ones it need not prove."""
    held = {key: system.values[key] for key in whole if key in system.values}
    if held != part:
        raise ValueError(
            f"slice {number} holds other shared cells than its part: {sorted(set(held) ^ set(part))[:5]}"
        )
    system.offsets = {key: whole[key] - value for key, value in held.items()}
    system.elsewhere = frozenset(
        key for key, owner in owned.items() if owner != number and key in system.values
    )
    return system


def merged(slices: Iterable[Protection], whole: Mapping[Key, int]) -> Protection:
    """The whole system's protection from its slices': each cell's true count and status.
    A shared cell is hidden when any slice hid it (its status is the same wherever it
    is hidden from the start; otherwise ``suppressed-complementary``). The pairs a slice
    could not widen are left for ``disclosure.settle``."""
    values: dict[Key, int] = {}
    statuses: dict[Key, Status] = {}
    checked = solved = rounds = components = 0
    unresolved: set[tuple[Key, str]] = set()
    for protection in slices:
        for key, status in protection.statuses.items():
            if statuses.get(key, PUBLISHED) == PUBLISHED:
                statuses[key] = status
        values.update(protection.values)
        report = protection.report
        checked, solved = checked + report.checked, solved + report.solved
        components += report.components
        rounds = max(rounds, protection.repair_rounds)
        unresolved |= protection.unresolved
    values.update(whole)
    hidden = sum(1 for status in statuses.values() if status in HIDDEN_STATUSES)
    report = AuditReport(hidden=hidden, checked=checked, components=components, solved=solved, exposures=())
    # no slice records a cell as inherent (``disclosure._protection``): ``settle`` does
    return Protection(values, statuses, report, rounds, frozenset(), frozenset(unresolved))
