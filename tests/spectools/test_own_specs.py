"""Our own specs lint clean, and diff reads them."""

from __future__ import annotations

import itertools

import pytest
from acpforge.generator.layout import is_dated_version
from spectools_support import SPECS, lint_findings

from acpforge.spectools.diff.engine import diff

VERSIONS = (
    sorted(p.name for p in SPECS.iterdir() if p.is_dir() and is_dated_version(p.name))
    if SPECS.is_dir()
    else []
)


def test_our_specs_lint_clean():
    if not VERSIONS:
        pytest.skip("no spec versions under specs/")
    findings = lint_findings(SPECS)
    assert not findings, "\n".join(f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in findings)


@pytest.mark.parametrize("old, new", list(itertools.pairwise(VERSIONS)))
def test_diff_of_our_versions(old, new):
    result = diff(SPECS / old, SPECS / new)
    assert not result.problems and result.changes
