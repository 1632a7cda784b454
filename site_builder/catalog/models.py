"""The catalog's file formats as Pydantic models: one model per kind of file.

The models are the schema. Field descriptions double as the contributor reference
(and as the JSON Schema editors can use), so keep them in plain words.

Repeated list items are found by ``checks`` on the raw data, not here: a validator on
the whole list only runs once every item is valid, and would hide the repeat otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from babel import Locale, UnknownLocaleError
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from site_builder.errors import excerpt

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SOC_PATTERN = r"^\d{2}-\d{4}$"
CIP_PATTERN = r"^\d{2}\.\d{4}$"
#: a state's own code for a credential: it may name the credential in outcome files, filters
#: and paths, so it is plain: letters, digits and '_', '.' or '-' inside, at most 32 characters
STATE_CODE_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9])?$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
#: a Credential Transparency Identifier (SPEC 9): 'ce-' and a UUID in lowercase hexadecimal
CTID_PATTERN = r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#: a language of the pages: an ISO 639-1 code, with a region if needed ('es', 'es-MX')
LANGUAGE_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"
#: a licence of the published data: an SPDX identifier such as CC-BY-4.0 or CC0-1.0
LICENSE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_iso_date(value: object) -> object:
    """Accept only ``YYYY-MM-DD`` text: YAML numbers or other spellings are mistakes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"is not a real date ({exc})") from None


_LEADING_ZEROS = re.compile(r"^[-+]?0[0-9]+(\.[0-9]*)?$")


def _no_leading_zeros(value: object) -> object:
    """YAML 1.1 read ``012`` as octal 10; the loader keeps it as text, rejected here in words."""
    if isinstance(value, str) and _LEADING_ZEROS.match(value):
        raise ValueError(f"must be a plain number without leading zeros (got {excerpt(value)})")
    return value


def _money(value: object) -> object:
    """Dollars as an exact Decimal in whole cents; a YAML number, never text.

    Strict mode would refuse a float, and lax mode would accept ``'253'``: this accepts
    numbers only, and ``-0`` as 0.
    """
    _no_leading_zeros(value)
    if isinstance(value, Decimal):
        amount, shown = value, str(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount, shown = Decimal(str(value)), repr(value)
    else:
        raise ValueError(f"must be a number (got {excerpt(value)})")
    if not amount.is_finite():
        raise ValueError(f"must be a number (got {shown})")
    if amount.normalize().as_tuple().exponent < -2:
        raise ValueError(f"must be whole cents (got {shown})")
    return abs(amount) if amount == 0 else amount


def known_language(code: str) -> bool:
    """Whether ``code`` names a language Babel knows ('es', 'es-MX'; not 'sp')."""
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


IsoDate = Annotated[dt.date, BeforeValidator(_parse_iso_date)]
Money = Annotated[Decimal, BeforeValidator(_money)]
WholeNumber = Annotated[int, BeforeValidator(_no_leading_zeros)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Url = Annotated[str, Field(pattern=URL_PATTERN)]
SocCode = Annotated[str, Field(pattern=SOC_PATTERN)]
CipCode = Annotated[str, Field(pattern=CIP_PATTERN)]
StateCode = Annotated[str, Field(pattern=STATE_CODE_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Ctid = Annotated[str, Field(pattern=CTID_PATTERN)]
Language = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


ProgramKind = Literal["fee-reimbursement", "flat-incentive", "list", "tiers"]


class Program(_Strict):
    """One entry of `programs:` in `catalog/site.yml`: a program credentials can qualify for."""

    id: Slug = Field(description="Stable id, a lowercase slug; claims.csv names it in its `program` column.")
    name: Text = Field(description="Name shown on the credential pages, e.g. Exam-fee reimbursement.")
    kind: ProgramKind = Field(
        description="fee-reimbursement (pays actual exam fees), flat-incentive (a fixed amount per "
        "credential), list (a list credentials are on) or tiers (credentials sit in tiers)."
    )
    description: Text = Field(description="One or two plain sentences on what the program does.")
    url: Url | None = Field(default=None, description="Where the program's rules are published.")


class Agency(_Strict):
    """`agency:` in `catalog/site.yml`: the public body that keeps the list (SPEC 9).

    In the linked data it owns the list (the CTDL collection), approves the credentials on it,
    and publishes to the Credential Registry under its own Registry organisation.
    """

    name: Text = Field(description="The agency's name, e.g. Ohio Department of Education and Workforce.")
    url: Url = Field(description="Its home page.")
    ctid: Ctid | None = Field(
        default=None,
        description="Its Registry organisation's CTID (ce- and a UUID), from its Credential Engine "
        "publisher account; needed to publish to the Registry.",
    )


class Jurisdiction(_Strict):
    """`jurisdiction:` in `catalog/site.yml`: the state (or territory) the list applies to."""

    name: Text = Field(description="Its name, e.g. Ohio.")
    code: str = Field(
        pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
        description="Its ISO 3166-2 code, e.g. US-OH.",
    )


class SiteConfig(_Strict):
    """`catalog/site.yml`: settings of the program the site describes."""

    @model_validator(mode="before")
    @classmethod
    def _default_language(cls, data: object) -> object:
        """``language`` is the first of ``languages`` when only ``languages`` is given."""
        if isinstance(data, dict) and "language" not in data:
            languages = data.get("languages")
            if isinstance(languages, list) and languages and isinstance(languages[0], str):
                return {**data, "language": languages[0]}
        return data

    title: Text = Field(description="Site title, shown in every page header.")
    description: Text = Field(description="One or two sentences on what the site is.")
    base_url: Url = Field(description="Public address of the site, used for canonical links.")
    language: Language = Field(
        default="en",
        description="Page language, when the site has one; with `languages`, leave it out (it is the first).",
    )
    languages: Annotated[list[Language], Field(min_length=1)] | None = Field(
        default=None,
        description="The languages of the pages, the default first, e.g. [en, es]: each other language "
        "gets the same pages under /<lang>/. Translations sit beside the texts: "
        "`catalog/credentials/<id>.<lang>.md`, `{en: ..., es: ...}` maps in YAML, `content/<page>.<lang>.md`.",
    )
    points_target: WholeNumber = Field(
        default=12, ge=1, le=100, description="Points a student needs in one career field."
    )
    min_cell: WholeNumber = Field(default=10, ge=1, description="Smallest count ever published (privacy).")
    living_wage_usd: Money = Field(gt=0, description="Annual wage that counts as a living wage.")
    current_year: WholeNumber = Field(ge=2000, le=2100, description="The program year the site reports on.")
    repository_url: Url | None = Field(default=None, description="Where the catalog's Git repository lives.")
    sample_notice: str | None = Field(
        default=None, description="Shown on every page when the data is a sample."
    )
    programs: list[Program] = Field(
        default_factory=list,
        description="Programs credentials can qualify for (each credential lists its own); when any "
        "is defined, every claims.csv row must name a credential that belongs to its program.",
    )
    # linked data and open data (SPEC 9)
    agency: Agency | None = Field(
        default=None,
        description="The public body that keeps the list: it owns the list and approves its "
        "credentials in the linked data.",
    )
    jurisdiction: Jurisdiction | None = Field(
        default=None, description="The state the list applies to: where its counts are from."
    )
    ctid: Ctid | None = Field(
        default=None,
        description="The CTID of the list itself (the CTDL collection of its credentials): written "
        "once by `credsite ctid --assign`, never changed after.",
    )
    data_license: str = Field(
        default="CC-BY-4.0",
        pattern=LICENSE_PATTERN,
        description="SPDX identifier of the licence of the published data (default CC-BY-4.0).",
    )
    contact_email: str | None = Field(
        default=None,
        # the address part DCAT-US allows in contactPoint.hasEmail ("mailto:" + this)
        pattern=r"^[\w~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+$",
        description="Where to write about the published data, e.g. data@education.example.gov: the "
        "contact point of /data.json, which DCAT-US catalogs (data.gov) require.",
    )

    @field_validator("languages")
    @classmethod
    def _languages_known_and_once(cls, languages: list[str] | None, info: ValidationInfo) -> list[str] | None:
        for code in languages or ():
            if not known_language(code):
                raise ValueError(f"'{code}' is not a language code (ISO 639-1, like 'es' or 'es-MX')")
        repeated = sorted({code for code in languages or () if languages.count(code) > 1})  # type: ignore[union-attr]
        if repeated:
            raise ValueError(f"'{repeated[0]}' is listed twice")
        language = info.data.get("language")
        if languages and language is not None and language != languages[0]:
            raise ValueError(f"must start with language '{language}' (the default), or leave language out")
        return languages

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The languages of the pages, the default first (``languages``, or ``language`` alone)."""
        return tuple(self.languages) if self.languages else (self.language,)


class CareerField(_Strict):
    """One entry of `catalog/career-fields.yml`."""

    id: Slug = Field(description="Stable id, a lowercase slug.")
    name: Text = Field(
        description="Name shown to families; in several languages, a map: {en: Health Science, es: ...}."
    )
    description: Text = Field(
        description="One or two plain sentences; in several languages, a map like `name`."
    )


IssuerKind = Literal["industry-association", "vendor", "government-licensing", "postsecondary", "other"]


class Issuer(_Strict):
    """`catalog/issuers/<id>.yml`: an organisation that awards credentials."""

    name: Text = Field(description="The organisation's name.")
    # facts (ISSUER_FACTS) may be left out until someone documents them; then they are None
    url: Url = Field(default=None, description="Its home page; leave out until known.")
    kind: IssuerKind = Field(default=None, description="What kind of body it is; leave out until known.")
    verification_url: Url | None = Field(default=None, description="Where anyone can verify a holder.")
    ctid: Ctid | None = Field(
        default=None,
        description="The CTID of its own organisation record in the Credential Registry, when it has one.",
    )

    def missing_facts(self) -> tuple[str, ...]:
        """The facts of ``ISSUER_FACTS`` this issuer's file leaves out."""
        return tuple(fact for fact in ISSUER_FACTS if fact not in self.model_fields_set)


#: What an issuer file may leave out until someone documents it (SPEC 8): all but its name.
ISSUER_FACTS = ("url", "kind")


class Occupation(_Strict):
    """One row of `catalog/occupations.csv`."""

    soc: SocCode
    title: Text
    median_wage_usd: Decimal
    wage_year: int
    in_demand: bool
    source: str


CredentialType = Literal["certification", "license", "certificate", "badge"]
Status = Literal["approved", "sunsetting", "retired"]
Portability = Literal["national", "multi-state", "state", "regional"]


class Membership(_Strict):
    """One entry of a credential's `programs:`: a program it qualifies for."""

    program: Slug = Field(description="Id of a program defined in `catalog/site.yml`.")
    tier: Text | None = Field(default=None, description="Its tier or level in the program, if any.")
    amount_usd: Money | None = Field(
        default=None, ge=0, description="What the program pays or gives for it, in dollars, if fixed."
    )
    first_year: WholeNumber | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="First school year it belongs (named by the calendar year the year ends in); "
        "empty = since the start.",
    )
    last_year: WholeNumber | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="Last school year it belongs; empty = still does. Claims of other years are refused.",
    )

    @model_validator(mode="after")
    def _years_in_order(self) -> Membership:
        if self.first_year is not None and self.last_year is not None and self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        return self


class Credential(_Strict):
    """Front matter of `catalog/credentials/<id>.md`; the Markdown body follows it.

    Only the list facts (id, name, issuer, career_fields, points, status, approved, and sunset
    unless approved) are required. Every fact of ``FACTS`` may be left out of the file until
    someone documents it: the attribute is then None, and ``missing_facts`` names it. Where null
    means something (``exam_fee_usd: null`` = unknown fee, ``valid_years: null`` = never expires,
    ``occupations: []`` = no linked job) the file says so explicitly, which documents the fact.
    """

    id: Slug = Field(description="Equals the file name without `.md`.")
    name: Text = Field(description="The credential's official name.")
    issuer: Slug = Field(description="Id of a file in `catalog/issuers/`.")
    type: CredentialType = Field(default=None, description="certification, license, certificate or badge.")
    career_fields: Annotated[list[Slug], Field(min_length=1)] = Field(
        description="Career field ids, each once; the first is the primary field."
    )
    points: WholeNumber = Field(ge=1, le=12, description="Points toward the goal, 1 to 12.")
    status: Status = Field(description="approved, sunsetting or retired.")
    approved: IsoDate = Field(description="Date the credential was added to the list.")
    sunset: IsoDate | None = Field(
        default=None, description="Date it leaves the list; required unless approved."
    )
    summary: Text = Field(default=None, description="One plain-language sentence for families.")
    certifies: Annotated[list[Text], Field(min_length=1)] = Field(
        default=None, description="Competencies, for employers."
    )
    assessment: Text = Field(default=None, description="How candidates are assessed.")
    prerequisites: Text = Field(default=None, description="What a candidate needs first, or `None`.")
    exam_fee_usd: Money | None = Field(
        default=None, ge=0, description="Exam fee in dollars, or null when unknown."
    )
    valid_years: WholeNumber | None = Field(
        default=None, ge=1, description="Years the credential stays valid; null = never expires."
    )
    renewal: Text = Field(default=None, description="How a holder renews it.")
    verification_url: Url | None = Field(default=None, description="How an employer verifies a holder.")
    portability: Portability = Field(default=None, description="national, multi-state, state or regional.")
    college_credit_hours: WholeNumber = Field(
        default=None, ge=0, description="College credit hours it earns; 0 when none."
    )
    occupations: list[SocCode] = Field(
        default=None, description="SOC codes of linked jobs, each once; [] when none."
    )
    stacks_to: list[Slug] = Field(
        default=None, description="Credentials this one prepares for, each once; [] when none."
    )
    sources: Annotated[list[Url], Field(min_length=1)] = Field(
        default=None, description="Where the facts come from."
    )
    last_reviewed: IsoDate = Field(default=None, description="When the facts were last checked.")
    # crosswalks and programs (SPEC 8): optional, and never a missing fact
    state_code: StateCode | None = Field(
        default=None,
        description="The id the state's reporting system uses, unique in the catalog; outcome files "
        "may name the credential by it. Letters, digits and '_', '.' or '-' inside, at most 32 characters.",
    )
    cip_codes: list[CipCode] = Field(
        default_factory=list,
        description="CIP codes (NN.NNNN) of the instructional programs that lead to it, each once.",
    )
    programs: list[Membership] = Field(
        default_factory=list,
        description="Programs of `catalog/site.yml` it qualifies for, each once, with its tier or amount.",
    )
    # identifiers in the Credential Registry (SPEC 9): never a missing fact either
    ctid: Ctid | None = Field(
        default=None,
        description="Its CTID (ce- and a UUID): written once by `credsite ctid --assign`, never "
        "changed after, kept when the file is renamed; unique in the catalog.",
    )
    registry_ctid: Ctid | None = Field(
        default=None,
        description="The CTID of the issuer's own record of this credential in the Credential "
        "Registry, when it has one.",
    )

    def missing_facts(self) -> tuple[str, ...]:
        """The facts of ``FACTS`` this credential's file leaves out, in ``FACTS`` order."""
        return tuple(fact for fact in FACTS if fact not in self.model_fields_set)

    def documented(self, fact: str) -> bool:
        """Whether the file states ``fact`` (null included, where null has a meaning)."""
        return fact in self.model_fields_set


#: What a credential file may leave out until someone documents it (SPEC 8): every field but
#: the list facts and the optional extras (``verification_url``, crosswalks, memberships).
FACTS = (
    "type",
    "summary",
    "certifies",
    "assessment",
    "prerequisites",
    "exam_fee_usd",
    "valid_years",
    "renewal",
    "portability",
    "college_credit_hours",
    "occupations",
    "stacks_to",
    "sources",
    "last_reviewed",
)


class PathwayStep(_Strict):
    """One step of a pathway: any one of these credentials completes it."""

    credentials: Annotated[list[Slug], Field(min_length=1)] = Field(
        description="Alternative credential ids for this step, each once in the whole pathway."
    )


class Pathway(_Strict):
    """`catalog/pathways/<id>.yml`: a named stackable pathway."""

    name: Text = Field(description="Pathway name; in several languages, a map: {en: ..., es: ...}.")
    career_field: Slug = Field(description="Career field id.")
    summary: Text = Field(
        description="One or two sentences on where it leads; in several languages, a map like `name`."
    )
    steps: Annotated[list[PathwayStep], Field(min_length=1)] = Field(description="Ordered steps.")
