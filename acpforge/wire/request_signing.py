"""Detached request signatures (``Signature`` + ``Timestamp`` headers).

Why: the delegate-payment API (and optionally every ACP request) lets a
client prove that a body came from it, unmodified, recently. The client signs
the RFC 8785 canonical form of the JSON body with Ed25519 or ES256 and sends
the base64url (unpadded) signature in ``Signature`` with an RFC 3339 UTC
``Timestamp``. The server re-canonicalizes the body *it received* and checks
the signature, so whitespace or key order changed in transit does not matter,
and rejects timestamps outside a bounded clock skew.

Signed bytes, a choice the protocol leaves open:

* default (``cover_timestamp=False``): ``canonical(body)``. The timestamp is
  only checked for freshness; it is not bound to the signature, so an
  attacker who captured a request could replay it with a fresh timestamp.
* ``cover_timestamp=True``: ``<Timestamp header value, verbatim> + "." +
  canonical(body)``, which binds the timestamp and makes the skew window a
  real replay bound. Both sides must agree on the option out of band.

ES256 signatures are the raw 64-byte ``r || s`` of JWS (RFC 7515/7518), not
DER. The algorithm is never negotiated on the wire: it follows from the key.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from acpforge.wire.canonical import canonical_json, canonicalize_bytes

__all__ = [
    "ED25519",
    "ES256",
    "RequestSigner",
    "RequestVerifier",
    "SignatureError",
    "b64url_decode",
    "b64url_encode",
    "canonical_body",
    "format_timestamp",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
    "parse_timestamp",
    "public_key_pem",
    "signed_bytes",
]

ED25519 = "Ed25519"
ES256 = "ES256"
SIGNATURE_HEADER = "Signature"
TIMESTAMP_HEADER = "Timestamp"
DEFAULT_MAX_SKEW_SECONDS = 300

_ES256_COORDINATE_BYTES = 32
_SIGNATURE_LENGTH = {ED25519: 64, ES256: 2 * _ES256_COORDINATE_BYTES}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# RFC 3339 section 5.6 date-time; the offset is mandatory.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")

Clock = Callable[[], datetime]
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


class SignatureError(ValueError):
    """A signature, timestamp or key was rejected.

    ``reason`` is a stable machine-readable code (``missing_signature``,
    ``missing_timestamp``, ``bad_base64url``, ``bad_signature_length``,
    ``bad_timestamp``, ``timestamp_skew``, ``bad_body``,
    ``signature_mismatch``, ``wrong_key_type``, ``bad_key``); ``detail`` says
    what exactly was wrong.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


# --- time -------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with second precision, e.g. ``2026-04-17T10:30:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 date-time (offset required) into an aware datetime."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise SignatureError("bad_timestamp", f"not an RFC 3339 date-time: {value!r}")
    normalized = value.upper().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(normalized)
    except ValueError as exc:
        raise SignatureError("bad_timestamp", f"invalid date-time {value!r}: {exc}") from exc


# --- keys -------------------------------------------------------------------


def _as_bytes(pem: bytes | str) -> bytes:
    return pem.encode("ascii") if isinstance(pem, str) else bytes(pem)


def _algorithm_of(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return ED25519
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if isinstance(key.curve, ec.SECP256R1):
            return ES256
        raise SignatureError("wrong_key_type", f"ES256 needs a P-256 key, got {key.curve.name}")
    raise SignatureError(
        "wrong_key_type", f"expected an Ed25519 or P-256 key, got {type(key).__name__}"
    )


def load_private_key(key: Any) -> PrivateKey:
    """Accept a private key object or unencrypted PEM (PKCS#8 or SEC1)."""
    if isinstance(key, (bytes, bytearray, str)):
        try:
            key = serialization.load_pem_private_key(_as_bytes(key), password=None)
        except TypeError as exc:  # encrypted PEM without a password
            raise SignatureError(
                "bad_key", f"encrypted private keys are not supported: {exc}"
            ) from None
        except ValueError as exc:
            raise SignatureError("bad_key", f"not a PEM private key: {exc}") from None
    if not isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        raise SignatureError("wrong_key_type", f"expected a private key, got {type(key).__name__}")
    _algorithm_of(key)
    return key


def load_public_key(key: Any) -> PublicKey:
    """Accept a public key object, a private key object, or public-key PEM."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        key = key.public_key()
    elif isinstance(key, (bytes, bytearray, str)):
        key = _load_public_pem(_as_bytes(key))
    if not isinstance(key, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey)):
        raise SignatureError("wrong_key_type", f"expected a public key, got {type(key).__name__}")
    _algorithm_of(key)
    return key


def _load_public_pem(pem: bytes) -> Any:
    if b"PRIVATE KEY-----" in pem:
        raise SignatureError("bad_key", "expected a public key PEM, got a private key")
    try:
        return serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise SignatureError("bad_key", f"not a PEM public key: {exc}") from None


def generate_private_key(alg: str) -> bytes:
    """Generate a new key for ``"ed25519"`` or ``"es256"``; PKCS#8 PEM bytes."""
    name = alg.strip().lower()
    if name == "ed25519":
        key: PrivateKey = ed25519.Ed25519PrivateKey.generate()
    elif name == "es256":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"unknown algorithm {alg!r}: expected 'ed25519' or 'es256'")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(private_pem: bytes | str | PrivateKey) -> bytes:
    """SubjectPublicKeyInfo PEM of the public half of a private key."""
    public = load_private_key(private_pem).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# --- bytes on the wire ------------------------------------------------------


def canonical_body(body: Any) -> bytes:
    """Canonical bytes of a body given as raw JSON bytes or a parsed value.

    A ``str`` is refused: it is ambiguous (JSON text, or a JSON string value?).
    """
    if isinstance(body, str):
        raise TypeError("pass the body as raw JSON bytes or as a parsed JSON value, not str")
    try:
        if isinstance(body, (bytes, bytearray, memoryview)):
            return canonicalize_bytes(body)
        return canonical_json(body)
    except ValueError as exc:
        raise SignatureError("bad_body", str(exc)) from exc


def signed_bytes(canonical: bytes, timestamp: str, cover_timestamp: bool) -> bytes:
    """The exact bytes the signature covers (see the module docstring)."""
    if cover_timestamp:
        return timestamp.encode("ascii") + b"." + canonical
    return canonical


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    """Strict unpadded base64url (RFC 4648 section 5, RFC 7515 appendix C)."""
    if not _BASE64URL.fullmatch(value):
        raise SignatureError(
            "bad_base64url", "Signature must be unpadded base64url ([A-Za-z0-9_-], no '=')"
        )
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("bad_base64url", f"cannot decode Signature: {exc}") from None


def _raw_to_der(raw: bytes) -> bytes:
    r = int.from_bytes(raw[:_ES256_COORDINATE_BYTES], "big")
    s = int.from_bytes(raw[_ES256_COORDINATE_BYTES:], "big")
    return encode_dss_signature(r, s)


def _der_to_raw(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(_ES256_COORDINATE_BYTES, "big") + s.to_bytes(_ES256_COORDINATE_BYTES, "big")


# --- signer and verifier ----------------------------------------------------


class RequestSigner:
    """Sign request bodies; ``sign`` returns the ``Signature``/``Timestamp`` headers."""

    def __init__(
        self,
        private_key: Any,
        *,
        cover_timestamp: bool = False,
        clock: Clock = _utc_now,
    ) -> None:
        self._key = load_private_key(private_key)
        self.algorithm = _algorithm_of(self._key)
        self.cover_timestamp = cover_timestamp
        self._clock = clock

    def sign(self, body: Any, *, timestamp: str | datetime | None = None) -> dict[str, str]:
        """Sign ``body`` (raw JSON bytes or a parsed value) at ``timestamp`` or now."""
        stamp = self._timestamp(timestamp)
        message = signed_bytes(canonical_body(body), stamp, self.cover_timestamp)
        return {SIGNATURE_HEADER: b64url_encode(self._sign(message)), TIMESTAMP_HEADER: stamp}

    def _timestamp(self, timestamp: str | datetime | None) -> str:
        if timestamp is None:
            return format_timestamp(self._clock())
        if isinstance(timestamp, datetime):
            return format_timestamp(timestamp)
        parse_timestamp(timestamp)  # refuse to emit a header a verifier rejects
        return timestamp

    def _sign(self, message: bytes) -> bytes:
        if self.algorithm == ED25519:
            return self._key.sign(message)
        return _der_to_raw(self._key.sign(message, ec.ECDSA(hashes.SHA256())))


class RequestVerifier:
    """Verify detached request signatures; raises ``SignatureError`` on failure."""

    def __init__(
        self,
        public_key: Any,
        *,
        max_skew_seconds: float = DEFAULT_MAX_SKEW_SECONDS,
        cover_timestamp: bool = False,
        clock: Clock = _utc_now,
    ) -> None:
        self._key = load_public_key(public_key)
        self.algorithm = _algorithm_of(self._key)
        self.max_skew_seconds = max_skew_seconds
        self.cover_timestamp = cover_timestamp
        self._clock = clock

    def verify(
        self,
        body: Any,
        headers_or_signature: Mapping[str, str] | str | None,
        timestamp: str | None = None,
    ) -> None:
        """Check ``body`` against a headers mapping, or a signature and timestamp.

        Header names are matched case-insensitively. Returns ``None`` when the
        signature is valid.
        """
        signature, stamp = _extract(headers_or_signature, timestamp)
        raw_signature = self._decode_signature(signature)
        self._check_skew(parse_timestamp(stamp))
        message = signed_bytes(canonical_body(body), stamp, self.cover_timestamp)
        if not self._valid(raw_signature, message):
            raise SignatureError(
                "signature_mismatch", f"{self.algorithm} signature does not match the body"
            )

    def _decode_signature(self, signature: str) -> bytes:
        raw = b64url_decode(signature)
        expected = _SIGNATURE_LENGTH[self.algorithm]
        if len(raw) != expected:
            hint = " (ES256 uses raw r||s, not DER)" if self.algorithm == ES256 else ""
            raise SignatureError(
                "bad_signature_length",
                f"{self.algorithm} signature must be {expected} bytes, got {len(raw)}{hint}",
            )
        return raw

    def _check_skew(self, moment: datetime) -> None:
        skew = abs((self._clock() - moment).total_seconds())
        if skew > self.max_skew_seconds:
            raise SignatureError(
                "timestamp_skew",
                f"Timestamp is {skew:.0f}s away from now (max {self.max_skew_seconds:g}s)",
            )

    def _valid(self, raw_signature: bytes, message: bytes) -> bool:
        try:
            if self.algorithm == ED25519:
                self._key.verify(raw_signature, message)
            else:
                self._key.verify(_raw_to_der(raw_signature), message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def _extract(
    headers_or_signature: Mapping[str, str] | str | None, timestamp: str | None
) -> tuple[str, str]:
    if isinstance(headers_or_signature, Mapping):
        lowered = {str(k).lower(): v for k, v in headers_or_signature.items()}
        signature = lowered.get(SIGNATURE_HEADER.lower())
        if timestamp is None:
            timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    else:
        signature = headers_or_signature
    if not signature:
        raise SignatureError("missing_signature", "no Signature header")
    if not timestamp:
        raise SignatureError("missing_timestamp", "no Timestamp header")
    return signature.strip(), timestamp.strip()
