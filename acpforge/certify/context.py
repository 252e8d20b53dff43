"""What every scenario gets: the target, the version's dialect, recording HTTP, shared state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from acpforge.wire.request_signing import RequestSigner, generate_private_key

from .dialects import Dialect
from .evidence import Recorder, http_client
from .profile import Profile


@dataclass
class Context:
    profile: Profile
    dialect: Dialect
    recorder: Recorder
    expect: str  # checklist | spec | either
    verify: Any = True  # httpx verify: True, a CA bundle path, or an ssl context
    receiver: Any = None
    receiver_url: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = http_client(self.recorder, verify=self.verify)
        key = self.profile.payment.signing_key
        self.signing_pem = open(key, "rb").read() if key else generate_private_key("ed25519")
        self.signer = RequestSigner(self.signing_pem)

    # -- plumbing -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.profile.base_url.rstrip("/")

    @property
    def psp_url(self) -> str:
        return (self.profile.payment.delegate_payment_url or self.profile.base_url).rstrip("/")

    def headers(self, *, idempotency_key: str | None = None, version: str | None = "default", **extra: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Request-Id": str(uuid.uuid4())}
        if self.profile.bearer_token:
            headers["Authorization"] = f"Bearer {self.profile.bearer_token}"
        if version == "default":
            version = self.dialect.version
        if version is not None:
            headers["API-Version"] = version
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        headers.update(extra)
        return headers

    def post(self, path: str, body: Any, **header_options: Any) -> httpx.Response:
        return self.http.post(self.base_url + path, json=body, headers=self.headers(**header_options))

    def get(self, path: str, **header_options: Any) -> httpx.Response:
        headers = self.headers(**header_options)
        headers.pop("Idempotency-Key", None)
        headers.pop("Content-Type", None)
        return self.http.get(self.base_url + path, headers=headers)

    def client(self, api: str):
        module = self.dialect.module(api)
        client_class = getattr(module.client, module.client.__all__[0])
        base = self.psp_url if api == "delegate_payment" else self.base_url
        token = self.profile.payment.psp_token or self.profile.bearer_token if api == "delegate_payment" else self.profile.bearer_token
        return client_class(base, http_client=self.http, bearer_token=token or None)

    # -- shared steps -----------------------------------------------------------
    def create_session(self, items=None, address=None, **header_options) -> httpx.Response:
        items = items or [(self.profile.items.in_stock, self.profile.items.quantity)]
        return self.post("/checkout_sessions", self.dialect.create_body(items, address), **header_options)

    def ready_session(self) -> dict:
        """A session with the in-stock item, the valid address and an option selected."""
        response = self.create_session(address=self.profile.valid_address.wire())
        response.raise_for_status()
        session = response.json()
        if self.dialect.selected_option_id(session) is None and self.dialect.shipping_options(session):
            option = self.dialect.shipping_options(session)[0]["id"]
            update = self.post(f"/checkout_sessions/{session['id']}", self.dialect.select_option_body(session, option))
            update.raise_for_status()
            session = update.json()
        return session

    def delegate_body(self, session: dict, card) -> dict:
        total = self.dialect.totals(session).get("total", 0)
        expires = (datetime.now(timezone.utc) + timedelta(hours=1)).replace(microsecond=0)
        return {
            "payment_method": {
                "type": "card",
                "card_number_type": "fpan",
                "number": card.number,
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "name": card.name,
                "cvc": card.cvc,
                "display_card_funding_type": "credit",
                "display_brand": card.brand,
                "display_last4": card.number[-4:],
                "metadata": {"issuer": "acpforge-certify"},
            },
            "allowance": {
                "reason": "one_time",
                "max_amount": total,
                "currency": session.get("currency", "usd"),
                "checkout_session_id": session["id"],
                "merchant_id": self.profile.payment.merchant_id,
                "expires_at": expires.isoformat().replace("+00:00", "Z"),
            },
            "billing_address": self.profile.valid_address.wire(),
            "risk_signals": [{"type": "card_testing", "score": 3, "action": "authorized"}],
            "metadata": {"source": "acpforge-certify", "checkout_session_id": session["id"]},
        }

    def delegate(self, session: dict, card) -> httpx.Response:
        """POST the delegate-payment request, canonical JSON signed with a detached signature."""
        from acpforge.wire.canonical import canonical_json

        body = self.delegate_body(session, card)
        content = canonical_json(body)
        headers = self.headers()
        if self.profile.payment.psp_token:
            headers["Authorization"] = f"Bearer {self.profile.payment.psp_token}"
        headers.update(self.signer.sign(content))
        return self.http.post(self.psp_url + "/agentic_commerce/delegate_payment", content=content, headers=headers)
