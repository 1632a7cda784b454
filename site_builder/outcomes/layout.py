"""The shape of the outcome package: which tables exist, where, and how they are declared.

The contract (SPEC 4) fixes five tables and their columns. ``datapackage.json`` must
declare each file once, every year folder must hold all three yearly tables, and no
CSV may sit in the package undeclared (an undeclared file would never be validated).
Problems with the descriptor itself are fatal, because without it the data cannot be
checked; problems with single files only take those files out of the later checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.errors import InputError, display_path, quoted
from site_builder.inputs import OUTCOME_LIMIT, InputRefused, read_input, refusal

DESCRIPTOR_NAME = "datapackage.json"

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("school_id", "name", "district_id", "district_name", "county"),
    "funding": ("year", "program", "allocation_usd", "unit_amount_usd"),
    "attainment": ("year", "school_id", "credential_id", "earned"),
    "readiness": ("year", "school_id", "graduates", "met_points_target"),
    "claims": ("year", "program", "school_id", "credential_id", "count", "amount_usd"),
}
#: the contract's type of each column that is not text, and the columns that may be empty
#: (SPEC 4); checked in every schema, since a pull request may change the schemas too
NUMBER_TYPES: dict[str, str] = {
    "year": "integer",
    "earned": "integer",
    "graduates": "integer",
    "met_points_target": "integer",
    "count": "integer",
    "allocation_usd": "number",
    "unit_amount_usd": "number",
    "amount_usd": "number",
}
OPTIONAL_COLUMNS = frozenset({"unit_amount_usd", "amount_usd"})
SHARED_TABLES = ("schools", "funding")
YEARLY_TABLES = ("attainment", "readiness", "claims")

_YEAR_FOLDER = re.compile(r"^[0-9]{4}$")
#: a schema named by path: relative, inside the package folder, a JSON file
_SCHEMA_PATH = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,200}\.json$")
_YEARLY_PATH = re.compile(r"^([0-9]{4})/(attainment|readiness|claims)\.csv$")

# Normalized (lowercase, no "_", "-" or spaces) column names that point at a person.
_IDENTIFYING = frozenset(
    {
        "studentid",
        "studentname",
        "firstname",
        "lastname",
        "birthdate",
        "dateofbirth",
        "dob",
        "ssn",
        "email",
        "phone",
        "address",
    }
)


def identifies_student(column: str, table: str) -> bool:
    """True for a column that would put student-level data in the package.

    ``name`` is a school's name in schools.csv, but a person's name anywhere else.
    """
    key = re.sub(r"[\s_-]+", "", column).lower()
    return key in _IDENTIFYING or (key == "name" and table != "schools")


def identifying_message(column: str) -> str:
    return f"column {quoted(column)} identifies a student; outcome data must be aggregate counts only"


def expected_resource_name(table: str, year: int | None) -> str:
    """Resources are named after their table (and year), so foreign keys can name them."""
    return table if year is None else f"{table}-{year}"


def expected_path(table: str, year: int | None) -> str:
    return f"{table}.csv" if year is None else f"{year}/{table}.csv"


def package_descriptor(
    years: list[int] | tuple[int, ...], name: str, title: str, description: str, synthetic: bool = False
) -> dict:
    """A datapackage.json in the layout this module expects: the shared schemas by path,
    schools and funding, then three short resource entries per year."""

    def resource(table: str, year: int | None) -> dict:
        return {
            "name": expected_resource_name(table, year),
            "path": expected_path(table, year),
            "profile": "tabular-data-resource",
            "encoding": "utf-8",
            "schema": f"schemas/{table}.json",
        }

    resources = [resource(table, None) for table in SHARED_TABLES]
    for year in years:
        resources += [resource(table, year) for table in YEARLY_TABLES]
    return {
        "name": name,
        "title": title,
        "description": description,
        **({"synthetic": True} if synthetic else {}),
        "profile": "tabular-data-package",
        "resources": resources,
    }


@dataclass(frozen=True)
class TableSpec:
    """One declared CSV file: which contract table it is and where it is declared."""

    resource_name: str
    table: str
    year: int | None
    csv_path: Path
    declared_at: int
    columns: tuple[str, ...]
    #: the folder the file must lie in (``site_builder.inputs``) and its largest size
    root: Path
    limit: int = OUTCOME_LIMIT

    @property
    def display(self) -> str:
        return display_path(self.csv_path)


@dataclass(frozen=True)
class PackagePlace:
    """Where an outcome package is: its contract (``datapackage.json`` and the schemas it
    names) and its data (the CSV files, in the layout the contract declares). They are one
    folder, ``catalog/outcomes/``, for the synthetic sample; a real package keeps its CSV
    files outside the repository (SPEC 11), in a folder given by ``--outcomes``, while its
    contract stays in the repository."""

    contract: Path
    data: Path

    @classmethod
    def of(cls, catalog_dir: Path, data: Path | None = None) -> PackagePlace | None:
        """The package of a catalog: ``catalog/outcomes/``, with the CSV files in ``data``
        when given (and the contract there too when the catalog has none); None when there
        is no package, or its folder is a link (reported by the catalog's scan, never read)."""
        own = catalog_dir / "outcomes"
        has_own = own.is_dir() and not own.is_symlink()
        if data is None:
            return cls(own, own) if has_own else None
        contract = own if has_own and (own / DESCRIPTOR_NAME).is_file() else data
        return cls(contract, data)

    @classmethod
    def at(cls, place: PackagePlace | Path) -> PackagePlace:
        """A place as given: one folder holds both the contract and the data."""
        return place if isinstance(place, PackagePlace) else cls(place, place)

    @property
    def descriptor(self) -> Path:
        return self.contract / DESCRIPTOR_NAME


@dataclass
class Layout:
    """The declared tables, plus every error about the descriptor and the file tree."""

    descriptor_path: Path
    #: the descriptor says ``"synthetic": true`` (made-up data, which may sit in the repository)
    synthetic: bool = False
    specs: list[TableSpec] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    fatal_errors: list[InputError] = field(default_factory=list)
    file_errors: list[InputError] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)


def read_layout(place: PackagePlace | Path) -> Layout:
    """Parse datapackage.json and compare what it declares with the files on disk."""
    place = PackagePlace.at(place)
    outcomes_dir = place.contract
    descriptor_path = place.descriptor
    layout = Layout(descriptor_path)
    where = display_path(descriptor_path)
    descriptor, text = _read_json(descriptor_path, outcomes_dir, layout.fatal_errors)
    if descriptor is None:
        return layout
    layout.synthetic = isinstance(descriptor, dict) and descriptor.get("synthetic") is True
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        layout.fatal_errors.append(
            InputError(where, 1, None, 'must be a JSON object with a "resources" list')
        )
        return layout

    layout.fatal_errors += [
        InputError(where, 1, None, message) for message in _foreign_references(descriptor)
    ]
    schema_cache: dict[str, Any] = {}
    seen_paths: dict[str, int] = {}
    for resource in resources:
        line = _resource_line(text, resource)
        spec = _read_resource(place.data, resource, line, where, layout.fatal_errors)
        if spec is None:
            continue
        relative = expected_path(spec.table, spec.year)
        if relative in seen_paths:
            message = f'"{relative}" is declared twice; first at line {seen_paths[relative]}'
            layout.fatal_errors.append(InputError(where, line, None, message))
            continue
        seen_paths[relative] = line
        _check_schema(outcomes_dir, resource.get("schema"), spec, where, schema_cache, layout.fatal_errors)
        layout.specs.append(spec)

    _check_files(place.data, layout, seen_paths)
    return layout


#: JSON a contract file may hold: numbers of a sensible size, nesting a schema needs
JSON_DIGITS = 30
JSON_DEPTH = 20


class _JsonRefused(ValueError):
    pass


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > JSON_DIGITS:
        raise _JsonRefused(f"a number has more than {JSON_DIGITS} digits")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if len(text) > 2 * JSON_DIGITS or value in (float("inf"), float("-inf")):
        raise _JsonRefused(f"a number has more than {JSON_DIGITS} digits")
    return value


def _json_constant(name: str) -> None:
    raise _JsonRefused(f"{name} is not a JSON number; write a number or remove the value")


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list) and depth > deepest:
            deepest = depth
            if depth > JSON_DEPTH:
                break
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def parse_json(text: str) -> Any:
    """JSON as a contract file may hold it; ``ValueError`` (``json.JSONDecodeError`` with a
    position when the syntax is wrong) for anything else: NaN, Infinity, numbers of more
    than ``JSON_DIGITS`` digits, nesting deeper than ``JSON_DEPTH``. Bounded, so no file
    makes the build (or Frictionless after it) recurse or compute without end."""
    try:
        value = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except RecursionError:
        raise _JsonRefused(f"nested more than {JSON_DEPTH} levels deep") from None
    if _depth(value) > JSON_DEPTH:
        raise _JsonRefused(f"nested more than {JSON_DEPTH} levels deep")
    return value


def _read_json(path: Path, root: Path, errors: list[InputError]) -> tuple[Any, str]:
    """The parsed JSON and its text, or None after recording why it cannot be read."""
    where = display_path(path)
    if not path.exists() and not path.is_symlink():
        errors.append(InputError(where, 1, None, "file not found"))
        return None, ""
    try:
        data = read_input(path, root)
    except InputRefused as refused:
        errors.append(refused.error)
        return None, ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        errors.append(InputError(where, _line_at(data, error.start), None, "not valid UTF-8"))
        return None, ""
    try:
        return parse_json(text), text
    except json.JSONDecodeError as error:
        errors.append(InputError(where, error.lineno, error.colno, f"not valid JSON: {error.msg}"))
    except _JsonRefused as error:
        errors.append(InputError(where, 1, None, f"not accepted: {error}"))
    return None, text


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _resource_line(text: str, resource: Any) -> int:
    """Line of a resource entry, found by its path (or name), for pointing at the entry.

    JSON parsers drop positions; the descriptor is small, so a text search is enough.
    """
    for key in ("path", "name"):
        value = resource.get(key) if isinstance(resource, dict) else None
        if isinstance(value, str):
            match = re.search(rf'"{key}"\s*:\s*{re.escape(json.dumps(value))}', text)
            if match:
                return text.count("\n", 0, match.start()) + 1
    return 1


_PROFILES = {
    "package": ("data-package", "tabular-data-package"),
    "resource": ("data-resource", "tabular-data-resource"),
}


def _foreign_references(descriptor: dict[str, Any]) -> list[str]:
    """What the descriptor names that Frictionless would read from elsewhere: a profile
    other than the standard ones (a web address or a file), a dialect in another file."""
    problems = []
    entries = [("package", descriptor)] + [
        ("resource", resource) for resource in descriptor["resources"] if isinstance(resource, dict)
    ]
    for kind, entry in entries:
        profiles = [entry.get("profile")] if "profile" in entry else []
        # Frictionless reads the first of a list "profiles" (Data Package v2) as the profile
        given = entry.get("profiles", [])
        profiles += given if isinstance(given, list) else [given]
        if any(profile not in _PROFILES[kind] for profile in profiles) or "$schema" in entry:
            names = " or ".join(f'"{name}"' for name in _PROFILES[kind])
            problems.append(f"a {kind}'s profile must be {names}; no other profile is read")
        if kind == "resource" and "dialect" in entry and not isinstance(entry["dialect"], dict):
            problems.append("a resource's dialect must be written in the descriptor; no other file is read")
    return sorted(set(problems))


def _read_resource(
    outcomes_dir: Path, resource: Any, line: int, where: str, errors: list[InputError]
) -> TableSpec | None:
    """Which contract table a resource entry declares, judged by its path."""
    if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
        errors.append(InputError(where, line, None, 'each resource needs a "path" string'))
        return None
    path = resource["path"]
    if path in ("schools.csv", "funding.csv"):
        table, year = path.removesuffix(".csv"), None
    elif match := _YEARLY_PATH.fullmatch(path):
        table, year = match.group(2), int(match.group(1))
    else:
        message = (
            f"path {quoted(path)} is not an outcome table; expected schools.csv, funding.csv "
            "or <year>/attainment.csv, <year>/readiness.csv, <year>/claims.csv"
        )
        errors.append(InputError(where, line, None, message))
        return None
    name = expected_resource_name(table, year)
    if resource.get("name") != name:
        errors.append(
            InputError(where, line, None, f'the resource for {quoted(path)} must be named "{name}"')
        )
        return None
    return TableSpec(name, table, year, outcomes_dir / path, line, TABLE_COLUMNS[table], outcomes_dir)


def _check_schema(
    outcomes_dir: Path,
    schema: Any,
    spec: TableSpec,
    where: str,
    cache: dict[str, Any],
    errors: list[InputError],
) -> None:
    """The schema must describe exactly the contract's columns, so records can be built."""
    if isinstance(schema, str):
        if not _SCHEMA_PATH.fullmatch(schema) or ".." in schema.split("/"):
            message = (
                f'resource "{spec.resource_name}": the schema must be a file inside the package folder, '
                f"named by a relative path like schemas/{spec.table}.json"
            )
            errors.append(InputError(where, spec.declared_at, None, message))
            return
        schema_path = outcomes_dir / schema
        if schema not in cache:
            schema_errors: list[InputError] = []
            cache[schema] = _read_json(schema_path, outcomes_dir, schema_errors)[0]
            if schema_errors and (schema_path.exists() or schema_path.is_symlink()):
                errors.extend(schema_errors)
            elif schema_errors:
                message = f"schema file {quoted(schema)} does not exist"
                errors.append(InputError(where, spec.declared_at, None, message))
        descriptor, schema_where = cache[schema], display_path(schema_path)
    elif isinstance(schema, dict):
        descriptor, schema_where = schema, where
    else:
        errors.append(
            InputError(where, spec.declared_at, None, f'resource "{spec.resource_name}" needs a "schema"')
        )
        return
    if descriptor is None:
        return
    fields = descriptor.get("fields") if isinstance(descriptor, dict) else None
    names = [f.get("name") for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []
    line = 1 if schema_where != where else spec.declared_at
    for name in names:
        if isinstance(name, str) and identifies_student(name, spec.table):
            errors.append(InputError(schema_where, line, None, identifying_message(name)))
    kept = [name for name in names if not (isinstance(name, str) and identifies_student(name, spec.table))]
    if tuple(kept) != spec.columns and len(kept) == len(names):
        message = f"the {spec.table} schema must have the fields {', '.join(spec.columns)}"
        errors.append(InputError(schema_where, line, None, message))
    elif tuple(names) == spec.columns:
        errors += [InputError(schema_where, line, None, message) for message in _contract_types(fields)]


def _contract_types(fields: list[Any]) -> list[str]:
    """Each field's type and ``required`` as the contract has them: the build's records
    are built from the cells these schemas read."""
    problems = []
    for field_descriptor in fields:
        name = field_descriptor["name"]
        wanted = NUMBER_TYPES.get(name, "string")
        if field_descriptor.get("type", "string") != wanted:
            problems.append(f'field {quoted(name)} must have "type": "{wanted}"')
        constraints = field_descriptor.get("constraints")
        required = isinstance(constraints, dict) and constraints.get("required") is True
        if not required and name not in OPTIONAL_COLUMNS:
            problems.append(f'field {quoted(name)} must have "constraints": {{"required": true}}')
    return problems


def _check_files(outcomes_dir: Path, layout: Layout, declared: dict[str, int]) -> None:
    """Every declared file exists, every CSV is declared, every year has all three tables."""
    where = display_path(layout.descriptor_path)
    for spec in layout.specs:
        problem = refusal(spec.csv_path, outcomes_dir, spec.limit)
        if problem == "not found":
            relative = expected_path(spec.table, spec.year)
            message = f'resource "{spec.resource_name}": file "{relative}" does not exist'
            layout.file_errors.append(InputError(where, spec.declared_at, None, message))
            layout.missing.add(spec.resource_name)
        elif problem is not None:
            layout.file_errors.append(InputError(spec.display, 1, None, problem))
            layout.missing.add(spec.resource_name)

    year_dirs = [
        p
        for p in outcomes_dir.iterdir()
        if p.is_dir() and not p.is_symlink() and _YEAR_FOLDER.fullmatch(p.name)
    ]
    on_disk = [p for p in outcomes_dir.glob("*.csv")]
    for year_dir in year_dirs:
        on_disk.extend(year_dir.glob("*.csv"))
    for csv_path in sorted(on_disk):
        relative = csv_path.relative_to(outcomes_dir).as_posix()
        if relative not in declared:
            message = f"file is not described in {DESCRIPTOR_NAME}; add a resource for it or remove it"
            layout.file_errors.append(InputError(display_path(csv_path), 1, None, message))

    years = {int(p.name) for p in year_dirs} | {s.year for s in layout.specs if s.year is not None}
    layout.years = sorted(years)
    needed = [(table, None) for table in SHARED_TABLES]
    needed += [(table, year) for year in layout.years for table in YEARLY_TABLES]
    for table, year in needed:
        relative = expected_path(table, year)
        csv_path = outcomes_dir / relative
        if relative not in declared and not csv_path.exists():
            message = f'missing: the package needs this file, declared as resource "{expected_resource_name(table, year)}"'
            layout.file_errors.append(InputError(display_path(csv_path), 1, None, message))
