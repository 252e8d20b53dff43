"""Bearer authentication: ``Authorization: Bearer <token>`` against a set of API keys.

* No ``Authorization``, another scheme, an empty token or an unknown token:
  401 ``unauthorized`` (flat error, ``type`` and ``code`` both ``unauthorized``,
  as in the specs' examples) with ``WWW-Authenticate: Bearer
  realm="acp"`` (RFC 6750; ``error="invalid_token"`` when a token was sent).
* Exempt paths (``PathSet`` patterns; by default the legal pages and
  ``/healthz``) pass without a token and without an identity.
* The caller's identity, which scopes idempotency keys, is
  ``key_<first 32 hex of SHA-256(token)>`` stored in the scope
  (``common.identity_of``).  The token itself is never kept beyond this
  middleware: identities end up in memory stores, logs and evidence.

Only hashes of the configured keys are kept; a presented token is hashed and
looked up, so the comparison leaks nothing useful through timing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from .common import IDENTITY_KEY, ASGIApp, PathSet, Receive, Scope, Send, header
from .errors import acp_error, send_error

__all__ = ["DEFAULT_AUTH_EXEMPT", "BearerAuth", "identity_for_token"]

DEFAULT_AUTH_EXEMPT = ("/legal/", "/healthz")


def _digest(token: str | bytes) -> str:
    raw = token.encode("utf-8") if isinstance(token, str) else bytes(token)
    return hashlib.sha256(raw).hexdigest()


def identity_for_token(token: str | bytes) -> str:
    """The identity ``BearerAuth`` derives from a token (for tests and tools)."""
    return "key_" + _digest(token)[:32]


class BearerAuth:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: Iterable[str],
        exempt: Iterable[str] = DEFAULT_AUTH_EXEMPT,
        realm: str = "acp",
    ) -> None:
        if isinstance(api_keys, (str, bytes)):
            raise TypeError("api_keys is a collection of tokens, not one token")
        if isinstance(api_keys, Mapping):
            raise TypeError("api_keys is a collection of tokens; for a mapping pass its values()")
        keys = [k for k in api_keys]
        if not keys or any(not k or not str(k).strip() for k in keys):
            raise ValueError("api_keys must be a non-empty collection of non-empty tokens")
        self.app = app
        self._digests = frozenset(_digest(k) for k in keys)
        self.exempt = exempt if isinstance(exempt, PathSet) else PathSet(exempt)
        self._challenge = f'Bearer realm="{realm}"'
        self._missing = acp_error(
            401,
            "unauthorized",
            "an Authorization: Bearer <token> header is required",
            type="unauthorized",
            headers={"WWW-Authenticate": self._challenge},
        )
        self._invalid = acp_error(
            401,
            "unauthorized",
            "the bearer token is not valid",
            type="unauthorized",
            headers={"WWW-Authenticate": self._challenge + ', error="invalid_token"'},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        value = header(scope, b"authorization")
        if value is None:
            await send_error(send, self._missing)
            return
        scheme, _, token = value.partition(b" ")
        token = token.strip()
        if scheme.lower() != b"bearer" or not token:
            await send_error(send, self._missing if not token else self._invalid)
            return
        digest = _digest(token)
        if digest not in self._digests:
            await send_error(send, self._invalid)
            return
        scope = dict(scope)
        scope[IDENTITY_KEY] = "key_" + digest[:32]
        await self.app(scope, receive, send)
