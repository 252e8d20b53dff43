"""``acpforge lint PATH...``: every defect of a spec, before it is merged."""

from __future__ import annotations

import sys
from pathlib import Path

import click

HELP = """Check ACP specs for defects and print each at file:line.

PATH is a spec folder or file in any layout: ours (specs/ or
specs/<version>/), ../shared/acp-spec, or the upstream repository (its
root, spec/, spec/<version>/, with json-schema/ and examples/<version>/
picked up automatically), or a single OpenAPI, JSON Schema or examples
file.

Rules (ids in --list-rules and docs/lint-rules.md): OpenAPI validity
(openapi-spec-validator); every example against its schema (draft
2020-12); JSON Schema dialect mistakes in 3.1 documents (nullable, boolean
exclusiveMinimum, example vs examples, unknown keywords, a property written
beside `properties`); contradictory compositions (closed allOf branches,
undeclared required names, overlapping oneOf branches); unresolvable
$refs; enum, const and default mismatches; drift between the JSON Schema
bundle and the OpenAPI components of a version; ACP rules (integer money,
flat errors, API-Version and Idempotency-Key headers).

Exit status: 0 when no finding reaches --fail-on (default: error), 1 when
one does, 2 when the input cannot be read as specs.
"""


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _list_rules() -> str:
    from acpforge.spectools.registry import all_rules

    rules = sorted(all_rules().values(), key=lambda r: (r.family, r.id))
    width = max(len(r.id) for r in rules)
    lines = [f"{r.id:<{width}}  {r.severity:<7}  {r.title}" for r in rules]
    return "\n".join(lines) + "\n"


@click.command("lint", help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help='Output format. json: {"findings": [{rule, severity, file, line, pointer, message}]}; sarif: SARIF 2.1.0.',
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Run only these rules (ids or families, comma-separated; repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULES",
    help="Skip these rules (ids or families, comma-separated; repeatable).",
)
@click.option(
    "--check-formats",
    is_flag=True,
    help="Also assert `format` (date-time, email, uuid, ...) when validating examples.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit status 1.",
)
@click.option("--no-summary", is_flag=True, help="Text format: omit the per-rule counts.")
@click.option("--list-rules", is_flag=True, help="List the rules with their severity and exit.")
@click.pass_context
def command(
    ctx, paths, fmt, output, select, ignore, check_formats, fail_on, no_summary, list_rules
):
    if list_rules:
        click.echo(_list_rules(), nl=False)
        return
    if not paths:
        raise click.UsageError("give at least one PATH (a spec folder or file)")
    from acpforge.spectools.lint import LintOptions, lint
    from acpforge.spectools.reporters import RENDERERS, render_text
    from acpforge.spectools.sources import InputError

    options = LintOptions(check_formats=check_formats, select=_split(select), ignore=_split(ignore))
    try:
        result = lint(list(paths), options)
    except InputError as error:
        click.echo(f"acpforge lint: {error}", err=True)
        ctx.exit(2)
    except KeyError as error:
        click.echo(
            f"acpforge lint: unknown rule or family {error.args[0]!r} (see --list-rules)", err=True
        )
        ctx.exit(2)
    text = (
        render_text(result, show_summary=not no_summary)
        if fmt == "text"
        else RENDERERS[fmt](result)
    )
    if output:
        output.write_text(text, encoding="utf-8")
        if fmt != "text":
            click.echo(render_text(result).splitlines()[-1], err=True)
    else:
        sys.stdout.write(text)
    if fail_on != "never" and result.failed(fail_on):
        ctx.exit(1)
