"""What the per-version adapters share: runtime state, error mapping, small wire helpers.

Why a separate module: the two adapters differ in shapes, not in how a
core outcome becomes an HTTP answer.  Everything that is the same for every
API-Version (DomainError -> ACPError, a failed completion -> a 4xx, the
delegate-payment handler, the test-only float fault, the per-session memory
of which version created it) lives here, once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from acpforge.merchant import faults_http
from acpforge.merchant.core import (
    Address,
    Allowance,
    CardDetails,
    CheckoutSession,
    DomainError,
    ErrorKind,
    Faults,
    MerchantCore,
    MessageCode,
    MessageType,
    RiskSignal,
    SessionStatus,
    VaultRejected,
    rewrite_param,
    validate_address,
)
from acpforge.runtime.errors import ACPError
from acpforge.runtime.server import error_response

__all__ = [
    "DelegatePaymentAdapter",
    "MerchantRuntime",
    "SessionRegistry",
    "completion_failure",
    "core_address",
    "domain_error",
    "float_amounts",
    "install_closed_error_codes",
    "iso",
    "json_bytes",
    "respond",
    "wire_address",
]

_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID_REQUEST: 400,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.NOT_ALLOWED: 405,
    ErrorKind.CONFLICT: 409,
    ErrorKind.PROCESSING_ERROR: 500,
}

#: Status of a completion the buyer can still fix by paying differently (declined, 3-D Secure).
PAYMENT_REFUSED_STATUS = 402


class SessionRegistry:
    """Which API-Version opened each session, plus that version's wire-only extras.

    The core is version-free; a few things exist only on one version's wire
    (the agent's declared capabilities, the 2026-04-17 buyer and delivery
    contact as sent).  The adapter keeps them here, keyed by session id.  The
    webhook router also reads the version to sign an order's events in the
    format of the version its session was created with.
    """

    def __init__(self) -> None:
        self._versions: dict[str, str] = {}
        self._extras: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def opened(self, session_id: str, version: str, **extras: Any) -> None:
        with self._lock:
            self._versions[session_id] = version
            self._extras[session_id] = dict(extras)

    def version(self, session_id: str) -> str | None:
        return self._versions.get(session_id)

    def extras(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._extras.get(session_id, {}))

    def update(self, session_id: str, **changes: Any) -> None:
        with self._lock:
            self._extras.setdefault(session_id, {}).update(changes)


@dataclass
class MerchantRuntime:
    """Everything an adapter needs: the shared core and the serving options."""

    core: MerchantCore
    faults: Faults
    registry: SessionRegistry = field(default_factory=SessionRegistry)
    completion_status: int = 200

    @property
    def base_url(self) -> str:
        return self.core.config.base_url.rstrip("/")

    def success_status_of_completion(self) -> int:
        if self.faults.active(faults_http.COMPLETION_STATUS_WRONG):
            return faults_http.WRONG_COMPLETION_STATUS
        return self.completion_status

    def check_address_fault(self, address: Address | None) -> None:
        """Fault ``malformed_address_500``: an invalid address crashes the handler."""
        if (address is not None and self.faults.active(faults_http.MALFORMED_ADDRESS_500)
                and validate_address(address)):
            raise RuntimeError("test fault malformed_address_500: address handling crashed")


# --------------------------------------------------------------------------- errors


def domain_error(error: DomainError, roots: Mapping[str, str] = {}) -> ACPError:
    """A core refusal as a flat ACP error (param rewritten into the version's names)."""
    status = _STATUS.get(error.kind, 400)
    kind = "processing_error" if status >= 500 else "invalid_request"
    return ACPError(status, kind, error.code, error.message, param=rewrite_param(error.param, roots))


def completion_failure(
    session: CheckoutSession, roots: Mapping[str, str] = {}, *, three_ds_param: str = "$.authentication_result"
) -> ACPError | None:
    """Why a completion did not complete, as a 4xx; ``None`` when it did.

    The spec's success body of ``complete`` is a session *with* an order, so
    an unpaid session cannot be the 200 answer: the refusal is an error
    object, and the session itself (``GET``) keeps the same message.
    """
    if session.status is SessionStatus.COMPLETED:
        return None
    for message in session.notices:
        if message.type is not MessageType.ERROR:
            continue
        if message.code is MessageCode.PAYMENT_DECLINED:
            return ACPError(PAYMENT_REFUSED_STATUS, "invalid_request", "payment_declined", message.content,
                            param=rewrite_param(message.param, roots))
        if message.code is MessageCode.REQUIRES_3DS:
            return ACPError(PAYMENT_REFUSED_STATUS, "invalid_request", "requires_3ds", message.content,
                            param=three_ds_param)
        return ACPError(400, "invalid_request", str(message.code or "invalid"), message.content,
                        param=rewrite_param(message.param, roots))
    for message in session.problems:
        if message.type is MessageType.ERROR:
            return ACPError(400, "invalid_request", str(message.code or "invalid"),
                            f"The session is not ready for payment: {message.content}",
                            param=rewrite_param(message.param, roots))
    return ACPError(400, "invalid_request", "not_ready_for_payment", "The session is not ready for payment.")


def install_closed_error_codes(app: FastAPI, path: str, allowed: Iterable[str], fallback: str) -> None:
    """Keep error codes on ``path`` inside a closed ``Error.code`` enum.

    The delegate-payment specs close ``code``; the generic body-validation
    errors of the stubs say ``missing``/``invalid``, which that enum lacks.
    """
    allowed = frozenset(allowed)

    async def handler(request: Request, exc: ACPError) -> JSONResponse:
        if request.url.path == path and exc.code not in allowed:
            exc.code = fallback
        return error_response(exc, request)

    app.add_exception_handler(ACPError, handler)


# --------------------------------------------------------------------------- wire helpers


def respond(model: Any, data: dict[str, Any], status: int, faults: Faults) -> JSONResponse:
    """Validate ``data`` against the response model, then send ``data`` itself.

    Why not return the mapping to the stub: it would validate *and* re-dump
    through pydantic; the adapter's dict already is the exact wire form, so
    validating it (a handler bug must not leak an invalid body) is enough.
    """
    model.model_validate(data)
    if faults.active(faults_http.FLOAT_AMOUNTS):
        data = float_amounts(data)
    return JSONResponse(data, status_code=status)



def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def core_address(model: Any) -> Address | None:
    """Any version's ``Address`` model (same field names everywhere) as a core ``Address``."""
    if model is None:
        return None
    return Address(
        name=model.name,
        line_one=model.line_one,
        city=model.city,
        state=model.state,
        country=model.country,
        postal_code=model.postal_code,
        line_two=model.line_two,
    )


def wire_address(address: Address) -> dict[str, Any]:
    out = {
        "name": address.name,
        "line_one": address.line_one,
        "city": address.city,
        "state": address.state,
        "country": address.country,
        "postal_code": address.postal_code,
    }
    if address.line_two:
        out["line_two"] = address.line_two
    return out


_AMOUNT_KEYS = frozenset({"amount", "base_amount", "discount", "subtotal", "tax", "total", "unit_amount"})


def float_amounts(data: Any) -> Any:
    """Fault ``float_amounts``: every integer amount becomes a float (``2500.0``)."""
    if isinstance(data, dict):
        return {k: (float(v) if k in _AMOUNT_KEYS and type(v) is int else float_amounts(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [float_amounts(v) for v in data]
    return data


# --------------------------------------------------------------------------- delegate payment


class DelegatePaymentAdapter:
    """``POST /agentic_commerce/delegate_payment`` over the core vault, for any version.

    ``code_for(vault_code)`` maps the vault's problem codes into the
    version's closed ``Error.code`` enum.  Card data goes to the vault and
    nowhere else: nothing here logs, and error messages never quote values.
    """

    def __init__(self, runtime: MerchantRuntime, code_for: Callable[[str], str]) -> None:
        self.runtime = runtime
        self.code_for = code_for

    async def delegate_payment(self, request: Any) -> dict[str, Any]:
        body = request.body
        pm = body.payment_method
        card = CardDetails(
            number=pm.number,
            exp_month=pm.exp_month,
            exp_year=pm.exp_year,
            cvc=pm.cvc,
            name=pm.name,
            card_number_type=str(pm.card_number_type),
            funding_type=str(pm.display_card_funding_type) if pm.display_card_funding_type else None,
            display_brand=pm.display_brand,
            display_last4=pm.display_last4,
            cryptogram=pm.cryptogram,
            eci_value=pm.eci_value,
            checks_performed=tuple(str(c) for c in pm.checks_performed or ()),
            metadata=dict(pm.metadata or {}),
        )
        a = body.allowance
        allowance = None if a is None else Allowance(
            reason=str(a.reason),
            max_amount=a.max_amount,
            currency=a.currency,
            checkout_session_id=a.checkout_session_id,
            merchant_id=a.merchant_id,
            expires_at=a.expires_at,
        )
        signals = [RiskSignal(str(s.type), s.score, str(s.action)) for s in body.risk_signals or ()]
        try:
            issued = self.runtime.core.vault.issue(
                card, allowance, core_address(body.billing_address), signals, dict(body.metadata or {})
            )
        except VaultRejected as rejected:
            raise ACPError(400, "invalid_request", self.code_for(rejected.code), rejected.message,
                           param=rejected.param) from None
        return {"id": issued.id, "created": iso(issued.created), "metadata": issued.metadata}


def session_links(session: CheckoutSession, allowed: frozenset[str], *, titles: bool) -> list[dict[str, Any]]:
    """The session's legal links that the version's ``Link.type`` enum knows."""
    out = []
    for link in session.links:
        if link.type.value in allowed:
            entry = {"type": link.type.value, "url": link.url}
            if titles:
                entry["title"] = link.title
            out.append(entry)
    return out
