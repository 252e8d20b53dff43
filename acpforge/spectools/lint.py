"""Run the lint rules over the inputs and return sorted, de-duplicated findings."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from acpforge.generator.layout import is_dated_version
from acpforge.generator.load import LoadedDocument

from .findings import SEVERITY_RANK, Finding, display_path
from .registry import Hit, Rule, hit_path, select_rules
from .sources import (
    EXAMPLES,
    JSONSCHEMA,
    OPENAPI,
    Parameter,
    RefError,
    SourceFile,
    SpecSet,
    Target,
    Workspace,
    collect,
)
from .walk import DocIndex, OperationSite, RefSite


@dataclass
class LintOptions:
    check_formats: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass
class LintResult:
    findings: list[Finding]
    sets: list[SpecSet]
    rules: list[Rule]
    files: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        return dict(sorted(counts.items()))

    def failed(self, threshold: str = "error") -> bool:
        return any(SEVERITY_RANK[f.severity] <= SEVERITY_RANK[threshold] for f in self.findings)


class VersionContext:
    """What every rule sees: one API-Version's files, their walks, and the resolver."""

    def __init__(self, spec_set: SpecSet, ws: Workspace, options: LintOptions):
        self.set = spec_set
        self.ws = ws
        self.options = options
        self._ref_errors: dict[tuple[str, str], RefError | None] = {}
        self.cache: dict[str, Any] = {}

    @property
    def version(self) -> str:
        return self.set.version

    def docs(self, kind: str) -> list[tuple[SourceFile, DocIndex]]:
        return [(f, self.ws.index(f.doc)) for f in self.set.loaded(kind)]

    @cached_property
    def openapi(self) -> list[tuple[SourceFile, DocIndex]]:
        return [(f, i) for f, i in self.docs(OPENAPI) if i.kind == "openapi"]

    @cached_property
    def jsonschema(self) -> list[tuple[SourceFile, DocIndex]]:
        return [(f, i) for f, i in self.docs(JSONSCHEMA) if i.kind == "jsonschema"]

    @cached_property
    def schema_docs(self) -> list[tuple[SourceFile, DocIndex]]:
        """Documents whose schemas the schema rules check (3.1 OpenAPI and JSON Schema)."""
        return [
            (f, i)
            for f, i in [*self.openapi, *self.jsonschema]
            if i.dialect in ("oas31", "jsonschema")
        ]

    @property
    def examples(self) -> list[SourceFile]:
        return self.set.loaded(EXAMPLES)

    @property
    def failed(self) -> list[SourceFile]:
        return [f for f in self.set.files if f.doc is None]

    # resolution helpers shared by the rules
    def ref_error(self, site: RefSite) -> RefError | None:
        key = (site.base_uri, site.ref)
        if key not in self._ref_errors:
            try:
                self.ws.lookup(site.base_uri, site.ref)
                self._ref_errors[key] = None
            except RefError as error:
                self._ref_errors[key] = error
        return self._ref_errors[key]

    def deref(self, base: str, node: Any) -> tuple[str, Any, list[Target]] | None:
        """Follow ``$ref`` chains; None when one cannot be followed (ref-unresolved reports it)."""
        try:
            return self.ws.deref(base, node)
        except RefError:
            return None

    def effective_version(self, doc: LoadedDocument) -> str:
        if is_dated_version(self.version):
            return self.version
        info = doc.data.get("info")
        return str(info.get("version")) if isinstance(info, dict) else self.version

    def parameters(self, index: DocIndex, op: OperationSite) -> dict[tuple[str, str], Parameter]:
        return self.ws.parameters(
            index.doc, op.path_item, op.path_item_pointer, op.node, op.pointer
        )

    def hit(self, where: Any, pointer: str, message: str, line: int | None = None) -> Hit:
        return Hit(where, pointer, message, line)


def run_rules(
    spec_sets: list[SpecSet], ws: Workspace, options: LintOptions, rules: list[Rule]
) -> list[Finding]:
    findings: dict[tuple, Finding] = {}
    for spec_set in spec_sets:
        ctx = VersionContext(spec_set, ws, options)
        for rule in rules:
            try:
                hits = list(rule.check(ctx))
            except Exception as exc:  # noqa: BLE001 - a bug in a rule must not hide the other rules' findings
                where = spec_set.folder
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                hits = [
                    Hit(
                        where,
                        "",
                        f"internal error in rule {rule.id}: {type(exc).__name__}: {exc} "
                        f"({Path(frame.filename).name}:{frame.lineno})",
                    )
                ]
                rule_id, severity = "lint-internal", "error"
            else:
                rule_id, severity = rule.id, rule.severity
            for hit in hits:
                line = hit.line
                if line is None and isinstance(hit.where, LoadedDocument):
                    line = hit.where.line_of(hit.pointer)
                finding = Finding(
                    rule_id,
                    severity,
                    display_path(hit_path(hit.where)),
                    line,
                    hit.pointer,
                    hit.message,
                )
                findings.setdefault(
                    (finding.rule, finding.file, finding.pointer, finding.message), finding
                )
    # a rule that supersedes others keeps a defect from being reported twice at one place
    superseding: set[tuple[str, str, str]] = set()
    by_id = {r.id: r for r in rules}
    for finding in findings.values():
        rule = by_id.get(finding.rule)
        if rule is not None:
            for other in rule.supersedes:
                superseding.add((other, finding.file, finding.pointer))
    kept = [f for f in findings.values() if (f.rule, f.file, f.pointer) not in superseding]
    return sorted(kept, key=Finding.sort_key)


def lint(
    paths: list[Path], options: LintOptions | None = None, ws: Workspace | None = None
) -> LintResult:
    """Lint every spec found under ``paths``; raises InputError for bad input, KeyError for an unknown rule."""
    options = options or LintOptions()
    ws = ws or Workspace()
    rules = select_rules(options.select, options.ignore)
    spec_sets = collect([Path(p) for p in paths], ws)
    findings = run_rules(spec_sets, ws, options, rules)
    files = sum(len(s.files) for s in spec_sets)
    return LintResult(findings, spec_sets, rules, files)
