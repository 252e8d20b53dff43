"""HMAC-SHA256 signatures of order-event webhooks, in each version's format.

Why: the merchant signs every webhook it posts to the agent platform with a
shared secret in ``Merchant-Signature``, and the receiver must reject
anything forged, altered or (where the format allows) replayed. The
mechanism is the same everywhere (HMAC-SHA256 with the shared secret);
only the bytes covered and the header syntax changed between versions:

* ``RawBodyHmac`` (2025-09-29 up to 2026-01-30): the MAC of the raw body.
  The protocol does not fix the encoding; we default to lowercase hex and
  also offer ``"base64"``. There is no timestamp, hence no replay window.
* ``TimestampedHmac`` (2026-04-17 on): ``t=<unix seconds>,v1=<64 hex>``
  over ``"<t>." + raw body``, rejected outside a tolerance window (300 s).

Verification is always over the raw bytes received (never re-serialized
JSON), compares in constant time, and accepts a list of secrets so that a
receiver can rotate its secret. ``format_for_version`` picks the format from
an ``API-Version``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Sequence
from datetime import date

__all__ = [
    "RawBodyHmac",
    "TimestampedHmac",
    "WebhookSignatureError",
    "format_for_version",
]

HEADER_NAME = "Merchant-Signature"
TIMESTAMPED_SINCE = "2026-04-17"
FIRST_API_VERSION = "2025-09-29"
DEFAULT_TOLERANCE_SECONDS = 300

Secret = str | bytes
Secrets = Secret | Sequence[Secret]

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_UNIX_SECONDS = re.compile(r"\d{1,12}")
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")


class WebhookSignatureError(ValueError):
    """A webhook signature was rejected.

    ``reason`` is one of ``missing_header``, ``malformed_header``,
    ``timestamp_outside_tolerance``, ``signature_mismatch``.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def _secret_bytes(secret: Secret) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        raise ValueError("webhook secret must not be empty")
    return key


def _secret_list(secrets: Secrets) -> list[bytes]:
    """One secret, or several during a rotation."""
    if isinstance(secrets, (str, bytes, bytearray)):
        return [_secret_bytes(secrets)]
    keys = [_secret_bytes(s) for s in secrets]
    if not keys:
        raise ValueError("at least one webhook secret is required")
    return keys


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _matches_any(expected: Iterable[bytes], received: Iterable[bytes]) -> bool:
    """Constant-time comparison of every (expected, received) pair."""
    found = False
    for mac in expected:
        for candidate in received:
            found |= hmac.compare_digest(mac, candidate)
    return found


def _require_header(header_value: str | None) -> str:
    if header_value is None or not header_value.strip():
        raise WebhookSignatureError("missing_header", f"no {HEADER_NAME} header")
    return header_value.strip()


class RawBodyHmac:
    """``Merchant-Signature: <HMAC-SHA256(secret, raw body)>`` (hex or base64)."""

    header_name = HEADER_NAME

    def __init__(self, encoding: str = "hex") -> None:
        if encoding not in ("hex", "base64"):
            raise ValueError(f"unknown encoding {encoding!r}: expected 'hex' or 'base64'")
        self.encoding = encoding

    def __repr__(self) -> str:
        return f"RawBodyHmac(encoding={self.encoding!r})"

    def sign(self, body: bytes, secret: Secret, now: int | None = None) -> str:
        """Header value for ``body``; ``now`` is accepted for symmetry and ignored."""
        return self._encode(_hmac_sha256(_secret_bytes(secret), bytes(body)))

    def verify(
        self, body: bytes, header_value: str | None, secret: Secrets, now: int | None = None
    ) -> None:
        """Raise ``WebhookSignatureError`` unless the header matches the body."""
        received = self._decode(_require_header(header_value))
        expected = [_hmac_sha256(key, bytes(body)) for key in _secret_list(secret)]
        if not _matches_any(expected, [received]):
            raise WebhookSignatureError("signature_mismatch", "HMAC does not match the body")

    def _encode(self, mac: bytes) -> str:
        if self.encoding == "hex":
            return mac.hex()
        return base64.b64encode(mac).decode("ascii")

    def _decode(self, value: str) -> bytes:
        try:
            mac = _strict_hex(value) if self.encoding == "hex" else _strict_b64(value)
        except (ValueError, binascii.Error):
            raise WebhookSignatureError(
                "malformed_header", f"{HEADER_NAME} is not a {self.encoding} HMAC-SHA256"
            ) from None
        if len(mac) != hashlib.sha256().digest_size:
            raise WebhookSignatureError(
                "malformed_header", f"{HEADER_NAME} must encode 32 bytes, got {len(mac)}"
            )
        return mac


def _strict_hex(value: str) -> bytes:
    if not _HEX64.fullmatch(value):  # bytes.fromhex would also accept spaces
        raise ValueError("not 64 hex digits")
    return bytes.fromhex(value)


def _strict_b64(value: str) -> bytes:
    return base64.b64decode(value.encode("ascii"), validate=True)


class TimestampedHmac:
    """``Merchant-Signature: t=<unix>,v1=<hex>`` over ``"<t>." + raw body``.

    Emits lowercase hex. Verification accepts hex of either case (the
    published schema's pattern allows ``A-F``), several ``v1`` entries (the
    sender signing with an old and a new secret during a rotation), and
    ignores entries of unknown schemes (``v0=``, a future ``v2=``) so that
    the format can evolve; it rejects a header without exactly one ``t``,
    without any ``v1``, or with a malformed entry.
    """

    header_name = HEADER_NAME

    def __init__(self, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS) -> None:
        if tolerance_seconds < 0:
            raise ValueError("tolerance_seconds must not be negative")
        self.tolerance_seconds = tolerance_seconds

    def __repr__(self) -> str:
        return f"TimestampedHmac(tolerance_seconds={self.tolerance_seconds})"

    def sign(self, body: bytes, secret: Secrets, now: int | None = None) -> str:
        """Header value at ``now`` (unix seconds, default the current time).

        A list of secrets yields one ``v1`` entry per secret.
        """
        t = int(time.time()) if now is None else int(now)
        message = self._message(t, body)
        entries = [f"v1={_hmac_sha256(k, message).hex()}" for k in _secret_list(secret)]
        return ",".join([f"t={t}", *entries])

    def verify(
        self, body: bytes, header_value: str | None, secret: Secrets, now: int | None = None
    ) -> None:
        """Raise ``WebhookSignatureError`` unless the header is valid and fresh."""
        t, received = self.parse(_require_header(header_value))
        current = int(time.time()) if now is None else int(now)
        if abs(current - t) > self.tolerance_seconds:
            raise WebhookSignatureError(
                "timestamp_outside_tolerance",
                f"t={t} is {abs(current - t)}s from now (tolerance {self.tolerance_seconds}s)",
            )
        message = self._message(t, body)
        expected = [_hmac_sha256(key, message) for key in _secret_list(secret)]
        if not _matches_any(expected, received):
            raise WebhookSignatureError("signature_mismatch", "no v1 signature matches the body")

    @staticmethod
    def parse(header_value: str) -> tuple[int, list[bytes]]:
        """Split a header into its timestamp and its ``v1`` MACs."""
        timestamps: list[str] = []
        macs: list[bytes] = []
        for item in header_value.split(","):
            scheme, sep, value = item.strip().partition("=")
            if not sep or not scheme or not value:
                raise _malformed(f"entry {item.strip()!r} is not key=value")
            if scheme == "t":
                timestamps.append(value)
            elif scheme == "v1":
                macs.append(_parse_v1(value))
        if len(timestamps) != 1 or not _UNIX_SECONDS.fullmatch(timestamps[0]):
            raise _malformed("exactly one t=<unix seconds> is required")
        if not macs:
            raise _malformed("at least one v1=<64 hex> is required")
        return int(timestamps[0]), macs

    @staticmethod
    def _message(t: int, body: bytes) -> bytes:
        return f"{t}.".encode("ascii") + bytes(body)


def _parse_v1(value: str) -> bytes:
    if not _HEX64.fullmatch(value):
        raise _malformed("v1 must be 64 hex digits")
    return bytes.fromhex(value)


def _malformed(detail: str) -> WebhookSignatureError:
    return WebhookSignatureError(
        "malformed_header", f"{HEADER_NAME} must be t=<unix seconds>,v1=<64 hex>: {detail}"
    )


def format_for_version(
    api_version: str,
    *,
    raw_encoding: str = "hex",
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> RawBodyHmac | TimestampedHmac:
    """The webhook signature format of an ``API-Version`` (``YYYY-MM-DD``).

    ISO dates order as strings, so ``>= "2026-04-17"`` selects the
    timestamped format. A malformed version, an impossible date, or a date
    before ACP's first version (2025-09-29) raises ``ValueError``.
    """
    _check_api_version(api_version)
    if api_version >= TIMESTAMPED_SINCE:
        return TimestampedHmac(tolerance_seconds=tolerance_seconds)
    return RawBodyHmac(encoding=raw_encoding)


def _check_api_version(api_version: object) -> None:
    if not isinstance(api_version, str) or not _API_VERSION.fullmatch(api_version):
        raise ValueError(f"malformed API-Version {api_version!r}: expected YYYY-MM-DD")
    try:
        date.fromisoformat(api_version)
    except ValueError:
        raise ValueError(f"malformed API-Version {api_version!r}: not a calendar date") from None
    if api_version < FIRST_API_VERSION:
        raise ValueError(
            f"unknown API-Version {api_version!r}: ACP's first version is {FIRST_API_VERSION}"
        )
