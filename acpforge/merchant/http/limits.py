"""Body size limit (413) and media type (415), and the one place the body is read.

* ``Content-Length`` above the limit: 413 ``request_too_large`` at once,
  nothing read.
* A chunked body is read chunk by chunk and refused with 413 as soon as it
  passes the limit: at most one chunk beyond the limit is ever read.
* A request that carries a body whose ``Content-Type`` is not JSON
  (``application/json`` or ``*/*+json``, the rule of the generated stubs):
  415 ``unsupported_media_type``, the same error the stubs give.

The accepted body is buffered once into the scope (``common.BODY_KEY``) and
replayed to the next app, so the signature check, the idempotency fingerprint
and the inner app share one read.  Reading the whole body here, bounded,
rather than lazily further in is deliberate: a limit enforced by raising from
``receive`` inside a FastAPI app would surface as that app's 500 handler, not
as a 413.
"""

from __future__ import annotations

from acpforge.runtime.server import _wants_json

from .common import BODY_KEY, ASGIApp, Receive, Scope, Send, header, replay_receive
from .errors import acp_error, send_error

__all__ = ["DEFAULT_MAX_BODY_BYTES", "BodyLimit"]

DEFAULT_MAX_BODY_BYTES = 1_000_000


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self):
        return acp_error(
            413, "request_too_large", f"the request body is larger than {self.max_body_bytes} bytes"
        )

    @staticmethod
    def _unsupported(content_type: bytes | None):
        shown = content_type.decode("latin-1") if content_type else "none"
        return acp_error(
            415, "unsupported_media_type", f"Content-Type must be application/json (got {shown!r})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length_header = header(scope, b"content-length")
        chunked = header(scope, b"transfer-encoding") is not None
        if length_header is None and not chunked:
            await self.app(scope, receive, send)  # no body
            return
        content_type = header(scope, b"content-type")
        if length_header is not None:
            try:
                declared = int(length_header)
            except ValueError:
                declared = -1
            if declared < 0:
                await send_error(
                    send, acp_error(400, "invalid", "Content-Length is not a valid length")
                )
                return
            if declared > self.max_body_bytes:
                await send_error(send, self._too_large())
                return
            if declared == 0 and not chunked:
                await self.app(scope, receive, send)
                return
            if not _wants_json((content_type or b"").decode("latin-1")):
                await send_error(send, self._unsupported(content_type))
                return
        chunks: list[bytes] = []
        total = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left while sending; nobody to answer
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body_bytes:
                await send_error(send, self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and not _wants_json((content_type or b"").decode("latin-1")):
            await send_error(send, self._unsupported(content_type))
            return
        scope = dict(scope)
        scope[BODY_KEY] = body
        await self.app(scope, replay_receive(body, receive), send)
