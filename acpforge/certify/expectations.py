"""Where the checklist and the published specs disagree, and how the runner decides.

``--expect checklist`` enforces the checklist's figure, ``--expect spec`` the
version's spec, and the default ``either`` accepts both and says which one
it saw.  The report always shows both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Disagreement:
    what: str
    checklist: int
    spec: int

    def accepts(self, mode: str, observed: int) -> tuple[bool, str]:
        both = f"{self.what}: the checklist expects {self.checklist}, this version's spec {self.spec}"
        allowed = {"checklist": {self.checklist}, "spec": {self.spec}}.get(mode, {self.checklist, self.spec})
        matched = [name for name, value in (("checklist", self.checklist), ("spec", self.spec)) if value == observed]
        seen = f"saw {observed}" + (f" (matches the {' and the '.join(matched)})" if matched else " (matches neither)")
        return observed in allowed, f"{seen}; {both}; enforcing: {mode}"


def completion_status(version_spec_status: int = 200) -> Disagreement:
    return Disagreement("completion status", 201, version_spec_status)


def conflict_status(version_spec_status: int) -> Disagreement:
    return Disagreement("idempotency conflict status", 409, version_spec_status)
