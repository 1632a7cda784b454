"""The change history (SPEC 6, /changes/): read from git, shown on /changes/, in an Atom feed
and on each credential page; dates are commit dates, so builds stay byte-identical.
"""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from catalog_factory import write_catalog
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from test_diff import commit_all, git, make_repo, replace

from site_builder.build import build
from site_builder.history import read_history

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
BASE_URL = "https://creds.northland.example"


def page(out: Path, url_path: str) -> HTMLParser:
    relative = url_path.lstrip("/") + ("index.html" if url_path.endswith("/") else "")
    return HTMLParser((out / relative).read_text(encoding="utf-8"))


def text(node: object) -> str:
    return " ".join(node.text().split()) if node is not None else ""  # type: ignore[attr-defined]


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = make_repo(tmp_path)
    monkeypatch.chdir(repo)
    return repo


@pytest.fixture
def built(repo: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    build(repo / "catalog", out)
    return out


def test_history_follows_renames_and_uses_commit_dates(repo: Path) -> None:
    history = read_history(repo / "catalog")
    assert history.available and not history.truncated
    assert history.added_on == {
        "cloud-basics": dt.date(2024, 5, 20),
        "club-coder": dt.date(2024, 3, 1),
        "net-basics": dt.date(2024, 3, 1),
        "net-pro": dt.date(2024, 3, 1),
        # added under its old name; the rename does not reset the date
        "nurse-aide-state": dt.date(2024, 3, 1),
    }
    latest = {
        change.credential_id: change
        for change in history.changes
        if change.commit == history.changes[0].commit
    }
    assert sorted(latest) == ["cloud-basics", "net-basics", "net-pro", "nurse-aide-state"]
    assert latest["nurse-aide-state"].kind == "renamed"
    assert (latest["nurse-aide-state"].old_id, latest["nurse-aide-state"].new_id) == (
        "nurse-aide",
        "nurse-aide-state",
    )
    assert latest["net-pro"].committed == "2024-05-20T09:30:00+02:00"
    assert latest["net-pro"].subject == "Spring review: retire Network Basics, add Cloud Basics"


def test_changes_page_lists_each_change_newest_first(built: Path) -> None:
    items = page(built, "/changes/").css("ol.change-list > li")
    spring = [item for item in items if item.css_first("time").attributes["datetime"] == "2024-05-20"]
    first = [item for item in items if item.css_first("time").attributes["datetime"] == "2024-03-01"]
    assert len(spring) == 4 and len(first) == 4
    assert items.index(spring[-1]) < items.index(first[0])  # newest first
    by_credential = {text(item.css_first("a")): item for item in spring}
    net_pro = by_credential["Network Professional"]
    assert net_pro.css_first("a").attributes["href"] == "/credentials/net-pro/"
    # what changed, in the words of the credential page, from credsite diff's comparison
    assert [text(li) for li in net_pro.css(".change-details li")] == [
        "Points changed from 9 to 10",
        "Status changed from approved to sunsetting (leaving the list)",
        "Date it leaves the list set to June 30, 2026",
    ]
    assert text(net_pro.css_first("time")) == "May 20, 2024"
    assert "Moved to a new web address (it was /credentials/nurse-aide/)" in text(
        by_credential["Northland Nurse Aide"]
    )
    assert "Added to this catalog" in text(by_credential["Cloud Basics"])
    assert [text(li) for li in by_credential["Network Basics"].css(".change-details li")] == [
        "Status changed from approved to retired (no longer on the list)",
        "Date it leaves the list set to June 30, 2025",
    ]
    # the commit's subject, written for maintainers, is only a small note
    assert (
        text(net_pro.css_first("small.change-note .change-subject"))
        == "Spring review: retire Network Basics, add Cloud Basics"
    )
    assert text(net_pro.css_first("small.change-note")).startswith("Note from the change:")


def test_feed_is_atom_with_the_required_elements(built: Path) -> None:
    feed = ET.parse(built / "changes/feed.xml").getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("atom:id", "atom:title", "atom:updated", "atom:author/atom:name"):
        assert (feed.findtext(required, namespaces=ATOM) or "").strip(), required
    assert feed.findtext("atom:updated", namespaces=ATOM) == "2024-05-20T09:30:00+02:00"
    self_link = feed.find("atom:link[@rel='self']", ATOM)
    assert self_link is not None and self_link.get("href") == f"{BASE_URL}/changes/feed.xml"
    entries = feed.findall("atom:entry", ATOM)
    assert len(entries) == 8
    ids = [entry.findtext("atom:id", namespaces=ATOM) for entry in entries]
    assert len(set(ids)) == 8 and all(entry_id.startswith("urn:uuid:") for entry_id in ids)
    for entry in entries:
        for required in ("atom:title", "atom:updated", "atom:summary"):
            assert (entry.findtext(required, namespaces=ATOM) or "").strip(), required
        assert entry.find("atom:link", ATOM).get("href").startswith(BASE_URL)
    titles = [entry.findtext("atom:title", namespaces=ATOM) for entry in entries]
    assert "Network Professional: Changed" in titles
    net_pro = entries[titles.index("Network Professional: Changed")]
    assert net_pro.find("atom:link", ATOM).get("href") == f"{BASE_URL}/credentials/net-pro/"
    assert net_pro.findtext("atom:summary", namespaces=ATOM) == (
        "Points changed from 9 to 10; Status changed from approved to sunsetting (leaving the list); "
        "Date it leaves the list set to June 30, 2026. "
        "(Note from the change: Spring review: retire Network Basics, add Cloud Basics)"
    )


def test_credential_page_shows_when_it_was_added_and_its_history(built: Path) -> None:
    nurse = page(built, "/credentials/nurse-aide-state/")
    assert text(nurse.css_first("#added-on")) == "Added to this catalog on March 1, 2024."
    assert nurse.css_first("#added-on time").attributes["datetime"] == "2024-03-01"
    history = [text(item) for item in nurse.css("#history ~ ol.change-list > li")]
    assert len(history) == 2
    assert history[0].startswith("May 20, 2024: Moved to a new web address (it was /credentials/nurse-aide/)")
    assert history[1].startswith("March 1, 2024: Added to this catalog")
    cloud = page(built, "/credentials/cloud-basics/")
    assert text(cloud.css_first("#added-on")) == "Added to this catalog on May 20, 2024."


def test_a_catalog_without_git_builds_with_history_unavailable(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(repo / "catalog", copy / "catalog")
    monkeypatch.chdir(copy)
    out = tmp_path / "public-copy"
    build(copy / "catalog", out)
    changes = page(out, "/changes/")
    assert "change history is unavailable" in text(changes.css_first("#history-unavailable"))
    assert changes.css("ol.change-list li") == []
    credential = page(out, "/credentials/net-pro/")
    assert credential.css_first("#added-on") is None
    assert credential.css_first("#history") is None
    feed = ET.parse(out / "changes/feed.xml").getroot()
    assert feed.findall("atom:entry", ATOM) == []
    # no history and no SOURCE_DATE_EPOCH: the latest review date, never the clock
    assert feed.findtext("atom:updated", namespaces=ATOM) == "2024-01-15T00:00:00Z"


def test_a_repository_without_commits_has_no_history(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    write_catalog(tmp_path)
    history = read_history(tmp_path / "catalog")
    assert not history.available
    assert history.changes == [] and history.added_on == {}


def test_two_builds_of_the_same_commit_are_byte_identical(repo: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    build(repo / "catalog", first)
    build(repo / "catalog", second)
    assert tree(first) == tree(second)


def test_only_the_latest_commits_are_read(repo: Path) -> None:
    for number, (old, new) in enumerate(((1, 4), (4, 5), (5, 6)), start=1):
        replace(repo / "catalog/credentials/club-coder.md", f"points: {old}\n", f"points: {new}\n")
        commit_all(repo, f"Change {number}", f"2024-06-0{number}T00:00:00+00:00")
    history = read_history(repo / "catalog", limit=2)
    assert history.truncated
    assert {change.subject for change in history.changes} == {"Change 2", "Change 3"}
    # the files were added before the commits read, so their dates are unknown
    assert history.added_on == {}


def test_changes_page_says_when_history_was_cut(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("site_builder.build.read_history", lambda catalog: read_history(catalog, limit=1))
    out = tmp_path / "cut"
    build(repo / "catalog", out)
    assert text(page(out, "/changes/").css_first("#history-truncated")) == (
        "Only changes from the latest 1 commits that changed credentials are listed."
    )


def test_a_shallow_clone_does_not_pretend_everything_was_added_at_its_oldest_commit(
    repo: Path, tmp_path: Path
) -> None:
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{repo}", str(clone))
    history = read_history(clone / "catalog")
    assert history.truncated_reason == (
        "The site was built from part of the Git history only, so older changes are not listed."
    )
    assert history.changes == [] and history.added_on == {}


def test_each_fact_change_is_said_in_plain_words_with_names(tmp_path: Path) -> None:
    """The history says a change as the credential page would: names for ids, dates spelled
    out, dollars, what null means; found by credsite diff's own comparison."""
    from site_builder.catalog import load_catalog
    from site_builder.diff import UNDOCUMENTED, compare_fields
    from site_builder.site.changes import plain_change

    catalog = load_catalog(write_catalog(tmp_path))
    before = {
        "points": 6,
        "issuer": "local-club",
        "career_fields": ["it"],
        "stacks_to": ["net-basics"],
        "occupations": [],
        "exam_fee_usd": 120,
        "valid_years": 2,
        "summary": "Old words.",
        "approved": "2024-07-01",
        "ctid": "ce-1",
    }
    after = {
        "points": 7,
        "issuer": "netco",
        "career_fields": ["it", "health"],
        "stacks_to": ["net-pro"],
        "occupations": ["15-1231"],
        "exam_fee_usd": None,
        "valid_years": None,
        "summary": "New words.",
        "approved": "2024-08-01",
        "ctid": "ce-1",
        "type": "certification",
    }
    found = compare_fields(before, after, "Body.", "Other body.", UNDOCUMENTED)
    assert [plain_change(catalog, change) for change in found] == [
        "Issued by changed from Local Computer Club to NetCo",
        "Type documented: certification",
        "Career fields changed from Information Technology to Information Technology and Health Science",
        "Points changed from 6 to 7",
        "Date added to the list changed from July 1, 2024 to August 1, 2024",
        "Summary changed from “Old words.” to “New words.”",
        "Exam fee changed from $120 to unknown",
        "Valid for changed from 2 years to no limit (it does not expire)",
        "Jobs it leads to: added Computer Network Support Specialists (15-1231)",
        "Prepares for: added Network Professional; removed Network Basics",
        "Description rewritten",
    ]
    # the comparison is the one credsite diff prints
    from site_builder.diff import field_changes

    assert len(field_changes(before, after, "Body.", "Other body.", UNDOCUMENTED)) == len(found)
