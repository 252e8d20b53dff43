"""Line items, totals, and the invariants that tie them together.

Why recompute everything on every change: a session's amounts are a pure
function of (lines, destination, selected option).  Recomputing from
scratch means nothing can drift; ``check_invariants`` states what "adds up"
means and is shared with the certifier and the fuzzer.

Per line::

    base_amount = unit_amount * quantity
    discount    = discount policy (default: 10 % off a line of 3 or more units,
                  rounded half-even; never more than base_amount)
    subtotal    = base_amount - discount
    tax         = tax.tax_on(subtotal, rate)          (see ``tax``)
    total       = subtotal + tax

Per session::

    items_base_amount = sum(base_amount)
    items_discount    = sum(discount)
    subtotal          = sum(line subtotal) = items_base_amount - items_discount
    fulfillment       = selected option's price (0 when none is selected)
    tax               = sum(line tax) + selected option's tax
    fees              = 0 (kept so an adapter can show fees; the core charges none)
    total             = subtotal + fulfillment + tax + fees

All amounts are ``int`` minor units; a float anywhere is a violation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .catalog import Product
from .shipping import FulfillmentOption
from .tax import TaxJurisdiction, round_half_even_div, tax_on

__all__ = [
    "TOTAL_LABELS",
    "DiscountPolicy",
    "InvariantViolation",
    "LineInput",
    "LineItem",
    "NoDiscount",
    "Pricer",
    "TotalEntry",
    "Totals",
    "VolumeDiscount",
    "check_invariants",
    "check_session_invariants",
]


@dataclass(frozen=True, slots=True)
class LineInput:
    line_id: str
    product: Product
    quantity: int
    out_of_stock: bool = False
    available_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class LineItem:
    id: str
    item_id: str
    title: str
    quantity: int
    unit_amount: int
    base_amount: int
    discount: int
    subtotal: int
    tax: int
    total: int
    requires_shipping: bool
    description: str = ""
    image_url: str = ""
    product_url: str = ""
    out_of_stock: bool = False
    available_quantity: int | None = None  # units available when the line could not be reserved


@dataclass(frozen=True, slots=True)
class TotalEntry:
    type: str
    display_text: str
    amount: int


TOTAL_LABELS: dict[str, str] = {
    "items_base_amount": "Item(s) total",
    "items_discount": "Discount",
    "subtotal": "Subtotal",
    "fulfillment": "Shipping",
    "tax": "Tax",
    "fee": "Fees",
    "total": "Total",
}


@dataclass(frozen=True, slots=True)
class Totals:
    items_base_amount: int = 0
    items_discount: int = 0
    subtotal: int = 0
    fulfillment: int = 0
    tax: int = 0
    fees: int = 0
    total: int = 0

    def entries(self) -> list[TotalEntry]:
        """The wire-style list (``type``, ``display_text``, ``amount``), ``fee`` only when non-zero."""
        values = {
            "items_base_amount": self.items_base_amount,
            "items_discount": self.items_discount,
            "subtotal": self.subtotal,
            "fulfillment": self.fulfillment,
            "tax": self.tax,
            "fee": self.fees,
            "total": self.total,
        }
        return [
            TotalEntry(t, TOTAL_LABELS[t], amount)
            for t, amount in values.items()
            if not (t == "fee" and amount == 0)
        ]

    def as_mapping(self) -> dict[str, int]:
        return {e.type: e.amount for e in self.entries()}


class DiscountPolicy(Protocol):
    def discount(self, product: Product, quantity: int, base_amount: int) -> int:
        """Discount on one line, in minor units (clamped to [0, base_amount] by the caller)."""
        ...


class NoDiscount:
    def discount(self, product: Product, quantity: int, base_amount: int) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class VolumeDiscount:
    """``rate_bp`` off any line of at least ``min_quantity`` units (an automatic promotion)."""

    min_quantity: int = 3
    rate_bp: int = 1000

    def discount(self, product: Product, quantity: int, base_amount: int) -> int:
        if quantity < self.min_quantity:
            return 0
        return round_half_even_div(base_amount * self.rate_bp, 10_000)


class Pricer:
    def __init__(self, discounts: DiscountPolicy | None = None) -> None:
        self.discounts: DiscountPolicy = discounts if discounts is not None else VolumeDiscount()

    def price_lines(
        self, lines: Sequence[LineInput], jurisdiction: TaxJurisdiction | None
    ) -> tuple[LineItem, ...]:
        rate = jurisdiction.rate_bp if jurisdiction else 0
        out = []
        for line in lines:
            p = line.product
            base = p.unit_amount * line.quantity
            discount = min(max(int(self.discounts.discount(p, line.quantity, base)), 0), base)
            subtotal = base - discount
            tax = tax_on(subtotal, rate)
            out.append(
                LineItem(
                    id=line.line_id,
                    item_id=p.id,
                    title=p.title,
                    quantity=line.quantity,
                    unit_amount=p.unit_amount,
                    base_amount=base,
                    discount=discount,
                    subtotal=subtotal,
                    tax=tax,
                    total=subtotal + tax,
                    requires_shipping=p.requires_shipping,
                    description=p.description,
                    image_url=p.image_url,
                    product_url=p.product_url,
                    out_of_stock=line.out_of_stock,
                    available_quantity=line.available_quantity if line.out_of_stock else None,
                )
            )
        return tuple(out)

    def price_options(
        self, options: Iterable[FulfillmentOption], jurisdiction: TaxJurisdiction | None
    ) -> tuple[FulfillmentOption, ...]:
        out = []
        for option in options:
            tax = tax_on(option.subtotal, jurisdiction.rate_bp) if jurisdiction and jurisdiction.taxes_shipping else 0
            out.append(dataclasses.replace(option, tax=tax, total=option.subtotal + tax))
        return tuple(out)

    def totals(self, lines: Sequence[LineItem], selected: FulfillmentOption | None) -> Totals:
        base = sum(line.base_amount for line in lines)
        discount = sum(line.discount for line in lines)
        subtotal = sum(line.subtotal for line in lines)
        fulfillment = selected.subtotal if selected else 0
        tax = sum(line.tax for line in lines) + (selected.tax if selected else 0)
        fees = 0
        return Totals(base, discount, subtotal, fulfillment, tax, fees, subtotal + fulfillment + tax + fees)


# --------------------------------------------------------------------------- invariants

@dataclass(frozen=True, slots=True)
class InvariantViolation:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


_MISSING = object()


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, _MISSING)
    return getattr(obj, name, _MISSING)


def _is_amount(value: Any) -> bool:
    return type(value) is int and value >= 0


def _totals_mapping(totals: Any) -> dict[str, Any]:
    if isinstance(totals, Totals):
        return totals.as_mapping() | {"fee": totals.fees}
    if isinstance(totals, Mapping):
        return dict(totals)
    # a sequence of entries with .type/.amount or {"type", "amount"}
    out: dict[str, Any] = {}
    for entry in totals:
        out[str(_get(entry, "type"))] = _get(entry, "amount")
    return out


def check_invariants(
    line_items: Iterable[Any],
    totals: Any,
    fulfillment_options: Iterable[Any] | None = None,
    selected_fulfillment_option_id: str | None = None,
) -> list[InvariantViolation]:
    """Every way the amounts fail to add up (empty list = consistent).

    Accepts core objects or plain mappings (e.g. parsed wire JSON):

    * ``line_items``: objects/mappings with ``base_amount``, ``discount``,
      ``subtotal``, ``tax``, ``total`` and optionally ``unit_amount`` and
      ``quantity`` (then ``base_amount == unit_amount * quantity`` is checked);
    * ``totals``: a ``Totals``, a mapping ``type -> amount``, or a sequence of
      ``{type, amount}`` entries.  ``subtotal`` and ``total`` are required;
      ``items_discount``, ``fulfillment``, ``tax`` and ``fee``/``fees`` count
      as 0 when absent; ``items_base_amount`` is checked when present.  An
      order-level ``discount`` entry is not interpreted;
    * ``fulfillment_options`` (optional): objects/mappings with ``id``,
      ``subtotal``, ``tax``, ``total``.  When given, ``fulfillment`` and the
      shipping part of ``tax`` are checked exactly against the selected one.
    """
    v: list[InvariantViolation] = []
    lines = list(line_items)
    sums = {"base_amount": 0, "discount": 0, "subtotal": 0, "tax": 0}
    for i, line in enumerate(lines):
        where = f"$.line_items[{i}]"
        vals = {k: _get(line, k) for k in ("base_amount", "discount", "subtotal", "tax", "total")}
        bad = False
        for k, val in vals.items():
            if val is _MISSING:
                v.append(InvariantViolation(f"{where}.{k}", "missing"))
                bad = True
            elif not _is_amount(val):
                v.append(InvariantViolation(f"{where}.{k}", f"must be a non-negative integer, got {val!r}"))
                bad = True
        qty, unit = _get(line, "quantity"), _get(line, "unit_amount")
        if qty is not _MISSING and not (type(qty) is int and qty >= 1):
            v.append(InvariantViolation(f"{where}.quantity", f"must be an integer >= 1, got {qty!r}"))
        if unit is not _MISSING and not _is_amount(unit):
            v.append(InvariantViolation(f"{where}.unit_amount", f"must be a non-negative integer, got {unit!r}"))
        if bad:
            continue
        if type(qty) is int and _is_amount(unit) and vals["base_amount"] != unit * qty:
            v.append(InvariantViolation(f"{where}.base_amount", f"{vals['base_amount']} != unit_amount {unit} * quantity {qty}"))
        if vals["discount"] > vals["base_amount"]:
            v.append(InvariantViolation(f"{where}.discount", f"{vals['discount']} exceeds base_amount {vals['base_amount']}"))
        if vals["subtotal"] != vals["base_amount"] - vals["discount"]:
            v.append(InvariantViolation(f"{where}.subtotal", f"{vals['subtotal']} != base_amount - discount ({vals['base_amount'] - vals['discount']})"))
        if vals["total"] != vals["subtotal"] + vals["tax"]:
            v.append(InvariantViolation(f"{where}.total", f"{vals['total']} != subtotal + tax ({vals['subtotal'] + vals['tax']})"))
        for k in sums:
            sums[k] += vals[k]

    selected = None
    option_ids: list[Any] = []
    if fulfillment_options is not None:
        for i, option in enumerate(fulfillment_options):
            where = f"$.fulfillment_options[{i}]"
            option_ids.append(_get(option, "id"))
            o = {k: _get(option, k) for k in ("subtotal", "tax", "total")}
            if any(not _is_amount(x) for x in o.values()):
                for k, x in o.items():
                    if not _is_amount(x):
                        v.append(InvariantViolation(f"{where}.{k}", f"must be a non-negative integer, got {x!r}" if x is not _MISSING else "missing"))
                continue
            if o["total"] != o["subtotal"] + o["tax"]:
                v.append(InvariantViolation(f"{where}.total", f"{o['total']} != subtotal + tax ({o['subtotal'] + o['tax']})"))
            if selected_fulfillment_option_id is not None and _get(option, "id") == selected_fulfillment_option_id:
                selected = o
        if selected_fulfillment_option_id is not None and selected_fulfillment_option_id not in option_ids:
            v.append(InvariantViolation("$.fulfillment_option_id", f"{selected_fulfillment_option_id!r} is not an offered option"))

    t = _totals_mapping(totals)
    if "fees" in t and "fee" not in t:
        t["fee"] = t["fees"]
    for k, val in t.items():
        if k in ("fees",):
            continue
        if not _is_amount(val):
            v.append(InvariantViolation(f"$.totals.{k}", f"must be a non-negative integer, got {val!r}"))
    for k in ("subtotal", "total"):
        if k not in t:
            v.append(InvariantViolation(f"$.totals.{k}", "missing"))
    if any(not _is_amount(t.get(k, 0)) for k in ("subtotal", "total", "items_discount", "fulfillment", "tax", "fee", "items_base_amount")) \
            or "subtotal" not in t or "total" not in t:
        return v
    if any(_get(line, k) is _MISSING or not _is_amount(_get(line, k)) for line in lines for k in sums):
        return v

    items_discount, fulfillment, tax, fee = (t.get(k, 0) for k in ("items_discount", "fulfillment", "tax", "fee"))
    if "items_base_amount" in t:
        if t["items_base_amount"] != sums["base_amount"]:
            v.append(InvariantViolation("$.totals.items_base_amount", f"{t['items_base_amount']} != sum of line base_amount ({sums['base_amount']})"))
        if t["subtotal"] != t["items_base_amount"] - items_discount:
            v.append(InvariantViolation("$.totals.subtotal", f"{t['subtotal']} != items_base_amount - items_discount ({t['items_base_amount'] - items_discount})"))
    if items_discount != sums["discount"]:
        v.append(InvariantViolation("$.totals.items_discount", f"{items_discount} != sum of line discount ({sums['discount']})"))
    if t["subtotal"] != sums["subtotal"]:
        v.append(InvariantViolation("$.totals.subtotal", f"{t['subtotal']} != sum of line subtotal ({sums['subtotal']})"))
    if fulfillment_options is not None:
        expected_fulfillment = selected["subtotal"] if selected else 0
        expected_tax = sums["tax"] + (selected["tax"] if selected else 0)
        if fulfillment != expected_fulfillment:
            v.append(InvariantViolation("$.totals.fulfillment", f"{fulfillment} != selected option's subtotal ({expected_fulfillment})"))
        if tax != expected_tax:
            v.append(InvariantViolation("$.totals.tax", f"{tax} != line taxes + selected option's tax ({expected_tax})"))
    elif tax < sums["tax"]:
        v.append(InvariantViolation("$.totals.tax", f"{tax} is less than the sum of line tax ({sums['tax']})"))
    expected_total = t["subtotal"] + fulfillment + tax + fee
    if t["total"] != expected_total:
        v.append(InvariantViolation("$.totals.total", f"{t['total']} != subtotal + fulfillment + tax + fees ({expected_total})"))
    return v


def check_session_invariants(session: Any) -> list[InvariantViolation]:
    """``check_invariants`` on anything shaped like ``sessions.CheckoutSession``."""
    return check_invariants(
        session.line_items,
        session.totals,
        session.fulfillment_options,
        session.selected_fulfillment_option_id,
    )
