"""Typed outcome records: what the rest of the build sees once the package is valid.

Money is ``Decimal`` because reimbursement must add up to the cent; counts are ``int``.
Records use ``slots`` because a state's data runs to millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class School:
    """One row of ``schools.csv``."""

    school_id: str
    name: str
    district_id: str
    district_name: str
    county: str


@dataclass(frozen=True, slots=True)
class Funding:
    """One program's money for one year (``funding.csv``).

    ``unit_amount_usd`` is None when the program reimburses the actual fees claimed.
    """

    year: int
    program: str
    allocation_usd: Decimal
    unit_amount_usd: Decimal | None


@dataclass(frozen=True, slots=True)
class Attainment:
    """Students at a school who earned a credential for the first time that year."""

    year: int
    school_id: str
    credential_id: str
    earned: int


@dataclass(frozen=True, slots=True)
class Readiness:
    """Graduates of a school and how many of them reached the points target in one field."""

    year: int
    school_id: str
    graduates: int
    met_points_target: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A school's claim under one program for one credential.

    ``amount_usd`` is the fees paid, or None for a flat-rate program.
    """

    year: int
    program: str
    school_id: str
    credential_id: str
    count: int
    amount_usd: Decimal | None


@dataclass(frozen=True)
class Outcomes:
    """The whole validated outcome data package, rows in file order, years ascending."""

    schools: list[School]
    funding: list[Funding]
    attainment: list[Attainment]
    readiness: list[Readiness]
    claims: list[Claim]
    years: list[int]
