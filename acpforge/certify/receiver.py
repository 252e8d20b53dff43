"""The platform's order-events webhook receiver, run by the certifier.

It verifies each delivery's ``Merchant-Signature`` with the version's
generated signing module, validates the body with the version's generated
event model, answers as the spec says (200 ``{received: true}``, 401 on a
bad signature, 400 on a bad body) and keeps every delivery, accepted or
not, for the scenarios to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from acpforge.wire.webhook_signature import WebhookSignatureError

from .evidence import Recorder

PATH = "/agentic_checkout/webhooks/order_events"


@dataclass
class Delivery:
    at: float
    headers: dict[str, str]
    body: bytes
    status: int
    verdict: str  # accepted, bad_signature, bad_body
    reason: str = ""
    event: dict[str, Any] | None = None

    @property
    def claimed_type(self) -> str | None:
        """The event type the body claims, whether or not its signature holds."""
        try:
            return json.loads(self.body).get("type")
        except (ValueError, AttributeError):
            return None


@dataclass
class Receiver:
    """State and ASGI app of the receiver; ``app`` is served by ``acpforge.serving``."""

    dialect: Any
    secret: str
    recorder: Recorder
    deliveries: list[Delivery] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def __post_init__(self) -> None:
        webhook = self.dialect.module("agentic_checkout_webhook")
        self.signing = webhook.signing
        self.app = FastAPI(title="acpforge certify webhook receiver")
        self.app.post(PATH)(self._receive)

    def _event_model(self):
        models = self.dialect.module("agentic_checkout_webhook").models
        for name in ("WebhookEvent", "PostOrderEventsRequest"):
            if hasattr(models, name):
                return getattr(models, name)
        return None

    async def _receive(self, request: Request) -> JSONResponse:
        raw = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, verdict, reason, event = 200, "accepted", "", None
        try:
            self.signing.verify(raw, headers.get(self.signing.SIGNATURE_HEADER.lower()), self.secret)
        except WebhookSignatureError as exc:
            status, verdict, reason = 401, "bad_signature", str(exc)
        if status == 200:
            try:
                event = json.loads(raw)
                model = self._event_model()
                if model is not None:
                    model.model_validate(event)
            except (ValueError, ValidationError) as exc:
                status, verdict, reason = 400, "bad_body", str(exc).splitlines()[0]
        body = {"received": True} if status == 200 else {"type": "invalid_request", "code": verdict, "message": reason}
        self.recorder.record_inbound(request.method, str(request.url), dict(request.headers), raw, status, body,
                                     note=f"webhook delivery: {verdict}")
        with self._changed:
            self.deliveries.append(Delivery(time.time(), headers, raw, status, verdict, reason, event))
            self._changed.notify_all()
        return JSONResponse(body, status_code=status)

    def wait_for_type(self, event_type: str, timeout: float) -> Delivery | None:
        """The first delivery (accepted or not) of an event type, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((d for d in self.deliveries if d.claimed_type == event_type), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
