"""Lint output: text (one line per finding), JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version

from .findings import SEVERITIES
from .lint import LintResult

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _tool_version() -> str:
    try:
        return version("acpforge")
    except PackageNotFoundError:  # pragma: no cover
        return "0"


def summary(result: LintResult) -> dict:
    return {
        "files": result.files,
        **{f"{s}s" if s != "info" else "infos": result.count(s) for s in SEVERITIES},
        "by_rule": result.by_rule(),
    }


def render_text(result: LintResult, show_summary: bool = True) -> str:
    lines = []
    for f in result.findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        pointer = f" [{f.pointer}]" if f.pointer else ""
        lines.append(f"{where}: {f.severity} {f.rule}: {f.message}{pointer}")
    if show_summary:
        counts = summary(result)
        if result.findings:
            lines.append("")
            width = max(len(r) for r in counts["by_rule"])
            for rule_id, count in counts["by_rule"].items():
                lines.append(f"  {rule_id:<{width}}  {count}")
        lines.append(
            f"{counts['errors']} error(s), {counts['warnings']} warning(s), {counts['infos']} info(s) "
            f"in {counts['files']} file(s)"
        )
    return "\n".join(lines) + "\n"


def render_json(result: LintResult) -> str:
    return (
        json.dumps(
            {"findings": [f.to_dict() for f in result.findings], "summary": summary(result)},
            indent=2,
        )
        + "\n"
    )


def render_sarif(result: LintResult) -> str:
    rules = sorted(result.rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.id,
            "name": "".join(part.title() for part in r.id.split("-")),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.rationale},
            "help": {
                "text": r.rationale,
                "markdown": f"**{r.title}**\n\n{r.rationale}\n\nSee docs/lint-rules.md#{r.id}.",
            },
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"family": r.family},
        }
        for r in rules
    ]
    results = []
    for f in result.findings:
        physical: dict = {"artifactLocation": {"uri": f.file.replace("\\", "/")}}
        if f.line:
            physical["region"] = {"startLine": f.line}
        entry: dict = {
            "ruleId": f.rule,
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical}],
        }
        if f.pointer:
            entry["locations"][0]["logicalLocations"] = [
                {"fullyQualifiedName": f.pointer, "kind": "member"}
            ]
        if f.rule in index:
            entry["ruleIndex"] = index[f.rule]
        results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "acpforge-lint",
                        "version": _tool_version(),
                        "rules": descriptors,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif}
