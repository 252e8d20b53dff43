"""Idempotent POSTs: replay, conflict, in-flight, no caching of 5xx.

One ``Idempotency`` middleware wraps each API-Version's app (inside the
version router), configured by that version's ``VersionProfile``:

* A key is scoped to the caller's identity (``BearerAuth``), the request path
  and the key itself: the same key on two paths, or from two identities, is
  two keys.  Keys are 1 to 255 characters (``profile.idempotency_key_max_length``);
  anything else is 400 ``invalid``.
* POST without a key: 400 ``idempotency_key_required`` when the version
  requires one (2026-04-17), otherwise the request runs unprotected.
* The body fingerprint is SHA-256 over its RFC 8785 canonical form
  (``acpforge.wire.canonical.fingerprint``): key order and ``1.0`` vs ``1`` do
  not matter, array order does, ``null`` differs from absent.  A body that is
  not strict I-JSON (malformed, duplicate keys, unsafe integers) is
  fingerprinted over its raw bytes, so only a byte-identical retry matches.
  An empty body has its own fingerprint.  ``BodyFingerprint`` is lazy: a
  SHA-256 of the raw bytes is taken on every request, and the canonical
  fingerprint is computed only when a retry's bytes differ from the first
  request's (the pure-Python RFC 8785 serializer costs more than the rest of
  the stack together; a new key or a byte-identical retry never needs it).
* Same key, same fingerprint, finished: the stored status, headers and body
  are replayed with ``Idempotent-Replayed: true``; the inner app does not run.
  ``Request-Id``/``Idempotency-Key`` are not stored: the outer ``EchoHeaders``
  echoes the retry's own.
* Same key, different fingerprint (or another API-Version):
  ``idempotency_conflict`` at ``profile.idempotency_conflict_status`` (409 in
  2025-09-29, 422 in 2026-04-17) -- also while the first request is still
  running, because that retry can never succeed.
* Same key and fingerprint while the first request runs:
  ``profile.in_flight_status`` (409) ``idempotency_in_flight`` with
  ``Retry-After: 1``.
* Error ``type`` is ``invalid_request`` throughout (2026-04-17's rule for
  idempotency errors): ``request_not_idempotent`` is not in the 2026-04-17 or
  the delegate-payment ``Error.type`` enums.
* A 5xx, an exception or an unfinished response is never stored: the key is
  released and a retry runs again.  The outcome is recorded *before* the last
  body chunk is forwarded, so a client that retries the moment it has the
  response never sees a stale "in flight".
* Records are kept ``ttl`` (>= 24 h) after they finish, measured on the
  injectable clock; an expired key is new.  A reservation whose request has
  been running for longer than ``in_flight_timeout`` is considered abandoned
  (a crashed worker, with a durable store) and the key is new again.

Storage is behind ``IdempotencyStore`` (three async calls); ``MemoryIdempotencyStore``
keeps everything in a dict under a lock with no ``await`` inside the critical
sections, so each call is atomic under asyncio and across threads.

Fault ``idempotency_off`` (test-only): the middleware passes everything
through, so a replay runs the inner app again and the certifier must notice.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple, Protocol

from acpforge.merchant.core.faults import NO_FAULTS, REGISTRY, Faults
from acpforge.versions import VersionProfile
from acpforge.wire.canonical import fingerprint

from .common import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    header,
    identity_of,
    now_function,
    read_body,
)
from .errors import acp_error, send_error

__all__ = [
    "FAULT_IDEMPOTENCY_OFF",
    "BodyFingerprint",
    "Idempotency",
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "Outcome",
    "ScopeKey",
    "StoredResponse",
    "body_fingerprint",
]

FAULT_IDEMPOTENCY_OFF = "idempotency_off"
REGISTRY.register(
    FAULT_IDEMPOTENCY_OFF,
    "the idempotency middleware passes everything through: a retried POST runs twice",
    "middleware",
)

DEFAULT_TTL = timedelta(hours=24)
DEFAULT_IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
REPLAYED_HEADER = (b"idempotent-replayed", b"true")
# Not stored: per-request correlation (echoed afresh) and what the server adds itself.
_NOT_STORED = frozenset(
    {b"request-id", b"idempotency-key", b"date", b"server", b"idempotent-replayed"}
)


class ScopeKey(NamedTuple):
    identity: str
    path: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``IdempotencyStore.begin`` decided.

    ``new``: the caller holds the reservation ``token`` and must ``finish``
    or ``release`` it.  ``replay``: ``response`` is the stored answer.
    ``conflict``: the key was used with another body (``first_version`` is
    the API-Version of the first use).  ``in_flight``: the first request
    still runs.
    """

    kind: Literal["new", "replay", "conflict", "in_flight"]
    token: int = 0
    response: StoredResponse | None = None
    first_version: str = ""


class BodyFingerprint:
    """The identity of a request body for idempotency: raw hash first, RFC 8785 on demand.

    ``matches`` is semantic JSON equality of the two bodies (see the module
    docstring).  Bodies up to ``keep_bytes`` are kept until their canonical
    fingerprint is needed; larger ones are canonicalized at once.  A durable
    store persists ``canonical()`` (and may keep ``raw`` as a fast path).
    """

    __slots__ = ("_body", "_canonical", "raw")

    def __init__(self, body: bytes, *, keep_bytes: int = 64 * 1024) -> None:
        self.raw = hashlib.sha256(body).hexdigest()
        self._body: bytes | None = body
        self._canonical: str | None = None
        if len(body) > keep_bytes:
            self.canonical()

    def canonical(self) -> str:
        if self._canonical is None:
            assert self._body is not None
            self._canonical = body_fingerprint(self._body)
            self._body = None
        return self._canonical

    def matches(self, other: BodyFingerprint) -> bool:
        return self.raw == other.raw or self.canonical() == other.canonical()

    def __repr__(self) -> str:
        return f"BodyFingerprint(raw={self.raw[:12]}..., canonical={self._canonical!r})"


class IdempotencyStore(Protocol):
    async def begin(
        self,
        key: ScopeKey,
        fingerprint: BodyFingerprint,
        version: str,
        now: datetime,
        in_flight_timeout: timedelta,
    ) -> Outcome: ...

    async def finish(
        self, key: ScopeKey, token: int, response: StoredResponse, expires_at: datetime
    ) -> None: ...

    async def release(self, key: ScopeKey, token: int) -> None: ...


@dataclass(slots=True)
class _Entry:
    fingerprint: BodyFingerprint
    version: str
    token: int
    started: datetime
    response: StoredResponse | None = None
    expires_at: datetime | None = None  # set when finished


class MemoryIdempotencyStore:
    """In-memory ``IdempotencyStore``.

    Finished entries are also queued in finishing order; every ``begin``
    drops the expired head of that queue, so expiry costs O(1) amortized
    instead of a scan of every key (with a constant TTL the queue is in
    expiry order; if it is not, e.g. a test clock set backwards, an entry is
    dropped late, and ``begin`` still treats it as expired on its own).
    """

    def __init__(self) -> None:
        self._entries: dict[ScopeKey, _Entry] = {}
        self._expiry: deque[tuple[datetime, ScopeKey, int]] = deque()
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MemoryIdempotencyStore({len(self._entries)} keys)"

    async def begin(
        self,
        key: ScopeKey,
        fingerprint: BodyFingerprint,
        version: str,
        now: datetime,
        in_flight_timeout: timedelta,
    ) -> Outcome:
        with self._lock:
            self._drop_expired(now)
            entry = self._entries.get(key)
            if entry is not None:
                if entry.response is None:
                    stale = now - entry.started > in_flight_timeout
                else:
                    stale = entry.expires_at is not None and now >= entry.expires_at
                if stale:
                    entry = None
            if entry is None:
                token = next(self._tokens)
                self._entries[key] = _Entry(fingerprint, version, token, now)
                return Outcome("new", token=token)
            if entry.version != version or not entry.fingerprint.matches(fingerprint):
                return Outcome("conflict", first_version=entry.version)
            if entry.response is None:
                return Outcome("in_flight", first_version=entry.version)
            return Outcome("replay", response=entry.response, first_version=entry.version)

    async def finish(
        self, key: ScopeKey, token: int, response: StoredResponse, expires_at: datetime
    ) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.token == token:
                entry.response = response
                entry.expires_at = expires_at
                self._expiry.append((expires_at, key, token))

    async def release(self, key: ScopeKey, token: int) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.token == token and entry.response is None:
                del self._entries[key]

    def _drop_expired(self, now: datetime) -> None:
        queue = self._expiry
        while queue and queue[0][0] <= now:
            _, key, token = queue.popleft()
            entry = self._entries.get(key)
            if entry is not None and entry.token == token:
                del self._entries[key]


_EMPTY_BODY = "empty"


def body_fingerprint(body: bytes) -> str:
    """Semantic fingerprint of a request body (see the module docstring)."""
    if not body.strip():
        return _EMPTY_BODY
    try:
        return "jcs:" + fingerprint(body)
    except ValueError:
        return "raw:" + hashlib.sha256(body).hexdigest()


class Idempotency:
    def __init__(
        self,
        app: ASGIApp,
        profile: VersionProfile,
        store: IdempotencyStore,
        *,
        clock: Any = None,
        ttl: timedelta = DEFAULT_TTL,
        in_flight_timeout: timedelta = DEFAULT_IN_FLIGHT_TIMEOUT,
        faults: Faults = NO_FAULTS,
    ) -> None:
        if ttl < timedelta(hours=profile.idempotency_min_retention_hours):
            raise ValueError(
                f"idempotency keys must be kept at least {profile.idempotency_min_retention_hours} h"
            )
        self.app = app
        self.profile = profile
        self.store = store
        self.now = now_function(clock)
        self.ttl = ttl
        self.in_flight_timeout = in_flight_timeout
        self.off = faults.active(FAULT_IDEMPOTENCY_OFF)
        self._required = acp_error(
            400,
            "idempotency_key_required",
            f"an Idempotency-Key header is required on POST in API-Version {profile.version}",
        )
        self._bad_key = acp_error(
            400,
            "invalid",
            f"Idempotency-Key must be 1 to {profile.idempotency_key_max_length} characters",
        )
        self._in_flight = acp_error(
            profile.in_flight_status,
            "idempotency_in_flight",
            "a request with this Idempotency-Key is still being processed; retry later",
            headers={"Retry-After": "1"},
        )

    def _conflict(self, first_version: str):
        if first_version and first_version != self.profile.version:
            why = f"was first used with API-Version {first_version}"
        else:
            why = "was already used with a different request body"
        return acp_error(
            self.profile.idempotency_conflict_status,
            "idempotency_conflict",
            f"this Idempotency-Key {why}; use a new key for a different request",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.off or scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        raw_key = header(scope, b"idempotency-key")
        if raw_key is None:
            if self.profile.idempotency_key_required_on_post:
                await send_error(send, self._required)
            else:
                await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not 1 <= len(key) <= self.profile.idempotency_key_max_length:
            await send_error(send, self._bad_key)
            return
        body, receive = await read_body(scope, receive)
        scope_key = ScopeKey(
            identity_of(scope) or "", scope.get("root_path", "") + scope["path"], key
        )
        outcome = await self.store.begin(
            scope_key,
            BodyFingerprint(body),
            self.profile.version,
            self.now(),
            self.in_flight_timeout,
        )
        if outcome.kind == "replay":
            await self._replay(send, outcome.response)
        elif outcome.kind == "conflict":
            await send_error(send, self._conflict(outcome.first_version))
        elif outcome.kind == "in_flight":
            await send_error(send, self._in_flight)
        else:
            await self._run(scope, receive, send, scope_key, outcome.token)

    @staticmethod
    async def _replay(send: Send, stored: StoredResponse) -> None:
        headers = [*stored.headers, REPLAYED_HEADER]
        await send({"type": "http.response.start", "status": stored.status, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body, "more_body": False})

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, key: ScopeKey, token: int
    ) -> None:
        status = 0
        headers: tuple[tuple[bytes, bytes], ...] = ()
        chunks: list[bytes] = []
        settled = False

        async def send_recording(message: Message) -> None:
            nonlocal status, headers, settled
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                headers = tuple(
                    (k, v) for k, v in message.get("headers", ()) if k.lower() not in _NOT_STORED
                )
            elif kind == "http.response.body" and not settled:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    settled = True  # record before the client can see the end of the response
                    if status >= 500:
                        await self.store.release(key, token)
                    else:
                        stored = StoredResponse(status, headers, b"".join(chunks))
                        await self.store.finish(key, token, stored, self.now() + self.ttl)
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            if not settled:
                await self.store.release(key, token)
