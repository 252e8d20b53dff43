"""Order webhooks (item 4): events per version, signatures, simulator, outbox retries and dedupe."""

from __future__ import annotations

import asyncio
import importlib

import httpx
import pytest

from .appsupport import VERSIONS, WEBHOOK_SECRET, driver, free_port, merchant, receiver, simulator


def _webhook(version):
    package = "acpforge.generated.v" + version.replace("-", "_") + ".agentic_checkout_webhook"
    return importlib.import_module(package + ".models"), importlib.import_module(package + ".signing")


def _flush(app, timeout=10.0):
    assert asyncio.run(app.flush_webhooks(timeout)), "webhooks still pending"


@pytest.mark.parametrize("version", VERSIONS)
def test_order_created_then_updated_signed_in_the_version_format(version):
    models, signing = _webhook(version)
    with receiver() as (rec, url), merchant(webhook_url=url) as (app, base):
        d = driver(base, version)
        done = d.pay()
        order_id = done["order"]["id"]
        assert simulator(base, f"/simulator/orders/{order_id}/status", {"status": "shipped"}).status_code == 200
        refund = simulator(base, f"/simulator/orders/{order_id}/refunds", {"amount": 500, "reason": "damaged"})
        assert refund.status_code == 201 and refund.json()["amount_refunded"] == 500
        assert simulator(base, f"/simulator/orders/{order_id}/status", {"status": "fulfilled"}).status_code == 200
        _flush(app)
        d.close()
    events = rec.unique_events()
    assert [e["type"] for _, e in events] == ["order_create", "order_update", "order_update", "order_update"]
    for headers, event in events:
        body = next(b for h, b in rec.deliveries if h["event-id"] == headers["event-id"])
        signing.verify(body, headers["merchant-signature"], WEBHOOK_SECRET)
        models.WebhookEvent.model_validate(event)  # strict
        assert event["data"]["checkout_session_id"] == done["id"]
    last = events[-1][1]["data"]
    if version == "2025-09-29":
        assert events[1][1]["data"]["status"] == "shipped"
        assert last["refunds"] == [{"type": "original_payment", "amount": 500}] and last["status"] == "fulfilled"
    else:
        assert last["id"] == order_id and last["status"] == "completed"
        assert [(a["type"], a["amount"]) for a in last["adjustments"]] == [("refund", 500)]
        assert events[0][1]["data"]["adjustments"] == []
        int(events[0][0]["merchant-signature"].split(",")[0].removeprefix("t="))


def test_receiver_failing_its_first_three_deliveries_gets_every_event_once():
    with receiver(fail_first=3) as (rec, url), merchant(webhook_url=url) as (app, base):
        d = driver(base, VERSIONS[1])
        order_id = d.pay()["order"]["id"]
        simulator(base, f"/simulator/orders/{order_id}/status", {"status": "confirmed"})
        simulator(base, f"/simulator/orders/{order_id}/refunds", {"amount": 100})
        _flush(app)
        d.close()
        assert app.outboxes[VERSIONS[1]].dead_letters() == []
    unique = rec.unique_events()
    assert len(unique) == 3 and rec.attempts >= 6
    assert [e["type"] for _, e in unique] == ["order_create", "order_update", "order_update"]
    ids = [h["event-id"] for h, _ in rec.deliveries]
    assert len(ids) == len(set(ids))  # 5xx answers are not deliveries: nothing arrives twice here


def test_events_wait_for_a_receiver_that_is_down_then_arrive_when_the_url_is_set():
    dead_url = f"http://127.0.0.1:{free_port()}/agentic_checkout/webhooks/order_events"
    with merchant(webhook_url=dead_url) as (app, base):
        d = driver(base, VERSIONS[0])
        d.pay()
        d.close()
        assert not asyncio.run(app.flush_webhooks(0.5))
        with receiver() as (rec, url):
            answer = simulator(base, "/simulator/webhook-url", {"url": url})
            assert answer.status_code == 200
            _flush(app)
        assert [e["type"] for _, e in rec.unique_events()] == ["order_create"]
        status = httpx.get(f"{base}/simulator/outbox", headers={"Simulator-Secret": "sim-secret-xyz"}).json()
        assert status[VERSIONS[0]]["delivered"] == 1 and status[VERSIONS[0]]["pending"] == 0


def test_simulator_is_protected_and_validates(shared_merchant):
    base = shared_merchant[1]
    assert simulator(base, "/simulator/webhook-url", {"url": None}, secret="wrong").status_code == 401
    assert simulator(base, "/simulator/orders/ord_x/status", {"status": "shipped"}).status_code == 404
    assert simulator(base, "/simulator/webhook-url", {"url": "ftp://x"}).status_code == 400
    d = driver(base, VERSIONS[0])
    order_id = d.pay()["order"]["id"]
    d.close()
    bad = simulator(base, f"/simulator/orders/{order_id}/refunds", {"amount": 10**9})
    assert bad.status_code == 409 and bad.json()["param"] == "$.amount"
    assert simulator(base, f"/simulator/orders/{order_id}/status", {"status": "teleported"}).status_code == 400
    canceled = simulator(base, f"/simulator/orders/{order_id}/status", {"status": "canceled"}).json()
    assert canceled["status"] == "canceled" and canceled["refund_state"] == "refunded"
    assert simulator(base, f"/simulator/orders/{order_id}/status", {"status": "shipped"}).status_code == 409
