"""``credsite publish``: a built site's CTDL to the Credential Registry; arguments in, lines
and an exit code out (the work is in ``publish``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.errors import CatalogInvalid, display_path, print_errors

from .publish import (
    ENVIRONMENTS,
    BadSetting,
    Plan,
    PublishFailed,
    PublishRefused,
    api_key,
    assistant_url,
    plan_publication,
    send,
    write_payloads,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
#: where a dry run writes its payloads unless --payloads says otherwise
DEFAULT_PAYLOADS = Path("registry-payloads")


def add_publish_command(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish",
        help="publish a built site's credentials and list to the Credential Registry (or, with "
        "--dry-run, only write and check the requests)",
    )
    publish.add_argument(
        "--site", type=Path, default=Path("public"), help="the built site (default: public/)"
    )
    publish.add_argument(
        "--catalog",
        type=Path,
        help="catalog folder, for site.yml's agency.ctid (default: ./catalog, else the bundled sample)",
    )
    publish.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        default="sandbox",
        help="the Registry to publish to (default: sandbox)",
    )
    publish.add_argument(
        "--dry-run",
        action="store_true",
        help="write and check the requests, send nothing (no API key needed)",
    )
    publish.add_argument(
        "--payloads",
        type=Path,
        metavar="DIR",
        help=f"write each request's body to DIR/<ctid>.json (a dry run's default: {DEFAULT_PAYLOADS}/)",
    )
    publish.add_argument(
        "--assistant-url",
        metavar="URL",
        help="the Registry Assistant API's base URL (default: $CREDENTIAL_REGISTRY_ASSISTANT_URL, "
        "else the environment's)",
    )


def _problems(lines: list[str]) -> int:
    for line in lines:
        print(f"credsite publish: {line}", file=sys.stderr)
    count = len(lines)
    print(f"{count} problem{'s' if count != 1 else ''}; nothing was sent", file=sys.stderr)
    return EXIT_INVALID


def run_publish(args: argparse.Namespace, catalog_dir: Path) -> int:
    environment = ENVIRONMENTS[args.env]
    if not (args.site / "data").is_dir():
        print(
            f"credsite: --site {args.site}: no built site there (run credsite build first)", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        assistant = assistant_url(args.assistant_url, os.environ, environment)
        key = None if args.dry_run else api_key(os.environ)
    except BadSetting as problem:
        print(f"credsite: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        site = load_catalog(catalog_dir).site
    except CatalogInvalid as invalid:
        print_errors(invalid.errors)
        return EXIT_INVALID
    publisher = site.agency.ctid if site.agency is not None else None
    found = []
    if publisher is None and not args.dry_run:
        found.append(
            f"{display_path(catalog_dir / 'site.yml')}: agency.ctid is not set: publishing needs the CTID "
            "of the agency's organization in the Credential Registry (its Credential Engine account shows it)"
        )
    try:
        plan = plan_publication(args.site, environment, publisher)
    except PublishRefused as refused:
        return _problems(found + refused.problems)
    if found:
        return _problems(found)
    folder = args.payloads or (DEFAULT_PAYLOADS if args.dry_run else None)
    if folder is not None:
        write_payloads(plan, folder)
    if args.dry_run:
        _summary(plan, assistant, folder or DEFAULT_PAYLOADS)
        return EXIT_OK
    assert key is not None
    try:
        count = send(plan, key, assistant, progress=print)
    except PublishFailed as failure:
        print(f"credsite publish: {failure}", file=sys.stderr)
        return EXIT_INVALID
    print(f"published {count} resource{'s' if count != 1 else ''} to the {environment.name} Registry")
    return EXIT_OK


def _summary(plan: Plan, assistant: str, folder: Path) -> None:
    """What a dry run would have sent, in order, and what it only references."""
    count = len(plan.payloads)
    print(
        f"dry run for the {plan.environment.name} Registry, nothing sent: {count} request"
        f"{'s' if count != 1 else ''} written to {display_path(folder)}/, in the order they would be sent"
    )
    for payload in plan.payloads:
        print(f"  {payload.file_name}  POST {assistant}{payload.endpoint}  {payload.type} {payload.name}")
    if plan.referenced:
        print(f"referenced, not published (their issuers publish them): {len(plan.referenced)}")
        for reference in plan.referenced:
            print(f"  {reference.record}  {reference.name}")
    if plan.publisher is None:
        print(
            "note: site.yml has no agency.ctid, so the requests name no publisher "
            "(PublishForOrganizationIdentifier); publishing needs it"
        )
