"""Detached request signatures: committed vectors, round trips, rejections."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from acpforge.wire.request_signing import (
    ED25519,
    ES256,
    RequestSigner,
    RequestVerifier,
    SignatureError,
    generate_private_key,
    public_key_pem,
)

# RFC 8032 section 7.1, TEST 1.
RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_EMPTY_SIG = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
    "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
VECTOR_TIME = datetime(2026, 4, 17, 10, 30, tzinfo=UTC)
BODY = {"allowance": {"max_amount": 2000, "currency": "usd"}, "metadata": {"k": "v"}}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def fixed(moment: datetime):
    return lambda: moment


@pytest.fixture
def rfc_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_SECRET))


@pytest.fixture
def rfc_public() -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(RFC8032_PUBLIC))


@pytest.fixture(params=[ED25519, ES256])
def key_pair(request) -> tuple[bytes, bytes]:
    private = generate_private_key(request.param.lower())
    return private, public_key_pem(private)


def signed_message(case: dict) -> bytes:
    canonical = case["canonical"].encode("utf-8")
    if case["cover_timestamp"]:
        return case["timestamp"].encode() + b"." + canonical
    return canonical


# --- the RFC 8032 key itself --------------------------------------------------


def test_rfc8032_test_1_key_pair_is_the_published_one(rfc_key, rfc_public) -> None:
    assert rfc_key.public_key().public_bytes_raw().hex() == RFC8032_PUBLIC
    assert rfc_key.sign(b"").hex() == RFC8032_EMPTY_SIG
    rfc_public.verify(bytes.fromhex(RFC8032_EMPTY_SIG), b"")


# --- committed Ed25519 vectors (deterministic: exact expected signatures) ---


def _ed_cases(vectors: dict) -> list[dict]:
    return vectors["ed25519"]["cases"]


def test_vector_file_uses_the_rfc8032_key(signing_vectors) -> None:
    assert signing_vectors["ed25519"]["secret_key_hex"] == RFC8032_SECRET
    assert signing_vectors["ed25519"]["public_key_hex"] == RFC8032_PUBLIC
    assert {c["cover_timestamp"] for c in _ed_cases(signing_vectors)} == {False, True}


def test_ed25519_vectors_sign_to_the_committed_signature(signing_vectors, rfc_key) -> None:
    for case in _ed_cases(signing_vectors):
        signer = RequestSigner(rfc_key, cover_timestamp=case["cover_timestamp"])
        headers = signer.sign(case["body"].encode(), timestamp=case["timestamp"])
        assert headers == {"Signature": case["signature"], "Timestamp": case["timestamp"]}, case[
            "name"
        ]


def test_ed25519_vectors_canonical_bytes(signing_vectors) -> None:
    from acpforge.wire.canonical import canonicalize_bytes

    for case in _ed_cases(signing_vectors):
        assert canonicalize_bytes(case["body"].encode()).decode() == case["canonical"]
        assert case["body"] != case["canonical"]  # the raw body really is not canonical


def test_ed25519_vectors_verify_with_the_rfc_public_key_directly(
    signing_vectors, rfc_public
) -> None:
    # Independent of our verifier: cryptography over the documented signed bytes.
    for case in _ed_cases(signing_vectors):
        rfc_public.verify(unb64url(case["signature"]), signed_message(case))


def test_ed25519_vectors_verify_with_our_verifier(signing_vectors, rfc_public) -> None:
    for case in _ed_cases(signing_vectors):
        verifier = RequestVerifier(
            rfc_public, cover_timestamp=case["cover_timestamp"], clock=fixed(VECTOR_TIME)
        )
        verifier.verify(case["body"].encode(), case["signature"], case["timestamp"])


def test_cover_timestamp_really_changes_the_signed_bytes(signing_vectors) -> None:
    by_name = {c["name"]: c["signature"] for c in _ed_cases(signing_vectors)}
    assert by_name["delegate_payment"] != by_name["delegate_payment_cover_timestamp"]


# --- committed ES256 vectors (randomized: verify only) ------------------------


def test_es256_vectors_verify(signing_vectors) -> None:
    public_pem = signing_vectors["es256"]["public_key_pem"].encode()
    for case in signing_vectors["es256"]["cases"]:
        verifier = RequestVerifier(
            public_pem, cover_timestamp=case["cover_timestamp"], clock=fixed(VECTOR_TIME)
        )
        assert verifier.algorithm == ES256
        verifier.verify(case["body"].encode(), case["signature"], case["timestamp"])


def test_es256_vectors_are_raw_r_s_checked_independently(signing_vectors) -> None:
    public = serialization.load_pem_public_key(signing_vectors["es256"]["public_key_pem"].encode())
    for case in signing_vectors["es256"]["cases"]:
        raw = unb64url(case["signature"])
        assert len(raw) == 64
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, signed_message(case), ec.ECDSA(hashes.SHA256()))


# --- round trips -------------------------------------------------------------


def test_round_trip_both_algorithms(key_pair) -> None:
    private, public = key_pair
    signer = RequestSigner(private, clock=fixed(VECTOR_TIME))
    headers = signer.sign(BODY)
    assert headers["Timestamp"] == "2026-04-17T10:30:00Z"
    assert "=" not in headers["Signature"] and len(unb64url(headers["Signature"])) == 64
    verifier = RequestVerifier(public, clock=fixed(VECTOR_TIME + timedelta(seconds=299)))
    assert verifier.algorithm == signer.algorithm
    verifier.verify(BODY, headers)


def test_round_trip_with_cover_timestamp(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, cover_timestamp=True, clock=fixed(VECTOR_TIME)).sign(BODY)
    RequestVerifier(public, cover_timestamp=True, clock=fixed(VECTOR_TIME)).verify(BODY, headers)


def test_cover_timestamp_binds_the_timestamp(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, cover_timestamp=True, clock=fixed(VECTOR_TIME)).sign(BODY)
    replayed = {**headers, "Timestamp": "2026-04-17T10:31:00Z"}
    verifier = RequestVerifier(public, cover_timestamp=True, clock=fixed(VECTOR_TIME))
    with pytest.raises(SignatureError) as err:
        verifier.verify(BODY, replayed)
    assert err.value.reason == "signature_mismatch"


def test_default_mode_does_not_bind_the_timestamp(key_pair) -> None:
    # Documented trade-off of the default: only freshness is checked.
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(BODY)
    moved = {**headers, "Timestamp": "2026-04-17T10:31:00Z"}
    RequestVerifier(public, clock=fixed(VECTOR_TIME)).verify(BODY, moved)


def test_mismatched_cover_timestamp_option_fails(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, cover_timestamp=True, clock=fixed(VECTOR_TIME)).sign(BODY)
    with pytest.raises(SignatureError, match="signature_mismatch"):
        RequestVerifier(public, clock=fixed(VECTOR_TIME)).verify(BODY, headers)


def test_whitespace_and_key_order_different_body_still_verifies(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(
        b'{"metadata":{"k":"v"},"allowance":{"currency":"usd","max_amount":2000}}'
    )
    received = b'{\n  "allowance": { "max_amount": 2000.0, "currency": "usd" },\n  "metadata": {"k": "v"}\n}'
    RequestVerifier(public, clock=fixed(VECTOR_TIME)).verify(received, headers)


def test_headers_are_matched_case_insensitively(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(BODY)
    lowered = {"signature": headers["Signature"], "timestamp": headers["Timestamp"]}
    RequestVerifier(public, clock=fixed(VECTOR_TIME)).verify(BODY, lowered)


def test_signer_accepts_pem_str_and_reports_algorithm() -> None:
    assert RequestSigner(generate_private_key("ed25519").decode()).algorithm == ED25519
    assert RequestSigner(generate_private_key("ES256")).algorithm == ES256


def test_signer_uses_the_injected_clock_in_utc() -> None:
    cest = datetime(2026, 4, 17, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    headers = RequestSigner(generate_private_key("ed25519"), clock=lambda: cest).sign(BODY)
    assert headers["Timestamp"] == "2026-04-17T12:30:00Z"


def test_signer_refuses_a_str_body_and_a_bad_timestamp() -> None:
    signer = RequestSigner(generate_private_key("ed25519"))
    with pytest.raises(TypeError):
        signer.sign('{"a": 1}')
    with pytest.raises(SignatureError, match="bad_timestamp"):
        signer.sign(BODY, timestamp="17/04/2026")


# --- rejections, each with its reason ---------------------------------------


def reason_of(verifier: RequestVerifier, body, headers, timestamp=None) -> str:
    with pytest.raises(SignatureError) as err:
        verifier.verify(body, headers, timestamp)
    return err.value.reason


@pytest.fixture
def signed(key_pair):
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(BODY)
    return RequestVerifier(public, clock=fixed(VECTOR_TIME)), headers


def test_tampered_body_is_rejected(signed) -> None:
    verifier, headers = signed
    tampered = json.loads(json.dumps(BODY))
    tampered["allowance"]["max_amount"] = 200000
    assert reason_of(verifier, tampered, headers) == "signature_mismatch"


def test_tampered_signature_is_rejected(signed) -> None:
    verifier, headers = signed
    raw = bytearray(unb64url(headers["Signature"]))
    raw[10] ^= 0x01
    assert reason_of(verifier, BODY, {**headers, "Signature": b64url(bytes(raw))}) == (
        "signature_mismatch"
    )


def test_wrong_key_is_rejected(key_pair, signed) -> None:
    _, headers = signed
    other = public_key_pem(generate_private_key("ed25519"))
    other_es = public_key_pem(generate_private_key("es256"))
    for public in (other, other_es):
        verifier = RequestVerifier(public, clock=fixed(VECTOR_TIME))
        assert reason_of(verifier, BODY, headers) == "signature_mismatch"


@pytest.mark.parametrize("seconds", [301, -301, 86400])
def test_timestamp_outside_skew_is_rejected(key_pair, seconds: int) -> None:
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(BODY)
    verifier = RequestVerifier(public, clock=fixed(VECTOR_TIME + timedelta(seconds=seconds)))
    assert reason_of(verifier, BODY, headers) == "timestamp_skew"


def test_max_skew_is_configurable(key_pair) -> None:
    private, public = key_pair
    headers = RequestSigner(private, clock=fixed(VECTOR_TIME)).sign(BODY)
    later = fixed(VECTOR_TIME + timedelta(seconds=60))
    assert reason_of(RequestVerifier(public, max_skew_seconds=30, clock=later), BODY, headers) == (
        "timestamp_skew"
    )
    RequestVerifier(public, max_skew_seconds=60, clock=later).verify(BODY, headers)


@pytest.mark.parametrize("signature", ["abc+def/ghi", "YWJj==", "not base64!", "A", "ZXltZX...."])
def test_bad_base64url_is_rejected(signed, signature: str) -> None:
    verifier, headers = signed
    assert reason_of(verifier, BODY, {**headers, "Signature": signature}) == "bad_base64url"


def test_standard_base64_of_a_valid_signature_is_rejected(signed) -> None:
    verifier, headers = signed
    standard = base64.b64encode(unb64url(headers["Signature"])).decode()
    assert standard.endswith("==")  # 64 bytes: standard base64 is always padded
    assert reason_of(verifier, BODY, {**headers, "Signature": standard}) == "bad_base64url"


def test_der_es256_signature_is_rejected_with_a_hint() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.sign(b'{"a":1}', ec.ECDSA(hashes.SHA256()))
    verifier = RequestVerifier(private.public_key(), clock=fixed(VECTOR_TIME))
    with pytest.raises(SignatureError) as err:
        verifier.verify({"a": 1}, b64url(der), "2026-04-17T10:30:00Z")
    assert err.value.reason == "bad_signature_length"
    assert "not DER" in str(err.value)


@pytest.mark.parametrize(
    "timestamp",
    ["2026-04-17", "2026-04-17T10:30:00", "1776421800", "Fri, 17 Apr 2026 10:30:00 GMT",
     "2026-13-17T10:30:00Z", "2026-04-17T25:30:00Z"],
)  # fmt: skip
def test_bad_timestamp_format_is_rejected(signed, timestamp: str) -> None:
    verifier, headers = signed
    assert reason_of(verifier, BODY, headers["Signature"], timestamp) == "bad_timestamp"


def test_rfc3339_offsets_and_fractions_are_accepted(signed) -> None:
    verifier, headers = signed
    verifier.verify(BODY, headers["Signature"], "2026-04-17T12:30:00.250+02:00")
    verifier.verify(BODY, headers["Signature"], "2026-04-17t10:30:00z")


def test_missing_headers_are_rejected(signed) -> None:
    verifier, headers = signed
    assert reason_of(verifier, BODY, {"Timestamp": headers["Timestamp"]}) == "missing_signature"
    assert reason_of(verifier, BODY, {"Signature": headers["Signature"]}) == "missing_timestamp"
    assert reason_of(verifier, BODY, None, headers["Timestamp"]) == "missing_signature"
    assert reason_of(verifier, BODY, headers["Signature"], "") == "missing_timestamp"


def test_invalid_json_body_is_rejected(signed) -> None:
    verifier, headers = signed
    assert reason_of(verifier, b'{"allowance": ', headers) == "bad_body"


# --- keys ---------------------------------------------------------------------


def test_wrong_key_type_is_rejected() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p384 = ec.generate_private_key(ec.SECP384R1())
    for key in (rsa_key, p384):
        with pytest.raises(SignatureError) as err:
            RequestSigner(key)
        assert err.value.reason == "wrong_key_type"
        with pytest.raises(SignatureError) as err:
            RequestVerifier(key.public_key())
        assert err.value.reason == "wrong_key_type"


def test_wrong_key_type_pem_is_rejected() -> None:
    rsa_pub = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(SignatureError, match="wrong_key_type"):
        RequestVerifier(rsa_pub)


def test_bad_pem_is_rejected() -> None:
    with pytest.raises(SignatureError, match="bad_key"):
        RequestSigner(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SignatureError, match="bad_key"):
        RequestVerifier(b"not a pem")
    with pytest.raises(SignatureError, match="got a private key"):
        RequestVerifier(generate_private_key("ed25519"))


def test_encrypted_private_key_is_rejected_clearly() -> None:
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(SignatureError, match="encrypted"):
        RequestSigner(pem)


def test_generate_private_key_and_public_key_pem() -> None:
    for alg, cls in (("ed25519", ed25519.Ed25519PublicKey), ("es256", ec.EllipticCurvePublicKey)):
        private = generate_private_key(alg)
        assert private.startswith(b"-----BEGIN PRIVATE KEY-----")
        public = public_key_pem(private)
        assert public.startswith(b"-----BEGIN PUBLIC KEY-----")
        assert isinstance(serialization.load_pem_public_key(public), cls)
    with pytest.raises(ValueError, match="unknown algorithm"):
        generate_private_key("rs256")


def test_verifier_accepts_a_private_key_object(rfc_key, signing_vectors) -> None:
    case = _ed_cases(signing_vectors)[0]
    verifier = RequestVerifier(rfc_key, clock=fixed(VECTOR_TIME))
    verifier.verify(case["body"].encode(), case["signature"], case["timestamp"])
