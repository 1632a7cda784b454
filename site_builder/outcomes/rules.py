"""Checks a Table Schema cannot express: links to the catalog, to folders and across tables.

An error names the file, line and column of a problem, never a count or an amount: the
true counts must not reach a log (SPEC 11), and a CI log can be public.

Each rule is one pass over already-validated rows (dictionary lookups, no nested
loops), because a state's data runs to millions of rows. Rows that failed their schema
never reach these rules, and a rule that needs another table skips keys whose row was
rejected there, so one mistake is reported once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Any

from site_builder.errors import InputError, excerpt, quoted
from site_builder.outcomes.package import LoadedTable
from site_builder.outcomes.records import Attainment, Claim, Funding, Readiness, School
from site_builder.rules.programs import Members, belongs


def _column(table: LoadedTable, name: str) -> int:
    return table.spec.columns.index(name) + 1


def credentials_in_catalog(
    table: LoadedTable, credential_ids: Collection[str], by_code: bool = False
) -> Iterable[InputError]:
    """Every credential_id names a credential of the catalog (``by_code``: the catalog has
    state codes, which ``credentials_by_state_code`` has turned into ids already)."""
    column = _column(table, "credential_id")
    also = " (neither a credential id nor a state code)" if by_code else ""
    for line, record in table.numbered():
        if record.credential_id not in credential_ids:
            yield InputError(
                table.spec.display,
                line,
                column,
                f"credential_id {quoted(record.credential_id)} is not in the catalog{also}",
            )


def credentials_by_state_code(
    table: LoadedTable, state_codes: Mapping[str, str], credential_ids: Collection[str]
) -> Iterable[InputError]:
    """A row may name its credential by the credential's state code (SPEC 8): its record is
    given the credential's id, here, before any other rule reads it. A row that so names a
    credential another row of the file names too, by id or code, repeats the primary key.

    Changes ``table`` in place; the errors name the row's line and the first row's line,
    never another row's values."""
    codes = {code: key for code, key in state_codes.items() if code not in credential_ids}
    if not codes:
        return
    records = table.records
    renamed = False
    for index, record in enumerate(records):
        key = codes.get(record.credential_id)
        if key is not None:
            records[index] = dataclasses.replace(record, credential_id=key)
            renamed = True
    # rejected rows' keys are compared with other tables' rows (credential_id comes last)
    table.rejected_keys = {(*key[:-1], codes.get(key[-1], key[-1])) for key in table.rejected_keys}
    if not renamed:
        return
    column = _column(table, "credential_id")
    key_names = [name for name in table.spec.columns if name not in MINIMUMS and name != "amount_usd"]
    key_of = attrgetter(*key_names)
    first: dict[tuple, int] = {}
    for line, record in table.numbered():
        key = key_of(record)
        if key in first:
            message = (
                f"credential_id: names the same credential as line {first[key]} (one by its id, "
                f"one by its state code): each ({', '.join(key_names)}) once"
            )
            yield InputError(table.spec.display, line, column, message)
        else:
            first[key] = line


def claims_in_programs(
    claims: LoadedTable, members: Members, credential_ids: Collection[str]
) -> Iterable[InputError]:
    """Every claim names a credential that belongs to its program that school year
    (``rules.programs``: a membership of the program in the credential's file whose years,
    when given, hold the year). Only when site.yml defines programs (``members``)."""
    column = _column(claims, "credential_id")
    said: dict[tuple[str, str, int], bool] = {}
    for line, record in claims.numbered():
        claim: Claim = record
        if claim.credential_id not in credential_ids:
            continue  # credentials_in_catalog tells it
        key = (claim.program, claim.credential_id, claim.year)
        if key not in said:
            said[key] = belongs(members, *key)
        if said[key]:
            continue
        if claim.program not in members:
            message = (
                f"program {quoted(claim.program)} is not one of the programs of catalog/site.yml, "
                "so no credential belongs to it"
            )
            yield InputError(claims.spec.display, line, _column(claims, "program"), message)
        else:
            message = (
                f"credential_id: {quoted(claim.credential_id)} does not belong to program "
                f"{quoted(claim.program)} in {claim.year} (see the programs: of its file in catalog/credentials/)"
            )
            yield InputError(claims.spec.display, line, column, message)


#: ids of schools, districts and programs: they name pages and files (/schools/<school_id>/),
#: so they are checked here, whatever the package's own schemas allow
CODE_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$"
CODE_COLUMNS = {
    "schools": ("school_id", "district_id"),
    "funding": ("program",),
    "attainment": ("school_id",),
    "readiness": ("school_id",),
    "claims": ("program", "school_id"),
}
_CODE = re.compile(CODE_PATTERN)


def codes_are_safe(table: LoadedTable) -> Iterable[InputError]:
    """School, district and program ids are codes: letters, digits and ``_ . -`` inside,
    a letter or digit at each end, at most 64 characters (never a path like '../x')."""
    for name in CODE_COLUMNS.get(table.spec.table, ()):
        yield from _failing_rows(table, name, _code_problem)


def _code_problem(value: object) -> str | None:
    if _is_code(value):
        return None
    return f"must be a code of letters, digits and '_', '.' or '-' inside, at most 64 characters (got {excerpt(value)})"


def _failing_rows(
    table: LoadedTable, name: str, problem: Callable[[Any], str | None]
) -> Iterable[InputError]:
    """An error on every row whose ``name`` fails ``problem``; each distinct value is judged
    once (a state's columns hold 1.6 million values and a few thousand distinct ones)."""
    value_of = attrgetter(name)
    said = {value: problem(value) for value in set(map(value_of, table.records))}
    if not any(said.values()):
        return
    column = _column(table, name)
    for line, record in table.numbered():
        if message := said[value_of(record)]:
            yield InputError(table.spec.display, line, column, f"{name}: {message}")


#: the smallest value of each number column, and the years a table may hold (SPEC 4)
MINIMUMS = {name: 0 for name in ("earned", "graduates", "met_points_target", "count")}
MINIMUMS |= {name: Decimal(0) for name in ("allocation_usd", "unit_amount_usd", "amount_usd")}
YEARS = range(2000, 2101)


def numbers_in_range(table: LoadedTable) -> Iterable[InputError]:
    """Counts and dollars are >= 0, years 2000-2100, whatever the package's schemas say:
    the reports' arithmetic and the privacy rules rely on it. One pass of ``min`` and
    ``max`` a column (a state's 1.6 million rows); rows are looked at only when one fails."""
    for name in (name for name in table.spec.columns if name in MINIMUMS or name == "year"):
        values = [value for value in map(attrgetter(name), table.records) if value is not None]
        if name == "year":
            fits = lambda value: type(value) is int and value in YEARS  # noqa: E731
            wanted = "a year from 2000 to 2100"
            whole = all(type(value) is int for value in values)
            clean = whole and (not values or (min(values) >= YEARS.start and max(values) < YEARS.stop))
        else:
            low = MINIMUMS[name]
            # NaN and infinity are told by money_in_whole_cents
            fits = lambda value, low=low: value is None or not _finite(value) or value >= low  # noqa: E731
            wanted = "a number of 0 or more"
            try:
                clean = not values or min(values) >= low
            except (InvalidOperation, TypeError):  # a NaN among them: each value on its own
                clean = all(map(fits, values))
        if clean:
            continue
        column = _column(table, name)
        value_of = attrgetter(name)
        for line, record in table.numbered():
            if not fits(value_of(record)):
                yield InputError(table.spec.display, line, column, f"{name}: must be {wanted}")


def _finite(value: object) -> bool:
    return not isinstance(value, Decimal) or value.is_finite()


def _is_code(value: object) -> bool:
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


#: the longest school, district or county name; they go onto pages, titles and downloads
NAME_CHARS = 200
NAME_COLUMNS = ("name", "district_name", "county")
# control characters and the marks that reorder text: a name is shown as it is written
_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a school, district or county name; None when it can."""
    if len(value) > NAME_CHARS:
        return f"longer than {NAME_CHARS} characters"
    if _NOT_IN_A_NAME.search(value):
        return "holds a control character or a mark that reorders text"
    return None


def plain_names(table: LoadedTable) -> Iterable[InputError]:
    """School, district and county names are plain text of at most ``NAME_CHARS`` characters."""
    for name in NAME_COLUMNS:
        yield from _failing_rows(table, name, name_problem)


def one_name_per_district(table: LoadedTable) -> Iterable[InputError]:
    """Every school of a district gives the district the same name (the pages and downloads
    show one name per district)."""
    column = _column(table, "district_name")
    first: dict[str, tuple[str, int]] = {}
    for line, record in table.numbered():
        school: School = record
        name, seen_at = first.setdefault(school.district_id, (school.district_name, line))
        if school.district_name != name:
            message = f"district_name: differs from the name of district {quoted(school.district_id)} at line {seen_at}"
            yield InputError(table.spec.display, line, column, message)


def year_matches_folder(table: LoadedTable) -> Iterable[InputError]:
    """The year column equals the year folder the file sits in."""
    column = _column(table, "year")
    folder = table.spec.year
    for line, record in table.numbered():
        if record.year != folder:
            yield InputError(
                table.spec.display, line, column, f"year: {record.year} does not match the folder {folder}/"
            )


def target_within_graduates(table: LoadedTable) -> Iterable[InputError]:
    """met_points_target <= graduates: only graduates can have met the target."""
    column = _column(table, "met_points_target")
    for line, record in table.numbered():
        readiness: Readiness = record
        if readiness.met_points_target > readiness.graduates:
            message = "met_points_target: more than graduates on the same row"
            yield InputError(table.spec.display, line, column, message)


def claims_within_attainment(claims: LoadedTable, attainment: LoadedTable | None) -> Iterable[InputError]:
    """count <= earned for the same (year, school, credential); no claim without attainment.

    Skipped where attainment could not be read in full: absent rows would be guesses.
    """
    if attainment is None or not attainment.complete:
        return
    # Keyed without the year: both files sit in one year folder, and a wrong year
    # column is reported on its own by year_matches_folder.
    earned: dict[tuple[str, str], tuple[int, int]] = {}
    for line, record in attainment.numbered():
        row: Attainment = record
        earned[(row.school_id, row.credential_id)] = (row.earned, line)
    rejected = {key[1:] for key in attainment.rejected_keys}
    count_column = _column(claims, "count")
    attainment_file = attainment.spec.display
    for line, record in claims.numbered():
        claim: Claim = record
        key = (claim.school_id, claim.credential_id)
        found = earned.get(key)
        if found is None:
            if key not in rejected:
                message = f"no attainment row for ({claim.year}, {key[0]}, {key[1]}) in {attainment_file}"
                yield InputError(claims.spec.display, line, None, message)
        elif claim.count > found[0]:
            message = f"count: more than earned in {attainment_file} line {found[1]}"
            yield InputError(claims.spec.display, line, count_column, message)


def amounts_match_program(claims: LoadedTable, funding: LoadedTable | None) -> Iterable[InputError]:
    """amount_usd is given for fee-reimbursing programs and empty for flat-rate ones.

    Without it the claim's dollar value (SPEC 5: amount, or count x unit amount) is undefined.
    """
    if funding is None:
        return
    unit_amounts: dict[tuple[int, str], Decimal | None] = {}
    for _line, record in funding.numbered():
        program: Funding = record
        unit_amounts[(program.year, program.program)] = program.unit_amount_usd
    column = _column(claims, "amount_usd")
    for line, record in claims.numbered():
        claim: Claim = record
        key = (claim.year, claim.program)
        if key not in unit_amounts:
            continue
        unit = unit_amounts[key]
        if unit is None and claim.amount_usd is None:
            message = (
                f"amount_usd: a value is required for {quoted(claim.program)}, which reimburses actual fees"
            )
            yield InputError(claims.spec.display, line, column, message)
        elif unit is not None and claim.amount_usd is not None:
            message = f"amount_usd: must be empty for {quoted(claim.program)}, which pays a flat {unit} per credential"
            yield InputError(claims.spec.display, line, column, message)


MONEY_COLUMNS = {"funding": ("allocation_usd", "unit_amount_usd"), "claims": ("amount_usd",)}
CENT = Decimal("0.01")


def money_in_whole_cents(table: LoadedTable) -> Iterable[InputError]:
    """Dollar amounts have at most two decimals: payments are divided to the exact cent."""
    for name in MONEY_COLUMNS.get(table.spec.table, ()):
        column = _column(table, name)
        amount_of = attrgetter(name)
        for line, record in table.numbered():
            amount: Decimal | None = amount_of(record)
            if amount is not None and not _whole_cents(amount):
                yield InputError(
                    table.spec.display,
                    line,
                    column,
                    f"{name}: must be whole cents (at most two decimals)"
                    if amount.is_finite()
                    else f"{name}: must be a number of dollars",
                )


def _whole_cents(amount: Decimal) -> bool:
    # Infinity passes the schema's "minimum: 0" but is no amount of money.
    if not amount.is_finite():
        return False
    try:
        return amount == amount.quantize(CENT)
    except InvalidOperation:  # more digits than Decimal's precision holds
        return False


def check_rules(
    tables: dict[str, LoadedTable],
    credential_ids: Collection[str],
    state_codes: Mapping[str, str] | None = None,
    members: Members | None = None,
) -> list[InputError]:
    """All cross checks over the loaded tables. ``state_codes`` (code -> id) are turned into
    ids first; ``members``: the programs' credentials, None when site.yml defines none."""
    catalog_ids = frozenset(credential_ids)
    funding = tables.get("funding")
    errors: list[Any] = []
    state_codes = state_codes or {}
    for table in tables.values():
        if table.spec.table in ("attainment", "claims"):
            errors.extend(credentials_by_state_code(table, state_codes, catalog_ids))
    for table in tables.values():
        spec = table.spec
        errors.extend(codes_are_safe(table))
        errors.extend(numbers_in_range(table))
        errors.extend(money_in_whole_cents(table))
        if spec.table == "schools":
            errors.extend(plain_names(table))
            errors.extend(one_name_per_district(table))
        if spec.year is None:
            continue
        errors.extend(year_matches_folder(table))
        if spec.table in ("attainment", "claims"):
            errors.extend(credentials_in_catalog(table, catalog_ids, by_code=bool(state_codes)))
        if spec.table == "readiness":
            errors.extend(target_within_graduates(table))
        if spec.table == "claims":
            errors.extend(claims_within_attainment(table, tables.get(f"attainment-{spec.year}")))
            errors.extend(amounts_match_program(table, funding))
            if members is not None:
                errors.extend(claims_in_programs(table, members, catalog_ids))
    return errors
