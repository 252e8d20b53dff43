"""Webhook HMAC signatures in both formats, and the per-version choice."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from acpforge.wire.webhook_signature import (
    RawBodyHmac,
    TimestampedHmac,
    WebhookSignatureError,
    format_for_version,
)

BODY = b'{"type":"order_update","data":{"type":"order","checkout_session_id":"cs_1"}}'
SECRET = "whsec_test_0123456789"
NOW = 1776421800  # 2026-04-17T10:30:00Z


def stdlib_hmac(secret: str | bytes, message: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def reason_of(fmt, body, header, secret=SECRET, now=NOW) -> str:
    with pytest.raises(WebhookSignatureError) as err:
        fmt.verify(body, header, secret, now=now)
    return err.value.reason


# --- RawBodyHmac -------------------------------------------------------------


def test_raw_body_rfc4231_test_case_2() -> None:
    # RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?".
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert RawBodyHmac().sign(b"what do ya want for nothing?", "Jefe") == expected


def test_raw_body_hex_matches_stdlib_and_verifies() -> None:
    fmt = RawBodyHmac()
    header = fmt.sign(BODY, SECRET)
    assert header == stdlib_hmac(SECRET, BODY)
    assert header == header.lower() and len(header) == 64
    fmt.verify(BODY, header, SECRET)
    fmt.verify(BODY, header.upper(), SECRET)  # same bytes, other case


def test_raw_body_base64_encoding() -> None:
    fmt = RawBodyHmac(encoding="base64")
    expected = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    assert fmt.sign(BODY, SECRET) == expected
    fmt.verify(BODY, expected, SECRET)
    assert reason_of(fmt, BODY, stdlib_hmac(SECRET, BODY)) == "malformed_header"


def test_raw_body_bytes_and_str_secret_are_the_same() -> None:
    assert RawBodyHmac().sign(BODY, SECRET.encode()) == RawBodyHmac().sign(BODY, SECRET)


def test_raw_body_rejects_tampering_and_wrong_secret() -> None:
    fmt = RawBodyHmac()
    header = fmt.sign(BODY, SECRET)
    assert reason_of(fmt, BODY.replace(b"cs_1", b"cs_2"), header) == "signature_mismatch"
    assert reason_of(fmt, BODY + b" ", header) == "signature_mismatch"  # raw bytes, not JSON
    assert reason_of(fmt, BODY, header, secret="other") == "signature_mismatch"


@pytest.mark.parametrize(
    "header", ["abc", "zz" * 32, "ab " * 32, "t=1,v1=" + "0" * 64, "0" * 62, "0" * 66]
)
def test_raw_body_rejects_malformed(header: str) -> None:
    assert reason_of(RawBodyHmac(), BODY, header) == "malformed_header"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_raw_body_rejects_missing(header) -> None:
    assert reason_of(RawBodyHmac(), BODY, header) == "missing_header"


def test_raw_body_rotation_on_the_receiver() -> None:
    header = RawBodyHmac().sign(BODY, "new-secret")
    RawBodyHmac().verify(BODY, header, ["old-secret", "new-secret"])
    assert reason_of(RawBodyHmac(), BODY, header, secret=["old-secret"]) == "signature_mismatch"


def test_raw_body_unknown_encoding_and_empty_secret() -> None:
    with pytest.raises(ValueError):
        RawBodyHmac(encoding="base32")
    with pytest.raises(ValueError, match="empty"):
        RawBodyHmac().sign(BODY, "")


# --- TimestampedHmac ---------------------------------------------------------


def test_timestamped_matches_stdlib() -> None:
    header = TimestampedHmac().sign(BODY, SECRET, now=NOW)
    expected_mac = stdlib_hmac(SECRET, f"{NOW}.".encode() + BODY)
    assert header == f"t={NOW},v1={expected_mac}"
    TimestampedHmac().verify(BODY, header, SECRET, now=NOW)


def test_timestamped_known_value() -> None:
    # Computed independently: HMAC-SHA256("secret", b"1700000000.{}").
    mac = hmac.new(b"secret", b"1700000000.{}", hashlib.sha256).hexdigest()
    header = TimestampedHmac().sign(b"{}", "secret", now=1700000000)
    assert header == f"t=1700000000,v1={mac}"


def test_timestamped_uses_the_clock_by_default() -> None:
    import time

    header = TimestampedHmac().sign(BODY, SECRET)
    t = int(header.split(",")[0].removeprefix("t="))
    assert abs(t - time.time()) < 5
    TimestampedHmac().verify(BODY, header, SECRET)


@pytest.mark.parametrize("delta", [0, 1, 299, 300, -300])
def test_timestamped_inside_tolerance(delta: int) -> None:
    header = TimestampedHmac().sign(BODY, SECRET, now=NOW)
    TimestampedHmac().verify(BODY, header, SECRET, now=NOW + delta)


@pytest.mark.parametrize("delta", [301, -301, 3600])
def test_timestamped_outside_tolerance(delta: int) -> None:
    header = TimestampedHmac().sign(BODY, SECRET, now=NOW)
    assert reason_of(TimestampedHmac(), BODY, header, now=NOW + delta) == (
        "timestamp_outside_tolerance"
    )


def test_timestamped_tolerance_is_configurable() -> None:
    header = TimestampedHmac().sign(BODY, SECRET, now=NOW)
    assert reason_of(TimestampedHmac(tolerance_seconds=10), BODY, header, now=NOW + 11) == (
        "timestamp_outside_tolerance"
    )


def test_timestamped_rejects_tampering() -> None:
    fmt = TimestampedHmac()
    header = fmt.sign(BODY, SECRET, now=NOW)
    mac = header.split("v1=")[1]
    assert reason_of(fmt, BODY.replace(b"cs_1", b"cs_2"), header) == "signature_mismatch"
    # moving t inside the window breaks the MAC: the timestamp is signed
    assert reason_of(fmt, BODY, f"t={NOW + 1},v1={mac}") == "signature_mismatch"
    assert reason_of(fmt, BODY, header, secret="wrong") == "signature_mismatch"
    # a raw-body MAC in the new header does not pass
    assert reason_of(fmt, BODY, f"t={NOW},v1={stdlib_hmac(SECRET, BODY)}") == "signature_mismatch"


def test_timestamped_rotation_several_v1_entries() -> None:
    fmt = TimestampedHmac()
    header = fmt.sign(BODY, ["old-secret", "new-secret"], now=NOW)
    assert header.count("v1=") == 2
    fmt.verify(BODY, header, "old-secret", now=NOW)
    fmt.verify(BODY, header, "new-secret", now=NOW)
    assert reason_of(fmt, BODY, header, secret="third") == "signature_mismatch"
    # a bogus first entry does not hide a valid second one
    good = stdlib_hmac("new-secret", f"{NOW}.".encode() + BODY)
    fmt.verify(BODY, f"t={NOW},v1={'0' * 64},v1={good}", "new-secret", now=NOW)


def test_timestamped_accepts_spaces_uppercase_hex_and_unknown_schemes() -> None:
    mac = stdlib_hmac(SECRET, f"{NOW}.".encode() + BODY)
    TimestampedHmac().verify(BODY, f"t={NOW}, v1={mac.upper()}, v0=legacy", SECRET, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "v1=" + "a" * 64,  # no t
        f"t={NOW}",  # no v1
        f"t={NOW},t={NOW},v1=" + "a" * 64,  # two t
        "t=abc,v1=" + "a" * 64,
        "t=-5,v1=" + "a" * 64,
        f"t={NOW},v1=" + "a" * 63,
        f"t={NOW},v1=" + "g" * 64,
        f"t={NOW};v1=" + "a" * 64,
        f"t={NOW},,v1=" + "a" * 64,
        f"t={NOW},v1",
        "a" * 64,  # a raw-body header sent to a 2026-04-17 receiver
    ],
)
def test_timestamped_rejects_malformed(header: str) -> None:
    assert reason_of(TimestampedHmac(), BODY, header) == "malformed_header"


def test_timestamped_rejects_missing() -> None:
    assert reason_of(TimestampedHmac(), BODY, None) == "missing_header"


def test_header_name_is_merchant_signature() -> None:
    assert RawBodyHmac().header_name == TimestampedHmac().header_name == "Merchant-Signature"


# --- format_for_version ------------------------------------------------------


@pytest.mark.parametrize("version", ["2025-09-29", "2025-12-12", "2026-01-16", "2026-01-30"])
def test_early_versions_sign_the_raw_body(version: str) -> None:
    assert isinstance(format_for_version(version), RawBodyHmac)


@pytest.mark.parametrize("version", ["2026-04-17", "2026-09-01", "2027-01-01"])
def test_later_versions_sign_timestamped(version: str) -> None:
    assert isinstance(format_for_version(version), TimestampedHmac)


def test_format_options_pass_through() -> None:
    assert format_for_version("2025-09-29", raw_encoding="base64").encoding == "base64"
    assert format_for_version("2026-04-17", tolerance_seconds=60).tolerance_seconds == 60


@pytest.mark.parametrize(
    "version", ["", "latest", "2026-4-17", "2026-04-17T00:00:00Z", "2026-02-30", "2024-01-01", None]
)
def test_malformed_or_unknown_versions(version) -> None:
    with pytest.raises(ValueError):
        format_for_version(version)
