"""A year protected in slices of districts (``protection.blocks``), checked against the whole system."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from site_builder.build import validate
from site_builder.outcomes import Attainment, School
from site_builder.protection.audit import WHOLE, audit, known_bounds, narrow_nearby, opened
from site_builder.protection.blocks import make_slice, merged, owners, wholes
from site_builder.protection.disclosure import _links, pinned_by_statuses, protect, settle
from site_builder.protection.privacy import (
    HIDDEN_STATUSES,
    PUBLISHED,
    TableSystem,
    complementary_suppression,
    primary_statuses,
)
from site_builder.reports import CatalogFacts, _by_year, _district_groups, compute_reports
from site_builder.reports.systems import attainment_shared, attainment_system

REPO = Path(__file__).resolve().parent.parent
N = 10


@pytest.fixture(scope="module")
def sample():
    validated = validate(REPO / "catalog")
    assert validated.outcomes is not None
    return validated


def _year(sample, year: int):
    outcomes = sample.outcomes
    primary_field = {key: c.career_fields[0] for key, c in sample.catalog.credentials.items()}
    schools = {school.school_id: school for school in outcomes.schools}
    rows, claims = _by_year(outcomes.attainment)[year], _by_year(outcomes.claims)[year]
    return rows, claims, schools, primary_field


@pytest.mark.parametrize(("year", "count"), [(2025, 2), (2025, 3), (2025, 5), (2023, 3), (2024, 3)])
def test_a_year_protected_in_slices_passes_the_whole_systems_audit(sample, year: int, count: int) -> None:
    """A year of the sample, with its programs' claims, cut into slices of districts, each
    protected alone by the flows: the pattern put together keeps the spec's rules over the
    whole system, and the whole system's exact audit (linear programs over every hidden
    cell) proves every hidden cell wide under both checks. In 2023 and 2024 the slices
    leave cells that hiding their nearest cells does not widen (a school's claims hold
    them): ``settle`` finds what does."""
    rows, claims, schools, primary_field = _year(sample, year)
    members = CatalogFacts.of(sample.catalog).members_in(year)
    whole_system = attainment_system(rows, claims, schools, primary_field, members)
    groups = _district_groups(rows, claims, schools, count)
    assert len(groups) == count
    districts = [{schools[row.school_id].district_id for row in group_rows} for group_rows, _ in groups]
    assert all(not (a & b) for n, a in enumerate(districts) for b in districts[n + 1 :])
    parts = [
        attainment_shared(group_rows, group_claims, primary_field) for group_rows, group_claims in groups
    ]
    whole, owned = wholes(parts), owners(parts, N)
    slices = [
        protect(
            make_slice(attainment_system(r, c, schools, primary_field, members), parts[n], whole, owned, n), N
        )
        for n, (r, c) in enumerate(groups)
    ]
    assert not any(protection.inherent for protection in slices)  # left to the whole system
    together = settle(whole_system, merged(slices, whole), N)
    assert together.values == whole_system.values
    assert set(together.statuses) == set(whole_system.values)
    assert not together.unresolved
    assert complementary_suppression(whole_system, together.statuses, N) == together.statuses
    first = primary_statuses(whole_system, N)
    assert all(together.statuses[key] == status for key, status in first.items() if status != PUBLISHED)
    # inherent: pinned over the whole system even with every cell that could be hidden
    # hidden (the privacy page's promise), by the exact programs over every hidden cell
    inherent = sorted(together.inherent, key=repr)
    pinned = narrow_nearby(
        whole_system,
        opened(whole_system, together.statuses, N),
        N,
        [(key, "pinning") for key in inherent],
        WHOLE,
    )
    assert pinned == [(key, "pinning") for key in inherent]
    report = audit(whole_system, together.statuses, N, exempt=together.inherent)
    assert report.passed, report.exposures[:5]
    assert together.report.hidden == report.hidden


def _slice_of_two_schools(earned: tuple[int, int], whole_count: int) -> TableSystem:
    """One group's slice: two schools' counts of one credential, and the credential's
    statewide count, of which this group holds ``sum(earned)``."""
    system = TableSystem(values={("a",): earned[0], ("b",): earned[1], ("state",): sum(earned)})
    system.add_relation(("state",), [("a",), ("b",)])
    part = {("state",): sum(earned)}
    return system, part, {("state",): whole_count}


def test_a_shared_cell_is_read_as_the_whole_count_its_status_tells() -> None:
    """The group holds 5 of a statewide 15: 15 is published, though 5 alone would not be;
    hidden, "at least 10" of the whole leaves this group's part at least 0, not 10."""
    system, part, whole = _slice_of_two_schools((2, 3), 15)
    make_slice(system, part, whole, {}, 0)
    assert system.offsets == {("state",): 10}
    assert primary_statuses(system, N)[("state",)] == PUBLISHED
    assert primary_statuses(system, N)[("a",)] == "suppressed"
    assert known_bounds(system, ("state",), "suppressed-complementary", N) == (0.0, float("inf"))
    system, part, whole = _slice_of_two_schools((2, 3), 7)
    make_slice(system, part, whole, {}, 0)
    assert primary_statuses(system, N)[("state",)] == "suppressed"
    assert known_bounds(system, ("state",), "suppressed", N) == (0.0, 7.0)  # 1..9 of 7, less the other 2


def test_a_shared_cell_proven_by_another_slice_asks_nothing_of_this_one() -> None:
    """A career field's statewide 40 is 7 of one credential (hidden) and 33 of another;
    this group holds 2 and 20 of them. The slice that proves the 7 hides a complement
    for it; a slice that leaves it to another does not."""

    def field_slice(owner: int) -> TableSystem:
        system = TableSystem(values={("field",): 22, ("c",): 2, ("d",): 20})
        system.add_relation(("field",), [("c",), ("d",)])
        part = dict(system.values)
        return make_slice(system, part, {("field",): 40, ("c",): 7, ("d",): 33}, {("c",): owner}, 0)

    mine, theirs = field_slice(0), field_slice(1)
    assert theirs.elsewhere == {("c",)} and not mine.elsewhere
    first = primary_statuses(mine, N)
    assert first == {("field",): PUBLISHED, ("c",): "suppressed", ("d",): PUBLISHED}
    assert complementary_suppression(mine, first, N)[("d",)] == "suppressed-complementary"
    assert complementary_suppression(theirs, first, N) == first
    with pytest.raises(ValueError, match="other shared cells"):
        make_slice(TableSystem(values={("c",): 3}), {("c",): 2}, {("c",): 7}, {}, 0)


def test_reports_protected_in_slices_publish_true_statewide_counts(
    sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sliced (as a national year is), the reports say so as they go, and every statewide
    count they publish is the sum over all schools, not one slice's part."""
    import site_builder.reports as reports_module

    monkeypatch.setattr(reports_module, "SLICE_ABOVE", 1_500)
    monkeypatch.setattr(reports_module, "SLICE_ROWS", 1_500)
    messages: list[str] = []
    reports = compute_reports(sample.catalog, sample.outcomes, messages.append)
    assert any(message.startswith("protected 2025 attainment, part 1 of ") for message in messages)
    earned: dict[tuple[int, str], int] = defaultdict(int)
    for row in sample.outcomes.attainment:
        earned[(row.year, row.credential_id)] += row.earned
    published = 0
    for year, report in reports.by_year.items():
        for credential_id, cell in report.by_credential.items():
            if cell.status == PUBLISHED:
                published += 1
                assert cell.value == earned[(year, credential_id)]
            else:
                assert cell.status in HIDDEN_STATUSES and cell.value is None
        assert report.total.value == sum(v for (y, _), v in earned.items() if y == year)
    assert published > 0


def test_what_no_slice_could_widen_is_settled_over_the_whole_system() -> None:
    """11 = 1 + 10 and 11 = 10 + 1 over two tables: the spec's rules are met, but the
    status column pins the 1s ("<10" and "at least 10" in 11). Left unresolved (as a
    slice leaves a cell that only other slices could free), ``settle`` hides more until
    the whole system's exact audit passes, keeps every cell hidden before, and leaves
    nothing unresolved."""
    from site_builder.protection.disclosure import Protection, settle

    system = TableSystem(values={"T": 11, "a": 1, "b": 10, "U": 11, "c": 10, "d": 1, "V": 22})
    system.add_relation("T", ["a", "b"])
    system.add_relation("U", ["c", "d"])
    system.add_relation("V", ["T", "U"])
    ruled = complementary_suppression(system, primary_statuses(system, N), N)
    before = audit(system, ruled, N)
    unresolved = frozenset((exposure.key, exposure.check) for exposure in before.exposures)
    assert ("a", "pinning") in unresolved and ("d", "pinning") in unresolved
    said: list[str] = []
    settled = settle(
        system, Protection(system.values, ruled, before, 0, frozenset(), unresolved), N, said.append
    )
    assert said[0] == f"round 1: {len(unresolved)} cells to settle"  # counts of cells, never a count's value
    assert not settled.unresolved
    assert all(settled.statuses[key] == status for key, status in ruled.items() if status != PUBLISHED)
    assert settled.statuses["T"] == settled.statuses["U"] == "suppressed-complementary"
    assert audit(system, settled.statuses, N).passed
    assert complementary_suppression(system, settled.statuses, N) == settled.statuses
    assert settled.report.hidden == audit(system, settled.statuses, N).hidden


def test_a_cell_pinned_whatever_is_hidden_is_settled_as_inherent() -> None:
    """A school of nine students, one for each of nine credentials over two career fields
    (five and four): each count is "<10", so at least 1, and the school's "<10" total is at
    most 9, so every count is 1. No single relation shows it (the fields' "<10" totals are
    not tight), so the status rule (``pinned_by_statuses``) misses it; but with every other
    published cell hidden the whole system's flows still find it pinned, so no pattern
    frees it. ``settle`` records it as inherent in its first round instead of hiding far
    cells for a hundred rounds (and failing), and the exact programs agree it is pinned,
    opened or not. ``protect`` records it too (it used to hide all 50 cells first)."""
    from site_builder.protection.disclosure import Protection

    schools = {
        school_id: School(school_id, school_id, district_id, district_id, "c")
        for school_id, district_id in (("small", "d0"), ("big", "d0"), ("far", "d1"))
    }
    credentials = [f"c{n}" for n in range(9)]
    primary_field = {c: "health" if n < 5 else "trades" for n, c in enumerate(credentials)}
    rows = [Attainment(2025, "small", c, 1) for c in credentials]
    rows += [
        Attainment(2025, school, c, 12 + n) for school in ("big", "far") for n, c in enumerate(credentials)
    ]
    system = attainment_system(rows, [], schools, primary_field)
    ruled = complementary_suppression(system, primary_statuses(system, N), N)
    cell = next(key for key in system.values if "small" in key and "c0" in key)
    assert ruled[cell] == "suppressed"
    assert not pinned_by_statuses([cell], ruled, _links(system)[0], system, N)
    assert narrow_nearby(system, opened(system, ruled, N), N, [(cell, "pinning")], WHOLE) == [
        (cell, "pinning")
    ]
    before = audit(system, ruled, N)
    unresolved = frozenset((exposure.key, exposure.check) for exposure in before.exposures)
    small = {key for key in system.values if "small" in key}  # its 9 counts, 2 fields' and its total
    assert {key for key, check in unresolved if check == "pinning"} >= small
    said: list[str] = []
    settled = settle(
        system, Protection(system.values, ruled, before, 0, frozenset(), unresolved), N, said.append
    )
    assert settled.inherent == small
    assert audit(system, settled.statuses, N, exempt=settled.inherent).passed
    assert len(said) <= 3  # settled in a round or two, not a hundred
    # protected whole, the same rule: recorded at once, not after hiding every cell around it
    protected = protect(system, N)
    assert protected.inherent == small
    assert audit(system, protected.statuses, N, exempt=protected.inherent).passed
    assert protected.report.hidden < len(system.values)
