"""The Jinja environment: always autoescaped, strict about undefined names, with display filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from site_builder.reports.published import Count, Dollars

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

RATING_LABELS = {
    "meets": "Meets",
    "partial": "Partially meets",
    "does-not-meet": "Does not meet",
    "not-enough-evidence": "Not enough evidence",
}


def money(amount: Decimal | int | None) -> str:
    """$1,234 for whole dollars, $1,234.50 otherwise; 'Unknown' when there is no amount."""
    if amount is None:
        return "Unknown"
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def usd(amount: Decimal) -> str:
    """$1,234.50: payments are always shown to the cent."""
    return f"${amount:,.2f}"


def shown_count(published: Count) -> str:
    """1,234 for a published count; otherwise the text that replaces it (<10, suppressed)."""
    return f"{published.value:,}" if published.value is not None else published.text


def shown_dollars(published: Dollars) -> str:
    return usd(published.value) if published.value is not None else published.text


def long_date(day: dt.date | None) -> str:
    """June 1, 2024 — spelled out without the locale, so every machine builds the same bytes."""
    if day is None:
        return ""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def points(count: int) -> str:
    return f"{count} point" if count == 1 else f"{count} points"


def points_range(low: int, high: int) -> str:
    """'7 points' or '7–12 points' when the choices along the way differ."""
    return points(low) if low == high else f"{low}–{high} points"


def number_range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def rating_label(rating: str) -> str:
    return RATING_LABELS[rating]


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def make_environment(templates_dir: Path) -> Environment:
    """Autoescape is on for every HTML, XML and SVG template and cannot be turned off per call."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=money,
        usd=usd,
        shown_count=shown_count,
        shown_dollars=shown_dollars,
        long_date=long_date,
        points=points,
        points_range=points_range,
        number_range=number_range,
        rating_label=rating_label,
        sentence_case=sentence_case,
    )
    return env
