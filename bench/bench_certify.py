"""Wall time of a full certification of the reference merchant, per API-Version.

Measures what a user waits for with `acpforge certify --api-version V`:
starting the TLS reference merchant, every checklist item, and writing the
four reports. Median of several runs; the issue's target is under 30 s.

    python bench/bench_certify.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from acpforge.certify import embedded
from acpforge.certify.reports import write_all
from acpforge.certify.runner import run
from acpforge.versions import SUPPORTED


def once(version: str) -> tuple[float, bool, int]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        server, profile = embedded.start_reference(Path(scratch))
        try:
            profile.api_version = version
            report = run(profile)
            write_all(report, Path(scratch) / "report")
        finally:
            server.stop()
    return time.perf_counter() - started, report.passed, len(report.exchanges)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for version in SUPPORTED:
        results = [once(version) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        verdicts = {r[1] for r in results}
        print(f"{version}: {seconds:.2f} s median of {args.runs} (passed: {verdicts == {True}}, "
              f"{results[-1][2]} exchanges); target < 30 s: {'met' if seconds < 30 else 'MISSED'}")


if __name__ == "__main__":
    main()
