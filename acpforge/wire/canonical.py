"""Canonical JSON (RFC 8785, JCS) and body fingerprints.

Why: a request signature and an idempotency fingerprint must not depend on
how a JSON body happened to be serialized in transit (key order, whitespace,
``1.0`` versus ``1``). Both therefore work on the RFC 8785 canonical form.
The canonicalization itself is delegated to the ``rfc8785`` package: JCS has
subtle number-formatting and key-ordering rules (ECMAScript number
serialization, UTF-16 code-unit ordering) that must never be hand-written.

Parsing is strict (I-JSON, RFC 7493): UTF-8 only, no duplicate object keys,
no ``NaN``/``Infinity``, and integers outside the IEEE-754 safe range
(|n| > 2**53 - 1) are rejected instead of being silently rounded, so that a
money amount can never change value between the signer and the verifier.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

__all__ = ["canonical_json", "canonicalize_bytes", "fingerprint", "parse_json"]


def canonical_json(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a Python JSON value.

    Raises ``ValueError`` when the value has no canonical form (NaN, infinity,
    an unsafe integer, a lone surrogate, a non-JSON type).
    """
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"value cannot be canonicalized (RFC 8785): {exc}") from exc
    except TypeError as exc:
        raise ValueError(f"value is not JSON-serializable: {exc}") from exc


def parse_json(raw: bytes | bytearray | memoryview) -> Any:
    """Parse raw JSON bytes strictly (UTF-8, no duplicate keys, no NaN)."""
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"body is not valid UTF-8: {exc}") from exc
    try:
        return json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not valid JSON: {exc}") from exc


def canonicalize_bytes(raw: bytes | bytearray | memoryview) -> bytes:
    """Parse raw JSON bytes and return their canonical form.

    Raises ``ValueError`` with a readable message for invalid JSON.
    """
    return canonical_json(parse_json(raw))


def fingerprint(obj: Any) -> str:
    """SHA-256 hex digest of the canonical form of ``obj``.

    Two bodies share a fingerprint exactly when they are semantically equal
    JSON: key order and number spelling (``1.0`` == ``1``) do not matter,
    array order does, and ``null`` differs from an absent key. ``bytes`` are
    taken as a raw JSON document (parsed first), anything else as an already
    parsed JSON value.
    """
    if isinstance(obj, (bytes, bytearray, memoryview)):
        canonical = canonicalize_bytes(obj)
    else:
        canonical = canonical_json(obj)
    return hashlib.sha256(canonical).hexdigest()


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"body is not valid I-JSON: duplicate object key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"body is not valid JSON: {name} is not a JSON number")
