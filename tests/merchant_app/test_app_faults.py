"""Each test-only fault breaks exactly the behaviour it names (item 10)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from acpforge.generated.v2026_04_17.agentic_checkout_webhook import signing as signing_2026

from acpforge.merchant.core import REGISTRY, check_invariants
from acpforge.wire.webhook_signature import WebhookSignatureError

from .appsupport import (
    ADDRESS,
    API_KEY,
    BAD_ADDRESS,
    DECLINE,
    VERSIONS,
    WEBHOOK_SECRET,
    driver,
    merchant,
    receiver,
)

V1, V2 = VERSIONS


def _post(base, path, body, version=V1, key=None):
    return httpx.post(f"{base}{path}", json=body, headers={
        "Authorization": f"Bearer {API_KEY}", "API-Version": version, "Idempotency-Key": key or str(uuid.uuid4())})


def _create(base, items=(("item_mug", 1),), address=ADDRESS, key=None):
    body = {"items": [{"id": i, "quantity": q} for i, q in items]}
    if address is not None:
        body["fulfillment_address"] = address
    return _post(base, "/checkout_sessions", body, key=key)


def test_every_named_fault_is_registered():
    wanted = {"idempotency_off", "totals_not_recomputed", "shipping_without_address", "webhook_wrong_secret",
              "no_privacy_link", "out_of_stock_accepted", "declined_card_accepted", "completion_status_wrong",
              "malformed_address_500", "float_amounts", "idempotency_key_not_echoed"}
    assert wanted <= set(REGISTRY.names())


def test_idempotency_off():
    with merchant("idempotency_off") as (_, base):
        first, second = _create(base, key="same"), _create(base, key="same")
        assert first.json()["id"] != second.json()["id"]


def test_totals_not_recomputed():
    with merchant("totals_not_recomputed") as (_, base):
        session = _create(base).json()
        updated = _post(base, f"/checkout_sessions/{session['id']}", {"fulfillment_option_id": "ship_express"}).json()
        assert updated["totals"] == session["totals"]
        assert check_invariants(updated["line_items"], updated["totals"], updated["fulfillment_options"],
                                updated["fulfillment_option_id"])


def test_shipping_without_address():
    with merchant("shipping_without_address") as (_, base):
        assert _create(base, address=None).json()["fulfillment_options"]


def test_no_privacy_link():
    with merchant("no_privacy_link") as (_, base):
        assert "privacy_policy" not in {link["type"] for link in _create(base).json()["links"]}


def test_out_of_stock_accepted():
    with merchant("out_of_stock_accepted") as (_, base):
        session = _create(base, items=(("item_sold_out", 1),)).json()
        assert session["status"] == "ready_for_payment"
        assert "out_of_stock" not in [m.get("code") for m in session["messages"]]


def test_declined_card_accepted():
    with merchant("declined_card_accepted") as (_, base):
        d = driver(base, V1)
        assert d.pay(number=DECLINE)["status"] == "completed"
        d.close()


def test_completion_status_wrong():
    with merchant("completion_status_wrong") as (_, base):
        d = driver(base, V2)
        session = d.create([("item_ebook", 1)])
        response = _post(base, f"/checkout_sessions/{session['id']}/complete",
                         d.complete_body(d.delegate(session)), version=V2)
        assert response.status_code == 202 and response.json()["status"] == "completed"
        d.close()


def test_completion_status_201_option():
    with merchant(completion_status=201) as (_, base):
        d = driver(base, V1)
        session = d.create([("item_ebook", 1)])
        response = _post(base, f"/checkout_sessions/{session['id']}/complete", d.complete_body(d.delegate(session)))
        assert response.status_code == 201
        d.close()


def test_malformed_address_500():
    with merchant("malformed_address_500") as (_, base):
        response = _create(base, address=BAD_ADDRESS)
        assert response.status_code == 500 and response.json()["type"] == "processing_error"
        assert _create(base).status_code == 201


def test_float_amounts():
    with merchant("float_amounts") as (_, base):
        totals = _create(base).json()["totals"]
        assert all(type(t["amount"]) is float for t in totals)


def test_idempotency_key_not_echoed():
    with merchant("idempotency_key_not_echoed") as (_, base):
        assert "idempotency-key" not in _create(base, key="echo-me").headers


def test_webhook_wrong_secret():
    with receiver() as (rec, url), merchant("webhook_wrong_secret", webhook_url=url) as (app, base):
        d = driver(base, V2)
        d.pay()
        d.close()
        assert asyncio.run(app.flush_webhooks(5))
    headers, body = rec.deliveries[0]
    with pytest.raises(WebhookSignatureError):
        signing_2026.verify(body, headers["merchant-signature"], WEBHOOK_SECRET)


def test_without_faults_the_same_probes_pass(shared_merchant):
    base = shared_merchant[1]
    first, second = _create(base, key="same-ok"), _create(base, key="same-ok")
    assert first.json()["id"] == second.json()["id"] and second.headers["idempotency-key"] == "same-ok"
    assert _create(base, address=None).json()["fulfillment_options"] == []
    assert _create(base, address=BAD_ADDRESS).status_code == 201
