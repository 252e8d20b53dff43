"""Send a flat ACP error object from ASGI middleware.

The body comes from ``acpforge.runtime.errors.ACPError.body()``, the same
object the generated FastAPI stubs raise, so an error from the middleware and
one from a stub have the same shape: ``{"type", "code", "message",
"param"?, ...extra}`` (e.g. ``supported_versions``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from acpforge.runtime.errors import ACPError

from .common import ASGIApp, Receive, Scope, Send

__all__ = ["ACPError", "acp_error", "encode_headers", "error_app", "send_error"]


def acp_error(
    status: int, code: str, message: str, *, type: str = "invalid_request", **kwargs
) -> ACPError:
    """``ACPError`` with the argument order of the common case (``invalid_request``)."""
    return ACPError(status, type, code, message, **kwargs)


def encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def send_error(send: Send, error: ACPError) -> None:
    """Send ``error`` as a complete JSON response (status, headers, flat body)."""
    body = json.dumps(error.body(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        *encode_headers(error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def error_app(error: ACPError) -> ASGIApp:
    """An ASGI app that answers every HTTP request with ``error``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send_error(send, error)

    return app
