"""schema.org JSON-LD for credential pages, serialised so it can never close its script element."""

from __future__ import annotations

import json
from decimal import Decimal

from markupsafe import Markup

from site_builder.catalog.models import Agency, Credential, Issuer, Occupation

SOC_CODE_SET = {
    "@type": "CategoryCodeSet",
    "name": "Standard Occupational Classification (SOC)",
    "url": "https://www.bls.gov/soc/",
}


def script_safe_json(data: object) -> Markup:
    """Sorted JSON with <, > and & escaped, so text such as '</script>' stays inert inside <script>."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def price_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def credential_jsonld(
    credential: Credential,
    issuer: Issuer,
    occupations: list[Occupation],
    url: str,
    agency: Agency | None = None,
) -> dict:
    """An ``EducationalOccupationalCredential`` describing one credential; a fact the catalog
    does not document yet (SPEC 8) is left out, never given as null.

    The issuer provides it; the state agency that keeps the list (``agency``, site.yml)
    recognizes it while it is on the list (approved or sunsetting), as the CTDL documents say."""
    provider = {"@type": "Organization", "name": issuer.name, "url": issuer.url}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "name": credential.name,
        "description": credential.summary,
        "url": url,
        "credentialCategory": credential.type,
        "provider": {key: value for key, value in provider.items() if value is not None},
        "competencyRequired": list(credential.certifies) if credential.certifies is not None else None,
    }
    data = {key: value for key, value in data.items() if value is not None}
    if agency is not None and credential.status != "retired":
        data["recognizedBy"] = {"@type": "GovernmentOrganization", "name": agency.name, "url": agency.url}
    if occupations:
        data["occupationalCategory"] = [
            {
                "@type": "CategoryCode",
                "codeValue": occupation.soc,
                "name": occupation.title,
                "inCodeSet": SOC_CODE_SET,
            }
            for occupation in occupations
        ]
    if credential.exam_fee_usd is not None:
        data["offers"] = {
            "@type": "Offer",
            "category": "Exam fee",
            "price": price_text(credential.exam_fee_usd),
            "priceCurrency": "USD",
        }
    if credential.valid_years is not None:
        data["validFor"] = f"P{credential.valid_years}Y"
    return data
