"""Errors and warnings that point at a place in a spec file.

Generation refuses only what makes it impossible; everything else is a
warning.  Both carry the file, the line (when known) and the JSON pointer so
that a spec author can jump straight to the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SpecLocation:
    file: Path
    pointer: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        if self.pointer:
            where += f": {self.pointer}"
        return where


@dataclass(frozen=True)
class SpecProblem:
    """One finding about a spec, with where it is and a one-line reason."""

    location: SpecLocation
    message: str
    code: str = "spec"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SpecError(Exception):
    """A spec cannot be generated from; carries one or more problems."""

    def __init__(self, problems: list[SpecProblem] | SpecProblem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))
