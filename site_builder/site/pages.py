"""One function per page kind: each turns the catalog and derived facts into a template context.

Every count, sort and rule lives here; templates only format what these functions return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from site_builder.catalog import Catalog
from site_builder.catalog.models import Credential
from site_builder.content import ContentSource
from site_builder.derive import Derived, linked_occupations
from site_builder.history import History
from site_builder.phrases import N_
from site_builder.reports.model import Statewide
from site_builder.rules.pathways import PathwayProgress, points_in_field
from site_builder.rules.quality import NOT_RATED
from site_builder.site.environment import long_date, money, sentence_case, shown_count, word
from site_builder.site.filters import FILTERS_STYLESHEET, RowFilter, hiding_selectors
from site_builder.site.i18n import _, active_language, as_written, url
from site_builder.site.jsonld import credential_jsonld, script_safe_json
from site_builder.site.markdown import render_markdown, wrapped_in_language
from site_builder.site.svg import pathway_diagram

#: URL paths owned by generated pages; a content page cannot take one of them.

#: the work queue of facts to document (SPEC 8), made by ``site.contribute``
CONTRIBUTE_PATH = "/contribute/"


def contribute_anchor(credential_id: str) -> str:
    """The id of a credential's row on /contribute/ (prefixed: a credential id may equal another
    id on that page)."""
    return f"credential-{credential_id}"


@dataclass(frozen=True)
class Page:
    """One HTML page to write: where it goes, which template draws it, and with what."""

    path: str
    template: str
    title: str
    description: str
    context: dict = field(default_factory=dict)
    #: pages that are not listed in the sitemap nor given a canonical link (the 404 page)
    indexable: bool = True
    #: the language it is drawn in: the one active when it is made (``i18n.in_language``)
    language: str = field(default_factory=active_language)


#: a page, or what makes it when called: a page whose context is costly to build (a school
#: report) is made by the renderer that writes it, on whichever core that runs
PageSource = Page | Callable[[], Page]


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    #: shown after the link when the target is not an approved credential
    note: str = ""


@dataclass(frozen=True)
class CredentialRow:
    """One credential in a table: the columns and the data attributes the filters use."""

    url: str
    name: str
    issuer: str
    primary_field: str
    field_ids: str
    points: int
    quality: str
    type: str
    status: str
    #: ids of the programs it qualifies for, separated by spaces (the program filter)
    program_ids: str = ""


@dataclass(frozen=True)
class Qualification:
    """A program a credential qualifies for, as its page says it."""

    name: str
    #: the program's page, when site.yml gives one
    url: str | None
    #: its tier and amount in the program ("Tier 2, $125"), or ""
    detail: str


# Links to pages are made in the active language (``i18n.url``: '/es/credentials/<id>/' on a
# Spanish page); a Page's own path may be given either way, the renderer puts it in its language.


def credential_url(credential_id: str) -> str:
    return url(f"/credentials/{credential_id}/")


def career_field_url(field_id: str) -> str:
    return url(f"/career-fields/{field_id}/")


def pathway_url(pathway_id: str) -> str:
    return url(f"/pathways/{pathway_id}/")


#: what a link to a credential that is not approved says after it
STATUS_NOTES = {"sunsetting": N_("sunsetting"), "retired": N_("retired")}


def credential_link(catalog: Catalog, credential_id: str) -> Link:
    credential = catalog.credentials[credential_id]
    note = "" if credential.status == "approved" else _(STATUS_NOTES[credential.status])
    return Link(credential_url(credential_id), as_written(credential.name), note)


def credential_row(catalog: Catalog, derived: Derived, credential_id: str) -> CredentialRow:
    credential = catalog.credentials[credential_id]
    return CredentialRow(
        url=credential_url(credential_id),
        name=credential.name,
        issuer=catalog.issuers[credential.issuer].name,
        primary_field=catalog.career_fields[credential.career_fields[0]].name,
        field_ids=" ".join(credential.career_fields),
        points=credential.points,
        quality=derived.quality[credential_id].overall,
        type=credential.type or "",
        status=credential.status,
        program_ids=" ".join(dict.fromkeys(membership.program for membership in credential.programs)),
    )


def qualifications(catalog: Catalog, credential: Credential) -> list[Qualification]:
    """The programs of site.yml ``credential`` qualifies for, in site.yml's order."""
    programs = {program.id: program for program in catalog.site.programs}
    shown = []
    for program_id in programs:
        for membership in credential.programs:
            if membership.program != program_id:
                continue
            parts = [
                _("tier %(tier)s") % {"tier": membership.tier} if membership.tier else "",
                money(membership.amount_usd) if membership.amount_usd is not None else "",
            ]
            years = (membership.first_year, membership.last_year)
            if years != (None, None):
                parts.append(school_years(*years))
            detail = ", ".join(part for part in parts if part)
            program = programs[program_id]
            shown.append(Qualification(program.name, program.url, detail[:1].upper() + detail[1:]))
    return shown


def school_years(first: int | None, last: int | None) -> str:
    """The school years of a membership, named by the calendar year they end in."""
    if first is not None and last is not None:
        if first == last:
            return _("school year %(year)s") % {"year": first}
        return _("school years %(first)s to %(last)s") % {"first": first, "last": last}
    if first is not None:
        return _("from school year %(year)s") % {"year": first}
    return _("until school year %(year)s") % {"year": last}


def by_name(catalog: Catalog) -> list[str]:
    """Credential ids sorted the way people look names up: by name, ignoring case."""
    return sorted(catalog.credentials, key=lambda key: (catalog.credentials[key].name.casefold(), key))


def home_page(catalog: Catalog, derived: Derived, statewide: Statewide | None = None) -> Page:
    approved = [key for key, c in catalog.credentials.items() if c.status == "approved"]
    cards = [
        {
            "url": career_field_url(field_id),
            "name": career_field.name,
            "description": career_field.description,
            "approved": sum(
                1
                for key in derived.credentials_by_field[field_id]
                if catalog.credentials[key].status == "approved"
            ),
        }
        for field_id, career_field in catalog.career_fields.items()
    ]
    figures = [
        (len(approved), _("approved credentials")),
        (len(catalog.career_fields), _("career fields")),
        (len(catalog.pathways), _("stackable pathways")),
        (sum(1 for key in approved if derived.quality[key].overall == "High"), _("rated High quality")),
    ]
    if statewide is not None and statewide.years:
        latest = max(statewide.years)
        figures.append(
            (shown_count(statewide.total[latest]), _("credentials earned in %(year)s") % {"year": latest})
        )
    return Page(
        path="/",
        template="index.html",
        title=catalog.site.title,
        description=catalog.site.description,
        context={"cards": cards, "figures": figures, "points_target": catalog.site.points_target},
    )


def credentials_index(catalog: Catalog, derived: Derived) -> Page:
    rows = [credential_row(catalog, derived, key) for key in by_name(catalog)]
    return Page(
        path="/credentials/",
        template="credentials.html",
        title=_("All credentials"),
        description=_("Every credential in the %(title)s, with points, quality and status.")
        % {"title": catalog.site.title},
        context={
            "rows": rows,
            "filters": credential_filters(catalog, rows),
            "filters_stylesheet": FILTERS_STYLESHEET,
        },
    )


def credential_filters(catalog: Catalog, rows: list[CredentialRow]) -> list[RowFilter]:
    """The filters of the /credentials/ table, each with the values some row has."""
    types = sorted({row.type for row in rows if row.type})
    statuses = [
        status
        for status in ("approved", "sunsetting", "retired")
        if any(row.status == status for row in rows)
    ]
    qualities = [
        q
        for q in ("High", "Moderate", "Limited", NOT_RATED)
        if q != NOT_RATED or any(row.quality == NOT_RATED for row in rows)
    ]
    # programs that some credential qualifies for, in site.yml's order
    programs = [
        (program.id, program.name)
        for program in catalog.site.programs
        if any(program.id in row.program_ids.split() for row in rows)
    ]
    filters = [
        RowFilter(
            "filter-field",
            "career-fields",
            "word",
            tuple((key, f.name) for key, f in catalog.career_fields.items()),
        ),
        RowFilter(
            "filter-points",
            "points",
            "at-least",
            tuple(
                (str(p), _("%(points)s or more") % {"points": p})
                for p in sorted({row.points for row in rows})
            ),
        ),
        RowFilter("filter-quality", "quality", "equal", tuple((q, word(q)) for q in qualities)),
        RowFilter("filter-type", "type", "equal", tuple((t, sentence_case(word(t))) for t in types)),
        RowFilter("filter-status", "status", "equal", tuple((s, sentence_case(word(s))) for s in statuses)),
        RowFilter("filter-program", "programs", "word", tuple(programs)),
    ]
    return [row_filter for row_filter in filters if row_filter.options]


def credential_filters_stylesheet(catalog: Catalog, derived: Derived) -> Page:
    """The stylesheet that makes the /credentials/ filters work without JavaScript (``filters``)."""
    rows = [credential_row(catalog, derived, key) for key in by_name(catalog)]
    return Page(
        path=FILTERS_STYLESHEET,
        template="credential-filters.css",
        title="Filters of the credentials table",
        description="",
        context={"selectors": hiding_selectors(credential_filters(catalog, rows), rows)},
        indexable=False,
    )


def status_text(credential: Credential) -> str:
    if credential.status == "approved":
        return _("Approved since %(date)s") % {"date": long_date(credential.approved)}
    if credential.status == "sunsetting":
        return _("Sunsetting: it leaves the approved list on %(date)s") % {
            "date": long_date(credential.sunset)
        }
    return _("Retired: it left the approved list on %(date)s") % {"date": long_date(credential.sunset)}


def credential_page(
    catalog: Catalog,
    derived: Derived,
    credential_id: str,
    attainment: dict | None = None,
    history: dict | None = None,
) -> Page:
    """``attainment`` is the statewide-attainment section, drawn from the protected reports;
    ``history`` the added-on date and latest changes from git (None without history)."""
    credential = catalog.credentials[credential_id]
    issuer = catalog.issuers[credential.issuer]
    occupations = linked_occupations(catalog, credential)
    path = credential_url(credential_id)
    if credential.verification_url:
        verification = {"url": credential.verification_url, "who": "credential"}
    elif issuer.verification_url:
        verification = {"url": issuer.verification_url, "who": "issuer"}
    else:
        verification = None
    jsonld = credential_jsonld(
        credential, issuer, occupations or [], canonical(catalog, path), agency=catalog.site.agency
    )
    return Page(
        path=path,
        template="credential.html",
        title=credential.name,
        description=credential.summary
        or _("%(name)s: %(points)s points toward the goal.")
        % {"name": credential.name, "points": credential.points},
        context={
            "credential": credential,
            "issuer": issuer,
            "fields": [
                Link(career_field_url(f), catalog.career_fields[f].name) for f in credential.career_fields
            ],
            "status_text": status_text(credential),
            "quality": derived.quality[credential_id],
            "verification": verification,
            "occupations": occupations,
            "prepares_for": [credential_link(catalog, key) for key in credential.stacks_to or ()],
            # facts the file leaves out (SPEC 8): the page says "not yet documented" for each
            "missing": frozenset(credential.missing_facts()),
            "contribute_url": url(f"{CONTRIBUTE_PATH}#{contribute_anchor(credential_id)}"),
            "builds_on": [
                credential_link(catalog, key) for key in derived.stacked_from.get(credential_id, [])
            ],
            "pathways": [
                Link(pathway_url(key), catalog.pathways[key].name)
                for key in derived.pathways_of.get(credential_id, [])
            ],
            "body": wrapped_in_language(
                catalog.bodies.get(credential_id, ""),
                render_markdown(catalog.bodies.get(credential_id, ""), top_heading=3),
            ),
            "jsonld": script_safe_json(jsonld),
            "attainment": attainment,
            "history": history,
            "programs": qualifications(catalog, credential),
            # "Qualifies for" is said only where site.yml defines programs
            "has_programs": bool(catalog.site.programs),
        },
    )


def career_fields_index(catalog: Catalog, derived: Derived) -> Page:
    fields = [
        {
            "url": career_field_url(key),
            "name": career_field.name,
            "description": career_field.description,
            "credentials": len(derived.credentials_by_field[key]),
            "pathways": len(derived.pathways_by_field[key]),
        }
        for key, career_field in catalog.career_fields.items()
    ]
    return Page(
        path="/career-fields/",
        template="career-fields.html",
        title=_("Career fields"),
        description=_("The %(count)s career fields and the credentials in each.") % {"count": len(fields)},
        context={"fields": fields, "points_target": catalog.site.points_target},
    )


def career_field_page(catalog: Catalog, derived: Derived, field_id: str) -> Page:
    career_field = catalog.career_fields[field_id]
    return Page(
        path=career_field_url(field_id),
        template="career-field.html",
        title=_("%(field)s: credentials and pathways") % {"field": career_field.name},
        description=career_field.description,
        context={
            "career_field": career_field,
            "rows": [credential_row(catalog, derived, key) for key in derived.credentials_by_field[field_id]],
            "pathways": [
                {
                    "url": pathway_url(key),
                    "name": catalog.pathways[key].name,
                    "summary": catalog.pathways[key].summary,
                }
                for key in derived.pathways_by_field[field_id]
            ],
            "points_target": catalog.site.points_target,
        },
    )


def pathways_index(catalog: Catalog, derived: Derived) -> Page:
    pathways = [
        {
            "url": pathway_url(key),
            "name": pathway.name,
            "summary": pathway.summary,
            "field": Link(
                career_field_url(pathway.career_field), catalog.career_fields[pathway.career_field].name
            ),
            "steps": len(pathway.steps),
        }
        for key, pathway in sorted(
            catalog.pathways.items(), key=lambda item: (item[1].name.casefold(), item[0])
        )
    ]
    return Page(
        path="/pathways/",
        template="pathways.html",
        title=_("Stackable pathways"),
        description=_("Step-by-step routes from a first credential to the points goal in one career field."),
        context={"pathways": pathways, "points_target": catalog.site.points_target},
    )


def goal_sentence(progress: PathwayProgress, final_low: int, final_high: int) -> str:
    """Where the pathway reaches the points target, in one plain sentence."""
    target = progress.target
    if progress.goal_step is not None:
        sentence = _("The %(target)s-point goal is reached at step %(step)s, whichever choices you make.") % {
            "target": target,
            "step": progress.goal_step,
        }
        if progress.earliest_goal_step is not None and progress.earliest_goal_step < progress.goal_step:
            sentence += " " + _(
                "Choosing the higher-point credentials reaches it earlier, at step %(step)s."
            ) % {"step": progress.earliest_goal_step}
        return sentence
    if progress.earliest_goal_step is not None:
        return _(
            "The %(target)s-point goal can be reached at step %(step)s by choosing the "
            "higher-point credentials; with the other choices this pathway ends with %(points)s points."
        ) % {"target": target, "step": progress.earliest_goal_step, "points": final_low}
    ending = (
        _("%(points)s points") % {"points": final_low}
        if final_low == final_high
        else _("%(low)s–%(high)s points") % {"low": final_low, "high": final_high}
    )
    return _(
        "This pathway ends with %(ending)s, short of the %(target)s-point goal; "
        "more credentials in the same career field are needed to reach it."
    ) % {"ending": ending, "target": target}


def pathway_page(catalog: Catalog, derived: Derived, pathway_id: str) -> Page:
    pathway = catalog.pathways[pathway_id]
    progress = derived.progress[pathway_id]
    last = progress.steps[-1]
    sentence = goal_sentence(progress, last.total_low, last.total_high)
    choices = [
        [
            (catalog.credentials[key].name, points_in_field(catalog.credentials[key], pathway.career_field))
            for key in step.credential_ids
        ]
        for step in progress.steps
    ]
    steps = [
        {
            "number": step.number,
            "choices": [
                (credential_link(catalog, key), points)
                for key, (_, points) in zip(step.credential_ids, step_choices, strict=True)
            ],
            "points_low": step.points_low,
            "points_high": step.points_high,
            "total_low": step.total_low,
            "total_high": step.total_high,
            "goal": "reached"
            if step.goal_reached_here
            else (
                "possible"
                if progress.goal_step is None and step.number == progress.earliest_goal_step
                else None
            ),
        }
        for step, step_choices in zip(progress.steps, choices, strict=True)
    ]
    return Page(
        path=pathway_url(pathway_id),
        template="pathway.html",
        title=_("Pathway: %(name)s") % {"name": pathway.name},
        description=pathway.summary,
        context={
            "pathway": pathway,
            "career_field": Link(
                career_field_url(pathway.career_field), catalog.career_fields[pathway.career_field].name
            ),
            "steps": steps,
            "goal_sentence": sentence,
            "progress": progress,
            "diagram": pathway_diagram(pathway.name, progress, choices, sentence),
        },
    )


def content_page(content: ContentSource) -> Page:
    return Page(
        path=f"/{content.stem}/",
        template="content.html",
        title=content.title,
        description=content.description,
        # ``fallback``: the page is not translated into this page's language yet
        context={
            "content": content,
            "body": render_markdown(content.markdown),
            "text_language": content.fallback,
        },
    )


def not_found_page() -> Page:
    return Page(
        path="/404.html",
        template="404.html",
        title=_("Page not found"),
        description=_("The page you asked for is not here."),
        indexable=False,
    )


def canonical(catalog: Catalog, path: str) -> str:
    return catalog.site.base_url.rstrip("/") + path


def all_pages(
    catalog: Catalog,
    derived: Derived,
    content: list[ContentSource],
    statewide: Statewide | None = None,
    history: History | None = None,
) -> list[PageSource]:
    """Every HTML page of the site but the report pages (``report_pages.all_report_pages``), in
    a stable order. ``statewide`` adds the figures of the reports to the home page and each
    credential's own to its page.

    The credential and career-field pages are left for the renderer that writes them to make
    (``render_pages``): on a state's 1,500 credentials, their Markdown, JSON-LD and charts are
    then made on every core.
    """
    # imported here: report_pages and changes build on this module's Page and Link
    from site_builder.site.changes import change_entries, changes_page, credential_history
    from site_builder.site.contribute import contribute_page
    from site_builder.site.report_pages import credential_attainment

    changes = change_entries(catalog, history)

    def credential(key: str) -> Page:
        attainment = credential_attainment(statewide, key)
        return credential_page(catalog, derived, key, attainment, credential_history(history, changes, key))

    return [
        home_page(catalog, derived, statewide),
        credentials_index(catalog, derived),
        credential_filters_stylesheet(catalog, derived),
        *(partial(credential, key) for key in sorted(catalog.credentials)),
        career_fields_index(catalog, derived),
        *(partial(career_field_page, catalog, derived, key) for key in catalog.career_fields),
        pathways_index(catalog, derived),
        *(pathway_page(catalog, derived, key) for key in sorted(catalog.pathways)),
        *(content_page(page) for page in content),
        changes_page(catalog, history, changes),
        contribute_page(catalog, statewide, content),
        not_found_page(),
    ]
