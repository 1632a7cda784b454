"""Protecting one table system: suppress, audit, and suppress more until the audit passes."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from site_builder.protection.audit import (
    PIN_WIDTH,
    TOLERANCE,
    WHOLE,
    AuditReport,
    Constraints,
    Widening,
    audit,
    known_bounds,
    narrow_nearby_each,
    opened,
)
from site_builder.protection.certificates import CHECKS, Certificate, Certifier, known_ranges, need
from site_builder.protection.flows import Network
from site_builder.protection.privacy import (
    HIDDEN_STATUSES,
    PUBLISHED,
    Key,
    Relation,
    RelationIndex,
    Status,
    TableSystem,
    complementary_suppression,
    complementary_suppression_after,
    hideable,
    must_be_wide,
    primary_statuses,
)
from site_builder.protection.propagation import propagate

MAX_REPAIR_ROUNDS = 1_000
#: above this many hidden cells, a system with a grid is protected by certificates
#: (``protection.certificates``), not by the audit's linear programs, which do not finish at
#: state scale. Below it the programs are exact, so they hide no more than needed. A
#: network (``TableSystem.arcs``) goes the certificates' way at any size: its flows are
#: exact too, and on a 200-school year they hid 6,969 cells in 1.7 s where the programs
#: hid 6,895 in about 10 s (1.1% fewer).
CERTIFICATE_LIMIT = 12_000
#: repairs tried for one cell before the linear programs over its neighbourhood decide it
CERTIFICATE_REPAIRS = 3
#: rounds a hard cell is widened by hiding its nearest cell before the linear programs try it
#: (``protect``: before the cells that hold it are found and hidden)
CHEAP_WIDENINGS = 2
#: the linear programs that try a cell the certificates could not prove: how many of its
#: nearest hidden cells are free, smallest first. A cell found narrow over one is tried
#: over the next in the same round (at state size, hard cells found narrow over 300
#: cells were all narrow over 300 again a round later, with more hidden around them, but
#: mostly wide over 2,000; those narrow over 2,000, twice, were all wide over 10,000).
#: A cell no neighbourhood proves gets the whole system's exact programs when it is hard
#: again: slow, but its own nearest cells have not helped it (a school of 4 students whose
#: one claimed credential can only move as far as its students' count, which only moves
#: against other schools' far away).
CERTIFICATE_NEIGHBOURHOODS = (300, 2_000, 10_000)
#: the same for a network's cells (``TableSystem.arcs``), which reach the programs only
#: when the flows' tables broke an inequality (a school's claims against what its
#: students earned). One small neighbourhood, never the whole system: on a state year
#: the larger programs took 800 s for 73 such cells, where hiding a cell beside them
#: costs a round of flows (a few seconds) and the flows then prove them.
NETWORK_NEIGHBOURHOODS = (300,)
#: cells around a cell that even the whole system's programs find narrow, among which
#: ``Widening`` looks for what to hide
WIDENING_NEARBY = 10_000


class DisclosureRisk(Exception):
    """The audit still finds a narrowable cell after every repair: nothing may be published."""


@dataclass(frozen=True)
class Protection:
    """The statuses that passed the audit; ``values`` are the true counts, which only
    ``site_builder.reports`` reads, to publish the cells whose status allows it."""

    values: dict[Key, int]
    statuses: dict[Key, Status]
    report: AuditReport
    repair_rounds: int
    #: cells pinned by the status column's own ranges, which no suppression can widen
    inherent: frozenset[Key] = frozenset()
    #: a slice's (cell, check) pairs that nothing hidden in the slice widens: they lean on
    #: what other slices hold fixed, and the whole system settles them (``protection.blocks``)
    unresolved: frozenset[tuple[Key, str]] = frozenset()


def protect(system: TableSystem, min_cell: int) -> Protection:
    """Statuses for every cell of ``system`` that pass the disclosure audit.

    Interval propagation finds most exposed cells cheaply, with the relation that
    exposes each; a cell of that relation is hidden too. Only when propagation finds
    nothing does the full audit run, and what it finds is widened through the nearest
    published detail cell; a cell the audit still finds narrow after ``CHEAP_WIDENINGS``
    such rounds gets the cells ``Widening`` finds hold it. A cell pinned purely by
    the status column's ranges (for example nine "<10" parts of a "<10" total: all of
    them must be 1), where no published cell is left to hide, is inherent to publishing
    "<10" at all: it is recorded as such, not repaired.
    """
    # One canonical order of relations, so the pattern never depends on how they were listed.
    system = TableSystem(
        values=system.values,
        relations=sorted(system.relations, key=lambda r: (repr(r.total), repr(r.parts))),
        inequalities=system.inequalities,
        coded=system.coded,
        coded_by=system.coded_by,
        grid=system.grid,
        offsets=system.offsets,
        elsewhere=system.elsewhere,
        arcs=system.arcs,
    )
    statuses = complementary_suppression(system, primary_statuses(system, min_cell), min_cell)
    hidden = sum(1 for status in statuses.values() if status in HIDDEN_STATUSES)
    if (hidden > CERTIFICATE_LIMIT and system.grid) or system.arcs:
        # a network (``TableSystem.arcs``), a slice's too, is proven by the exact flow audit at any size
        return protect_by_certificates(system, statuses, min_cell)
    relations_of, totals = _links(system)
    constraints: Constraints | None = None  # made when a round first needs it
    inherent: set[Key] = set()
    proven: set[tuple[Key, str]] = set()
    unresolved: set[tuple[Key, str]] = set()

    def leave(key: Key, check: str) -> None:
        """A slice's pair for the whole system to settle: not asked of this slice again."""
        unresolved.add((key, check))
        proven.add((key, check))

    stubborn: Counter[tuple[Key, str]] = Counter()
    # Propagation is only a shortcut past the linear programs: once a round finds nothing
    # with it, the audit's programs (which find everything it finds) carry on alone.
    propagating = True
    for round_number in range(MAX_REPAIR_ROUNDS + 1):
        chosen: set[Key] = set()
        unrepairable: list[Key] = []
        quick = quick_exposures(system, statuses, min_cell, inherent) if propagating else []
        quick = [exposure for exposure in quick if (exposure.key, exposure.check) not in unresolved]
        propagating = bool(quick)
        pinned = pinned_by_statuses(
            [e.key for e in quick if e.check == "pinning"], statuses, relations_of, system, min_cell
        )
        for exposure in quick:
            if exposure.check == "pinning" and exposure.key in pinned:
                inherent.add(exposure.key)
                continue
            # The relation that last narrowed the cell first; else its nearest published cell
            # (the cell may be pinned through neighbours that hiding more can widen).
            candidate = _widening_candidate(exposure.causes, system, statuses, totals)
            if candidate is None:
                candidate = _nearest_candidate(exposure.key, system, statuses, relations_of, totals)
            if candidate is not None:
                chosen.add(candidate)
            elif system.offsets:  # a slice: only what other slices hold could free it
                leave(exposure.key, exposure.check)
            elif exposure.check == "pinning":
                inherent.add(exposure.key)  # nothing published is left to hide around it
            else:
                unrepairable.append(exposure.key)
        if not quick:
            report = audit(system, statuses, min_cell, exempt=inherent, proven=proven)
            if report.passed:
                return _protection(system, statuses, report, round_number, inherent, unresolved)
            pinned = pinned_by_statuses(
                [e.key for e in report.exposures if e.check == "pinning"],
                statuses,
                relations_of,
                system,
                min_cell,
            )
            constraints = constraints or Constraints(system)
            widen = Widening(system, statuses, min_cell, WIDENING_NEARBY, constraints)
            for exposure in report.exposures:
                if exposure.check == "pinning" and exposure.key in pinned:
                    inherent.add(exposure.key)
                    continue
                stubborn[(exposure.key, exposure.check)] += 1
                if stubborn[(exposure.key, exposure.check)] > CHEAP_WIDENINGS:
                    # Its nearest cells have not helped: hide what holds it, which can be
                    # a few relations away (a coded school's rate, held by its graduates'
                    # count, held in turn by its district's total).
                    widening = widen(exposure.key, exposure.check)
                    if widening:
                        chosen.update(widening)
                        continue
                    if system.offsets:
                        leave(exposure.key, exposure.check)
                        continue
                candidate = _nearest_candidate(exposure.key, system, statuses, relations_of, totals)
                if candidate is None and system.offsets:
                    leave(exposure.key, exposure.check)
                elif candidate is None:
                    unrepairable.append(exposure.key)
                else:
                    chosen.add(candidate)
        if unrepairable:
            break
        # A round that only recorded inherent cells goes on without hiding anything.
        for key in chosen:
            statuses[key] = "suppressed-complementary"
        statuses = complementary_suppression(system, statuses, min_cell)
    else:
        raise DisclosureRisk(
            f"disclosure audit failed: cells could still be narrowed after {MAX_REPAIR_ROUNDS} rounds of repair"
        )
    listed = ", ".join(repr(key) for key in unrepairable[:5])
    raise DisclosureRisk(f"disclosure audit failed: hidden cells can still be narrowed: {listed}")


def protect_by_certificates(system: TableSystem, statuses: dict[Key, Status], min_cell: int) -> Protection:
    """Statuses for which every hidden cell is proven wide under both checks.

    Starts from a pattern that obeys the spec's rules. Each round proves the cells not
    yet proven: a network's (``TableSystem.arcs``) by the exact flow audit first
    (``protection.flows``), which also finds exactly the cells no table can widen, and
    by tables mended across the network's parts where a flow's table broke an inequality
    (a mended pair blocked by a cell, such as a small school's earned count under its
    claims, gets a published cell beside that one hidden); then by certificates
    (``protection.certificates``) for whatever is left. For a cell the search cannot prove,
    ``Certifier.repair`` hides the published cells that complete a new move through
    it, and the spec's rules are applied again around them. A cell that no such move
    can help, or that repairs have not helped for ``CERTIFICATE_REPAIRS`` rounds, is
    tried by the linear programs over its nearest hidden cells; if they cannot prove it
    either, its nearest published detail cell is hidden (as ``protect`` does).
    Certificates stay valid as more cells are hidden, so each round only searches for
    the cells still unproven and the ones newly hidden.
    """
    certifier = Certifier(system, min_cell)
    keys = certifier.keys
    relations_of, totals = _links(system)
    #: each check's cells proven wide (sets of numbers, not of pairs: a state year proves 270,000)
    proven: dict[str, set[int]] = {check: set() for check in CHECKS}
    hints: dict[tuple[int, str], list[dict[int, int]]] = defaultdict(list)
    inherent: set[int] = set()
    stubborn: Counter[tuple[Key, str]] = Counter()
    #: hard cells that every neighbourhood found narrow: the whole system tries them next
    beyond_nearby: set[tuple[Key, str]] = set()
    #: a network's hard cells with nothing left nearby to hide: asked of the whole system
    whole: set[tuple[Key, str]] = set()
    unresolved: set[tuple[Key, str]] = set()

    def leave(key: Key, check: str) -> None:
        """A slice's pair for the whole system to settle: not asked of this slice again."""
        unresolved.add((key, check))
        proven[check].add(certifier.index[key])

    relation_index = RelationIndex.of(system)
    constraints: Constraints | None = None  # made when a round first needs it
    # A network's cells are proven by the exact flow audit first (``protection.flows``).
    network = Network(system, keys) if system.arcs else None
    flows = _Flows(system, min_cell, keys, network) if network is not None else None
    neighbourhoods = CERTIFICATE_NEIGHBOURHOODS if network is None else NETWORK_NEIGHBOURHOODS
    certificates = 0
    for round_number in range(MAX_REPAIR_ROUNDS + 1):
        certifier.use(statuses)
        cells = certifier.must_prove()
        failed = []
        #: pairs the flow audit found narrow: exactly so, no program need ask again
        exact_narrow: set[tuple[Key, str]] = set()
        #: pairs whose tables broke an inequality that another cell could not mend: what to
        #: hide is sought near that cell (a small school's earned count, under its claims)
        blocked_by: dict[tuple[Key, str], Key] = {}
        #: what the attacker knows of each cell, by check (repairs change them in place)
        bounds: dict[str, tuple[list[float], list[float]]] = {}
        for check in CHECKS:
            low, high = bounds[check] = certifier.bounds(check)
            todo = [
                cell
                for cell in cells
                if cell not in proven[check] and not (check == "pinning" and cell in inherent)
            ]
            if network is not None:
                found = network.prove(todo, certifier.hidden, low, high, certifier.need(check))
                proven[check].update(found.proven)
                certificates += len(found.proven)
                failed.extend((cell, check) for cell in found.narrow)
                exact_narrow.update((keys[cell], check) for cell in found.narrow)
                # Their tables broke an inequality: mended by another part's tables, checked
                # exactly as certificates are; what is left, the certificates search for.
                mended = network.joint_tables(
                    found.unsettled, certifier.hidden, low, high, certifier.need(check)
                )
                for cell, tables in mended.items():
                    certificate = Certificate(cell, check, tables.upper, tables.lower)
                    if certifier.verify(certificate, low, high):
                        proven[check].add(cell)
                        proven[check].update(certificate.also_proves(certifier.need(check)))
                    elif tables.blocker is not None:
                        blocked_by[(keys[cell], check)] = keys[tables.blocker]
                todo = [cell for cell in found.unsettled if cell not in proven[check]]
            for cell in todo:
                if cell in proven[check]:
                    continue
                certificate, _ = certifier.certify(cell, check, low, high, hints.get((cell, check), ()))
                if certificate is None:
                    failed.append((cell, check))
                else:
                    proven[check].add(cell)
                    proven[check].update(certificate.also_proves(certifier.need(check)))
                    certificates += 1
        # a cell whose own search failed may have been proven since by a later one's certificate
        failed = [(cell, check) for cell, check in failed if cell not in proven[check]]
        unrepairable: list[Key] = []
        if flows is not None and exact_narrow:
            # narrow even with everything hideable hidden: no repair can help, so none is tried
            held = flows.held(exact_narrow, statuses)
            for key, check in sorted(held, key=repr):
                if system.offsets:  # a slice: only what other slices hold could free it
                    leave(key, check)
                elif check == "pinning":
                    inherent.add(certifier.index[key])
                else:
                    unrepairable.append(key)
            failed = [(cell, check) for cell, check in failed if (keys[cell], check) not in held]
        chosen: set[Key] = set()
        hard: list[tuple[Key, str]] = []
        for cell, check in failed:
            to_hide, move = [], {}
            if len(hints[(cell, check)]) < CERTIFICATE_REPAIRS:
                to_hide, move = certifier.repair(cell, check, *bounds[check])
            if move:
                # Later repairs in this round count these as hidden: one cell hidden for a
                # school's career field often mends several of its cells.
                certifier.assume_hidden(to_hide, bounds)
                chosen.update(keys[i] for i in to_hide)
                hints[(cell, check)].append(move)
            else:
                hard.append((keys[cell], check))
        if hard:
            constraints = constraints or Constraints(system)
            # Hiding more is cheap and always safe, so a hard cell is at first just widened;
            # only one that stays hard goes to the linear programs over its nearest cells,
            # larger neighbourhoods until one proves it (CERTIFICATE_NEIGHBOURHOODS).
            stubborn.update(hard)
            nearest = _NearestCandidates(system, statuses, relations_of, totals)
            pinned = pinned_by_statuses(
                [key for key, check in hard if check == "pinning"], statuses, relations_of, system, min_cell
            )
            candidates = {
                (key, check): _beside(blocked_by[(key, check)], system, statuses, relations_of)
                if (key, check) in blocked_by
                else nearest(key)
                for key, check in hard
                if stubborn[(key, check)] <= CHEAP_WIDENINGS and not (check == "pinning" and key in pinned)
            }
            narrow = {pair for pair, candidate in candidates.items() if candidate is not None}
            narrow |= {(key, "pinning") for key in pinned}
            narrow |= exact_narrow.intersection(hard)
            asked: dict[int, list[tuple[Key, str]]] = defaultdict(list)
            for pair in sorted(set(hard) - narrow, key=repr):
                if system.offsets and pair in beyond_nearby:
                    # A slice's cell narrow over every neighbourhood twice: what holds it is
                    # most likely what the other slices hold fixed. The whole system settles it.
                    leave(*pair)
                    continue
                ask_whole = pair in beyond_nearby and (network is None or pair in whole)
                asked[WHOLE if ask_whole else neighbourhoods[0]].append(pair)
            if asked:
                found = narrow_nearby_each(system, statuses, min_cell, asked, neighbourhoods, constraints)
                beyond_nearby.update(found)
                narrow |= set(found)
            widen = Widening(system, statuses, min_cell, WIDENING_NEARBY, constraints)
            for key, check in hard:
                if (key, check) in unresolved:
                    continue
                if (key, check) not in narrow:
                    proven[check].add(certifier.index[key])
                    continue
                if check == "pinning" and key in pinned:
                    inherent.add(certifier.index[key])
                    continue
                if (key, check) in asked.get(WHOLE, ()) or (
                    (key, check) in exact_narrow and stubborn[(key, check)] > CHEAP_WIDENINGS + 1
                ):
                    # Not even the whole system's programs (or its flows, long) prove it:
                    # hide what holds it.
                    widening = widen(key, check)
                    if widening:
                        chosen.update(widening)
                        continue
                    if system.offsets:  # a slice: the whole system settles it
                        leave(key, check)
                        continue
                # a blocked pair: beside its blocker first, else nearest it (``_beside``)
                blocker = blocked_by.get((key, check))
                candidate = (
                    candidates.get((key, check))
                    or (blocker is not None and _beside(blocker, system, statuses, relations_of))
                    or nearest(key if blocker is None else blocker)
                )
                if candidate is not None:
                    chosen.add(candidate)
                elif system.offsets:  # a slice: only what other slices hold could free it
                    leave(key, check)
                elif network is not None and (key, check) not in exact_narrow and (key, check) not in whole:
                    whole.add((key, check))  # nothing left to hide: the whole system's programs decide
                elif check == "pinning":
                    inherent.add(certifier.index[key])
                else:
                    unrepairable.append(key)
        if unrepairable:
            break
        # what this round proved wide, recorded as inherent or left to the whole system is settled
        failed = [
            (cell, check)
            for cell, check in failed
            if cell not in proven[check] and not (check == "pinning" and cell in inherent)
        ]
        if not failed and not chosen:
            hidden = sum(1 for status in statuses.values() if status in HIDDEN_STATUSES)
            report = AuditReport(
                hidden=hidden, checked=len(cells), components=1, solved=certificates, exposures=()
            )
            inherent_keys = {keys[i] for i in inherent}
            return _protection(system, statuses, report, round_number, inherent_keys, unresolved)
        for key in chosen:
            statuses[key] = "suppressed-complementary"
        statuses = complementary_suppression_after(system, statuses, min_cell, chosen, relation_index)
    else:
        unrepairable = [keys[cell] for cell, _ in failed]
    listed = ", ".join(repr(key) for key in unrepairable[:5])
    raise DisclosureRisk(f"disclosure audit failed: hidden cells can still be narrowed: {listed}")


def _protection(
    system: TableSystem,
    statuses: dict[Key, Status],
    report: AuditReport,
    rounds: int,
    inherent: set[Key],
    unresolved: set[tuple[Key, str]],
) -> Protection:
    """What passed. A slice's cells pinned by the status column may be pinned only by what
    it holds fixed of the other slices: they are not inherent until the whole system says
    so (``settle``), so a slice leaves them unresolved."""
    if system.offsets:
        unresolved = unresolved | {(key, "pinning") for key in inherent}
        inherent = set()
    return Protection(system.values, statuses, report, rounds, frozenset(inherent), frozenset(unresolved))


#: rounds of hiding more over a whole system for what its slices could not settle
SETTLE_ROUNDS = 100


def settle(
    system: TableSystem,
    protection: Protection,
    min_cell: int,
    progress: Callable[[str], None] = lambda _: None,
) -> Protection:
    """``protection``, put together from slices of ``system`` (``protection.blocks``), with the
    pairs no slice could widen settled over the whole system: each is tried by the whole
    system's exact flows when it is a network (``_Flows``), and what they leave by the
    linear programs over its nearest hidden cells there (a table they find is possible in the
    whole system, so a cell they find wide is wide); one still narrow gets its nearest
    published cell hidden (after ``CHEAP_WIDENINGS`` rounds, the cells ``Widening``
    finds hold it), the spec's rules are applied again around it, and the pairs are tried
    again with every cell that newly hid. Deterministic."""
    statuses = dict(protection.statuses)
    pending = sorted(protection.unresolved, key=repr)
    relations_of, totals = _links(system)
    relation_index: RelationIndex | None = None  # made when a round first hides (300 MB nationally)
    constraints: Constraints | None = None  # made when a round first needs it
    inherent = set(protection.inherent)
    stubborn: Counter[tuple[Key, str]] = Counter()
    flows: _Flows | None = None  # built when a round first needs it (a national year: 50 s)
    solved = 0
    for round_number in range(SETTLE_ROUNDS):
        # pinned by the status column over the whole system: inherent, as ``protect`` records it
        pinned = pinned_by_statuses(
            [key for key, check in pending if check == "pinning"], statuses, relations_of, system, min_cell
        )
        inherent |= pinned
        pending = [(key, check) for key, check in pending if not (check == "pinning" and key in pinned)]
        if not pending:
            hidden = sum(1 for status in statuses.values() if status in HIDDEN_STATUSES)
            report = AuditReport(
                hidden=hidden,
                checked=protection.report.checked,
                components=protection.report.components,
                solved=protection.report.solved + solved,
                exposures=(),
            )
            rounds = protection.repair_rounds + round_number
            return Protection(protection.values, statuses, report, rounds, frozenset(inherent))
        progress(f"round {round_number + 1}: {len(pending)} cells to settle")
        solved += len(pending)
        narrow: list[tuple[Key, str]] = []
        if system.arcs:
            # the exact flow audit over the whole year first: it proves most pairs in a
            # few seconds where the programs took a third of a second each
            flows = flows or _Flows(system, min_cell)
            pending, narrow = flows.unproven(pending, statuses)
        if pending:
            constraints = constraints or Constraints(system)
            asked = {CERTIFICATE_NEIGHBOURHOODS[0]: pending}
            narrow += narrow_nearby_each(
                system, statuses, min_cell, asked, CERTIFICATE_NEIGHBOURHOODS, constraints
            )
        if narrow and flows is not None:
            held = flows.held(narrow, statuses)
            if too_narrow := sorted((key for key, check in held if check == "width"), key=repr):
                listed = ", ".join(repr(key) for key in too_narrow[:5])
                raise DisclosureRisk(f"disclosure audit failed: hidden cells can still be narrowed: {listed}")
            inherent.update(key for key, _ in held)
            narrow = [pair for pair in narrow if pair not in held]
        if not narrow:
            pending = []
            continue
        nearest = _NearestCandidates(system, statuses, relations_of, totals)
        stubborn.update(narrow)
        chosen = set()
        constraints = constraints or Constraints(system)
        widen = Widening(system, statuses, min_cell, WIDENING_NEARBY, constraints)
        for key, check in narrow:
            # one its nearest cells have not helped: hide what holds it (as ``protect`` does)
            if stubborn[(key, check)] > CHEAP_WIDENINGS:
                widening = widen(key, check)
                if widening:
                    chosen.update(widening)
                    continue
            if (candidate := nearest(key)) is not None:
                chosen.add(candidate)
        if not chosen:
            listed = ", ".join(repr(key) for key, _ in narrow[:5])
            raise DisclosureRisk(f"disclosure audit failed: hidden cells can still be narrowed: {listed}")
        for key in chosen:
            statuses[key] = "suppressed-complementary"
        if relation_index is None:
            relation_index = RelationIndex.of(system)
        after = complementary_suppression_after(system, statuses, min_cell, chosen, relation_index)
        newly = chosen | {key for key, status in after.items() if status != statuses[key]}
        statuses = after
        pending = sorted({*narrow, *((key, check) for key in newly for check in CHECKS)}, key=repr)
    raise DisclosureRisk(
        f"disclosure audit failed: cells could still be narrowed after {SETTLE_ROUNDS} rounds of settling slices"
    )


class _Flows:
    """The exact flow audit (``protection.flows``) of a system that is a network, asked
    of (cell, check) pairs under a pattern: each is proven wide, found exactly narrow, or
    (its tables broke an inequality) left to the linear programs."""

    def __init__(
        self,
        system: TableSystem,
        min_cell: int,
        keys: list[Key] | None = None,
        network: Network | None = None,
    ):
        self.system, self.min_cell = system, min_cell
        self.keys = keys or list(system.values)
        self.index = {key: number for number, key in enumerate(self.keys)}
        self.network = network or Network(system, self.keys)

    def unproven(
        self, pairs: Iterable[tuple[Key, str]], statuses: Mapping[Key, Status]
    ) -> tuple[list[tuple[Key, str]], list[tuple[Key, str]]]:
        """Of ``pairs``, those the flows could not settle, and those they find narrow."""
        pairs = list(pairs)
        column = [statuses[key] for key in self.keys]
        hidden = [status in HIDDEN_STATUSES for status in column]
        unsettled: list[tuple[Key, str]] = []
        narrow: list[tuple[Key, str]] = []
        for check in CHECKS:
            cells = [self.index[key] for key, question in pairs if question == check]
            if not cells:
                continue
            low, high = known_ranges(self.system, self.keys, column, check, self.min_cell)
            found = self.network.prove(cells, hidden, low, high, need(check, self.min_cell))
            settled = set(found.proven) | set(found.narrow)
            narrow += [(self.keys[cell], check) for cell in found.narrow]
            unsettled += [(self.keys[cell], check) for cell in cells if cell not in settled]
        return sorted(unsettled, key=repr), sorted(narrow, key=repr)

    def held(self, pairs: Iterable[tuple[Key, str]], statuses: Mapping[Key, Status]) -> set[tuple[Key, str]]:
        """Those of ``pairs`` still narrow with every cell that could be hidden hidden
        (``audit.opened``): exactly narrow in the network, which the system's inequalities
        only narrow further, so no pattern frees them. Pinned, a cell is inherent to
        publishing its status; too narrow, nothing can protect it. (A slice's shared cells
        are never opened: what only they could free, its slices leave to ``settle``.)"""
        return set(self.unproven(pairs, opened(self.system, statuses, self.min_cell))[1])


def pinned_by_statuses(
    keys: list[Key],
    statuses: Mapping[Key, Status],
    relations_of: Mapping[Key, list[Relation]],
    system: TableSystem,
    min_cell: int,
) -> set[Key]:
    """Those of ``keys`` that the status column's ranges alone pin, whatever else is hidden.

    A relation whose cells are all hidden (but for zeros, which are always published) is
    *tight* when its parts' smallest possible sum is the total's largest possible value,
    or the other way round (nine "<10" parts of a "<10" total: each is 1): then every cell
    of it is pinned. A cell is also pinned when every other cell of such a relation is.
    Hiding more cannot help either.
    """
    pinned: set[Key] = set()
    pending = list(keys)
    seen: set[int] = set()
    while pending:
        key = pending.pop()
        for relation in relations_of.get(key, ()):
            cells = (relation.total, *relation.parts)
            if isinstance(relation, _Link) or any(
                statuses[c] not in _RANGED and not _published_zero(c, statuses, system) for c in cells
            ):
                continue  # an inequality's link, or a relation with a coded or published count
            if id(relation) in seen and not any(c in pinned for c in cells):
                continue
            seen.add(id(relation))
            total_low, total_high = _known_range(relation.total, statuses, system, min_cell)
            parts_low = sum(_known_range(c, statuses, system, min_cell)[0] for c in relation.parts)
            parts_high = sum(_known_range(c, statuses, system, min_cell)[1] for c in relation.parts)
            if parts_low == total_high or parts_high == total_low:
                newly = [c for c in cells if c not in pinned]
            else:
                free = [c for c in cells if c not in pinned]
                newly = free if len(free) == 1 else []
            pinned.update(newly)
            pending.extend(newly)
    return pinned & set(keys)


#: the statuses whose ranges the status column tells (coded cells are bounded by their rate)
_RANGED = frozenset({"suppressed", "suppressed-complementary"})


def _published_zero(key: Key, statuses: Mapping[Key, Status], system: TableSystem) -> bool:
    """A zero is always published (it reveals no student), so no pattern ever frees it."""
    return statuses[key] == PUBLISHED and system.values[key] == 0


def _known_range(
    key: Key, statuses: Mapping[Key, Status], system: TableSystem, min_cell: int
) -> tuple[float, float]:
    if _published_zero(key, statuses, system):
        return (0.0, 0.0)
    return known_bounds(system, key, statuses[key], min_cell)


class _Link(Relation):
    """An inequality as ``_links`` records it: it links cells, it is no equation."""


def _links(system: TableSystem) -> tuple[dict[Key, list[Relation]], set[Key]]:
    """Each cell's relations (an inequality counting as one), and the cells that are totals."""
    relations_of: dict[Key, list[Relation]] = defaultdict(list)
    totals = set()
    for relation in system.relations:
        totals.add(relation.total)
        for key in (relation.total, *relation.parts):
            relations_of[key].append(relation)
    # An inequality links its cells too: a claimed count is widened by widening the
    # school's count of credentials it cannot exceed.
    for inequality in system.inequalities:
        (first, _), *rest = inequality.terms
        link = _Link(first, tuple(key for key, _ in rest))
        for key, _ in inequality.terms:
            relations_of[key].append(link)
    return relations_of, totals


@dataclass(frozen=True)
class QuickExposure:
    key: Key
    check: str
    causes: list[Relation]


def quick_exposures(
    system: TableSystem, statuses: dict[Key, Status], min_cell: int, exempt: set[Key] = frozenset()
) -> list[QuickExposure]:
    """Hidden, uncoded cells that interval propagation alone narrows ("width") or pins
    under the status column's ranges ("pinning"), with the relations that did it."""
    hidden = [key for key, status in statuses.items() if status in HIDDEN_STATUSES]
    exposed: list[QuickExposure] = []
    for check, bounds, width in (
        ("width", {key: (0.0, math.inf) for key in hidden}, float(min_cell)),
        ("pinning", {key: known_bounds(system, key, statuses[key], min_cell) for key in hidden}, PIN_WIDTH),
    ):
        result = propagate(system, statuses, bounds)
        for key in sorted(result.bounds, key=repr):
            low, high = result.bounds[key]
            if check == "pinning" and key in exempt:
                continue
            if must_be_wide(system, statuses, key) and high - low < width - TOLERANCE:
                exposed.append(QuickExposure(key, check, result.causes[key]))
    return exposed


def _widening_candidate(
    causes: list[Relation], system: TableSystem, statuses: dict[Key, Status], totals: set[Key]
) -> Key | None:
    """A published cell of a relation that narrowed the exposed cell: its smallest
    detail part, else its total. Hiding it adds an unknown exactly where the bound came from."""
    for relation in causes:
        parts = [p for p in relation.parts if hideable(system, statuses, p)]
        details = [p for p in parts if p not in totals]
        for group in (details, parts):
            if group:
                return _smallest(group, system)
        if hideable(system, statuses, relation.total):
            return relation.total
    return None


def _beside(
    blocker: Key, system: TableSystem, statuses: dict[Key, Status], relations_of: dict[Key, list[Relation]]
) -> Key | None:
    """The smallest published cell that shares an equation with ``blocker``, a cell that
    could not move far enough to keep an inequality (a small school's earned count, held
    by its district's published total and the other schools' published counts): hidden,
    it lets ``blocker`` move against it. None when every such cell is hidden."""
    cells = [
        key
        for relation in relations_of.get(blocker, ())
        if not isinstance(relation, _Link)
        for key in (relation.total, *relation.parts)
        if hideable(system, statuses, key)
    ]
    return _smallest(cells, system) if cells else None


def _nearest_candidate(
    exposed: Key,
    system: TableSystem,
    statuses: dict[Key, Status],
    relations_of: dict[Key, list[Relation]],
    totals: set[Key],
) -> Key | None:
    """The published cell whose hiding most likely widens ``exposed``, at least cost.

    Searches outward from the exposed cell through hidden cells, relation by relation.
    The first layer with a published *detail* cell (one that is no relation's total)
    gives the smallest such cell: hiding details keeps the totals readers care about.
    Only when no detail cell is reachable is the nearest, smallest total hidden.
    """
    return _nearest_search(exposed, system, statuses, relations_of, totals)[0]


def _nearest_search(
    exposed: Key,
    system: TableSystem,
    statuses: dict[Key, Status],
    relations_of: dict[Key, list[Relation]],
    totals: set[Key],
) -> tuple[Key | None, int]:
    """``_nearest_candidate``, and how many cells its search saw."""
    seen_cells = {exposed}
    seen_relations: set[int] = set()
    frontier = [exposed]
    fallback = None
    while frontier:
        details, sums, next_frontier = [], [], []
        for cell in frontier:
            for relation in relations_of.get(cell, ()):
                if id(relation) in seen_relations:
                    continue
                seen_relations.add(id(relation))
                for key in (relation.total, *relation.parts):
                    if key in seen_cells:
                        continue
                    seen_cells.add(key)
                    if statuses[key] != PUBLISHED:
                        next_frontier.append(key)
                    elif hideable(system, statuses, key):
                        (sums if key in totals else details).append(key)
        if details:
            return _smallest(details, system), len(seen_cells)
        if sums and fallback is None:
            fallback = _smallest(sums, system)
        frontier = next_frontier
    return fallback, len(seen_cells)


#: ``_NearestCandidates`` searches from each cell on its own until its searches have seen
#: this many times as many cells as the system has, then for every cell at once: one
#: pass that costs about as much as searches that saw 5 to 7 times the system's cells (a
#: state year, a national slice), so the switch never costs more than twice the better
#: of the two. A search from one cell can cross most of the system: a national slice
#: hides 63,000 of its 76,000 cells, and its 9,800 searches took 30 s.
SEARCHED_ALONE = 5


class _NearestCandidates:
    """``_nearest_candidate`` for one pattern, found once a cell (its two checks ask the
    same; a claimed count's search crosses every school's claims)."""

    def __init__(
        self,
        system: TableSystem,
        statuses: dict[Key, Status],
        relations_of: dict[Key, list[Relation]],
        totals: set[Key],
    ):
        self.system, self.statuses, self.relations_of, self.totals = system, statuses, relations_of, totals
        self.found: dict[Key, Key | None] = {}
        self.seen = 0
        self.labels: dict[Key, Key] | None = None

    def __call__(self, key: Key) -> Key | None:
        if key not in self.found:
            if self.labels is None and self.seen > SEARCHED_ALONE * len(self.system.values):
                self.labels = _nearest_details(self.system, self.statuses, self.relations_of, self.totals)
            if self.labels is not None and key in self.labels:
                self.found[key] = self.labels[key]
            else:  # searched alone, or its search reaches no published detail cell (only a total)
                self.found[key], seen = _nearest_search(
                    key, self.system, self.statuses, self.relations_of, self.totals
                )
                self.seen += seen
        return self.found[key]


def _nearest_details(
    system: TableSystem,
    statuses: dict[Key, Status],
    relations_of: dict[Key, list[Relation]],
    totals: set[Key],
) -> dict[Key, Key]:
    """``_nearest_candidate`` of every unpublished cell that reaches a published detail
    cell, found in one search outward from them all.

    A cell's search returns the smallest hideable published detail cell of the relations
    nearest it that have one. A cell in such a relation is at distance 0 and takes the
    smallest of its own; one whose relations have none is one further than its nearest
    unpublished neighbours (cells that share a relation with it), and takes the smallest
    of theirs: the relations nearest it are theirs. So the layers of one breadth-first
    search from every distance-0 cell give each cell its answer."""
    relations = list({id(r): r for rs in relations_of.values() for r in rs}.values())

    def members(relation: Relation) -> tuple[Key, ...]:
        return (relation.total, *relation.parts)

    label: dict[Key, tuple[int, str, Key]] = {}
    for relation in relations:
        details = [key for key in members(relation) if key not in totals and hideable(system, statuses, key)]
        if not details:
            continue
        best = _smallest(details, system)
        mine = (system.values[best], repr(best), best)
        for key in members(relation):
            if statuses[key] != PUBLISHED and (key not in label or mine < label[key]):
                label[key] = mine
    layer = list(label)
    done: set[int] = set()
    while layer:
        reached: dict[Key, tuple[int, str, Key]] = {}
        for cell in layer:
            for relation in relations_of.get(cell, ()):
                if id(relation) in done:
                    continue
                done.add(id(relation))
                keys = members(relation)
                # the smallest answer among its cells of this layer (none was in an earlier one)
                best = min(label[key] for key in keys if key in label)
                for key in keys:
                    if (
                        statuses[key] != PUBLISHED
                        and key not in label
                        and (key not in reached or best < reached[key])
                    ):
                        reached[key] = best
        label.update(reached)
        layer = list(reached)
    return {key: found[2] for key, found in label.items()}


def _smallest(keys: list[Key], system: TableSystem) -> Key:
    """The key with the smallest count, ties broken by the key's text (only among the ties:
    writing out every key of a large layer cost more than the search)."""
    least = min(system.values[key] for key in keys)
    return min((key for key in keys if system.values[key] == least), key=repr)
