"""API-Version 2025-09-29: its generated models <-> the version-free core.

The core's canonical ``param`` vocabulary *is* this version's field names,
so no path is rewritten here.  Version specifics: ``items`` with
quantities, flat ``fulfillment_address``, one ``fulfillment_option_id``,
``payment_provider`` (stripe, card) and ``payment_data{token, provider}``;
no ``authentication_required`` status and no way to send a 3-D Secure
result (a card that needs one can only be declined here); webhooks carry
``refunds[]`` and are signed over the raw body.
"""

from __future__ import annotations

from typing import Any

from acpforge.generated.v2025_09_29.agentic_checkout import models
from acpforge.generated.v2025_09_29.agentic_checkout_webhook import models as webhook_models
from acpforge.generated.v2025_09_29.agentic_checkout_webhook import signing
from acpforge.generated.v2025_09_29.delegate_payment import models as dp_models
from acpforge.merchant.core import (
    UNSET,
    Buyer,
    CheckoutSession,
    DomainError,
    EventType,
    ItemRequest,
    MessageType,
    OrderEvent,
    SessionStatus,
)

from .common import (
    DelegatePaymentAdapter,
    MerchantRuntime,
    completion_failure,
    core_address,
    domain_error,
    iso,
    json_bytes,
    respond,
    session_links,
    wire_address,
)

__all__ = ["API_VERSION", "CheckoutAdapter", "delegate_payment_adapter", "serialize_event", "signer"]

API_VERSION = "2025-09-29"
LINK_TYPES = frozenset(t.value for t in models.LinkType)
PAYMENT_PROVIDER = {"provider": "stripe", "supported_payment_methods": ["card"]}
_DP_CODES = frozenset(c.value for c in dp_models.ErrorCode)
# statuses this version cannot say: 3-D Secure pending is still "payable" here
_STATUS = {SessionStatus.AUTHENTICATION_REQUIRED: "ready_for_payment"}


def _buyer(model: models.Buyer | None) -> Buyer | None:
    if model is None:
        return None
    return Buyer(model.first_name, model.last_name, model.email, model.phone_number)


class CheckoutAdapter:
    """The generated ``AgenticCheckoutHandler`` of 2025-09-29."""

    def __init__(self, runtime: MerchantRuntime) -> None:
        self.runtime = runtime
        self.checkout = runtime.core.checkout

    # -- operations ---------------------------------------------------------------

    async def create_checkout_session(self, request: Any) -> Any:
        body = request.body
        address = core_address(body.fulfillment_address)
        self.runtime.check_address_fault(address)
        try:
            session = self.checkout.create(
                [ItemRequest(i.id, i.quantity) for i in body.items],
                buyer=_buyer(body.buyer),
                address=address,
            )
        except DomainError as error:
            raise domain_error(error) from None
        self.runtime.registry.opened(session.id, API_VERSION)
        return self._reply(session, 201)

    async def get_checkout_session(self, request: Any) -> Any:
        return self._reply(self._call(self.checkout.get, request.checkout_session_id), 200)

    async def update_checkout_session(self, request: Any) -> Any:
        body = request.body
        given = body.model_fields_set
        changes: dict[str, Any] = {}
        if "items" in given and body.items is not None:
            changes["items"] = [ItemRequest(i.id, i.quantity) for i in body.items]
        if "fulfillment_address" in given:
            changes["address"] = core_address(body.fulfillment_address)
            self.runtime.check_address_fault(changes["address"])
        if "buyer" in given:
            changes["buyer"] = _buyer(body.buyer)
        if body.fulfillment_option_id is not None:
            changes["selected_fulfillment_option_id"] = body.fulfillment_option_id
        session = self._call(self.checkout.update, request.checkout_session_id, **changes)
        return self._reply(session, 200)

    async def complete_checkout_session(self, request: Any) -> Any:
        body = request.body
        payment = body.payment_data
        session = self._call(
            self.checkout.complete,
            request.checkout_session_id,
            payment.token,
            billing_address=core_address(payment.billing_address),
            buyer=_buyer(body.buyer) if "buyer" in body.model_fields_set else UNSET,
        )
        # no authentication_result exists in this version: point at the token
        failure = completion_failure(session, three_ds_param="$.payment_data.token")
        if failure is not None:
            raise failure
        return self._reply(session, self.runtime.success_status_of_completion(), with_order=True)

    async def cancel_checkout_session(self, request: Any) -> Any:
        return self._reply(self._call(self.checkout.cancel, request.checkout_session_id), 200)

    # -- mapping ------------------------------------------------------------------

    def _call(self, operation: Any, *args: Any, **kwargs: Any) -> CheckoutSession:
        try:
            return operation(*args, **kwargs)
        except DomainError as error:
            raise domain_error(error) from None

    def _reply(self, session: CheckoutSession, status: int, *, with_order: bool = False) -> Any:
        data = render_session(session, with_order=with_order)
        model = models.CheckoutSessionWithOrder if with_order else models.CheckoutSession
        return respond(model, data, status, self.runtime.faults)


def render_session(session: CheckoutSession, *, with_order: bool = False) -> dict[str, Any]:
    """The session as this version's ``CheckoutSession`` (or ``...WithOrder``) JSON."""
    out: dict[str, Any] = {
        "id": session.id,
        "status": _STATUS.get(session.status, session.status.value),
        "currency": session.currency,
        "payment_provider": PAYMENT_PROVIDER,
        "line_items": [
            {
                "id": li.id,
                "item": {"id": li.item_id, "quantity": li.quantity},
                "base_amount": li.base_amount,
                "discount": li.discount,
                "subtotal": li.subtotal,
                "tax": li.tax,
                "total": li.total,
            }
            for li in session.line_items
        ],
        "fulfillment_options": [_option(o) for o in session.fulfillment_options],
        "totals": [{"type": e.type, "display_text": e.display_text, "amount": e.amount} for e in session.totals.entries()],
        "messages": [_message(m) for m in session.messages],
        "links": session_links(session, LINK_TYPES, titles=False),
    }
    if session.buyer is not None:
        b = session.buyer
        out["buyer"] = {"first_name": b.first_name, "last_name": b.last_name, "email": b.email}
        if b.phone_number:
            out["buyer"]["phone_number"] = b.phone_number
    if session.fulfillment_address is not None:
        out["fulfillment_address"] = wire_address(session.fulfillment_address)
    if session.selected_fulfillment_option_id is not None:
        out["fulfillment_option_id"] = session.selected_fulfillment_option_id
    if with_order and session.order is not None:
        o = session.order
        out["order"] = {"id": o.id, "checkout_session_id": o.checkout_session_id, "permalink_url": o.permalink_url}
    return out


def _option(option: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": option.type, "id": option.id, "title": option.title}
    if option.subtitle:
        out["subtitle"] = option.subtitle
    if option.type == "shipping":
        if option.carrier:
            out["carrier"] = option.carrier
        if option.earliest_delivery_time is not None:
            out["earliest_delivery_time"] = iso(option.earliest_delivery_time)
        if option.latest_delivery_time is not None:
            out["latest_delivery_time"] = iso(option.latest_delivery_time)
    out.update(subtotal=option.subtotal, tax=option.tax, total=option.total)
    return out


def _message(message: Any) -> dict[str, Any]:
    if message.type is MessageType.ERROR:
        out = {"type": "error", "code": str(message.code or "invalid")}
    else:  # this version has no warnings: they are shown as info
        out = {"type": "info"}
    if message.param is not None:
        out["param"] = message.param
    out.update(content_type="plain", content=message.content)
    return out


# --------------------------------------------------------------------------- delegate payment


def delegate_payment_adapter(runtime: MerchantRuntime) -> DelegatePaymentAdapter:
    return DelegatePaymentAdapter(
        runtime, lambda code: code if code in _DP_CODES else ("invalid_card" if "card" in code else "invalid_request")
    )


# --------------------------------------------------------------------------- webhooks


def serialize_event(event: OrderEvent) -> bytes:
    """The order event as this version's ``WebhookEvent`` (validated, compact JSON)."""
    order = event.order
    data = {
        "type": "order_create" if event.type is EventType.ORDER_CREATED else "order_update",
        "data": {
            "type": "order",
            "checkout_session_id": order.checkout_session_id,
            "permalink_url": order.permalink_url,
            "status": order.status.value,
            "refunds": [{"type": r.type.value, "amount": r.amount} for r in order.refunds],
        },
    }
    webhook_models.WebhookEvent.model_validate(data)
    return json_bytes(data)


def signer(secret: str) -> Any:
    """``sign(body) -> headers`` for the outbox: HMAC of the raw body, lowercase hex."""

    def sign(body: bytes) -> dict[str, str]:
        return {signing.SIGNATURE_HEADER: signing.sign(body, secret)}

    return sign
