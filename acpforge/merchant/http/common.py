"""Small ASGI helpers shared by the middleware of ``acpforge.merchant.http``.

Scope keys set by the middleware (read them with the helpers, not by name):

* ``acpforge.identity``: who is calling, set by ``BearerAuth`` -- a SHA-256
  hash of the bearer token, never the token itself (``identity_of``).
* ``acpforge.body``: the request body, buffered once by ``BodyLimit`` and
  shared by the signature check, the idempotency fingerprint and the inner
  app (``read_body``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BODY_KEY",
    "IDENTITY_KEY",
    "ASGIApp",
    "Message",
    "PathSet",
    "Receive",
    "Scope",
    "Send",
    "header",
    "identity_of",
    "now_function",
    "read_body",
    "replay_receive",
]

IDENTITY_KEY = "acpforge.identity"
BODY_KEY = "acpforge.body"


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (``name`` lowercase bytes), or ``None``."""
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def identity_of(scope: Scope) -> str | None:
    """The caller's identity (hash of the bearer token) set by ``BearerAuth``."""
    return scope.get(IDENTITY_KEY)


class PathSet:
    """A set of path patterns: ``"/legal/"`` (trailing slash) is a prefix, ``"/healthz"`` exact.

    A path with ``.``/``..`` segments or an empty segment never matches, so
    that ``/legal/../checkout_sessions`` cannot borrow an exemption.
    """

    __slots__ = ("exact", "patterns", "prefixes")

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = tuple(patterns)
        for pattern in self.patterns:
            if not pattern.startswith("/"):
                raise ValueError(f"path patterns start with '/': {pattern!r}")
        self.exact = frozenset(p for p in self.patterns if not p.endswith("/"))
        self.prefixes = tuple(p for p in self.patterns if p.endswith("/"))

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str) or not self.patterns:
            return False
        if "//" in path or ("/." in path and any(s in (".", "..") for s in path.split("/"))):
            return False
        if path in self.exact:
            return True
        return any(path.startswith(p) for p in self.prefixes)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __repr__(self) -> str:
        return f"PathSet({list(self.patterns)!r})"


def now_function(clock: Any) -> Callable[[], datetime]:
    """A zero-argument ``now()`` from a core ``Clock`` (``.now()``), a callable, or ``None``."""
    if clock is None:
        return lambda: datetime.now(UTC)
    if hasattr(clock, "now") and callable(clock.now):
        return clock.now
    if callable(clock):
        return clock
    raise TypeError(f"clock must have .now() or be callable, got {type(clock).__name__}")


def replay_receive(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` once, then defers to the real one (disconnects)."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


async def read_body(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body and a ``receive`` that replays it to the next app.

    Uses the copy ``BodyLimit`` buffered when there is one (no second read);
    otherwise reads it here, without a limit: in the stack, ``BodyLimit``
    always runs first.
    """
    cached = scope.get(BODY_KEY)
    if cached is not None:
        return cached, replay_receive(cached, receive)
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":  # disconnected: the body is what arrived
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    scope[BODY_KEY] = body
    return body, replay_receive(body, receive)
