"""The reference merchant as one ASGI app serving every supported API-Version.

``build_app(ServeConfig(...))`` wires, once:

* one version-free core (``build_merchant``) shared by every version, so a
  session, token or order is the same object whichever adapter touches it;
* per API-Version, a FastAPI app from that version's generated stubs
  (checkout router + delegate-payment router) over its adapter;
* a fallback app for the version-free paths: ``/legal/<page>`` (HTML),
  ``/orders/<id>`` (the order permalink, HTML), ``/healthz``, and the
  simulator (``/simulator/...``, guarded by the ``Simulator-Secret`` header
  instead of a bearer token) that ships, fulfils, cancels and refunds orders
  and tells the merchant where webhooks go;
* one webhook outbox per version: an order's events are serialized and
  signed in the format of the version its session was opened with; the
  outboxes start and stop with the ASGI lifespan;
* ``acpforge.merchant.http.build_stack`` in front (auth, API-Version routing,
  idempotency, limits, echo, allowlist, signatures);
* redaction of card data, tokens and secrets on every logger it touches.
"""

from __future__ import annotations

import hmac
import html
import importlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from acpforge.merchant import faults_http
from acpforge.merchant.adapters import ADAPTERS
from acpforge.merchant.adapters.common import (
    MerchantRuntime,
    domain_error,
    install_closed_error_codes,
)
from acpforge.merchant.core import (
    LEGAL_PAGES,
    DomainError,
    Faults,
    MerchantConfig,
    MerchantCore,
    Order,
    OrderEvent,
    Outbox,
    RetryPolicy,
    build_merchant,
)
from acpforge.merchant.http import DELEGATE_PAYMENT_PATH, SignatureConfig, build_stack
from acpforge.merchant.http.auth import DEFAULT_AUTH_EXEMPT
from acpforge.merchant.http.version_router import DEFAULT_VERSION_FREE
from acpforge.runtime.errors import ACPError
from acpforge.versions import SUPPORTED
from acpforge.wire.redact import install_redaction

__all__ = ["SIMULATOR_SECRET_HEADER", "MerchantApp", "ServeConfig", "build_app"]

log = logging.getLogger("acpforge.merchant")

SIMULATOR_SECRET_HEADER = "Simulator-Secret"
_LOGGERS = ("", "acpforge", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")


@dataclass
class ServeConfig:
    """Everything ``acpforge serve`` can set; tests build it directly.

    Secrets left empty are generated (``secrets.token_urlsafe``); read them
    back from the built app (``MerchantApp.config``) when a test needs them.
    """

    base_url: str = "http://127.0.0.1:8000"
    api_keys: Sequence[str] = ()
    webhook_url: str | None = None
    webhook_secret: str = ""
    simulator_secret: str = ""
    faults: Sequence[str] = ()
    allowlist: str | Path | None = None
    signature: SignatureConfig | None = None
    completion_status: int = 200
    merchant_id: str = "acpforge_reference_merchant"
    versions: Sequence[str] = SUPPORTED
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    max_body_bytes: int = 1_000_000
    stock: Mapping[str, int | None] | None = None
    clock: Any = None
    ids: Any = None

    def __post_init__(self) -> None:
        self.api_keys = tuple(self.api_keys) or (secrets.token_urlsafe(24),)
        self.webhook_secret = self.webhook_secret or secrets.token_urlsafe(32)
        self.simulator_secret = self.simulator_secret or secrets.token_urlsafe(24)
        self.base_url = self.base_url.rstrip("/")
        unknown = [v for v in self.versions if v not in ADAPTERS]
        if unknown or not self.versions:
            raise ValueError(f"cannot serve API-Version(s) {unknown or '(none)'}; known: {', '.join(ADAPTERS)}")


class MerchantApp:
    """The ASGI app, with handles on its parts for tests and the CLI."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.faults = Faults(config.faults)
        install_redaction(_LOGGERS)
        self.core: MerchantCore = build_merchant(
            MerchantConfig(base_url=config.base_url, merchant_id=config.merchant_id),
            clock=config.clock,
            ids=config.ids,
            faults=self.faults,
            stock=config.stock,
        )
        self.runtime = MerchantRuntime(self.core, self.faults, completion_status=config.completion_status)
        self.outboxes = {version: self._outbox(version) for version in config.versions}
        self.core.events.subscribe(self._route_event)
        version_apps = {version: self._version_app(version) for version in config.versions}
        self.asgi = build_stack(
            version_apps,
            self._fallback_app(),
            api_keys=config.api_keys,
            allowlist=config.allowlist,
            signature=config.signature,
            max_body_bytes=config.max_body_bytes,
            faults=self.faults,
            clock=config.clock,
            auth_exempt=(*DEFAULT_AUTH_EXEMPT, "/simulator/", "/orders/"),
            version_free=(*DEFAULT_VERSION_FREE, "/orders/"),
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self.config.versions)

    # -- webhooks -----------------------------------------------------------------

    def _outbox(self, version: str) -> Outbox:
        adapter = ADAPTERS[version]
        secret = self.config.webhook_secret
        if self.faults.active(faults_http.WEBHOOK_WRONG_SECRET):
            secret = "wrong-" + secret[::-1]
        return Outbox(
            serialize=adapter.serialize_event,
            sign=adapter.signer(secret),
            url=self.config.webhook_url,
            policy=self.config.retry_policy,
        )

    def _route_event(self, event: OrderEvent) -> None:
        version = self.runtime.registry.version(event.order.checkout_session_id)
        outbox = self.outboxes.get(version) or self.outboxes[self.versions[-1]]
        outbox.enqueue(event)

    def set_webhook_url(self, url: str | None) -> None:
        for outbox in self.outboxes.values():
            outbox.set_url(url)

    async def flush_webhooks(self, timeout: float = 5.0) -> bool:
        results = [await outbox.flush(timeout) for outbox in self.outboxes.values()]
        return all(results)

    # -- apps ---------------------------------------------------------------------

    def _version_app(self, version: str) -> FastAPI:
        adapter = ADAPTERS[version]
        package = "acpforge.generated.v" + version.replace("-", "_")
        checkout = importlib.import_module(f"{package}.agentic_checkout.server")
        delegate = importlib.import_module(f"{package}.delegate_payment.server")
        dp_models = importlib.import_module(f"{package}.delegate_payment.models")
        app = checkout.create_app(
            adapter.CheckoutAdapter(self.runtime), openapi_url=None, docs_url=None, redoc_url=None
        )
        app.include_router(delegate.create_router(adapter.delegate_payment_adapter(self.runtime)))
        codes = {c.value for c in dp_models.ErrorCode}
        install_closed_error_codes(
            app, DELEGATE_PAYMENT_PATH, codes, "invalid_request" if "invalid_request" in codes else "invalid_card"
        )
        return app

    def _fallback_app(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(app: Starlette):
            for outbox in self.outboxes.values():
                await outbox.start()
            try:
                yield
            finally:
                for outbox in self.outboxes.values():
                    await outbox.stop()

        routes = [
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/legal/{page:path}", self._legal, methods=["GET"]),
            Route("/orders/{order_id}", self._order_page, methods=["GET"]),
            Route("/simulator/orders/{order_id}/status", self._sim_status, methods=["POST"]),
            Route("/simulator/orders/{order_id}/refunds", self._sim_refund, methods=["POST"]),
            Route("/simulator/webhook-url", self._sim_webhook_url, methods=["POST"]),
            Route("/simulator/outbox", self._sim_outbox, methods=["GET"]),
        ]
        app = Starlette(routes=routes, lifespan=lifespan)
        app.add_exception_handler(404, _not_found)
        app.add_exception_handler(405, _not_allowed)
        return app

    # -- version-free pages ---------------------------------------------------------

    async def _healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "versions": list(self.versions)})

    async def _legal(self, request: Request) -> Response:
        path = "/legal/" + request.path_params["page"]
        for page in LEGAL_PAGES.values():
            if page.path == path:
                return HTMLResponse(_html_page(page.title, f"<p>{html.escape(page.text)}</p>"))
        return _error(ACPError(404, "invalid_request", "not_found", "no such legal page"))

    async def _order_page(self, request: Request) -> Response:
        try:
            order = self.core.orders.get(request.path_params["order_id"])
        except DomainError as error:
            return _error(domain_error(error))
        body = (
            f"<p>Order <code>{html.escape(order.id)}</code>: {html.escape(order.status.value)}.</p>"
            f"<p>Total: {order.totals.total / 100:.2f} {html.escape(order.currency.upper())}; "
            f"refunded: {order.amount_refunded / 100:.2f}.</p>"
        )
        return HTMLResponse(_html_page("Your order", body))

    # -- simulator ------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        given = request.headers.get(SIMULATOR_SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.config.simulator_secret.encode())

    async def _sim_json(self, request: Request) -> dict[str, Any]:
        if not self._authorized(request):
            raise ACPError(401, "unauthorized", "unauthorized", f"a valid {SIMULATOR_SECRET_HEADER} header is required")
        try:
            data = await request.json()
        except ValueError:
            raise ACPError(400, "invalid_request", "invalid_json", "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ACPError(400, "invalid_request", "invalid", "the body must be a JSON object", param="$")
        return data

    async def _simulate(self, request: Request, action: Any, status: int = 200) -> Response:
        try:
            data = await self._sim_json(request)
            order = action(data)
        except ACPError as error:
            return _error(error)
        except DomainError as error:
            return _error(domain_error(error))
        return JSONResponse(_order_summary(order), status_code=status)

    async def _sim_status(self, request: Request) -> Response:
        order_id = request.path_params["order_id"]

        def act(data: dict[str, Any]) -> Order:
            if not isinstance(data.get("status"), str):
                raise ACPError(400, "invalid_request", "missing", "status is required", param="$.status")
            return self.core.orders.update_status(order_id, data["status"])

        return await self._simulate(request, act)

    async def _sim_refund(self, request: Request) -> Response:
        order_id = request.path_params["order_id"]

        def act(data: dict[str, Any]) -> Order:
            reason = data.get("reason", "")
            if not isinstance(reason, str):
                raise ACPError(400, "invalid_request", "invalid", "reason must be a string", param="$.reason")
            return self.core.orders.refund(
                order_id, data.get("amount"), reason, data.get("type", "original_payment")
            )

        return await self._simulate(request, act, 201)

    async def _sim_webhook_url(self, request: Request) -> Response:
        try:
            data = await self._sim_json(request)
        except ACPError as error:
            return _error(error)
        url = data.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            return _error(ACPError(400, "invalid_request", "invalid", "url must be an http(s) URL or null", param="$.url"))
        self.set_webhook_url(url)
        return JSONResponse({"url": url})

    async def _sim_outbox(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(ACPError(401, "unauthorized", "unauthorized", f"a valid {SIMULATOR_SECRET_HEADER} header is required"))
        return JSONResponse({
            version: {
                "url": outbox.url,
                "pending": len(outbox.pending()),
                "delivered": outbox.delivered_count,
                "dead_letters": len(outbox.dead_letters()),
            }
            for version, outbox in self.outboxes.items()
        })


def build_app(config: ServeConfig) -> MerchantApp:
    """The complete reference merchant (an ASGI callable; see the module docstring)."""
    return MerchantApp(config)


# --------------------------------------------------------------------------- helpers


def _error(error: ACPError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(ACPError(404, "invalid_request", "not_found", f"no route for {request.url.path}"))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(ACPError(405, "invalid_request", "method_not_allowed", f"{request.method} is not allowed here"))


def _order_summary(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "checkout_session_id": order.checkout_session_id,
        "status": order.status.value,
        "total": order.totals.total,
        "amount_refunded": order.amount_refunded,
        "refund_state": order.refund_state,
        "refunds": [{"id": r.id, "type": r.type.value, "amount": r.amount} for r in order.refunds],
    }


def _html_page(title: str, body: str) -> str:
    t = html.escape(title)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{t}</title></head><body><h1>{t}</h1>{body}"
        "<p><small>acpforge reference merchant: a test merchant, no real goods or payments.</small></p>"
        "</body></html>"
    )
