"""What differs between API-Versions, for the certifier: request shapes and response readers.

Scenarios are written once against this small interface; each version
implements it with its own generated models.  Everything is plain JSON in
and out so that evidence shows exactly what went on the wire.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from acpforge.versions import profile as version_profile


def _amounts(totals: list[dict] | None) -> dict[str, int]:
    return {t["type"]: t["amount"] for t in totals or [] if isinstance(t, dict) and "type" in t}


@dataclass
class Dialect:
    version: str

    @property
    def package(self) -> str:
        return "acpforge.generated.v" + self.version.replace("-", "_")

    def module(self, api: str):
        return importlib.import_module(f"{self.package}.{api}")

    @property
    def profile(self):
        return version_profile(self.version)

    # -- requests -----------------------------------------------------------
    def create_body(self, items: list[tuple[str, int]], address: dict | None) -> dict:
        raise NotImplementedError

    def address_update(self, address: dict) -> dict:
        raise NotImplementedError

    def select_option_body(self, session: dict, option_id: str) -> dict:
        raise NotImplementedError

    def complete_body(self, session: dict, token: str, billing_address: dict | None) -> dict:
        raise NotImplementedError

    def omit_required_field(self, body: dict) -> tuple[dict, str]:
        """A create body with one required field removed, and that field's JSONPath."""
        raise NotImplementedError

    # -- responses ----------------------------------------------------------
    def options(self, session: dict) -> list[dict]:
        return [o for o in session.get("fulfillment_options") or [] if isinstance(o, dict)]

    def shipping_options(self, session: dict) -> list[dict]:
        return [o for o in self.options(session) if o.get("type") == "shipping"]

    def selected_option_id(self, session: dict) -> str | None:
        raise NotImplementedError

    def option_amount(self, option: dict) -> int | None:
        raise NotImplementedError

    def totals(self, session: dict) -> dict[str, int]:
        return _amounts(session.get("totals"))

    def line_amounts(self, line: dict) -> dict[str, int]:
        """``base_amount, discount, subtotal, tax, total`` of a line item, whatever the version."""
        raise NotImplementedError

    def error_messages(self, session: dict) -> list[dict]:
        return [m for m in session.get("messages") or [] if isinstance(m, dict) and m.get("type") == "error"]

    def order(self, session: dict) -> dict | None:
        order = session.get("order")
        return order if isinstance(order, dict) else None


class Dialect20250929(Dialect):
    def create_body(self, items, address):
        body: dict[str, Any] = {"items": [{"id": item, "quantity": qty} for item, qty in items]}
        if address is not None:
            body["fulfillment_address"] = address
        return body

    def address_update(self, address):
        return {"fulfillment_address": address}

    def select_option_body(self, session, option_id):
        return {"fulfillment_option_id": option_id}

    def complete_body(self, session, token, billing_address):
        provider = (session.get("payment_provider") or {}).get("provider", "stripe")
        data: dict[str, Any] = {"token": token, "provider": provider}
        if billing_address:
            data["billing_address"] = billing_address
        return {"payment_data": data}

    def omit_required_field(self, body):
        broken = {**body, "items": [{k: v for k, v in body["items"][0].items() if k != "quantity"}]}
        return broken, "$.items[0].quantity"

    def selected_option_id(self, session):
        return session.get("fulfillment_option_id")

    def option_amount(self, option):
        return option.get("total")

    def line_amounts(self, line):
        return {k: line.get(k) for k in ("base_amount", "discount", "subtotal", "tax", "total")}


class Dialect20260417(Dialect):
    CAPABILITIES = {"interventions": {"supported": ["3ds"]}}

    def create_body(self, items, address):
        line_items = [{"id": item} for item, qty in items for _ in range(qty)]
        body: dict[str, Any] = {"line_items": line_items, "currency": "usd", "capabilities": self.CAPABILITIES}
        if address is not None:
            body["fulfillment_details"] = self._details(address)
        return body

    @staticmethod
    def _details(address: dict) -> dict:
        return {"name": address.get("name"), "address": address}

    def address_update(self, address):
        return {"fulfillment_details": self._details(address)}

    def select_option_body(self, session, option_id):
        item_ids = [line["id"] for line in session.get("line_items") or []]
        return {"selected_fulfillment_options": [{"type": "shipping", "option_id": option_id, "item_ids": item_ids}]}

    def complete_body(self, session, token, billing_address):
        handlers = (((session.get("capabilities") or {}).get("payment") or {}).get("handlers")) or []
        handler_id = handlers[0]["id"] if handlers else "card_tokenized"
        data: dict[str, Any] = {
            "handler_id": handler_id,
            "instrument": {"type": "card", "credential": {"type": "spt", "token": token}},
        }
        if billing_address:
            data["billing_address"] = billing_address
        return {"payment_data": data}

    def omit_required_field(self, body):
        return {k: v for k, v in body.items() if k != "currency"}, "$.currency"

    def selected_option_id(self, session):
        chosen = session.get("selected_fulfillment_options") or []
        return chosen[0].get("option_id") if chosen and isinstance(chosen[0], dict) else None

    def option_amount(self, option):
        amounts = _amounts(option.get("totals"))
        return amounts.get("total", amounts.get("subtotal"))

    def line_amounts(self, line):
        amounts = _amounts(line.get("totals"))
        return {
            "base_amount": amounts.get("base_amount", amounts.get("items_base_amount")),
            "discount": amounts.get("discount", amounts.get("items_discount", 0)),
            "subtotal": amounts.get("subtotal"),
            "tax": amounts.get("tax", 0),
            "total": amounts.get("total"),
        }


DIALECTS = {"2025-09-29": Dialect20250929, "2026-04-17": Dialect20260417}


def dialect(version: str) -> Dialect:
    try:
        return DIALECTS[version](version)
    except KeyError:
        raise ValueError(f"no certification dialect for API-Version {version}; known: {', '.join(DIALECTS)}") from None
