"""Bench of the spec tools over the released ACP files (``../shared/acp-spec``).

Prints the lint time of all five released versions together and the diff
time of each consecutive pair: the median of several in-process runs, each
with a fresh workspace (every file loaded and every rule run again), plus
one wall-clock run of the ``acpforge`` command itself (interpreter start
and imports included).  Budgets: lint under 5 s, each diff under 2 s.
Skips with a message, exit status 0, when ``../shared/acp-spec`` is absent.

    .venv/bin/python bench/bench_spectools.py [--runs N]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT.parent / "shared" / "acp-spec"
LINT_BUDGET, DIFF_BUDGET = 5.0, 2.0


def _median(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def _cli(*args: str) -> float:
    executable = Path(sys.executable).with_name("acpforge")
    command = (
        [str(executable), *args]
        if executable.exists()
        else [sys.executable, "-m", "acpforge.cli", *args]
    )
    start = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not RELEASED.is_dir():
        print(f"skipped: {RELEASED} not found (the released ACP files are not part of a clone)")
        return 0
    from acpforge.spectools.diff.engine import diff
    from acpforge.spectools.lint import lint
    from acpforge.spectools.sources import Workspace

    versions = sorted(p.name for p in RELEASED.iterdir() if p.is_dir() and p.name[:1].isdigit())
    failures = 0
    result = lint([RELEASED], ws=Workspace())  # warm-up: imports, compiled meta-schemas
    median, worst = _median(lambda: lint([RELEASED], ws=Workspace()), args.runs)
    wall = _cli("lint", str(RELEASED), "--format", "json")
    ok = median < LINT_BUDGET and wall < LINT_BUDGET
    failures += not ok
    print(
        f"lint  {len(versions)} versions, {result.files} files, {len(result.findings)} findings: "
        f"median {median:.3f}s (max {worst:.3f}s) over {args.runs} runs; command {wall:.3f}s  "
        f"[budget {LINT_BUDGET:.0f}s: {'ok' if ok else 'OVER'}]"
    )
    for old, new in itertools.pairwise(versions):
        changes = diff(RELEASED / old, RELEASED / new, ws=Workspace()).changes
        median, worst = _median(
            lambda old=old, new=new: diff(RELEASED / old, RELEASED / new, ws=Workspace()), args.runs
        )
        wall = _cli("diff", str(RELEASED / old), str(RELEASED / new), "--format", "json")
        ok = median < DIFF_BUDGET and wall < DIFF_BUDGET
        failures += not ok
        print(
            f"diff  {old} -> {new}: {len(changes)} changes, median {median:.3f}s (max {worst:.3f}s); "
            f"command {wall:.3f}s  [budget {DIFF_BUDGET:.0f}s: {'ok' if ok else 'OVER'}]"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
