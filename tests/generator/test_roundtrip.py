"""Generated clients against generated server stubs, over real HTTP (uvicorn on loopback).

The handler is trivial: it records what the stub handed it and answers with
the spec's own response examples, so what is checked is the generated code:
typed headers, exact bodies (null kept, unset left out), flat errors,
lenient response parsing, and sync/async parity.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime

import httpx
import pytest
import yaml
from fastapi.responses import JSONResponse

from acpforge import serving
from acpforge.generated.v2025_09_29 import agentic_checkout as checkout
from acpforge.runtime.client import ACPClientError, ResponseValidationWarning
from acpforge.runtime.errors import ACPError

from testsupport import SPECS


def _example(path: str, method: str, status: str, name: str) -> dict:
    spec = yaml.safe_load((SPECS / "2025-09-29" / "openapi.agentic_checkout.yaml").read_text())
    media = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    return media["examples"][name]["value"]


CREATED = _example("/checkout_sessions", "post", "201", "minimal")


class RecordingHandler:
    """Answers with spec examples and remembers every request it was given."""

    def __init__(self):
        self.seen: list = []
        self.raw_bodies: list[bytes] = []
        self.mode = "normal"

    async def create_checkout_session(self, request):
        self.seen.append(request)
        self.raw_bodies.append(await request.http.body())
        if self.mode == "unknown_status":
            return JSONResponse({**CREATED, "status": "a_status_from_the_future"}, status_code=201)
        return CREATED

    def get_checkout_session(self, request):  # a plain def works too
        self.seen.append(request)
        if request.checkout_session_id == "missing":
            raise ACPError(404, "invalid_request", "not_found", "no such session")
        return {**CREATED, "id": request.checkout_session_id}

    async def update_checkout_session(self, request):
        return CREATED

    async def complete_checkout_session(self, request):
        raise ACPError(400, "invalid_request", "invalid", "not payable", param="$.payment_data")

    async def cancel_checkout_session(self, request):
        return {**CREATED, "status": "canceled"}


@pytest.fixture(scope="module")
def server():
    handler = RecordingHandler()
    with serving.running(checkout.create_app(handler)) as running:
        yield running.base_url, handler


def test_sync_create_sends_exactly_what_was_set(server):
    base_url, handler = server
    with checkout.AgenticCheckoutClient(base_url, bearer_token="tok") as client:
        session = client.create_checkout_session({"items": [{"id": "item_1", "quantity": 2}], "buyer": None})
    assert isinstance(session, checkout.models.CheckoutSession)
    assert session.id == CREATED["id"]
    assert session.line_items[0].item.id == CREATED["line_items"][0]["item"]["id"]
    raw = json.loads(handler.raw_bodies[-1])
    assert raw == {"items": [{"id": "item_1", "quantity": 2}], "buyer": None}  # null kept, nothing added
    request = handler.seen[-1]
    assert request.api_version == "2025-09-29"
    assert uuid.UUID(request.idempotency_key).version == 4
    assert uuid.UUID(request.request_id)
    assert isinstance(request.timestamp, datetime) and request.timestamp.tzinfo is not None
    assert client.last_response.headers["Idempotency-Key"] == request.idempotency_key


def test_given_idempotency_key_and_typed_timestamp_are_sent(server):
    base_url, handler = server
    stamp = datetime.fromisoformat("2025-09-29T10:30:00+00:00")
    with checkout.AgenticCheckoutClient(base_url) as client:
        client.create_checkout_session({"items": [{"id": "a", "quantity": 1}]}, idempotency_key="key-1", timestamp=stamp)
    assert handler.seen[-1].idempotency_key == "key-1"
    assert handler.seen[-1].timestamp == stamp


def test_async_client_round_trip(server):
    base_url, handler = server

    async def go():
        async with checkout.AsyncAgenticCheckoutClient(base_url) as client:
            created = await client.create_checkout_session(
                checkout.models.CheckoutSessionCreateRequest(items=[{"id": "x", "quantity": 1}])
            )
            fetched = await client.get_checkout_session("cs_async")
            return created, fetched

    created, fetched = asyncio.run(go())
    assert created.id == CREATED["id"]
    assert fetched.id == "cs_async"
    assert json.loads(handler.raw_bodies[-1]) == {"items": [{"id": "x", "quantity": 1}]}


def test_error_is_a_typed_exception_with_parsed_body(server):
    base_url, _ = server
    with checkout.AgenticCheckoutClient(base_url) as client:
        with pytest.raises(ACPClientError) as caught:
            client.get_checkout_session("missing")
        assert caught.value.status == 404
        assert isinstance(caught.value.error, checkout.models.Error)
        assert caught.value.code == "not_found"
        with pytest.raises(ACPClientError) as caught:
            client.complete_checkout_session("cs_1", {"payment_data": {"token": "vt_1", "provider": "stripe"}})
        assert caught.value.error.param == "$.payment_data"


def test_unknown_enum_value_in_response_does_not_crash(server):
    base_url, handler = server
    handler.mode = "unknown_status"
    try:
        with checkout.AgenticCheckoutClient(base_url) as client:
            session = client.create_checkout_session({"items": [{"id": "a", "quantity": 1}]})
    finally:
        handler.mode = "normal"
    assert session.status == "a_status_from_the_future"
    assert isinstance(session, checkout.models.CheckoutSession)


def test_response_that_breaks_its_schema_is_returned_with_a_warning(server):
    base_url, handler = server
    original = handler.get_checkout_session
    handler.get_checkout_session = lambda request: JSONResponse({"id": "cs_x", "status": "ready_for_payment"})
    try:
        with checkout.AgenticCheckoutClient(base_url) as client, pytest.warns(ResponseValidationWarning):
            session = client.get_checkout_session("cs_x")
    finally:
        handler.get_checkout_session = original
    assert session.id == "cs_x"


@pytest.mark.parametrize(
    "body, code, param",
    [
        ({"items": [{"id": "a", "quantity": 0}]}, "invalid", "$.items[0].quantity"),
        ({"items": [{"id": "a"}]}, "missing", "$.items[0].quantity"),
        ({}, "missing", "$.items"),
        ({"items": [{"id": "a", "quantity": 1}], "surprise": 1}, "invalid", "$.surprise"),
    ],
)
def test_stub_rejects_invalid_bodies_with_flat_errors(server, body, code, param):
    base_url, _ = server
    response = httpx.post(f"{base_url}/checkout_sessions", json=body, headers={"API-Version": "2025-09-29"})
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "invalid_request" and error["code"] == code and error["param"] == param
    assert set(error) <= {"type", "code", "message", "param"}


@pytest.mark.parametrize(
    "headers, content, status, code",
    [
        ({}, b'{"items": []}', 400, "missing_api_version"),
        ({"API-Version": "1999-01-01"}, b'{"items": []}', 400, "unsupported_api_version"),
        ({"API-Version": "2025-09-29", "Timestamp": "yesterday"}, b'{"items": []}', 400, "invalid"),
        # pydantic's lax datetime would read a bare number as Unix seconds (found by acpforge fuzz)
        ({"API-Version": "2025-09-29", "Timestamp": "7"}, b'{"items": []}', 400, "invalid"),
        ({"API-Version": "2025-09-29", "Timestamp": "0"}, b'{"items": []}', 400, "invalid"),
        ({"API-Version": "2025-09-29"}, b'{"items": [', 400, "invalid_json"),
        ({"API-Version": "2025-09-29", "Content-Type": "text/plain"}, b"items", 415, "unsupported_media_type"),
    ],
)
def test_stub_rejects_bad_headers_and_payloads(server, headers, content, status, code):
    base_url, _ = server
    headers = {"Content-Type": "application/json", **headers}
    response = httpx.post(f"{base_url}/checkout_sessions", content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    if code.endswith("api_version"):
        assert response.json()["supported_versions"] == ["2025-09-29"]
