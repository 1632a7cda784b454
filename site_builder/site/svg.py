"""The pathway diagram: every coordinate is computed here; the SVG template only draws them.

The drawing is laid out top to bottom, one step under another: the step's choices, each a box
as wide as the drawing, then the points earned so far as a bar with the goal marked on it.
It is as wide as a 320px phone's screen leaves for it (288 units), so that its text (12 units
and more, site.css .diagram) is at least 12px there; site.css enlarges it a little on a wide
screen.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from site_builder.rules.pathways import PathwayProgress
from site_builder.site.environment import number_range, points
from site_builder.site.i18n import _, active_language, default_language, ngettext

WIDTH = 288
MARGIN = 8
BOX_X = MARGIN
BOX_WIDTH = WIDTH - 2 * MARGIN
BAR_X = MARGIN
BAR_WIDTH = WIDTH - 2 * MARGIN
HEADER_HEIGHT = 28
STEP_LABEL_HEIGHT = 20
LINE_HEIGHT = 17
BOX_PADDING = 24
OR_GAP = 20
#: the points so far under the boxes: its text, then its bar, then the goal marker
TOTAL_GAP = 20
GOAL_GAP = 22
ARROW_GAP = 30
#: characters of a 14-unit bold name on one line of a box
CHARS_PER_LINE = 30
BAR_HEIGHT = 14


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    #: the credential name wrapped into at most two lines, with the y of each line
    lines: tuple[tuple[int, str], ...]
    points_y: int
    points_text: str
    #: y of the "or" label under this box, when another alternative follows
    or_y: int | None
    #: True when choosing this box gets the student to the goal at this step
    reaches_goal: bool


@dataclass(frozen=True)
class StepRow:
    number: int
    label_y: int
    boxes: tuple[Box, ...]
    bar_y: int
    bar_low_width: int
    bar_high_width: int
    total_text: str
    total_y: int
    #: "reached" (even the fewest-point choices reach the goal here), "possible", or None
    goal: str | None
    #: y of the goal marker under the bar (when ``goal``)
    goal_y: int


@dataclass(frozen=True)
class Arrow:
    x: int
    y1: int
    y2: int


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    rows: tuple[StepRow, ...]
    arrows: tuple[Arrow, ...]
    bar_x: int
    bar_width: int
    #: x of the goal on every bar, and the y of the goal's label above the steps
    goal_x: int
    goal_label_y: int
    target: int
    title: str
    description: str
    #: the language of the credential names in the boxes, when it is not the page's (SPEC 10:
    #: names are not translated), else None
    names_language: str | None = None


def wrap_name(name: str) -> list[str]:
    lines = textwrap.wrap(name, CHARS_PER_LINE) or [name]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), CHARS_PER_LINE, placeholder="…")]
    return lines


def pathway_diagram(
    name: str,
    progress: PathwayProgress,
    step_choices: list[list[tuple[str, int]]],
    goal_sentence: str,
) -> Diagram:
    """Lay out ``progress``; ``step_choices`` holds (credential name, points in the field) per step."""
    scale_max = max([progress.target, *(step.total_high for step in progress.steps)])

    def bar_width(total: int) -> int:
        return round(BAR_WIDTH * total / scale_max)

    rows: list[StepRow] = []
    arrows: list[Arrow] = []
    y = HEADER_HEIGHT
    for step, choices in zip(progress.steps, step_choices, strict=True):
        if rows:
            arrows.append(Arrow(BOX_X + BOX_WIDTH // 2, y - ARROW_GAP + 4, y - 2))
        label_y = y + 14
        y += STEP_LABEL_HEIGHT
        if step.goal_reached_here:
            goal = "reached"
        elif progress.goal_step is None and step.number == progress.earliest_goal_step:
            goal = "possible"
        else:
            goal = None
        boxes: list[Box] = []
        for index, (credential_name, credential_points) in enumerate(choices):
            lines = wrap_name(credential_name)
            height = LINE_HEIGHT * len(lines) + BOX_PADDING
            text_lines = tuple((y + 20 + LINE_HEIGHT * i, line) for i, line in enumerate(lines))
            last = index == len(choices) - 1
            boxes.append(
                Box(
                    x=BOX_X,
                    y=y,
                    width=BOX_WIDTH,
                    height=height,
                    lines=text_lines,
                    points_y=y + height - 8,
                    points_text=points(credential_points),
                    or_y=None if last else y + height + 15,
                    # "possible" is reached only with the highest-point choice of the step
                    reaches_goal=goal == "reached"
                    or (goal == "possible" and credential_points == step.points_high),
                )
            )
            y += height + (0 if last else OR_GAP)
        total_y = y + 16
        bar_y = y + TOTAL_GAP + 4
        y = bar_y + BAR_HEIGHT
        goal_y = y + 16
        if goal:
            y += GOAL_GAP
        total = _("%(total)s of %(target)s") % {
            "total": number_range(step.total_low, step.total_high),
            "target": progress.target,
        }
        rows.append(
            StepRow(
                number=step.number,
                label_y=label_y,
                boxes=tuple(boxes),
                bar_y=bar_y,
                bar_low_width=bar_width(step.total_low),
                bar_high_width=bar_width(step.total_high),
                total_text=total,
                total_y=total_y,
                goal=goal,
                goal_y=goal_y,
            )
        )
        y += ARROW_GAP
    height = y - ARROW_GAP + MARGIN
    steps = len(progress.steps)
    description = " ".join(
        (
            ngettext(
                "%(num)s step, top to bottom, with the points earned so far under it.",
                "%(num)s steps, top to bottom, with the points earned so far under each step.",
                steps,
            )
            % {"num": steps},
            goal_sentence,
            _("The numbered list of steps on this page gives the same information as text."),
        )
    )
    return Diagram(
        width=WIDTH,
        height=height,
        rows=tuple(rows),
        arrows=tuple(arrows),
        bar_x=BAR_X,
        bar_width=BAR_WIDTH,
        goal_x=BAR_X + bar_width(progress.target),
        goal_label_y=HEADER_HEIGHT - 10,
        target=progress.target,
        title=_("Diagram of the pathway %(name)s") % {"name": name},
        description=description,
        names_language=default_language() if active_language() != default_language() else None,
    )
