"""Golden tests: a small fixture spec's whole output is committed and must not drift.

Run with ACPFORGE_UPDATE_GOLDEN=1 to rewrite the expected files after an
intended change, then review the diff like any other code change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acpforge.generator import pipeline

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_output_matches_golden(name):
    result = pipeline.run(FIXTURES / name)
    expected_dir = GOLDEN / name
    if os.environ.get("ACPFORGE_UPDATE_GOLDEN"):
        for rel, content in result.files.items():
            target = expected_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_bytes()
        for p in sorted(expected_dir.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sorted(result.files) == sorted(expected), "set of generated files changed"
    for rel, content in result.files.items():
        assert content == expected[rel], f"{rel} differs from tests/generator/golden/{name}/{rel}"
