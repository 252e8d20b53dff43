"""Diff output: text for a terminal, JSON for tools, Markdown as a migration note."""

from __future__ import annotations

import json
from collections import defaultdict

from .engine import Change, DiffResult
from .rules import RULES

GROUPS = (
    ("both", "Breaking for clients and servers"),
    ("client", "Breaking for clients"),
    ("server", "Breaking for servers"),
    ("none", "Non-breaking"),
)
TYPE_RULES = ("schema-renamed", "schema-added", "schema-removed")


def _group(change: Change) -> str:
    if change.breaking_client and change.breaking_server:
        return "both"
    if change.breaking_client:
        return "client"
    if change.breaking_server:
        return "server"
    return "none"


def _side(side) -> str:
    return f"{side.version or '?'} ({side.path})"


def summary(result: DiffResult) -> dict:
    per_api: dict[str, dict[str, int]] = defaultdict(
        lambda: {"changes": 0, "breaking_client": 0, "breaking_server": 0, "non_breaking": 0}
    )
    for change in result.changes:
        counts = per_api[change.api]
        counts["changes"] += 1
        counts["breaking_client"] += change.breaking_client
        counts["breaking_server"] += change.breaking_server
        counts["non_breaking"] += not change.breaking
    return {
        "changes": len(result.changes),
        "breaking_client": sum(c.breaking_client for c in result.changes),
        "breaking_server": sum(c.breaking_server for c in result.changes),
        "non_breaking": sum(not c.breaking for c in result.changes),
        "by_api": dict(sorted(per_api.items())),
    }


def render_json(result: DiffResult) -> str:
    document = {
        "old": {"path": str(result.old.path), "version": result.old.version},
        "new": {"path": str(result.new.path), "version": result.new.version},
        "changes": [c.to_dict() for c in result.changes],
        "renames": [{"api": api, "old": old, "new": new} for api, old, new in result.renames],
        "problems": result.problems,
        "summary": summary(result),
    }
    return json.dumps(document, indent=2) + "\n"


def render_text(result: DiffResult) -> str:
    lines = [f"acpforge diff {_side(result.old)} -> {_side(result.new)}"]
    for problem in result.problems:
        lines.append(f"problem: {problem}")
    by_api: dict[str, list[Change]] = defaultdict(list)
    for change in result.changes:
        by_api[change.api].append(change)
    label = {
        "both": "BREAKING client+server",
        "client": "BREAKING client",
        "server": "BREAKING server",
        "none": "non-breaking",
    }
    for api, changes in sorted(by_api.items()):
        lines.append("")
        lines.append(api)
        for change in changes:
            where = (
                f"  [{change.new_location or change.old_location}]"
                if (change.new_location or change.old_location)
                else ""
            )
            lines.append(
                f"  {label[_group(change)]:<22}  {change.description}  ({change.rule}){where}"
            )
    counts = summary(result)
    lines.append("")
    lines.append(
        f"{counts['changes']} change(s): {counts['breaking_client']} breaking for clients, "
        f"{counts['breaking_server']} breaking for servers, {counts['non_breaking']} non-breaking"
    )
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace(" -> ", " → ").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _operations(change: Change, limit: int = 4) -> str:
    ops = sorted(change.operations)
    if not ops:
        return ""
    shown = ", ".join(f"`{op}`" for op in ops[:limit])
    return f"; {shown}{f' and {len(ops) - limit} more' if len(ops) > limit else ''}"


def render_markdown(result: DiffResult) -> str:
    old, new = (
        result.old.version or str(result.old.path),
        result.new.version or str(result.new.path),
    )
    out = [f"# Migrating from API-Version {old} to {new}", ""]
    out.append(
        "What changes on the wire between the two versions, and who has to act. *Client* is the side that "
        "sends requests (the agent platform calling the checkout and delegate-payment APIs; the merchant posting "
        "order events to the webhook receiver); *server* is the side that answers. A change is breaking for "
        "clients when a client built from the old spec can fail against a new server, and breaking for servers "
        "when a server built from the old spec can fail with new clients. Each entry names the rule that decided "
        '(docs/lint-rules.md, "diff rules"). Regenerate your bindings from the new spec, then work through the '
        "sections that concern your side."
    )
    out.append("")
    if result.problems:
        out.append("> **Not compared:**")
        for problem in result.problems:
            out.append(f"> - {_md(problem)}")
        out.append("")
    counts = summary(result)
    out.append("| API | changes | breaking for clients | breaking for servers | non-breaking |")
    out.append("|---|---:|---:|---:|---:|")
    for api, row in counts["by_api"].items():
        out.append(
            f"| {api} | {row['changes']} | {row['breaking_client']} | {row['breaking_server']} | {row['non_breaking']} |"
        )
    out.append(
        f"| **total** | {counts['changes']} | {counts['breaking_client']} | {counts['breaking_server']} | {counts['non_breaking']} |"
    )
    by_api: dict[str, list[Change]] = defaultdict(list)
    for change in result.changes:
        by_api[change.api].append(change)
    for api, changes in sorted(by_api.items()):
        out += ["", f"## {api}"]
        wire = [c for c in changes if c.rule not in TYPE_RULES]
        for key, title in GROUPS:
            selected = [c for c in wire if _group(c) == key]
            if not selected:
                continue
            out += ["", f"### {title} ({len(selected)})", ""]
            for change in selected:
                rule = RULES[change.rule]
                advice = f" **To do:** {_md(rule.advice)}." if rule.advice and key != "none" else ""
                out.append(
                    f"- {_md(change.description)}.{advice} _(`{change.rule}`{_md(_operations(change))})_"
                )
        types = [c for c in changes if c.rule in TYPE_RULES]
        if types:
            out += ["", "### Generated types", ""]
            renamed = [c for c in types if c.rule == "schema-renamed"]
            added = sorted(c.pointer.rsplit("/", 1)[-1] for c in types if c.rule == "schema-added")
            removed = sorted(
                c.pointer.rsplit("/", 1)[-1] for c in types if c.rule == "schema-removed"
            )
            for change in renamed:
                out.append(
                    f"- Renamed: {_md(change.description.replace('schema ', '', 1))}; update imports."
                )
            if removed:
                out.append(
                    f"- Removed ({len(removed)}): "
                    + ", ".join(f"`{n}`" for n in removed)
                    + "; code importing them no longer compiles."
                )
            if added:
                out.append(f"- Added ({len(added)}): " + ", ".join(f"`{n}`" for n in added) + ".")
    out.append("")
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
