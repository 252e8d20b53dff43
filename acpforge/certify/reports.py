"""Reporters: evidence.jsonl, summary.json, junit.xml and a self-contained report.html."""

from __future__ import annotations

import html
import json
from pathlib import Path
from xml.etree import ElementTree as ET

from .expectations import completion_status, conflict_status
from .runner import Report


def write_all(report: Report, out: Path) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "evidence": out / "evidence.jsonl",
        "summary": out / "summary.json",
        "junit": out / "junit.xml",
        "html": out / "report.html",
    }
    with paths["evidence"].open("w", encoding="utf-8") as stream:
        for exchange in report.exchanges:
            stream.write(json.dumps(exchange.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
    paths["summary"].write_text(json.dumps(report.summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["junit"].write_bytes(junit(report))
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths


def junit(report: Report) -> bytes:
    failures = sum(1 for i in report.items if i.status == "failed")
    skipped = sum(1 for i in report.items if i.status == "skipped")
    suite = ET.Element("testsuite", name=f"acpforge certify {report.api_version}", tests=str(len(report.items)),
                       failures=str(failures), skipped=str(skipped), errors="0", time=f"{report.duration_s:.3f}")
    for item in report.items:
        case = ET.SubElement(suite, "testcase", classname=f"certify.{report.api_version}.{item.section}", name=item.id,
                             time=f"{item.duration_s:.3f}")
        failed = [c for c in item.checks if not c.passed]
        if item.status == "failed":
            node = ET.SubElement(case, "failure", message="; ".join(c.name for c in failed)[:500])
            node.text = "\n".join(f"{c.name}: {c.detail}" for c in failed)
        elif item.status == "skipped":
            ET.SubElement(case, "skipped", message="; ".join(item.notes)[:500])
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(f"[{'ok' if c.passed else 'FAIL'}] {c.name}: {c.detail}" for c in item.checks)
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True)


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin:0}
.verdict{display:inline-block;padding:.15rem .6rem;border-radius:.3rem;font-weight:700;color:#fff}
.passed{background:#1f7a3d}.failed{background:#b42318}.skipped{background:#8a6d00}
section{border:1px solid #d7dbe2;border-radius:.5rem;margin:1rem 0;padding: .8rem 1rem}
section header{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
.section-name{color:#5b6475} table{border-collapse:collapse;width:100%;margin:.6rem 0}
td,th{border-bottom:1px solid #eceef2;padding:.3rem .4rem;text-align:left;vertical-align:top}
td.ok{color:#1f7a3d;font-weight:700} td.fail{color:#b42318;font-weight:700}
pre{background:#f5f6f8;padding:.5rem;overflow:auto;max-height:22rem;font-size:12px}
details{margin:.3rem 0} summary{cursor:pointer} .meta td{border:none;padding:.1rem .6rem .1rem 0}
"""


def _exchange_html(exchange) -> str:
    request = json.dumps(exchange.request_body, indent=2, ensure_ascii=False) if exchange.request_body is not None else ""
    response = json.dumps(exchange.response_body, indent=2, ensure_ascii=False) if exchange.response_body is not None else ""
    head = f"#{exchange.index} {exchange.direction} {exchange.method} {exchange.url} -> {exchange.status} ({exchange.duration_ms} ms)"
    if exchange.note:
        head += f" [{exchange.note}]"
    return (
        f"<details><summary>{html.escape(head)}</summary>"
        f"<p>Request headers</p><pre>{html.escape(json.dumps(exchange.request_headers, indent=2))}</pre>"
        f"<p>Request body</p><pre>{html.escape(request)}</pre>"
        f"<p>Response headers</p><pre>{html.escape(json.dumps(exchange.response_headers, indent=2))}</pre>"
        f"<p>Response body</p><pre>{html.escape(response)}</pre></details>"
    )


def render_html(report: Report) -> str:
    by_index = {e.index: e for e in report.exchanges}
    verdict = "passed" if report.passed else "failed"
    completion = completion_status()
    conflict = conflict_status(409 if report.api_version < "2026-04-17" else 422)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>acpforge certify {html.escape(report.api_version)}: {verdict}</title><style>{_CSS}</style></head><body>",
        f"<h1>ACP launch certification <span class='verdict {verdict}' id='overall'>{verdict.upper()}</span></h1>",
        "<table class='meta'>",
        f"<tr><td>Target</td><td>{html.escape(report.target)}</td></tr>",
        f"<tr><td>API-Version</td><td>{html.escape(report.api_version)}</td></tr>",
        f"<tr><td>Expectations enforced</td><td>{html.escape(report.expect)} "
        f"(completion: checklist {completion.checklist}, spec {completion.spec}; idempotency conflict: checklist "
        f"{conflict.checklist}, spec {conflict.spec})</td></tr>",
        f"<tr><td>Started</td><td>{html.escape(report.started_at)} ({report.duration_s:.1f} s, {len(report.exchanges)} exchanges)</td></tr>",
        "</table>",
        "<table><tr><th>Item</th><th>Checklist section</th><th>Verdict</th></tr>",
    ]
    for item in report.items:
        parts.append(f"<tr><td><a href='#{item.id}'>{html.escape(item.title)}</a></td><td>{html.escape(item.section)}</td>"
                     f"<td><span class='verdict {item.status}'>{item.status}</span></td></tr>")
    parts.append("</table>")
    for item in report.items:
        parts.append(f"<section id='{item.id}' data-status='{item.status}'><header><span class='verdict {item.status}'>{item.status.upper()}</span>"
                     f"<h2>{html.escape(item.title)}</h2><span class='section-name'>{html.escape(item.section)}</span></header>")
        parts.append("<table><tr><th></th><th>What was checked</th><th>Why it passed or failed</th></tr>")
        for check in item.checks:
            mark = "<td class='ok'>ok</td>" if check.passed else "<td class='fail'>FAIL</td>"
            parts.append(f"<tr>{mark}<td>{html.escape(check.name)}</td><td>{html.escape(check.detail)}</td></tr>")
        parts.append("</table>")
        for note in item.notes:
            parts.append(f"<p>{html.escape(note)}</p>")
        if item.exchanges:
            parts.append(f"<p>Exchanges ({len(item.exchanges)}):</p>")
            parts.extend(_exchange_html(by_index[i]) for i in item.exchanges if i in by_index)
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
