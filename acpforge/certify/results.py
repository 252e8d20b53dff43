"""What a scenario found: checks with their reasons, and the verdict of the item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Skip(Exception):
    """Raised by a scenario that cannot run against this target (with the reason)."""


@dataclass
class Check:
    name: str
    passed: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass
class ItemResult:
    id: str
    title: str
    section: str
    required: bool = True
    status: str = "passed"  # passed | failed | skipped
    checks: list[Check] = field(default_factory=list)
    exchanges: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(passed), detail))
        if not passed:
            self.status = "failed"
        return bool(passed)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "required": self.required,
            "status": self.status,
            "checks": [c.to_json() for c in self.checks],
            "notes": self.notes,
            "exchanges": self.exchanges,
            "duration_s": round(self.duration_s, 3),
        }
