"""Which credentials belong to which program in a school year (SPEC 8, "Programs").

A credential file lists its memberships; a membership may name the first and last school
year it counts for (``first_year``, ``last_year``; years are named by the calendar year they
end in, as the outcome data names them). A credential belongs to a program in a year when
one of its memberships is of that program and the year is within its years. Memberships
are the catalog's, and the catalog says nothing of a program it does not define: with no
``programs:`` in site.yml, ``Members`` is None and nothing is restricted.
"""

from __future__ import annotations

from collections.abc import Mapping

#: the school years a membership covers: (first, last), None = open on that side
YearSpan = tuple[int | None, int | None]
#: program id -> credential id -> the years it belongs; every program site.yml defines is a key
Members = Mapping[str, Mapping[str, tuple[YearSpan, ...]]]


def belongs(members: Members, program: str, credential_id: str, year: int) -> bool:
    """Whether ``credential_id`` belongs to ``program`` in school year ``year``."""
    spans = members.get(program, {}).get(credential_id, ())
    return any((first is None or first <= year) and (last is None or year <= last) for first, last in spans)


def members_in_year(members: Members, program: str, year: int) -> list[str]:
    """The credentials of ``program`` in ``year``, sorted by id."""
    return sorted(key for key in members.get(program, {}) if belongs(members, program, key, year))
