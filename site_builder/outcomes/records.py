"""Typed outcome records: what the rest of the build sees once the package is valid.

Money is ``Decimal`` because reimbursement must add up to the cent; counts are ``int``.
Records use ``slots`` because a state's data runs to millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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


class Records(list):
    """Records of one kind that pickle as columns: the protection tasks carry a year's rows
    to a Dask worker, and record by record a state year's 320,000 took Dask's pickler 4-7 s
    to write (while the workers waited) and a worker 3 s to read back."""

    def __reduce__(self) -> tuple:
        kinds = {type(record) for record in self}
        if len(kinds) != 1:
            return Records, (list(self),)
        (kind,) = kinds
        columns = tuple([getattr(record, field.name) for record in self] for field in fields(kind))
        return _from_columns, (kind, columns)


def _from_columns(kind: type, columns: tuple[list, ...]) -> Records:
    return Records(map(kind, *columns))
