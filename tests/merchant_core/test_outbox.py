"""The webhook outbox against a real HTTP receiver on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import socket
import threading

import uvicorn

from acpforge.merchant.core import Outbox, RetryPolicy
from acpforge.merchant.core.outbox import no_jitter

from .support import issue_token, make_core, ready_session

FAST = RetryPolicy(base_delay=0.01, factor=2.0, max_delay=0.05, jitter=None, request_timeout=2.0)


def serialize(event) -> bytes:
    return json.dumps({
        "id": event.id, "type": event.type.value, "sequence": event.sequence,
        "order_id": event.order.id, "status": event.order.status.value,
    }).encode()


def sign(body: bytes) -> dict[str, str]:
    return {"Merchant-Signature": f"len={len(body)}"}


class Receiver:
    """Records every request; answers ``fail_status`` to the first ``fail_first`` ones (or per rule)."""

    def __init__(self, fail_first: int = 0, fail_status: int = 503, rule=None):
        self.calls: list[dict] = []
        self.fail_left = fail_first
        self.fail_status = fail_status
        self.rule = rule  # rule(body_dict, call_index) -> status or None

    async def __call__(self, scope, receive, send):
        assert scope["type"] == "http"
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        data = json.loads(body)
        status = 200
        if self.fail_left > 0:
            self.fail_left -= 1
            status = self.fail_status
        elif self.rule is not None:
            status = self.rule(data, len(self.calls)) or 200
        self.calls.append({"headers": headers, "body": body, "data": data, "status": status})
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"received": true}'})

    def delivered(self):
        return [c for c in self.calls if c["status"] == 200]


@contextlib.asynccontextmanager
async def serve(app):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # loopback only
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}/agentic_checkout/webhooks/order_events"
    finally:
        server.should_exit = True
        await task
        sock.close()


def run(coro_fn):
    @functools.wraps(coro_fn)
    def wrapper(*args, **kwargs):
        asyncio.run(asyncio.wait_for(coro_fn(*args, **kwargs), timeout=15))
    return wrapper


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/hook"


def produce_events(core):
    """Two orders, with updates interleaved: A created, B created, A confirmed, B refund, A shipped."""
    a = ready_session(core)
    a_order = core.checkout.complete(a.id, issue_token(core, a)).order
    b = ready_session(core, items=[("item_mug", 1)])
    b_order = core.checkout.complete(b.id, issue_token(core, b)).order
    core.orders.update_status(a_order.id, "confirmed")
    core.orders.refund(b_order.id, 100)
    core.orders.update_status(a_order.id, "shipped")
    return core.events.events()


def assert_per_order_ordering(deliveries):
    by_order: dict[str, list[int]] = {}
    for call in deliveries:
        by_order.setdefault(call["data"]["order_id"], []).append(call["data"]["sequence"])
    for sequences in by_order.values():
        assert sequences == sorted(sequences)
    firsts: dict[str, str] = {}
    for call in deliveries:
        firsts.setdefault(call["data"]["order_id"], call["data"]["type"])
    assert set(firsts.values()) == {"order_created"}


@run
async def test_every_event_arrives_despite_three_503s_deduped_and_ordered():
    core = make_core()
    receiver = Receiver(fail_first=3, fail_status=503)
    async with serve(receiver) as url:
        outbox = Outbox(serialize=serialize, sign=sign, url=url, policy=FAST)
        outbox.attach(core.events)
        events = produce_events(core)  # enqueued before the worker starts: kept
        assert len(outbox.pending()) == len(events) == 5
        async with outbox:
            assert await outbox.flush(timeout=5)
    ids = [e.id for e in events]
    assert len(receiver.calls) == len(events) + 3
    assert [c["status"] for c in receiver.calls[:3]] == [503] * 3
    delivered = receiver.delivered()
    # every event arrived exactly once with 200; dedupe by the header id gives the exact set
    assert sorted(c["headers"]["event-id"] for c in delivered) == sorted(ids)
    assert {c["headers"]["event-id"] for c in receiver.calls} == set(ids)
    for call in receiver.calls:
        assert call["headers"]["event-id"] == call["data"]["id"]  # id in header and body
        assert call["headers"]["merchant-signature"] == f"len={len(call['body'])}"
        assert call["headers"]["content-type"] == "application/json"
    # retries resend identical bytes
    bodies: dict[str, set[bytes]] = {}
    for call in receiver.calls:
        bodies.setdefault(call["data"]["id"], set()).add(call["body"])
    assert all(len(b) == 1 for b in bodies.values())
    assert_per_order_ordering(delivered)
    assert outbox.pending() == [] and outbox.dead_letters() == [] and outbox.delivered_count == 5
    assert sum(1 for a in outbox.attempts() if a.status == 503) == 3


@run
async def test_receiver_that_processes_then_fails_yields_duplicates_that_dedupe():
    core = make_core()
    seen_once: set[str] = set()

    def flaky(data, index):  # accepts the body, but answers 500 the first time it sees each id
        if data["id"] not in seen_once:
            seen_once.add(data["id"])
            return 500
        return None

    receiver = Receiver(rule=flaky)
    async with serve(receiver) as url:
        async with Outbox(serialize=serialize, url=url, policy=FAST) as outbox:
            outbox.attach(core.events)
            events = produce_events(core)
            assert await outbox.flush(timeout=5)
    assert len(receiver.calls) == 2 * len(events)
    deduped = {c["headers"]["event-id"]: c["data"] for c in receiver.calls}
    assert set(deduped) == {e.id for e in events}
    assert_per_order_ordering(receiver.delivered())


@run
async def test_failing_order_does_not_block_other_orders_nor_reorder_its_own():
    core = make_core()
    blocked_order = {}

    def rule(data, index):
        if data["order_id"] == blocked_order.get("id") and blocked_order["left"] > 0:
            blocked_order["left"] -= 1
            return 503
        return None

    receiver = Receiver(rule=rule)
    async with serve(receiver) as url:
        async with Outbox(serialize=serialize, url=url, policy=RetryPolicy(base_delay=0.05, factor=1.0, max_delay=0.05, jitter=None)) as outbox:
            outbox.attach(core.events)
            blocked_order.update(id="ord_000001", left=4)  # the first order's deliveries fail 4 times
            a = ready_session(core)
            a_order = core.checkout.complete(a.id, issue_token(core, a)).order
            assert a_order.id == "ord_000001"
            core.orders.update_status(a_order.id, "confirmed")
            b = ready_session(core, items=[("item_mug", 1)])
            b_order = core.checkout.complete(b.id, issue_token(core, b)).order
            assert await outbox.flush(timeout=5)
    delivered = receiver.delivered()
    order_seq = [(c["data"]["order_id"], c["data"]["type"]) for c in delivered]
    # B was delivered while A was still being retried
    assert order_seq.index((b_order.id, "order_created")) < order_seq.index((a_order.id, "order_created"))
    assert order_seq.index((a_order.id, "order_created")) < order_seq.index((a_order.id, "order_updated"))
    # A's update was never even attempted before its create succeeded
    first_a_create_ok = next(i for i, c in enumerate(receiver.calls)
                             if c["data"]["order_id"] == a_order.id and c["status"] == 200)
    assert all(c["data"]["type"] == "order_created" for c in receiver.calls[:first_a_create_ok]
               if c["data"]["order_id"] == a_order.id)


@run
async def test_url_configured_late_and_connection_errors_lose_nothing():
    core = make_core()
    receiver = Receiver()
    outbox = Outbox(serialize=serialize, policy=FAST)  # no URL yet
    outbox.attach(core.events)
    async with serve(receiver) as url, outbox:
        events = produce_events(core)
        await asyncio.sleep(0.05)
        assert len(outbox.pending()) == len(events)  # waiting for a URL
        outbox.set_url(closed_port_url())  # connection refused: retried
        await asyncio.sleep(0.15)
        assert len(outbox.pending()) == len(events)
        assert any(a.error and "Connect" in a.error for a in outbox.attempts())
        outbox.set_url(url)  # the certifier tells us where its receiver is
        assert outbox.url == url
        assert await outbox.flush(timeout=5)
    assert sorted(c["data"]["id"] for c in receiver.delivered()) == sorted(e.id for e in events)
    assert outbox.dead_letters() == []


@run
async def test_stop_keeps_pending_and_restart_delivers():
    core = make_core()
    receiver = Receiver()
    outbox = Outbox(serialize=serialize, url=closed_port_url(), policy=FAST)
    outbox.attach(core.events)
    await outbox.start()
    events = produce_events(core)
    await asyncio.sleep(0.05)
    await outbox.stop()
    assert len(outbox.pending()) == len(events)
    async with serve(receiver) as url:
        outbox.set_url(url)
        async with outbox:
            assert await outbox.flush(timeout=5)
    assert len(receiver.delivered()) == len(events)


@run
async def test_max_attempts_dead_letters_park_the_key_and_requeue_restores_order():
    core = make_core()
    healthy = {"on": False}
    receiver = Receiver(rule=lambda data, i: None if healthy["on"] else 503)
    async with serve(receiver) as url:
        policy = RetryPolicy(base_delay=0.01, factor=2, max_delay=0.02, jitter=None, max_attempts=2)
        async with Outbox(serialize=serialize, url=url, policy=policy) as outbox:
            outbox.attach(core.events)
            events = produce_events(core)
            assert await outbox.flush(timeout=5)  # nothing pending: all dead-lettered
            dead = outbox.dead_letters()
            assert sorted(d.event_id for d in dead) == sorted(e.id for e in events)
            assert all(d.attempts <= 2 for d in dead)
            assert any("gave up after 2 attempts" in d.dead_reason for d in dead)
            assert any("parked" in d.dead_reason for d in dead)
            # later events of a parked key go straight to the dead letters
            core.orders.update_status(events[0].order.id, "fulfilled")
            assert len(outbox.dead_letters()) == len(events) + 1
            healthy["on"] = True
            assert outbox.requeue_dead_letters() == len(events) + 1
            assert await outbox.flush(timeout=5)
    delivered = receiver.delivered()
    assert len(delivered) == len(events) + 1
    assert_per_order_ordering(delivered)


@run
async def test_client_errors_are_permanent_and_other_keys_continue():
    core = make_core()
    receiver = Receiver(rule=lambda data, i: 400 if data["order_id"] == "ord_000001" else None)
    async with serve(receiver) as url:
        async with Outbox(serialize=serialize, url=url, policy=FAST) as outbox:
            outbox.attach(core.events)
            events = produce_events(core)
            assert await outbox.flush(timeout=5)
    a_events = [e.id for e in events if e.order.id == "ord_000001"]
    assert sorted(d.event_id for d in outbox.dead_letters()) == sorted(a_events)
    assert {c["data"]["order_id"] for c in receiver.delivered()} == {"ord_000002"}
    # only the head was attempted: its later events were parked, not sent out of order
    assert sum(1 for c in receiver.calls if c["data"]["order_id"] == "ord_000001") == 1


@run
async def test_enqueue_from_another_thread_and_duplicate_enqueue():
    core = make_core()
    receiver = Receiver()
    async with serve(receiver) as url:
        async with Outbox(serialize=serialize, url=url, policy=FAST) as outbox:
            outbox.attach(core.events)
            thread = threading.Thread(target=produce_events, args=(core,))
            thread.start()
            while thread.is_alive():
                await asyncio.sleep(0.01)
            for event in core.events.events():
                outbox.enqueue(event)  # same ids again: ignored
            assert await outbox.flush(timeout=5)
    assert len(receiver.delivered()) == 5


@run
async def test_serializer_failure_is_dead_lettered_not_lost():
    core = make_core()
    receiver = Receiver()

    def picky(event):
        if event.order.id == "ord_000002":
            raise ValueError("cannot serialize")
        return serialize(event)

    async with serve(receiver) as url, Outbox(serialize=picky, url=url, policy=FAST) as outbox:
        outbox.attach(core.events)
        produce_events(core)
        assert await outbox.flush(timeout=5)
    assert [d.event.order.id for d in outbox.dead_letters()] == ["ord_000002", "ord_000002"]
    assert "serialize failed" in outbox.dead_letters()[0].dead_reason
    assert len(receiver.delivered()) == 3


def test_backoff_schedule():
    p = RetryPolicy(base_delay=1.0, factor=2.0, max_delay=5.0, jitter=None)
    assert [p.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert p.delay(1, retry_after=3.0) == 3.0 and p.delay(1, retry_after=99) == 5.0
    jittered = RetryPolicy(base_delay=1.0, factor=2.0, max_delay=5.0, jitter=lambda d: d / 2)
    assert jittered.delay(3) == 2.0
    from acpforge.merchant.core.outbox import equal_jitter
    assert all(2.0 <= equal_jitter(4.0) <= 4.0 for _ in range(100))
    assert no_jitter(3.0) == 3.0


@run
async def test_flush_times_out_when_nothing_can_be_delivered():
    outbox = Outbox(serialize=serialize, policy=FAST)  # no URL
    core = make_core()
    outbox.attach(core.events)
    async with outbox:
        produce_events(core)
        assert await outbox.flush(timeout=0.1) is False
    assert len(outbox.pending()) == 5
