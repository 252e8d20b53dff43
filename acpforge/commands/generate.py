"""``acpforge generate``: specs in, bindings out, or ``--check`` that they are current."""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import click

from acpforge.generator import pipeline
from acpforge.generator.errors import SpecError


def default_specs() -> Path:
    """``./specs`` when run inside a checkout, else the specs shipped in the wheel."""
    local = Path("specs")
    if local.is_dir() and any(local.glob("*/openapi.*.yaml")):
        return local
    return Path(str(resources.files("acpforge.specs")))


@click.command("generate")
@click.option("--specs", "specs_dir", type=click.Path(path_type=Path), default=None,
              help="Spec folder: ours (<version>/openapi.<api>.yaml) or the upstream repository "
                   "(spec/<version>/openapi/openapi.<api>.yaml). Default: ./specs, else the bundled specs.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("generated"),
              show_default=True, help="Output folder (one package per API-Version).")
@click.option("--api-version", "versions", multiple=True, metavar="V",
              help="Generate only this API-Version (repeatable). Default: every version found.")
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if any would.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings.")
def command(specs_dir: Path | None, out_dir: Path, versions: tuple[str, ...], check: bool, quiet: bool) -> None:
    """Generate pydantic models, FastAPI server stubs, httpx clients, webhook signing
    and Schemathesis conformance tests for each ACP API-Version.

    \b
    Examples:
      acpforge generate                                  # ./specs -> ./generated
      acpforge generate --check                          # CI: fail when generated/ is stale
      acpforge generate --specs ../agentic-commerce-protocol --out build/acp --api-version 2026-04-17

    Exit codes: 0 done (or up to date), 1 --check found differences, 2 the specs cannot be generated from.
    """
    root = specs_dir or default_specs()
    started = time.perf_counter()
    try:
        result = pipeline.run(root, versions)
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(2) from None
    if not quiet:
        for warning in _unique(result.warnings):
            click.echo(f"warning: {warning}", err=True)
    changes = pipeline.compare(out_dir, result, all_versions=not versions)
    elapsed = time.perf_counter() - started
    summary = f"{len(result.files)} files for {', '.join(result.versions)} in {elapsed:.2f}s"
    if check:
        if changes:
            for label, names in (("changed", changes.changed), ("added", changes.added), ("removed", changes.removed)):
                for name in names:
                    click.echo(f"{label}: {out_dir / name}")
            click.echo(f"{out_dir} is out of date: run `acpforge generate` ({summary})", err=True)
            raise SystemExit(1)
        click.echo(f"{out_dir} is up to date ({summary})")
        return
    pipeline.write(out_dir, result, changes)
    touched = len(changes.added) + len(changes.changed) + len(changes.removed)
    click.echo(f"wrote {out_dir}: {touched} file(s) changed; {summary}")


def _unique(problems):
    seen = set()
    for problem in problems:
        text = str(problem)
        if text not in seen:
            seen.add(text)
            yield problem
