"""One fixture per lint rule: ``bad`` must be flagged by it, ``good`` must lint clean."""

from __future__ import annotations

import pytest
from spectools_support import LINT_FIXTURES, fixture_path, lint_findings, rules_of

from acpforge.spectools.registry import all_rules

RULE_IDS = sorted(all_rules())


def test_every_rule_has_both_fixtures():
    missing = [r for r in RULE_IDS for k in ("bad", "good") if not fixture_path(r, k).exists()]
    assert not missing, f"rules without a fixture: {missing}"
    strays = sorted(p.name for p in LINT_FIXTURES.iterdir() if p.name not in all_rules())
    assert not strays, f"fixtures of no rule: {strays}"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_bad_fixture_is_flagged(rule):
    findings = lint_findings(fixture_path(rule, "bad"))
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"{rule} did not flag its bad fixture; got {sorted(rules_of(findings))}"
    assert "lint-internal" not in rules_of(findings)
    for hit in hits:
        assert hit.line is not None and hit.line >= 1, hit
        assert hit.severity == all_rules()[rule].severity
        assert hit.message and "\n" not in hit.message


@pytest.mark.parametrize("rule", RULE_IDS)
def test_good_fixture_is_clean(rule):
    findings = lint_findings(fixture_path(rule, "good"))
    assert not findings, [f"{f.rule}: {f.message}" for f in findings]


def test_rules_have_rationale_and_valid_severity():
    for rule in all_rules().values():
        assert rule.severity in ("error", "warning", "info")
        assert len(rule.rationale) > 60, rule.id
        assert rule.title and rule.family


def test_finding_points_at_the_offending_value():
    findings = lint_findings(fixture_path("example-invalid", "bad"))
    (hit,) = [f for f in findings if f.rule == "example-invalid"]
    assert hit.pointer.endswith("/examples/one/value/amount")
    text = fixture_path("example-invalid", "bad").read_text().splitlines()
    assert 'amount: "12.34"' in text[hit.line - 1]


def test_supersede_reports_a_defect_once():
    findings = lint_findings(fixture_path("dialect-exclusive-boolean", "bad"))
    at = [f for f in findings if f.pointer.endswith("/exclusiveMinimum")]
    assert [f.rule for f in at] == ["dialect-exclusive-boolean"]
    unsuperseded = lint_findings(
        fixture_path("dialect-exclusive-boolean", "bad"), ignore=("dialect-exclusive-boolean",)
    )
    assert "openapi-valid" in rules_of(unsuperseded)


def test_oneof_overlap_quotes_a_witness():
    (hit,) = [
        f for f in lint_findings(fixture_path("oneof-overlap", "bad")) if f.rule == "oneof-overlap"
    ]
    assert "both accept []" in hit.message


def test_conditional_overlay_counts_as_declared():
    # then: {properties: {channel: {properties: {browser: {required: [...]}}}}} refers to the parent's channel.browser
    assert not lint_findings(fixture_path("required-undescribed", "good"))


def test_allof_contradiction_names_the_unsatisfiable_property():
    (hit,) = [
        f
        for f in lint_findings(fixture_path("allof-closed-branch", "bad"))
        if f.rule == "allof-closed-branch"
    ]
    assert "`order`" in hit.message and "no instance validates" in hit.message


def test_check_formats_is_opt_in(tmp_path):
    spec = tmp_path / "openapi.fmt.yaml"
    spec.write_text(
        'openapi: 3.1.0\ninfo: {title: t, version: "2099-01-01"}\npaths: {}\n'
        "components:\n  schemas:\n    When:\n      type: string\n      format: date-time\n      examples: [yesterday]\n"
    )
    assert not lint_findings(spec)
    assert rules_of(lint_findings(spec, check_formats=True)) == {"example-invalid"}


def test_meta_schema_check_without_jsonschema_rs_gives_the_same_findings(monkeypatch):
    from acpforge.spectools.rules import openapi

    paths = [
        fixture_path("openapi-valid", "bad"),
        fixture_path("dialect-exclusive-boolean", "bad"),
        fixture_path("dialect-required-boolean", "bad"),
    ]

    def run():
        return sorted((f.file, f.pointer) for f in lint_findings(*paths, select=("openapi-valid",)))

    accelerated = run()
    monkeypatch.setattr(openapi, "_FAST", [None])
    assert run() == accelerated
    assert len(accelerated) >= 4
