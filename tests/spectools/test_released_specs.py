"""lint and diff over the released files in ../shared/acp-spec (skipped when absent).

The findings asserted here were checked by hand against the files; each is a
known defect of the published specs (see PROTOCOL.md, "Known defects").
"""

from __future__ import annotations

import itertools

import pytest
from spectools_support import UPSTREAM, lint_findings

from acpforge.spectools.diff.engine import diff

pytestmark = pytest.mark.upstream
VERSIONS = ["2025-09-29", "2025-12-12", "2026-01-16", "2026-01-30", "2026-04-17"]


@pytest.fixture(scope="module")
def findings():
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not present (the released ACP files are not part of a clone)")
    return lint_findings(UPSTREAM)


def _at(findings, rule, version, api, pointer):
    suffix = f"{version}/openapi.{api}.yaml"
    return [
        f for f in findings if f.rule == rule and f.file.endswith(suffix) and f.pointer == pointer
    ]


def test_no_internal_errors_and_nothing_unparsable(findings):
    rules = {f.rule for f in findings}
    assert "lint-internal" not in rules
    assert "syntax" not in rules  # libyaml reads the tab-indented file; yaml-tab warns about it


def test_boolean_exclusive_minimum(findings):
    (hit,) = _at(
        findings,
        "dialect-exclusive-boolean",
        "2025-09-29",
        "agentic_checkout",
        "/components/schemas/Item/properties/quantity/exclusiveMinimum",
    )
    assert hit.line == 318


@pytest.mark.parametrize("version", VERSIONS)
def test_nullable_in_message_error(findings, version):
    assert _at(
        findings,
        "dialect-nullable",
        version,
        "agentic_checkout",
        "/components/schemas/MessageError/properties/param/nullable",
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_checkout_session_with_order_contradiction(findings, version):
    (hit,) = _at(
        findings,
        "allof-closed-branch",
        version,
        "agentic_checkout",
        "/components/schemas/CheckoutSessionWithOrder/allOf/0",
    )
    assert "`order`" in hit.message and "no instance validates" in hit.message


def test_display_order_beside_properties(findings):
    (hit,) = _at(
        findings,
        "schema-property-outside-properties",
        "2026-04-17",
        "agentic_checkout",
        "/components/schemas/PaymentHandler/display_order",
    )
    assert hit.line == 1120


@pytest.mark.parametrize("version", VERSIONS)
def test_closed_error_enums_broken_by_own_examples(findings, version):
    pointer = "/paths/~1agentic_commerce~1delegate_payment/post/responses/401/content/application~1json/examples/unauthorized/value/type"
    (hit,) = _at(findings, "example-invalid", version, "delegate_payment", pointer)
    assert '"unauthorized" is not one of' in hit.message


def test_amount_as_string_in_webhook_example(findings):
    pointer = (
        "/paths/~1agentic_checkout~1webhooks~1order_events/post/requestBody/content/application~1json"
        "/examples/order_updated/value/data/refunds/0/amount"
    )
    (hit,) = _at(findings, "example-invalid", "2025-09-29", "agentic_checkout_webhook", pointer)
    assert hit.line == 65 and '"1.00" is not of type integer' in hit.message


@pytest.mark.parametrize("version", ["2026-01-30", "2026-04-17"])
def test_empty_extensions_list_matches_both_oneof_branches(findings, version):
    (hit,) = _at(
        findings,
        "oneof-overlap",
        version,
        "agentic_checkout",
        "/components/schemas/Capabilities/properties/extensions/oneOf",
    )
    assert "both accept []" in hit.message


def test_cart_refers_to_a_json_schema_folder_the_copy_lacks(findings):
    hits = [f for f in findings if f.rule == "ref-unresolved"]
    assert len(hits) == 4 and all(f.file.endswith("2026-04-17/openapi.cart.yaml") for f in hits)
    assert all("file not found" in f.message for f in hits)


def test_tab_after_colon(findings):
    (hit,) = [f for f in findings if f.rule == "yaml-tab"]
    assert hit.file.endswith("2026-01-30/openapi.delegate_payment.yaml") and hit.line == 189


def test_rules_that_must_stay_silent(findings):
    rules = {f.rule for f in findings}
    # every amount is an integer and every error is flat in the published schemas
    assert not rules & {
        "acp-money-integer",
        "acp-error-flat",
        "openapi-valid",
        "required-undeclared",
        "required-undescribed",
        "enum-mismatch",
        "const-mismatch",
        "default-mismatch",
    }
    missing_version = {
        f.file.rsplit("/", 1)[-1] for f in findings if f.rule == "acp-api-version-header"
    }
    assert missing_version == {"openapi.feed.yaml"}


@pytest.mark.parametrize("old, new", list(itertools.pairwise(VERSIONS)))
def test_diff_of_consecutive_versions(old, new):
    if not UPSTREAM.is_dir():
        pytest.skip("no released files")
    result = diff(UPSTREAM / old, UPSTREAM / new)
    assert not result.problems
    assert result.changes


def test_diff_first_to_latest_hand_checked():
    if not UPSTREAM.is_dir():
        pytest.skip("no released files")
    changes = diff(UPSTREAM / "2025-09-29", UPSTREAM / "2026-04-17").changes
    by = {(c.api, c.rule, c.pointer): c for c in changes}
    currency = by[
        (
            "agentic_checkout",
            "request.property-added.required.closed",
            "/components/schemas/CheckoutSessionCreateRequest/properties/currency",
        )
    ]
    assert currency.breaking_client and currency.breaking_server
    assert (
        "agentic_checkout",
        "request.parameter-now-required",
        "/paths/~1checkout_sessions/post/parameters/header:Idempotency-Key",
    ) in by
    assert (
        "agentic_checkout",
        "response.enum.widened",
        "/components/schemas/CheckoutSessionBase/properties/status",
    ) in by
    assert (
        "agentic_checkout_webhook",
        "request.property-removed",
        "/components/schemas/EventDataOrder/properties/refunds",
    ) in by
    assert {c.api for c in changes if c.rule == "api-added"} == {
        "cart",
        "delegate_authentication",
        "feed",
    }
    # a property of the shared base is reported once, at the base, not per composite
    assert not [
        c for c in changes if c.pointer.startswith("/components/schemas/CheckoutSession/properties")
    ]
