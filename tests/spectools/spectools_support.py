"""Helpers of the spec-tools tests (importable: pytest puts tests/ on sys.path, see conftest)."""

from __future__ import annotations

import sys
from pathlib import Path

from testsupport import REPO, SPECS, UPSTREAM  # noqa: F401  (re-exported)

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
LINT_FIXTURES = FIXTURES / "lint"
DIFF_FIXTURES = FIXTURES / "diff"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def lint_findings(*paths, **options):
    from acpforge.spectools.lint import LintOptions, lint
    from acpforge.spectools.sources import Workspace

    return lint([Path(p) for p in paths], LintOptions(**options), ws=Workspace()).findings


def rules_of(findings) -> set[str]:
    return {f.rule for f in findings}


def fixture_path(rule: str, kind: str) -> Path:
    folder = LINT_FIXTURES / rule
    single = folder / f"{kind}.yaml"
    return single if single.exists() else folder / kind
