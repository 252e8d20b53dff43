"""Payment processor simulator with documented test cards.

Why: certification needs payments that approve, decline and ask for 3-D
Secure on demand, deterministically, without a real PSP.  The outcome is a
function of the card number only (plus the 3-DS result when one is given):

=====================  ===========  ==============================================
number                 brand        outcome
=====================  ===========  ==============================================
``4242424242424242``   visa         approved
``5555555555554444``   mastercard   approved
``378282246310005``    amex         approved
``4000000000000002``   visa         declined (``generic_decline``)
``4000000000009995``   visa         declined (``insufficient_funds``)
``4000000000003220``   visa         3-D Secure required; approved once an
                                    authentication result with outcome
                                    ``authenticated`` or ``attempt_acknowledged``
                                    is supplied, declined (``authentication_failed``)
                                    for any other outcome
=====================  ===========  ==============================================

Any other Luhn-valid number is approved (the vault has already rejected
invalid ones).  Use any future expiry date and any 3-4 digit CVC.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .clock import Clock, IdGenerator
from .errors import DomainError, ErrorKind
from .vault import ProcessorCard

__all__ = [
    "AUTHENTICATED_OUTCOMES",
    "TEST_CARDS",
    "AuthenticationResult",
    "Charge",
    "ChargeOutcome",
    "ChargeResult",
    "PaymentProcessor",
    "TestCard",
    "describe_test_cards",
]


class ChargeOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    REQUIRES_3DS = "requires_3ds"


@dataclass(frozen=True, slots=True)
class TestCard:
    __test__ = False  # not a pytest class

    number: str
    brand: str
    outcome: ChargeOutcome
    decline_reason: str | None
    description: str


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4242424242424242", "visa", ChargeOutcome.APPROVED, None, "approved"),
    TestCard("5555555555554444", "mastercard", ChargeOutcome.APPROVED, None, "approved"),
    TestCard("378282246310005", "amex", ChargeOutcome.APPROVED, None, "approved"),
    TestCard("4000000000000002", "visa", ChargeOutcome.DECLINED, "generic_decline", "declined (generic)"),
    TestCard("4000000000009995", "visa", ChargeOutcome.DECLINED, "insufficient_funds", "declined (insufficient funds)"),
    TestCard("4000000000003220", "visa", ChargeOutcome.REQUIRES_3DS, None, "3-D Secure required, then approved"),
)
_BY_NUMBER = {c.number: c for c in TEST_CARDS}

#: 3-DS outcomes after which the issuer approves.
AUTHENTICATED_OUTCOMES = frozenset({"authenticated", "attempt_acknowledged"})


def describe_test_cards() -> str:
    """A plain-text table for printing at server start."""
    rows = [("number", "brand", "behaviour")] + [(c.number, c.brand, c.description) for c in TEST_CARDS]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append("any other Luhn-valid number: approved; any future expiry, any 3-4 digit CVC")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class AuthenticationResult:
    """The agent's 3-D Secure result (the version-free part of it)."""

    outcome: str
    electronic_commerce_indicator: str | None = None
    three_ds_cryptogram: str | None = None
    transaction_id: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class ChargeResult:
    outcome: ChargeOutcome
    charge_id: str | None
    decline_reason: str | None
    message: str

    @property
    def approved(self) -> bool:
        return self.outcome is ChargeOutcome.APPROVED


@dataclass(frozen=True, slots=True)
class Charge:
    id: str
    amount: int
    currency: str
    card_reference: str
    last4: str
    created: datetime
    refunded: int = 0


class PaymentProcessor:
    """Deterministic charges and refunds; thread-safe."""

    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self._clock = clock
        self._ids = ids
        self._charges: dict[str, Charge] = {}
        self._lock = threading.Lock()

    def charge(
        self,
        card: ProcessorCard,
        amount: int,
        currency: str,
        authentication_result: AuthenticationResult | None = None,
    ) -> ChargeResult:
        if type(amount) is not int or amount < 0:
            raise DomainError("invalid_amount", "charge amounts are non-negative ints", kind=ErrorKind.PROCESSING_ERROR)
        test = _BY_NUMBER.get(card._pan)  # the simulator is the one reader of the PAN
        if test is not None and test.outcome is ChargeOutcome.DECLINED:
            return ChargeResult(ChargeOutcome.DECLINED, None, test.decline_reason, _decline_text(test.decline_reason))
        if test is not None and test.outcome is ChargeOutcome.REQUIRES_3DS:
            if authentication_result is None:
                return ChargeResult(
                    ChargeOutcome.REQUIRES_3DS, None, None, "The card issuer requires 3-D Secure authentication."
                )
            if authentication_result.outcome not in AUTHENTICATED_OUTCOMES:
                return ChargeResult(
                    ChargeOutcome.DECLINED,
                    None,
                    "authentication_failed",
                    f"3-D Secure authentication did not succeed ({authentication_result.outcome}).",
                )
        charge = Charge(
            id=self._ids.new("ch_"),
            amount=amount,
            currency=currency,
            card_reference=card.processor_reference,
            last4=card.last4,
            created=self._clock.now(),
        )
        with self._lock:
            self._charges[charge.id] = charge
        return ChargeResult(ChargeOutcome.APPROVED, charge.id, None, "Payment approved.")

    def refund(self, charge_id: str, amount: int) -> Charge:
        """Refund part or all of a charge; returns the updated charge."""
        with self._lock:
            charge = self._charges.get(charge_id)
            if charge is None:
                raise DomainError.not_found("charge", charge_id)
            if type(amount) is not int or amount <= 0:
                raise DomainError.invalid("refund amount must be a positive integer", param="$.amount")
            if charge.refunded + amount > charge.amount:
                raise DomainError(
                    "refund_exceeds_charge",
                    f"refund of {amount} exceeds the {charge.amount - charge.refunded} left on the charge",
                    param="$.amount",
                    kind=ErrorKind.CONFLICT,
                )
            charge = replace(charge, refunded=charge.refunded + amount)
            self._charges[charge_id] = charge
            return charge

    def get(self, charge_id: str) -> Charge | None:
        with self._lock:
            return self._charges.get(charge_id)

    def charges(self) -> list[Charge]:
        with self._lock:
            return list(self._charges.values())


def _decline_text(reason: str | None) -> str:
    return {
        "insufficient_funds": "The card was declined: insufficient funds.",
        "generic_decline": "The card was declined.",
    }.get(reason or "", "The card was declined.")
