"""Redaction: card numbers, CVCs, tokens and secrets never survive."""

from __future__ import annotations

import io
import json
import logging

import pytest

from acpforge.wire.redact import (
    RedactingFilter,
    install_redaction,
    redact_headers,
    redact_json,
    redact_text,
)

PANS = [
    "4242424242424242",  # Visa
    "5555555555554444",  # Mastercard
    "378282246310005",  # Amex, 15 digits
    "6011111111111117",  # Discover
    "30569309025904",  # Diners, 14 digits
    "4000056655665556",
]
CVC = "987"
BEARER = "sk_live_51HxQeZ2eZvKYlo2C0abcdef"
VAULT = "vt_01HV3P3ZK8QWERTY7788"


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit (independent of the module under test)."""
    digits = [int(d) for d in prefix][::-1]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return prefix + str((10 - total % 10) % 10)


PAN_19 = luhn_complete("622126000000000001")  # 19 digits
PAN_12 = luhn_complete("50000000001")  # 12 digits


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked in {text!r}"


def test_luhn_helper_and_lengths() -> None:
    assert len(PAN_19) == 19 and len(PAN_12) == 12
    assert luhn_complete("424242424242424") == "4242424242424242"


# --- headers -------------------------------------------------------------------


def test_redact_headers() -> None:
    headers = {
        "Authorization": f"Bearer {BEARER}",
        "Signature": "6_1ak2luti8qDymdPYLK1",
        "Merchant-Signature": "t=1,v1=abc",
        "Cookie": "session=abc",
        "X-Api-Key": "key_123",
        "X-Webhook-Secret": "whsec_1",
        "X-Refresh-Token": "rt_1",
        "Idempotency-Key": "idem_42",
        "Request-Id": "req_1",
        "Content-Type": "application/json",
        "Timestamp": "2026-04-17T10:30:00Z",
    }
    out = redact_headers(headers)
    assert out == {
        "Authorization": "Bearer ***",
        "Signature": "***",
        "Merchant-Signature": "***",
        "Cookie": "***",
        "X-Api-Key": "***",
        "X-Webhook-Secret": "***",
        "X-Refresh-Token": "***",
        "Idempotency-Key": "idem_42",
        "Request-Id": "req_1",
        "Content-Type": "application/json",
        "Timestamp": "2026-04-17T10:30:00Z",
    }
    assert headers["Authorization"] == f"Bearer {BEARER}"  # input untouched


def test_redact_headers_is_case_insensitive_and_keeps_other_schemes() -> None:
    out = redact_headers([("authorization", "Basic dXNlcjpwYXNz"), ("x-api-key", "k")])
    assert out == {"authorization": "Basic ***", "x-api-key": "***"}
    assert redact_headers({"Authorization": "rawtoken"}) == {"Authorization": "***"}


def test_redact_headers_scrubs_pan_in_other_headers() -> None:
    out = redact_headers({"X-Debug": f"card {PANS[0]}"})
    assert_no_secret(out["X-Debug"], PANS[0])
    assert out["X-Debug"].endswith("4242")


def test_redact_headers_works_with_httpx_headers() -> None:
    httpx = pytest.importorskip("httpx")
    out = redact_headers(httpx.Headers({"Authorization": f"Bearer {BEARER}"}))
    assert out == {"authorization": "Bearer ***"}


def test_redact_headers_is_idempotent() -> None:
    once = redact_headers({"Authorization": f"Bearer {BEARER}", "Signature": "s"})
    assert redact_headers(once) == once


# --- JSON --------------------------------------------------------------------


def delegate_payment_body(pan: str = PANS[0]) -> dict:
    return {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": pan,
            "exp_month": "11",
            "exp_year": "2026",
            "cvc": CVC,
            "cryptogram": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "display_last4": pan[-4:],
            "metadata": {"note": f"retry with {pan}"},
        },
        "allowance": {"max_amount": 2000, "currency": "usd"},
        "payment_data": {"token": VAULT, "provider": "stripe"},
        "credential": {"type": "spt", "token": "spt_123456789"},
        "webhook_secret": "whsec_abc",
        "api_key": "ak_1",
        "password": "hunter2",
        "access_token": "at_1",
        "created": "2026-04-17T10:30:00Z",
    }


@pytest.mark.parametrize("pan", [*PANS, PAN_19, PAN_12])
def test_redact_json_card_numbers_keep_last_four(pan: str) -> None:
    out = redact_json(delegate_payment_body(pan))
    assert out["payment_method"]["number"] == "*" * (len(pan) - 4) + pan[-4:]
    assert_no_secret(json.dumps(out), pan)


def test_redact_json_masks_cvc_and_secrets() -> None:
    out = redact_json(delegate_payment_body())
    method = out["payment_method"]
    assert method["number"] == "************4242"
    assert method["cvc"] == method["cryptogram"] == "***"
    assert out["payment_data"]["token"] == "***"
    assert out["credential"]["token"] == "***"
    for key in ("webhook_secret", "api_key", "password", "access_token"):
        assert out[key] == "***"
    # what is not secret stays readable
    assert method["display_last4"] == "4242"
    assert method["exp_month"] == "11"
    assert out["allowance"] == {"max_amount": 2000, "currency": "usd"}
    assert out["created"] == "2026-04-17T10:30:00Z"
    assert_no_secret(json.dumps(out), PANS[0], "hunter2", "whsec_abc", "spt_123456789", VAULT)


def test_redact_json_vault_tokens_anywhere() -> None:
    out = redact_json({"id": VAULT, "events": [{"ref": f"used {VAULT}"}], "short": "vt_ab"})
    assert out["id"] == "vt_***7788"
    assert out["events"][0]["ref"] == "used vt_***7788"
    assert out["short"] == "vt_***"


def test_redact_json_is_a_deep_copy() -> None:
    body = delegate_payment_body()
    redact_json(body)
    assert body["payment_method"]["number"] == PANS[0]
    assert body["payment_method"]["cvc"] == CVC


def test_redact_json_edge_values() -> None:
    out = redact_json(
        {"number": 42, "cvc": None, "Card-Number": 4242424242424242, "CVV": 123, "ok": [1, True]}
    )
    assert out == {
        "number": 42,  # a street number is not a card number
        "cvc": None,
        "Card-Number": "************4242",
        "CVV": "***",
        "ok": [1, True],
    }


def test_redact_json_is_idempotent() -> None:
    once = redact_json(delegate_payment_body())
    assert redact_json(once) == once


# --- free text -----------------------------------------------------------------


@pytest.mark.parametrize("pan", [*PANS, PAN_19, PAN_12])
def test_redact_text_pans(pan: str) -> None:
    out = redact_text(f"charging card {pan} now")
    assert_no_secret(out, pan)
    assert out == f"charging card {'*' * (len(pan) - 4)}{pan[-4:]} now"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4242 4242 4242 4242", "**** **** **** 4242"),
        ("4242-4242-4242-4242", "****-****-****-4242"),
        ("3782 822463 10005", "**** ****** *0005"),
        ("x 1 4242 4242 4242 4242 y", "x 1 **** **** **** 4242 y"),
    ],
)
def test_redact_text_separated_pans(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_text_leaves_non_luhn_and_short_numbers() -> None:
    text = "order 4242424242424241 at 1776421800 on 2026-04-17, qty 12"
    assert redact_text(text) == text


def test_redact_text_bearer() -> None:
    out = redact_text(f"sent Authorization: Bearer {BEARER} and bearer abc.def-ghi~")
    assert_no_secret(out, BEARER, "abc.def-ghi")
    assert "Bearer ***" in out and "bearer ***" in out


def test_redact_text_json_and_repr_pairs() -> None:
    body = delegate_payment_body(PAN_19)
    for text in (json.dumps(body), json.dumps(body, indent=2), repr(body), str(body)):
        out = redact_text(text)
        assert_no_secret(out, PAN_19, CVC, "hunter2", "whsec_abc", "spt_123456789", VAULT)
        assert_no_secret(out, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")


def test_redact_text_numeric_and_escaped_values() -> None:
    assert redact_text('{"cvc": 987}') == '{"cvc": "***"}'
    assert redact_text('{"password": "a\\"b\\"c", "x": 1}') == '{"password": "***", "x": 1}'
    assert redact_text('{"number": "12345678901234"}') == '{"number": "**********1234"}'


def test_redact_text_key_value_and_header_lines() -> None:
    out = redact_text("GET /cb?api_key=ak_1&x=1 password=hunter2\nCookie: sid=abc\nX-Api-Key: k9")
    assert out == "GET /cb?api_key=***&x=1 password=***\nCookie: ***\nX-Api-Key: ***"


def test_redact_text_vault_tokens() -> None:
    assert redact_text(f"token {VAULT} issued") == "token vt_***7788 issued"


MIXED = (
    f'Authorization: Bearer {BEARER}\n{{"number": "{PANS[0]}", "cvc": "{CVC}", "token": "{VAULT}"}}'
    f" card {PAN_19} / 4242 4242 4242 4242 ref {VAULT} secret=s3cr3t 'cvv': '123'"
)


def test_redact_text_mixed_leaks_nothing() -> None:
    out = redact_text(MIXED)
    assert_no_secret(out, BEARER, PANS[0], PAN_19, VAULT, "s3cr3t", "4242 4242 4242 4242")
    assert f'"cvc": "{CVC}"' not in out and "'cvv': '123'" not in out


@pytest.mark.parametrize(
    "text", [MIXED, json.dumps(delegate_payment_body()), repr(delegate_payment_body(PAN_12))]
)
def test_redact_text_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert once != text
    assert redact_text(once) == once


# --- logging -------------------------------------------------------------------


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    loggers = []

    def make(name: str, with_filter: bool = True) -> logging.Logger:
        logger = logging.getLogger(name)
        logger.handlers, logger.filters = [handler], []
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        if with_filter:
            logger.addFilter(RedactingFilter())
        loggers.append(logger)
        return logger

    yield make, stream
    for logger in loggers:
        logger.handlers, logger.filters = [], []


def test_logger_with_filter_never_emits_the_card_number(captured) -> None:
    make, stream = captured
    log = make("acpforge.test.redact")
    body = delegate_payment_body()
    log.info("card %s cvc %s", PANS[0], CVC)
    log.info("delegate payment body: %s", body)
    log.info("as json: %s", json.dumps(body))
    log.info(body)
    log.info("by name %(number)s", {"number": PANS[0]})
    log.warning("auth header was Bearer %s", BEARER)
    try:
        raise ValueError(f"declined card {PANS[0]}")
    except ValueError:
        log.exception("payment failed")
    output = stream.getvalue()
    assert_no_secret(output, PANS[0], BEARER, "hunter2", VAULT, f"'cvc': '{CVC}'")
    assert "************4242" in output
    assert "ValueError: declined card ************4242" in output  # the traceback is kept
    assert output.count("\n") >= 7


def test_without_the_filter_the_card_number_would_leak(captured) -> None:
    # Guards the test above: the capture really shows raw messages.
    make, stream = captured
    make("acpforge.test.raw", with_filter=False).info("card %s", PANS[0])
    assert PANS[0] in stream.getvalue()


def test_filter_keeps_records_and_survives_bad_format_strings(captured) -> None:
    make, stream = captured
    log = make("acpforge.test.badformat")
    log.info("two placeholders %s %s", PANS[0])  # noqa: PLE1206
    assert_no_secret(stream.getvalue(), PANS[0])
    assert RedactingFilter().filter(logging.LogRecord("n", 20, "p", 1, "m", (), None)) is True


def test_install_redaction_covers_child_loggers_through_handlers() -> None:
    stream = io.StringIO()
    parent = logging.getLogger("acpforge.test.install")
    child = logging.getLogger("acpforge.test.install.child")
    handler = logging.StreamHandler(stream)
    parent.handlers, parent.propagate = [handler], False
    parent.setLevel(logging.INFO)
    try:
        installed = install_redaction(["acpforge.test.install"])
        again = install_redaction("acpforge.test.install")
        assert installed in parent.filters and installed in handler.filters
        assert again not in parent.filters and len(handler.filters) == 1
        child.info("child logs card %s", PANS[1])  # parent's own filter never sees this
        parent.info("parent logs card %s", PANS[0])
        output = stream.getvalue()
        assert_no_secret(output, PANS[0], PANS[1])
        assert "************4444" in output and "************4242" in output
    finally:
        parent.handlers, parent.filters = [], []
