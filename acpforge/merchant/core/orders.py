"""Orders and their lifecycle after a successful checkout.

Why a separate service: after completion the merchant of record owns the
order - fulfilment, cancellation, refunds - and must report every change to
the platform.  Each change stores a new immutable ``Order`` (``version``
incremented) and emits one event (``order_created`` once, then
``order_updated``).

Statuses (the 2025-09-29 webhook enum; later versions accept more)::

    created -> manual_review | confirmed | shipped | fulfilled | canceled
    manual_review -> confirmed | canceled
    confirmed -> shipped | fulfilled | canceled
    shipped -> fulfilled
    fulfilled, canceled: final

Setting the current status again is a no-op (no event).  Refunds (type
``original_payment``, refunded through the processor, or ``store_credit``)
may be made in any status until the charged total is exhausted;
``refund_state`` says ``none`` / ``partially_refunded`` / ``refunded``.
Canceling an order refunds whatever was not refunded yet to the original
payment, in the same update (one event).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .addresses import Address
from .clock import Clock, IdGenerator
from .errors import DomainError, ErrorKind
from .events import EventLog, EventType
from .model import Buyer
from .pricing import LineItem, Totals
from .processor import PaymentProcessor
from .shipping import FulfillmentOption
from .storage import Storage

__all__ = ["TRANSITIONS", "Order", "OrderService", "OrderStatus", "Refund", "RefundType"]


class OrderStatus(StrEnum):
    CREATED = "created"
    MANUAL_REVIEW = "manual_review"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    FULFILLED = "fulfilled"
    CANCELED = "canceled"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.MANUAL_REVIEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED,
                                    OrderStatus.FULFILLED, OrderStatus.CANCELED}),
    OrderStatus.MANUAL_REVIEW: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.FULFILLED, OrderStatus.CANCELED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.FULFILLED}),
    OrderStatus.FULFILLED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
}


class RefundType(StrEnum):
    STORE_CREDIT = "store_credit"
    ORIGINAL_PAYMENT = "original_payment"


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    type: RefundType
    amount: int
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    checkout_session_id: str
    permalink_url: str
    status: OrderStatus
    currency: str
    line_items: tuple[LineItem, ...]
    totals: Totals
    fulfillment_option: FulfillmentOption | None
    fulfillment_address: Address | None
    buyer: Buyer | None
    charge_id: str | None
    created_at: datetime
    updated_at: datetime
    refunds: tuple[Refund, ...] = ()
    version: int = 1

    @property
    def amount_refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def refund_state(self) -> str:
        if not self.refunds:
            return "none"
        return "refunded" if self.amount_refunded >= self.totals.total else "partially_refunded"


class OrderService:
    def __init__(
        self,
        storage: Storage,
        events: EventLog,
        processor: PaymentProcessor,
        clock: Clock,
        ids: IdGenerator,
        base_url: str,
    ) -> None:
        self._storage = storage
        self._events = events
        self._processor = processor
        self._clock = clock
        self._ids = ids
        self._base_url = base_url.rstrip("/")

    def create(
        self,
        *,
        checkout_session_id: str,
        currency: str,
        line_items: tuple[LineItem, ...],
        totals: Totals,
        fulfillment_option: FulfillmentOption | None,
        fulfillment_address: Address | None,
        buyer: Buyer | None,
        charge_id: str | None,
        status: OrderStatus = OrderStatus.CREATED,
    ) -> Order:
        """Record a new order and emit ``order_created``."""
        order_id = self._ids.new("ord_")
        now = self._clock.now()
        order = Order(
            id=order_id,
            checkout_session_id=checkout_session_id,
            permalink_url=f"{self._base_url}/orders/{order_id}",
            status=status,
            currency=currency,
            line_items=line_items,
            totals=totals,
            fulfillment_option=fulfillment_option,
            fulfillment_address=fulfillment_address,
            buyer=buyer,
            charge_id=charge_id,
            created_at=now,
            updated_at=now,
        )
        with self._storage.lock(order_id):
            self._storage.orders.put(order_id, order)
            self._events.emit(EventType.ORDER_CREATED, order)
        return order

    def get(self, order_id: str) -> Order:
        order = self._storage.orders.get(order_id)
        if order is None:
            raise DomainError.not_found("order", order_id)
        return order

    def list(self) -> list[Order]:
        return self._storage.orders.values()

    def update_status(self, order_id: str, status: OrderStatus | str) -> Order:
        """Move the order to ``status`` (see the transition table); emits ``order_updated``."""
        try:
            target = OrderStatus(status)
        except ValueError:
            raise DomainError.invalid(f"unknown order status {status!r}", param="$.status") from None
        with self._storage.lock(order_id):
            order = self.get(order_id)
            if order.status is target:
                return order
            if target not in TRANSITIONS[order.status]:
                raise DomainError(
                    "invalid_transition",
                    f"an order cannot go from {order.status.value} to {target.value}",
                    param="$.status",
                    kind=ErrorKind.CONFLICT,
                )
            refunds = order.refunds
            if target is OrderStatus.CANCELED:
                remaining = order.totals.total - order.amount_refunded
                if remaining > 0:
                    refunds = refunds + (self._refund(order, remaining, "order canceled", RefundType.ORIGINAL_PAYMENT),)
            return self._save(order, status=target, refunds=refunds)

    def refund(
        self,
        order_id: str,
        amount: int,
        reason: str = "",
        type: RefundType | str = RefundType.ORIGINAL_PAYMENT,
    ) -> Order:
        """Refund ``amount`` minor units; emits ``order_updated``."""
        try:
            refund_type = RefundType(type)
        except ValueError:
            raise DomainError.invalid(f"unknown refund type {type!r}", param="$.type") from None
        if _bad_amount(amount):
            raise DomainError.invalid("refund amount must be a positive integer", param="$.amount")
        with self._storage.lock(order_id):
            order = self.get(order_id)
            remaining = order.totals.total - order.amount_refunded
            if amount > remaining:
                raise DomainError(
                    "refund_exceeds_total",
                    f"refund of {amount} exceeds the {remaining} not yet refunded",
                    param="$.amount",
                    kind=ErrorKind.CONFLICT,
                )
            refund = self._refund(order, amount, reason, refund_type)
            return self._save(order, refunds=order.refunds + (refund,))

    # -- internals -------------------------------------------------------------------

    def _refund(self, order: Order, amount: int, reason: str, refund_type: RefundType) -> Refund:
        if refund_type is RefundType.ORIGINAL_PAYMENT and order.charge_id is not None:
            self._processor.refund(order.charge_id, amount)
        return Refund(self._ids.new("rf_"), refund_type, amount, reason, self._clock.now())

    def _save(self, order: Order, **changes) -> Order:
        updated = replace(order, updated_at=self._clock.now(), version=order.version + 1, **changes)
        self._storage.orders.put(updated.id, updated)
        self._events.emit(EventType.ORDER_UPDATED, updated)
        return updated


def _bad_amount(amount: object) -> bool:
    return type(amount) is not int or amount <= 0  # type: ignore[operator]
