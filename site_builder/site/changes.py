"""The catalog's change history on the site: the /changes/ page, its Atom feed, and the
short history on each credential page.

Entries come from ``history.read_history`` (Git commit dates, never the clock). What changed
is found by the comparison ``credsite diff`` makes (``catalog.changes.compare_fields``), and said here in
plain words for families, field by field, with names instead of ids; the commit's subject,
written for the catalog's maintainers, is only a small note beside it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal

from site_builder.catalog import Catalog
from site_builder.catalog.changes import UNDOCUMENTED, FieldChange, compare_fields, shown
from site_builder.catalog.models import FACTS
from site_builder.history import FileChange, History
from site_builder.phrases import N_
from site_builder.site.environment import long_date, money, word
from site_builder.site.i18n import _, as_written, ngettext, url
from site_builder.site.pages import Link, Page, canonical, credential_url

CHANGES_PATH = "/changes/"
FEED_PATH = "/changes/feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
#: entries shown on a credential page; the rest are on /changes/
CREDENTIAL_HISTORY_LENGTH = 5


@dataclass(frozen=True)
class ChangeEntry:
    """One commit's change to one credential, ready to show."""

    anchor: str
    date: dt.date
    #: the commit date as ISO 8601, for the feed
    committed: str
    credential_id: str
    credential: Link
    kind: str
    headline: str
    changes: list[str] = field(default_factory=list)
    subject: str = ""
    #: the subject as the small note beside the change: cut to its first NOTE_WIDTH characters
    note: str = ""
    #: a stable Atom id: the same commit and file always give the same id
    entry_id: str = ""


def change_entries(catalog: Catalog, history: History | None) -> list[ChangeEntry]:
    """Every credential change with something to say, newest first."""
    if history is None or not history.available:
        return []
    feed_url = canonical(catalog, FEED_PATH)
    entries = []
    for change in history.changes:
        headline, lines = _describe(catalog, change)
        if change.kind == "changed" and not lines:
            continue  # only comments or spacing changed
        key = change.credential_id
        entries.append(
            ChangeEntry(
                anchor=f"change-{change.commit[:12]}-{key}",
                date=change.date,
                committed=change.committed,
                credential_id=key,
                credential=Link(
                    credential_url(key) if key in catalog.credentials else "",
                    as_written(_name(catalog, change)),
                ),
                kind=change.kind,
                headline=headline,
                changes=lines,
                subject=change.subject,
                # written for maintainers, in the catalog's language: marked with it elsewhere
                note=as_written(_note(change.subject)),
                entry_id="urn:uuid:"
                + str(
                    uuid.uuid5(
                        uuid.NAMESPACE_URL, f"{feed_url}#{change.commit}:{change.old_id}:{change.new_id}"
                    )
                ),
            )
        )
    return entries


#: the longest commit subject shown whole beside a change; a longer one is cut with "…"
NOTE_WIDTH = 120


def _note(subject: str) -> str:
    """The commit's subject as a short note: written for maintainers, it can run long."""
    text = " ".join(subject.split())
    return text if len(text) <= NOTE_WIDTH else text[: NOTE_WIDTH - 1].rstrip() + "…"


def _name(catalog: Catalog, change: FileChange) -> str:
    if change.credential_id in catalog.credentials:
        return catalog.credentials[change.credential_id].name
    for front in (change.after, change.before):
        if front and isinstance(front.get("name"), str):
            return front["name"]
    return change.credential_id


def _describe(catalog: Catalog, change: FileChange) -> tuple[str, list[str]]:
    if change.kind == "added":
        return _("Added to this catalog"), []
    if change.kind == "removed":
        return _("Removed from the catalog"), []
    if change.before is None or change.after is None:
        return (_("Moved to a new web address") if change.kind == "renamed" else _("Changed")), [
            _("The details of this change could not be read")
        ]
    before = dict(change.before)
    if change.kind == "renamed":
        before["id"] = change.after.get("id")  # said by the headline
    found = compare_fields(before, change.after, change.before_body, change.after_body, UNDOCUMENTED)
    lines = [plain_change(catalog, field_change) for field_change in found]
    if change.kind == "renamed":
        old_url = credential_url(change.old_id or "")
        return _("Moved to a new web address (it was %(old_url)s)") % {"old_url": old_url}, lines
    if change.after.get("status") == "retired" and change.before.get("status") != "retired":
        return _("Retired"), lines
    return _("Changed"), lines


# --- a field's change in plain words ----------------------------------------------------------

#: each credential fact as the credential page names it (translated where shown: ``_()``)
FIELD_LABELS = {
    "id": N_("Web address"),
    "name": N_("Name"),
    "issuer": N_("Issued by"),
    "type": N_("Type"),
    "career_fields": N_("Career fields"),
    "points": N_("Points"),
    "status": N_("Status"),
    "approved": N_("Date added to the list"),
    "sunset": N_("Date it leaves the list"),
    "summary": N_("Summary"),
    "certifies": N_("What it certifies"),
    "assessment": N_("Assessment"),
    "prerequisites": N_("Prerequisites"),
    "exam_fee_usd": N_("Exam fee"),
    "valid_years": N_("Valid for"),
    "renewal": N_("Renewal"),
    "verification_url": N_("How to verify a holder"),
    "portability": N_("Recognized"),
    "college_credit_hours": N_("College credit"),
    "occupations": N_("Jobs it leads to"),
    "stacks_to": N_("Prepares for"),
    "sources": N_("Sources"),
    "last_reviewed": N_("Facts last reviewed"),
    "state_code": N_("State code"),
    "cip_codes": N_("CIP codes"),
    "programs": N_("Qualifies for"),
    "ctid": N_("Credential Registry identifier (CTID)"),
    "registry_ctid": N_("Issuer's record in the Credential Registry"),
}
#: facts written as sentences, quoted when they change
TEXT_FIELDS = frozenset({"name", "summary", "assessment", "prerequisites", "renewal"})
STATUS_WORDS = {
    "approved": N_("approved"),
    "sunsetting": N_("sunsetting (leaving the list)"),
    "retired": N_("retired (no longer on the list)"),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def plain_change(catalog: Catalog, change: FieldChange) -> str:
    """One change that ``catalog.changes.compare_fields`` found, as a family reads it: "Points changed
    from 9 to 10", "Prepares for: added Network Professional", "Exam fee documented: $120"."""
    if change.is_body:
        return _("Description rewritten")
    name = (
        _(FIELD_LABELS[change.key])
        if change.key in FIELD_LABELS
        else change.key.replace("_", " ").capitalize()
    )
    if change.is_list:
        parts = []
        if change.added:
            added = _joined([_value(catalog, change.key, item) for item in change.added])
            parts.append(_("added %(items)s") % {"items": added})
        if change.removed:
            removed = _joined([_value(catalog, change.key, item) for item in change.removed])
            parts.append(_("removed %(items)s") % {"items": removed})
        if not parts:
            return _("%(fact)s: order changed") % {"fact": name}
        return _("%(fact)s: %(changes)s") % {"fact": name, "changes": "; ".join(parts)}
    # a fact a file may leave out until someone documents it (SPEC 8), or an optional extra
    fact = change.key in FACTS
    if change.missing_before:
        new = _value(catalog, change.key, change.after)
        if fact:
            return _("%(fact)s documented: %(new)s") % {"fact": name, "new": new}
        return _("%(fact)s added: %(new)s") % {"fact": name, "new": new}
    if change.missing_after:
        old = _value(catalog, change.key, change.before)
        if fact:
            return _("%(fact)s no longer documented (it was %(old)s)") % {"fact": name, "old": old}
        return _("%(fact)s removed (it was %(old)s)") % {"fact": name, "old": old}
    old, new = _value(catalog, change.key, change.before), _value(catalog, change.key, change.after)
    if old == _none():
        return _("%(fact)s set to %(new)s") % {"fact": name, "new": new}
    if new == _none():
        return _("%(fact)s removed (it was %(old)s)") % {"fact": name, "old": old}
    return _("%(fact)s changed from %(old)s to %(new)s") % {"fact": name, "old": old, "new": new}


def _none() -> str:
    return _("none")


def _joined(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _value(catalog: Catalog, key: str, value: object) -> str:
    """A raw front-matter value as the credential page would say it: names for ids, dates
    spelled out, dollars, and what null means for the fact."""
    if isinstance(value, list):
        return _joined([_value(catalog, key, item) for item in value]) if value else _none()
    if value is None:
        if key == "exam_fee_usd":
            return _("unknown")
        if key == "valid_years":
            return _("no limit (it does not expire)")
        return _none()
    if isinstance(value, dict) and key == "programs":
        named = _program_name(catalog, value.get("program"))
        tier = value.get("tier")
        return f"{named} ({shown(tier)})" if tier else named
    if isinstance(value, dict):
        return shown(value)
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        try:
            return long_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))
        except ValueError:
            return shown(value)
    text = shown(value)
    if key == "career_fields" and text in catalog.career_fields:
        return catalog.career_fields[text].name
    if key == "stacks_to" and text in catalog.credentials:
        return catalog.credentials[text].name
    if key == "issuer" and text in catalog.issuers:
        return catalog.issuers[text].name
    if key == "occupations" and text in catalog.occupations:
        return f"{catalog.occupations[text].title} ({text})"
    if key == "status":
        return _(STATUS_WORDS[text]) if text in STATUS_WORDS else text
    if key == "exam_fee_usd" and isinstance(value, int | float | str):
        try:
            return money(Decimal(str(value)))
        except ArithmeticError:
            return text
    if key == "valid_years" and isinstance(value, int):
        return ngettext("%(num)s year", "%(num)s years", value) % {"num": value}
    if key == "college_credit_hours" and isinstance(value, int):
        if value == 0:
            return _none()
        return ngettext("%(num)s college credit hour", "%(num)s college credit hours", value) % {"num": value}
    if key in ("type", "portability"):
        return word(text).replace("-", " ")
    if key in TEXT_FIELDS:
        return f"“{text}”"
    return text


def _program_name(catalog: Catalog, program_id: object) -> str:
    for program in catalog.site.programs:
        if program.id == program_id:
            return program.name
    return shown(program_id)


def changes_page(catalog: Catalog, history: History | None, entries: list[ChangeEntry]) -> Page:
    available = history is not None and history.available
    return Page(
        path=CHANGES_PATH,
        template="changes.html",
        title=_("Catalog changes"),
        description=_("Every change to the credentials in the %(title)s, newest first.")
        % {"title": catalog.site.title},
        context={
            "entries": entries,
            "history_available": available,
            "history_reason": history.reason
            if history is not None and not available
            else _("The change history is unavailable."),
            "history_truncated": history.truncated_reason if available and history is not None else "",
            "feed_url": FEED_PATH,
        },
    )


def credential_history(
    history: History | None, entries: list[ChangeEntry], credential_id: str
) -> dict | None:
    """The credential page's history section; None when there is no history to show."""
    if history is None or not history.available:
        return None
    own = [entry for entry in entries if entry.credential_id == credential_id]
    return {
        "added_on": history.added_on.get(credential_id),
        "entries": own[:CREDENTIAL_HISTORY_LENGTH],
        "more": max(0, len(own) - CREDENTIAL_HISTORY_LENGTH),
        "changes_url": url(CHANGES_PATH),
    }


def changes_feed(catalog: Catalog, entries: list[ChangeEntry], built_on: dt.date | None) -> str:
    """The Atom feed (RFC 4287) of the change entries, newest first."""
    feed_url = canonical(catalog, FEED_PATH)
    feed = ET.Element("feed", {"xmlns": ATOM})
    ET.SubElement(feed, "id").text = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, feed_url))
    ET.SubElement(feed, "title").text = f"{catalog.site.title}: catalog changes"
    ET.SubElement(feed, "updated").text = _feed_updated(catalog, entries, built_on)
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": feed_url})
    ET.SubElement(
        feed, "link", {"rel": "alternate", "type": "text/html", "href": canonical(catalog, CHANGES_PATH)}
    )
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = catalog.site.title
    for entry in entries:
        item = ET.SubElement(feed, "entry")
        ET.SubElement(item, "id").text = entry.entry_id
        ET.SubElement(item, "title").text = f"{entry.credential.text}: {entry.headline}"
        ET.SubElement(item, "updated").text = entry.committed
        target = entry.credential.url or f"{CHANGES_PATH}#{entry.anchor}"
        ET.SubElement(
            item, "link", {"rel": "alternate", "type": "text/html", "href": canonical(catalog, target)}
        )
        summary = "; ".join(entry.changes) if entry.changes else entry.headline
        ET.SubElement(item, "summary", {"type": "text"}).text = (
            f"{summary}. (Note from the change: {entry.note})" if entry.note else f"{summary}."
        )
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _feed_updated(catalog: Catalog, entries: list[ChangeEntry], built_on: dt.date | None) -> str:
    """The newest change; without history the build date, else the latest review date."""
    if entries:
        return max(entries, key=lambda entry: dt.datetime.fromisoformat(entry.committed)).committed
    day = built_on or max(
        (c.last_reviewed for c in catalog.credentials.values() if c.last_reviewed is not None),
        default=dt.date(1970, 1, 1),
    )
    return f"{day.isoformat()}T00:00:00Z"
