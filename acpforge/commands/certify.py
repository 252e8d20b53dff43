"""``acpforge certify``: prove the launch-certification checklist against a merchant."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXPECT = click.Choice(["either", "checklist", "spec"])


@click.command("certify")
@click.option("--base-url", metavar="URL", help="Merchant base URL. Default: start the reference merchant on a loopback port.")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Merchant profile (TOML): what the runner cannot guess. Required with --base-url.")
@click.option("--init", "init_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write a commented profile template to this file and exit.")
@click.option("--api-version", "versions", multiple=True, metavar="V",
              help="Certify this API-Version (repeatable). Default: the profile's, or every supported one for the reference merchant.")
@click.option("--expect", type=EXPECT, default="either", show_default=True,
              help="Where checklist and spec disagree (completion 201 vs 200, conflict 409 vs 422): which to enforce.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("acpforge-report"),
              show_default=True, help="Folder for evidence.jsonl, summary.json, junit.xml and report.html.")
@click.option("--only", multiple=True, metavar="ITEM", help="Run only these checklist items (repeatable).")
@click.option("--skip", multiple=True, metavar="ITEM", help="Waive these items (reported as waived, not run).")
@click.option("--fault", "faults", multiple=True, metavar="NAME",
              help="TEST ONLY: switch on a deliberate defect of the reference merchant (see `acpforge serve --help`).")
@click.option("--list-items", is_flag=True, help="List the checklist items and exit.")
def command(base_url, profile_path, init_path, versions, expect, out_dir, only, skip, faults, list_items) -> None:
    """Certify an ACP merchant against OpenAI's launch-certification checklist.

    Every item (session creation, shipping updates, delegated payment, order
    completion, order webhooks, error scenarios, idempotency, legal links, IP
    egress, TLS) is run end to end; every exchange is recorded, redacted, as
    evidence. Exit code 0 only if every required item passed.

    \b
    Examples:
      acpforge certify                                  # the embedded reference merchant, every version
      acpforge certify --init merchant.toml             # write a profile template
      acpforge certify --base-url https://staging.shop.example --profile merchant.toml --expect checklist
    """
    from acpforge.certify import console, profile as profiles
    from acpforge.certify.scenarios import SCENARIOS

    if list_items:
        for scenario in SCENARIOS:
            click.echo(f"{scenario.id:24} {scenario.section}: {scenario.title}")
        return
    if init_path is not None:
        if init_path.exists():
            raise click.UsageError(f"{init_path} exists; refusing to overwrite it")
        init_path.write_text(profiles.TEMPLATE, encoding="utf-8")
        click.echo(f"wrote {init_path}: fill it in, then run acpforge certify --base-url URL --profile {init_path}")
        return
    known = {s.id for s in SCENARIOS}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise click.UsageError(f"unknown item(s) {', '.join(unknown)}; see --list-items")
    if base_url:
        if profile_path is None:
            raise click.UsageError("--base-url needs --profile (write one with --init)")
        if faults:
            raise click.UsageError("--fault applies to the embedded reference merchant only")
        try:
            profile = profiles.load(profile_path)
        except profiles.ProfileError as exc:
            raise click.UsageError(str(exc)) from None
        profile.base_url = base_url
        targets = [(v, profile) for v in (versions or (profile.api_version,))]
        ok = console.certify_targets(targets, expect=expect, out=out_dir, only=only, skip=skip)
    else:
        from acpforge.certify import embedded

        ok = embedded.certify_reference(versions, expect=expect, out=out_dir, only=only, skip=skip, faults=faults)
    sys.exit(0 if ok else 1)
