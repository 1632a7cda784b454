"""The catalog's change history on the site: the /changes/ page, its Atom feed, and the
short history on each credential page.

Entries come from ``history.read_history`` (Git commit dates, never the clock), and say
what changed with the same words as ``credsite diff``.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from site_builder.catalog import Catalog
from site_builder.diff import UNDOCUMENTED, field_changes
from site_builder.history import FileChange, History
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
    #: a stable Atom id: the same commit and file always give the same id
    entry_id: str = ""


def change_entries(catalog: Catalog, history: History | None) -> list[ChangeEntry]:
    """Every credential change with something to say, newest first."""
    if history is None or not history.available:
        return []
    feed_url = canonical(catalog, FEED_PATH)
    entries = []
    for change in history.changes:
        headline, lines = _describe(change)
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
                    credential_url(key) if key in catalog.credentials else "", _name(catalog, change)
                ),
                kind=change.kind,
                headline=headline,
                changes=lines,
                subject=change.subject,
                entry_id="urn:uuid:"
                + str(
                    uuid.uuid5(
                        uuid.NAMESPACE_URL, f"{feed_url}#{change.commit}:{change.old_id}:{change.new_id}"
                    )
                ),
            )
        )
    return entries


def _name(catalog: Catalog, change: FileChange) -> str:
    if change.credential_id in catalog.credentials:
        return catalog.credentials[change.credential_id].name
    for front in (change.after, change.before):
        if front and isinstance(front.get("name"), str):
            return front["name"]
    return change.credential_id


def _describe(change: FileChange) -> tuple[str, list[str]]:
    if change.kind == "added":
        return "Added to this catalog", []
    if change.kind == "removed":
        return "Removed from the catalog", []
    if change.before is None or change.after is None:
        return ("Renamed" if change.kind == "renamed" else "Changed"), ["the file could not be read"]
    before = dict(change.before)
    if change.kind == "renamed":
        before["id"] = change.after.get("id")  # said by the headline
    lines = field_changes(before, change.after, change.before_body, change.after_body, UNDOCUMENTED)
    if change.kind == "renamed":
        return f"Renamed from {change.old_id}", lines
    if change.after.get("status") == "retired" and change.before.get("status") != "retired":
        return "Retired", lines
    return "Changed", lines


def changes_page(catalog: Catalog, history: History | None, entries: list[ChangeEntry]) -> Page:
    available = history is not None and history.available
    return Page(
        path=CHANGES_PATH,
        template="changes.html",
        title="Catalog changes",
        description=f"Every change to the credentials in the {catalog.site.title}, newest first.",
        context={
            "entries": entries,
            "history_available": available,
            "history_reason": history.reason
            if history is not None and not available
            else "The change history is unavailable.",
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
        "changes_url": CHANGES_PATH,
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
        ET.SubElement(item, "summary", {"type": "text"}).text = f"{summary}. ({entry.subject})"
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
