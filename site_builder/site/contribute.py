"""/contribute/: the work queue of facts the catalog does not document yet (SPEC 8).

A state's list arrives with its list facts only (name, issuer, career fields, points, status,
dates); everything else is documented later, one pull request at a time. This page says, per
credential and issuer, which facts are still missing, links to the file to edit, counts how
many credentials miss each fact, and puts the credentials students earn most first, so the
work that helps most families is done first.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.catalog.models import FACTS, ISSUER_FACTS, SiteConfig
from site_builder.reports.model import Statewide
from site_builder.reports.published import Count
from site_builder.site.pages import CONTRIBUTE_PATH, Link, Page, contribute_anchor, credential_link

#: what each fact is, in words, beside the key a contributor adds to the file
FACT_LABELS = {
    "type": "certification, license, certificate or badge",
    "summary": "one plain sentence for families",
    "certifies": "the competencies it certifies",
    "assessment": "how candidates are assessed",
    "prerequisites": "what a candidate needs first",
    "exam_fee_usd": "the exam fee (null when unknown)",
    "valid_years": "years it stays valid (null when it does not expire)",
    "renewal": "how a holder renews it",
    "portability": "where employers recognize it",
    "college_credit_hours": "college credit hours (0 when none)",
    "occupations": "SOC codes of the jobs it leads to ([] when none)",
    "stacks_to": "credentials it prepares for ([] when none)",
    "sources": "where the facts come from",
    "last_reviewed": "when the facts were last checked",
}
ISSUER_FACT_LABELS = {"url": "the organisation's home page", "kind": "what kind of organisation it is"}

#: the branch a pull request edits (SPEC: every merge to main is published)
BRANCH = "main"


@dataclass(frozen=True)
class QueueEntry:
    """One file with facts still to document."""

    #: HTML id of its row, so a credential page can link straight to it
    anchor: str
    link: Link | None
    name: str
    #: the file, as a path in the repository
    path: str
    #: the keys it leaves out, in the model's order
    missing: tuple[str, ...]
    #: where to edit the file on the repository; None without ``repository_url``
    edit_url: str | None
    #: students who earned it statewide in the latest report year (published value), if any
    earned: Count | None = None


@dataclass(frozen=True)
class FactCount:
    key: str
    label: str
    missing: int


def edit_url(site: SiteConfig, path: str) -> str | None:
    """The repository's page that edits ``path`` on the main branch (GitHub's form), or None
    when ``site.yml`` names no repository."""
    if site.repository_url is None:
        return None
    return f"{site.repository_url.rstrip('/')}/edit/{BRANCH}/{path}"


def earned_order(earned: Count | None, name: str, key: str) -> tuple:
    """Most earned first: published counts, largest first; then hidden counts (their size is not
    published, so they are not guessed at); then credentials no school reported; by name within."""
    if earned is None:
        rank: tuple = (2, 0)
    elif earned.value is None:
        rank = (1, 0)
    else:
        rank = (0, -earned.value)
    return (*rank, name.casefold(), key)


def credential_queue(catalog: Catalog, statewide: Statewide | None) -> tuple[list[QueueEntry], int | None]:
    """Every credential with a missing fact, most earned first; and the year the counts are of
    (None without reports, when the queue is by name)."""
    latest = max(statewide.years) if statewide is not None and statewide.years else None
    earned_in_latest = statewide.by_credential.get(latest, {}) if statewide is not None and latest else {}
    entries = []
    for key, credential in catalog.credentials.items():
        missing = credential.missing_facts()
        if not missing:
            continue
        path = f"catalog/credentials/{key}.md"
        entries.append(
            QueueEntry(
                anchor=contribute_anchor(key),
                link=credential_link(catalog, key),
                name=credential.name,
                path=path,
                missing=missing,
                edit_url=edit_url(catalog.site, path),
                earned=earned_in_latest.get(key),
            )
        )
    entries.sort(key=lambda entry: earned_order(entry.earned, entry.name, entry.anchor))
    return entries, latest


def issuer_queue(catalog: Catalog) -> list[QueueEntry]:
    """Every issuer with a missing fact, by name."""
    entries = []
    for key, issuer in catalog.issuers.items():
        missing = issuer.missing_facts()
        if missing:
            path = f"catalog/issuers/{key}.yml"
            entries.append(
                QueueEntry(f"issuer-{key}", None, issuer.name, path, missing, edit_url(catalog.site, path))
            )
    return sorted(entries, key=lambda entry: (entry.name.casefold(), entry.anchor))


def fact_counts(catalog: Catalog) -> list[FactCount]:
    """How many credentials leave out each fact, in the model's order (zeros included)."""
    missing = [credential.missing_facts() for credential in catalog.credentials.values()]
    return [
        FactCount(fact, FACT_LABELS[fact], sum(1 for facts in missing if fact in facts)) for fact in FACTS
    ]


def issuer_fact_counts(catalog: Catalog) -> list[FactCount]:
    missing = [issuer.missing_facts() for issuer in catalog.issuers.values()]
    return [
        FactCount(fact, ISSUER_FACT_LABELS[fact], sum(1 for facts in missing if fact in facts))
        for fact in ISSUER_FACTS
    ]


def contribute_page(catalog: Catalog, statewide: Statewide | None = None) -> Page:
    credentials, year = credential_queue(catalog, statewide)
    issuers = issuer_queue(catalog)
    return Page(
        path=CONTRIBUTE_PATH,
        template="contribute.html",
        title="Help document the catalog",
        description="Which facts about each credential are not yet documented, and how to add them.",
        context={
            "credentials": credentials,
            "issuers": issuers,
            "year": year,
            "counts": fact_counts(catalog),
            "issuer_counts": issuer_fact_counts(catalog),
            "total": len(catalog.credentials),
            "documented": len(catalog.credentials) - len(credentials),
            "repository_url": catalog.site.repository_url,
        },
    )
