"""Delegated payment tokens for the fuzzer's completions.

A completion needs a token the merchant will honour: one issued by the
delegate-payment endpoint for that checkout session, currency, merchant and
an amount at least the session's total.  ``TokenMinter`` asks for one with
the generated ``DelegatePaymentClient`` of the target's API-Version and the
approve test card, playing the agent platform.  The card number lives here
and never in a report: reproductions call ``mint_token`` instead of
replaying a delegate-payment request with the card in it.
"""

from __future__ import annotations

import importlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .spec import package_for

__all__ = ["APPROVE_CARD", "DEFAULT_MERCHANT_ID", "TokenError", "TokenMinter", "mint_token"]

#: The processor simulator's "approved" test card (public test data, not a secret).
APPROVE_CARD = "4242424242424242"
#: ``merchant_id`` of the reference merchant (``ServeConfig.merchant_id``).
DEFAULT_MERCHANT_ID = "acpforge_reference_merchant"


class TokenError(RuntimeError):
    """The delegate-payment endpoint refused to issue a token."""


def _request_body(session_id: str, amount: int, currency: str, merchant_id: str, card: str) -> dict[str, Any]:
    expires = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    return {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": card,
            "exp_month": "12",
            "exp_year": str(datetime.now(UTC).year + 3),
            "name": "Ada Lovelace",
            "cvc": "123",
            "display_card_funding_type": "credit",
            "display_brand": "visa",
            "display_last4": card[-4:],
            "metadata": {},
        },
        "allowance": {
            "reason": "one_time",
            "max_amount": max(int(amount), 1),
            "currency": currency,
            "checkout_session_id": session_id,
            "merchant_id": merchant_id,
            "expires_at": expires.isoformat().replace("+00:00", "Z"),
        },
        "risk_signals": [{"type": "card_testing", "score": 1, "action": "authorized"}],
        "metadata": {"source": "acpforge-fuzz"},
    }


@dataclass
class TokenMinter:
    """Issues tokens through ``POST /agentic_commerce/delegate_payment`` of ``base_url``."""

    base_url: str
    version: str
    bearer_token: str | None = None
    merchant_id: str = DEFAULT_MERCHANT_ID
    card: str = APPROVE_CARD
    timeout: float = 30.0
    issued: int = 0
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            module = importlib.import_module(f"acpforge.generated.{package_for(self.version)}.delegate_payment.client")
            client = module.DelegatePaymentClient(
                self.base_url,
                bearer_token=self.bearer_token,
                http_client=httpx.Client(timeout=self.timeout),
                api_version=self.version,
            )
            self._local.client = client
        return client

    def mint(self, session_id: str, amount: int, currency: str = "usd") -> str:
        """A fresh token id (``vt_...``) valid for ``amount`` of ``session_id``."""
        body = _request_body(session_id, amount, currency, self.merchant_id, self.card)
        try:
            answer = self._client().delegate_payment(body, idempotency_key=f"acpforge-{uuid.uuid4()}")
        except Exception as exc:  # noqa: BLE001 - ACPClientError, transport errors: all mean "no token"
            raise TokenError(f"delegate_payment refused a token for {session_id}: {exc}") from None
        with self._lock:
            self.issued += 1
        return answer.id

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.http.close()
            self._local.client = None


def mint_token(
    base_url: str,
    version: str,
    session_id: str,
    amount: int,
    currency: str = "usd",
    *,
    bearer_token: str | None = None,
    merchant_id: str = DEFAULT_MERCHANT_ID,
) -> str:
    """One token, for reproduction snippets."""
    minter = TokenMinter(base_url, version, bearer_token, merchant_id)
    try:
        return minter.mint(session_id, amount, currency)
    finally:
        minter.close()
