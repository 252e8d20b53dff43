"""Idempotency over real HTTP: replay, equivalence, conflict, scoping, in-flight, 5xx, expiry."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from datetime import timedelta

import httpx
import pytest

from acpforge.versions import SUPPORTED

V1, V2 = SUPPORTED
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
OTHER_TOKEN = "sk_test_beta_9876543210"  # conftest.Harness.OTHER_TOKEN


def new_key() -> str:
    return f"idem-{uuid.uuid4()}"


# --- replay -----------------------------------------------------------------


@pytest.mark.parametrize("version", [V1, V2])
def test_replay_returns_the_stored_answer_and_never_reruns(shared, version):
    key = new_key()
    before = shared.calls["create"]
    first = shared.post(
        "/checkout_sessions",
        {"items": [{"id": "a", "quantity": 1}]},
        key=key,
        version=version,
        headers={"Request-Id": "req-1"},
    )
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = shared.post(
        "/checkout_sessions",
        {"items": [{"id": "a", "quantity": 1}]},
        key=key,
        version=version,
        headers={"Request-Id": "req-2"},
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.content == first.content
    # headers set by the inner app come back; correlation headers are the retry's own
    assert again.headers["X-Inner"] == first.headers["X-Inner"]
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Request-Id"] == "req-2"
    assert again.headers["Idempotency-Key"] == key
    assert again.headers.get_list("Idempotent-Replayed") == ["true"]
    assert shared.calls["create"] == before + 1


def test_a_stored_4xx_is_replayed_too(shared):
    key = new_key()
    before = shared.calls["rejects"]
    first = shared.post("/rejects", {"a": 1}, key=key)
    again = shared.post("/rejects", {"a": 1}, key=key)
    assert (first.status_code, again.status_code) == (400, 400)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert shared.calls["rejects"] == before + 1


def test_key_order_and_number_spelling_do_not_matter(shared):
    key = new_key()
    first = shared.post(
        "/checkout_sessions", raw=b'{"a": 1, "b": {"x": [1, 2.50], "y": "z"}}', key=key
    )
    again = shared.post("/checkout_sessions", raw=b'{"b":{"y":"z","x":[1.0,2.5]},"a":1.0}', key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]


def test_array_order_matters(shared):
    key = new_key()
    assert shared.post("/checkout_sessions", {"a": [1, 2]}, key=key).status_code == 201
    r = shared.post("/checkout_sessions", {"a": [2, 1]}, key=key)
    assert r.status_code == 409
    assert shared.error_of(r)["code"] == "idempotency_conflict"


def test_null_is_not_the_same_as_absent(shared):
    key = new_key()
    before = shared.calls["create"]
    assert shared.post("/checkout_sessions", {"a": 1, "note": None}, key=key).status_code == 201
    r = shared.post("/checkout_sessions", {"a": 1}, key=key)
    assert r.status_code == 409
    body = shared.error_of(r)
    assert body["code"] == "idempotency_conflict"
    assert body["type"] == "invalid_request"
    assert "Idempotent-Replayed" not in r.headers
    assert shared.calls["create"] == before + 1


# --- conflict status by version ----------------------------------------------


@pytest.mark.parametrize(("version", "status"), [(V1, 409), (V2, 422)])
def test_conflict_status_is_the_versions(shared, version, status):
    key = new_key()
    assert shared.post("/checkout_sessions", {"a": 1}, key=key, version=version).status_code == 201
    r = shared.post("/checkout_sessions", {"a": 2}, key=key, version=version)
    assert r.status_code == status
    assert shared.error_of(r)["code"] == "idempotency_conflict"


def test_same_key_in_another_version_is_a_conflict_not_a_replay(shared):
    key = new_key()
    first = shared.post("/checkout_sessions", {"a": 1}, key=key, version=V1)
    assert first.status_code == 201
    r = shared.post("/checkout_sessions", {"a": 1}, key=key, version=V2)
    assert r.status_code == 422
    body = shared.error_of(r)
    assert body["code"] == "idempotency_conflict" and V1 in body["message"]


# --- scoping --------------------------------------------------------------------


def test_same_key_on_two_paths_is_two_keys(shared):
    key = new_key()
    before = (shared.calls["create"], shared.calls["update"])
    a = shared.post("/checkout_sessions", {"a": 1}, key=key)
    b = shared.post("/checkout_sessions/cs_x", {"a": 1}, key=key)
    assert (a.status_code, b.status_code) == (201, 200)
    assert "Idempotent-Replayed" not in b.headers
    assert b.json()["id"] == "cs_x"
    assert (shared.calls["create"], shared.calls["update"]) == (before[0] + 1, before[1] + 1)


def test_same_key_by_two_identities_is_two_keys(shared):
    key = new_key()
    before = shared.calls["create"]
    a = shared.post("/checkout_sessions", {"a": 1}, key=key)
    b = shared.post("/checkout_sessions", {"a": 1}, key=key, token=OTHER_TOKEN)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert shared.calls["create"] == before + 2
    # and each identity now replays its own
    assert (
        shared.post("/checkout_sessions", {"a": 1}, key=key, token=OTHER_TOKEN).json() == b.json()
    )


# --- key rules --------------------------------------------------------------------


def test_key_required_in_2026_04_17(shared):
    before = shared.calls["create"]
    r = shared.post("/checkout_sessions", {"a": 1}, version=V2)
    assert r.status_code == 400
    body = shared.error_of(r)
    assert body["code"] == "idempotency_key_required"
    assert V2 in body["message"]
    assert shared.calls["create"] == before


def test_key_optional_in_2025_09_29(shared):
    before = shared.calls["create"]
    a = shared.post("/checkout_sessions", {"a": 1}, version=V1)
    b = shared.post("/checkout_sessions", {"a": 1}, version=V1)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]  # no key, no protection
    assert shared.calls["create"] == before + 2


def test_gets_need_no_key(shared):
    assert shared.get("/checkout_sessions/cs_1", version=V2).status_code == 200


@pytest.mark.parametrize("version", [V1, V2])
def test_keys_longer_than_255_are_invalid(shared, version):
    before = shared.calls["create"]
    r = shared.post("/checkout_sessions", {"a": 1}, key="k" * 256, version=version)
    assert r.status_code == 400
    body = shared.error_of(r)
    assert body["code"] == "invalid" and "255" in body["message"]
    assert shared.calls["create"] == before
    assert (
        shared.post(
            "/checkout_sessions", {"a": 1}, key="k" * 254 + version[-1], version=version
        ).status_code
        == 201
    )


# --- in flight ----------------------------------------------------------------------


@pytest.mark.parametrize(("version", "conflict"), [(V1, 409), (V2, 422)])
def test_in_flight_is_409_with_retry_after(harness, version, conflict):
    h = harness()
    key = new_key()
    result: dict[str, httpx.Response] = {}
    own = h.client()  # its own connection: the default client is used meanwhile

    def first():
        result["first"] = h.post("/slow", {"n": 1}, key=key, version=version, client=own)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert h.slow_started.wait(5), "the first request never reached the app"
        busy = h.post("/slow", {"n": 1}, key=key, version=version)
        assert busy.status_code == 409
        assert h.error_of(busy)["code"] == "idempotency_in_flight"
        assert busy.headers["Retry-After"] == "1"
        assert busy.headers["Idempotency-Key"] == key
        other_body = h.post("/slow", {"n": 2}, key=key, version=version)
        assert other_body.status_code == conflict
        assert h.error_of(other_body)["code"] == "idempotency_conflict"
    finally:
        h.gate.set()
        thread.join(10)
    assert result["first"].status_code == 201
    replay = h.post("/slow", {"n": 1}, key=key, version=version)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == result["first"].json()
    assert h.calls["slow"] == 1


def test_fifty_concurrent_identical_requests_run_once(harness):
    h = harness()
    key = new_key()
    payload = b'{"items":[{"id":"item_tshirt","quantity":2}]}'

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
        transport = httpx.AsyncHTTPTransport(limits=limits, socket_options=NODELAY)
        async with httpx.AsyncClient(
            base_url=h.base_url, transport=transport, timeout=20
        ) as client:
            headers = h.headers(version=V2, key=key) | {"Content-Type": "application/json"}
            return await asyncio.gather(
                *(client.post("/busy", content=payload, headers=headers) for _ in range(50))
            )

    responses = asyncio.run(burst())
    assert h.calls["busy"] == 1
    ok = [r for r in responses if r.status_code == 201]
    busy = [r for r in responses if r.status_code == 409]
    assert len(ok) + len(busy) == 50, sorted({r.status_code for r in responses})
    assert ok, "nobody got the created resource"
    assert len({r.json()["id"] for r in ok}) == 1
    assert (
        sum("Idempotent-Replayed" not in r.headers for r in ok) == 1
    )  # one original, the rest replays
    for r in busy:
        assert h.error_of(r)["code"] == "idempotency_in_flight"
        assert r.headers["Retry-After"] == "1"
    # once settled, everyone retrying gets the same answer, and nothing runs again
    after = h.post("/busy", raw=payload, key=key, version=V2)
    assert after.status_code == 201 and after.json()["id"] == ok[0].json()["id"]
    assert h.calls["busy"] == 1


# --- 5xx, expiry, the fault ------------------------------------------------------


def test_5xx_is_never_stored(shared):
    key = new_key()
    before = shared.calls["flaky"]
    assert before == 0, "this test needs a fresh /flaky counter"
    first = shared.post("/flaky", {"a": 1}, key=key)
    assert first.status_code == 500
    second = shared.post("/flaky", {"a": 1}, key=key)
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    third = shared.post("/flaky", {"a": 1}, key=key)
    assert third.status_code == 201 and third.headers["Idempotent-Replayed"] == "true"
    assert third.json() == second.json()
    assert shared.calls["flaky"] == 2


def test_keys_are_kept_24_hours_then_expire(harness):
    h = harness()
    key = new_key()
    first = h.post("/checkout_sessions", {"a": 1}, key=key)
    h.clock.advance(timedelta(hours=23, minutes=59))
    kept = h.post("/checkout_sessions", {"a": 1}, key=key)
    assert kept.headers.get("Idempotent-Replayed") == "true"
    assert kept.json()["id"] == first.json()["id"]
    h.clock.advance(timedelta(minutes=2))
    expired = h.post("/checkout_sessions", {"a": 2}, key=key)  # even another body: the key is new
    assert expired.status_code == 201
    assert "Idempotent-Replayed" not in expired.headers
    assert expired.json()["id"] != first.json()["id"]
    assert h.calls["create"] == 2


def test_fault_idempotency_off_runs_a_replay_twice(harness):
    h = harness(faults={"idempotency_off"})
    key = new_key()
    a = h.post("/checkout_sessions", {"a": 1}, key=key)
    b = h.post("/checkout_sessions", {"a": 1}, key=key)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert h.calls["create"] == 2
    # everything passes through: no key rule either
    assert h.post("/checkout_sessions", {"a": 1}, version=V2).status_code == 201


def test_version_free_posts_are_not_idempotency_managed(shared):
    key = new_key()
    a = shared.post("/simulator/tick", key=key, version=None)
    b = shared.post("/simulator/tick", key=key, version=None)
    assert a.json() != b.json()


def test_a_reservation_running_past_the_in_flight_timeout_is_abandoned(harness):
    h = harness()
    key = new_key()
    results: dict[str, httpx.Response] = {}
    clients = {"a": h.client(), "b": h.client()}

    def call(name: str) -> None:
        results[name] = h.post("/slow", {"n": 1}, key=key, client=clients[name])

    first = threading.Thread(target=call, args=("a",))
    first.start()
    assert h.slow_started.wait(5)
    assert h.post("/slow", {"n": 1}, key=key).status_code == 409  # still in flight
    h.clock.advance(timedelta(minutes=6))  # past the 5 minute lease: a crashed worker, say
    second = threading.Thread(target=call, args=("b",))
    second.start()
    try:
        for _ in range(500):
            if h.calls["slow"] == 2:
                break
            threading.Event().wait(0.01)
        assert h.calls["slow"] == 2, "the abandoned key was not taken over"
    finally:
        h.gate.set()
        first.join(10)
        second.join(10)
    assert results["a"].status_code == results["b"].status_code == 201
    replay = h.post("/slow", {"n": 1}, key=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == results["b"].json()  # the stale first run could not overwrite it
