"""Order events: what the merchant tells the platform after checkout.

Why a log with sequence numbers: the platform must learn about every order
change, in order, exactly once (after dedupe).  Each event carries a unique
``id`` (receivers dedupe on it), a global ``sequence`` (monotonic across all
orders, so per-order order is recoverable too) and an immutable snapshot of
the order as it was when the event happened.

Types are the checklist's names, ``order_created`` / ``order_updated``; on
the wire they are ``order_create`` / ``order_update`` (adapter's job).
Subscribers (the webhook outbox) are called synchronously, in sequence
order, under the log's lock; a subscriber that raises is recorded in
``subscriber_errors`` and never breaks the operation that emitted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from .clock import Clock, IdGenerator

if TYPE_CHECKING:
    from .orders import Order

__all__ = ["EventLog", "EventType", "OrderEvent"]

log = logging.getLogger(__name__)


class EventType(StrEnum):
    ORDER_CREATED = "order_created"
    ORDER_UPDATED = "order_updated"


@dataclass(frozen=True, slots=True)
class OrderEvent:
    id: str
    type: EventType
    sequence: int
    created_at: datetime
    order: Order

    @property
    def ordering_key(self) -> str:
        """Events with the same key are delivered in sequence order (the outbox's contract)."""
        return self.order.id


class EventLog:
    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self._clock = clock
        self._ids = ids
        self._events: list[OrderEvent] = []
        self._subscribers: list[Callable[[OrderEvent], None]] = []
        self._lock = threading.RLock()
        self.subscriber_errors: list[tuple[OrderEvent, BaseException]] = []

    def subscribe(self, callback: Callable[[OrderEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for every future event; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, type: EventType, order: Order) -> OrderEvent:
        with self._lock:
            event = OrderEvent(
                id=self._ids.new("evt_"),
                type=type,
                sequence=len(self._events) + 1,
                created_at=self._clock.now(),
                order=order,
            )
            self._events.append(event)
            for callback in list(self._subscribers):
                try:
                    callback(event)
                except Exception as exc:  # never break checkout because a subscriber failed
                    log.exception("event subscriber failed for %s", event.id)
                    self.subscriber_errors.append((event, exc))
            return event

    def events(self, order_id: str | None = None) -> list[OrderEvent]:
        with self._lock:
            return [e for e in self._events if order_id is None or e.order.id == order_id]
