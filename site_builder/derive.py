"""Everything the site shows that is computed from the catalog rather than written in it."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.catalog.models import Credential, Occupation
from site_builder.rules.pathways import (
    PathwayProgress,
    pathway_progress,
    pathways_by_credential,
    stacked_from,
)
from site_builder.rules.quality import QualityRating, rate_credential


@dataclass(frozen=True)
class Derived:
    """Computed facts, keyed by credential or pathway id."""

    quality: dict[str, QualityRating]
    stacked_from: dict[str, list[str]]
    pathways_of: dict[str, list[str]]
    progress: dict[str, PathwayProgress]
    #: credential ids per career field, highest points first, then by name
    credentials_by_field: dict[str, list[str]]
    #: pathway ids per career field
    pathways_by_field: dict[str, list[str]]


def linked_occupations(catalog: Catalog, credential: Credential) -> list[Occupation] | None:
    """The credential's occupations, or None while its file does not document them."""
    if credential.occupations is None:
        return None
    return [catalog.occupations[soc] for soc in credential.occupations]


def quality_ratings(catalog: Catalog) -> dict[str, QualityRating]:
    """Every credential's quality rating (SPEC 3.3), by credential id."""
    return {
        key: rate_credential(
            credential,
            catalog.issuers[credential.issuer],
            linked_occupations(catalog, credential),
            catalog.site.living_wage_usd,
        )
        for key, credential in catalog.credentials.items()
    }


def derive(catalog: Catalog) -> Derived:
    """Quality ratings, stacking in both directions and pathway progress for the catalog."""
    quality = quality_ratings(catalog)
    by_field: dict[str, list[str]] = {field_id: [] for field_id in catalog.career_fields}
    for key, credential in catalog.credentials.items():
        for field_id in credential.career_fields:
            by_field[field_id].append(key)
    for ids in by_field.values():
        ids.sort(
            key=lambda key: (-catalog.credentials[key].points, catalog.credentials[key].name.lower(), key)
        )
    pathways_by_field: dict[str, list[str]] = {field_id: [] for field_id in catalog.career_fields}
    for key, pathway in catalog.pathways.items():
        pathways_by_field[pathway.career_field].append(key)
    return Derived(
        quality=quality,
        stacked_from=stacked_from(catalog.credentials),
        pathways_of=pathways_by_credential(catalog.pathways),
        progress={
            key: pathway_progress(pathway, catalog.credentials, catalog.site.points_target)
            for key, pathway in catalog.pathways.items()
        },
        credentials_by_field=by_field,
        pathways_by_field=pathways_by_field,
    )
