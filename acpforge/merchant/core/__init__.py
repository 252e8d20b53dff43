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
from .processor import TEST_CARDS, AuthenticationResult, ChargeOutcome, PaymentProcessor, describe_test_cards
from .sessions import CheckoutService, CheckoutSession, ItemRequest, SessionStatus
from .shipping import FulfillmentOption
from .storage import InMemoryStorage, Storage
from .vault import Allowance, CardDetails, IssuedToken, RiskSignal, TokenRefused, Vault, VaultRejected

__all__ = [
    "Address", "AddressProblem", "validate_address",
    "MerchantConfig", "MerchantCore", "build_merchant",
    "Catalog", "Product", "default_catalog",
    "Clock", "IdGenerator", "ManualClock", "RandomIds", "SequentialIds", "SystemClock",
    "DomainError", "ErrorKind",
    "EventLog", "EventType", "OrderEvent",
    "NO_FAULTS", "REGISTRY", "Faults",
    "Inventory",
    "LEGAL_PAGES", "Link", "LinkType",
    "UNSET", "Buyer", "Message", "MessageCode", "MessageType", "Paths", "rewrite_param",
    "Order", "OrderService", "OrderStatus", "Refund", "RefundType",
    "Outbox", "RetryPolicy",
    "LineItem", "Totals", "check_invariants", "check_session_invariants",
    "TEST_CARDS", "AuthenticationResult", "ChargeOutcome", "PaymentProcessor", "describe_test_cards",
    "CheckoutService", "CheckoutSession", "ItemRequest", "SessionStatus",
    "FulfillmentOption",
    "InMemoryStorage", "Storage",
    "Allowance", "CardDetails", "IssuedToken", "RiskSignal", "TokenRefused", "Vault", "VaultRejected",
]
