"""``build_stack``: the version-free HTTP layer in front of the per-version apps.

Order, outermost first, and why::

    EchoHeaders            every answer below, the layers' own errors included, echoes
     |                     Idempotency-Key (POST) and Request-Id
    IPAllowlistMiddleware  (optional) a source outside the allowlist learns nothing -- not
     |                     whether its token is good, not the size limit -- and costs nothing
    BodyLimit              413/415 from headers alone where possible; the only place the
     |                     body is read, bounded, buffered once for everything inside
    BearerAuth             401; sets the identity that scopes idempotency keys
     |
    SignatureCheck         (optional) after auth: crypto work only for known callers; before
     |                     idempotency: a stored answer is never replayed to a request whose
     |                     signature is wrong, and a tampered body is 401, not a conflict
    VersionRouter          400 missing/unsupported API-Version; version-free paths (legal,
     |                     /healthz, simulator) go to ``fallback`` with no idempotency layer
    Idempotency[version]   inside the router, one per version, so that "key required" and
     |                     the conflict status (409 / 422) are that version's; one store is
     |                     shared, the version is part of the fingerprint
    version app            generated stub + adapter (validates the body, checks API-Version
                           once more, echoes headers)

Every layer is plain ASGI (no ``BaseHTTPMiddleware``): a request that passes
costs a few header scans, one SHA-256 of the token and, for a keyed POST,
one RFC 8785 fingerprint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from acpforge.merchant.core.faults import Faults
from acpforge.versions import profile

from .allowlist import IPAllowlist, IPAllowlistMiddleware
from .auth import DEFAULT_AUTH_EXEMPT, BearerAuth
from .common import ASGIApp
from .echo import EchoHeaders
from .idempotency import Idempotency, IdempotencyStore, MemoryIdempotencyStore
from .limits import DEFAULT_MAX_BODY_BYTES, BodyLimit
from .signature import SignatureCheck, SignatureConfig
from .version_router import DEFAULT_VERSION_FREE, VersionRouter

__all__ = ["build_stack"]


def _faults(faults: Faults | Iterable[str]) -> Faults:
    if isinstance(faults, Faults):
        return faults
    if isinstance(faults, str):
        return Faults.parse(faults)
    return Faults(faults)


def build_stack(
    version_apps: Mapping[str, ASGIApp],
    fallback: ASGIApp,
    *,
    api_keys: Iterable[str],
    allowlist: IPAllowlist | str | Path | None = None,
    signature: SignatureConfig | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    faults: Faults | Iterable[str] = frozenset(),
    clock: Any = None,
    idempotency_store: IdempotencyStore | None = None,
    auth_exempt: Iterable[str] = DEFAULT_AUTH_EXEMPT,
    version_free: Iterable[str] = DEFAULT_VERSION_FREE,
) -> ASGIApp:
    """Compose the middleware around one ASGI app per API-Version (see the module docstring).

    ``version_apps`` keys must be supported versions (``acpforge.versions.profile``
    raises otherwise).  ``allowlist`` is an ``IPAllowlist`` or the path of a
    prefixes file.  ``faults`` is a ``Faults`` or fault names (checked against
    the registry).  ``clock`` (a core ``Clock`` with ``.now()`` or a callable)
    drives idempotency expiry and, unless ``signature.clock`` is set, the
    signature skew check.  ``idempotency_store`` defaults to a new in-memory
    store shared by every version.
    """
    active = _faults(faults)
    store = idempotency_store if idempotency_store is not None else MemoryIdempotencyStore()
    wrapped = {
        version: Idempotency(app, profile(version), store, clock=clock, faults=active)
        for version, app in version_apps.items()
    }
    app: ASGIApp = VersionRouter(wrapped, fallback, version_free=version_free)
    if signature is not None:
        app = SignatureCheck(app, signature, clock=clock)
    app = BearerAuth(app, api_keys=api_keys, exempt=auth_exempt)
    app = BodyLimit(app, max_body_bytes=max_body_bytes)
    if allowlist is not None:
        if not isinstance(allowlist, IPAllowlist):
            allowlist = IPAllowlist.from_file(allowlist)
        app = IPAllowlistMiddleware(app, allowlist)
    return EchoHeaders(app, faults=active)
