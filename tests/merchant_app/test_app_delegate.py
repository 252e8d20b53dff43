"""Delegate payment over HTTP and the use constraints of its tokens (item 2), both versions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from acpforge.generated.v2025_09_29.agentic_checkout.client import ACPClientError

from .appsupport import ADDRESS, API_KEY, assert_schema, delegate_body, total_of


def _refused(drv, body):
    response = httpx.post(f"{drv.base_url}/agentic_commerce/delegate_payment", json=body, headers={
        "Authorization": f"Bearer {API_KEY}", "API-Version": drv.version, "Idempotency-Key": str(uuid.uuid4()),
    })
    assert response.status_code == 400, response.text
    assert_schema(drv.version, "Error", response.json(), "delegate_payment")
    return response.json()


def test_valid_request_issues_a_vt_token_echoing_metadata(drv):
    session = drv.create([("item_mug", 1)], ADDRESS)
    response = drv.dp_client.delegate_payment(delegate_body(session["id"], total_of(session)))
    assert response.id.startswith("vt_") and response.metadata == {"agent_order": "a-1"}
    assert drv.dp_client.last_response.status_code == 201


@pytest.mark.parametrize("where, change, param", [
    ("payment_method", {"number": "4242424242424241"}, "$.payment_method.number"),
    ("payment_method", {"exp_year": "2020"}, "$.payment_method.exp_year"),
    ("payment_method", {"display_last4": "0000"}, "$.payment_method.display_last4"),
    ("allowance", {"max_amount": 0}, "$.allowance.max_amount"),
    ("billing_address", {"postal_code": "XYZ"}, "$.billing_address.postal_code"),
    ("risk_signals", [{"type": "card_testing", "score": 99, "action": "blocked"}], "$.risk_signals[0].action"),
])
def test_invalid_parts_are_refused_with_codes_of_the_closed_enum(drv, where, change, param):
    body = delegate_body("cs_any", 1000)
    if isinstance(change, list):
        body[where] = change
    else:
        body[where] = {**body[where], **change}
    error = _refused(drv, body)
    assert error["param"] == param
    assert error["code"] in {c.value for c in drv.dp_models.ErrorCode}


def test_malformed_body_errors_also_use_the_closed_enum(drv):
    body = delegate_body("cs_any", 1000)
    del body["payment_method"]["number"]
    error = _refused(drv, body)
    assert error["param"] == "$.payment_method.number"


def _complete_error(drv, session_id, token):
    with pytest.raises(ACPClientError) as caught:
        drv.client.complete_checkout_session(session_id, drv.complete_body(token))
    return caught.value


@pytest.mark.parametrize("case", ["other_session", "amount_too_small", "used_twice", "wrong_merchant", "unknown"])
def test_tokens_pay_only_within_their_allowance(drv, case):
    session = drv.create([("item_mug", 1)], ADDRESS)
    other = drv.create([("item_mug", 1)], ADDRESS)
    total = total_of(session)
    if case == "other_session":
        token = drv.delegate(other)
    elif case == "amount_too_small":
        token = drv.delegate(session, max_amount=total - 1)
    elif case == "wrong_merchant":
        token = drv.dp_client.delegate_payment(delegate_body(session["id"], total, merchant_id="someone_else")).id
    elif case == "unknown":
        token = "vt_unknown"
    else:
        token = drv.delegate(session)
        assert drv.complete(session["id"], token)["status"] == "completed"
        session = other
    error = _complete_error(drv, session["id"], token)
    assert error.status == 400 and error.body["param"] == drv.token_param
    assert drv.get(session["id"])["status"] == "ready_for_payment"


def test_expired_allowance_is_refused_at_issue(drv):
    body = delegate_body("cs_any", 1000, expires_in=timedelta(seconds=-5))
    assert _refused(drv, body)["param"] == "$.allowance.expires_at"
