"""Webhook outbox: deliver every order event to the platform, losing nothing.

Why an outbox: a checkout must not fail because the platform's receiver is
down, and the platform must still learn about every order change, in order.
So events are queued in memory and a background asyncio task delivers them
with retries.

Contract
--------
* ``enqueue(event)`` never blocks, never raises for delivery reasons, and
  may be called from any thread.  The same event id enqueued twice is kept
  once.  Events are anything with ``id`` and ``ordering_key`` attributes
  (``events.OrderEvent``: the key is the order id).
* Per-key ordering: events with the same key are delivered strictly in
  enqueue order; the next one is not attempted before the previous one was
  delivered (an order's update never overtakes its create).  Different keys
  do not wait for each other.
* The body is ``serialize(event) -> bytes`` (injected: the JSON shape is per
  API-Version), computed once, so every retry sends identical bytes; the
  serializer is expected to put the event id in the body.  Headers are
  ``Content-Type: application/json``, ``<id_header>: <event id>`` (default
  ``Event-Id``) and whatever ``sign(body) -> dict`` returns, computed per
  attempt (so timestamped signatures stay fresh).  Receivers dedupe on the id.
* Retries: connection errors, timeouts, 5xx and 429 are retried with
  exponential backoff ``min(max_delay, base_delay * factor ** (n - 1))``
  after the n-th failure, passed through ``jitter`` (``None`` = exact).  A
  ``Retry-After`` in seconds raises the delay (still capped).  Other 3xx/4xx
  answers are permanent failures: the event goes to the dead-letter list at
  once, unless ``retry_client_errors`` is set.
* Nothing is dropped: with ``max_attempts=None`` (default) retries never
  stop; with a limit, an event that exhausts it goes to ``dead_letters()``.
  A dead-lettered event also parks the *later* events of its key (they join
  the dead letters, to keep the ordering promise); ``requeue_dead_letters()``
  puts everything back in order.
* No URL configured: events wait.  ``set_url`` may be called at any time
  (the certifier tells the merchant where its receiver is); it makes every
  waiting event due immediately.
* ``flush(timeout)`` waits until nothing is pending (dead letters excepted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import httpx

__all__ = [
    "DeliveryAttempt",
    "Outbox",
    "OutboxEntry",
    "OutboxEvent",
    "RetryPolicy",
    "equal_jitter",
    "no_jitter",
]

log = logging.getLogger(__name__)


class OutboxEvent(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def ordering_key(self) -> str: ...


def equal_jitter(delay: float) -> float:
    """Half fixed, half random: spreads retries without ever retrying at once."""
    return delay / 2 + random.uniform(0, delay / 2)


def no_jitter(delay: float) -> float:
    return delay


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 60.0
    jitter: Callable[[float], float] | None = equal_jitter
    max_attempts: int | None = None  # None = retry forever
    request_timeout: float = 10.0

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure."""
        raw = min(self.max_delay, self.base_delay * self.factor ** max(failures - 1, 0))
        delay = self.jitter(raw) if self.jitter else raw
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(max(delay, 0.0), self.max_delay)


@dataclass(slots=True)
class OutboxEntry:
    event: Any
    seq: int
    enqueued_at: float
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: float | None = None
    dead_reason: str | None = None
    body: bytes | None = field(default=None, repr=False)

    @property
    def event_id(self) -> str:
        return self.event.id

    @property
    def key(self) -> str:
        return self.event.ordering_key


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    event_id: str
    attempt: int
    url: str
    status: int | None
    error: str | None
    at: float


class Outbox:
    def __init__(
        self,
        *,
        serialize: Callable[[Any], bytes],
        sign: Callable[[bytes], Mapping[str, str]] = lambda body: {},
        url: str | None = None,
        policy: RetryPolicy = RetryPolicy(),
        client: httpx.AsyncClient | None = None,
        id_header: str = "Event-Id",
        headers: Mapping[str, str] | None = None,
        retry_client_errors: bool = False,
        history: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._serialize = serialize
        self._sign = sign
        self._url = url
        self.policy = policy
        self._client = client
        self._owns_client = client is None
        self._id_header = id_header
        self._headers = dict(headers or {})
        self._retry_client_errors = retry_client_errors
        self._now = monotonic

        self._lock = threading.Lock()
        self._queues: dict[str, deque[OutboxEntry]] = {}
        self._parked: set[str] = set()
        self._dead: list[OutboxEntry] = []
        self._delivered: deque[OutboxEntry] = deque(maxlen=history)
        self._attempts: deque[DeliveryAttempt] = deque(maxlen=history)
        self._seen: set[str] = set()
        self._seq = 0
        self.delivered_count = 0

        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ configuration

    @property
    def url(self) -> str | None:
        return self._url

    def set_url(self, url: str | None) -> None:
        """Point deliveries elsewhere; every waiting event becomes due now."""
        with self._lock:
            self._url = url
            now = self._now()
            for queue in self._queues.values():
                if queue:
                    queue[0].next_attempt_at = now
        self._signal()

    # ------------------------------------------------------------------ producer side

    def enqueue(self, event: Any) -> None:
        with self._lock:
            if event.id in self._seen:
                return
            self._seen.add(event.id)
            self._seq += 1
            entry = OutboxEntry(event, self._seq, self._now(), next_attempt_at=self._now())
            key = entry.key
            if key in self._parked:
                entry.dead_reason = "parked behind a dead-lettered event of the same key"
                self._dead.append(entry)
                return
            self._queues.setdefault(key, deque()).append(entry)
        self._signal()

    def attach(self, event_log: Any) -> Callable[[], None]:
        """Subscribe to an ``events.EventLog``; returns the unsubscribe function."""
        return event_log.subscribe(self.enqueue)

    # ------------------------------------------------------------------ inspection

    def pending(self) -> list[OutboxEntry]:
        with self._lock:
            return sorted((replace(e) for q in self._queues.values() for e in q), key=lambda e: e.seq)

    def delivered(self) -> list[OutboxEntry]:
        with self._lock:
            return [replace(e) for e in self._delivered]

    def dead_letters(self) -> list[OutboxEntry]:
        with self._lock:
            return [replace(e) for e in self._dead]

    def attempts(self) -> list[DeliveryAttempt]:
        with self._lock:
            return list(self._attempts)

    def requeue_dead_letters(self) -> int:
        """Put every dead letter back, in original order, with fresh attempt counts."""
        with self._lock:
            dead, self._dead = sorted(self._dead, key=lambda e: e.seq), []
            self._parked.clear()
            now = self._now()
            for entry in dead:
                entry.attempts, entry.dead_reason, entry.next_attempt_at = 0, None, now
                queue = self._queues.setdefault(entry.key, deque())
                queue.append(entry)
            for key, queue in self._queues.items():
                self._queues[key] = deque(sorted(queue, key=lambda e: e.seq))
        self._signal()
        return len(dead)

    # ------------------------------------------------------------------ worker

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
            self._owns_client = True
        self._task = asyncio.create_task(self._run(), name="acpforge-webhook-outbox")

    async def stop(self) -> None:
        """Stop delivering; undelivered events stay pending (nothing is lost)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
        self._loop = None
        self._wake = None

    async def flush(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is pending; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                idle = not any(self._queues.values())
            if idle:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> Outbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _signal(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def _next(self) -> tuple[OutboxEntry | None, float | None]:
        """The due head with the lowest seq, or the seconds until one is due."""
        with self._lock:
            if self._url is None:
                return None, None
            now = self._now()
            heads = [q[0] for q in self._queues.values() if q]
            if not heads:
                return None, None
            due = [h for h in heads if h.next_attempt_at <= now]
            if due:
                return min(due, key=lambda e: e.seq), None
            return None, max(min(h.next_attempt_at for h in heads) - now, 0.0)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            entry, wait = self._next()
            if entry is None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
                continue
            try:
                await self._attempt(entry)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not kill the worker
                log.exception("webhook outbox: unexpected error delivering %s", entry.event_id)
                self._failed(entry, None, "internal error", retryable=True)

    async def _attempt(self, entry: OutboxEntry) -> None:
        url = self._url
        if url is None:
            return
        if entry.body is None:
            try:
                body = self._serialize(entry.event)
                if not isinstance(body, (bytes, bytearray)):
                    raise TypeError(f"serialize returned {type(body).__name__}, not bytes")
                entry.body = bytes(body)
            except Exception as exc:
                self._dead_letter(entry, f"serialize failed: {exc!r}")
                return
        try:
            signed = dict(self._sign(entry.body))
        except Exception as exc:
            self._dead_letter(entry, f"sign failed: {exc!r}")
            return
        headers = {"Content-Type": "application/json", **self._headers, self._id_header: entry.event_id, **signed}
        entry.attempts += 1
        assert self._client is not None
        try:
            response = await self._client.post(
                url, content=entry.body, headers=headers, timeout=self.policy.request_timeout
            )
        except (httpx.TransportError, httpx.InvalidURL, OSError) as exc:
            self._record(entry, url, None, f"{type(exc).__name__}: {exc}")
            self._failed(entry, None, f"{type(exc).__name__}: {exc}", retryable=True)
            return
        status = response.status_code
        self._record(entry, url, status, None)
        if 200 <= status < 300:
            self._succeeded(entry, status)
        elif status == 429 or status >= 500:
            self._failed(entry, status, f"HTTP {status}", retryable=True, retry_after=_retry_after(response))
        else:
            self._failed(entry, status, f"HTTP {status}", retryable=self._retry_client_errors)

    def _record(self, entry: OutboxEntry, url: str, status: int | None, error: str | None) -> None:
        with self._lock:
            self._attempts.append(DeliveryAttempt(entry.event_id, entry.attempts, url, status, error, self._now()))

    def _succeeded(self, entry: OutboxEntry, status: int) -> None:
        with self._lock:
            queue = self._queues.get(entry.key)
            if queue and queue[0] is entry:
                queue.popleft()
                if not queue:
                    del self._queues[entry.key]
            entry.last_status, entry.last_error, entry.delivered_at = status, None, self._now()
            self._delivered.append(entry)
            self.delivered_count += 1

    def _failed(
        self, entry: OutboxEntry, status: int | None, error: str, *, retryable: bool, retry_after: float | None = None
    ) -> None:
        entry.last_status, entry.last_error = status, error
        if not retryable:
            self._dead_letter(entry, f"permanent failure: {error}")
            return
        limit = self.policy.max_attempts
        if limit is not None and entry.attempts >= limit:
            self._dead_letter(entry, f"gave up after {entry.attempts} attempts: {error}")
            return
        with self._lock:
            entry.next_attempt_at = self._now() + self.policy.delay(entry.attempts, retry_after)
        log.info("webhook %s attempt %d failed (%s); retrying", entry.event_id, entry.attempts, error)

    def _dead_letter(self, entry: OutboxEntry, reason: str) -> None:
        log.warning("webhook %s dead-lettered: %s", entry.event_id, reason)
        with self._lock:
            queue = self._queues.pop(entry.key, deque())
            entry.dead_reason = reason
            self._dead.append(entry)
            for later in queue:
                if later is not entry:
                    later.dead_reason = f"parked behind dead-lettered {entry.event_id}"
                    self._dead.append(later)
            self._parked.add(entry.key)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
