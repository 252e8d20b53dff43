"""Console output of ``acpforge fuzz``: a rich progress bar with counts, and the summary.

The bar shows, per (API-Version, API) and for the session flows, how many
operation/phase units are done, with the running totals of requests and
distinct failures beside it.  Failures are printed as they are found (one
line each); the summary lists them with the reproduction files.  On a
non-terminal output (CI logs) rich prints no animation, only the lines.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .report import FailureRecord, FuzzReport

__all__ = ["RichProgress", "print_summary"]


class RichProgress:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._lock = threading.Lock()
        self.total_requests = 0
        self.total_failures = 0
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("requests {task.fields[requests]}  failures {task.fields[failures]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._current: int | None = None

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def task(self, description: str, total: int) -> int:
        task = self.progress.add_task(description, total=max(total, 1),
                                      requests=self.total_requests, failures=self.total_failures)
        self._current = task
        return task

    def advance(self, task: int, amount: int = 1) -> None:
        self.progress.update(task, advance=amount, requests=self.total_requests, failures=self.total_failures)

    def finish(self, task: int) -> None:
        total = self.progress.tasks[task].total if task < len(self.progress.tasks) else None
        self.progress.update(task, completed=total, requests=self.total_requests, failures=self.total_failures)

    def requests(self, amount: int) -> None:
        with self._lock:
            self.total_requests += amount
            count = self.total_requests
        if self._current is not None and count % 25 == 0:
            self.progress.update(self._current, requests=count)

    def failure(self, record: FailureRecord) -> None:
        with self._lock:
            self.total_failures += 1
        self.progress.console.print(f"[red]FAIL[/red] {record.summary()}", highlight=False, markup=True, soft_wrap=True)
        if self._current is not None:
            self.progress.update(self._current, failures=self.total_failures)


def print_summary(report: FuzzReport, console: Console, paths: dict[str, Any] | None = None) -> None:
    console.print()
    console.print(
        f"[bold]acpforge fuzz[/bold]: {report.target} {report.base_url}  versions {', '.join(report.versions)}  "
        f"APIs {', '.join(report.apis)}  seed {report.seed}",
        highlight=False,
    )
    console.print(
        f"{report.requests} requests in {report.duration:.1f}s ({report.requests_per_second():.0f}/s), "
        f"{report.max_examples} examples per operation, {report.workers} worker(s), "
        f"{report.flows} session flow(s)"
        + (f" ({report.flows_sold_out} stopped: out of stock)" if report.flows_sold_out else "")
        + f", {report.tokens_minted} delegated token(s) minted",
        highlight=False,
    )
    if report.failures:
        console.print(f"[red bold]{len(report.failures)} distinct failure(s)[/red bold]:")
        for index, failure in enumerate(report.failures, 1):
            console.print(f"  {index:3d}. {failure.summary()}  x{failure.occurrences}", highlight=False, markup=False)
    for error in report.errors:
        console.print(f"[yellow]error[/yellow]: {error.splitlines()[0] if error else ''}", highlight=False)
    if paths:
        console.print(f"JUnit XML: {paths['junit']}   report: {paths['json']}   reproductions: {paths['failures']}/",
                      highlight=False)
    console.print("[green bold]no failures[/green bold]" if report.ok else "[red bold]FAILED[/red bold]")
