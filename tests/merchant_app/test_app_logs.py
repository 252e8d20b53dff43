"""No card number, CVC, token or secret ever reaches a log record (item 11).

The capture handler has no redaction filter: the test proves the merchant
never hands such data to logging at all, not merely that redaction hides it.
"""

from __future__ import annotations

import asyncio
import logging
import re

import httpx
import pytest

from .appsupport import (
    ADDRESS,
    API_KEY,
    APPROVE,
    BAD_ADDRESS,
    CVC,
    SIM_SECRET,
    VERSIONS,
    WEBHOOK_SECRET,
    delegate_body,
    driver,
    merchant,
    receiver,
    simulator,
    total_of,
)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text}")


@pytest.fixture
def captured():
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_log_lines_never_carry_card_data_tokens_or_secrets(captured):
    tokens = []
    with receiver(fail_first=2) as (_, url), merchant("malformed_address_500", webhook_url=url) as (app, base):
        for version in VERSIONS:
            d = driver(base, version)
            session = d.create([("item_tshirt", 1)], ADDRESS)
            token = d.delegate(session, APPROVE)
            tokens.append(token)
            d.complete(session["id"], token)
            # error paths that see the same data
            bad = delegate_body(session["id"], total_of(session), "4242424242424241")
            httpx.post(f"{base}/agentic_commerce/delegate_payment", json=bad,
                       headers={"Authorization": f"Bearer {API_KEY}", "API-Version": version, "Idempotency-Key": version})
            httpx.post(f"{base}/checkout_sessions/{session['id']}/complete", content=f'{{"token": "{token}", "cvc": "{CVC}"',
                       headers={"Authorization": f"Bearer {API_KEY}", "API-Version": version, "Content-Type": "application/json",
                                "Idempotency-Key": "broken-" + version})
            httpx.post(f"{base}/checkout_sessions", json=d.create_body([("item_mug", 1)], BAD_ADDRESS),
                       headers={"Authorization": f"Bearer {API_KEY}", "API-Version": version, "Idempotency-Key": "500-" + version})
            simulator(base, f"/simulator/orders/{d.get(session['id'])['id']}/status", {"status": "shipped"})
            d.close()
        httpx.get(f"{base}/checkout_sessions/x", headers={"Authorization": "Bearer wrong-" + API_KEY, "API-Version": VERSIONS[0]})
        assert asyncio.run(app.flush_webhooks(10))
    text = "\n".join(captured.lines)
    assert any("unhandled error" in line for line in captured.lines), "the 500 path must have logged something"
    assert any("retrying" in line for line in captured.lines), "the outbox retries must have logged something"
    for secret in (APPROVE, *tokens, WEBHOOK_SECRET, API_KEY, SIM_SECRET):
        assert secret not in text
    assert not re.search(rf"cvc\W+{CVC}", text, re.IGNORECASE)
    assert not re.search(r"\b\d{13,19}\b", text), "something that looks like a card number was logged"
