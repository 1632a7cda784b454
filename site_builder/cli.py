"""The ``credsite`` command line: parse arguments, call the library, print, set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from site_builder import build as pipeline
from site_builder.build import BadEnvironment
from site_builder.errors import CatalogInvalid, print_errors
from site_builder.output import UnsafeOutput
from site_builder.paths import default_catalog
from site_builder.protection import SCHEDULER_VARIABLE, ClusterFailed, DisclosureRisk
from site_builder.registry.commands import add_publish_command, run_publish

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

REPORTS_FROM_HELP = (
    "draw the report pages and outcome downloads from a copy of a published site's data/ folder "
    "(its CSV files, report-<year>.json files and datapackage.json) instead of the outcome data, "
    "which is not read; for builds that never see the data"
)


def _add_outcome_options(command: argparse.ArgumentParser, reports_from: bool) -> None:
    """Where the outcome data comes from: ``--outcomes``, and ``--reports-from`` for the
    commands that draw pages."""
    command.add_argument(
        "--outcomes",
        type=Path,
        help="folder with the outcome data's CSV files, kept outside the repository "
        "(default: $CREDSITE_OUTCOMES, else catalog/outcomes/)",
    )
    if reports_from:
        command.add_argument("--reports-from", type=Path, metavar="DIR", help=REPORTS_FROM_HELP)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credsite",
        description="Validate a credential catalog and build its public website.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate, compute, render and index the site")
    build.add_argument(
        "--catalog", type=Path, help="catalog folder (default: ./catalog, else the bundled sample)"
    )
    build.add_argument("--out", type=Path, default=Path("public"), help="output folder (default: public/)")
    build.add_argument("--quiet", action="store_true", help="print errors only")
    _add_outcome_options(build, reports_from=True)
    build.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "protect the outcome tables on the Dask cluster whose scheduler is at ADDRESS "
            f"(default: ${SCHEDULER_VARIABLE}, else a local cluster when the data is large)"
        ),
    )

    validate = commands.add_parser("validate", help="validate the catalog and its outcome data only")
    validate.add_argument(
        "--catalog", type=Path, help="catalog folder (default: ./catalog, else the bundled sample)"
    )
    validate.add_argument("--quiet", action="store_true", help="print errors only")
    validate.add_argument(
        "--complete",
        action="store_true",
        help="also fail on every fact a credential or issuer file leaves out (a fully documented list)",
    )
    _add_outcome_options(validate, reports_from=False)

    serve = commands.add_parser("serve", help="build, serve on localhost and rebuild on every change")
    serve.add_argument(
        "--catalog", type=Path, help="catalog folder (default: ./catalog, else the bundled sample)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    _add_outcome_options(serve, reports_from=True)

    diff = commands.add_parser(
        "diff", help="Markdown summary of catalog changes between git revisions (for a pull request)"
    )
    diff.add_argument("base", metavar="BASE", help="the revision to compare from, e.g. origin/main")
    diff.add_argument(
        "head", metavar="HEAD", nargs="?", help="the revision to compare to (default: the working tree)"
    )
    diff.add_argument(
        "--catalog", type=Path, help="catalog folder (default: ./catalog, else the bundled sample)"
    )
    _add_adopt_commands(commands)
    ctid = commands.add_parser(
        "ctid",
        help="list the files without a CTID (exit 1 if any), or write one into each with --assign",
    )
    ctid.add_argument(
        "--assign",
        action="store_true",
        help="write ctid: ce-<uuid> into every credential file and site.yml that has none",
    )
    ctid.add_argument("--catalog", type=Path, help="catalog folder (default: ./catalog)")
    add_publish_command(commands)
    return parser


def _add_adopt_commands(commands: argparse._SubParsersAction) -> None:
    """``import`` and ``export`` (SPEC 8): from and to a state's spreadsheet."""
    importing = commands.add_parser(
        "import", help="import a state's list (.xlsx, .ods or .csv) into the catalog"
    )
    importing.add_argument(
        "list", metavar="LIST", type=Path, help="the list: an .xlsx, .xls, .ods or .csv file"
    )
    importing.add_argument(
        "--map", type=Path, required=True, metavar="MAP.yml", help="which column holds which fact"
    )
    importing.add_argument("--catalog", type=Path, help="catalog folder (default: ./catalog)")
    importing.add_argument(
        "--sheet", metavar="NAME", help="the workbook's sheet (default: MAP.yml's, else the first)"
    )
    importing.add_argument(
        "--partial", action="store_true", help="import the rows without errors even when other rows have some"
    )
    exporting = commands.add_parser("export", help="write the catalog as the state office's spreadsheet")
    exporting.add_argument("--format", choices=("xlsx", "csv"), help="file format")
    exporting.add_argument(
        "--catalog", type=Path, help="catalog folder (default: ./catalog, else the bundled sample)"
    )
    exporting.add_argument(
        "--out", type=Path, help="file to write (default: credentials.xlsx or credentials.csv)"
    )
    exporting.add_argument(
        "--map", action="store_true", help="print the MAP.yml that imports an exported file"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    catalog_dir: Path = args.catalog or default_catalog()
    if args.command == "diff":
        return _diff(catalog_dir, args.base, args.head)
    if args.command == "ctid":
        return _ctid(args.catalog or Path("catalog"), args.assign)
    if args.command == "publish":
        return run_publish(args, catalog_dir)
    if args.command in ("import", "export"):
        from site_builder.adopt.commands import run_export, run_import

        return run_import(args) if args.command == "import" else run_export(args, catalog_dir)
    outcomes_dir = _outcomes_dir(args.outcomes)
    if outcomes_dir is not None and not outcomes_dir.is_dir():
        print(f"credsite: --outcomes {outcomes_dir}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    reports_from: Path | None = getattr(args, "reports_from", None)
    if reports_from is not None:
        problem = _reports_from_problem(reports_from, args.outcomes)
        if problem:
            print(f"credsite: --reports-from {reports_from}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        outcomes_dir = None
    if args.command == "serve":
        return _serve(catalog_dir, args.port, outcomes_dir, reports_from)
    progress = (lambda _: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    try:
        if args.command == "build":
            pipeline.build(catalog_dir, args.out, progress, outcomes_dir, reports_from, args.scheduler)
        else:
            pipeline.validate(catalog_dir, progress, outcomes_dir=outcomes_dir, complete=args.complete)
            if not args.quiet:
                print(f"{catalog_dir}: valid")
    except (UnsafeOutput, BadEnvironment, ClusterFailed) as problem:
        print(f"credsite: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except DisclosureRisk as risk:
        print(f"credsite: {risk}; nothing was built", file=sys.stderr)
        return EXIT_INVALID
    except CatalogInvalid as invalid:
        print_errors(invalid.errors)
        count = len(invalid.errors)
        print(
            f"{count} error{'s' if count != 1 else ''}; nothing was built"
            if args.command == "build"
            else f"{count} error{'s' if count != 1 else ''}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return EXIT_OK


def _outcomes_dir(given: Path | None) -> Path | None:
    """``--outcomes``, else ``CREDSITE_OUTCOMES``, else None (the catalog's own package)."""
    if given is not None:
        return given
    from_environment = os.environ.get("CREDSITE_OUTCOMES")
    return Path(from_environment) if from_environment else None


def _reports_from_problem(reports_from: Path, outcomes: Path | None) -> str | None:
    """Why ``--reports-from`` cannot be used so (a usage error), or None."""
    if not reports_from.is_dir():
        return "no such folder"
    if outcomes is not None or os.environ.get("CREDSITE_OUTCOMES"):
        given = "--outcomes" if outcomes is not None else "CREDSITE_OUTCOMES"
        return f"the reports come from the published files or from the outcome data, not both (drop {given})"
    return None


def _diff(catalog_dir: Path, base: str, head: str | None) -> int:
    """Print the change report; exit 1 when HEAD is invalid or a CTID was changed or lost
    (the report is printed all the same)."""
    from site_builder.diff import compare_revisions, render_markdown
    from site_builder.history import GitError

    try:
        report = compare_revisions(catalog_dir, base, head)
    except GitError as problem:
        print(f"credsite: {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(render_markdown(report), end="")
    return EXIT_INVALID if report.head_errors or report.ctid_errors else EXIT_OK


def _ctid(catalog_dir: Path, assign: bool) -> int:
    """List the files without a CTID (exit 1 if any), or write one into each (``--assign``);
    an invalid catalog is refused with its errors, as ``validate`` prints them."""
    from site_builder.catalog.loader import load_catalog
    from site_builder.ctids import assign_ctids, without_ctid
    from site_builder.errors import display_path

    if not catalog_dir.is_dir():
        print(f"credsite: {catalog_dir}: no such catalog folder (give --catalog DIR)", file=sys.stderr)
        return EXIT_USAGE
    try:
        catalog = load_catalog(catalog_dir)
    except CatalogInvalid as invalid:
        print_errors(invalid.errors)
        count = len(invalid.errors)
        print(
            f"{count} error{'s' if count != 1 else ''}" + ("; no CTID was written" if assign else ""),
            file=sys.stderr,
        )
        return EXIT_INVALID
    if assign:
        written = assign_ctids(catalog)
        for path, ctid in written:
            print(f"{display_path(path)}: ctid {ctid}")
        count = len(written)
        print(
            f"{count} CTID{'s' if count != 1 else ''} written"
            if count
            else "0 CTIDs written: every credential and site.yml have one"
        )
        return EXIT_OK
    missing = without_ctid(catalog)
    for path in missing:
        print(f"{display_path(path)}: no CTID yet")
    if missing:
        count = len(missing)
        print(
            f"{count} file{'s' if count != 1 else ''} without a CTID; run credsite ctid --assign",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(f"{catalog_dir}: every credential and site.yml have a CTID")
    return EXIT_OK


def _serve(catalog_dir: Path, port: int, outcomes_dir: Path | None, reports_from: Path | None = None) -> int:
    """Serve until SIGTERM or Ctrl-C (SIGINT), either of which ends it with status 0 and no
    temporary folder left behind, even during a build."""
    from site_builder.serve import Server, Stop, stopped_by_signals

    if not 0 <= port <= 65535:
        print(f"credsite: --port {port} is not a port number", file=sys.stderr)
        return EXIT_USAGE
    with stopped_by_signals():
        try:
            server = Server(
                catalog_dir,
                port,
                lambda message: print(message, file=sys.stderr),
                outcomes_dir=outcomes_dir,
                reports_from=reports_from,
            )
        except OSError as error:
            print(f"credsite: cannot serve on port {port}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
        except Stop:
            return EXIT_OK  # during the first build; the server removed its folder
        try:
            print(f"Serving on http://127.0.0.1:{server.port}/ (Ctrl-C to stop)", file=sys.stderr)
            server.stopped.wait()
        except Stop:
            pass
        finally:
            server.stop()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
