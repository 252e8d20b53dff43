"""Body limit (413), media type (415), and echo of Idempotency-Key / Request-Id."""

from __future__ import annotations

import asyncio

import pytest

from acpforge.merchant.http import BodyLimit


@pytest.fixture
def small(harness):
    return harness(max_body_bytes=1000)


def test_oversized_body_is_413(small):
    raw = b'{"pad":"' + b"x" * 2000 + b'"}'
    r = small.post("/checkout_sessions", raw=raw, key="big")
    assert r.status_code == 413
    body = small.error_of(r)
    assert body["code"] == "request_too_large" and "1000" in body["message"]
    assert small.calls["create"] == 0


def test_oversized_chunked_body_is_413(small):
    def chunks():
        yield b'{"pad":"'
        for _ in range(30):
            yield b"x" * 100
        yield b'"}'

    client = small.client()
    r = client.post(
        "/checkout_sessions",
        content=chunks(),
        headers=small.headers(key="chunked") | {"Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413
    assert small.error_of(r)["code"] == "request_too_large"
    assert small.calls["create"] == 0


def test_body_at_the_limit_passes(small):
    raw = b'{"pad":"' + b"x" * (1000 - 10) + b'"}'
    assert len(raw) == 1000
    r = small.post("/checkout_sessions", raw=raw, key="at-limit")
    assert r.status_code == 201
    assert r.json()["body"]["pad"] == "x" * 990


def test_chunked_body_under_the_limit_reaches_the_app(small):
    client = small.client()
    r = client.post(
        "/checkout_sessions",
        content=iter([b'{"a":', b" [1, 2", b"]}"]),
        headers=small.headers(key="chunked-ok") | {"Content-Type": "application/json"},
    )
    assert r.status_code == 201
    assert r.json()["body"] == {"a": [1, 2]}


def test_the_limit_stops_reading():
    """ASGI level: a chunked body is not read past the first chunk beyond the limit."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 100, "more_body": True}  # endless

    async def send(message):
        sent.append(message)

    async def never(scope, receive, send):
        raise AssertionError("the inner app must not run")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": [(b"transfer-encoding", b"chunked"), (b"content-type", b"application/json")],
    }
    asyncio.run(BodyLimit(never, max_body_bytes=450)(scope, receive, send))
    assert pulled == 5
    assert sent[0]["status"] == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_that_is_not_json_is_415(shared, content_type):
    before = shared.calls["create"]
    headers = {"Content-Type": content_type} if content_type else {}
    client = shared.client()
    r = client.post(
        "/checkout_sessions", content=b'{"a":1}', headers=shared.headers(key="ct") | headers
    )
    if content_type is None:
        assert "content-type" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 415
    body = shared.error_of(r)
    assert body["code"] == "unsupported_media_type"
    assert shared.calls["create"] == before


def test_json_suffix_media_types_are_json(shared):
    r = shared.post(
        "/checkout_sessions",
        raw=b'{"a":1}',
        key="ct-ok",
        headers={"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )
    assert r.status_code == 201


def test_post_without_body_passes_limits(shared):
    r = shared.post("/checkout_sessions/cs_1", key="nobody")
    assert r.status_code == 200 and r.json()["body"] is None


# --- echo --------------------------------------------------------------------------


def test_post_echoes_both_headers_even_on_middleware_errors(shared):
    ok = shared.post("/checkout_sessions", {"a": 1}, key="echo-1", headers={"Request-Id": "rq-1"})
    assert ok.headers["Idempotency-Key"] == "echo-1" and ok.headers["Request-Id"] == "rq-1"
    denied = shared.post(
        "/checkout_sessions", {"a": 1}, key="echo-2", token=None, headers={"Request-Id": "rq-2"}
    )
    assert denied.status_code == 401
    assert denied.headers["Idempotency-Key"] == "echo-2" and denied.headers["Request-Id"] == "rq-2"
    wrong_version = shared.post("/checkout_sessions", {"a": 1}, key="echo-3", version="1999-01-01")
    assert wrong_version.status_code == 400 and wrong_version.headers["Idempotency-Key"] == "echo-3"


def test_get_echoes_request_id_only(shared):
    r = shared.get(
        "/checkout_sessions/cs_1", headers={"Request-Id": "rq-get", "Idempotency-Key": "g"}
    )
    assert r.headers["Request-Id"] == "rq-get"
    assert "Idempotency-Key" not in r.headers


def test_an_echo_already_set_is_not_doubled(shared):
    r = shared.post("/self_echo", {"a": 1}, key="self-1")
    assert r.headers.get_list("Idempotency-Key") == ["self-1"]


def test_fault_idempotency_key_not_echoed(harness):
    h = harness(faults={"idempotency_key_not_echoed"})
    r = h.post("/checkout_sessions", {"a": 1}, key="gone-1", headers={"Request-Id": "rq-9"})
    assert r.status_code == 201
    assert "Idempotency-Key" not in r.headers
    assert r.headers["Request-Id"] == "rq-9"
    # also removed when the inner app (like the generated stubs) echoes it itself
    r = h.post("/self_echo", {"a": 1}, key="gone-2")
    assert r.status_code == 200 and "Idempotency-Key" not in r.headers
