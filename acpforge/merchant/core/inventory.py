"""Live stock and per-session reservations.

Why reservations: two agents buying the last record must not both be told
"ready for payment".  Each checkout session holds at most one reservation
(its whole cart).  ``reserve`` *replaces* the session's previous reservation
atomically (the session's own units count as available to it), ``release``
drops it (cancel), ``commit`` turns it into a sale (completion).

Allocation is per line, in line order, all or nothing: a line is reserved in
full or not at all.  A line that does not fit is reported ``out_of_stock``
with the number of units that were still available to it; the session keeps
the line (the caller puts an ``out_of_stock`` message on it), but none of its
units are held.

Items with ``None`` stock (digital goods) are unlimited and never reserved.
Item ids unknown to the inventory are treated as having no stock.
All methods are thread-safe (one lock; every operation is short).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Inventory", "LineReservation", "ReservationResult"]


@dataclass(frozen=True, slots=True)
class LineReservation:
    line_index: int
    item_id: str
    requested: int
    reserved: int  # == requested, or 0 when out of stock
    available: int | None  # units that were available to this line (None = unlimited)

    @property
    def out_of_stock(self) -> bool:
        return self.reserved < self.requested


@dataclass(frozen=True, slots=True)
class ReservationResult:
    session_id: str
    lines: tuple[LineReservation, ...]

    @property
    def ok(self) -> bool:
        return not any(line.out_of_stock for line in self.lines)

    @property
    def shortages(self) -> list[LineReservation]:
        return [line for line in self.lines if line.out_of_stock]


class Inventory:
    def __init__(self, stock: Mapping[str, int | None]) -> None:
        for item_id, qty in stock.items():
            if qty is not None and (type(qty) is not int or qty < 0):
                raise ValueError(f"stock of {item_id!r} must be a non-negative int or None")
        self._on_hand: dict[str, int | None] = dict(stock)
        self._reservations: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_catalog(cls, catalog) -> Inventory:  # catalog: Catalog (no import cycle needed)
        return cls({p.id: p.stock for p in catalog})

    # -- queries ---------------------------------------------------------------------

    def on_hand(self, item_id: str) -> int | None:
        """Units not yet sold (reserved units included); None = unlimited."""
        with self._lock:
            return self._on_hand.get(item_id, 0)

    def available(self, item_id: str, *, for_session: str | None = None) -> int | None:
        """Units that can still be reserved, counting ``for_session``'s own hold as free."""
        with self._lock:
            return self._available(item_id, for_session)

    def reserved_by(self, session_id: str) -> dict[str, int]:
        with self._lock:
            return dict(self._reservations.get(session_id, {}))

    def total_reserved(self, item_id: str) -> int:
        with self._lock:
            return sum(r.get(item_id, 0) for r in self._reservations.values())

    # -- mutations -------------------------------------------------------------------

    def reserve(
        self,
        session_id: str,
        lines: Sequence[tuple[str, int]],
        *,
        allow_oversell: bool = False,
    ) -> ReservationResult:
        """Replace ``session_id``'s reservation with one for ``lines`` ((item_id, qty) in order).

        ``allow_oversell`` reserves every line in full even beyond stock (used
        only by the ``out_of_stock_accepted`` test fault).
        """
        with self._lock:
            held: defaultdict[str, int] = defaultdict(int)
            results: list[LineReservation] = []
            for index, (item_id, qty) in enumerate(lines):
                free = self._available(item_id, session_id)
                if free is None:  # unlimited
                    results.append(LineReservation(index, item_id, qty, qty, None))
                    continue
                free -= held.get(item_id, 0)
                if qty <= free or allow_oversell:
                    held[item_id] += qty
                    results.append(LineReservation(index, item_id, qty, qty, max(free, 0)))
                else:
                    results.append(LineReservation(index, item_id, qty, 0, max(free, 0)))
            if held:
                self._reservations[session_id] = dict(held)
            else:
                self._reservations.pop(session_id, None)
            return ReservationResult(session_id, tuple(results))

    def release(self, session_id: str) -> dict[str, int]:
        """Drop the session's reservation; returns what was held."""
        with self._lock:
            return self._reservations.pop(session_id, {})

    def commit(self, session_id: str) -> dict[str, int]:
        """Turn the session's reservation into a sale; returns what was sold."""
        with self._lock:
            held = self._reservations.pop(session_id, {})
            for item_id, qty in held.items():
                current = self._on_hand.get(item_id, 0)
                if current is not None:
                    self._on_hand[item_id] = max(current - qty, 0)
            return held

    def restock(self, item_id: str, quantity: int) -> None:
        """Add units (returns, tests)."""
        if type(quantity) is not int or quantity < 0:
            raise ValueError("quantity must be a non-negative int")
        with self._lock:
            current = self._on_hand.get(item_id, 0)
            if current is not None:
                self._on_hand[item_id] = current + quantity

    # -- internals -------------------------------------------------------------------

    def _available(self, item_id: str, for_session: str | None) -> int | None:
        on_hand = self._on_hand.get(item_id, 0)
        if on_hand is None:
            return None
        held = sum(
            r.get(item_id, 0) for sid, r in self._reservations.items() if sid != for_session
        )
        return max(on_hand - held, 0)
