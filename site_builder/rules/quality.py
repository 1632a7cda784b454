"""Quality ratings (SPEC 3.3): five criteria from the structured fields, and an overall rating.

Each criterion returns the rating *and* the evidence that decided it, because the
credential page must show families why a credential got its rating.

A fact the catalog does not document yet (SPEC 8) arrives as None: the criterion it decides
reads "not enough evidence", and the overall rating is "Not yet rated" until every criterion
has its evidence. An explicit empty list (``occupations: []``) is evidence: there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from site_builder.catalog.models import Credential, Issuer, Occupation

Rating = Literal["meets", "partial", "does-not-meet", "not-enough-evidence"]
Overall = Literal["High", "Moderate", "Limited", "Not yet rated"]

NO_EVIDENCE: Rating = "not-enough-evidence"
NOT_RATED: Overall = "Not yet rated"

DEMAND = "labor-market demand"
VERIFICATION = "third-party verification"
PORTABILITY = "portability"
POSTSECONDARY = "postsecondary connection"
WAGES = "wages and advancement"
CRITERIA = (DEMAND, VERIFICATION, PORTABILITY, POSTSECONDARY, WAGES)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's rating and the plain-language evidence behind it."""

    criterion: str
    rating: Rating
    evidence: str


@dataclass(frozen=True)
class QualityRating:
    """All five criteria, in SPEC order, and the overall rating they add up to."""

    criteria: tuple[CriterionResult, ...]
    overall: Overall

    def rating_of(self, criterion: str) -> Rating:
        return next(result.rating for result in self.criteria if result.criterion == criterion)


def labor_market_demand(occupations: Sequence[Occupation] | None) -> CriterionResult:
    """meets: a linked occupation is in demand; partial: linked, none in demand; else does-not-meet."""
    if occupations is None:
        return CriterionResult(DEMAND, NO_EVIDENCE, "The jobs it leads to are not yet documented.")
    in_demand = [occupation for occupation in occupations if occupation.in_demand]
    if in_demand:
        names = ", ".join(f"{o.title} ({o.soc})" for o in in_demand)
        return CriterionResult(DEMAND, "meets", f"In-demand occupation: {names}.")
    if occupations:
        return CriterionResult(DEMAND, "partial", "Linked to occupations, but none is flagged as in demand.")
    return CriterionResult(DEMAND, "does-not-meet", "No occupation is linked to this credential.")


def third_party_verification(issuer: Issuer, verification_url: str | None) -> CriterionResult:
    """meets: issuer kind not 'other' and a verification url; partial: no url; does-not-meet: kind 'other'."""
    if issuer.kind is None:
        return CriterionResult(
            VERIFICATION, NO_EVIDENCE, f"What kind of organisation {issuer.name} is, is not yet documented."
        )
    if issuer.kind == "other":
        return CriterionResult(
            VERIFICATION, "does-not-meet", f"{issuer.name} is not an independent third party."
        )
    if verification_url:
        return CriterionResult(
            VERIFICATION,
            "meets",
            f"Issued by {issuer.name} ({issuer.kind}); employers can verify holders online.",
        )
    return CriterionResult(
        VERIFICATION,
        "partial",
        f"Issued by {issuer.name} ({issuer.kind}), but there is no public way to verify holders.",
    )


def portability(scope: str | None) -> CriterionResult:
    """meets: national or multi-state; partial: state; does-not-meet: regional."""
    if scope is None:
        return CriterionResult(
            PORTABILITY, NO_EVIDENCE, "Where employers recognize it is not yet documented."
        )
    if scope == "national":
        return CriterionResult(PORTABILITY, "meets", "Recognized by employers across the country.")
    if scope == "multi-state":
        return CriterionResult(PORTABILITY, "meets", "Recognized in several states.")
    if scope == "state":
        return CriterionResult(PORTABILITY, "partial", "Recognized in this state only.")
    return CriterionResult(PORTABILITY, "does-not-meet", "Recognized only in one region.")


def postsecondary_connection(
    college_credit_hours: int | None, stacks_to: Sequence[str] | None
) -> CriterionResult:
    """meets: college credit hours > 0; partial: stacks to another credential; else does-not-meet."""
    if college_credit_hours is None:
        return CriterionResult(
            POSTSECONDARY, NO_EVIDENCE, "The college credit it earns is not yet documented."
        )
    if college_credit_hours > 0:
        hours = "hour" if college_credit_hours == 1 else "hours"
        return CriterionResult(
            POSTSECONDARY, "meets", f"Worth {college_credit_hours} college credit {hours}."
        )
    if stacks_to:
        further = "another credential" if len(stacks_to) == 1 else f"{len(stacks_to)} further credentials"
        return CriterionResult(POSTSECONDARY, "partial", f"No college credit, but it prepares for {further}.")
    if stacks_to is None:
        return CriterionResult(
            POSTSECONDARY,
            NO_EVIDENCE,
            "No college credit; the credentials it prepares for are not yet documented.",
        )
    return CriterionResult(POSTSECONDARY, "does-not-meet", "No college credit and no further credential.")


def wages_and_advancement(occupations: Sequence[Occupation] | None, living_wage: Decimal) -> CriterionResult:
    """meets: best linked median wage >= living wage; partial: >= 75% of it; else does-not-meet."""
    if occupations is None:
        return CriterionResult(
            WAGES, NO_EVIDENCE, "The jobs it leads to are not yet documented, so no wage evidence yet."
        )
    if not occupations:
        return CriterionResult(WAGES, "does-not-meet", "No linked occupation, so no wage evidence.")
    best = max(occupations, key=lambda occupation: (occupation.median_wage_usd, occupation.soc))
    wage = f"${best.median_wage_usd:,.0f}"
    living = f"${living_wage:,.0f}"
    detail = f"Best linked median wage {wage} ({best.title}, {best.wage_year})"
    if best.median_wage_usd >= living_wage:
        return CriterionResult(WAGES, "meets", f"{detail} is at or above the living wage of {living}.")
    if best.median_wage_usd * 4 >= living_wage * 3:
        return CriterionResult(WAGES, "partial", f"{detail} is at least 75% of the living wage of {living}.")
    return CriterionResult(WAGES, "does-not-meet", f"{detail} is below 75% of the living wage of {living}.")


def overall_rating(criteria: Sequence[CriterionResult]) -> Overall:
    """Not yet rated while a criterion lacks evidence; then High: 5 meets, or 4 with demand and
    wages among them; Moderate: 3+ meets; else Limited."""
    if any(result.rating == NO_EVIDENCE for result in criteria):
        return NOT_RATED
    meets = {result.criterion for result in criteria if result.rating == "meets"}
    if len(meets) == 5 or (len(meets) == 4 and {DEMAND, WAGES} <= meets):
        return "High"
    if len(meets) >= 3:
        return "Moderate"
    return "Limited"


def rate_credential(
    credential: Credential, issuer: Issuer, occupations: Sequence[Occupation] | None, living_wage: Decimal
) -> QualityRating:
    """The full quality rating of one credential; ``occupations`` is None when they are not yet documented."""
    criteria = (
        labor_market_demand(occupations),
        # The credential's own verification page wins; the issuer's general one also counts.
        third_party_verification(issuer, credential.verification_url or issuer.verification_url),
        portability(credential.portability),
        postsecondary_connection(credential.college_credit_hours, credential.stacks_to),
        wages_and_advancement(occupations, living_wage),
    )
    return QualityRating(criteria=criteria, overall=overall_rating(criteria))
