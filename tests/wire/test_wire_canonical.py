"""RFC 8785 canonicalization and idempotency fingerprints."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest

from acpforge.wire.canonical import canonical_json, canonicalize_bytes, fingerprint

VECTORS = Path(__file__).parent / "vectors"
NUMBERS = json.loads((VECTORS / "rfc8785_numbers.json").read_text())


def _double(hex_bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(hex_bits))[0]


# --- RFC 8785 published examples -------------------------------------------


def test_rfc8785_section_3_2_2_example() -> None:
    raw = (VECTORS / "rfc8785_example_input.json").read_bytes()
    expected = (VECTORS / "rfc8785_example_output.json").read_bytes()
    assert canonicalize_bytes(raw) == expected


def test_rfc8785_example_output_bytes_start_as_in_the_rfc() -> None:
    # The RFC prints the UTF-8 of the output; check the euro sign and escapes.
    out = (VECTORS / "rfc8785_example_output.json").read_bytes()
    assert b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"' in out


def test_rfc8785_sorting_by_utf16_code_units() -> None:
    raw = (VECTORS / "rfc8785_sorting_input.json").read_bytes()
    canonical = canonicalize_bytes(raw).decode("utf-8")
    values = list(json.loads(canonical).values())
    assert values == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",  # U+1F600 is D83D DE00 in UTF-16: before U+FB33
        "Hebrew Letter Dalet With Dagesh",
    ]
    assert canonical.startswith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')


@pytest.mark.parametrize("case", NUMBERS["valid"], ids=lambda c: c["ieee754"])
def test_rfc8785_appendix_b_numbers(case: dict) -> None:
    assert canonical_json(_double(case["ieee754"])) == case["canonical"].encode()


@pytest.mark.parametrize("case", NUMBERS["invalid"], ids=lambda c: c["comment"])
def test_rfc8785_appendix_b_non_numbers_are_rejected(case: dict) -> None:
    with pytest.raises(ValueError, match="canonicalized"):
        canonical_json(_double(case["ieee754"]))


@pytest.mark.parametrize(
    ("literal", "expected"),
    [("1e30", b"1e+30"), ("4.50", b"4.5"), ("0.002", b"0.002"), ("2e-3", b"0.002"),
     ("1E+2", b"100"), ("-0", b"0"), ("1.0", b"1"), ("0.000001", b"0.000001"),
     ("1e-7", b"1e-7"), ("1.2345678901234568e+20", b"123456789012345680000")],
)  # fmt: skip
def test_number_literals_from_raw_json(literal: str, expected: bytes) -> None:
    assert canonicalize_bytes(f"[{literal}]".encode()) == b"[" + expected + b"]"


def test_strings_escape_only_what_jcs_requires() -> None:
    raw = b'["\\u00e9", "\\u001f", "\\t\\b\\f", "\\/", "<>&", "\\ud83d\\ude00"]'
    assert canonicalize_bytes(raw) == '["é","\\u001f","\\t\\b\\f","/","<>&","😀"]'.encode()


def test_whitespace_and_key_order_vanish() -> None:
    a = b'{ "b" : [1, 2, {"y": true, "x": null}],\n "a": "s" }'
    b = b'{"a":"s","b":[1,2,{"x":null,"y":true}]}'
    assert canonicalize_bytes(a) == b


# --- strict parsing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"a": 1,}', "not valid JSON"),
        (b"[NaN]", "NaN"),
        (b"[Infinity]", "Infinity"),
        (b'{"a": 1, "a": 2}', "duplicate object key 'a'"),
        (b'"\xff"', "UTF-8"),
        (b"[1e400]", "canonicalized"),
        (b"[9007199254740993]", "canonicalized"),
        (b'["\\ud800"]', "canonicalized"),
    ],
)
def test_invalid_json_gives_a_clear_value_error(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        canonicalize_bytes(raw)


def test_unserializable_object_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not JSON-serializable|canonicalized"):
        canonical_json({"a": object()})


# --- fingerprints -------------------------------------------------------------


def test_fingerprint_is_sha256_of_the_canonical_form() -> None:
    body = {"b": 1, "a": [True, None]}
    expected = hashlib.sha256(b'{"a":[true,null],"b":1}').hexdigest()
    assert fingerprint(body) == expected


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": {"c": 2, "d": 3}}) == fingerprint(
        {"b": {"d": 3, "c": 2}, "a": 1}
    )


def test_fingerprint_treats_1_0_as_1() -> None:
    assert fingerprint({"quantity": 1.0}) == fingerprint({"quantity": 1})
    assert fingerprint(b'{"quantity": 1.0}') == fingerprint(b'{"quantity":1}')


def test_fingerprint_array_order_matters() -> None:
    assert fingerprint({"items": [1, 2]}) != fingerprint({"items": [2, 1]})


def test_fingerprint_null_is_not_absent() -> None:
    assert fingerprint({"a": 1, "note": None}) != fingerprint({"a": 1})


def test_fingerprint_distinguishes_types() -> None:
    assert fingerprint({"a": 1}) != fingerprint({"a": "1"})
    assert fingerprint({"a": True}) != fingerprint({"a": 1})


def test_fingerprint_of_raw_bytes_equals_fingerprint_of_parsed_value() -> None:
    raw = b'{\n  "z": [1, 2.50],\n  "a": {"k": "v"}\n}'
    assert fingerprint(raw) == fingerprint(json.loads(raw))
    assert len(fingerprint(raw)) == 64
