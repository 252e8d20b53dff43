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
    upstream validator checks JSON syntax only; a YAML file with a tab in its
    indentation (as in one published delegate_payment file) goes unnoticed
    until something tries to use it.""",
)
def check_syntax(ctx):
    for source in ctx.failed:
        message, line = problem_line(source.error)
        yield ctx.hit(source.path, "", message, line=line)
