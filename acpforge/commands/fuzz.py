"""``acpforge fuzz``: property-based conformance fuzzing of a merchant's ACP endpoints."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

HELP = """Fuzz a merchant's ACP endpoints with tests derived from the version's spec.

Drives Schemathesis through its Python API over the bundled spec of each
API (checkout sessions, delegate payment) of each API-Version: examples,
coverage, fuzzing with valid and invalid data, and stateful runs along the
spec's links, checked by Schemathesis (no 5xx, documented statuses,
headers, content types and schemas, invalid data refused with a 4xx) and
by ACP checks (integer minor-unit amounts, totals that add up, flat error
objects with allowed type and code, Idempotency-Key and Request-Id echoed,
API-Version enforced, Idempotency-Key required where the version says so).
Then session flows follow checkouts through create, update, complete and
cancel with real delegated tokens (approve test card).

Without --base-url it fuzzes the reference merchant, started on a loopback
port.  Reports: JUnit XML, report.json and, per failure, a curl command and a
Python snippet that reproduce it (redacted: the token is read from
$ACPFORGE_TOKEN), with the seed.  Exit status: 0 without failures, 1 with,
2 on a usage error.
"""


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.command("fuzz", help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--base-url", help="Base URL of the merchant (default: start the reference merchant).")
@click.option("--api-version", "api_versions", multiple=True,
              help="API-Version to fuzz (repeatable, comma-separated; default: every supported version).")
@click.option("--api", "apis", multiple=True, type=click.Choice(["agentic_checkout", "delegate_payment"]),
              help="API to fuzz (repeatable; default: both).")
@click.option("--max-examples", type=click.IntRange(min=1), default=100, show_default=True,
              help="Examples per operation (fuzzing and stateful phases).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Concurrent workers of the Schemathesis engine.")
@click.option("--seed", type=int, help="Seed of the run (printed and recorded; same seed, same cases).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for junit.xml, report.json and failures/*.sh|*.py.")
@click.option("--token", envvar="ACPFORGE_TOKEN", help="Bearer token for the merchant (env ACPFORGE_TOKEN).")
@click.option("--phase", "phases", multiple=True,
              type=click.Choice(["examples", "coverage", "fuzzing", "stateful", "flows"]),
              help="Phases to run (repeatable; default: all).")
@click.option("--flows", type=click.IntRange(min=0), help="Session flows per version (default: max(4, max-examples/10)).")
@click.option("--operation", "operations", multiple=True,
              help='Only these operations, e.g. "POST /checkout_sessions" (repeatable).')
@click.option("--exclude-check", "exclude_checks", multiple=True, help="Check to skip (repeatable, comma-separated).")
@click.option("--merchant-id", help="merchant_id for delegated-token allowances (default: the reference merchant's).")
@click.option("--item", "items", multiple=True, help="In-stock item id for session flows (repeatable).")
@click.option("--address", help="Valid shipping address for session flows, as a JSON object.")
@click.option("--merchant-fault", "faults", multiple=True, hidden=True,
              help="Test-only: switch on a fault flag of the reference merchant.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def command(base_url, api_versions, apis, max_examples, workers, seed, out, token, phases, flows, operations,
            exclude_checks, merchant_id, items, address, faults, no_progress, as_json) -> None:
    from rich.console import Console

    from acpforge import versions
    from acpforge.fuzz.console import RichProgress, print_summary
    from acpforge.fuzz.report import write
    from acpforge.fuzz.runner import ALL_PHASES, DEFAULT_ADDRESS, DEFAULT_ITEMS, FuzzOptions, run

    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.UsageError("--base-url must be an http(s) URL")
    if faults and base_url:
        raise click.UsageError("--merchant-fault applies to the reference merchant only (no --base-url)")
    chosen = _split(api_versions)
    for version in chosen:
        if not versions.is_supported(version):
            raise click.UsageError(f"unsupported API-Version {version!r}; supported: {', '.join(versions.SUPPORTED)}")
    try:
        parsed_address = json.loads(address) if address else dict(DEFAULT_ADDRESS)
    except ValueError as exc:
        raise click.UsageError(f"--address is not JSON: {exc}") from None
    options = FuzzOptions(
        base_url=base_url,
        versions=chosen,
        apis=tuple(apis) or ("agentic_checkout", "delegate_payment"),
        max_examples=max_examples,
        workers=workers,
        seed=seed,
        out=None,
        token=token,
        phases=tuple(phases) or ALL_PHASES,
        flows=flows,
        operations=tuple(operations),
        merchant_faults=_split(faults),
        merchant_id=merchant_id,
        items=tuple(items) or DEFAULT_ITEMS,
        address=parsed_address,
        exclude_checks=_split(exclude_checks),
    )
    console = Console(stderr=True, soft_wrap=True)
    show = not no_progress and not as_json
    try:
        if show:
            with RichProgress(console) as progress:
                report = run(options, progress)
        else:
            report = run(options)
    except versions.UnsupportedVersion as exc:
        raise click.UsageError(str(exc)) from None
    paths = write(report, out) if out else None
    if as_json:
        click.echo(json.dumps(report.asdict(), indent=2, default=str))
    else:
        print_summary(report, console, paths)
    sys.exit(0 if report.ok else 1)

