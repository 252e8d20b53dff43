"""ACP checks on crafted exchanges: one passing and one failing case each, plus the Schemathesis glue."""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from schemathesis.core.transport import Response

from acpforge.fuzz import checks
from acpforge.fuzz.checks import Exchange
from acpforge.fuzz.spec import load_document, spec_info
from acpforge.fuzz.state import mark, release

CHECKOUT_25 = spec_info(load_document("2025-09-29", "agentic_checkout"))
CHECKOUT_26 = spec_info(load_document("2026-04-17", "agentic_checkout"))
DELEGATE_26 = spec_info(load_document("2026-04-17", "delegate_payment"))


def exchange(status=200, body=None, *, method="POST", url="http://127.0.0.1:1/checkout_sessions",
             request_headers=None, response_headers=None) -> Exchange:
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    headers = {"content-type": ["application/json"]} if body is not None else {}
    headers.update({k.lower(): [v] for k, v in (response_headers or {}).items()})
    sent = {"API-Version": "2025-09-29"} if request_headers is None else request_headers
    return Exchange(method=method, url=url, request_headers=sent,
                    status=status, response_headers=headers, response_body=raw)


def session_2025(**changes):
    session = {
        "id": "cs_1", "status": "ready_for_payment", "currency": "usd",
        "line_items": [{"id": "li_1", "item": {"id": "item_mug", "quantity": 2},
                        "base_amount": 2900, "discount": 0, "subtotal": 2900, "tax": 232, "total": 3132}],
        "fulfillment_options": [{"type": "shipping", "id": "std", "title": "Standard",
                                 "subtotal": 500, "tax": 0, "total": 500}],
        "fulfillment_option_id": "std",
        "totals": [
            {"type": "items_base_amount", "display_text": "Items", "amount": 2900},
            {"type": "items_discount", "display_text": "Discount", "amount": 0},
            {"type": "subtotal", "display_text": "Subtotal", "amount": 2900},
            {"type": "fulfillment", "display_text": "Shipping", "amount": 500},
            {"type": "tax", "display_text": "Tax", "amount": 232},
            {"type": "total", "display_text": "Total", "amount": 3632},
        ],
        "messages": [], "links": [],
    }
    session.update(changes)
    return session


def session_2026(total=3200):
    def totals(**amounts):
        return [{"type": k, "display_text": k, "amount": v} for k, v in amounts.items()]

    return {
        "id": "cs_2", "status": "ready_for_payment", "currency": "usd",
        "line_items": [{"id": "li_1", "item": {"id": "item_123"}, "quantity": 2, "unit_amount": 1250,
                        "totals": totals(items_base_amount=2500, subtotal=2500, tax=200, total=2700)}],
        "fulfillment_options": [{"type": "shipping", "id": "ship", "title": "Standard", "totals": totals(total=500)}],
        "selected_fulfillment_options": [{"type": "shipping", "option_id": "ship", "item_ids": ["li_1"]}],
        "totals": totals(items_base_amount=2500, subtotal=2500, fulfillment=500, tax=200, total=total),
        "messages": [], "links": [],
    }


# -- amounts ---------------------------------------------------------------------------------


def test_integer_amounts_pass():
    assert checks.amounts_minor_units(exchange(body=session_2025()), CHECKOUT_25) == []


@pytest.mark.parametrize("value", [2900.0, 29.0, "2900", True])
def test_float_string_or_bool_amounts_fail(value):
    body = session_2025()
    body["line_items"][0]["base_amount"] = value
    problems = checks.amounts_minor_units(exchange(body=body), CHECKOUT_25)
    assert problems and "$.line_items[0].base_amount" in problems[0]


def test_float_amount_in_2026_totals_fails_but_numbers_elsewhere_do_not():
    body = session_2026()
    body["totals"][0]["amount"] = 2500.5
    body["tax_rate"] = {"rate": 0.08}  # a number that is not money
    problems = checks.amounts_minor_units(exchange(body=body), CHECKOUT_26)
    assert problems == ["$.totals[0].amount is a float (2500.5); amounts are integers in minor units"]


# -- totals ----------------------------------------------------------------------------------


def test_consistent_sessions_pass_in_both_shapes():
    assert checks.totals_add_up(exchange(body=session_2025()), CHECKOUT_25) == []
    assert checks.totals_add_up(exchange(body=session_2026()), CHECKOUT_26) == []


def test_total_that_does_not_add_up_fails():
    body = session_2025()
    body["totals"][-1]["amount"] = 3633
    assert any("$.totals.total" in p for p in checks.totals_add_up(exchange(body=body), CHECKOUT_25))
    assert any("$.totals.total" in p for p in checks.totals_add_up(exchange(body=session_2026(3300)), CHECKOUT_26))


def test_line_arithmetic_and_selected_option_are_checked():
    body = session_2025()
    body["line_items"][0]["subtotal"] = 2800
    assert any("subtotal" in p for p in checks.totals_add_up(exchange(body=body), CHECKOUT_25))
    body = session_2025(fulfillment_option_id="express")
    assert any("not an offered option" in p for p in checks.totals_add_up(exchange(body=body), CHECKOUT_25))


def test_totals_ignore_errors_and_non_sessions():
    assert checks.totals_add_up(exchange(400, {"type": "invalid_request"}), CHECKOUT_25) == []
    assert checks.totals_add_up(exchange(200, {"id": "vt_1", "created": "now"}), CHECKOUT_25) == []


# -- flat errors -----------------------------------------------------------------------------


def test_flat_error_passes():
    body = {"type": "invalid_request", "code": "missing", "message": "items are required", "param": "$.items"}
    assert checks.flat_error(exchange(400, body), CHECKOUT_25) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"type": "invalid_request", "code": "x", "message": "m"}}, "wrapped"),
        ({"detail": [{"loc": ["body"], "msg": "bad"}]}, "wrapped"),
        ({"type": "bad_type", "code": "missing", "message": "m"}, "type 'bad_type'"),
        ({"type": "invalid_request", "code": "Not Snake", "message": "m"}, "snake_case"),
        ({"type": "invalid_request", "message": "m"}, "missing 'code'"),
        ({"type": "invalid_request", "code": "missing", "message": "m", "param": "items[0]"}, "JSONPath"),
        ({"type": "invalid_request", "code": "missing", "message": "m", "extra": 1}, "unexpected key"),
        (b"<html>500</html>", "not JSON"),
        (["invalid_request"], "not an error object"),
    ],
)
def test_non_flat_errors_fail(body, expected):
    problems = checks.flat_error(exchange(400, body), CHECKOUT_25)
    assert problems and expected in " ".join(problems)


def test_closed_code_enums_are_enforced():
    body = {"type": "invalid_request", "code": "no_such_code", "message": "m"}
    assert any("not one of the spec's codes" in p for p in checks.flat_error(exchange(400, body), DELEGATE_26))
    assert checks.flat_error(exchange(400, body), CHECKOUT_26) == []  # an open code: any snake_case word
    body["code"] = "invalid_card"
    assert checks.flat_error(exchange(400, body), DELEGATE_26) == []


def test_success_responses_are_not_errors():
    assert checks.flat_error(exchange(201, session_2025()), CHECKOUT_25) == []


# -- echoes ----------------------------------------------------------------------------------


def test_idempotency_key_echo():
    sent = {"API-Version": "2025-09-29", "Idempotency-Key": "k-1"}
    echoed = exchange(201, session_2025(), request_headers=sent, response_headers={"Idempotency-Key": "k-1"})
    assert checks.idempotency_key_echoed(echoed, CHECKOUT_25) == []
    missing = exchange(201, session_2025(), request_headers=sent)
    assert "does not echo" in checks.idempotency_key_echoed(missing, CHECKOUT_25)[0]
    wrong = exchange(400, {}, request_headers=sent, response_headers={"Idempotency-Key": "k-2"})
    assert "echoes 'k-2'" in checks.idempotency_key_echoed(wrong, CHECKOUT_25)[0]
    get = exchange(200, session_2025(), method="GET", request_headers=sent)
    assert checks.idempotency_key_echoed(get, CHECKOUT_25) == []


def test_request_id_echo():
    sent = {"API-Version": "2025-09-29", "Request-Id": "req_1"}
    assert checks.request_id_echoed(exchange(200, {}, request_headers=sent, response_headers={"Request-Id": "req_1"}),
                                    CHECKOUT_25) == []
    assert checks.request_id_echoed(exchange(200, {}, request_headers=sent), CHECKOUT_25)


# -- API-Version and required keys ----------------------------------------------------------


def test_api_version_enforced():
    assert checks.api_version_enforced(exchange(201, session_2025()), CHECKOUT_25) == []
    assert checks.api_version_enforced(exchange(400, {}, request_headers={}), CHECKOUT_25) == []
    problems = checks.api_version_enforced(exchange(201, session_2025(), request_headers={}), CHECKOUT_25)
    assert "without API-Version" in problems[0]
    wrong = exchange(200, session_2025(), request_headers={"API-Version": "2024-01-01"})
    assert "unsupported API-Version '2024-01-01'" in checks.api_version_enforced(wrong, CHECKOUT_25)[0]


def test_idempotency_key_required_only_where_the_version_says_so():
    without = {"API-Version": "2026-04-17"}
    assert checks.idempotency_key_required(exchange(201, {}, request_headers=without), CHECKOUT_26)
    assert checks.idempotency_key_required(exchange(400, {}, request_headers=without), CHECKOUT_26) == []
    assert checks.idempotency_key_required(exchange(201, {}, request_headers={"API-Version": "2025-09-29"}),
                                           CHECKOUT_25) == []


# -- Schemathesis glue -----------------------------------------------------------------------


def _response(case, status, body, headers=None):
    prepared = requests.Request("POST", "http://127.0.0.1:1/checkout_sessions",
                                headers={"API-Version": "2025-09-29", "Idempotency-Key": "k"}).prepare()
    content = json.dumps(body).encode()
    all_headers = {"content-type": ["application/json"], **{k: [v] for k, v in (headers or {}).items()}}
    return Response(status, all_headers, content, prepared, 0.01, verify=True)


def test_checks_are_registered_and_act_only_on_marked_schemas():
    from schemathesis.checks import CHECKS

    assert set(checks.ACP_CHECK_NAMES) <= set(CHECKS.get_all_names())
    document = load_document("2025-09-29", "agentic_checkout")
    plain = schemathesis.openapi.from_dict(json.loads(json.dumps(document)))
    operation = plain["/checkout_sessions"]["POST"]
    case = operation.Case(body={"items": [{"id": "x", "quantity": 1}]}, media_type="application/json")
    response = _response(case, 201, session_2025())
    echo = CHECKS.get_one("acp_idempotency_key_echoed")
    assert echo(None, response, case) is True  # skipped: not an ACP schema

    state = mark(document)
    try:
        marked = schemathesis.openapi.from_dict(document)
        case = marked["/checkout_sessions"]["POST"].Case(body={"items": [{"id": "x", "quantity": 1}]},
                                                          media_type="application/json")
        with pytest.raises(checks.ACPFailure) as failure:
            echo(None, _response(case, 201, session_2025()), case)
        assert failure.value.check == "acp_idempotency_key_echoed"
        assert echo(None, _response(case, 201, session_2025(), {"Idempotency-Key": "k"}), case) is None
    finally:
        release(state)


def test_failures_deduplicate_by_check_and_kind_not_by_value():
    one = checks.ACPFailure(check="acp_flat_error", operation="POST /x", title="t", problems=["400 error: code 'a'"])
    two = checks.ACPFailure(check="acp_flat_error", operation="POST /x", title="t", problems=["400 error: code 'b'"])
    other = checks.ACPFailure(check="acp_flat_error", operation="POST /x", title="t", problems=["missing 'type'"])
    assert one == two and one != other
