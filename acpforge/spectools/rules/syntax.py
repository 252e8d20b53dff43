"""syntax: a file that is not YAML or JSON at all."""

from __future__ import annotations

from ..registry import rule
from ..sources import problem_line


@rule(
    "syntax",
    "error",
    "syntax",
    "File is valid YAML or JSON",
    """A file that does not parse cannot be read by any tool: not by
    generators, not by validators, not by the documentation site.  The
    upstream validator checks JSON syntax only; a broken YAML file goes
    unnoticed until something tries to use it.  The finding is at the line
    where the parser gave up.""",
)
def check_syntax(ctx):
    for source in ctx.failed:
        message, line = problem_line(source.error)
        yield ctx.hit(source.path, "", message, line=line)


def _tab_lines(raw: bytes):
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if "\t" not in line:
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            yield number, "in the indentation"
            continue
        for marker in (":\t", ": \t", "-\t", "- \t"):
            if marker in line.split("#", 1)[0] and not _quoted_before(line, line.index(marker)):
                yield number, f"after `{marker.strip()}`"
                break


def _quoted_before(line: str, position: int) -> bool:
    head = line[:position]
    return head.count('"') % 2 == 1 or head.count("'") % 2 == 1


@rule(
    "yaml-tab",
    "warning",
    "syntax",
    "No tab characters where YAML parsers disagree",
    """YAML forbids tabs in indentation, and parsers disagree about a tab
    after `:` or `-`: libyaml (used by acpforge) accepts it, PyYAML's
    pure-Python parser and several others reject the whole file.  The
    published 2026-01-30 delegate_payment file has one; a consumer without
    libyaml cannot read it at all.""",
)
def check_tabs(ctx):
    for source in ctx.set.files:
        if source.doc is None or source.path.suffix not in (".yaml", ".yml"):
            continue
        for line, where in _tab_lines(source.doc.raw):
            yield ctx.hit(
                source.doc,
                "",
                f"tab character {where}: some YAML parsers reject this file; use spaces",
                line=line,
            )
