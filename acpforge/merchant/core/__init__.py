"""Version-free domain core of the acpforge reference merchant.

Knows nothing of HTTP, JSON or API-Versions: plain dataclasses, integer
minor units, injectable clock and ids.  Per-version adapters map their
generated models to and from these types.  Entry point::

    from acpforge.merchant.core import build_merchant, MerchantConfig
    core = build_merchant(MerchantConfig(base_url="http://127.0.0.1:8000"))
    session = core.checkout.create([("item_tshirt", 2)])

Modules, one job each: ``catalog``, ``inventory``, ``addresses``, ``tax``,
``shipping``, ``pricing``, ``vault``, ``processor``, ``sessions``,
``orders``, ``events``, ``outbox``, ``storage``, ``faults``, ``legal``,
``model`` (shared value types), ``errors``, ``clock``, ``assembly``.
"""

from .addresses import Address, AddressProblem, validate_address
from .assembly import MerchantConfig, MerchantCore, build_merchant
from .catalog import Catalog, Product, default_catalog
from .clock import Clock, IdGenerator, ManualClock, RandomIds, SequentialIds, SystemClock
from .errors import DomainError, ErrorKind
from .events import EventLog, EventType, OrderEvent
from .faults import NO_FAULTS, REGISTRY, Faults
from .inventory import Inventory
from .legal import LEGAL_PAGES, Link, LinkType
from .model import UNSET, Buyer, Message, MessageCode, MessageType, Paths, rewrite_param
from .orders import Order, OrderService, OrderStatus, Refund, RefundType
from .outbox import Outbox, RetryPolicy
from .pricing import LineItem, Totals, check_invariants, check_session_invariants
from .processor import (
    TEST_CARDS,
    AuthenticationResult,
    ChargeOutcome,
    PaymentProcessor,
    describe_test_cards,
)
from .sessions import CheckoutService, CheckoutSession, ItemRequest, SessionStatus
from .shipping import FulfillmentOption
from .storage import InMemoryStorage, Storage
from .vault import (
    Allowance,
    CardDetails,
    IssuedToken,
    RiskSignal,
    TokenRefused,
    Vault,
    VaultRejected,
)

__all__ = [
    "LEGAL_PAGES",
    "NO_FAULTS",
    "REGISTRY",
    "TEST_CARDS",
    "UNSET",
    "Address",
    "AddressProblem",
    "Allowance",
    "AuthenticationResult",
    "Buyer",
    "CardDetails",
    "Catalog",
    "ChargeOutcome",
    "CheckoutService",
    "CheckoutSession",
    "Clock",
    "DomainError",
    "ErrorKind",
    "EventLog",
    "EventType",
    "Faults",
    "FulfillmentOption",
    "IdGenerator",
    "InMemoryStorage",
    "Inventory",
    "IssuedToken",
    "ItemRequest",
    "LineItem",
    "Link",
    "LinkType",
    "ManualClock",
    "MerchantConfig",
    "MerchantCore",
    "Message",
    "MessageCode",
    "MessageType",
    "Order",
    "OrderEvent",
    "OrderService",
    "OrderStatus",
    "Outbox",
    "Paths",
    "PaymentProcessor",
    "Product",
    "RandomIds",
    "Refund",
    "RefundType",
    "RetryPolicy",
    "RiskSignal",
    "SequentialIds",
    "SessionStatus",
    "Storage",
    "SystemClock",
    "TokenRefused",
    "Totals",
    "Vault",
    "VaultRejected",
    "build_merchant",
    "check_invariants",
    "check_session_invariants",
    "default_catalog",
    "describe_test_cards",
    "rewrite_param",
    "validate_address",
]
