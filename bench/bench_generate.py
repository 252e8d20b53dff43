"""Wall time of `acpforge generate` against `datamodel-codegen` alone (models only).

For one version, and for all supported ones: the whole generation (models,
server stubs, clients, webhooks, conformance tests, formatting) is timed as
a user runs it (a fresh `acpforge generate` process), and so is the
`datamodel-codegen` command on the same spec files, one process per file as
its CLI requires, with ruff as its formatter (faster than its black+isort
default, so the comparison favours it). Prints medians and the ratio;
target <= 1.5.

    python bench/bench_generate.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def median(cmd_factory, runs: int) -> float:
    return statistics.median(cmd_factory() for _ in range(runs))


def acpforge(versions: list[str], out: Path) -> float:
    args = [str(BIN / "acpforge"), "generate", "--specs", str(SPECS), "--out", str(out), "-q"]
    for version in versions:
        args += ["--api-version", version]
    shutil.rmtree(out, ignore_errors=True)
    return timed(args)


def datamodel_codegen(versions: list[str], out: Path) -> float:
    total = 0.0
    for version in versions:
        for spec in sorted((SPECS / version).glob("openapi.*.yaml")):
            total += timed([
                str(BIN / "datamodel-codegen"), "--input", str(spec), "--input-file-type", "openapi",
                "--output-model-type", "pydantic_v2.BaseModel", "--output", str(out / f"{version}-{spec.stem}.py"),
                "--disable-timestamp", "--formatters", "ruff-format",
            ])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    versions = sorted(p.name for p in SPECS.iterdir() if p.is_dir() and any(p.glob("openapi.*.yaml")))
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "dmc").mkdir()
        print(f"runs per figure: {args.runs} (median)")
        for label, chosen in [(f"one version ({versions[-1]})", versions[-1:]), (f"all ({', '.join(versions)})", versions)]:
            ours = median(lambda: acpforge(chosen, scratch_path / "out"), args.runs)
            theirs = median(lambda: datamodel_codegen(chosen, scratch_path / "dmc"), args.runs)
            print(f"{label}:")
            print(f"  acpforge generate (everything): {ours:6.2f} s")
            print(f"  datamodel-codegen (models only): {theirs:6.2f} s")
            print(f"  ratio acpforge / datamodel-codegen: {ours / theirs:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
