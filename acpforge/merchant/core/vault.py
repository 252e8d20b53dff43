"""Delegated payment tokens (the delegate-payment side of ACP).

Why: the agent platform never hands the merchant a card.  It asks the vault
to tokenize the card *within an allowance* (one time, at most ``max_amount``
in ``currency``, for one checkout session of one merchant, before
``expires_at``); the merchant later redeems the token for exactly that.

Card data handling (PCI DSS spirit): the CVC is validated and dropped; the
full number (PAN) is kept only in the private ``_pan`` field of the stored
token and of the ``ProcessorCard`` handed to the processor simulator (its one
sanctioned reader); neither field appears in any ``repr``.  Everything else
sees ``last4``, ``brand`` and an opaque ``processor_reference``.

Two-step redemption, so that a 3-D Secure round trip can reuse the token:
``verify`` checks the allowance without consuming anything and returns the
``ProcessorCard``; ``redeem`` re-checks and marks the token used, atomically,
after the processor approved.  Both raise ``TokenRefused``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .addresses import Address, validate_address
from .clock import Clock, IdGenerator
from .errors import DomainError, ErrorKind
from .storage import InMemoryRepository, Repository

__all__ = [
    "Allowance",
    "CardDetails",
    "IssuedToken",
    "ProcessorCard",
    "RefusalCode",
    "RiskSignal",
    "TokenInfo",
    "TokenRefused",
    "Vault",
    "VaultProblem",
    "VaultRejected",
    "card_brand",
    "luhn_valid",
]


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check; ``number`` must be digits only."""
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str:
    """Brand from the IIN prefix (``visa``, ``mastercard``, ``amex``, ``discover``, ``unknown``)."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:2] in {"51", "52", "53", "54", "55"} or (len(number) >= 4 and 2221 <= int(number[:4]) <= 2720):
        return "mastercard"
    if number.startswith(("6011", "65")):
        return "discover"
    return "unknown"


@dataclass(frozen=True, slots=True)
class CardDetails:
    """The card as the platform sends it.  ``repr`` masks the number and hides the CVC."""

    number: str = field(repr=False)
    exp_month: str | int | None = None
    exp_year: str | int | None = None
    cvc: str | None = field(default=None, repr=False)
    name: str | None = None
    card_number_type: str = "fpan"  # or "network_token"
    funding_type: str | None = None  # display_card_funding_type: credit / debit / prepaid
    display_brand: str | None = None
    display_last4: str | None = None
    cryptogram: str | None = field(default=None, repr=False)
    eci_value: str | None = None
    checks_performed: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        digits = self.number if isinstance(self.number, str) else ""
        return (
            f"CardDetails(number='****{digits[-4:]}', exp_month={self.exp_month!r}, "
            f"exp_year={self.exp_year!r}, card_number_type={self.card_number_type!r})"
        )


@dataclass(frozen=True, slots=True)
class Allowance:
    reason: str
    max_amount: int
    currency: str
    checkout_session_id: str
    merchant_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RiskSignal:
    type: str
    score: int
    action: str  # blocked / manual_review / authorized


@dataclass(frozen=True, slots=True)
class VaultProblem:
    """One reason a delegate-payment request is refused.

    ``code``: ``invalid_card`` (anything about the card), ``invalid_allowance``,
    ``invalid_billing_address``, ``invalid_metadata``, ``risk_blocked``.
    Versions whose error enum is closed map the non-card codes to their
    nearest value (``invalid_card`` / ``invalid_request``) in the adapter.
    """

    code: str
    message: str
    param: str


class VaultRejected(DomainError):
    """``issue`` refused; ``problems`` lists every problem, the first is also code/message/param."""

    def __init__(self, problems: Sequence[VaultProblem]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message, param=first.param, kind=ErrorKind.INVALID_REQUEST)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What ``issue`` returns: exactly the delegate-payment response content."""

    id: str
    created: datetime
    metadata: dict[str, str]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A stored token as everything but the processor sees it (no PAN)."""

    id: str
    created: datetime
    metadata: dict[str, str]
    allowance: Allowance | None
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    funding_type: str | None
    card_number_type: str
    processor_reference: str
    billing_address: Address | None
    risk_signals: tuple[RiskSignal, ...]
    manual_review: bool
    used_at: datetime | None = None
    used_for: str | None = None  # charge id
    _pan: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ProcessorCard:
    """The card handed to the processor simulator (the only reader of ``_pan``)."""

    token_id: str
    processor_reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    _pan: str = field(default="", repr=False, compare=False)


class RefusalCode(StrEnum):
    INVALID = "invalid"  # unknown token
    ALREADY_USED = "already_used"
    EXPIRED = "expired"
    WRONG_SESSION = "wrong_session"
    WRONG_MERCHANT = "wrong_merchant"
    AMOUNT_EXCEEDED = "amount_exceeded"
    WRONG_CURRENCY = "wrong_currency"
    NO_ALLOWANCE = "no_allowance"


class TokenRefused(DomainError):
    def __init__(self, reason: RefusalCode, message: str, *, param: str = "$.payment_data.token") -> None:
        super().__init__(reason.value, message, param=param, kind=ErrorKind.INVALID_REQUEST)
        self.reason = reason


_CURRENCY = re.compile(r"^[a-z]{3}$")


class Vault:
    """Issues and redeems delegated tokens; thread-safe.

    ``require_allowance``: 2026-04-17 makes ``allowance`` optional on the
    wire; this vault refuses a token without one by default (an unbounded
    token is a bearer card).  With ``require_allowance=False`` such a token
    can be redeemed once, for any session, merchant, amount and currency.
    """

    def __init__(
        self,
        clock: Clock,
        ids: IdGenerator,
        *,
        tokens: Repository[TokenInfo] | None = None,
        require_allowance: bool = True,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._tokens: Repository[TokenInfo] = tokens if tokens is not None else InMemoryRepository()
        self._lock = threading.Lock()
        self.require_allowance = require_allowance

    # -- issue -----------------------------------------------------------------------

    def validate(
        self,
        card: CardDetails,
        allowance: Allowance | None,
        billing_address: Address | None = None,
        risk_signals: Sequence[RiskSignal] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> list[VaultProblem]:
        """Every problem with a delegate-payment request (empty list = acceptable)."""
        problems: list[VaultProblem] = []
        now = self._clock.now()

        def card_problem(fld: str, message: str) -> None:
            problems.append(VaultProblem("invalid_card", message, f"$.payment_method.{fld}"))

        number = card.number if isinstance(card.number, str) else ""
        if card.card_number_type not in ("fpan", "network_token"):
            card_problem("card_number_type", "card_number_type must be fpan or network_token.")
        if not number:
            card_problem("number", "Card number is required.")
        elif not number.isdigit():
            card_problem("number", "Card number must contain digits only.")
        elif not 12 <= len(number) <= 19:
            card_problem("number", "Card number must have 12 to 19 digits.")
        elif not luhn_valid(number):
            card_problem("number", "Card number fails the Luhn check.")

        month = year = None
        if card.exp_month is None or card.exp_month == "":
            card_problem("exp_month", "Expiry month is required.")
        else:
            text = str(card.exp_month)
            if type(card.exp_month) not in (str, int) or not text.isdigit() or len(text) > 2 or not 1 <= int(text) <= 12:
                card_problem("exp_month", "Expiry month must be 01-12.")
            else:
                month = int(text)
        if card.exp_year is None or card.exp_year == "":
            card_problem("exp_year", "Expiry year is required.")
        else:
            text = str(card.exp_year)
            if type(card.exp_year) not in (str, int) or not text.isdigit() or len(text) not in (2, 4):
                card_problem("exp_year", "Expiry year must have 2 or 4 digits.")
            else:
                year = int(text) + (2000 if len(text) == 2 else 0)
        if month is not None and year is not None and (year, month) < (now.year, now.month):
            card_problem("exp_year" if year < now.year else "exp_month", "The card has expired.")
        if card.cvc is not None and (not isinstance(card.cvc, str) or not re.fullmatch(r"\d{3,4}", card.cvc)):
            card_problem("cvc", "CVC must be 3 or 4 digits.")
        if card.display_last4 is not None and number.isdigit() and card.display_last4 != number[-4:]:
            card_problem("display_last4", "display_last4 does not match the card number.")
        if card.name is not None and len(card.name) > 256:
            card_problem("name", "Cardholder name is longer than 256 characters.")

        if allowance is None:
            if self.require_allowance:
                problems.append(VaultProblem("invalid_allowance", "An allowance is required.", "$.allowance"))
        else:
            def allowance_problem(fld: str, message: str) -> None:
                problems.append(VaultProblem("invalid_allowance", message, f"$.allowance.{fld}"))

            if allowance.reason != "one_time":
                allowance_problem("reason", "Allowance reason must be one_time.")
            if type(allowance.max_amount) is not int or allowance.max_amount <= 0:
                allowance_problem("max_amount", "max_amount must be a positive integer in minor units.")
            if not isinstance(allowance.currency, str) or not _CURRENCY.match(allowance.currency):
                allowance_problem("currency", "currency must be three lowercase letters (ISO 4217).")
            if not isinstance(allowance.checkout_session_id, str) or not allowance.checkout_session_id.strip():
                allowance_problem("checkout_session_id", "checkout_session_id is required.")
            if not isinstance(allowance.merchant_id, str) or not allowance.merchant_id.strip():
                allowance_problem("merchant_id", "merchant_id is required.")
            elif len(allowance.merchant_id) > 256:
                allowance_problem("merchant_id", "merchant_id is longer than 256 characters.")
            if not isinstance(allowance.expires_at, datetime) or allowance.expires_at.tzinfo is None:
                allowance_problem("expires_at", "expires_at must be a timestamp with a time zone.")
            elif allowance.expires_at <= now:
                allowance_problem("expires_at", "expires_at must be in the future.")

        if billing_address is not None:
            for p in validate_address(billing_address):
                problems.append(VaultProblem("invalid_billing_address", p.message, p.param("$.billing_address")))

        for i, signal in enumerate(risk_signals):
            if signal.action == "blocked":
                problems.append(
                    VaultProblem("risk_blocked", "A risk signal blocks this payment method.", f"$.risk_signals[{i}].action")
                )
            elif signal.action not in ("manual_review", "authorized"):
                problems.append(VaultProblem("invalid_request", "Unknown risk signal action.", f"$.risk_signals[{i}].action"))

        for key, value in (metadata or {}).items():
            if not isinstance(key, str) or not isinstance(value, str):
                problems.append(VaultProblem("invalid_metadata", "metadata values must be strings.", f"$.metadata.{key}"))
        return problems

    def issue(
        self,
        card: CardDetails,
        allowance: Allowance | None,
        billing_address: Address | None = None,
        risk_signals: Sequence[RiskSignal] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> IssuedToken:
        """Validate and store; raises ``VaultRejected`` listing every problem."""
        problems = self.validate(card, allowance, billing_address, risk_signals, metadata)
        if problems:
            raise VaultRejected(problems)
        number = card.number
        year = int(str(card.exp_year))
        year += 2000 if year < 100 else 0
        token_id = self._ids.new("vt_")
        info = TokenInfo(
            id=token_id,
            created=self._clock.now(),
            metadata=dict(metadata or {}),
            allowance=allowance,
            brand=(card.display_brand or card_brand(number)).lower(),
            last4=number[-4:],
            exp_month=int(str(card.exp_month)),
            exp_year=year,
            funding_type=card.funding_type,
            card_number_type=card.card_number_type,
            processor_reference=self._ids.new("card_"),
            billing_address=billing_address,
            risk_signals=tuple(risk_signals),
            manual_review=any(s.action == "manual_review" for s in risk_signals),
            _pan=number,
        )
        with self._lock:
            self._tokens.put(token_id, info)
        return IssuedToken(info.id, info.created, dict(info.metadata))

    # -- redeem ----------------------------------------------------------------------

    def get(self, token_id: str) -> TokenInfo | None:
        with self._lock:
            return self._tokens.get(token_id)

    def verify(
        self, token_id: str, amount: int, currency: str, checkout_session_id: str, merchant_id: str
    ) -> ProcessorCard:
        """Check the token may pay ``amount``; consumes nothing.  Raises ``TokenRefused``."""
        with self._lock:
            return self._check(token_id, amount, currency, checkout_session_id, merchant_id)

    def redeem(
        self,
        token_id: str,
        amount: int,
        currency: str,
        checkout_session_id: str,
        merchant_id: str,
        *,
        charge_id: str | None = None,
    ) -> ProcessorCard:
        """Check and mark used, atomically (a token pays once).  Raises ``TokenRefused``."""
        with self._lock:
            card = self._check(token_id, amount, currency, checkout_session_id, merchant_id)
            stored = self._tokens.get(token_id)
            assert stored is not None
            self._tokens.put(token_id, replace(stored, used_at=self._clock.now(), used_for=charge_id))
            return card

    def _check(self, token_id: str, amount: int, currency: str, session_id: str, merchant_id: str) -> ProcessorCard:
        info = self._tokens.get(token_id) if isinstance(token_id, str) else None
        if info is None:
            raise TokenRefused(RefusalCode.INVALID, "Unknown payment token.")
        if info.used_at is not None:
            raise TokenRefused(RefusalCode.ALREADY_USED, "This payment token has already been used.")
        a = info.allowance
        if a is None:
            if self.require_allowance:
                raise TokenRefused(RefusalCode.NO_ALLOWANCE, "This payment token has no allowance.")
        else:
            if self._clock.now() >= a.expires_at:
                raise TokenRefused(RefusalCode.EXPIRED, "This payment token's allowance has expired.")
            if a.checkout_session_id != session_id:
                raise TokenRefused(RefusalCode.WRONG_SESSION, "This payment token was issued for another checkout session.")
            if a.merchant_id != merchant_id:
                raise TokenRefused(RefusalCode.WRONG_MERCHANT, "This payment token was issued for another merchant.")
            if a.currency != currency:
                raise TokenRefused(RefusalCode.WRONG_CURRENCY, f"This payment token is for {a.currency}, not {currency}.")
            if type(amount) is not int or amount < 0 or amount > a.max_amount:
                raise TokenRefused(
                    RefusalCode.AMOUNT_EXCEEDED,
                    f"The amount {amount} exceeds the token's allowance of {a.max_amount}.",
                )
        return ProcessorCard(
            token_id=info.id,
            processor_reference=info.processor_reference,
            brand=info.brand,
            last4=info.last4,
            exp_month=info.exp_month,
            exp_year=info.exp_year,
            _pan=info._pan,
        )
