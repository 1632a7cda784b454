"""Stackable pathways: cumulative points step by step, and where the goal is reached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.catalog.models import Credential, Pathway


@dataclass(frozen=True)
class StepProgress:
    """One pathway step: its alternatives and the running points after it."""

    number: int
    credential_ids: tuple[str, ...]
    #: points this step adds in the pathway's field: fewest and most among the alternatives
    points_low: int
    points_high: int
    #: cumulative points after this step, choosing the fewest / most points at every step
    total_low: int
    total_high: int
    #: True on the first step where even the lowest-point choices reach the target
    goal_reached_here: bool


@dataclass(frozen=True)
class PathwayProgress:
    steps: tuple[StepProgress, ...]
    target: int
    #: 1-based number of the step where the goal is certainly reached, or None
    goal_step: int | None
    #: 1-based number of the first step where the goal can be reached with the best choices
    earliest_goal_step: int | None


def points_in_field(credential: Credential, career_field: str) -> int:
    """Points count toward the goal only inside one career field the credential belongs to."""
    return credential.points if career_field in credential.career_fields else 0


def pathway_progress(pathway: Pathway, credentials: Mapping[str, Credential], target: int) -> PathwayProgress:
    """Cumulative points along ``pathway`` toward ``target`` within its career field."""
    steps: list[StepProgress] = []
    total_low = total_high = 0
    goal_step = earliest = None
    for number, step in enumerate(pathway.steps, start=1):
        points = [points_in_field(credentials[cid], pathway.career_field) for cid in step.credentials]
        total_low += min(points)
        total_high += max(points)
        reached = goal_step is None and total_low >= target
        if reached:
            goal_step = number
        if earliest is None and total_high >= target:
            earliest = number
        steps.append(
            StepProgress(
                number, tuple(step.credentials), min(points), max(points), total_low, total_high, reached
            )
        )
    return PathwayProgress(tuple(steps), target, goal_step, earliest)


def stacked_from(credentials: Mapping[str, Credential]) -> dict[str, list[str]]:
    """For each credential, the credentials that stack to it (sorted ids)."""
    sources: dict[str, list[str]] = {key: [] for key in credentials}
    for key in sorted(credentials):
        for target in credentials[key].stacks_to or ():
            sources[target].append(key)
    return sources


def pathways_by_credential(pathways: Mapping[str, Pathway]) -> dict[str, list[str]]:
    """For each credential id, the ids of pathways that include it (sorted)."""
    found: dict[str, list[str]] = {}
    for pathway_id in sorted(pathways):
        members: Sequence[str] = [cid for step in pathways[pathway_id].steps for cid in step.credentials]
        for credential_id in dict.fromkeys(members):
            found.setdefault(credential_id, []).append(pathway_id)
    return found
