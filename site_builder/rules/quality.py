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
from site_builder.phrases import N_, Phrase

Rating = Literal["meets", "partial", "does-not-meet", "not-enough-evidence"]
Overall = Literal["High", "Moderate", "Limited", "Not yet rated"]

NO_EVIDENCE: Rating = "not-enough-evidence"
NOT_RATED: Overall = "Not yet rated"


DEMAND = N_("labor-market demand")
VERIFICATION = N_("third-party verification")
PORTABILITY = N_("portability")
POSTSECONDARY = N_("postsecondary connection")
WAGES = N_("wages and advancement")
CRITERIA = (DEMAND, VERIFICATION, PORTABILITY, POSTSECONDARY, WAGES)


class Name(str):
    """A name in the evidence (an issuer's, an occupation's title): shown as the catalog writes
    it, in the catalog's language, whatever the page's."""


class Word(str):
    """One of the catalog's fixed words in the evidence (an issuer's kind: ``vendor``), which
    a page shows in its own language."""


class Share(Decimal):
    """A share of 1 in the evidence (0.75), which a page shows as a percentage (75%)."""


#: a value of the evidence: a catalog text (``Name``), a fixed word (``Word``), a share
#: (``Share``), whole dollars (Decimal), a count (int), the occupations as (title, SOC code)
#: pairs, or any other text (a year) shown as it is
Value = str | Decimal | int | tuple[tuple[Name, str], ...]

#: the share of the living wage that a partial wage rating needs
PARTIAL_WAGE = Share("0.75")


class Evidence(Phrase):
    """The evidence behind a rating: the English sentence (the ``str`` itself, as the rules
    always wrote it) and what it is made of, so that a page of another language can say it
    in its own words (``phrases.Phrase``; the wording lives here, in the rules, marked with
    ``N_``; the site formats the values: ``site.environment.evidence``)."""

    values: dict[str, Value]

    @classmethod
    def english(cls, value: object) -> object:
        return _english(value)


def _english(value: Value) -> str:
    if isinstance(value, Share):
        return f"{value * 100:,.0f}%"
    if isinstance(value, Decimal):
        return f"${value:,.0f}"
    if isinstance(value, tuple):
        return ", ".join(f"{title} ({soc})" for title, soc in value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's rating and the plain-language evidence behind it."""

    criterion: str
    rating: Rating
    evidence: str  # an Evidence: the English sentence, and what a page needs to translate it


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
        return CriterionResult(
            DEMAND, NO_EVIDENCE, Evidence(N_("The jobs it leads to are not yet documented."))
        )
    in_demand = [occupation for occupation in occupations if occupation.in_demand]
    if in_demand:
        jobs = tuple((Name(o.title), o.soc) for o in in_demand)
        return CriterionResult(
            DEMAND, "meets", Evidence(N_("In-demand occupation: %(occupations)s."), occupations=jobs)
        )
    if occupations:
        return CriterionResult(
            DEMAND, "partial", Evidence(N_("Linked to occupations, but none is flagged as in demand."))
        )
    return CriterionResult(
        DEMAND, "does-not-meet", Evidence(N_("No occupation is linked to this credential."))
    )


def third_party_verification(issuer: Issuer, verification_url: str | None) -> CriterionResult:
    """meets: issuer kind not 'other' and a verification url; partial: no url; does-not-meet: kind 'other'."""
    name = Name(issuer.name)
    if issuer.kind is None:
        return CriterionResult(
            VERIFICATION,
            NO_EVIDENCE,
            Evidence(N_("What kind of organization %(issuer)s is, is not yet documented."), issuer=name),
        )
    if issuer.kind == "other":
        return CriterionResult(
            VERIFICATION,
            "does-not-meet",
            Evidence(N_("%(issuer)s is not an independent third party."), issuer=name),
        )
    kind = Word(issuer.kind)
    if verification_url:
        return CriterionResult(
            VERIFICATION,
            "meets",
            Evidence(
                N_("Issued by %(issuer)s (%(kind)s); employers can verify holders online."),
                issuer=name,
                kind=kind,
            ),
        )
    return CriterionResult(
        VERIFICATION,
        "partial",
        Evidence(
            N_("Issued by %(issuer)s (%(kind)s), but there is no public way to verify holders."),
            issuer=name,
            kind=kind,
        ),
    )


def portability(scope: str | None) -> CriterionResult:
    """meets: national or multi-state; partial: state; does-not-meet: regional."""
    if scope is None:
        return CriterionResult(
            PORTABILITY, NO_EVIDENCE, Evidence(N_("Where employers recognize it is not yet documented."))
        )
    if scope == "national":
        return CriterionResult(
            PORTABILITY, "meets", Evidence(N_("Recognized by employers across the country."))
        )
    if scope == "multi-state":
        return CriterionResult(PORTABILITY, "meets", Evidence(N_("Recognized in several states.")))
    if scope == "state":
        return CriterionResult(PORTABILITY, "partial", Evidence(N_("Recognized in this state only.")))
    return CriterionResult(PORTABILITY, "does-not-meet", Evidence(N_("Recognized only in one region.")))


def postsecondary_connection(
    college_credit_hours: int | None, stacks_to: Sequence[str] | None
) -> CriterionResult:
    """meets: college credit hours > 0; partial: stacks to another credential; else does-not-meet."""
    if college_credit_hours is None:
        return CriterionResult(
            POSTSECONDARY, NO_EVIDENCE, Evidence(N_("The college credit it earns is not yet documented."))
        )
    # one message per English plural form (the marker has no plural): a language with more
    # forms than "one" and "other" would want ngettext here
    if college_credit_hours > 0:
        worth = (
            N_("Worth %(count)s college credit hour.")
            if college_credit_hours == 1
            else N_("Worth %(count)s college credit hours.")
        )
        return CriterionResult(POSTSECONDARY, "meets", Evidence(worth, count=college_credit_hours))
    if stacks_to:
        further = (
            Evidence(N_("No college credit, but it prepares for another credential."))
            if len(stacks_to) == 1
            else Evidence(
                N_("No college credit, but it prepares for %(count)s further credentials."),
                count=len(stacks_to),
            )
        )
        return CriterionResult(POSTSECONDARY, "partial", further)
    if stacks_to is None:
        return CriterionResult(
            POSTSECONDARY,
            NO_EVIDENCE,
            Evidence(N_("No college credit; the credentials it prepares for are not yet documented.")),
        )
    return CriterionResult(
        POSTSECONDARY, "does-not-meet", Evidence(N_("No college credit and no further credential."))
    )


def wages_and_advancement(occupations: Sequence[Occupation] | None, living_wage: Decimal) -> CriterionResult:
    """meets: best linked median wage >= living wage; partial: >= 75% of it; else does-not-meet."""
    if occupations is None:
        return CriterionResult(
            WAGES,
            NO_EVIDENCE,
            Evidence(N_("The jobs it leads to are not yet documented, so no wage evidence yet.")),
        )
    if not occupations:
        return CriterionResult(
            WAGES, "does-not-meet", Evidence(N_("No linked occupation, so no wage evidence."))
        )
    best = max(occupations, key=lambda occupation: (occupation.median_wage_usd, occupation.soc))
    values: dict[str, Value] = {
        "wage": Decimal(best.median_wage_usd),
        "occupation": Name(best.title),
        "year": str(best.wage_year),
        "share": PARTIAL_WAGE,
        "living_wage": Decimal(living_wage),
    }
    if best.median_wage_usd >= living_wage:
        message = N_(
            "Best linked median wage %(wage)s (%(occupation)s, %(year)s) is at or above the living wage of %(living_wage)s."
        )
        return CriterionResult(WAGES, "meets", Evidence(message, **values))
    if best.median_wage_usd >= living_wage * PARTIAL_WAGE:
        message = N_(
            "Best linked median wage %(wage)s (%(occupation)s, %(year)s) is at least %(share)s of the living wage of %(living_wage)s."
        )
        return CriterionResult(WAGES, "partial", Evidence(message, **values))
    message = N_(
        "Best linked median wage %(wage)s (%(occupation)s, %(year)s) is below %(share)s of the living wage of %(living_wage)s."
    )
    return CriterionResult(WAGES, "does-not-meet", Evidence(message, **values))


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
