"""Idempotency through the full stack (items 5, 11): concurrency, replay, conflict."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from .appsupport import ADDRESS, API_KEY, VERSIONS, driver


async def _burst(base, version, body, key, n=50):
    headers = {"Authorization": f"Bearer {API_KEY}", "API-Version": version, "Idempotency-Key": key}
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=httpx.Limits(max_connections=n)) as client:
        return await asyncio.gather(*[client.post("/checkout_sessions", json=body, headers=headers) for _ in range(n)])


@pytest.mark.parametrize("version", VERSIONS)
def test_fifty_concurrent_identical_creates_make_one_session(shared_merchant, version):
    app, base = shared_merchant
    body = driver(base, version).create_body([("item_limited", 1)], ADDRESS)
    before = len(app.core.storage.sessions)
    responses = asyncio.run(_burst(base, version, body, f"burst-{version}"))
    assert len(app.core.storage.sessions) == before + 1
    statuses = {r.status_code for r in responses}
    assert statuses <= {201, 409}, statuses
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    for r in responses:
        assert r.headers["idempotency-key"] == f"burst-{version}"
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_in_flight" and "retry-after" in r.headers


@pytest.mark.parametrize("version, conflict", [("2025-09-29", 409), ("2026-04-17", 422)])
def test_replay_and_conflict_on_complete(shared_merchant, version, conflict):
    drv = driver(shared_merchant[1], version)
    session = drv.create([("item_mug", 1)], ADDRESS)
    body = drv.complete_body(drv.delegate(session))
    first = drv.client.complete_checkout_session(session["id"], body, idempotency_key=f"c-{session['id']}")
    again = drv.client.complete_checkout_session(session["id"], body, idempotency_key=f"c-{session['id']}")
    assert again.order.id == first.order.id
    assert drv.client.last_response.headers["idempotent-replayed"] == "true"
    other = dict(body, buyer={"first_name": "A", "last_name": "B", "email": "a@b.co"})
    response = httpx.post(f"{drv.base_url}/checkout_sessions/{session['id']}/complete", json=other, headers={
        "Authorization": f"Bearer {API_KEY}", "API-Version": version, "Idempotency-Key": f"c-{session['id']}"})
    assert response.status_code == conflict and response.json()["code"] == "idempotency_conflict"
