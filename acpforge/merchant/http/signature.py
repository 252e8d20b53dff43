"""Optional detached request signatures: ``Signature`` + ``Timestamp`` headers.

Verification is ``acpforge.wire.request_signing.RequestVerifier``: the
signature (base64url, Ed25519 or ES256 raw ``r||s``) covers the RFC 8785
canonical form of the body received (plus the timestamp when
``cover_timestamp``), and the timestamp must be within ``max_skew_seconds``
of the clock.  Any configured public key may match (key rotation, several
clients).  A failure is 401 ``invalid_signature`` (``type: unauthorized``)
whose message starts with the verifier's reason code (``missing_signature``,
``missing_timestamp``, ``bad_base64url``, ``bad_signature_length``,
``bad_timestamp``, ``timestamp_skew``, ``bad_body``, ``signature_mismatch``).

Scope: ``paths`` (``PathSet`` patterns; default: the delegate-payment
endpoint; ``None``: every path) and ``methods`` (default POST: a GET has no
body to sign).  An empty body is verified as JSON ``null``, which is what
``RequestSigner.sign(None)`` signs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from acpforge.wire.request_signing import (
    DEFAULT_MAX_SKEW_SECONDS,
    RequestVerifier,
    SignatureError,
)

from .common import ASGIApp, PathSet, Receive, Scope, Send, header, now_function, read_body
from .errors import acp_error, send_error

__all__ = ["DELEGATE_PAYMENT_PATH", "SignatureCheck", "SignatureConfig"]

DELEGATE_PAYMENT_PATH = "/agentic_commerce/delegate_payment"


@dataclass(frozen=True)
class SignatureConfig:
    #: Public keys (PEM bytes/str or key objects; Ed25519 or P-256). At least one.
    public_keys: Sequence[Any]
    #: Paths that must be signed; ``None`` means every path.
    paths: Iterable[str] | None = (DELEGATE_PAYMENT_PATH,)
    methods: Iterable[str] = ("POST",)
    max_skew_seconds: float = DEFAULT_MAX_SKEW_SECONDS
    cover_timestamp: bool = False
    #: Clock for the skew check (``.now()`` or callable); default: the stack's clock.
    clock: Any = None


class SignatureCheck:
    def __init__(self, app: ASGIApp, config: SignatureConfig, *, clock: Any = None) -> None:
        if not config.public_keys:
            raise ValueError("SignatureConfig.public_keys must name at least one public key")
        now = now_function(config.clock if config.clock is not None else clock)
        self.app = app
        self.verifiers = [
            RequestVerifier(
                key,
                max_skew_seconds=config.max_skew_seconds,
                cover_timestamp=config.cover_timestamp,
                clock=now,
            )
            for key in config.public_keys
        ]
        self.every_path = config.paths is None
        self.paths = PathSet(() if config.paths is None else config.paths)
        self.methods = frozenset(m.upper() for m in config.methods)

    def applies(self, scope: Scope) -> bool:
        return scope["method"] in self.methods and (self.every_path or scope["path"] in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        body, receive = await read_body(scope, receive)
        signed: dict[str, str] = {}
        for name in (b"signature", b"timestamp"):
            value = header(scope, name)
            if value is not None:
                signed[name.decode()] = value.decode("latin-1")
        problem: SignatureError | None = None
        for verifier in self.verifiers:
            try:
                verifier.verify(body if body.strip() else None, signed)
            except SignatureError as exc:
                problem = problem or exc
                continue
            await self.app(scope, receive, send)
            return
        assert problem is not None
        await send_error(
            send,
            acp_error(
                401,
                "invalid_signature",
                f"request signature rejected ({problem.reason}): {problem.detail or problem.reason}",
                type="unauthorized",
            ),
        )
