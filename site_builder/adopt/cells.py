"""One messy cell -> one catalog value, or a ``CellProblem`` saying what is wrong.

Each function normalises only what has one meaning: spaces around and inside text, a number
stored as text ("6", "6 pts", "6.0"), a date as an Excel serial number or as text (ISO,
M/D/YYYY, "March 4, 2024"), names compared without case, spacing or punctuation. Anything
that could mean two things (a date like 25/12/2024 in a list that writes month first, a
two-digit year, "6.5" points) is a problem, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from site_builder.errors import excerpt

from .spreadsheet import Cell


class CellProblem(ValueError):
    """A cell that cannot be read as the value its column holds; the message says why."""


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_SPACES = re.compile(r"\s+")
#: a cell a spreadsheet export protected from running as a formula ('=...), read back as typed
_FORMULA_GUARD = re.compile(r"'(?=[=+\-@\t\r])")


def text(value: Cell) -> str | None:
    """Text with surrounding spaces removed and inner runs of spaces, line breaks and
    non-breaking spaces made one space; None when blank. A whole number stored as a
    spreadsheet number (``1234.0``) is written without the ``.0``."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    if _FORMULA_GUARD.match(cleaned):
        cleaned = cleaned[1:]
    return cleaned or None


def items(value: Cell) -> list[str]:
    """Several values in one cell, split on ';' (and on line breaks within the cell), each
    ``text``; empty pieces dropped."""
    if is_blank(value):
        return []
    raw = value if isinstance(value, str) else (text(value) or "")
    return [piece for part in re.split(r"[;\n\r]", raw) if (piece := text(part)) is not None]


_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def key(value: str) -> str:
    """What two spellings of one name have in common: no case, accents, punctuation or extra
    spaces, and '&' read as 'and' ("Agriculture & Environmental  Systems",
    "agriculture-environmental-systems" and "AGRICULTURE/ENVIRONMENTAL SYSTEMS" agree)."""
    folded = unicodedata.normalize("NFKD", value.casefold().replace("&", " and "))
    folded = "".join(character for character in folded if not unicodedata.combining(character))
    return _PUNCTUATION.sub(" ", folded).strip()


_WHOLE = re.compile(r"^([+-]?[0-9]+)(?:\.0*)?\s*(?:pts?|points?)?\.?$", re.IGNORECASE)
#: the longest whole number read (a point value or a fee has a few digits)
_DIGITS = 12


def whole_number(value: Cell) -> int:
    """A whole number: a spreadsheet number without a fraction, or text like "6", "6.0",
    "6 pts" or "6 points"."""
    if isinstance(value, bool):
        raise CellProblem(f"must be a whole number (got {excerpt(text(value))})")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**_DIGITS:
            return int(value)
        raise CellProblem(f"must be a whole number (got {value:g})")
    shown = text(value) or ""
    match = _WHOLE.match(shown)
    if match is None or len(match.group(1)) > _DIGITS:
        raise CellProblem(f"must be a whole number like 6 or '6 pts' (got {excerpt(shown)})")
    return int(match.group(1))


_MONEY = re.compile(
    r"^(?:US)?\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?\s*(?:USD)?$", re.IGNORECASE
)


def money(value: Cell) -> Decimal:
    """Dollars: a spreadsheet number, or text like "253", "$1,200.00" or "253 USD"."""
    if isinstance(value, bool):
        raise CellProblem(f"must be an amount in dollars (got {excerpt(text(value))})")
    if isinstance(value, int | float):
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise CellProblem(f"must be an amount in dollars (got {value!r})") from None
        if not amount.is_finite() or amount.normalize().as_tuple().exponent < -2:
            raise CellProblem(f"must be an amount in whole cents (got {value!r})")
        return amount
    shown = text(value) or ""
    match = _MONEY.match(shown)
    if match is None:
        raise CellProblem(f"must be an amount in dollars like 253 or '$1,200.00' (got {excerpt(shown)})")
    return Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))


#: Excel's day 0 (its day 60 is 1900-02-29, which never was; lists hold no date that old)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: the serial numbers read as dates: 1950-01-01 to 2099-12-31
_SERIALS = (18264, 73050)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_SLASHED = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.I
)
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")
_MONTHS = {  # English month names, whatever the locale
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%B").casefold(),
        dt.date(2000, number, 1).strftime("%b").casefold(),
    )
} | {"sept": 9}
_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.I)
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$", re.I)


def date(value: Cell) -> dt.date:
    """A date: a spreadsheet date, an Excel serial number (1950 to 2099), or text written
    YYYY-MM-DD, M/D/YYYY (month first, as US lists write it), YYYY/MM/DD, "March 4, 2024"
    or "4 March 2024". Refused as ambiguous: a two-digit year, and a day/month/year date
    (its first number over 12) in a list read month first."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellProblem(f"must be a date (got {excerpt(text(value))})")
    if isinstance(value, int | float):
        return _serial(value)
    shown = text(value) or ""
    if _SERIAL_TEXT.match(shown):
        return _serial(float(shown))
    if match := _ISO.match(shown) or _YEAR_FIRST.match(shown):
        return _real(shown, int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _SLASHED.match(shown):
        first, second, year = int(match.group(1)), int(match.group(3)), match.group(4)
        if len(year) == 2:
            raise CellProblem(
                f"two-digit year in {excerpt(shown)} is ambiguous; write the date as YYYY-MM-DD"
            )
        if first > 12 and second <= 12:
            raise CellProblem(
                f"{excerpt(shown)} reads as day/month/year, but dates here are month/day/year; "
                "write it as YYYY-MM-DD"
            )
        return _real(shown, int(year), first, second)
    for pattern, month_group, day_group in ((_MONTH_FIRST, 1, 2), (_DAY_FIRST, 2, 1)):
        if (match := pattern.match(shown)) and match.group(month_group).casefold() in _MONTHS:
            month = _MONTHS[match.group(month_group).casefold()]
            return _real(shown, int(match.group(3)), month, int(match.group(day_group)))
    raise CellProblem(f"must be a date like 2024-03-04 or 3/4/2024 (got {excerpt(shown)})")


def _serial(number: float) -> dt.date:
    if not _SERIALS[0] <= number <= _SERIALS[1]:
        raise CellProblem(
            f"the number {number:g} is not a date between 1950 and 2099 (as an Excel date serial number)"
        )
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _real(shown: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellProblem(f"{excerpt(shown)} is not a real date") from None
