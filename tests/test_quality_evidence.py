"""Quality criteria whose evidence is not yet documented (SPEC 8), as pure functions.

A fact the catalog leaves out arrives as None: its criterion reads "not enough evidence", and
the overall rating is "Not yet rated" while any criterion does. An explicit empty list is
evidence (there is none), not a missing fact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from site_builder.catalog.models import Credential, Issuer, Occupation
from site_builder.rules import quality
from site_builder.rules.quality import CRITERIA, NO_EVIDENCE, NOT_RATED, CriterionResult, overall_rating

LIVING = Decimal("40000")
JOB = Occupation(
    soc="15-1232",
    title="Help desk",
    median_wage_usd=Decimal(50000),
    wage_year=2024,
    in_demand=True,
    source="t",
)


def test_demand_without_documented_occupations() -> None:
    result = quality.labor_market_demand(None)
    assert (result.rating, result.evidence) == (NO_EVIDENCE, "The jobs it leads to are not yet documented.")
    assert quality.labor_market_demand([]).rating == "does-not-meet"


def test_wages_without_documented_occupations() -> None:
    result = quality.wages_and_advancement(None, LIVING)
    assert (result.rating, result.evidence) == (
        NO_EVIDENCE,
        "The jobs it leads to are not yet documented, so no wage evidence yet.",
    )
    assert quality.wages_and_advancement([], LIVING).rating == "does-not-meet"


def test_verification_without_the_issuer_kind() -> None:
    result = quality.third_party_verification(Issuer(name="NetCo"), "https://verify.example")
    assert (result.rating, result.evidence) == (
        NO_EVIDENCE,
        "What kind of organization NetCo is, is not yet documented.",
    )


def test_portability_not_documented() -> None:
    result = quality.portability(None)
    assert (result.rating, result.evidence) == (
        NO_EVIDENCE,
        "Where employers recognize it is not yet documented.",
    )


def test_postsecondary_connection_with_missing_facts() -> None:
    no_hours = quality.postsecondary_connection(None, ["next"])
    assert (no_hours.rating, no_hours.evidence) == (
        NO_EVIDENCE,
        "The college credit it earns is not yet documented.",
    )
    no_stacking = quality.postsecondary_connection(0, None)
    assert (no_stacking.rating, no_stacking.evidence) == (
        NO_EVIDENCE,
        "No college credit; the credentials it prepares for are not yet documented.",
    )
    # credit hours decide it alone, whatever is missing of stacking
    assert quality.postsecondary_connection(3, None).rating == "meets"
    assert quality.postsecondary_connection(0, ["next"]).rating == "partial"
    assert quality.postsecondary_connection(0, []).rating == "does-not-meet"


RATINGS = st.sampled_from(["meets", "partial", "does-not-meet", NO_EVIDENCE])


@given(st.lists(RATINGS, min_size=5, max_size=5))
def test_overall_is_not_yet_rated_exactly_when_a_criterion_lacks_evidence(ratings: list[str]) -> None:
    criteria = [CriterionResult(name, rating, "") for name, rating in zip(CRITERIA, ratings, strict=True)]
    overall = overall_rating(criteria)
    assert (overall == NOT_RATED) == (NO_EVIDENCE in ratings)
    if NO_EVIDENCE not in ratings:
        assert overall in ("High", "Moderate", "Limited")


FACT_VALUES = {
    "occupations": st.sampled_from([None, [], ["15-1232"]]),
    "stacks_to": st.sampled_from([None, [], ["next"]]),
    "college_credit_hours": st.sampled_from([None, 0, 3]),
    "portability": st.sampled_from([None, "national", "state", "regional"]),
}


@given(st.fixed_dictionaries(FACT_VALUES), st.sampled_from([None, "vendor", "other"]))
def test_a_credential_is_rated_once_every_deciding_fact_is_documented(facts: dict, kind: str | None) -> None:
    given_facts = {key: value for key, value in facts.items() if value is not None}
    credential = Credential.model_validate(
        {
            "id": "c",
            "name": "C",
            "issuer": "i",
            "career_fields": ["it"],
            "points": 3,
            "status": "approved",
            "approved": dt.date(2020, 7, 1),
            **given_facts,
        }
    )
    issuer = Issuer.model_validate({"name": "I", **({"kind": kind} if kind else {})})
    linked = None if credential.occupations is None else [JOB for _ in credential.occupations]
    rating = quality.rate_credential(credential, issuer, linked, LIVING)
    lacking = {result.criterion for result in rating.criteria if result.rating == NO_EVIDENCE}
    expected = set()
    if facts["occupations"] is None:
        expected |= {quality.DEMAND, quality.WAGES}
    if kind is None:
        expected.add(quality.VERIFICATION)
    if facts["portability"] is None:
        expected.add(quality.PORTABILITY)
    hours, stacks = facts["college_credit_hours"], facts["stacks_to"]
    if hours is None or (hours == 0 and stacks is None):
        expected.add(quality.POSTSECONDARY)
    assert lacking == expected
    assert (rating.overall == NOT_RATED) == bool(expected)
