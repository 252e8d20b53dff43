"""Shared helpers: a deterministic core (manual clock, sequential ids), addresses, tokens."""

from __future__ import annotations

from datetime import timedelta

from acpforge.merchant.core import (
    Address,
    Allowance,
    CardDetails,
    Faults,
    ManualClock,
    MerchantConfig,
    SequentialIds,
    build_merchant,
)

BASE_URL = "http://merchant.test"
MERCHANT_ID = "merchant_test"

APPROVE = "4242424242424242"
DECLINE = "4000000000000002"
INSUFFICIENT = "4000000000009995"
THREE_DS = "4000000000003220"

ADDR_SF = Address("Jane Doe", "1 Market St", "San Francisco", "CA", "US", "94105")
ADDR_NY = Address("Jane Doe", "350 5th Ave", "New York", "NY", "US", "10118")
ADDR_OR = Address("Jane Doe", "1 Pioneer Sq", "Portland", "OR", "US", "97204")
ADDR_LONDON = Address("Jane Doe", "10 Downing St", "London", "", "GB", "SW1A 2AA")
ADDR_BAD_STATE = Address("Jane Doe", "1 Main St", "Springfield", "ZZ", "US", "12345")


def make_core(*faults: str, stock=None):
    clock = ManualClock()
    return build_merchant(
        MerchantConfig(base_url=BASE_URL, merchant_id=MERCHANT_ID),
        clock=clock,
        ids=SequentialIds(),
        faults=Faults(faults),
        stock=stock,
    )


def issue_token(core, session, number: str = APPROVE, *, max_amount: int | None = None,
                session_id: str | None = None, merchant_id: str = MERCHANT_ID, currency: str = "usd",
                expires_in: timedelta = timedelta(hours=1)) -> str:
    allowance = Allowance(
        reason="one_time",
        max_amount=session.totals.total if max_amount is None else max_amount,
        currency=currency,
        checkout_session_id=session.id if session_id is None else session_id,
        merchant_id=merchant_id,
        expires_at=core.clock.now() + expires_in,
    )
    card = CardDetails(number=number, exp_month="12", exp_year="2030", cvc="123", name="Jane Doe")
    return core.vault.issue(card, allowance).id


def ready_session(core, items=(("item_tshirt", 2),), address=ADDR_SF):
    session = core.checkout.create(list(items), address=address)
    assert session.status == "ready_for_payment", session.messages
    return session
