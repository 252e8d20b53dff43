"""A real HTTP harness for the version-free middleware stack.

``harness(**build_stack_options)`` starts ``build_stack`` under uvicorn on a
free 127.0.0.1 port, in front of small FastAPI apps (one per API-Version, and
a fallback) that count every invocation, and returns a ``Harness`` with
httpx helpers.  Servers stop at the end of the test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
from collections import Counter
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from acpforge import serving
from acpforge.merchant.core.clock import ManualClock
from acpforge.merchant.http import build_stack, identity_of
from acpforge.runtime import server as server_runtime
from acpforge.versions import SUPPORTED

TOKEN = "sk_test_alpha_0123456789"
OTHER_TOKEN = "sk_test_beta_9876543210"
V1, V2 = SUPPORTED  # 2025-09-29, 2026-04-17
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


class Harness:
    TOKEN = TOKEN
    OTHER_TOKEN = OTHER_TOKEN

    def __init__(self, **options: Any) -> None:
        self.calls: Counter[str] = Counter()  # side effects, by endpoint
        self.lifespan: list[str] = []
        self.clock = ManualClock()
        self.gate = threading.Event()  # /slow waits for it
        self.slow_started = threading.Event()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        options.setdefault("api_keys", [TOKEN, OTHER_TOKEN])
        options.setdefault("clock", self.clock)
        apps = {v: self._version_app(v) for v in SUPPORTED}
        self.app = build_stack(apps, self._fallback_app(), **options)
        self.server: serving.RunningServer | None = None
        self.clients: list[httpx.Client] = []

    # --- the inner apps -------------------------------------------------

    def _effect(self, name: str) -> int:
        with self._lock:
            self.calls[name] += 1
            return next(self._ids)

    def _lifespan(self, name: str):
        @asynccontextmanager
        async def lifespan(app):
            self.lifespan.append(f"start:{name}")
            yield
            self.lifespan.append(f"stop:{name}")

        return lifespan

    def _version_app(self, version: str) -> FastAPI:
        app = FastAPI(lifespan=self._lifespan(version))

        async def body_of(request: Request) -> Any:
            raw = await request.body()
            return json.loads(raw) if raw else None

        @app.post("/checkout_sessions")
        async def create(request: Request):
            n = self._effect("create")
            response = JSONResponse(
                {"id": f"cs_{n:04d}", "version": version, "body": await body_of(request)},
                status_code=201,
                headers={"X-Inner": f"made-{n}", "Location": f"/checkout_sessions/cs_{n:04d}"},
            )
            server_runtime.echo(request, response)  # as the generated stubs do
            return response

        @app.post("/checkout_sessions/{session_id}")
        async def update(session_id: str, request: Request):
            n = self._effect("update")
            return {"id": session_id, "update": n, "body": await body_of(request)}

        @app.get("/checkout_sessions/{session_id}")
        async def read(session_id: str):
            self._effect("read")
            return {"id": session_id, "version": version}

        @app.post("/slow")
        async def slow(request: Request):
            n = self._effect("slow")
            self.slow_started.set()
            while not self.gate.is_set():
                await asyncio.sleep(0.005)
            return JSONResponse({"slow": n}, status_code=201)

        @app.post("/busy")
        async def busy(request: Request):  # long enough for 50 requests to overlap
            n = self._effect("busy")
            await asyncio.sleep(0.3)
            return JSONResponse({"id": f"cs_{n:04d}"}, status_code=201)

        @app.post("/flaky")
        async def flaky(request: Request):
            n = self._effect("flaky")
            if self.calls["flaky"] == 1:
                return JSONResponse(
                    {"type": "processing_error", "code": "boom", "message": "x"}, 500
                )
            return JSONResponse({"flaky": n}, status_code=201)

        @app.post("/rejects")
        async def rejects(request: Request):
            self._effect("rejects")
            return JSONResponse(
                {"type": "invalid_request", "code": "invalid", "message": "no"}, 400
            )

        @app.post("/self_echo")
        async def self_echo(request: Request):  # like the generated stubs, echoes by itself
            self._effect("self_echo")
            return JSONResponse(
                {"ok": True},
                headers={"Idempotency-Key": request.headers.get("idempotency-key", "")},
            )

        @app.post("/agentic_commerce/delegate_payment")
        async def delegate(request: Request):
            n = self._effect("delegate")
            return JSONResponse({"id": f"vt_{n:04d}", "body": await body_of(request)}, 201)

        @app.get("/whoami")
        async def whoami(request: Request):
            return {"identity": identity_of(request.scope), "version": version}

        return app

    def _fallback_app(self) -> FastAPI:
        app = FastAPI(lifespan=self._lifespan("fallback"))

        @app.get("/legal/terms")
        async def terms():
            self._effect("legal")
            return PlainTextResponse("These are the terms.")

        @app.get("/healthz")
        async def healthz():
            return {"ok": True}

        @app.post("/simulator/tick")
        async def tick():
            n = self._effect("tick")
            return {"tick": n}

        return app

    # --- HTTP -------------------------------------------------------------

    def start(self) -> Harness:
        self.server = serving.start(self.app)
        self.client()  # the default client
        return self

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return self.server.base_url

    def client(self, local_address: str | None = None) -> httpx.Client:
        """A client; ``local_address`` binds its source address (loopback only: 127.0.0.x)."""
        # TCP_NODELAY: without it a POST's body segment waits for the delayed ACK (~40 ms).
        transport = httpx.HTTPTransport(local_address=local_address, socket_options=NODELAY)
        client = httpx.Client(base_url=self.base_url, transport=transport, timeout=10)
        self.clients.append(client)
        return client

    def headers(
        self,
        version: str | None = V1,
        token: str | None = TOKEN,
        key: str | None = None,
        **extra: str,
    ) -> dict[str, str]:
        headers = {}
        if version is not None:
            headers["API-Version"] = version
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        headers.update({k.replace("_", "-"): v for k, v in extra.items()})
        return headers

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        client: httpx.Client | None = None,
        headers: dict[str, str] | None = None,
        **header_options: Any,
    ) -> httpx.Response:
        all_headers = self.headers(**header_options)
        content = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if content is not None:
            all_headers.setdefault("Content-Type", "application/json")
        all_headers.update(headers or {})
        client = client or self._default_client()
        return client.post(path, content=content, headers=all_headers)

    def get(self, path: str, *, client: httpx.Client | None = None, headers=None, **options):
        all_headers = self.headers(**options)
        all_headers.update(headers or {})
        return (client or self._default_client()).get(path, headers=all_headers)

    def _default_client(self) -> httpx.Client:
        return self.clients[0]  # made by start()

    @staticmethod
    def error_of(response: httpx.Response) -> dict[str, Any]:
        """The flat error body; fails unless it is one (and nothing is wrapped)."""
        body = response.json()
        assert isinstance(body, dict) and {"type", "code", "message"} <= body.keys(), body
        assert all(not isinstance(v, dict) for v in body.values()), body
        return body

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def harness():
    """``harness(**build_stack_options)`` -> a started ``Harness`` (stopped after the test)."""
    started: list[Harness] = []

    def make(**options: Any) -> Harness:
        h = Harness(**options).start()
        started.append(h)
        return h

    yield make
    for h in started:
        h.stop()


@pytest.fixture(scope="module")
def shared():
    """One default-configured server for the tests that do not change the stack."""
    h = Harness().start()
    yield h
    h.stop()
