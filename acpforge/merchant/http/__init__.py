"""Version-free HTTP layer of the reference merchant: pure ASGI middleware.

``build_stack(version_apps, fallback, api_keys=...)`` composes everything in
front of one ASGI app per API-Version (see ``stack`` for the order and why):

==================  ============================================================
module              job
==================  ============================================================
``echo``            echo Idempotency-Key / Request-Id (fault ``idempotency_key_not_echoed``)
``allowlist``       IP allowlist from an OpenAI-format prefixes file, 403 ``forbidden``
``limits``          413 ``request_too_large``, 415; reads and buffers the body once
``auth``            bearer API keys, 401 ``unauthorized``; identity = token hash
``signature``       ``Signature``/``Timestamp`` over canonical JSON, 401 ``invalid_signature``
``version_router``  API-Version dispatch, 400 ``missing``/``unsupported_api_version``
``idempotency``     replay / conflict / in-flight / no 5xx (fault ``idempotency_off``)
``errors``          flat ACP error responses from ASGI
``common``          header, path-pattern, body and clock helpers
==================  ============================================================

Importing the package registers its fault names in
``acpforge.merchant.core.faults.REGISTRY`` (layer ``middleware``).
"""

from .allowlist import AllowlistError, IPAllowlist, IPAllowlistMiddleware
from .auth import BearerAuth, identity_for_token
from .common import PathSet, identity_of
from .echo import FAULT_NOT_ECHOED, EchoHeaders
from .errors import send_error
from .idempotency import (
    FAULT_IDEMPOTENCY_OFF,
    Idempotency,
    IdempotencyStore,
    MemoryIdempotencyStore,
    StoredResponse,
)
from .limits import BodyLimit
from .signature import DELEGATE_PAYMENT_PATH, SignatureCheck, SignatureConfig
from .stack import build_stack
from .version_router import VersionRouter

__all__ = [
    "DELEGATE_PAYMENT_PATH",
    "FAULT_IDEMPOTENCY_OFF",
    "FAULT_NOT_ECHOED",
    "AllowlistError",
    "BearerAuth",
    "BodyLimit",
    "EchoHeaders",
    "IPAllowlist",
    "IPAllowlistMiddleware",
    "Idempotency",
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "PathSet",
    "SignatureCheck",
    "SignatureConfig",
    "StoredResponse",
    "VersionRouter",
    "build_stack",
    "identity_for_token",
    "identity_of",
    "send_error",
]
