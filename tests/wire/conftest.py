"""Shared helpers for the wire tests: the committed vector files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

VECTORS = Path(__file__).parent / "vectors"


@pytest.fixture
def vectors_dir() -> Path:
    return VECTORS


@pytest.fixture(scope="session")
def signing_vectors() -> dict:
    return json.loads((VECTORS / "request_signing.json").read_text(encoding="utf-8"))
