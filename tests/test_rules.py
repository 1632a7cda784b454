"""The quality rating (SPEC 3.3) and pathway progress, as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder.catalog import load_catalog
from site_builder.catalog.models import Issuer, Occupation, Pathway
from site_builder.derive import derive
from site_builder.rules import quality
from site_builder.rules.pathways import pathway_progress, pathways_by_credential, stacked_from
from site_builder.rules.quality import CriterionResult, overall_rating

LIVING = Decimal("40000")


def occupation(soc: str = "15-1232", wage: int = 50000, in_demand: bool = True) -> Occupation:
    return Occupation(
        soc=soc,
        title=f"Job {soc}",
        median_wage_usd=Decimal(wage),
        wage_year=2024,
        in_demand=in_demand,
        source="t",
    )


def issuer(kind: str = "vendor", verification_url: str | None = None) -> Issuer:
    return Issuer(name="Issuer", url="https://issuer.example", kind=kind, verification_url=verification_url)


# --- each criterion, each outcome ---------------------------------------------------


def test_demand() -> None:
    assert quality.labor_market_demand([occupation(in_demand=False), occupation("15-1231")]).rating == "meets"
    assert quality.labor_market_demand([occupation(in_demand=False)]).rating == "partial"
    assert quality.labor_market_demand([]).rating == "does-not-meet"


def test_demand_evidence_names_the_in_demand_occupation() -> None:
    result = quality.labor_market_demand([occupation("15-1231"), occupation("15-1232", in_demand=False)])
    assert result.evidence == "In-demand occupation: Job 15-1231 (15-1231)."


@pytest.mark.parametrize(
    ("kind", "url", "rating"),
    [
        ("vendor", "https://verify.example", "meets"),
        ("government-licensing", "https://verify.example", "meets"),
        ("industry-association", None, "partial"),
        ("postsecondary", None, "partial"),
        ("other", "https://verify.example", "does-not-meet"),
        ("other", None, "does-not-meet"),
    ],
)
def test_verification(kind: str, url: str | None, rating: str) -> None:
    assert quality.third_party_verification(issuer(kind), url).rating == rating


@pytest.mark.parametrize(
    ("scope", "rating"),
    [("national", "meets"), ("multi-state", "meets"), ("state", "partial"), ("regional", "does-not-meet")],
)
def test_portability(scope: str, rating: str) -> None:
    assert quality.portability(scope).rating == rating


def test_postsecondary() -> None:
    assert quality.postsecondary_connection(3, []).rating == "meets"
    assert quality.postsecondary_connection(1, ["x"]).rating == "meets"
    assert quality.postsecondary_connection(0, ["x"]).rating == "partial"
    assert quality.postsecondary_connection(0, []).rating == "does-not-meet"


@pytest.mark.parametrize(
    ("wages", "rating"),
    [
        ([40000], "meets"),  # exactly the living wage meets
        ([20000, 45000], "meets"),  # the best linked wage counts
        ([30000], "partial"),  # exactly 75%
        ([39999], "partial"),
        ([29999], "does-not-meet"),
        ([], "does-not-meet"),
    ],
)
def test_wages(wages: list[int], rating: str) -> None:
    jobs = [occupation(f"11-{1000 + i}", wage) for i, wage in enumerate(wages)]
    assert quality.wages_and_advancement(jobs, LIVING).rating == rating


def test_wage_evidence_quotes_the_numbers() -> None:
    result = quality.wages_and_advancement([occupation(wage=31000)], LIVING)
    assert result.evidence == (
        "Best linked median wage $31,000 (Job 15-1232, 2024) is at least 75% of the living wage of $40,000."
    )


def test_evidence_is_a_message_and_its_values_for_the_site_to_translate() -> None:
    """The rules say no language: each evidence is the English sentence (as always) and the
    interface message it is made of, with the values a page formats in its own language."""
    result = quality.wages_and_advancement([occupation(wage=31000)], LIVING)
    evidence = result.evidence
    assert evidence.message == (
        "Best linked median wage %(wage)s (%(occupation)s, %(year)s) is at least %(share)s of the "
        "living wage of %(living_wage)s."
    )
    assert evidence.values == {
        "wage": Decimal(31000),
        "occupation": "Job 15-1232",
        "year": "2024",
        "share": Decimal("0.75"),
        "living_wage": LIVING,
    }
    assert isinstance(evidence.values["occupation"], quality.Name)
    assert isinstance(evidence.values["share"], quality.Share)
    kind = quality.third_party_verification(issuer(), None).evidence.values["kind"]
    assert (kind, type(kind)) == ("vendor", quality.Word)
    # it survives a trip to a worker process
    import pickle

    copy = pickle.loads(pickle.dumps(evidence))
    assert (copy, copy.message, copy.values) == (evidence, evidence.message, evidence.values)


# --- the overall rating -----------------------------------------------------------------


def results(meets: set[str]) -> list[CriterionResult]:
    return [CriterionResult(name, "meets" if name in meets else "partial", "") for name in quality.CRITERIA]


def test_overall_examples_from_the_spec() -> None:
    everything = set(quality.CRITERIA)
    assert overall_rating(results(everything)) == "High"
    assert overall_rating(results(everything - {quality.PORTABILITY})) == "High"
    assert overall_rating(results(everything - {quality.DEMAND})) == "Moderate"
    assert overall_rating(results(everything - {quality.WAGES})) == "Moderate"
    assert overall_rating(results({quality.DEMAND, quality.WAGES, quality.PORTABILITY})) == "Moderate"
    assert overall_rating(results({quality.DEMAND, quality.WAGES})) == "Limited"
    assert overall_rating(results(set())) == "Limited"


@given(st.sets(st.sampled_from(quality.CRITERIA)))
def test_overall_follows_the_count_of_meets(meets: set[str]) -> None:
    rating = overall_rating(results(meets))
    if len(meets) <= 2:
        assert rating == "Limited"
    elif len(meets) == 3:
        assert rating == "Moderate"
    elif len(meets) == 4:
        assert rating == ("High" if {quality.DEMAND, quality.WAGES} <= meets else "Moderate")
    else:
        assert rating == "High"


@given(st.sets(st.sampled_from(quality.CRITERIA)), st.sampled_from(quality.CRITERIA))
def test_meeting_one_more_criterion_never_lowers_the_rating(meets: set[str], extra: str) -> None:
    order = {"Limited": 0, "Moderate": 1, "High": 2}
    assert order[overall_rating(results(meets | {extra}))] >= order[overall_rating(results(meets))]


def test_rate_credential_uses_the_issuers_verification_page_as_fallback(small_catalog) -> None:
    catalog = load_catalog(small_catalog)
    rating = derive(catalog).quality["nurse-aide"]
    # nurse-aide has no verification_url of its own; its board has one
    assert rating.rating_of(quality.VERIFICATION) == "meets"
    assert [r.rating for r in rating.criteria] == ["meets", "meets", "partial", "does-not-meet", "partial"]
    assert rating.overall == "Limited"


# --- pathways ------------------------------------------------------------------------------


def test_pathway_progress_counts_points_in_the_pathways_field_only(small_catalog) -> None:
    catalog = load_catalog(small_catalog)
    pathway = Pathway(
        name="Mixed",
        career_field="it",
        summary="s",
        steps=[
            {"credentials": ["net-basics"]},
            {"credentials": ["nurse-aide"]},
            {"credentials": ["net-pro"]},
        ],
    )
    progress = pathway_progress(pathway, catalog.credentials, target=12)
    assert [(s.total_low, s.total_high) for s in progress.steps] == [(3, 3), (15, 15), (24, 24)]
    assert progress.goal_step == 2
    health = pathway.model_copy(update={"career_field": "health"})
    assert [s.total_low for s in pathway_progress(health, catalog.credentials, 12).steps] == [0, 12, 12]


def test_pathway_with_alternatives_reports_a_range(small_catalog) -> None:
    catalog = load_catalog(small_catalog)
    progress = pathway_progress(catalog.pathways["networking"], catalog.credentials, target=12)
    assert [(s.points_low, s.points_high) for s in progress.steps] == [(3, 3), (1, 9)]
    assert [(s.total_low, s.total_high) for s in progress.steps] == [(3, 3), (4, 12)]
    assert progress.goal_step is None  # the lowest choices never reach 12 ...
    assert progress.earliest_goal_step == 2  # ... but the best ones do at step 2


def test_stacking_in_both_directions(small_catalog) -> None:
    catalog = load_catalog(small_catalog)
    assert stacked_from(catalog.credentials)["net-pro"] == ["net-basics"]
    assert stacked_from(catalog.credentials)["net-basics"] == []
    assert pathways_by_credential(catalog.pathways) == {
        "net-basics": ["networking"],
        "net-pro": ["networking"],
        "club-coder": ["networking"],
    }
