"""Capped augmenting paths, compiled with numba: ``network.py --engine paths`` (issue 29).

The same exact audit as scipy's maximum flow in ``network.py``, but each search stops once
it carries what the check needs, and looks near the cell first: paths of at most 3 arcs,
then 7, then 15, then any length, each path searched from both of its ends. Up and down take turns, one path each, so a direction
that runs dry costs one failed search, not a proof of its full range. A direction is also
capped by the residual capacity around its two end nodes (a cut, so the cap is exact).

numba is not a dependency of credsite; ``pip install numba`` to run this experiment.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError as error:  # an experiment only
    raise SystemExit("network.py --engine paths needs numba: pip install numba") from error

#: the longest paths (in arcs) tried before looking further; the last tier is any length
TIERS = (3, 7, 15, 1 << 60)


@numba.njit(cache=True)
def _node_of(entry, start):
    """The node whose adjacency holds ``entry`` (binary search over ``start``)."""
    low, high = 0, start.shape[0] - 1
    while high - low > 1:
        middle = (low + high) // 2
        if start[middle] <= entry:
            low = middle
        else:
            high = middle
    return low


@numba.njit(cache=True)
def _room(arc, direction, value, low, high, delta):
    x = value[arc] + delta[arc]
    return high[arc] - x if direction > 0 else x - low[arc]


@numba.njit(cache=True)
def _grow(queue, head, tail, stamp, parent, opposite, sense, mark, skip, g, delta):
    """One level of one end's search: ``sense`` 1 for the source's end (arcs as their
    residual runs from the node), -1 for the sink's (the residual arc from the far node
    runs along the arc the other way). Returns the queue's new ends, the node where the
    two searches met (or -1) and the nodes looked at."""
    start, arc_of, other, direction, value, low, high = g
    level_end = tail
    meet = -1
    seen = 0
    while head < level_end and meet < 0:
        node = queue[head]
        head += 1
        for entry in range(start[node], start[node + 1]):
            arc = arc_of[entry]
            far = other[entry]
            if arc == skip or stamp[far] == mark:
                continue
            if _room(arc, sense * direction[entry], value, low, high, delta) <= 0:
                continue
            stamp[far] = mark
            parent[far] = entry
            seen += 1
            if opposite[far] == mark:
                meet = far
                break
            queue[tail] = far
            tail += 1
    return head, tail, meet, seen


@numba.njit(cache=True)
def _chain_room(node, end, parent, sense, amount, g, delta):
    """``amount``, or less if an arc of the chain from ``node`` to ``end`` has less room."""
    start, arc_of, _, direction, value, low, high = g
    while node != end:
        entry = parent[node]
        amount = min(amount, _room(arc_of[entry], sense * direction[entry], value, low, high, delta))
        node = _node_of(entry, start)
    return amount


@numba.njit(cache=True)
def _chain_move(node, end, parent, sense, amount, g, delta, touched, count):
    """Moves ``amount`` along the chain from ``node`` to ``end``, noting each arc moved."""
    start, arc_of, _, direction = g[0], g[1], g[2], g[3]
    while node != end:
        entry = parent[node]
        delta[arc_of[entry]] += sense * direction[entry] * amount
        touched[count[0]] = arc_of[entry]
        count[0] += 1
        node = _node_of(entry, start)


@numba.njit(cache=True)
def _one_path(source, sink, want, skip, limit, g, work):
    """Sends up to ``want`` along one shortest residual path of at most ``limit`` arcs,
    searched from both ends, a level at a time, the smaller frontier first (a credential's
    node borders every school where it is hidden, a school-field's only a few cells);
    returns what it sent and the nodes it looked at."""
    delta, parent, stamp, queue, query, touched, count, parent_b, stamp_b, queue_b = work
    query[0] += 1
    mark = query[0]
    stamp[source] = mark
    stamp_b[sink] = mark
    queue[0] = source
    queue_b[0] = sink
    f_head, f_tail, b_head, b_tail = 0, 1, 0, 1
    depth = 0
    meet = -1
    seen = 2
    while meet < 0 and f_head < f_tail and b_head < b_tail and depth < limit:
        if f_tail - f_head <= b_tail - b_head:
            f_head, f_tail, meet, grown = _grow(
                queue, f_head, f_tail, stamp, parent, stamp_b, 1, mark, skip, g, delta
            )
        else:
            b_head, b_tail, meet, grown = _grow(
                queue_b, b_head, b_tail, stamp_b, parent_b, stamp, -1, mark, skip, g, delta
            )
        seen += grown
        depth += 1
    if meet < 0:
        return 0, seen
    amount = _chain_room(meet, source, parent, 1, want, g, delta)
    amount = _chain_room(meet, sink, parent_b, -1, amount, g, delta)
    _chain_move(meet, source, parent, 1, amount, g, delta, touched, count)
    _chain_move(meet, sink, parent_b, -1, amount, g, delta, touched, count)
    return amount, seen


@numba.njit(cache=True)
def _around(node, skip, leaving, g, delta):
    """Residual capacity out of (or into) ``node``: a cut that bounds any flow from (to) it."""
    start, arc_of, _, direction, value, low, high = g
    total = 0
    for entry in range(start[node], start[node + 1]):
        if arc_of[entry] != skip:
            total += _room(
                arc_of[entry], direction[entry] if leaving else -direction[entry], value, low, high, delta
            )
    return total


@numba.njit(cache=True)
def audit_cells(cells, tails, heads, need, g, nodes, tiers):
    """For each cell: whether its room up plus down is below ``need``; and per tier, the
    cells settled there and the nodes looked at."""
    value, low, high = g[4], g[5], g[6]
    # The table moved up and the table moved down are two witnesses, each a flow of its
    # own: a down search on the up flow's residual arcs could undo it, and count twice.
    delta = np.zeros(value.shape[0], np.int64)
    delta_down = np.zeros(value.shape[0], np.int64)
    parent = np.zeros(nodes, np.int64)
    stamp = np.zeros(nodes, np.int64)
    queue = np.zeros(nodes, np.int64)
    query = np.zeros(1, np.int64)
    parent_b = np.zeros(nodes, np.int64)
    stamp_b = np.zeros(nodes, np.int64)
    queue_b = np.zeros(nodes, np.int64)
    touched = np.zeros(need * nodes + 16, np.int64)
    touched_down = np.zeros(need * nodes + 16, np.int64)
    count = np.zeros(1, np.int64)
    count_down = np.zeros(1, np.int64)
    work = (delta, parent, stamp, queue, query, touched, count, parent_b, stamp_b, queue_b)
    work_down = (
        delta_down,
        parent,
        stamp,
        queue,
        query,
        touched_down,
        count_down,
        parent_b,
        stamp_b,
        queue_b,
    )
    narrow = np.zeros(cells.shape[0], np.bool_)
    settled = np.zeros(len(tiers), np.int64)
    looked = np.zeros(len(tiers), np.int64)
    # Every table a search finds is a witness for each cell it moves too: how far up and
    # down some witness already moved each cell (the certificates' ``also_proves``).
    moved_up = np.zeros(value.shape[0], np.int64)
    moved_down = np.zeros(value.shape[0], np.int64)
    credited = 0
    for j in range(cells.shape[0]):
        cell = cells[j]
        tail, head, x = tails[cell], heads[cell], value[cell]
        if moved_up[cell] + moved_down[cell] >= need:
            credited += 1
            continue
        most_up = min(
            need, high[cell] - x, _around(head, cell, True, g, delta), _around(tail, cell, False, g, delta)
        )
        most_down = min(
            x - low[cell], _around(tail, cell, True, g, delta), _around(head, cell, False, g, delta)
        )
        up = down = 0
        count[0] = count_down[0] = 0
        tier = 0
        if most_up + most_down >= need:
            for tier in range(len(tiers)):
                up_open, down_open = up < most_up, down < most_down
                while up + down < need and (up_open or down_open):
                    if up_open:
                        sent, seen = _one_path(
                            head, tail, min(most_up - up, need - up - down), cell, tiers[tier], g, work
                        )
                        up += sent
                        looked[tier] += seen
                        up_open = sent > 0 and up < most_up
                    if down_open and up + down < need:
                        sent, seen = _one_path(
                            tail,
                            head,
                            min(most_down - down, need - up - down),
                            cell,
                            tiers[tier],
                            g,
                            work_down,
                        )
                        down += sent
                        looked[tier] += seen
                        down_open = sent > 0 and down < most_down
                if up + down >= need:
                    break
        moved_up[cell] = max(moved_up[cell], up)
        moved_down[cell] = max(moved_down[cell], down)
        for t in range(count[0]):
            _credit(touched[t], delta, moved_up, moved_down)
        for t in range(count_down[0]):
            _credit(touched_down[t], delta_down, moved_up, moved_down)
        for t in range(count[0]):
            delta[touched[t]] = 0
        for t in range(count_down[0]):
            delta_down[touched_down[t]] = 0
        settled[tier] += 1
        narrow[j] = up + down < need
    return narrow, settled, looked, credited


@numba.njit(cache=True)
def _credit(arc, delta, moved_up, moved_down):
    if delta[arc] > 0:
        moved_up[arc] = max(moved_up[arc], delta[arc])
    elif delta[arc] < 0:
        moved_down[arc] = max(moved_down[arc], -delta[arc])


def audit(value, hidden, arcs, nodes, low_of, high_of, proven, need, unbounded):
    """``network.audit`` by capped paths: the cells of ``proven`` narrower than ``need``."""
    entries = sorted(
        (node, arc, far, sense)
        for arc in hidden
        for node, far, sense in ((arcs[arc][0], arcs[arc][1], 1), (arcs[arc][1], arcs[arc][0], -1))
    )
    start = np.zeros(nodes + 1, np.int64)
    for node, *_ in entries:
        start[node + 1] += 1
    low = np.array(value, np.int64)
    high = np.array(value, np.int64)
    for arc in hidden:
        low[arc] = int(low_of[arc])
        # no upper bound: room to rise by ``unbounded`` (far more than any check needs)
        high[arc] = value[arc] + unbounded if high_of[arc] == float("inf") else int(high_of[arc])
    g = (
        np.cumsum(start),
        np.array([e[1] for e in entries], np.int64),
        np.array([e[2] for e in entries], np.int64),
        np.array([e[3] for e in entries], np.int64),
        np.array(value, np.int64),
        low,
        high,
    )
    tails = np.array([arc[0] for arc in arcs], np.int64)
    heads = np.array([arc[1] for arc in arcs], np.int64)
    narrow, settled, looked, credited = audit_cells(
        np.array(proven, np.int64), tails, heads, need, g, nodes, np.array(TIERS, np.int64)
    )
    narrow = [cell for cell, flag in zip(proven, narrow, strict=True) if flag]
    return narrow, settled, looked, credited
