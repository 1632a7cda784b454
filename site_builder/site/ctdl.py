"""The catalog in CTDL, the Credential Transparency Description Language of the Credential
Registry (SPEC 9): pure functions from the catalog, what the site derives from it and the
statewide figures it publishes, to JSON-LD documents as dicts (``site.opendata`` writes them).

- one document per credential (``/data/credentials/<id>.jsonld``): the credential as its
  issuer awards it. The issuer owns it (``ceterms:ownedBy``), never the state; the agency that
  keeps the list approves it while it is on the list (``ceterms:approvedBy``);
- the list itself (``/data/ctdl/collection.jsonld``): a ``ceterms:Collection`` owned by the
  agency, with one dated ``ceterms:CollectionMember`` per credential ever on it. A credential's
  status in the list lives here, not in the credential's own lifecycle
  (``credentialStat:Deprecated`` would say that its issuer stopped awarding it);
- everything in one ``@graph`` (``/data/ctdl/graph.jsonld``) for bulk publishing, made from
  the same nodes as the single files.

Every term is checked against the shipped CTDL schema by the tests
(``site_builder.linkeddata.vocabulary``). A fact not yet documented (SPEC 8) is left out,
never given as null, and so is a CTID not yet assigned: a CTID is never made up here.
"""

from __future__ import annotations

import datetime as dt

from site_builder.catalog import Catalog
from site_builder.catalog.models import Agency, Credential, Issuer, Jurisdiction
from site_builder.derive import Derived
from site_builder.linkeddata.vocabulary import CTDL_CONTEXT_URL
from site_builder.reports.model import Statewide
from site_builder.site.environment import long_date
from site_builder.site.pages import canonical, credential_url
from site_builder.site.report_pages import report_url

CTDL_CONTEXT = CTDL_CONTEXT_URL
#: where a CTID's record lives in the Credential Registry
REGISTRY_RESOURCES = "https://credentialengineregistry.org/resources/"

DATA_URL = "/data/"
#: the folder of the per-credential documents under /data/ (SPEC 6)
CREDENTIALS_FOLDER = "credentials"
#: the list and the bulk file, under /data/ (SPEC 9)
COLLECTION_FILE = "ctdl/collection.jsonld"
GRAPH_FILE = "ctdl/graph.jsonld"

CREDENTIAL_TYPES = {
    "certification": "ceterms:Certification",
    "license": "ceterms:License",
    "certificate": "ceterms:Certificate",
    "badge": "ceterms:Badge",
}
SOC_FRAMEWORK = "https://www.bls.gov/soc/"
CIP_FRAMEWORK = "https://nces.ed.gov/ipeds/cipcode/"
CONCEPT_SCHEMES = "https://credreg.net/ctdl/terms/"
#: the country every list of this program is in (SPEC 1: a state's list)
COUNTRY = ("United States", "US")
#: a school year is named by the calendar year it ends in, and runs from July 1 to June 30
#: (the school year of most states' statutes and of federal reporting)
SCHOOL_YEAR_STARTS = (7, 1)

#: what a credential's status in the list says on its collection member
MEMBER_STATUS = {
    "approved": "On the list since {approved}.",
    "sunsetting": "On the list since {approved}; sunsetting: it leaves the list on {sunset}.",
    "retired": "Retired: it was on the list from {approved} until {sunset}.",
}
#: where employers recognize it (``portability``), in words on its jurisdiction profile
PORTABILITY = {
    "national": "Recognized by employers across the United States.",
    "multi-state": "Recognized by employers in more than one state.",
    "state": "Recognized by employers in {state}.",
    "regional": "Recognized by employers in a region of {state}.",
}


def credential_path(credential_id: str) -> str:
    """The URL path of a credential's CTDL document."""
    return f"{DATA_URL}{CREDENTIALS_FOLDER}/{credential_id}.jsonld"


def registry_resource(ctid: str) -> str:
    """The URL of a CTID's record in the Credential Registry."""
    return REGISTRY_RESOURCES + ctid


def language_tag(site_language: str) -> str:
    """The key of CTDL language maps: the site language, as spoken in the US when no region is given."""
    return site_language if "-" in site_language else f"{site_language}-US"


def school_year(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the school year named ``year`` (the year it ends in)."""
    month, day = SCHOOL_YEAR_STARTS
    start = dt.date(year - 1, month, day)
    return start, dt.date(year, month, day) - dt.timedelta(days=1)


class Words:
    """The parts every document is made of, in the site's language."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.lang = language_tag(catalog.site.language)

    def text(self, value: str | list[str]) -> dict:
        """A language map: the value (or values) in the site's language."""
        return {self.lang: value}

    def url(self, path: str) -> str:
        return canonical(self.catalog, path)

    def alignment(
        self,
        framework: str,
        framework_name: str,
        *,
        node: str | None = None,
        node_name: str | None = None,
        code: str | None = None,
    ) -> dict:
        """A ``ceterms:CredentialAlignmentObject``: a concept of a framework, by URI or code."""
        aligned = {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": framework,
            "ceterms:frameworkName": self.text(framework_name),
            "ceterms:targetNode": node,
            "ceterms:codedNotation": code,
            "ceterms:targetNodeName": self.text(node_name) if node_name is not None else None,
        }
        return {key: value for key, value in aligned.items() if value is not None}

    def concept(self, scheme: str, scheme_name: str, concept: str, concept_name: str) -> dict:
        """A concept of one of CTDL's own concept schemes (``audLevel:SecondaryLevel``)."""
        return self.alignment(CONCEPT_SCHEMES + scheme, scheme_name, node=concept, node_name=concept_name)

    def issuer(self, issuer: Issuer) -> dict:
        """The issuer as a ``ceterms:CredentialOrganization``; its Registry record when it has one."""
        node: dict = {"@type": "ceterms:CredentialOrganization", "ceterms:name": self.text(issuer.name)}
        if issuer.ctid is not None:
            node["@id"] = registry_resource(issuer.ctid)
            node["ceterms:ctid"] = issuer.ctid
        if issuer.url is not None:
            node["ceterms:subjectWebpage"] = issuer.url
        return node

    def agency(self, agency: Agency) -> dict:
        """The agency that keeps the list: a government body that approves credentials, which
        CTDL calls a quality-assurance organisation."""
        node: dict = {
            "@type": "ceterms:QACredentialOrganization",
            "ceterms:name": self.text(agency.name),
            "ceterms:subjectWebpage": agency.url,
            "ceterms:agentType": [
                self.concept(
                    "OrganizationType", "Organization Type", "orgType:Government", "Government Agency"
                )
            ],
        }
        if agency.ctid is not None:
            node["@id"] = registry_resource(agency.ctid)
            node["ceterms:ctid"] = agency.ctid
        return node

    def state(self, jurisdiction: Jurisdiction) -> dict:
        """The list's state as a ``ceterms:Place``, with its ISO 3166-2 code."""
        return {
            "@type": "ceterms:Place",
            "ceterms:name": self.text(jurisdiction.name),
            "ceterms:addressRegion": self.text(jurisdiction.name),
            "ceterms:addressCountry": self.text(jurisdiction.code.partition("-")[0]),
            "ceterms:identifier": [
                {
                    "@type": "ceterms:IdentifierValue",
                    "ceterms:identifierTypeName": self.text("ISO 3166-2"),
                    "ceterms:identifierValueCode": jurisdiction.code,
                }
            ],
        }

    def country(self) -> dict:
        name, code = COUNTRY
        return {
            "@type": "ceterms:Place",
            "ceterms:name": self.text(name),
            "ceterms:addressCountry": self.text(code),
        }

    def jurisdiction(self, place: dict, description: str | None = None) -> dict:
        profile = {"@type": "ceterms:JurisdictionProfile", "ceterms:mainJurisdiction": [place]}
        if description is not None:
            profile["ceterms:description"] = self.text(description)
        return profile


# --- a credential -------------------------------------------------------------------------------


def credential_node(
    catalog: Catalog, derived: Derived, statewide: Statewide | None, credential_id: str
) -> dict:
    """The credential in CTDL, without ``@context`` (``credential_document`` adds it; the graph
    holds it as it is); its ``@id`` is the URL of its document."""
    words = Words(catalog)
    credential: Credential = catalog.credentials[credential_id]
    issuer = catalog.issuers[credential.issuer]
    site = catalog.site
    page = words.url(credential_url(credential_id))
    node: dict = {
        "@id": words.url(credential_path(credential_id)),
        # a credential whose type is not yet documented is a credential of no narrower class
        "@type": CREDENTIAL_TYPES.get(credential.type, "ceterms:Credential"),
        "ceterms:name": words.text(credential.name),
        "ceterms:subjectWebpage": page,
        "ceterms:inLanguage": [site.language],
        "ceterms:ownedBy": [words.issuer(issuer)],
        "ceterms:dateEffective": credential.approved.isoformat(),
        "ceterms:audienceLevelType": [
            words.concept(
                "AudienceLevel", "Audience Level", "audLevel:SecondaryLevel", "Secondary School or Equivalent"
            )
        ],
    }
    if credential.ctid is not None:
        node["ceterms:ctid"] = credential.ctid
    if credential.registry_ctid is not None:
        node["ceterms:sameAs"] = [registry_resource(credential.registry_ctid)]
    if credential.summary is not None:
        node["ceterms:description"] = words.text(credential.summary)
    # the list's approval holds while the credential is on it; its dates are on the list
    if site.agency is not None and credential.status != "retired":
        node["ceterms:approvedBy"] = [words.agency(site.agency)]
    node.update(_recognized_in(words, credential))
    node.update(_requirements(words, credential))
    node.update(_upkeep(words, credential))
    node.update(_verification(words, credential, issuer, node["@id"]))
    node.update(_cost(words, credential, page))
    node.update(_alignments(words, catalog, credential))
    node.update(_stacking(words, derived, credential))
    aggregate = aggregate_data(words, statewide, credential_id)
    if aggregate:
        node["ceterms:aggregateData"] = aggregate
    return node


def credential_document(
    catalog: Catalog, derived: Derived, statewide: Statewide | None, credential_id: str
) -> dict:
    """The credential's own file: its node with the CTDL context."""
    return {"@context": CTDL_CONTEXT, **credential_node(catalog, derived, statewide, credential_id)}


def _recognized_in(words: Words, credential: Credential) -> dict:
    """Where employers recognize it: the country for a national or multi-state credential, the
    list's state for a state or regional one (left out where the state is not configured)."""
    state = words.catalog.site.jurisdiction
    if credential.portability in ("national", "multi-state"):
        place = words.country()
    elif credential.portability in ("state", "regional") and state is not None:
        place = words.state(state)
    else:
        return {}
    description = PORTABILITY[credential.portability].format(state=state.name if state else "")
    return {"ceterms:jurisdiction": [words.jurisdiction(place, description)]}


def _stated(text: str | None) -> bool:
    """Whether a documented text says something: 'None' states that there is nothing."""
    return text is not None and text.strip().rstrip(".").casefold() != "none"


def _requirements(words: Words, credential: Credential) -> dict:
    """What it takes to earn it, as one condition profile (CTDL reads several profiles of the
    same property as alternatives): the assessment, the prerequisites, the competencies."""
    conditions = []
    if _stated(credential.assessment):
        conditions.append(f"Assessment: {credential.assessment}")
    if _stated(credential.prerequisites):
        conditions.append(f"Prerequisites: {credential.prerequisites}")
    competencies = list(credential.certifies or ())
    if not conditions and not competencies:
        return {}
    profile: dict = {
        "@type": "ceterms:ConditionProfile",
        "ceterms:name": words.text("Requirements to earn it"),
        "ceterms:description": words.text(
            "What a candidate must do to earn this credential"
            + (", and the competencies it certifies." if competencies else ".")
        ),
    }
    if conditions:
        profile["ceterms:condition"] = words.text(conditions)
    if competencies:
        profile["ceterms:targetCompetency"] = [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": words.text(competency)}
            for competency in competencies
        ]
    return {"ceterms:requires": [profile]}


def _upkeep(words: Words, credential: Credential) -> dict:
    """How long it lasts and how a holder renews it."""
    upkeep: dict = {}
    if credential.valid_years is not None:
        upkeep["ceterms:renewalFrequency"] = f"P{credential.valid_years}Y"
    if credential.renewal is not None:
        upkeep["ceterms:renewal"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:name": words.text("Renewal"),
                "ceterms:description": words.text(credential.renewal),
            }
        ]
    return upkeep


def _verification(words: Words, credential: Credential, issuer: Issuer, document_id: str) -> dict:
    """Where an employer verifies a holder: the credential's own service, else its issuer's."""
    url = credential.verification_url or issuer.verification_url
    if url is None:
        return {}
    return {
        "ceterms:usesVerificationService": [
            {
                "@type": "ceterms:VerificationServiceProfile",
                "ceterms:description": words.text(
                    "Where an employer can check that a person holds this credential."
                ),
                "ceterms:verificationService": url,
                "ceterms:offeredBy": [words.issuer(issuer)],
                "ceterms:targetCredential": [document_id],
            }
        ]
    }


def _cost(words: Words, credential: Credential, page: str) -> dict:
    """The exam fee, when known: the direct cost of the assessment a candidate takes."""
    fee = credential.exam_fee_usd
    if fee is None:
        return {}
    return {
        "ceterms:estimatedCost": [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:name": words.text("Exam fee"),
                "ceterms:description": words.text("The fee for taking the exam that awards the credential."),
                "ceterms:costDetails": page,
                "ceterms:directCostType": [
                    words.concept(
                        "CostType",
                        "Cost Type",
                        "costType:StandaloneAssessment",
                        "Standalone/Extra Assessment",
                    )
                ],
                # a fee is in whole cents (the model checks): whole dollars as an integer
                "ceterms:price": int(fee) if fee == fee.to_integral_value() else float(fee),
                "ceterms:currency": "USD",
            }
        ]
    }


def _alignments(words: Words, catalog: Catalog, credential: Credential) -> dict:
    """The jobs it leads to (SOC) and the instructional programs that lead to it (CIP)."""
    aligned: dict = {}
    occupations = [catalog.occupations[soc] for soc in credential.occupations or ()]
    if occupations:
        aligned["ceterms:occupationType"] = [
            words.alignment(
                SOC_FRAMEWORK,
                "Standard Occupational Classification",
                code=occupation.soc,
                node_name=occupation.title,
            )
            for occupation in occupations
        ]
    if credential.cip_codes:
        aligned["ceterms:instructionalProgramType"] = [
            words.alignment(CIP_FRAMEWORK, "Classification of Instructional Programs", code=code)
            for code in credential.cip_codes
        ]
    return aligned


def _stacking(words: Words, derived: Derived, credential: Credential) -> dict:
    """What it prepares for and what prepares for it (``stacks_to``, both ways)."""
    stacking: dict = {}
    if credential.stacks_to:
        stacking["ceterms:isPreparationFor"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": words.text("Earning this credential prepares for these credentials."),
                "ceterms:targetCredential": [words.url(credential_path(key)) for key in credential.stacks_to],
            }
        ]
    earlier = derived.stacked_from.get(credential.id, [])
    if earlier:
        stacking["ceterms:preparationFrom"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": words.text("These credentials prepare for this one."),
                "ceterms:targetCredential": [words.url(credential_path(key)) for key in earlier],
            }
        ]
    return stacking


def aggregate_data(words: Words, statewide: Statewide | None, credential_id: str) -> list[dict]:
    """One ``ceterms:AggregateDataProfile`` per year whose statewide count of the credential is
    published on the site (its report page): a hidden count has no value to give, and a year no
    school reported it is left out, as the credential page shows no number for it."""
    if statewide is None:
        return []
    state = words.catalog.site.jurisdiction
    where = state.name if state is not None else "the state"
    profiles = []
    for year in sorted(statewide.years):
        earned = statewide.by_credential.get(year, {}).get(credential_id)
        if earned is None or earned.value is None:
            continue
        first, last = school_year(year)
        profile = {
            "@type": "ceterms:AggregateDataProfile",
            "ceterms:name": words.text(f"Earned in {where} in the {year - 1}–{year % 100:02d} school year"),
            "ceterms:description": words.text(
                f"Students in {where} who earned this credential in the school year from "
                f"{long_date(first)} to {long_date(last)}, as published in the statewide report."
            ),
            "ceterms:numberAwarded": earned.value,
            "ceterms:source": words.url(report_url(year)),
            "ceterms:dateEffective": first.isoformat(),
            "ceterms:expirationDate": last.isoformat(),
        }
        if state is not None:
            profile["ceterms:jurisdiction"] = [words.jurisdiction(words.state(state))]
        profiles.append(profile)
    return profiles


# --- the list -----------------------------------------------------------------------------------


def collection_node(catalog: Catalog) -> dict:
    """The list as a ``ceterms:Collection``, without ``@context``: one member per credential
    (every status, so that its history is kept), pointing at the credential's document."""
    words = Words(catalog)
    site = catalog.site
    node: dict = {
        "@id": words.url(DATA_URL + COLLECTION_FILE),
        "@type": "ceterms:Collection",
        "ceterms:name": words.text(site.title),
        "ceterms:description": words.text(site.description),
        "ceterms:subjectWebpage": words.url("/"),
        "ceterms:inLanguage": [site.language],
        "ceterms:collectionType": [
            words.concept(
                "CollectionCategory",
                "Collection Category",
                "collectionCategory:IndustryRecognized",
                "Industry Recognized",
            )
        ],
        "ceterms:hasMember": [
            collection_member(words, catalog.credentials[key]) for key in sorted(catalog.credentials)
        ],
    }
    if site.ctid is not None:
        node["ceterms:ctid"] = site.ctid
    if site.agency is not None:
        node["ceterms:ownedBy"] = [words.agency(site.agency)]
    return node


def collection_member(words: Words, credential: Credential) -> dict:
    """A credential's place in the list: from its approval to its sunset, with its status in words."""
    member = {
        "@type": "ceterms:CollectionMember",
        "ceterms:name": words.text(credential.name),
        "ceterms:description": words.text(
            MEMBER_STATUS[credential.status].format(
                approved=long_date(credential.approved), sunset=long_date(credential.sunset)
            )
        ),
        "ceterms:proxyFor": words.url(credential_path(credential.id)),
        "ceterms:startDate": credential.approved.isoformat(),
    }
    if credential.sunset is not None:
        member["ceterms:endDate"] = credential.sunset.isoformat()
    return member


def collection_document(catalog: Catalog) -> dict:
    return {"@context": CTDL_CONTEXT, **collection_node(catalog)}


def graph_document(catalog: Catalog, credential_nodes: list[dict]) -> dict:
    """The collection and every credential in one ``@graph``, for bulk publishing; the
    credential nodes are the ones of the single files (``credential_node``)."""
    return {"@context": CTDL_CONTEXT, "@graph": [collection_node(catalog), *credential_nodes]}
