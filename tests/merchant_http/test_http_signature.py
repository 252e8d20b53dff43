"""Request signatures (Ed25519, ES256) verified by the stack over real HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from acpforge.merchant.http import SignatureConfig
from acpforge.wire.request_signing import (
    RequestSigner,
    format_timestamp,
    generate_private_key,
    public_key_pem,
)

DELEGATE = "/agentic_commerce/delegate_payment"
BODY = {
    "payment_method": {"type": "card", "number": "4242424242424242"},
    "allowance": {"max_amount": 1000},
}


@pytest.fixture(scope="module")
def keys():
    ed = generate_private_key("ed25519")
    es = generate_private_key("es256")
    stranger = generate_private_key("ed25519")
    return {"ed25519": ed, "es256": es, "stranger": stranger}


@pytest.fixture
def signed_server(harness, keys):
    config = SignatureConfig(
        public_keys=[public_key_pem(keys["ed25519"]), public_key_pem(keys["es256"])]
    )
    return harness(signature=config)


def post_signed(h, headers, raw: bytes, key: str | None = None):
    return h.post(DELEGATE, raw=raw, key=key or f"sig-{uuid.uuid4()}", headers=headers)


@pytest.mark.parametrize("alg", ["ed25519", "es256"])
def test_valid_signature_passes(signed_server, keys, alg):
    h = signed_server
    signer = RequestSigner(keys[alg], clock=h.clock.now)  # the server checks skew on its clock
    raw = json.dumps(BODY).encode()
    r = post_signed(h, signer.sign(raw), raw)
    assert r.status_code == 201, r.text
    assert r.json()["body"] == BODY
    assert h.calls["delegate"] == 1


def test_signature_covers_the_canonical_form_not_the_bytes(signed_server, keys):
    h = signed_server
    headers = RequestSigner(keys["ed25519"], clock=h.clock.now).sign(BODY)
    reformatted = b'{ "allowance" : {"max_amount": 1000.0},\n "payment_method": {"number": "4242424242424242", "type": "card"} }'
    assert post_signed(h, headers, reformatted).status_code == 201


def test_tampered_body_is_401_with_the_reason(signed_server, keys):
    h = signed_server
    headers = RequestSigner(keys["es256"], clock=h.clock.now).sign(BODY)
    tampered = json.dumps({**BODY, "allowance": {"max_amount": 999999}}).encode()
    r = post_signed(h, headers, tampered)
    assert r.status_code == 401
    body = h.error_of(r)
    assert body["code"] == "invalid_signature"
    assert "signature_mismatch" in body["message"]
    assert h.calls["delegate"] == 0


def test_stale_timestamp_is_401(signed_server, keys):
    h = signed_server
    signer = RequestSigner(keys["ed25519"])
    stale = format_timestamp(h.clock.now() - timedelta(minutes=10))
    r = post_signed(h, signer.sign(BODY, timestamp=stale), json.dumps(BODY).encode())
    assert r.status_code == 401
    assert "timestamp_skew" in h.error_of(r)["message"]
    assert h.calls["delegate"] == 0


def test_unknown_key_and_missing_headers_are_401(signed_server, keys):
    h = signed_server
    raw = json.dumps(BODY).encode()
    r = post_signed(h, RequestSigner(keys["stranger"], clock=h.clock.now).sign(raw), raw)
    assert r.status_code == 401 and "signature_mismatch" in h.error_of(r)["message"]
    r = post_signed(h, {}, raw)
    assert r.status_code == 401 and "missing_signature" in h.error_of(r)["message"]
    headers = RequestSigner(keys["ed25519"], clock=h.clock.now).sign(raw)
    r = post_signed(h, {"Signature": headers["Signature"]}, raw)
    assert r.status_code == 401 and "missing_timestamp" in h.error_of(r)["message"]
    assert h.calls["delegate"] == 0


def test_a_tampered_retry_gets_401_not_the_stored_answer(signed_server, keys):
    h = signed_server
    signer = RequestSigner(keys["ed25519"], clock=h.clock.now)
    raw = json.dumps(BODY).encode()
    first = post_signed(h, signer.sign(raw), raw, key="sig-retry")
    assert first.status_code == 201
    r = post_signed(h, {**signer.sign(raw), "Signature": "A" * 86}, raw, key="sig-retry")
    assert r.status_code == 401
    assert "Idempotent-Replayed" not in r.headers
    replay = post_signed(h, signer.sign(raw), raw, key="sig-retry")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


def test_other_paths_need_no_signature_by_default(signed_server):
    h = signed_server
    assert h.post("/checkout_sessions", {"a": 1}, key="unsigned").status_code == 201


def test_signature_on_every_path(harness, keys):
    h = harness(
        signature=SignatureConfig(public_keys=[public_key_pem(keys["ed25519"])], paths=None)
    )
    r = h.post("/checkout_sessions", {"a": 1}, key="needs-sig")
    assert r.status_code == 401 and h.error_of(r)["code"] == "invalid_signature"
    signer = RequestSigner(keys["ed25519"], clock=h.clock.now)
    raw = b'{"a":1}'
    assert (
        h.post("/checkout_sessions", raw=raw, key="has-sig", headers=signer.sign(raw)).status_code
        == 201
    )
    assert h.get("/checkout_sessions/cs_1").status_code == 200  # GETs carry no body to sign
