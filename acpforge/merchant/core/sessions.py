"""Checkout sessions: the heart of the reference merchant.

``CheckoutService`` owns the session life cycle and ties the other modules
together.  Every mutation recomputes the whole session from its inputs
(lines, address, buyer, selected option): inventory reservation, line
pricing and tax, fulfillment options, totals, messages and status.

Status
------
* ``not_ready_for_payment`` while any *problem* exists: no items, a line out
  of stock, something ships and the address is missing or invalid, an
  invalid buyer, no fulfillment option selected when one is needed;
* ``ready_for_payment`` otherwise;
* ``authentication_required`` after the processor asked for 3-D Secure,
  until an update or a completion with an authentication result;
* ``completed`` / ``canceled``: final.
* ``in_progress`` exists in the enum but is never stored: completion is one
  atomic call under the session's lock, so nobody can observe it midway.

Messages
--------
``messages`` = *problems* (derived from the state, recomputed on every
change, each one keeps the session not ready) + *notices* (about the last
operation: a fulfillment option that is not offered, a refused token, a
declined card, a 3-DS request; replaced by the next update or completion).
A declined card therefore leaves the session ``ready_for_payment`` with a
``payment_declined`` error message, as the protocol wants.

Fulfillment option selection
----------------------------
Option ids are stable.  An explicitly selected id is kept as long as it is
offered.  When nothing valid is selected and options exist, the cheapest is
auto-selected (ties: the first listed, standard before express); shipping
options are auto-selected only once the address is valid.  Selecting an id
that is not offered adds an ``invalid`` notice on ``$.fulfillment_option_id``
and keeps the previous (or auto) selection.  ``None`` means "no change" (no
version lets a client clear the selection).

Requests the core cannot act on raise ``DomainError``: unknown session
(``not_found``); malformed items (``invalid``/``missing`` with a param); any
operation on a completed or canceled session (kind ``NOT_ALLOWED``, which
adapters map to 405).  Duplicate item ids in one request are merged into one
line (quantities added), in order of first appearance; line ids are stable
across updates for the same item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from .addresses import Address, normalize_address, validate_address
from .catalog import Catalog, Product
from .clock import Clock, IdGenerator
from .errors import DomainError, ErrorKind
from .faults import NO_FAULTS, Faults
from .inventory import Inventory
from .legal import Link, legal_links
from .model import UNSET, Buyer, Message, MessageCode, MessageType, Paths, Unset, validate_buyer
from .orders import Order, OrderService
from .pricing import LineInput, LineItem, Pricer, Totals
from .processor import AuthenticationResult, ChargeOutcome, PaymentProcessor
from .shipping import FulfillmentOption, ShippableLine, ShippingCalculator
from .storage import Storage
from .tax import TaxTable
from .vault import TokenRefused, Vault

__all__ = ["MAX_LINE_QUANTITY", "CheckoutService", "CheckoutSession", "ItemRequest", "SessionStatus"]

#: Upper bound of one line's quantity (keeps every amount far inside int64 on the wire).
MAX_LINE_QUANTITY = 1000


class SessionStatus(StrEnum):
    NOT_READY_FOR_PAYMENT = "not_ready_for_payment"
    READY_FOR_PAYMENT = "ready_for_payment"
    AUTHENTICATION_REQUIRED = "authentication_required"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELED = "canceled"

    @property
    def final(self) -> bool:
        return self in (SessionStatus.COMPLETED, SessionStatus.CANCELED)


@dataclass(frozen=True, slots=True)
class ItemRequest:
    id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    status: SessionStatus
    currency: str
    line_items: tuple[LineItem, ...]
    totals: Totals
    fulfillment_options: tuple[FulfillmentOption, ...]
    selected_fulfillment_option_id: str | None
    fulfillment_address: Address | None
    buyer: Buyer | None
    problems: tuple[Message, ...]
    notices: tuple[Message, ...]
    links: tuple[Link, ...]
    created_at: datetime
    updated_at: datetime
    authentication_pending: bool = False
    order: Order | None = None
    cancel_reason: str | None = None
    version: int = 1

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.problems + self.notices

    @property
    def selected_fulfillment_option(self) -> FulfillmentOption | None:
        for option in self.fulfillment_options:
            if option.id == self.selected_fulfillment_option_id:
                return option
        return None

    @property
    def requires_shipping(self) -> bool:
        return any(line.requires_shipping for line in self.line_items)


_Line = tuple[str, Product, int]  # (line id, product, quantity)


class CheckoutService:
    def __init__(
        self,
        *,
        catalog: Catalog,
        inventory: Inventory,
        storage: Storage,
        vault: Vault,
        processor: PaymentProcessor,
        orders: OrderService,
        shipping: ShippingCalculator,
        pricer: Pricer,
        tax_table: TaxTable,
        clock: Clock,
        ids: IdGenerator,
        base_url: str,
        merchant_id: str,
        faults: Faults = NO_FAULTS,
    ) -> None:
        self.catalog = catalog
        self.inventory = inventory
        self.storage = storage
        self.vault = vault
        self.processor = processor
        self.orders = orders
        self.shipping = shipping
        self.pricer = pricer
        self.tax_table = tax_table
        self.clock = clock
        self.ids = ids
        self.base_url = base_url.rstrip("/")
        self.merchant_id = merchant_id
        self.faults = faults

    # ------------------------------------------------------------------ public API

    def create(
        self,
        items: Sequence[ItemRequest | tuple[str, int]],
        *,
        buyer: Buyer | None = None,
        address: Address | None = None,
        currency: str | None = None,
        selected_fulfillment_option_id: str | None = None,
    ) -> CheckoutSession:
        """Start a session.  ``currency``, when given, must be the catalog's."""
        if currency is not None and (not isinstance(currency, str) or currency.lower() != self.catalog.currency):
            raise DomainError.invalid(
                f"currency {currency!r} is not supported; this merchant sells in {self.catalog.currency}",
                param=Paths.CURRENCY,
            )
        parsed = self._parse_items(items, allow_empty=False)
        session_id = self.ids.new("cs_")
        lines = self._assign_line_ids(parsed, previous=())
        now = self.clock.now()
        with self.storage.lock(session_id):
            state = self._compute(
                session_id=session_id,
                lines=lines,
                address=address,
                buyer=buyer,
                requested_option=selected_fulfillment_option_id,
                previous_option=None,
            )
            session = CheckoutSession(
                id=session_id,
                currency=self.catalog.currency,
                links=legal_links(self.base_url, self.faults),
                created_at=now,
                updated_at=now,
                **state,
            )
            self.storage.sessions.put(session_id, session)
            return session

    def get(self, session_id: str) -> CheckoutSession:
        session = self.storage.sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise DomainError.not_found("checkout session", session_id)
        return session

    def update(
        self,
        session_id: str,
        *,
        items: Sequence[ItemRequest | tuple[str, int]] | Unset = UNSET,
        address: Address | None | Unset = UNSET,
        selected_fulfillment_option_id: str | None | Unset = UNSET,
        buyer: Buyer | None | Unset = UNSET,
    ) -> CheckoutSession:
        """Change what is given (``UNSET`` = unchanged, ``None`` = cleared for address and buyer)."""
        with self.storage.lock(session_id):
            old = self._modifiable(session_id, "update")
            if isinstance(items, Unset):
                lines = [(li.id, self._product(li.item_id), li.quantity) for li in old.line_items]
            else:
                lines = self._assign_line_ids(self._parse_items(items, allow_empty=True), previous=old.line_items)
            new_address = old.fulfillment_address if isinstance(address, Unset) else address
            new_buyer = old.buyer if isinstance(buyer, Unset) else buyer
            requested = None if isinstance(selected_fulfillment_option_id, Unset) else selected_fulfillment_option_id
            state = self._compute(
                session_id=session_id,
                lines=lines,
                address=new_address,
                buyer=new_buyer,
                requested_option=requested,
                previous_option=old.selected_fulfillment_option_id,
            )
            if self.faults.active("totals_not_recomputed"):
                state["totals"] = old.totals
            session = replace(old, updated_at=self.clock.now(), version=old.version + 1, **state)
            self.storage.sessions.put(session_id, session)
            return session

    def complete(
        self,
        session_id: str,
        payment_token: str,
        *,
        billing_address: Address | None = None,
        authentication_result: AuthenticationResult | None = None,
        buyer: Buyer | None | Unset = UNSET,
    ) -> CheckoutSession:
        """Pay for the session with a delegated token and create the order.

        Business failures (not ready, refused token, declined card, 3-DS
        needed, invalid billing address) return the session with messages;
        only a missing token, an unknown session or a final session raise.
        """
        if not isinstance(payment_token, str) or not payment_token.strip():
            raise DomainError.invalid("a payment token is required", param=Paths.PAYMENT_TOKEN, code="missing")
        with self.storage.lock(session_id):
            session = self._modifiable(session_id, "complete")
            if not isinstance(buyer, Unset):
                session = self._recompute_existing(session, buyer=buyer)

            def refuse(*notices: Message, **changes: Any) -> CheckoutSession:
                result = replace(session, notices=tuple(notices), updated_at=self.clock.now(),
                                 version=session.version + 1, **changes)
                result = replace(result, status=self._status(result.problems, result.authentication_pending))
                self.storage.sessions.put(session_id, result)
                return result

            if billing_address is not None:
                billing_problems = validate_address(billing_address)
                if billing_problems:
                    return refuse(*(
                        Message.error(p.code, f"Billing address: {p.message}", p.param(Paths.BILLING_ADDRESS))
                        for p in billing_problems
                    ))
            if session.status is SessionStatus.NOT_READY_FOR_PAYMENT:
                return refuse(Message.info("The session is not ready for payment yet; see the other messages."))

            amount, currency = session.totals.total, session.currency
            try:
                card = self.vault.verify(payment_token, amount, currency, session_id, self.merchant_id)
            except TokenRefused as refusal:
                return refuse(Message.error(MessageCode.INVALID, refusal.message, Paths.PAYMENT_TOKEN))

            result = self.processor.charge(card, amount, currency, authentication_result)
            if result.outcome is ChargeOutcome.REQUIRES_3DS:
                return refuse(
                    Message.error(MessageCode.REQUIRES_3DS, result.message, Paths.PAYMENT_TOKEN),
                    authentication_pending=True,
                )
            charge_id = result.charge_id
            if result.outcome is ChargeOutcome.DECLINED:
                if not self.faults.active("declined_card_accepted"):
                    param = Paths.AUTHENTICATION_RESULT if result.decline_reason == "authentication_failed" else Paths.PAYMENT_TOKEN
                    return refuse(
                        Message.error(MessageCode.PAYMENT_DECLINED, result.message, param),
                        authentication_pending=False,
                    )
                charge_id = None  # fault: order created although no money was taken

            try:
                self.vault.redeem(payment_token, amount, currency, session_id, self.merchant_id, charge_id=charge_id)
            except TokenRefused as refusal:  # lost a race with another redemption: give the money back
                if charge_id is not None:
                    self.processor.refund(charge_id, amount)
                return refuse(Message.error(MessageCode.INVALID, refusal.message, Paths.PAYMENT_TOKEN))

            self.inventory.commit(session_id)
            order = self.orders.create(
                checkout_session_id=session_id,
                currency=currency,
                line_items=session.line_items,
                totals=session.totals,
                fulfillment_option=session.selected_fulfillment_option,
                fulfillment_address=session.fulfillment_address,
                buyer=session.buyer,
                charge_id=charge_id,
            )
            completed = replace(
                session,
                status=SessionStatus.COMPLETED,
                order=order,
                notices=(),
                authentication_pending=False,
                updated_at=self.clock.now(),
                version=session.version + 1,
            )
            self.storage.sessions.put(session_id, completed)
            return completed

    def cancel(self, session_id: str, *, reason: str | None = None) -> CheckoutSession:
        """Cancel and release the reservation; refused (``NOT_ALLOWED``) once final."""
        with self.storage.lock(session_id):
            session = self._modifiable(session_id, "cancel")
            self.inventory.release(session_id)
            canceled = replace(
                session,
                status=SessionStatus.CANCELED,
                problems=(),
                notices=(),
                authentication_pending=False,
                cancel_reason=reason,
                updated_at=self.clock.now(),
                version=session.version + 1,
            )
            self.storage.sessions.put(session_id, canceled)
            return canceled

    # ------------------------------------------------------------------ internals

    def _modifiable(self, session_id: str, operation: str) -> CheckoutSession:
        session = self.get(session_id)
        if session.status.final:
            raise DomainError(
                f"session_{session.status.value}",
                f"cannot {operation} a checkout session that is {session.status.value}",
                kind=ErrorKind.NOT_ALLOWED,
            )
        return session

    def _product(self, item_id: str) -> Product:
        product = self.catalog.get(item_id)
        assert product is not None, item_id
        return product

    def _parse_items(self, items: Any, *, allow_empty: bool) -> list[tuple[Product, int]]:
        if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
            raise DomainError.invalid("items must be a list", param=Paths.ITEMS)
        if not items and not allow_empty:
            raise DomainError.invalid("at least one item is required", param=Paths.ITEMS, code="missing")
        merged: dict[str, list[Any]] = {}
        for index, entry in enumerate(items):
            if isinstance(entry, ItemRequest):
                item_id, quantity = entry.id, entry.quantity
            elif isinstance(entry, tuple) and len(entry) == 2:
                item_id, quantity = entry
            else:
                raise DomainError.invalid("an item is an id and a quantity", param=Paths.item(index))
            if not isinstance(item_id, str) or not item_id:
                raise DomainError.invalid("item id must be a non-empty string", param=Paths.item(index, "id"))
            product = self.catalog.get(item_id)
            if product is None:
                raise DomainError.invalid(f"unknown item {item_id!r}", param=Paths.item(index, "id"))
            if type(quantity) is not int or quantity < 1:
                raise DomainError.invalid("quantity must be an integer of at least 1", param=Paths.item(index, "quantity"))
            if item_id in merged:
                merged[item_id][1] += quantity
            else:
                merged[item_id] = [product, quantity]
            if merged[item_id][1] > MAX_LINE_QUANTITY:
                raise DomainError.invalid(
                    f"at most {MAX_LINE_QUANTITY} units of one item per order", param=Paths.item(index, "quantity")
                )
        return [(p, q) for p, q in merged.values()]

    def _assign_line_ids(self, parsed: list[tuple[Product, int]], previous: Sequence[LineItem]) -> list[_Line]:
        known = {li.item_id: li.id for li in previous}
        return [(known.get(p.id) or self.ids.new("li_"), p, q) for p, q in parsed]

    def _recompute_existing(self, session: CheckoutSession, *, buyer: Buyer | None) -> CheckoutSession:
        lines = [(li.id, self._product(li.item_id), li.quantity) for li in session.line_items]
        state = self._compute(
            session_id=session.id,
            lines=lines,
            address=session.fulfillment_address,
            buyer=buyer,
            requested_option=None,
            previous_option=session.selected_fulfillment_option_id,
        )
        state["authentication_pending"] = session.authentication_pending
        state["status"] = self._status(state["problems"], session.authentication_pending)
        return replace(session, **state)

    def _status(self, problems: Sequence[Message], authentication_pending: bool) -> SessionStatus:
        if any(m.type is MessageType.ERROR for m in problems):
            return SessionStatus.NOT_READY_FOR_PAYMENT
        if authentication_pending:
            return SessionStatus.AUTHENTICATION_REQUIRED
        return SessionStatus.READY_FOR_PAYMENT

    def _compute(
        self,
        *,
        session_id: str,
        lines: list[_Line],
        address: Address | None,
        buyer: Buyer | None,
        requested_option: str | None,
        previous_option: str | None,
    ) -> dict[str, Any]:
        """Everything derived from the inputs; returns CheckoutSession fields."""
        problems: list[Message] = []
        notices: list[Message] = []

        reservation = self.inventory.reserve(
            session_id,
            [(p.id, q) for _, p, q in lines],
            allow_oversell=self.faults.active("out_of_stock_accepted"),
        )

        address_problems = validate_address(address) if address is not None else []
        stored_address = normalize_address(address) if address is not None else None
        valid_address = stored_address if address is not None and not address_problems else None
        jurisdiction = self.tax_table.for_address(valid_address)

        priced = self.pricer.price_lines(
            [
                LineInput(line_id, product, qty, r.out_of_stock, r.available)
                for (line_id, product, qty), r in zip(lines, reservation.lines)
            ],
            jurisdiction,
        )
        items_subtotal = sum(li.subtotal for li in priced)
        shippable = [ShippableLine(line_id, product, qty) for line_id, product, qty in lines]
        raw_options = self.shipping.options(
            shippable,
            valid_address,
            items_subtotal,
            require_address=not self.faults.active("shipping_without_address"),
        )
        options = self.pricer.price_options(raw_options, jurisdiction)
        offered = {o.id: o for o in options}
        needs_shipping = any(p.requires_shipping for _, p, _ in lines)

        def selectable(option: FulfillmentOption) -> bool:
            return option.type != "shipping" or valid_address is not None

        selected: str | None = None
        if requested_option is not None:
            if requested_option in offered:
                selected = requested_option
            else:
                notices.append(Message.error(
                    MessageCode.INVALID,
                    f"Fulfillment option {requested_option!r} is not available.",
                    Paths.FULFILLMENT_OPTION_ID,
                ))
        if selected is None and previous_option in offered:
            selected = previous_option
        if selected is None:
            candidates = [o for o in options if selectable(o)]
            if candidates:
                selected = min(candidates, key=lambda o: o.total).id  # min() keeps the first on ties

        # problems, in the order a buyer would fix them
        if not lines:
            problems.append(Message.error(MessageCode.MISSING, "Add at least one item.", Paths.ITEMS))
        for index, r in enumerate(reservation.lines):
            if r.out_of_stock:
                title = lines[index][1].title
                text = f"{title} is out of stock." if not r.available else f"Only {r.available} of {title} left in stock."
                problems.append(Message.error(MessageCode.OUT_OF_STOCK, text, Paths.line_item(index)))
        if needs_shipping and address is None:
            problems.append(Message.error(MessageCode.MISSING, "A shipping address is required.", Paths.FULFILLMENT_ADDRESS))
        for p in address_problems:
            problems.append(Message.error(p.code, p.message, p.param(Paths.FULFILLMENT_ADDRESS)))
        if lines and selected is None and (valid_address is not None or not needs_shipping) and not notices:
            problems.append(Message.error(MessageCode.MISSING, "Choose a fulfillment option.", Paths.FULFILLMENT_OPTION_ID))
        problems.extend(validate_buyer(buyer))

        selected_option = offered.get(selected) if selected else None
        totals = self.pricer.totals(priced, selected_option)
        return {
            "status": self._status(problems, False),
            "line_items": priced,
            "totals": totals,
            "fulfillment_options": options,
            "selected_fulfillment_option_id": selected,
            "fulfillment_address": stored_address,
            "buyer": buyer,
            "problems": tuple(problems),
            "notices": tuple(notices),
            "authentication_pending": False,
        }
