"""Wiring: one call builds a complete, consistent merchant core.

Why: adapters, the server and tests all need the same graph of objects
(one clock, one id generator, one storage, one event log shared by
everything); building it in one place keeps them from drifting apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .catalog import Catalog, default_catalog
from .clock import Clock, IdGenerator, RandomIds, SystemClock
from .events import EventLog
from .faults import NO_FAULTS, REGISTRY, Faults
from .inventory import Inventory
from .orders import OrderService
from .pricing import DiscountPolicy, Pricer
from .processor import PaymentProcessor, describe_test_cards
from .sessions import CheckoutService
from .shipping import DEFAULT_RATES, ShippingCalculator, ShippingRates
from .storage import InMemoryStorage, Storage
from .tax import DEFAULT_TAX_TABLE, TaxTable
from .vault import Vault

__all__ = ["MerchantConfig", "MerchantCore", "build_merchant"]


@dataclass(frozen=True, slots=True)
class MerchantConfig:
    base_url: str = "https://merchant.example"
    merchant_id: str = "acpforge_reference_merchant"
    name: str = "acpforge reference merchant"
    require_allowance: bool = True


@dataclass(slots=True)
class MerchantCore:
    config: MerchantConfig
    clock: Clock
    ids: IdGenerator
    faults: Faults
    storage: Storage
    catalog: Catalog
    inventory: Inventory
    tax_table: TaxTable
    shipping: ShippingCalculator
    pricer: Pricer
    vault: Vault
    processor: PaymentProcessor
    events: EventLog
    orders: OrderService
    checkout: CheckoutService

    def describe(self) -> str:
        """What to print at server start: catalog, test cards, active faults."""
        parts = [
            f"{self.config.name} ({self.config.merchant_id}) at {self.config.base_url}",
            "",
            "Catalog:",
            self.catalog.describe(),
            "",
            "Test cards:",
            describe_test_cards(),
        ]
        if self.faults:
            parts += ["", "ACTIVE TEST FAULTS (deliberate defects):"]
            parts += [f"  {n}: {REGISTRY.get(n).description}" for n in sorted(self.faults.names)]
        return "\n".join(parts)


def build_merchant(
    config: MerchantConfig | None = None,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    faults: Faults = NO_FAULTS,
    storage: Storage | None = None,
    catalog: Catalog | None = None,
    stock: Mapping[str, int | None] | None = None,
    tax_table: TaxTable = DEFAULT_TAX_TABLE,
    shipping_rates: ShippingRates = DEFAULT_RATES,
    discounts: DiscountPolicy | None = None,
) -> MerchantCore:
    """A ready-to-use core; every argument has a production default.

    ``stock`` overrides the catalog's initial stock per item id.
    """
    config = config or MerchantConfig()
    clock = clock or SystemClock()
    ids = ids or RandomIds()
    storage = storage or InMemoryStorage()
    catalog = catalog or default_catalog()
    initial = {p.id: p.stock for p in catalog} | dict(stock or {})
    inventory = Inventory(initial)
    shipping = ShippingCalculator(clock, shipping_rates, catalog.currency)
    pricer = Pricer(discounts)
    vault = Vault(clock, ids, tokens=storage.tokens, require_allowance=config.require_allowance)
    processor = PaymentProcessor(clock, ids)
    events = EventLog(clock, ids)
    orders = OrderService(storage, events, processor, clock, ids, config.base_url)
    checkout = CheckoutService(
        catalog=catalog,
        inventory=inventory,
        storage=storage,
        vault=vault,
        processor=processor,
        orders=orders,
        shipping=shipping,
        pricer=pricer,
        tax_table=tax_table,
        clock=clock,
        ids=ids,
        base_url=config.base_url,
        merchant_id=config.merchant_id,
        faults=faults,
    )
    return MerchantCore(
        config, clock, ids, faults, storage, catalog, inventory, tax_table, shipping, pricer,
        vault, processor, events, orders, checkout,
    )
