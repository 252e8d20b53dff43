"""Console output of a certification run: a progress line per item and a final table."""

from __future__ import annotations

import copy
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .profile import Profile
from .reports import write_all
from .runner import Report, run

STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}


def certify_one(profile: Profile, *, expect: str, out: Path, only=(), skip=(), console: Console | None = None) -> Report:
    console = console or Console(stderr=True, highlight=False)
    console.print(f"[bold]acpforge certify[/] {profile.base_url} (API-Version {profile.api_version}, expect {expect})")
    count = {"n": 0}

    def finished(item) -> None:
        count["n"] += 1
        failed = [c for c in item.checks if not c.passed]
        reason = f": {failed[0].name}: {failed[0].detail}" if failed else ""
        console.print(f"  [{count['n']:2d}] {item.id:24} [{STYLE[item.status]}]{item.status}[/] "
                      f"({len(item.checks)} checks, {item.duration_s:.2f}s){reason[:160]}")

    report = run(profile, expect=expect, only=only, skip=skip, on_item=finished)
    paths = write_all(report, out)
    table = Table(title=f"API-Version {profile.api_version}: {'PASSED' if report.passed else 'FAILED'}")
    for column in ("item", "section", "verdict", "checks"):
        table.add_column(column)
    for item in report.items:
        ok = sum(c.passed for c in item.checks)
        table.add_row(item.id, item.section, f"[{STYLE[item.status]}]{item.status}[/]", f"{ok}/{len(item.checks)}")
    console.print(table)
    console.print(f"evidence: {paths['evidence']} ({len(report.exchanges)} exchanges); report: {paths['html']}; "
                  f"junit: {paths['junit']}; {report.duration_s:.1f}s")
    return report


def certify_targets(targets: list[tuple[str, Profile]], *, expect: str, out: Path, only=(), skip=()) -> bool:
    """Certify each (version, profile); with several versions each gets ``out/<version>/``."""
    ok = True
    for version, profile in targets:
        chosen = copy.deepcopy(profile)
        chosen.api_version = version
        folder = out / version if len(targets) > 1 else out
        ok = certify_one(chosen, expect=expect, out=folder, only=only, skip=skip).passed and ok
    return ok
