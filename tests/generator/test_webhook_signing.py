"""Generated webhook packages: event models plus a signer and verifier in the version's format."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from acpforge import serving
from acpforge.generated.v2025_09_29 import agentic_checkout_webhook as hook_v1
from acpforge.generated.v2026_04_17 import agentic_checkout_webhook as hook_v2
from acpforge.wire.webhook_signature import WebhookSignatureError

BODY = b'{"type":"order_create","data":{}}'


def test_2025_09_29_signs_the_raw_body_in_hex():
    value = hook_v1.signing.sign(BODY, "whsec")
    assert re.fullmatch(r"[0-9a-f]{64}", value)
    hook_v1.signing.verify(BODY, value, "whsec")
    with pytest.raises(WebhookSignatureError):
        hook_v1.signing.verify(BODY + b" ", value, "whsec")
    with pytest.raises(WebhookSignatureError):
        hook_v1.signing.verify(BODY, value, "other-secret")


def test_2026_04_17_signs_timestamp_and_body():
    value = hook_v2.signing.sign(BODY, "whsec", now=1_800_000_000)
    assert re.fullmatch(r"t=1800000000,v1=[0-9a-f]{64}", value)
    hook_v2.signing.verify(BODY, value, "whsec", now=1_800_000_100)
    with pytest.raises(WebhookSignatureError):
        hook_v2.signing.verify(BODY, value, "whsec", now=1_800_000_000 + 301)  # outside the 300 s window
    with pytest.raises(WebhookSignatureError):
        hook_v2.signing.verify(BODY, None, "whsec")


class Receiver:
    def __init__(self, signing):
        self.signing = signing
        self.events = []

    async def post_order_events(self, request):
        from acpforge.runtime.errors import ACPError

        raw = await request.http.body()
        try:
            self.signing.verify(raw, request.merchant_signature, "whsec")
        except WebhookSignatureError as exc:
            raise ACPError(401, "invalid_request", "invalid_signature", str(exc)) from None
        self.events.append(request.body)
        return {"received": True}


def test_generated_receiver_stub_and_signed_delivery_over_http():
    receiver = Receiver(hook_v1.signing)
    event = {
        "type": "order_create",
        "data": {
            "type": "order",
            "checkout_session_id": "cs_1",
            "permalink_url": "https://merchant.example/orders/1",
            "status": "created",
            "refunds": [],
        },
    }
    raw = json.dumps(event).encode()
    with serving.running(hook_v1.create_app(receiver)) as server:
        ok = httpx.post(f"{server.base_url}/agentic_checkout/webhooks/order_events", content=raw,
                        headers=hook_v1.signing.signed_headers(raw, "whsec"))
        forged = httpx.post(f"{server.base_url}/agentic_checkout/webhooks/order_events", content=raw,
                            headers=hook_v1.signing.signed_headers(raw, "wrong"))
    assert ok.status_code == 200 and ok.json() == {"received": True}
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_signature"
    assert len(receiver.events) == 1
    assert receiver.events[0].data.checkout_session_id == "cs_1"
