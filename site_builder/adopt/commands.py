"""``credsite import`` and ``credsite export``: arguments in, lines and an exit code out."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from site_builder.errors import CatalogInvalid, print_errors

from .importer import import_list

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def import_date() -> dt.date:
    """The date a credential gone from the list is retired on: ``SOURCE_DATE_EPOCH``'s day
    when set (reproducible runs), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def run_import(args: argparse.Namespace) -> int:
    catalog_dir: Path = args.catalog or Path("catalog")
    if not catalog_dir.is_dir():
        print(f"credsite: {catalog_dir}: no such catalog folder (give --catalog DIR)", file=sys.stderr)
        return EXIT_USAGE
    if not args.map.is_file():
        print(f"credsite: --map {args.map}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = import_list(args.list, args.map, catalog_dir, args.sheet, args.partial, import_date())
    except CatalogInvalid as invalid:
        print_errors(invalid.errors)
        count = len(invalid.errors)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was imported", file=sys.stderr)
        return EXIT_INVALID
    print_errors(result.errors)
    for note in result.notes:
        print(f"credsite: {note}", file=sys.stderr)
    count = len(result.errors)
    if count and not args.partial:
        print(
            f"{count} error{'s' if count != 1 else ''}; nothing was written "
            "(fix the rows, or give --partial to import the others)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(f"{args.list}: {result.summary()}", file=sys.stderr)
    if count:
        print(f"{count} error{'s' if count != 1 else ''}; those rows were not imported", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def run_export(args: argparse.Namespace, catalog_dir: Path) -> int:
    from site_builder.catalog.loader import load_catalog

    from .exporter import export_catalog, export_map

    if args.map:
        print(export_map(), end="")
        return EXIT_OK
    if args.format is None:
        print("credsite export: give --format xlsx or --format csv (or --map)", file=sys.stderr)
        return EXIT_USAGE
    try:
        catalog = load_catalog(catalog_dir)
    except CatalogInvalid as invalid:
        print_errors(invalid.errors)
        print(f"{len(invalid.errors)} errors; nothing was exported", file=sys.stderr)
        return EXIT_INVALID
    out: Path = args.out or Path(f"credentials.{args.format}")
    if out.is_dir():
        print(f"credsite: --out {out} is a folder; give a file name", file=sys.stderr)
        return EXIT_USAGE
    export_catalog(catalog, out, args.format)
    print(f"{out}: {len(catalog.credentials)} credentials", file=sys.stderr)
    return EXIT_OK
