"""Reimbursement (SPEC 5): dividing a fixed allocation among schools' claims.

Per (year, program): C_s is school s's claim, D = sum C_s, A the allocation,
f = min(1, A / D), and P_s = C_s x f floored to the cent, with the cents left over
handed out one each by largest remainder (ties by school_id). The arithmetic is done
in whole cents with integers, which is exact: the floors and remainders of
C_s x A / D are computed without any rounding at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")
FACTOR_PLACES = Decimal("0.000001")


def to_cents(amount: Decimal) -> int:
    """Whole cents of a dollar amount; amounts with fractions of a cent are refused."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def school_claim(
    amounts: Iterable[Decimal | None], counts: Iterable[int], unit_amount: Decimal | None
) -> Decimal:
    """C_s: the sum of fees claimed, or the count of credentials times the flat rate."""
    if unit_amount is None:
        return sum((amount or Decimal(0) for amount in amounts), Decimal(0))
    return sum(counts, 0) * unit_amount


def proration_factor(allocation: Decimal, claimed: Decimal) -> Decimal:
    """f = min(1, A / D), shown to six decimals (floored, so it never overstates payments)."""
    if claimed <= allocation:
        return Decimal(1)
    return (allocation / claimed).quantize(FACTOR_PLACES, rounding=ROUND_FLOOR)


def prorate(claims: Mapping[str, Decimal], allocation: Decimal) -> dict[str, Decimal]:
    """P_s for every school: sums to min(A, D) exactly, and 0 <= P_s <= C_s."""
    claim_cents = {school: to_cents(amount) for school, amount in claims.items()}
    if any(cents < 0 for cents in claim_cents.values()):
        raise ValueError("claims cannot be negative")
    allocation_cents = to_cents(allocation)
    total = sum(claim_cents.values())
    if total <= allocation_cents:
        return {school: from_cents(cents) for school, cents in claim_cents.items()}
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for school, cents in claim_cents.items():
        floors[school], remainders[school] = divmod(cents * allocation_cents, total)
    leftover = allocation_cents - sum(floors.values())
    # Largest remainder first; equal remainders go to the smaller school_id.
    for school in sorted(remainders, key=lambda school: (-remainders[school], school))[:leftover]:
        floors[school] += 1
    return {school: from_cents(cents) for school, cents in floors.items()}


@dataclass(frozen=True)
class ProgramYear:
    """The division of one program's allocation in one year."""

    year: int
    program: str
    allocation: Decimal
    unit_amount: Decimal | None
    claimed: Decimal
    factor: Decimal
    paid: Decimal
    #: school_id -> (claimed C_s, paid P_s), sorted by school_id
    by_school: dict[str, tuple[Decimal, Decimal]]
