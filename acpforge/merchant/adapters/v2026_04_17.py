"""API-Version 2026-04-17: its generated models <-> the version-free core.

Version specifics handled here:

* ``line_items`` lists an item id once per unit (the published ``Item`` has
  no quantity); ``currency`` and ``capabilities`` are required on create;
* the response's ``capabilities`` are the intersection of what the agent
  declared and what this merchant supports (interventions: ``3ds``), plus the
  payment handlers the merchant advertises; ``payment_data.handler_id`` must
  name one of the handlers advertised *on that session*;
* ``fulfillment_details{name, phone_number, email, address}`` instead of an
  address; ``selected_fulfillment_options[]`` instead of one option id;
  per-line and per-option ``totals[]``;
* 3-D Secure: a card that needs it puts the session in
  ``authentication_required`` with ``authentication_metadata``; completing
  without ``authentication_result`` is a 402 ``requires_3ds`` at
  ``$.authentication_result``;
* markdown with raw HTML is never emitted (``safe_content``);
* webhooks carry the full order with ``adjustments[]`` and are signed
  ``t=<unix>,v1=<hex>``.

Core ``param`` paths use 2025-09-29 names; ``ROOTS`` rewrites them.
"""

from __future__ import annotations

import re
import time
from typing import Any

from acpforge.generated.v2026_04_17.agentic_checkout import models
from acpforge.generated.v2026_04_17.agentic_checkout_webhook import models as webhook_models
from acpforge.generated.v2026_04_17.agentic_checkout_webhook import signing
from acpforge.generated.v2026_04_17.delegate_payment import models as dp_models
from acpforge.merchant.core import (
    UNSET,
    AuthenticationResult,
    Buyer,
    CheckoutSession,
    DomainError,
    EventType,
    ItemRequest,
    MessageCode,
    MessageType,
    OrderEvent,
    OrderStatus,
    RefundType,
    SessionStatus,
    rewrite_param,
)
from acpforge.runtime.errors import ACPError

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

__all__ = [
    "API_VERSION",
    "MERCHANT_INTERVENTIONS",
    "ROOTS",
    "CheckoutAdapter",
    "delegate_payment_adapter",
    "payment_handlers",
    "safe_content",
    "serialize_event",
    "signer",
]

API_VERSION = "2026-04-17"
ROOTS = {
    "$.items": "$.line_items",
    "$.fulfillment_address": "$.fulfillment_details.address",
    "$.fulfillment_option_id": "$.selected_fulfillment_options",
    "$.payment_data.token": "$.payment_data.instrument.credential.token",
}
LINK_TYPES = frozenset(t.value for t in models.LinkType)
#: Interventions this merchant can run with an agent.
MERCHANT_INTERVENTIONS = frozenset({"3ds"})
_DP_CODES = frozenset(c.value for c in dp_models.ErrorCode)
_DIRECTORY = {"visa": "visa", "mastercard": "mastercard", "amex": "american_express"}
_ORDER_STATUS = {OrderStatus.FULFILLED: "completed"}  # 2026-04-17 calls a delivered order completed
_RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")


def payment_handlers(runtime: MerchantRuntime) -> list[dict[str, Any]]:
    """The payment handlers this merchant advertises: delegated card tokens."""
    base = runtime.base_url
    return [
        {
            "id": "card_tokenized",
            "name": "dev.acp.tokenized.card",
            "display_name": "Credit or debit card",
            "version": API_VERSION,
            "spec": "https://acp.example.com/handlers/tokenized-card",
            "requires_delegate_payment": True,
            "requires_pci_compliance": False,
            "psp": "acpforge_simulator",
            "config_schema": "https://acp.example.com/handlers/tokenized-card/config.schema.json",
            "instrument_schemas": ["https://acp.example.com/handlers/tokenized-card/instrument.schema.json"],
            "config": {
                "merchant_id": runtime.core.config.merchant_id,
                "delegate_payment_url": f"{base}/agentic_commerce/delegate_payment",
            },
            "display_order": 1,
        }
    ]


def safe_content(content_type: str, content: str) -> tuple[str, str]:
    """Markdown must not carry raw HTML: such content is refused as markdown and sent as plain text."""
    if content_type == "markdown" and _RAW_HTML.search(content):
        return "plain", _RAW_HTML.sub("", content)
    return content_type, content


def _buyer(model: models.Buyer | None) -> Buyer | None:
    """The core wants first and last names; this version only requires an email."""
    if model is None:
        return None
    parts = (model.full_name or "").split(None, 1)
    first = model.first_name or (parts[0] if parts else None) or model.email.split("@", 1)[0] or "Buyer"
    last = model.last_name or (parts[1] if len(parts) > 1 else None) or first
    return Buyer(first, last, model.email, model.phone_number)


def _dump(model: Any) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json", exclude_unset=True)


def _contact(details: models.FulfillmentDetails | None) -> dict[str, Any]:
    if details is None:
        return {}
    return {k: v for k, v in _dump(details).items() if k != "address"}


class CheckoutAdapter:
    """The generated ``AgenticCheckoutHandler`` of 2026-04-17."""

    def __init__(self, runtime: MerchantRuntime) -> None:
        self.runtime = runtime
        self.checkout = runtime.core.checkout
        self.registry = runtime.registry
        self.handlers = payment_handlers(runtime)

    # -- operations ---------------------------------------------------------------

    async def create_checkout_session(self, request: Any) -> Any:
        body = request.body
        details = body.fulfillment_details
        address = core_address(details.address) if details is not None else None
        self.runtime.check_address_fault(address)
        session = self._call(
            self.checkout.create,
            [ItemRequest(item.id, 1) for item in body.line_items],
            buyer=_buyer(body.buyer),
            address=address,
            currency=body.currency,
        )
        self.registry.opened(
            session.id,
            API_VERSION,
            interventions=self._interventions(body.capabilities),
            handlers=self._handlers(body.capabilities),
            buyer=_dump(body.buyer),
            contact=_contact(details),
        )
        return self._reply(session, 201)

    async def get_checkout_session(self, request: Any) -> Any:
        return self._reply(self._call(self.checkout.get, request.checkout_session_id), 200)

    async def update_checkout_session(self, request: Any) -> Any:
        body = request.body
        session_id = request.checkout_session_id
        given = body.model_fields_set
        changes: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        if "line_items" in given and body.line_items is not None:
            changes["items"] = [ItemRequest(item.id, 1) for item in body.line_items]
        if "fulfillment_details" in given:
            details = body.fulfillment_details
            changes["address"] = core_address(details.address) if details is not None else None
            self.runtime.check_address_fault(changes["address"])
            extras["contact"] = _contact(details)
        if "buyer" in given:
            changes["buyer"] = _buyer(body.buyer)
            extras["buyer"] = _dump(body.buyer)
        if body.selected_fulfillment_options:
            changes["selected_fulfillment_option_id"] = body.selected_fulfillment_options[0].option_id
        session = self._call(self.checkout.update, session_id, **changes)
        if extras:
            self.registry.update(session_id, **extras)
        return self._reply(session, 200)

    async def complete_checkout_session(self, request: Any) -> Any:
        body = request.body
        session_id = request.checkout_session_id
        self._call(self.checkout.get, session_id)  # unknown session: 404 before anything else
        payment = body.payment_data.root
        if payment.handler_id is None or payment.instrument is None:
            raise ACPError(400, "invalid_request", "unsupported",
                           "Purchase-order payment is not supported; pay with a payment handler.",
                           param="$.payment_data.handler_id")
        advertised = [h["id"] for h in self.registry.extras(session_id).get("handlers", self.handlers)]
        if payment.handler_id not in advertised:
            raise ACPError(400, "invalid_request", "invalid",
                           f"payment_data.handler_id must name an advertised payment handler ({', '.join(advertised) or 'none'}).",
                           param="$.payment_data.handler_id")
        if payment.instrument.type != "card":
            raise ACPError(400, "invalid_request", "invalid", "The card_tokenized handler takes a card instrument.",
                           param="$.payment_data.instrument.type")
        token = payment.instrument.credential.token
        buyer = UNSET
        if "buyer" in body.model_fields_set:
            buyer = _buyer(body.buyer)
            self.registry.update(session_id, buyer=_dump(body.buyer))
        session = self._call(
            self.checkout.complete,
            session_id,
            token,
            billing_address=core_address(payment.billing_address),
            authentication_result=_authentication(body.authentication_result),
            buyer=buyer,
        )
        info = self.runtime.core.vault.get(token)
        if info is not None:
            self.registry.update(session_id, card_brand=info.brand)
        failure = completion_failure(session, ROOTS)
        if failure is not None:
            raise failure
        return self._reply(session, self.runtime.success_status_of_completion(), with_order=True)

    async def cancel_checkout_session(self, request: Any) -> Any:
        trace = request.body.intent_trace if request.body is not None else None
        reason = str(trace.reason_code) if trace is not None else None
        return self._reply(self._call(self.checkout.cancel, request.checkout_session_id, reason=reason), 200)

    # -- capabilities -------------------------------------------------------------

    @staticmethod
    def _interventions(capabilities: models.Capabilities) -> list[str]:
        declared = capabilities.interventions.supported if capabilities.interventions else None
        return sorted({str(v) for v in declared or ()} & MERCHANT_INTERVENTIONS)

    def _handlers(self, capabilities: models.Capabilities) -> list[dict[str, Any]]:
        if capabilities.payment is None:
            return self.handlers
        names = {h.name for h in capabilities.payment.handlers}
        return [h for h in self.handlers if h["name"] in names]

    # -- mapping ------------------------------------------------------------------

    def _call(self, operation: Any, *args: Any, **kwargs: Any) -> CheckoutSession:
        try:
            return operation(*args, **kwargs)
        except DomainError as error:
            raise domain_error(error, ROOTS) from None

    def _reply(self, session: CheckoutSession, status: int, *, with_order: bool = False) -> Any:
        extras = self.registry.extras(session.id)
        extras.setdefault("handlers", self.handlers)
        data = render_session(session, extras, self.runtime, with_order=with_order)
        model = models.CheckoutSessionWithOrder if with_order else models.CheckoutSession
        return respond(model, data, status, self.runtime.faults)


def _authentication(model: models.AuthenticationResult | None) -> AuthenticationResult | None:
    if model is None:
        return None
    details = model.outcome_details
    return AuthenticationResult(
        outcome=str(model.outcome),
        electronic_commerce_indicator=str(details.electronic_commerce_indicator) if details else None,
        three_ds_cryptogram=details.three_ds_cryptogram if details else None,
        transaction_id=details.transaction_id if details else None,
        version=details.version if details else None,
    )


# --------------------------------------------------------------------------- rendering


def _totals(pairs: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    return [{"type": t, "display_text": d, "amount": a} for t, d, a in pairs]


def render_session(
    session: CheckoutSession, extras: dict[str, Any], runtime: MerchantRuntime, *, with_order: bool = False
) -> dict[str, Any]:
    """The session as this version's ``CheckoutSession`` (or ``...WithOrder``) JSON."""
    pending_3ds = session.status is SessionStatus.AUTHENTICATION_REQUIRED
    out: dict[str, Any] = {
        "id": session.id,
        "protocol": {"version": API_VERSION},
        "capabilities": {
            "payment": {"handlers": extras["handlers"]},
            "interventions": {
                "supported": extras.get("interventions", []),
                "required": ["3ds"] if pending_3ds else [],
                "enforcement": "conditional",
            },
        },
        "status": session.status.value,
        "currency": session.currency,
        "line_items": [_line(li) for li in session.line_items],
        "fulfillment_options": [_option(o) for o in session.fulfillment_options],
        "totals": [{"type": e.type, "display_text": e.display_text, "amount": e.amount} for e in session.totals.entries()],
        "messages": [_message(m) for m in session.messages],
        "links": session_links(session, LINK_TYPES, titles=True),
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }
    if session.buyer is not None and extras.get("buyer"):
        out["buyer"] = extras["buyer"]
    details = dict(extras.get("contact") or {})
    if session.fulfillment_address is not None:
        details["address"] = wire_address(session.fulfillment_address)
    if details:
        out["fulfillment_details"] = details
    option = session.selected_fulfillment_option
    if option is not None:
        out["selected_fulfillment_options"] = [
            {"type": option.type, "option_id": option.id, "item_ids": list(option.line_ids)}
        ]
    if pending_3ds:
        out["authentication_metadata"] = _authentication_metadata(runtime, extras.get("card_brand"))
    if with_order and session.order is not None:
        o = session.order
        out["order"] = {
            "type": "order",
            "id": o.id,
            "checkout_session_id": o.checkout_session_id,
            "permalink_url": o.permalink_url,
            "status": _ORDER_STATUS.get(o.status, o.status.value),
        }
    return out


def _line(li: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": li.id,
        "item": {"id": li.item_id},
        "quantity": li.quantity,
        "name": li.title,
        "unit_amount": li.unit_amount,
        "product_id": li.item_id,
        "availability_status": "out_of_stock" if li.out_of_stock else "in_stock",
        "totals": _totals([
            ("items_base_amount", "Item(s) total", li.base_amount),
            ("items_discount", "Discount", li.discount),
            ("subtotal", "Subtotal", li.subtotal),
            ("tax", "Tax", li.tax),
            ("total", "Total", li.total),
        ]),
    }
    if li.description:
        out["description"] = li.description
    if li.image_url:
        out["images"] = [li.image_url]
    if li.out_of_stock:
        out["available_quantity"] = li.available_quantity or 0
    return out


def _option(option: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": option.type, "id": option.id, "title": option.title}
    if option.subtitle:
        out["description"] = option.subtitle
    if option.type == "shipping":
        if option.carrier:
            out["carrier"] = option.carrier
        if option.earliest_delivery_time is not None:
            out["earliest_delivery_time"] = iso(option.earliest_delivery_time)
        if option.latest_delivery_time is not None:
            out["latest_delivery_time"] = iso(option.latest_delivery_time)
    out["totals"] = _totals([
        ("subtotal", option.title, option.subtotal),
        ("tax", "Tax", option.tax),
        ("total", "Total", option.total),
    ])
    return out


def _message(message: Any) -> dict[str, Any]:
    param = message.param
    if message.type is MessageType.ERROR:
        out: dict[str, Any] = {"type": "error", "code": str(message.code or "invalid")}
        param = "$.authentication_result" if message.code is MessageCode.REQUIRES_3DS else rewrite_param(param, ROOTS)
    else:  # the core's warnings have no code from this version's warning enum: shown as info
        out = {"type": "info"}
        param = rewrite_param(param, ROOTS)
    if param is not None:
        out["param"] = param
    content_type, content = safe_content(message.content_type, message.content)
    out.update(content_type=content_type, content=content)
    return out


def _authentication_metadata(runtime: MerchantRuntime, brand: str | None) -> dict[str, Any]:
    config = runtime.core.config
    return {
        "acquirer_details": {
            "acquirer_bin": "424242",
            "acquirer_country": "US",
            "acquirer_merchant_id": config.merchant_id[:35],
            "merchant_name": config.name[:40],
        },
        "directory_server": _DIRECTORY.get(brand or "", "visa"),
        "flow_preference": {"type": "challenge", "challenge": {"type": "preferred"}},
    }


# --------------------------------------------------------------------------- delegate payment


def delegate_payment_adapter(runtime: MerchantRuntime) -> DelegatePaymentAdapter:
    # this version's closed Error.code enum has no invalid_request: every refusal is invalid_card
    return DelegatePaymentAdapter(runtime, lambda code: code if code in _DP_CODES else "invalid_card")


# --------------------------------------------------------------------------- webhooks


def serialize_event(event: OrderEvent) -> bytes:
    """The order event as this version's ``WebhookEvent``: the full order (validated, compact JSON)."""
    order = event.order
    shipped = order.status in (OrderStatus.SHIPPED, OrderStatus.FULFILLED)
    canceled = order.status is OrderStatus.CANCELED
    lines = []
    for li in order.line_items:
        current = 0 if canceled else li.quantity
        fulfilled = current if shipped else 0
        status = "removed" if current == 0 else ("fulfilled" if fulfilled == current else "processing")
        lines.append({
            "id": li.id,
            "title": li.title,
            "product_id": li.item_id,
            "quantity": {"ordered": li.quantity, "current": current, "fulfilled": fulfilled},
            "unit_price": li.unit_amount,
            "subtotal": li.base_amount,
            "status": status,
        })
    totals = [{"type": e.type, "display_text": e.display_text, "amount": e.amount} for e in order.totals.entries()]
    if order.refunds:
        totals.append({"type": "amount_refunded", "display_text": "Refunded", "amount": order.amount_refunded})
    data: dict[str, Any] = {
        "type": "order",
        "id": order.id,
        "checkout_session_id": order.checkout_session_id,
        "permalink_url": order.permalink_url,
        "status": _ORDER_STATUS.get(order.status, order.status.value),
        "line_items": lines,
        "adjustments": [
            {
                "id": r.id,
                "type": "refund" if r.type is RefundType.ORIGINAL_PAYMENT else "credit",
                "occurred_at": iso(r.created_at),
                "status": "completed",
                "amount": r.amount,
                "currency": order.currency,
                **({"description": r.reason} if r.reason else {}),
            }
            for r in order.refunds
        ],
        "totals": totals,
    }
    option = order.fulfillment_option
    if option is not None and option.earliest_delivery_time and option.latest_delivery_time:
        data["estimated_delivery"] = {
            "earliest": iso(option.earliest_delivery_time), "latest": iso(option.latest_delivery_time)
        }
    if option is not None and shipped:
        fulfillment: dict[str, Any] = {
            "id": f"ful_{order.id}",
            "type": "digital" if option.type == "digital" else "shipping",
            "status": "delivered" if order.status is OrderStatus.FULFILLED else "shipped",
            "line_items": [{"id": li.id, "quantity": li.quantity} for li in order.line_items],
        }
        if option.carrier:
            fulfillment["carrier"] = option.carrier
        if order.fulfillment_address is not None and option.type == "shipping":
            fulfillment["destination"] = wire_address(order.fulfillment_address)
        data["fulfillments"] = [fulfillment]
    event_body = {"type": "order_create" if event.type is EventType.ORDER_CREATED else "order_update", "data": data}
    webhook_models.WebhookEvent.model_validate(event_body)
    return json_bytes(event_body)


def signer(secret: str) -> Any:
    """``sign(body) -> headers`` for the outbox: ``t=<unix>,v1=<hex>``, fresh on every attempt."""

    def sign(body: bytes) -> dict[str, str]:
        now = int(time.time())
        return {
            signing.SIGNATURE_HEADER: signing.sign(body, secret, now=now),
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        }

    return sign
