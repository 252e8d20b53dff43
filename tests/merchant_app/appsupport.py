"""Helpers for the real-HTTP tests of the reference merchant.

``Driver`` hides the shape differences between API-Versions behind one small
vocabulary (create, set address, select option, token, complete, ...), so a
behaviour is written once and run for every version.  Every response a
driver sees is checked three ways: the generated client parses it (its
``ResponseValidationWarning`` is an error in these tests), the strict
pydantic model validates it (no lenient enums), and JSON Schema validates it
against the version's conformance OpenAPI document.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012 as _DRAFT
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from testsupport import REPO

from acpforge import serving
from acpforge.merchant.app import SIMULATOR_SECRET_HEADER, MerchantApp, ServeConfig, build_app
from acpforge.merchant.core import RetryPolicy, check_invariants

API_KEY = "test-api-key-0123456789"
WEBHOOK_SECRET = "whsec_test_secret_abcdef"
SIM_SECRET = "sim-secret-xyz"
MERCHANT_ID = "acpforge_reference_merchant"

APPROVE = "4242424242424242"
DECLINE = "4000000000000002"
THREE_DS = "4000000000003220"
CVC = "737"

ADDRESS = {"name": "Jane Doe", "line_one": "1 Market St", "city": "San Francisco", "state": "CA",
           "country": "US", "postal_code": "94105"}
BAD_ADDRESS = {**ADDRESS, "state": "ZZ", "postal_code": "ABCDE"}
FAST_RETRY = RetryPolicy(base_delay=0.05, factor=2.0, max_delay=0.4, jitter=None, request_timeout=2.0)
VERSIONS = ("2025-09-29", "2026-04-17")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def merchant(*faults: str, **options: Any) -> Iterator[tuple[MerchantApp, str]]:
    """A reference merchant on a free loopback port: ``(app, base_url)``."""
    port = free_port()
    config = ServeConfig(
        base_url=f"http://127.0.0.1:{port}", api_keys=[API_KEY], webhook_secret=WEBHOOK_SECRET,
        simulator_secret=SIM_SECRET, faults=faults, retry_policy=FAST_RETRY, **options,
    )
    app = build_app(config)
    with serving.running(app, port=port) as server:
        yield app, server.base_url


# --------------------------------------------------------------------------- schema checks


@cache
def _validator(package: str, document: str, schema: str) -> Draft202012Validator:
    doc = json.loads((REPO / "generated" / package / "conformance" / f"{document}.openapi.json").read_text())
    uri = f"urn:acpforge:{package}:{document}"
    registry = Registry().with_resource(uri, Resource.from_contents(doc, default_specification=_DRAFT))
    return Draft202012Validator({"$ref": f"{uri}#/components/schemas/{schema}"}, registry=registry)


def schema_errors(version: str, schema: str, data: Any, document: str = "agentic_checkout") -> list[str]:
    package = "v" + version.replace("-", "_")
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(package, document, schema).iter_errors(data)]


def assert_schema(version: str, schema: str, data: Any, document: str = "agentic_checkout") -> None:
    errors = schema_errors(version, schema, data, document)
    assert not errors, f"{schema} ({version}) does not validate: {errors[:5]}"


# --------------------------------------------------------------------------- drivers


@dataclass
class Driver:
    """One API-Version's way of doing the common things, over the generated clients."""

    base_url: str
    version: str
    api_key: str = API_KEY
    last: httpx.Response | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        package = "v" + self.version.replace("-", "_")
        checkout = __import__(f"acpforge.generated.{package}.agentic_checkout", fromlist=["client", "models"])
        delegate = __import__(f"acpforge.generated.{package}.delegate_payment", fromlist=["client", "models"])
        self.models = checkout.models
        self.dp_models = delegate.models
        self.client = checkout.client.AgenticCheckoutClient(self.base_url, bearer_token=self.api_key)
        self.dp_client = delegate.client.DelegatePaymentClient(self.base_url, bearer_token=self.api_key)

    def close(self) -> None:
        self.client.close()
        self.dp_client.close()

    # -- raw access -----------------------------------------------------------------

    def json(self) -> Any:
        response = self.client.last_response
        return response.json()

    def checked(self, result: Any, schema: str = "CheckoutSession") -> dict[str, Any]:
        """The raw JSON of the last checkout response, after strict checks."""
        data = self.client.last_response.json()
        getattr(self.models, schema).model_validate(data)  # strict: no lenient enums
        assert_schema(self.version, schema, data)
        assert not self.invariant_violations(data), self.invariant_violations(data)
        return data

    # -- operations (return raw, checked JSON) ----------------------------------------

    def create(self, items: list[tuple[str, int]], address: dict | None = None, **extra: Any) -> dict[str, Any]:
        return self.checked(self.client.create_checkout_session(self.create_body(items, address, **extra), **self._key(extra)))

    def get(self, session_id: str) -> dict[str, Any]:
        return self.checked(self.client.get_checkout_session(session_id))

    def update(self, session_id: str, body: dict[str, Any], **headers: Any) -> dict[str, Any]:
        return self.checked(self.client.update_checkout_session(session_id, body, **headers))

    def set_address(self, session_id: str, address: dict | None) -> dict[str, Any]:
        return self.update(session_id, self.address_body(address))

    def cancel(self, session_id: str) -> dict[str, Any]:
        return self.checked(self.client.cancel_checkout_session(session_id))

    def complete(self, session_id: str, token: str, **extra: Any) -> dict[str, Any]:
        result = self.client.complete_checkout_session(session_id, self.complete_body(token, **extra))
        return self.checked(result, "CheckoutSessionWithOrder")

    def delegate(self, session: dict[str, Any], number: str = APPROVE, *, max_amount: int | None = None,
                 **overrides: Any) -> str:
        body = delegate_body(session["id"], max_amount if max_amount is not None else total_of(session), number)
        body.update(overrides)
        result = self.dp_client.delegate_payment(body)
        data = self.dp_client.last_response.json()
        self.dp_models.DelegatePaymentResponse.model_validate(data)
        assert_schema(self.version, "DelegatePaymentResponse", data, "delegate_payment")
        return result.id

    def pay(self, items: list[tuple[str, int]] = (("item_tshirt", 1),), number: str = APPROVE) -> dict[str, Any]:
        """Create with an address, delegate a card and complete; the completed session."""
        session = self.create(list(items), ADDRESS)
        assert session["status"] == "ready_for_payment", session["messages"]
        return self.complete(session["id"], self.delegate(session, number))

    @staticmethod
    def _key(extra: dict[str, Any]) -> dict[str, Any]:
        return {"idempotency_key": extra.pop("idempotency_key")} if "idempotency_key" in extra else {}

    # -- version-specific shapes (overridden) ---------------------------------------------

    def create_body(self, items, address, **extra) -> dict[str, Any]:
        raise NotImplementedError

    def address_body(self, address) -> dict[str, Any]:
        raise NotImplementedError

    def select_body(self, session: dict[str, Any], option_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def complete_body(self, token: str, **extra: Any) -> dict[str, Any]:
        raise NotImplementedError

    def selected_option(self, session: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def invariant_violations(self, data: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    address_param = "$.fulfillment_address"
    token_param = "$.payment_data.token"


class Driver20250929(Driver):
    def create_body(self, items, address, **extra):
        body = {"items": [{"id": i, "quantity": q} for i, q in items], **extra}
        if address is not None:
            body["fulfillment_address"] = address
        return body

    def address_body(self, address):
        return {"fulfillment_address": address}

    def select_body(self, session, option_id):
        return {"fulfillment_option_id": option_id}

    def complete_body(self, token, **extra):
        return {"payment_data": {"token": token, "provider": "stripe"}, **extra}

    def selected_option(self, session):
        return session.get("fulfillment_option_id")

    def invariant_violations(self, data):
        return check_invariants(data["line_items"], data["totals"], data["fulfillment_options"],
                                data.get("fulfillment_option_id"))


class Driver20260417(Driver):
    address_param = "$.fulfillment_details.address"
    token_param = "$.payment_data.instrument.credential.token"

    def create_body(self, items, address, capabilities=None, **extra):
        body = {
            "line_items": [{"id": i} for i, q in items for _ in range(q)],
            "currency": "usd",
            "capabilities": capabilities if capabilities is not None else {"interventions": {"supported": ["3ds"]}},
            **extra,
        }
        if address is not None:
            body["fulfillment_details"] = {"name": address["name"], "address": address}
        return body

    def address_body(self, address):
        return {"fulfillment_details": None if address is None else {"name": address["name"], "address": address}}

    def select_body(self, session, option_id):
        option = next(o for o in session["fulfillment_options"] if o["id"] == option_id)
        return {"selected_fulfillment_options": [
            {"type": option["type"], "option_id": option_id, "item_ids": [li["id"] for li in session["line_items"]]}
        ]}

    def complete_body(self, token, handler_id="card_tokenized", **extra):
        return {
            "payment_data": {"handler_id": handler_id,
                             "instrument": {"type": "card", "credential": {"type": "spt", "token": token}}},
            **extra,
        }

    def selected_option(self, session):
        chosen = session.get("selected_fulfillment_options") or []
        return chosen[0]["option_id"] if chosen else None

    def invariant_violations(self, data):
        def amounts(totals):
            return {t["type"]: t["amount"] for t in totals}

        lines = []
        for li in data["line_items"]:
            t = amounts(li["totals"])
            lines.append({"base_amount": t["items_base_amount"], "discount": t["items_discount"],
                          "subtotal": t["subtotal"], "tax": t["tax"], "total": t["total"],
                          "quantity": li["quantity"], "unit_amount": li["unit_amount"]})
        options = [{"id": o["id"], **{k: amounts(o["totals"])[k] for k in ("subtotal", "tax", "total")}}
                   for o in data["fulfillment_options"]]
        return check_invariants(lines, data["totals"], options, self.selected_option(data))


DRIVERS = {"2025-09-29": Driver20250929, "2026-04-17": Driver20260417}


def driver(base_url: str, version: str) -> Driver:
    return DRIVERS[version](base_url, version)


def total_of(session: dict[str, Any]) -> int:
    return next(t["amount"] for t in session["totals"] if t["type"] == "total")


def delegate_body(session_id: str, max_amount: int, number: str = APPROVE, *, merchant_id: str = MERCHANT_ID,
                  expires_in: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    return {
        "payment_method": {
            "type": "card", "card_number_type": "fpan", "number": number, "exp_month": "12", "exp_year": "2031",
            "name": "Jane Doe", "cvc": CVC, "display_card_funding_type": "credit", "display_last4": number[-4:],
            "metadata": {"issuer": "test"},
        },
        "allowance": {
            "reason": "one_time", "max_amount": max_amount, "currency": "usd", "checkout_session_id": session_id,
            "merchant_id": merchant_id, "expires_at": (datetime.now(UTC) + expires_in).isoformat(),
        },
        "billing_address": ADDRESS,
        "risk_signals": [{"type": "card_testing", "score": 3, "action": "authorized"}],
        "metadata": {"agent_order": "a-1"},
    }


def simulator(base_url: str, path: str, body: dict[str, Any], secret: str = SIM_SECRET) -> httpx.Response:
    return httpx.post(f"{base_url}{path}", json=body, headers={SIMULATOR_SECRET_HEADER: secret})


# --------------------------------------------------------------------------- webhook receiver


class Receiver:
    """The platform's order-events endpoint: records every delivery; can fail the first N."""

    def __init__(self, fail_first: int = 0, fail_status: int = 503) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.attempts = 0
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/agentic_checkout/webhooks/order_events", self._post, methods=["POST"])])

    async def _post(self, request: Request) -> JSONResponse:
        body = await request.body()
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return JSONResponse({"error": "down"}, status_code=self.fail_status)
            self.deliveries.append((dict(request.headers), body))
        return JSONResponse({"received": True})

    def unique_events(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """Deliveries deduplicated on the event id header, in arrival order."""
        seen, out = set(), []
        with self.lock:
            for headers, body in self.deliveries:
                if headers["event-id"] not in seen:
                    seen.add(headers["event-id"])
                    out.append((headers, json.loads(body)))
        return out


@contextmanager
def receiver(**options: Any) -> Iterator[tuple[Receiver, str]]:
    r = Receiver(**options)
    with serving.running(r.app) as server:
        yield r, f"{server.base_url}/agentic_checkout/webhooks/order_events"
