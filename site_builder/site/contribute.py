"""/contribute/: the work queue of facts the catalog does not document yet (SPEC 8).

A state's list arrives with its list facts only (name, issuer, career fields, points, status,
dates); everything else is documented later, one pull request at a time. This page says, per
credential and issuer, which facts are still missing, links to the file to edit, counts how
many credentials miss each fact, and puts the credentials students earn most first, so the
work that helps most families is done first.

On a site of several languages (SPEC 10) it also lists, per language, the texts not yet
translated: per credential, which of its texts (``translations.TRANSLATED_FIELDS`` and its
description) have no translation in ``<id>.<lang>.md``; then the site settings', funding
programs', career fields', pathways' and content pages' texts. Never an error: the pages show
the default language's text meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.catalog.models import FACTS, ISSUER_FACTS, SiteConfig
from site_builder.catalog.translations import MAP_FIELDS, missing_translations
from site_builder.content import ContentSource
from site_builder.phrases import N_
from site_builder.reports.model import Statewide
from site_builder.reports.published import Count
from site_builder.site.i18n import _, language_name_in
from site_builder.site.pages import CONTRIBUTE_PATH, Link, Page, contribute_anchor, credential_link

#: what each fact is, in words, beside the key a contributor adds to the file
FACT_LABELS = {
    "type": N_("certification, license, certificate or badge"),
    "summary": N_("one plain sentence for families"),
    "certifies": N_("the competencies it certifies"),
    "assessment": N_("how candidates are assessed"),
    "prerequisites": N_("what a candidate needs first"),
    "exam_fee_usd": N_("the exam fee (null when unknown)"),
    "valid_years": N_("years it stays valid (null when it does not expire)"),
    "renewal": N_("how a holder renews it"),
    "portability": N_("where employers recognize it"),
    "college_credit_hours": N_("college credit hours (0 when none)"),
    "occupations": N_("SOC codes of the jobs it leads to ([] when none)"),
    "stacks_to": N_("credentials it prepares for ([] when none)"),
    "sources": N_("where the facts come from"),
    "last_reviewed": N_("when the facts were last checked"),
}
ISSUER_FACT_LABELS = {
    "url": N_("the organization's home page"),
    "kind": N_("what kind of organization it is"),
}

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
        FactCount(fact, _(FACT_LABELS[fact]), sum(1 for facts in missing if fact in facts)) for fact in FACTS
    ]


def issuer_fact_counts(catalog: Catalog) -> list[FactCount]:
    missing = [issuer.missing_facts() for issuer in catalog.issuers.values()]
    return [
        FactCount(fact, _(ISSUER_FACT_LABELS[fact]), sum(1 for facts in missing if fact in facts))
        for fact in ISSUER_FACTS
    ]


@dataclass(frozen=True)
class TranslationEntry:
    """A file (or an entry of one) with texts not yet translated into a language."""

    #: the credential's link, for a credential file
    link: Link | None
    #: what the texts are of, for the other files ("Health Science")
    name: str
    path: str
    missing: tuple[str, ...]
    #: where to edit (or, for a credential's translation not yet begun, create) the file
    edit_url: str | None


@dataclass(frozen=True)
class MissingTranslations:
    """What is not yet translated into one of the site's other languages."""

    language: str
    #: the language's name in the page's language ("Spanish", "español")
    name: str
    credentials: list[TranslationEntry]
    #: site settings, funding programs, career fields, pathways and content pages
    others: list[TranslationEntry]
    #: credentials with every text translated
    translated: int


def new_file_url(site: SiteConfig, path: str) -> str | None:
    """The repository's page that creates ``path`` on the main branch (GitHub's form)."""
    if site.repository_url is None:
        return None
    folder, _, name = path.rpartition("/")
    return f"{site.repository_url.rstrip('/')}/new/{BRANCH}/{folder}?filename={name}"


def missing_translation_lists(
    catalog: Catalog, content: list[ContentSource] | None = None
) -> list[MissingTranslations]:
    """For each language but the default, the texts not yet translated into it."""
    lists = []
    texts = catalog.translations
    for language in catalog.languages[1:]:
        credentials = []
        for key in sorted(
            catalog.credentials, key=lambda key: (catalog.credentials[key].name.casefold(), key)
        ):
            translation = texts.credentials.get(language, {}).get(key)
            missing = missing_translations(
                catalog.credentials[key],
                catalog.bodies.get(key, ""),
                translation,
                texts.bodies.get(language, {}).get(key),
            )
            if missing:
                path = f"catalog/credentials/{key}.{language}.md"
                link = credential_link(catalog, key)
                make = edit_url if translation is not None else new_file_url
                credentials.append(TranslationEntry(link, link.text, path, missing, make(catalog.site, path)))
        others = []
        named = [
            ("site", "site", catalog.site.title, "catalog/site.yml", catalog.site),
            *(
                ("program", program.id, program.name, "catalog/site.yml", program)
                for program in catalog.site.programs
            ),
            *(
                ("career-field", key, field.name, "catalog/career-fields.yml", field)
                for key, field in catalog.career_fields.items()
            ),
            *(
                ("pathway", key, pathway.name, f"catalog/pathways/{key}.yml", pathway)
                for key, pathway in sorted(catalog.pathways.items())
            ),
        ]
        for kind, key, name, path, model in named:
            missing = tuple(
                field
                for field in MAP_FIELDS[kind]
                if getattr(model, field) is not None
                and language not in texts.texts.get((kind, key, field), {})
            )
            if missing:
                others.append(TranslationEntry(None, name, path, missing, edit_url(catalog.site, path)))
        for page in content or ():
            if language not in page.translations:
                path = f"content/{page.stem}.{language}.md"
                others.append(
                    TranslationEntry(None, page.title, path, ("title", "description", BODY_WORD), None)
                )
        lists.append(
            MissingTranslations(
                language,
                language_name_in(language),
                credentials,
                others,
                len(catalog.credentials) - len(credentials),
            )
        )
    return lists


#: how the list of a content page's texts names its body
BODY_WORD = "text"


def contribute_page(
    catalog: Catalog, statewide: Statewide | None = None, content: list[ContentSource] | None = None
) -> Page:
    credentials, year = credential_queue(catalog, statewide)
    issuers = issuer_queue(catalog)
    return Page(
        path=CONTRIBUTE_PATH,
        template="contribute.html",
        title=_("Help document the catalog"),
        description=_("Which facts about each credential are not yet documented, and how to add them."),
        context={
            "credentials": credentials,
            "issuers": issuers,
            "year": year,
            "counts": fact_counts(catalog),
            "issuer_counts": issuer_fact_counts(catalog),
            "total": len(catalog.credentials),
            "documented": len(catalog.credentials) - len(credentials),
            "repository_url": catalog.site.repository_url,
            # texts not yet in the site's other languages (SPEC 10); none on a site of one language
            "translations": missing_translation_lists(catalog, content),
        },
    )
