"""What a fuzzing run found, and the files CI reads: JUnit XML, JSON, reproductions.

``FuzzReport`` is plain data (no Schemathesis objects), so it can be
written, read back and compared.  Everything in it is redacted: request
headers and bodies went through ``acpforge.wire.redact`` when the failure
was recorded, and the reproductions carry no credentials.

Files written by ``write(report, out_dir)``::

    junit.xml           one <testsuite> per (API-Version, API), one <testcase> per operation
                        (plus "session flows" and "stateful"), a <failure> per distinct finding
    report.json         the whole report
    failures/NNN-<check>.sh / .py   each failure's curl command and Python snippet
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FailureRecord", "FuzzReport", "OperationStats", "finding_shape", "junit_xml", "write"]


@dataclass
class FailureRecord:
    version: str
    api: str
    operation: str
    check: str
    title: str
    message: str
    severity: str
    phase: str
    seed: int | None
    request: dict[str, Any]
    response: dict[str, Any]
    curl: str
    python: str
    occurrences: int = 1
    steps: int = 1

    @property
    def key(self) -> tuple[str, ...]:
        return (self.version, self.api, self.operation, self.check, finding_shape(self.message))

    def summary(self) -> str:
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"[{self.version} {self.api}] {self.operation}: {self.check}: {self.title}" + (f" ({first})" if first else "")


def finding_shape(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return re.sub(r"[0-9]+|'[^']*'|\"[^\"]*\"", "#", first)[:80]


@dataclass
class OperationStats:
    version: str
    api: str
    operation: str
    scenarios: int = 0
    phases: list[str] = field(default_factory=list)


@dataclass
class FuzzReport:
    seed: int | None
    base_url: str
    versions: list[str]
    apis: list[str]
    max_examples: int
    workers: int
    target: str = "url"  # "url" or "reference merchant"
    requests: int = 0
    tokens_minted: int = 0
    flows: int = 0
    #: Flows that stopped early because the merchant reported the items out of stock.
    flows_sold_out: int = 0
    duration: float = 0.0
    failures: list[FailureRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    operations: dict[str, OperationStats] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

    def add_failure(self, record: FailureRecord) -> bool:
        """Keep one record per distinct finding; True when ``record`` is new."""
        for existing in self.failures:
            if existing.key == record.key:
                existing.occurrences += 1
                return False
        self.failures.append(record)
        return True

    def count_if_known(self, key: tuple[str, ...]) -> bool:
        """When a finding with this key is recorded, count one more occurrence and return True."""
        for existing in self.failures:
            if existing.key == key:
                existing.occurrences += 1
                return True
        return False

    def operation(self, version: str, api: str, label: str) -> OperationStats:
        key = f"{version} {api} {label}"
        if key not in self.operations:
            self.operations[key] = OperationStats(version, api, label)
        return self.operations[key]

    def by_check(self) -> Counter:
        return Counter(f.check for f in self.failures)

    def requests_per_second(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def asdict(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = [asdict(o) for o in self.operations.values()]
        data["ok"] = self.ok
        return data


def junit_xml(report: FuzzReport) -> str:
    """JUnit XML: suites per (version, API), cases per operation, failures per finding."""
    root = ET.Element("testsuites", name="acpforge fuzz", time=f"{report.duration:.3f}")
    groups: dict[tuple[str, str], dict[str, list[FailureRecord]]] = {}
    for stats in report.operations.values():
        groups.setdefault((stats.version, stats.api), {}).setdefault(stats.operation, [])
    for failure in report.failures:
        groups.setdefault((failure.version, failure.api), {}).setdefault(failure.operation, []).append(failure)
    total_tests = total_failures = 0
    for (version, api), operations in sorted(groups.items()):
        failed = sum(1 for f in operations.values() if f)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{api} {version}",
            tests=str(len(operations)),
            failures=str(failed),
            errors="0",
            skipped="0",
        )
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="seed", value=str(report.seed))
        for label, failures in sorted(operations.items()):
            case = ET.SubElement(suite, "testcase", classname=f"acpforge.fuzz.{api}.v{version}", name=label)
            for failure in failures:
                node = ET.SubElement(
                    case,
                    "failure",
                    type=failure.check,
                    message=f"{failure.title}: {failure.message.strip().splitlines()[0] if failure.message.strip() else ''}"[:500],
                )
                node.text = (
                    f"{failure.message}\n\nseed: {failure.seed}  phase: {failure.phase}  "
                    f"occurrences: {failure.occurrences}\n\n"
                    f"Reproduce with curl:\n{failure.curl}\nReproduce with Python:\n{failure.python}"
                )
        total_tests += len(operations)
        total_failures += failed
    if report.errors:
        suite = ET.SubElement(root, "testsuite", name="engine", tests=str(len(report.errors)), failures="0",
                              errors=str(len(report.errors)), skipped="0")
        for index, error in enumerate(report.errors, 1):
            case = ET.SubElement(suite, "testcase", classname="acpforge.fuzz.engine", name=f"error {index}")
            ET.SubElement(case, "error", message=error.splitlines()[0][:500] if error else "error").text = error
        total_tests += len(report.errors)
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(len(report.errors)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]


def write(report: FuzzReport, out: Path) -> dict[str, Path]:
    """Write junit.xml, report.json and the reproductions under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"junit": out / "junit.xml", "json": out / "report.json"}
    paths["junit"].write_text(junit_xml(report), encoding="utf-8")
    paths["json"].write_text(json.dumps(report.asdict(), indent=2, default=str) + "\n", encoding="utf-8")
    folder = out / "failures"
    if report.failures:
        folder.mkdir(exist_ok=True)
        for index, failure in enumerate(report.failures, 1):
            stem = f"{index:03d}-{_slug(failure.check)}-{_slug(failure.version)}"
            (folder / f"{stem}.sh").write_text("#!/bin/sh\n" + failure.curl, encoding="utf-8")
            (folder / f"{stem}.py").write_text(failure.python, encoding="utf-8")
    paths["failures"] = folder
    return paths
