"""Numbers as they may leave the build: a value only when it is safe to show.

Pages and downloads are written from these types alone, so a hidden count cannot be
printed by mistake: once a cell is hidden, its value is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from site_builder.protection import PUBLISHED, Status

SUPPRESSED_TEXT = "suppressed"


@dataclass(frozen=True)
class Count:
    """A published count, or the reason it is hidden."""

    value: int | None
    status: Status
    text: str

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Rate:
    """A published percentage: exact (whole percent), coded (>=95%), or hidden."""

    percent: int | None
    status: Status
    text: str


@dataclass(frozen=True)
class Dollars:
    """A published dollar amount, or hidden with its status."""

    value: Decimal | None
    status: Status
    text: str


def count(value: int, status: Status, min_cell: int) -> Count:
    """The published form of a count. One object for each distinct published form: a
    nation's reports hold ten million cells, most of them the same few ("<10", small
    numbers), and a count is never changed once made."""
    return _count(value if status == PUBLISHED else None, status, min_cell)


@cache
def _count(value: int | None, status: Status, min_cell: int) -> Count:
    if value is not None:
        return Count(value, status, str(value))
    return Count(None, status, f"<{min_cell}" if status == "suppressed" else SUPPRESSED_TEXT)


def dollars(value: Decimal, status: Status) -> Dollars:
    if status == PUBLISHED:
        return Dollars(value, status, f"{value:.2f}")
    return Dollars(None, status, SUPPRESSED_TEXT)


def rate(numerator: int, denominator: int, status: Status, coded_at: int | None = None) -> Rate:
    """An exact rate rounded to a whole percent, a coded rate, or a hidden one."""
    if status == PUBLISHED:
        percent = int((Decimal(100 * numerator) / Decimal(denominator)).to_integral_value(ROUND_HALF_UP))
        return Rate(percent, status, f"{percent}%")
    if status == "top-coded" and coded_at is not None:
        return Rate(None, status, f">={coded_at}%")
    if status == "bottom-coded" and coded_at is not None:
        return Rate(None, status, f"<={coded_at}%")
    return Rate(None, "suppressed", SUPPRESSED_TEXT)
