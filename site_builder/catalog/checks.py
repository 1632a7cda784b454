"""Cross-checks between catalog files, and rules on a file's values taken together.

Each check is a function from what the files say to (source, location, message)
findings, so it can be tested without files; the loader turns findings into positioned
errors. The checks read the raw parsed data (through the small ``from_data`` views),
not the validated models: a file with a typo elsewhere still gets every check in the
same run, so a contributor sees all problems at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from site_builder.catalog.models import (
    CTID_PATTERN,
    SLUG_PATTERN,
    SOC_PATTERN,
    STATE_CODE_PATTERN,
    Credential,
)
from site_builder.catalog.yamlsource import Location
from site_builder.errors import excerpt

_SLUG = re.compile(SLUG_PATTERN)
_SOC = re.compile(SOC_PATTERN)
_STATE_CODE = re.compile(STATE_CODE_PATTERN)
_CTID = re.compile(CTID_PATTERN)


@dataclass(frozen=True)
class Finding:
    """A problem in the file of ``kind``/``key`` (e.g. credential ``comptia-a-plus``)."""

    kind: str
    key: str
    location: Location
    message: str


@dataclass(frozen=True)
class KnownIds:
    """Ids that exist, valid or not: a reference to a file with its own errors is not
    reported again as a missing reference. ``occupations`` is None when that list could
    not be read, so SOC codes cannot be checked."""

    credentials: Collection[str]
    issuers: Collection[str]
    career_fields: Collection[str]
    occupations: Collection[str] | None


def _did_you_mean(value: str, known: Collection[str]) -> str:
    match = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


@dataclass(frozen=True)
class References:
    """What one credential file points at, read from its raw data so that a file with
    other errors still has its references checked in the same run."""

    issuer: str | None
    career_fields: tuple[str, ...]
    occupations: tuple[str, ...]
    stacks_to: tuple[str, ...]

    @classmethod
    def from_data(cls, data: object) -> References:
        data = data if isinstance(data, dict) else {}

        def strings(key: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
            # Malformed values are blanked, keeping list positions: the model reported them.
            value = data.get(key)
            if not isinstance(value, list):
                return ()
            return tuple(item if isinstance(item, str) and pattern.fullmatch(item) else "" for item in value)

        issuer = data.get("issuer")
        return cls(
            issuer=issuer if isinstance(issuer, str) and _SLUG.fullmatch(issuer) else None,
            career_fields=strings("career_fields", _SLUG),
            occupations=strings("occupations", _SOC),
            stacks_to=strings("stacks_to", _SLUG),
        )


def credential_references(credentials: Mapping[str, References], known: KnownIds) -> Iterator[Finding]:
    """Every issuer, career field, SOC code and stacks_to id must exist."""
    issuers, career_fields, occupations = known.issuers, known.career_fields, known.occupations
    for key, credential in credentials.items():
        if credential.issuer is not None and credential.issuer not in issuers:
            yield Finding(
                "credential",
                key,
                ("issuer",),
                f"issuer '{credential.issuer}' is not in catalog/issuers/{_did_you_mean(credential.issuer, issuers)}",
            )
        for index, field_id in enumerate(credential.career_fields):
            if field_id and field_id not in career_fields:
                yield Finding(
                    "credential",
                    key,
                    ("career_fields", index),
                    f"career field '{field_id}' is not in catalog/career-fields.yml"
                    f"{_did_you_mean(field_id, career_fields)}",
                )
        for index, soc in enumerate(credential.occupations):
            if soc and occupations is not None and soc not in occupations:
                yield Finding(
                    "credential",
                    key,
                    ("occupations", index),
                    f"occupation '{soc}' is not in catalog/occupations.csv",
                )
        for index, target in enumerate(credential.stacks_to):
            if target and target not in known.credentials:
                yield Finding(
                    "credential",
                    key,
                    ("stacks_to", index),
                    f"stacks_to: no credential '{target}' in catalog/credentials/{_did_you_mean(target, known.credentials)}",
                )


@dataclass(frozen=True)
class Lifecycle:
    """A credential's status and dates, from raw data; a date that is not a real
    ``YYYY-MM-DD`` is None (the model reported it)."""

    status: str | None
    sunset_is_null: bool
    approved: dt.date | None
    sunset: dt.date | None

    @classmethod
    def from_data(cls, data: object) -> Lifecycle:
        data = data if isinstance(data, dict) else {}
        status = data.get("status")
        return cls(
            status=status if isinstance(status, str) else None,
            # left out or null: an approved credential needs no sunset, the others do
            sunset_is_null=data.get("sunset") is None,
            approved=_date(data.get("approved")),
            sunset=_date(data.get("sunset")),
        )


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def sunset_rules(credentials: Mapping[str, Lifecycle]) -> Iterator[Finding]:
    """Sunsetting and retired credentials need a sunset date, not before approval."""
    for key, credential in credentials.items():
        if credential.status in {"sunsetting", "retired"} and credential.sunset_is_null:
            yield Finding(
                "credential",
                key,
                ("status",),
                f"status is {credential.status}, so 'sunset' must be a date (YYYY-MM-DD)",
            )
        if (
            credential.sunset is not None
            and credential.approved is not None
            and credential.sunset < credential.approved
        ):
            yield Finding(
                "credential",
                key,
                ("sunset",),
                f"sunset {credential.sunset} is before approved {credential.approved}",
            )


#: Credential lists that name each thing once.
UNIQUE_LISTS = ("career_fields", "occupations", "stacks_to", "cip_codes")


def repeated_items(kind: str, key: str, data: object, lists: tuple[str, ...]) -> Iterator[Finding]:
    """Each repeat of an item in one of ``lists``, at the repeat, whatever else is wrong."""
    data = data if isinstance(data, dict) else {}
    for name in lists:
        items = data.get(name)
        if not isinstance(items, list):
            continue
        seen: set[str] = set()
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            if item in seen:
                yield Finding(kind, key, (name, index), f"{name}: lists {excerpt(item)} twice")
            seen.add(item)


@dataclass(frozen=True)
class Crosswalk:
    """A credential's state code and the programs it says it belongs to, from its raw data;
    a malformed value is None or ``""`` (the model reported it), keeping list positions."""

    state_code: str | None
    programs: tuple[str, ...]

    @classmethod
    def from_data(cls, data: object) -> Crosswalk:
        data = data if isinstance(data, dict) else {}
        code = data.get("state_code")
        memberships = data.get("programs")
        programs = []
        for membership in memberships if isinstance(memberships, list) else []:
            program = membership.get("program") if isinstance(membership, dict) else None
            programs.append(program if isinstance(program, str) and _SLUG.fullmatch(program) else "")
        return cls(
            state_code=code if isinstance(code, str) and _STATE_CODE.fullmatch(code) else None,
            programs=tuple(programs),
        )


def state_codes_unique(credentials: Mapping[str, Crosswalk], files: Mapping[str, str]) -> Iterator[Finding]:
    """A state code names one credential: no two share it, and none is another credential's
    id (outcome files name a credential by either, in the same column). ``files``: each
    credential's file, as errors name it; the later file (by id) is told."""
    first: dict[str, str] = {}
    for key in sorted(credentials):
        code = credentials[key].state_code
        if code is None:
            continue
        if code in first:
            yield Finding(
                "credential",
                key,
                ("state_code",),
                f"state_code '{code}' is also the state code of {files[first[code]]}; "
                "each credential needs its own",
            )
            continue
        first[code] = key
        if code != key and code in credentials:
            yield Finding(
                "credential",
                key,
                ("state_code",),
                f"state_code '{code}' is the id of another credential ({files[code]}): "
                "outcome files could not tell the two apart",
            )


@dataclass(frozen=True)
class CtidClaim:
    """One CTID a file states: in ``field`` (``ctid``, ``registry_ctid``, ``agency.ctid``)
    at ``location`` of the file of ``kind``/``key``, shown as ``file``."""

    kind: str
    key: str
    location: Location
    field: str
    file: str
    ctid: str


#: the CTIDs each kind of file may state, by location: (location, field as errors name it)
CTID_FIELDS: dict[str, tuple[tuple[Location, str], ...]] = {
    "site": ((("ctid",), "ctid"), (("agency", "ctid"), "agency.ctid")),
    "issuer": ((("ctid",), "ctid"),),
    "credential": ((("ctid",), "ctid"), (("registry_ctid",), "registry_ctid")),
}

#: the fields ``credsite ctid --assign`` writes: a copy of a file has its source's value
_ASSIGNED = frozenset({("site", "ctid"), ("credential", "ctid")})


def ctid_claims(kind: str, key: str, file: str, data: object) -> list[CtidClaim]:
    """The CTIDs the raw data of one file states; a value that is not a CTID is left out
    (the model reported it)."""
    claims = []
    for location, field_name in CTID_FIELDS.get(kind, ()):
        value: object = data
        for part in location:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and _CTID.fullmatch(value):
            claims.append(CtidClaim(kind, key, location, field_name, file, value))
    return claims


def ctids_unique(claims: Iterable[CtidClaim]) -> Iterator[Finding]:
    """Every CTID in the catalog names one thing (SPEC 9): no two fields state the same one.
    ``claims`` come in the order files are read; each later claim is told the first."""
    first: dict[str, CtidClaim] = {}
    for claim in claims:
        earlier = first.setdefault(claim.ctid, claim)
        if earlier is claim:
            continue
        where = (
            f"this file's {earlier.field}"
            if (earlier.kind, earlier.key) == (claim.kind, claim.key)
            else f"the {earlier.field} of {earlier.file}"
        )
        hint = (
            " (a copied file keeps its source's CTID: delete this line and run credsite ctid --assign)"
            if (claim.kind, claim.field) in _ASSIGNED
            else ""
        )
        yield Finding(
            claim.kind,
            claim.key,
            claim.location,
            f"{claim.field}: {claim.ctid} is also {where}; every CTID in the catalog names one thing{hint}",
        )


def program_memberships(
    credentials: Mapping[str, Crosswalk], programs: Collection[str] | None
) -> Iterator[Finding]:
    """Each membership names a program of site.yml's ``programs:``, once. ``programs`` is
    None when site.yml could not be read: the names cannot be checked then."""
    for key, credential in credentials.items():
        seen: set[str] = set()
        for index, program in enumerate(credential.programs):
            if not program:
                continue
            location = ("programs", index, "program")
            if programs is not None and program not in programs:
                defined = ", ".join(f"'{name}'" for name in sorted(programs)) or "none"
                yield Finding(
                    "credential",
                    key,
                    location,
                    f"program '{program}' is not defined in the programs of catalog/site.yml "
                    f"(defined: {defined}){_did_you_mean(program, programs)}",
                )
            elif program in seen:
                yield Finding("credential", key, location, f"programs: lists '{program}' twice")
            seen.add(program)


def site_programs(data: object) -> tuple[list[str], list[Finding]]:
    """The program ids site.yml defines (read from its raw data), and each repeated id."""
    data = data if isinstance(data, dict) else {}
    entries = data.get("programs")
    ids: list[str] = []
    findings = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        program = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(program, str) or not _SLUG.fullmatch(program):
            continue
        if program in ids:
            findings.append(
                Finding("site", "site", ("programs", index, "id"), f"programs: defines '{program}' twice")
            )
            continue
        ids.append(program)
    return ids, findings


def stacking_cycles(credentials: Mapping[str, References]) -> Iterator[Finding]:
    """``stacks_to`` must not loop back: each cycle is named once, from its smallest id."""
    graph = {
        key: sorted({target for target in references.stacks_to if target in credentials})
        for key, references in credentials.items()
    }
    for component in _strongly_connected(graph):
        start = min(component)
        if len(component) == 1 and start not in graph[start]:
            continue
        cycle = _cycle_from(start, graph, component)
        path = " -> ".join([*cycle, start])
        index = credentials[start].stacks_to.index(cycle[1] if len(cycle) > 1 else start)
        yield Finding("credential", start, ("stacks_to", index), f"stacks_to cycle: {path}")


@dataclass(frozen=True)
class PathwayReferences:
    """What one pathway file points at, from its raw data (as ``References``).

    ``steps`` keeps every step and item position; a malformed item is ``""``, a
    malformed step ``()``: the model reported those.
    """

    career_field: str | None
    steps: tuple[tuple[str, ...], ...]

    @classmethod
    def from_data(cls, data: object) -> PathwayReferences:
        data = data if isinstance(data, dict) else {}
        career_field = data.get("career_field")
        raw_steps = data.get("steps")
        steps = []
        for step in raw_steps if isinstance(raw_steps, list) else []:
            items = step.get("credentials") if isinstance(step, dict) else None
            items = items if isinstance(items, list) else []
            steps.append(
                tuple(item if isinstance(item, str) and _SLUG.fullmatch(item) else "" for item in items)
            )
        return cls(
            career_field=career_field
            if isinstance(career_field, str) and _SLUG.fullmatch(career_field)
            else None,
            steps=tuple(steps),
        )


def pathway_references(
    pathways: Mapping[str, PathwayReferences], known: KnownIds, credentials: Mapping[str, Credential]
) -> Iterator[Finding]:
    """A pathway's career field and every step's credentials must exist; each credential
    appears once in the pathway and belongs to its career field, so no points count twice
    or toward the wrong field. ``credentials`` are the ones that loaded: a credential
    with its own errors has no career fields to compare."""
    career_fields = known.career_fields
    for key, pathway in pathways.items():
        field_id = pathway.career_field
        if field_id is not None and field_id not in career_fields:
            yield Finding(
                "pathway",
                key,
                ("career_field",),
                f"career field '{field_id}' is not in catalog/career-fields.yml"
                f"{_did_you_mean(field_id, career_fields)}",
            )
        first_step: dict[str, int] = {}
        for step_index, step in enumerate(pathway.steps):
            step_number = step_index + 1
            for index, credential_id in enumerate(step):
                if not credential_id:
                    continue
                location = ("steps", step_index, "credentials", index)
                if credential_id not in known.credentials:
                    yield Finding(
                        "pathway",
                        key,
                        location,
                        f"step {step_number}: no credential '{credential_id}' in catalog/credentials/"
                        f"{_did_you_mean(credential_id, known.credentials)}",
                    )
                if credential_id in first_step:
                    earlier = first_step[credential_id]
                    message = (
                        f"step {step_number}: lists '{credential_id}' twice"
                        if earlier == step_number
                        else f"step {step_number}: '{credential_id}' already appears in step {earlier}"
                    )
                    yield Finding("pathway", key, location, message)
                    continue
                first_step[credential_id] = step_number
                credential = credentials.get(credential_id)
                if (
                    credential is not None
                    and field_id in career_fields
                    and field_id not in credential.career_fields
                ):
                    yield Finding(
                        "pathway",
                        key,
                        location,
                        f"step {step_number}: '{credential_id}' is not in career field '{field_id}' "
                        f"(its fields: {', '.join(credential.career_fields)})",
                    )


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative so a long chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _cycle_from(start: str, graph: Mapping[str, list[str]], component: set[str]) -> list[str]:
    """The first cycle through ``start`` in sorted depth-first order, as a list of ids."""
    path = [start]
    seen = {start}
    iterators = [iter(graph[start])]
    while iterators:
        for child in iterators[-1]:
            if child == start:
                return path
            if child in component and child not in seen:
                seen.add(child)
                path.append(child)
                iterators.append(iter(graph[child]))
                break
        else:
            iterators.pop()
            path.pop()
    return [start]
