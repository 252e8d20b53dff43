"""Echo ``Idempotency-Key`` (POST) and ``Request-Id`` (any method) on every response.

ACP: "Responses echo Idempotency-Key on POST and Request-Id when sent."  The
generated stubs echo on what they answer; this middleware is the outermost
layer of the stack so that the answers of the middleware itself (401, 403,
413, idempotency errors, replays) echo too.  Headers already present are left
alone.

Fault ``idempotency_key_not_echoed`` (test-only) removes ``Idempotency-Key``
from every response, whoever set it, so that the fuzzer's echo check must fail.
"""

from __future__ import annotations

from acpforge.merchant.core.faults import NO_FAULTS, REGISTRY, Faults

from .common import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FAULT_NOT_ECHOED", "EchoHeaders"]

FAULT_NOT_ECHOED = "idempotency_key_not_echoed"
REGISTRY.register(
    FAULT_NOT_ECHOED, "responses do not echo the Idempotency-Key request header", "middleware"
)

_IDEMPOTENCY_KEY = b"idempotency-key"
_REQUEST_ID = b"request-id"


class EchoHeaders:
    def __init__(self, app: ASGIApp, *, faults: Faults = NO_FAULTS) -> None:
        self.app = app
        self.strip_key = faults.active(FAULT_NOT_ECHOED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted: list[tuple[bytes, bytes]] = []
        is_post = scope["method"] == "POST"
        for name, value in scope["headers"]:
            echoed = name == _REQUEST_ID or (
                name == _IDEMPOTENCY_KEY and is_post and not self.strip_key
            )
            # only the first value of a repeated header, like the stubs
            if echoed and all(name != seen for seen, _ in wanted):
                wanted.append((name, value))
        if not wanted and not self.strip_key:
            await self.app(scope, receive, send)
            return
        strip_key = self.strip_key

        async def send_echoing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if strip_key:
                    headers = [(k, v) for k, v in headers if k.lower() != _IDEMPOTENCY_KEY]
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in wanted if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_echoing)
