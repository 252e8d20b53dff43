"""The one rules registry of ``acpforge lint``.

A rule is an id, a default severity, a one-line title, a rationale (why a
maintainer should care; rendered into docs/lint-rules.md, ``--list-rules``
and the SARIF rule metadata) and a check function.  Every check has the same
shape: it receives the :class:`~acpforge.spectools.lint.VersionContext` of
one API-Version (all its loaded files, their walks, one resolver) and yields
:class:`Hit` objects; the runner turns hits into findings with the rule's id
and severity.  A rule may *supersede* others: when it reports at exactly the
same file and pointer, the superseded rule's finding there is dropped, so a
defect is reported once, by the rule with the clearest message (for
instance ``dialect-exclusive-boolean`` over the generic meta-schema error
that openapi-spec-validator raises for the same keyword).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import SEVERITIES

if TYPE_CHECKING:  # pragma: no cover
    from .lint import VersionContext


@dataclass(frozen=True)
class Hit:
    """A rule's raw report: where (a loaded document or a bare path) and what."""

    where: Any  # LoadedDocument, or Path for files that could not be loaded
    pointer: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    family: str
    title: str
    rationale: str
    check: Callable[[VersionContext], Iterable[Hit]]
    supersedes: tuple[str, ...] = field(default=())


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    severity: str,
    family: str,
    title: str,
    rationale: str,
    supersedes: tuple[str, ...] = (),
) -> Callable:
    """Register the decorated check function as a rule."""
    if severity not in SEVERITIES:  # pragma: no cover - programming error
        raise ValueError(f"unknown severity {severity!r} for rule {id}")

    def decorate(check: Callable[[VersionContext], Iterable[Hit]]):
        if id in RULES:  # pragma: no cover - programming error
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(
            id, severity, family, title, " ".join(rationale.split()), check, supersedes
        )
        return check

    return decorate


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by id (importing the rule modules registers them)."""
    from . import rules  # noqa: F401  (import for its side effect)

    return RULES


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """Rules picked by id or family prefix (``dialect-`` or ``dialect``); unknown names raise KeyError."""
    rules = all_rules()
    select, ignore = list(select), list(ignore)

    def matches(rule: Rule, name: str) -> bool:
        return rule.id == name or rule.family == name or rule.id.startswith(name.rstrip("-*") + "-")

    for name in [*select, *ignore]:
        if not any(matches(r, name) for r in rules.values()):
            raise KeyError(name)
    chosen = [r for r in rules.values() if not select or any(matches(r, n) for n in select)]
    return [r for r in chosen if not any(matches(r, n) for n in ignore)]


def hit_path(where: Any) -> Path:
    return where if isinstance(where, Path) else where.path
