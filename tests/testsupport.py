"""Paths shared by the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
UPSTREAM = SHARED / "acp-spec"
SPECS = REPO / "specs"
