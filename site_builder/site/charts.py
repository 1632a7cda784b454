"""Bar charts drawn at build time as inline SVG: every coordinate is computed here.

A chart is a picture of a table that is printed beside it on the page; the table is the
text alternative. Hidden numbers are drawn as an empty, dashed slot labelled with the
text that replaces them (``<10``, ``suppressed``), never as a bar of made-up length.
The viewBox scales the drawing down to a phone's width, so it never scrolls sideways.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 420
MARGIN = 6
#: labels longer than this go on their own line above the bar
SHORT_LABEL = 9
SHORT_LABEL_WIDTH = 56
LABEL_CHARS = 56
LABEL_HEIGHT = 17
BAR_HEIGHT = 16
ROW_GAP = 9
VALUE_ROOM = 78
HIDDEN_SLOT = 46


@dataclass(frozen=True)
class BarValue:
    """One bar to draw: a shown number (``value``) or a hidden one (``value`` is None)."""

    label: str
    value: int | None
    #: what to print beside the bar: the formatted number, or why it is hidden
    text: str


@dataclass(frozen=True)
class Bar:
    label: str
    label_x: int
    label_y: int
    bar_y: int
    width: int
    hidden: bool
    value_text: str
    value_x: int
    value_y: int
    #: diagonal lines (x1, y1, x2, y2) that hatch the empty slot of a hidden value
    hatches: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bar_x: int
    bars: tuple[Bar, ...]

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


def bar_chart(chart_id: str, title: str, values: Sequence[BarValue], summary: str = "") -> BarChart:
    """Horizontal bars, one per value, in the order given; scaled to the largest shown value."""
    short = all(len(value.label) <= SHORT_LABEL for value in values)
    bar_x = MARGIN + SHORT_LABEL_WIDTH if short else MARGIN
    bar_room = WIDTH - bar_x - VALUE_ROOM
    largest = max((value.value for value in values if value.value is not None), default=0)
    bars: list[Bar] = []
    y = MARGIN
    for value in values:
        if short:
            label_y = y + BAR_HEIGHT - 3
            bar_y = y
        else:
            label_y = y + LABEL_HEIGHT - 4
            bar_y = y + LABEL_HEIGHT
        hidden = value.value is None
        if hidden:
            width = HIDDEN_SLOT
        elif largest:
            # a published value above zero always gets a visible sliver
            width = max(round(bar_room * value.value / largest), 2 if value.value else 0)
        else:
            width = 0
        bars.append(
            Bar(
                label=textwrap.shorten(value.label, LABEL_CHARS, placeholder="…"),
                label_x=MARGIN if short else bar_x,
                label_y=label_y,
                bar_y=bar_y,
                width=width,
                hidden=hidden,
                value_text=value.text,
                value_x=bar_x + width + 6,
                value_y=bar_y + BAR_HEIGHT - 4,
                hatches=_hatches(bar_x, bar_y, width) if hidden else (),
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    hidden_count = sum(1 for value in values if value.value is None)
    parts = [f"Bar chart with {len(values)} bar{'' if len(values) == 1 else 's'}."]
    if summary:
        parts.append(summary)
    if hidden_count:
        parts.append(
            f"{hidden_count} value{' is' if hidden_count == 1 else 's are'} hidden to protect "
            "student privacy and drawn as an empty dashed box."
        )
    parts.append("The table next to the chart gives every value as text.")
    return BarChart(
        id=chart_id,
        title=title,
        description=" ".join(parts),
        width=WIDTH,
        height=max(y - ROW_GAP + MARGIN, 2 * MARGIN + BAR_HEIGHT),
        bar_x=bar_x,
        bars=tuple(bars),
    )


def _hatches(x: int, y: int, width: int) -> tuple[tuple[int, int, int, int], ...]:
    step = BAR_HEIGHT - 2
    return tuple(
        (left, y + BAR_HEIGHT - 1, left + step, y + 1) for left in range(x + 2, x + width - step, step + 1)
    )
