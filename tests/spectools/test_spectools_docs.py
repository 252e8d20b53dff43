"""docs/lint-rules.md documents every lint rule and every diff rule."""

from __future__ import annotations

from spectools_support import REPO

from acpforge.spectools.diff.rules import RULES as DIFF_RULES
from acpforge.spectools.registry import all_rules

DOC = (REPO / "docs" / "lint-rules.md").read_text()


def test_every_lint_rule_has_a_section():
    missing = [r for r in all_rules() if f"#### `{r}`" not in DOC]
    assert not missing


def test_every_diff_rule_is_in_the_table():
    missing = [r for r in DIFF_RULES if f"| `{r}` |" not in DOC]
    assert not missing
