"""What changed in a catalog file, key by key: found once here, said by each reader in its
own words (``credsite diff`` in ``diff.field_changes``, for reviewers; the change history
for families in ``site.changes``)."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog.models import Credential

#: longest text value shown in an ``old -> new`` line
VALUE_WIDTH = 60

# Keys shown as ``old -> new`` even though they are lists: their order means something.
_WHOLE_LISTS = frozenset({"career_fields"})
_KEY_ORDER = list(Credential.model_fields)


def shown(value: object) -> str:
    """A front-matter value in a few words: 'none' for null, lists joined by commas."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {shown(item)}" for key, item in value.items()) + "}"
    text = " ".join(str(value).split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1].rstrip() + "…"


def label(key: str) -> str:
    return key.replace("_", " ")


#: how a credential's fact left out of its file is said (SPEC 8)
UNDOCUMENTED = "not yet documented"


@dataclass(frozen=True)
class FieldChange:
    """One key that differs between two versions of a file, as ``compare_fields`` finds it:
    the raw values of both sides, so that each reader can say it in its own words (``credsite
    diff`` in ``field_changes``, the change history for families in ``site.changes``)."""

    key: str
    before: object
    after: object
    #: the key is left out of the old (new) side, not merely null
    missing_before: bool = False
    missing_after: bool = False
    #: a list whose order means nothing: the items added and removed (both empty: reordered)
    is_list: bool = False
    added: tuple = ()
    removed: tuple = ()
    #: not a key but the Markdown body (the description), which differs
    is_body: bool = False


#: the ``FieldChange.key`` of a changed Markdown body
BODY = "description"


def compare_fields(
    before: dict,
    after: dict,
    before_body: str | None = None,
    after_body: str | None = None,
    absent: str | None = None,
) -> list[FieldChange]:
    """Each changed key, in the model's key order, then the Markdown body when it differs.
    A key whose two values read the same (``shown``) is no change; ``absent`` is how a key
    left out of one side reads (a credential's facts: "not yet documented"), by default as
    null does, so that leaving out a null key is no change."""
    keys = sorted(set(before) | set(after), key=lambda key: (_rank(key), str(key)))
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new and (key in before) == (key in after):
            continue
        missing_before, missing_after = key not in before, key not in after
        old_text = absent if absent is not None and missing_before else shown(old)
        new_text = absent if absent is not None and missing_after else shown(new)
        if isinstance(old, list) and isinstance(new, list) and key not in _WHOLE_LISTS:
            changes.append(
                FieldChange(
                    key,
                    old,
                    new,
                    missing_before,
                    missing_after,
                    is_list=True,
                    added=tuple(item for item in new if item not in old),
                    removed=tuple(item for item in old if item not in new),
                )
            )
        elif old_text != new_text:
            changes.append(FieldChange(key, old, new, missing_before, missing_after))
    if before_body is not None and after_body is not None and before_body.strip() != after_body.strip():
        changes.append(FieldChange(BODY, before_body, after_body, is_body=True))
    return changes


def _rank(key: object) -> int:
    return _KEY_ORDER.index(key) if key in _KEY_ORDER else len(_KEY_ORDER)
