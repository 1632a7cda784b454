"""A resource's Table Schema compiled into per-field cell readers, once per file.

Frictionless decides what the schema means: the fields, their types and options, missing
values, primary and foreign keys come from its parsed ``Schema``, and types without a
fast path here use its own value readers. What this module adds is speed: a reader is
one closure per field that returns the typed value or raises ``CellInvalid``, instead of
a ``Row`` object per row. The semantics copy Frictionless 5 exactly (tests/test_outcomes.py
runs both on broken packages and compares every error position):

- a cell in the missing values (default ``""``) is None; a missing cell is None too;
- a value that does not parse is a type error, and its constraints are not checked;
- ``required`` fails only on None, every other constraint passes on None;
- only the constraints the field type supports are checked, in Frictionless' order.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from sys import intern
from typing import Any

import re2
from frictionless import Field, Schema

Check = Callable[[Any], bool]


class CellInvalid(Exception):
    """A cell that failed its type (``constraints`` empty) or some constraints.

    ``value`` is what Frictionless keeps in the row: None after a type error, the typed
    value after a constraint error (keys and lookups see it).
    """

    def __init__(self, value: Any, type_error: bool, constraints: tuple[str, ...] = ()):
        super().__init__(value)
        self.value = value
        self.type_error = type_error
        self.constraints = constraints


@dataclass(frozen=True)
class FieldReader:
    """One field: its position, its reader, and what it accepts (for messages)."""

    name: str
    number: int
    read: Callable[[str | None], Any]
    descriptor: dict[str, Any]


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table must appear as ``reference_fields`` of ``reference``."""

    fields: tuple[str, ...]
    indexes: tuple[int, ...]
    reference: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableRules:
    """Everything the row validator needs from one resource's schema."""

    fields: tuple[FieldReader, ...]
    primary_key: tuple[str, ...]
    primary_indexes: tuple[int, ...]
    unique_indexes: tuple[int, ...]
    foreign_keys: tuple[ForeignKey, ...]
    # True when a row can have every field None without a constraint error; only
    # then must a row that read cleanly be checked for being blank.
    may_be_blank: bool

    def index_of(self, names: tuple[str, ...]) -> tuple[int | None, ...]:
        """Positions of named fields; None for a name the schema lacks (its value is None)."""
        positions = {reader.name: position for position, reader in enumerate(self.fields)}
        return tuple(positions.get(name) for name in names)


class SchemaInvalid(Exception):
    """A constraint the build cannot apply (a pattern that is no regular expression)."""


_PATTERN_OPTIONS = re2.Options()
_PATTERN_OPTIONS.log_errors = False  # RE2 would print the pattern to standard error


def compile_pattern(pattern: object) -> Check:
    """A ``pattern`` constraint as a test of the whole value, matched by RE2: a package's
    schemas come by pull request, and RE2 takes time linear in the value whatever the
    pattern (Python's ``re`` takes years over ``(a+)+$`` and 40 characters)."""
    if not isinstance(pattern, str) or len(pattern) > 1000:
        raise SchemaInvalid("a pattern must be a regular expression of at most 1,000 characters")
    try:
        compiled = re2.compile(f"^(?:{pattern})$", _PATTERN_OPTIONS)
    except re2.error:
        raise SchemaInvalid(
            "a pattern is not a regular expression RE2 accepts (no back-references or look-arounds)"
        ) from None
    return compiled.match


def compile_schema(schema: Schema) -> TableRules:
    fields = tuple(
        FieldReader(field.name, number, _cell_reader(field, schema), field.to_descriptor())
        for number, field in enumerate(schema.fields, start=1)
    )
    positions = {field.name: index for index, field in enumerate(fields)}
    foreign_keys = tuple(
        ForeignKey(
            tuple(fk["fields"]),
            tuple(positions[name] for name in fk["fields"]),
            fk["reference"]["resource"],
            tuple(fk["reference"]["fields"]),
        )
        for fk in schema.foreign_keys
        # Frictionless skips a foreign key over fields the table does not have.
        if set(fk["fields"]) <= positions.keys()
    )
    primary_key = tuple(schema.primary_key) if set(schema.primary_key) <= positions.keys() else ()
    return TableRules(
        fields=fields,
        primary_key=primary_key,
        primary_indexes=tuple(positions[name] for name in primary_key),
        unique_indexes=tuple(
            index for index, field in enumerate(schema.fields) if field.constraints.get("unique")
        ),
        foreign_keys=foreign_keys,
        may_be_blank=not any(field.constraints.get("required") for field in schema.fields),
    )


def _cell_reader(field: Field, schema: Schema) -> Callable[[str | None], Any]:
    missing = frozenset(
        field.missing_values if field.has_defined("missing_values") else schema.missing_values
    )
    required = bool(field.constraints.get("required")) and "required" in field.supported_constraints
    checks = _constraint_checks(field, field.create_value_reader())
    ok = _all_of(checks)

    def missing_value() -> None:
        if required:
            raise CellInvalid(None, False, ("required",))
        return None

    def invalid(value: Any) -> CellInvalid:
        return CellInvalid(value, False, tuple(name for name, check in checks if not check(value)))

    # A column repeats few distinct values (years, ids, small counts): each text that
    # read cleanly is remembered with its value, so a repeat costs one dict lookup and
    # all records share one object per value. Only immutable values, and only so many.
    known: dict[str, Any] = {}
    remember = field.type in _REMEMBERED_TYPES

    if field.type == "string" and field.format in (None, "default"):

        def read_text(cell: str | None) -> Any:
            value = known.get(cell)  # type: ignore[arg-type]
            if value is not None:
                return value
            if cell is None or cell in missing:
                return missing_value()
            if ok is not None and not ok(cell):
                raise invalid(cell)
            value = intern(cell)
            if len(known) < REMEMBER_LIMIT:
                known[cell] = value
            return value

        return read_text

    convert = _value_reader(field)

    def read(cell: str | None) -> Any:
        value = known.get(cell)  # type: ignore[arg-type]
        if value is not None:
            return value
        if cell is None or cell in missing:
            return missing_value()
        value = convert(cell)
        if value is None:
            raise CellInvalid(None, True)
        if ok is not None and not ok(value):
            raise invalid(value)
        if remember and len(known) < REMEMBER_LIMIT:
            known[cell] = value
        return value

    return read


# Distinct cell texts remembered per field; past this a column is not repetitive.
REMEMBER_LIMIT = 50_000
_REMEMBERED_TYPES = frozenset({"string", "integer", "number", "year", "boolean"})


def _all_of(checks: list[tuple[str, Check]]) -> Check | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0][1]
    if len(checks) == 2:
        first, second = checks[0][1], checks[1][1]
        return lambda value: first(value) and second(value)
    predicates = [check for _name, check in checks]
    return lambda value: all(check(value) for check in predicates)


def _value_reader(field: Field) -> Callable[[str], Any]:
    """Cell text to value, or None when it does not parse; fast paths for the common types."""
    if field.type == "integer" and field.bare_number:  # type: ignore[attr-defined]
        return _parsed_by(int)
    number_options = {"group_char", "decimal_char", "bare_number"}
    if (
        field.type == "number"
        and not field.float_number  # type: ignore[attr-defined]
        and not number_options & set(field.list_defined())
    ):
        return _parsed_by(Decimal)
    # Anything else (dates, booleans, year, number options...) means exactly what
    # Frictionless says it means.
    return field.create_value_reader()


def _parsed_by(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A reader giving ``convert`` of the trimmed cell, or None when it does not parse."""

    def read(cell: str) -> Any:
        try:
            return convert(cell.strip())
        except Exception:
            return None

    return read


_BOUNDS = {
    "minimum": operator.ge,
    "maximum": operator.le,
    "exclusiveMinimum": operator.gt,
    "exclusiveMaximum": operator.lt,
}


def _constraint_checks(field: Field, value_reader: Callable[[Any], Any]) -> list[tuple[str, Check]]:
    """The field's constraints except ``required``, as predicates on a non-None value."""
    checks: list[tuple[str, Check]] = []
    for name in field.supported_constraints:
        constraint = field.constraints.get(name)
        if constraint is None or name == "required":
            continue
        if name in _BOUNDS:
            checks.append((name, _bound(value_reader(constraint), _BOUNDS[name], field.type)))
        elif name == "pattern":
            checks.append((name, compile_pattern(constraint)))
        elif name == "enum":
            allowed = [value_reader(value) for value in constraint]
            checks.append((name, lambda value, allowed=allowed: value in allowed))
        elif name == "minLength":
            checks.append((name, lambda value, limit=constraint: len(value) >= limit))
        elif name == "maxLength":
            checks.append((name, lambda value, limit=constraint: len(value) <= limit))
    return checks


def _bound(limit: Any, compare: Callable[[Any, Any], bool], kind: str) -> Check:
    if kind in ("integer", "year"):
        # compare(value, limit) as one C call; an int is never NaN.
        return partial(_REFLECTED[compare], limit)
    # NaN is not equal to itself and fails every bound, as in Frictionless (a Decimal
    # NaN would raise in the comparison).
    return lambda value: value == value and bool(compare(value, limit))


# compare(value, limit) == reflected(limit, value)
_REFLECTED = {
    operator.ge: operator.le,
    operator.le: operator.ge,
    operator.gt: operator.lt,
    operator.lt: operator.gt,
}
