"""``MAP.yml``: which column of the state's list holds which catalog fact (SPEC 8).

```yaml
header_row: 4                 # the row holding the column names; data starts below it
sheet: IRC List               # .xlsx/.ods only; default: the first sheet
columns:                      # catalog field -> the list's column name
  name: Credential Name
  issuer: Issuing Entity
  points: Point Value
values:                       # optional: the list's words -> catalog values, per field
  status: {Active: approved, Removed: retired}
defaults: {type: certification}   # facts the list does not hold, for new credentials
```
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from site_builder.catalog.models import Credential
from site_builder.catalog.sources import (
    FileProblem,
    Parsed,
    duplicate_key_errors,
    parse_yaml_file,
    validate_model,
)
from site_builder.errors import InputError, excerpt

from .cells import key

#: facts a list must give for every credential, by a column or a default (SPEC 8)
LIST_FACTS = ("name", "issuer", "career_fields", "points", "status", "approved")
#: the issuer's web address: fills the url of an issuer file the import creates
ISSUER_URL = "issuer_url"
#: how a column's cells are read, by field; every other field is text
DATE_FIELDS = frozenset({"approved", "sunset", "last_reviewed"})
WHOLE_FIELDS = frozenset({"points", "valid_years", "college_credit_hours"})
MONEY_FIELDS = frozenset({"exam_fee_usd"})
LIST_FIELDS = frozenset({"career_fields", "certifies", "occupations", "stacks_to", "sources", "cip_codes"})
#: fields a cell cannot hold (a list of mappings)
NOT_FROM_A_CELL = frozenset({"programs"})

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool


class ListMap(BaseModel):
    """The contents of MAP.yml."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    header_row: StrictInt = Field(default=1, ge=1, le=10_000, description="Row of the column names.")
    sheet: StrictStr | None = Field(default=None, description="Sheet of a workbook; default: the first.")
    columns: dict[StrictStr, StrictStr] = Field(description="Catalog field -> the list's column name.")
    values: dict[StrictStr, dict[StrictStr, Scalar]] = Field(
        default_factory=dict, description="Per field: the list's value -> the catalog's value."
    )
    defaults: dict[StrictStr, Scalar | list[StrictStr]] = Field(
        default_factory=dict, description="Facts given to new credentials that the list does not hold."
    )

    def value_for(self, field: str, raw: str) -> Scalar | None:
        """The catalog value ``values`` gives the list's ``raw`` text in ``field``, matched
        without case, spacing or punctuation; None when it gives none."""
        table = self.values.get(field)
        if not table:
            return None
        if raw in table:
            return table[raw]
        wanted = key(raw)
        found = [value for written, value in table.items() if key(written) == wanted]
        return found[0] if found else None


def importable_fields() -> list[str]:
    """Every field a column may fill: the credential's fields a cell can hold, and issuer_url."""
    return [name for name in Credential.model_fields if name not in NOT_FROM_A_CELL] + [ISSUER_URL]


def field_choices(field: str) -> tuple[str, ...]:
    """The allowed words of a field whose values are a fixed set (status, type), else ()."""
    info = Credential.model_fields.get(field)
    if info is None:
        return ()
    annotation = info.annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(candidate) is typing.Literal:
            return tuple(str(choice) for choice in typing.get_args(candidate))
    return ()


def load_map(path: Path) -> tuple[ListMap | None, list[InputError]]:
    """MAP.yml read and checked: every error with its line, or the map."""
    try:
        parsed = parse_yaml_file(path, path.parent)
    except FileProblem as problem:
        return None, [problem.error]
    errors = duplicate_key_errors(parsed)
    mapping, model_errors = validate_model(ListMap, parsed.document.data, parsed)
    errors += model_errors
    if mapping is None:
        return None, errors
    errors += _field_errors(mapping, parsed)
    return (None if errors else mapping), errors


def _field_errors(mapping: ListMap, parsed: Parsed) -> list[InputError]:
    known = importable_fields()
    errors: list[InputError] = []

    def unknown(section: str, field: str) -> None:
        if field in NOT_FROM_A_CELL:
            message = f"{section}: '{field}' cannot be read from a spreadsheet cell; add it to the files"
        else:
            close = difflib.get_close_matches(field, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = f"{section}: {excerpt(field)} is not a credential field{hint}"
        errors.append(parsed.error((section, field), message))

    for section in ("columns", "values", "defaults"):
        for field in getattr(mapping, section):
            if field not in known:
                unknown(section, field)
    for field in ("id", "ctid", "registry_ctid"):
        if field in mapping.defaults:
            own = "" if field == "id" else " (each credential has its own)"
            errors.append(
                parsed.error(("defaults", field), f"defaults: '{field}' cannot have a default{own}")
            )
    if "name" not in mapping.columns:
        errors.append(
            parsed.error(("columns",), "columns: 'name' is required (the column of credential names)")
        )
    for field in LIST_FACTS[1:]:
        if field not in mapping.columns and field not in mapping.defaults:
            errors.append(
                parsed.error(
                    ("columns",),
                    f"columns: '{field}' is a list fact: name its column here, or give it under defaults",
                )
            )
    seen: dict[str, str] = {}
    for field, column in mapping.columns.items():
        if not column.strip():
            errors.append(parsed.error(("columns", field), f"columns: {field}: the column name is empty"))
        elif key(column) in seen:
            other = seen[key(column)]
            errors.append(
                parsed.error(
                    ("columns", field), f"columns: {field} and {other} name the same column {excerpt(column)}"
                )
            )
        seen.setdefault(key(column), field)
    return errors
