"""Random small states' attainment systems, built as the build builds them (for the
protection tests: ``test_certificates``, ``test_flows``)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from site_builder.outcomes import Attainment, Claim, School
from site_builder.protection.privacy import TableSystem
from site_builder.reports.systems import attainment_system

FIELDS = ("health", "trades")
counts = st.one_of(st.integers(1, 9), st.integers(1, 9), st.integers(10, 40))


@st.composite
def attainment(draw, with_claims: bool = True, programs: bool = False) -> TableSystem:
    """A small state: 2 to 3 districts of 1 to 3 schools, 3 to 5 credentials in 2 fields."""
    schools = {}
    for district in range(draw(st.integers(2, 3))):
        for number in range(draw(st.integers(1, 3))):
            school_id = f"s{district}{number}"
            schools[school_id] = School(school_id, school_id, f"d{district}", f"d{district}", "c")
    credentials = [f"c{n}" for n in range(draw(st.integers(3, 5)))]
    primary_field = {c: FIELDS[n % 2] for n, c in enumerate(credentials)}
    # a program's members: the credentials a school may claim for (all, without programs)
    claimable = credentials[: draw(st.integers(1, len(credentials)))] if programs else credentials
    rows, claims = [], []
    for school_id in schools:
        for credential_id in credentials:
            if draw(st.booleans()) or credential_id == credentials[0]:
                earned = draw(counts)
                rows.append(Attainment(2025, school_id, credential_id, earned))
                if with_claims and credential_id in claimable and draw(st.booleans()):
                    count = draw(st.integers(1, earned))
                    claims.append(Claim(2025, "fees", school_id, credential_id, count, Decimal(count * 100)))
    members = {"fees": claimable} if programs else None
    return attainment_system(rows, claims, schools, primary_field, members)
