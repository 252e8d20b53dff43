"""What a lint rule reports: one finding, at a file, line and JSON pointer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    path = Path(path)
    try:
        absolute = path.resolve()
        cwd = Path.cwd().resolve()
        return str(absolute.relative_to(cwd))
    except (ValueError, OSError):
        return os.path.normpath(str(path))


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    file: str
    line: int | None
    pointer: str
    message: str

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.pointer, self.rule, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "message": self.message,
        }
