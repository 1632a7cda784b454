"""Validate the package's rows against its Table Schemas, and build records in the same pass.

Frictionless reads ``datapackage.json`` and the schemas and validates them as metadata;
the rows are checked by ``rows.py``, which streams each file once (Frictionless' own
row validation takes most of a minute on a state's data). Files are read shared tables
first, so the key sets that foreign keys look up (schools, funding) are ready before
the yearly tables that point at them. A file that is not clean CSV is reported by the
raw check alone, and foreign keys that point at it are dropped, so one broken file does
not turn into one error per row elsewhere.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field
from typing import Any

from frictionless import FrictionlessException, Package, Resource, helpers
from frictionless import errors as fl

from site_builder.errors import InputError, display_path, one_line, quoted
from site_builder.inputs import open_input
from site_builder.outcomes.layout import SHARED_TABLES, YEARLY_TABLES, Layout, TableSpec
from site_builder.outcomes.messages import NOTE_CHARS, translate_other, translate_problems
from site_builder.outcomes.rawfile import RawCheck, check_raw_csv
from site_builder.outcomes.records import Attainment, Claim, Funding, Readiness, School
from site_builder.outcomes.rows import ERROR_LIMIT, KeySet, Problem, TableRead, read_table
from site_builder.outcomes.schema import CellInvalid, SchemaInvalid, TableRules, compile_schema

Record = School | Funding | Attainment | Readiness | Claim

# The contract's columns are the records' fields, in order: a row's values build its record.
RECORD_TYPES: dict[str, type] = {
    "schools": School,
    "funding": Funding,
    "attainment": Attainment,
    "readiness": Readiness,
    "claims": Claim,
}


@dataclass
class LoadedTable:
    """The valid rows of one file, as records and the line each starts on.

    ``rejected_keys`` holds the primary keys of rows that failed validation, so rules
    about other tables can tell "absent" from "present but invalid". ``complete`` is
    False when the file was not read to the end.
    """

    spec: TableSpec
    records: list[Any] = field(default_factory=list)
    lines: array = field(default_factory=lambda: array("I"))
    rejected_keys: set[tuple[Any, ...]] = field(default_factory=set)
    complete: bool = True

    def numbered(self) -> zip:
        """``(line, record)`` pairs, in file order."""
        return zip(self.lines, self.records, strict=True)


def validation_order(specs: list[TableSpec]) -> list[TableSpec]:
    """Shared tables first, then each year's tables: the order a reader expects errors in."""
    tables = SHARED_TABLES + YEARLY_TABLES
    return sorted(specs, key=lambda spec: (spec.year or 0, tables.index(spec.table)))


def validate_package(
    layout: Layout, error_limit: int = ERROR_LIMIT
) -> tuple[dict[str, LoadedTable], list[InputError]]:
    """Validate every declared file that exists; loaded tables by resource name, and errors."""
    where = display_path(layout.descriptor_path)
    try:
        package = Package(str(layout.descriptor_path))
    except FrictionlessException as exception:
        errors = [InputError(where, 1, None, f"invalid data package: {_reasons(exception)}")]
        for spec in layout.specs:
            if spec.resource_name not in layout.missing:
                errors.extend(check_raw_csv(spec).errors)
        return {}, errors
    return _Validation(package, layout, error_limit).run()


def row_problems(layout: Layout, error_limit: int = ERROR_LIMIT) -> dict[str, list[Problem]]:
    """Each read file's problems as Frictionless would report them (for comparing the two)."""
    validation = _Validation(Package(str(layout.descriptor_path)), layout, error_limit)
    validation.run()
    return validation.problems


class _Validation:
    """One run over the package: the files in order, and the key sets shared between them."""

    def __init__(self, package: Package, layout: Layout, error_limit: int):
        self.package = package
        self.layout = layout
        self.error_limit = error_limit
        self.specs = {spec.resource_name: spec for spec in layout.specs}
        self.reference_files = {resource.name: resource.path for resource in package.resources}
        self.skipped: set[str] = set(layout.missing)
        self.rules: dict[str, TableRules | None] = {}
        self.key_sets: dict[tuple[str, tuple[str, ...]], KeySet] = {}
        self.errors: list[InputError] = []
        self.problems: dict[str, list[Problem]] = {}
        self.referenced = self._referenced_keys()

    def run(self) -> tuple[dict[str, LoadedTable], list[InputError]]:
        loaded: dict[str, LoadedTable] = {}
        for spec in validation_order(self.layout.specs):
            if spec.resource_name in self.layout.missing:
                continue
            table = self._validate(spec)
            if table is not None:
                loaded[spec.resource_name] = table
        return loaded, self.errors

    def _referenced_keys(self) -> dict[str, list[tuple[str, ...]]]:
        """Per resource, the field lists other tables' foreign keys look up in it."""
        referenced: dict[str, list[tuple[str, ...]]] = {}
        for resource in self.package.resources:
            for foreign_key in _foreign_keys(resource):
                target = foreign_key["reference"]["resource"] or resource.name
                names = tuple(foreign_key["reference"]["fields"])
                if names not in referenced.setdefault(target, []):
                    referenced[target].append(names)
        return referenced

    def _rules(self, name: str) -> TableRules | None:
        """The compiled schema, or None (and the errors recorded) if the metadata is invalid."""
        if name not in self.rules:
            resource = self.package.get_resource(name)
            try:
                resource.to_descriptor(validate=True)
                self.rules[name] = compile_schema(resource.schema)
            except FrictionlessException as exception:
                self.rules[name] = None
                self._fail(name, exception.to_errors())
            except SchemaInvalid as invalid:
                self.rules[name] = None
                self.errors.append(InputError(self.specs[name].display, 1, None, f"its schema: {invalid}"))
            except (CellInvalid, ValueError, TypeError, ArithmeticError):
                # a constraint whose value does not fit the field's type ("minimum": "x")
                self.rules[name] = None
                message = "its schema has a constraint whose value does not fit its field's type"
                self.errors.append(InputError(self.specs[name].display, 1, None, message))
        return self.rules[name]

    def _fail(self, name: str, errors: list[Any]) -> None:
        """A resource Frictionless would not open: its errors, unless its file is not clean CSV."""
        spec = self.specs[name]
        raw = check_raw_csv(spec)
        if raw.usable:
            self.errors.extend(translate_other(error, spec) for error in errors)
        else:
            self._skip(spec, raw)

    def _skip(self, spec: TableSpec, raw: RawCheck) -> None:
        self.errors.extend(raw.errors)
        self.skipped.add(spec.resource_name)

    def _validate(self, spec: TableSpec) -> LoadedTable | None:
        name = spec.resource_name
        rules = self._rules(name)
        if rules is None:
            # Invalid metadata: no rows, and nothing complete to cross-check against.
            return None if name in self.skipped else LoadedTable(spec, complete=False)
        lookups = self._lookups(name, rules)
        if lookups is None:
            return None if name in self.skipped else LoadedTable(spec, complete=False)
        read = read_table(
            spec, rules, lookups, self.referenced.get(name, []), RECORD_TYPES[spec.table], self.error_limit
        )
        if read.raw is not None:
            self._skip(spec, read.raw)
            return None
        self._keep_key_sets(name, read)
        self.problems[name] = read.problems
        fields = {reader.name: reader.descriptor for reader in rules.fields}
        errors = translate_problems(read.problems, spec, fields, self.reference_files)
        table = LoadedTable(spec, read.records, read.lines, read.rejected_keys)
        if any(problem.type == "unique-error" for problem in read.problems):
            table.complete = False  # as before: not a row error the rules know about
        if read.stopped:
            table.complete = False
            last_line = max((error.line for error in errors), default=1)
            message = f"stopped checking this file after {self.error_limit} errors"
            errors.append(InputError(spec.display, last_line, None, message))
        else:
            stats = _declared_stats_errors(self.package.get_resource(name), spec, read, len(rules.fields))
            errors.extend(translate_other(error, spec) for error in stats)
            if stats:
                table.complete = False
        self.errors.extend(errors)
        return table

    def _lookups(self, name: str, rules: TableRules) -> list[KeySet | None] | None:
        """Per foreign key, the key set it looks up (None: not checked), or None if it cannot run.

        Frictionless refuses to validate a table whose foreign key names a resource the
        package does not have; that is one error for the file, as there.
        """
        lookups: list[KeySet | None] = []
        for foreign_key in rules.foreign_keys:
            target = foreign_key.reference or name
            if target not in self.specs:
                note = (
                    f'failed to handle a foreign key for resource "{name}" as resource '
                    f"{quoted(target)} does not exist"
                )
                self._fail(name, [fl.ResourceError(note=note)])
                return None
            key = (target, foreign_key.reference_fields)
            if key not in self.key_sets and target not in self.skipped:
                self._read_keys_ahead(target)
            lookups.append(None if target in self.skipped else self.key_sets.get(key, set()))
        return lookups

    def _read_keys_ahead(self, name: str) -> None:
        """Key sets of a table not read yet (a reference to itself or to a later table)."""
        rules = self._rules(name)
        if rules is None:
            self.skipped.add(name)
            return
        read = read_table(
            self.specs[name], rules, [None] * len(rules.foreign_keys), self.referenced.get(name, []), None
        )
        if read.raw is not None:
            # Its errors are reported when the file's own turn comes.
            self.skipped.add(name)
            return
        self._keep_key_sets(name, read)

    def _keep_key_sets(self, name: str, read: TableRead) -> None:
        for names, key_set in read.key_sets.items():
            self.key_sets.setdefault((name, names), key_set)


def _foreign_keys(resource: Resource) -> list[dict[str, Any]]:
    try:
        return list(resource.schema.foreign_keys) if resource.schema else []
    except FrictionlessException:
        return []


def _declared_stats_errors(resource: Resource, spec: TableSpec, read: TableRead, width: int) -> list[Any]:
    """Frictionless' end-of-file checks of a descriptor's hash, bytes, fields and rows, if declared."""
    errors: list[Any] = []
    checks = []
    if resource.hash:
        algorithm, expected = helpers.parse_resource_hash_v1(resource.hash)
        if algorithm in ("md5", "sha256"):
            checks.append((fl.HashCountError, expected, _file_hash(spec, algorithm)))
    if resource.bytes:
        checks.append((fl.ByteCountError, resource.bytes, spec.csv_path.lstat().st_size))
    if resource.fields:
        checks.append((fl.FieldCountError, resource.fields, width))
    if resource.rows:
        checks.append((fl.RowCountError, resource.rows, read.row_count))
    for error_type, expected_value, actual in checks:
        if expected_value != actual:
            errors.append(
                error_type(note=f'expected is {quoted(str(expected_value))} and actual is "{actual}"')
            )
    return errors


def _file_hash(spec: TableSpec, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open_input(spec.csv_path, spec.root, spec.limit) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reasons(exception: FrictionlessException) -> str:
    notes = [error.note for error in exception.reasons] or [exception.error.note]
    return "; ".join(one_line(note, NOTE_CHARS) for note in dict.fromkeys(notes))
