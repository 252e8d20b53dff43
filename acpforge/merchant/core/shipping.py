"""Fulfillment options by destination.

Why it is a separate module: which options exist, what they cost and when
they arrive depend only on the cart's physical items, the destination and
the time; pricing then adds tax.

Rules
-----
* Shipping options are offered only when some line requires shipping *and*
  a valid address is known (the caller passes ``address=None`` otherwise).
  There are always two: ``ship_standard`` and ``ship_express``, with
  different prices and delivery windows.  Ids are stable, so a selection
  survives an address change.
* Price per shipment = zone base + zone step * ceil((weight - 500 g) / 500 g)
  for the part above the first 500 g.  Zones: US, CA (Canada), INTL (GB, DE,
  FR).  Standard shipping to the US is free when the items' subtotal (after
  discounts) reaches ``free_standard_threshold`` (10000 = $100.00).
* Delivery windows are computed from the injected clock:
  ``now + handling days of the warehouse + zone transit days`` (earliest with
  the minimum, latest with the maximum transit time).
* Split shipments: items ship from their warehouse (``east``/``west``); a cart
  spanning both is two shipments.  The buyer still sees *one* option per
  service level: its price is the sum of the shipments' prices, its window is
  when the *whole* order has arrived (earliest = latest of the shipments'
  earliest times, latest = latest of their latest times).  The per-shipment
  detail stays available in ``FulfillmentOption.shipments``.
* Digital-only carts get no shipping option; they get one free ``digital``
  option (``digital_download``, no address needed), which sessions
  auto-select.  In mixed carts the digital lines are delivered by e-mail at
  completion and the shipping options cover the physical lines only
  (``line_ids``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from .addresses import Address
from .catalog import Product
from .clock import Clock

__all__ = [
    "DEFAULT_RATES",
    "DIGITAL",
    "EXPRESS",
    "STANDARD",
    "FulfillmentOption",
    "Shipment",
    "ShippableLine",
    "ShippingCalculator",
    "ShippingRates",
    "ZoneRates",
]

STANDARD = "ship_standard"
EXPRESS = "ship_express"
DIGITAL = "digital_download"


@dataclass(frozen=True, slots=True)
class ShippableLine:
    line_id: str
    product: Product
    quantity: int


@dataclass(frozen=True, slots=True)
class Shipment:
    warehouse: str
    line_ids: tuple[str, ...]
    weight_grams: int
    amount: int
    earliest_delivery_time: datetime
    latest_delivery_time: datetime


@dataclass(frozen=True, slots=True)
class FulfillmentOption:
    """A buyer-visible option.  ``subtotal`` is its price; ``tax``/``total`` are set by pricing."""

    id: str
    type: Literal["shipping", "digital"]
    title: str
    subtitle: str
    carrier: str | None
    earliest_delivery_time: datetime | None
    latest_delivery_time: datetime | None
    subtotal: int
    tax: int = 0
    total: int = 0
    line_ids: tuple[str, ...] = ()
    shipments: tuple[Shipment, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ZoneRates:
    standard_base: int
    standard_step: int
    standard_days: tuple[int, int]
    express_base: int
    express_step: int
    express_days: tuple[int, int]
    free_standard_threshold: int | None = None


@dataclass(frozen=True, slots=True)
class ShippingRates:
    zones: dict[str, ZoneRates]
    country_zone: dict[str, str]
    handling_days: dict[str, int]
    standard_carrier: str = "USPS"
    express_carrier: str = "UPS"


DEFAULT_RATES = ShippingRates(
    zones={
        "US": ZoneRates(500, 100, (3, 5), 1500, 250, (1, 2), free_standard_threshold=10_000),
        "CA": ZoneRates(1200, 200, (5, 8), 2800, 400, (2, 4)),
        "INTL": ZoneRates(1500, 250, (7, 12), 3500, 500, (3, 5)),
    },
    country_zone={"US": "US", "CA": "CA", "GB": "INTL", "DE": "INTL", "FR": "INTL"},
    handling_days={"east": 0, "west": 1},
)


class ShippingCalculator:
    def __init__(self, clock: Clock, rates: ShippingRates = DEFAULT_RATES, currency: str = "usd") -> None:
        self._clock = clock
        self._rates = rates
        self._currency = currency

    def options(
        self,
        lines: Sequence[ShippableLine],
        address: Address | None,
        items_subtotal: int,
        *,
        require_address: bool = True,
    ) -> list[FulfillmentOption]:
        """Options for ``lines`` shipped to ``address`` (which the caller has validated).

        ``require_address=False`` quotes domestic rates with no address; it
        exists only for the ``shipping_without_address`` test fault.
        """
        physical = [line for line in lines if line.product.requires_shipping and line.quantity > 0]
        digital = [line for line in lines if not line.product.requires_shipping]
        if not physical:
            if not digital:
                return []
            return [
                FulfillmentOption(
                    id=DIGITAL,
                    type="digital",
                    title="Instant download",
                    subtitle="Download link by e-mail right after payment",
                    carrier=None,
                    earliest_delivery_time=None,
                    latest_delivery_time=None,
                    subtotal=0,
                    total=0,
                    line_ids=tuple(line.line_id for line in digital),
                )
            ]
        if address is None and require_address:
            return []
        country = address.country if address is not None else "US"
        zone_name = self._rates.country_zone.get(country)
        if zone_name is None:
            return []
        zone = self._rates.zones[zone_name]
        now = self._clock.now().replace(microsecond=0)

        by_warehouse: dict[str, list[ShippableLine]] = {}
        for line in physical:
            by_warehouse.setdefault(line.product.warehouse or "", []).append(line)

        def build(level: str) -> FulfillmentOption:
            base, step, (d_min, d_max) = (
                (zone.standard_base, zone.standard_step, zone.standard_days)
                if level == STANDARD
                else (zone.express_base, zone.express_step, zone.express_days)
            )
            free = (
                level == STANDARD
                and zone.free_standard_threshold is not None
                and items_subtotal >= zone.free_standard_threshold
            )
            shipments = []
            for warehouse in sorted(by_warehouse):
                group = by_warehouse[warehouse]
                weight = sum(line.product.weight_grams * line.quantity for line in group)
                extra_steps = -(-max(weight - 500, 0) // 500)
                amount = 0 if free else base + step * extra_steps
                handling = self._rates.handling_days.get(warehouse, 0)
                shipments.append(
                    Shipment(
                        warehouse=warehouse,
                        line_ids=tuple(line.line_id for line in group),
                        weight_grams=weight,
                        amount=amount,
                        earliest_delivery_time=now + timedelta(days=handling + d_min),
                        latest_delivery_time=now + timedelta(days=handling + d_max),
                    )
                )
            subtotal = sum(s.amount for s in shipments)
            split = len(shipments) > 1
            if level == STANDARD:
                title = "Standard shipping"
                subtitle = f"{d_min}-{d_max} days"
                if zone.free_standard_threshold is not None:
                    subtitle += f", free from {zone.free_standard_threshold // 100} {self._currency}"
                carrier = self._rates.standard_carrier
            else:
                title = "Express shipping"
                subtitle = f"{d_min}-{d_max} days"
                carrier = self._rates.express_carrier
            if split:
                subtitle += f" (ships in {len(shipments)} packages)"
            return FulfillmentOption(
                id=level,
                type="shipping",
                title=title,
                subtitle=subtitle,
                carrier=carrier,
                earliest_delivery_time=max(s.earliest_delivery_time for s in shipments),
                latest_delivery_time=max(s.latest_delivery_time for s in shipments),
                subtotal=subtotal,
                total=subtotal,
                line_ids=tuple(line.line_id for line in physical),
                shipments=tuple(shipments),
            )

        return [build(STANDARD), build(EXPRESS)]
