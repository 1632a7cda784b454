"""Bar charts drawn at build time as inline SVG: every coordinate is computed here.

A chart is a picture of a table that is printed beside it on the page; the table is the
text alternative. Hidden numbers are drawn as an empty, dashed slot labelled with the
text that replaces them (``<10``, ``suppressed``), never as a bar of made-up length.
The drawing is as wide as a 320px phone's screen leaves for it (288 units), so that its text,
12 units and more, is at least 12px there: the viewBox scales it to the width it is given
(site.css enlarges it a little on a wide screen), and it never scrolls sideways. Labels too
long for one line wrap onto two above their bar.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.catalog.translations import Untranslated
from site_builder.site.i18n import _, ngettext

#: the width a 320px screen leaves inside the page's margins; the text is 12 and 13 units
#: (site.css: .chart-value, .chart-label), which is 12px and 13px there
WIDTH = 288
MARGIN = 6
#: labels no longer than this (years) go left of the bar; longer ones on lines above it
SHORT_LABEL = 6
SHORT_LABEL_WIDTH = 50
#: characters of a 13-unit label on one line of the chart's width, and at most two lines
LABEL_CHARS = 34
LABEL_LINES = 2
LABEL_HEIGHT = 17
BAR_HEIGHT = 16
ROW_GAP = 9
#: room right of the longest bar for its value ("12,345", "suppressed")
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
    #: the label's lines (y, text): one left of the bar, or up to two above it
    label_lines: tuple[tuple[int, str], ...]
    bar_y: int
    width: int
    hidden: bool
    value_text: str
    value_x: int
    value_y: int
    #: diagonal lines (x1, y1, x2, y2) that hatch the empty slot of a hidden value
    hatches: tuple[tuple[int, int, int, int], ...] = ()
    #: the label's language when it is not the page's (a name shown untranslated), else None
    label_language: str | None = None


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
            lines = ((y + BAR_HEIGHT - 3, value.label),)
            bar_y = y
        else:
            wrapped = label_lines(value.label)
            lines = tuple((y + LABEL_HEIGHT * (i + 1) - 4, line) for i, line in enumerate(wrapped))
            bar_y = y + LABEL_HEIGHT * len(wrapped)
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
                label=" ".join(line for _, line in lines),
                label_x=MARGIN if short else bar_x,
                label_lines=lines,
                bar_y=bar_y,
                width=width,
                hidden=hidden,
                value_text=value.text,
                value_x=bar_x + width + 6,
                value_y=bar_y + BAR_HEIGHT - 4,
                hatches=_hatches(bar_x, bar_y, width) if hidden else (),
                label_language=value.label.language if isinstance(value.label, Untranslated) else None,
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    hidden_count = sum(1 for value in values if value.value is None)
    parts = [
        ngettext("Bar chart with %(count)s bar.", "Bar chart with %(count)s bars.", len(values))
        % {"count": len(values)}
    ]
    if summary:
        parts.append(summary)
    if hidden_count:
        parts.append(
            ngettext(
                "%(count)s value is hidden to protect student privacy and drawn as an empty dashed box.",
                "%(count)s values are hidden to protect student privacy and drawn as an empty dashed box.",
                hidden_count,
            )
            % {"count": hidden_count}
        )
    parts.append(_("The table next to the chart gives every value as text."))
    return BarChart(
        id=chart_id,
        title=title,
        description=" ".join(parts),
        width=WIDTH,
        height=max(y - ROW_GAP + MARGIN, 2 * MARGIN + BAR_HEIGHT),
        bar_x=bar_x,
        bars=tuple(bars),
    )


def label_lines(label: str) -> list[str]:
    """``label`` on at most LABEL_LINES lines of LABEL_CHARS, the rest shortened with "…"
    (the table beside the chart gives it whole)."""
    lines = textwrap.wrap(label, LABEL_CHARS) or [label]
    if len(lines) > LABEL_LINES:
        rest = " ".join(lines[LABEL_LINES - 1 :])
        lines = [*lines[: LABEL_LINES - 1], textwrap.shorten(rest, LABEL_CHARS, placeholder="…")]
    return lines


def _hatches(x: int, y: int, width: int) -> tuple[tuple[int, int, int, int], ...]:
    step = BAR_HEIGHT - 2
    return tuple(
        (left, y + BAR_HEIGHT - 1, left + step, y + 1) for left in range(x + 2, x + width - step, step + 1)
    )
