"""``acpforge diff OLD NEW``: every change between two versions of the specs, classified."""

from __future__ import annotations

import sys
from pathlib import Path

import click

HELP = """Compare two versions of the ACP specs and classify every change.

OLD and NEW are version folders or single files, in any layout: ours
(specs/<version>/), ../shared/acp-spec/<version>/, or the upstream
repository's spec/<version>/ (or its openapi/ folder).  APIs are matched by
file name, operations by method and path, responses by status.

Reported: operations, status codes, request parameters and response
headers, request bodies and media types, and the resolved request and
response schemas (properties added or removed, required changes, types,
enum values, constraints, oneOf/anyOf alternatives), plus renamed, added
and removed component schemas.  Each change is classified as breaking for
clients (a client built from OLD can fail against a NEW server), breaking
for servers (a server built from OLD can fail with NEW clients), or
non-breaking, and names the rule that decided; see docs/lint-rules.md.

Formats: text; json ({"changes": [{api, kind, pointer, description,
breaking_client, breaking_server, rule, ...}]}); markdown, a migration
note for teams regenerating bindings.

Exit status: 0, or 1 when --fail-on finds a matching change; 2 when an
input cannot be read (including a spec file that does not parse).
"""


@click.command("diff", help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "client", "server", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when a change is breaking (for anyone, for clients, for servers).",
)
@click.option(
    "--api",
    "apis",
    multiple=True,
    metavar="NAME",
    help="Compare only this API (repeatable), e.g. agentic_checkout.",
)
@click.option(
    "--tolerant-clients",
    is_flag=True,
    help="Assume clients ignore unknown response properties and enum values (downgrades those changes).",
)
@click.pass_context
def command(ctx, old, new, fmt, output, fail_on, apis, tolerant_clients):
    from acpforge.spectools.diff.engine import DiffOptions, diff
    from acpforge.spectools.diff.render import RENDERERS, summary
    from acpforge.spectools.sources import InputError

    try:
        result = diff(old, new, DiffOptions(tolerant_clients=tolerant_clients, apis=tuple(apis)))
    except InputError as error:
        click.echo(f"acpforge diff: {error}", err=True)
        ctx.exit(2)
    text = RENDERERS[fmt](result)
    if output:
        output.write_text(text, encoding="utf-8")
        counts = summary(result)
        click.echo(
            f"{counts['changes']} change(s): {counts['breaking_client']} breaking for clients, "
            f"{counts['breaking_server']} breaking for servers",
            err=True,
        )
    else:
        sys.stdout.write(text)
    for problem in result.problems:
        click.echo(f"acpforge diff: {problem}", err=True)
    if result.problems:
        ctx.exit(2)
    if fail_on != "never" and result.breaking({"breaking": "any"}.get(fail_on, fail_on)):
        ctx.exit(1)
