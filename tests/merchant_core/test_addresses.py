import pytest

from acpforge.merchant.core import Address, MessageCode, validate_address
from acpforge.merchant.core.addresses import SUPPORTED_COUNTRIES, normalize_address

from .support import ADDR_BAD_STATE, ADDR_LONDON, ADDR_NY, ADDR_SF


def fields(problems):
    return [(p.field, p.code) for p in problems]


@pytest.mark.parametrize("address", [
    ADDR_SF, ADDR_NY, ADDR_LONDON,
    Address("A B", "1 Rue de Rivoli", "Paris", "", "FR", "75001"),
    Address("A B", "Unter den Linden 1", "Berlin", "", "de", "10117"),
    Address("A B", "1 Yonge St", "Toronto", "on", "CA", "M5E 1W7", line_two="Suite 5"),
])
def test_valid_addresses(address):
    assert validate_address(address) == []


def test_supported_countries():
    assert {"US", "CA", "GB", "DE", "FR"} <= set(SUPPORTED_COUNTRIES)


def test_unknown_and_malformed_country():
    assert fields(validate_address(Address("A", "1 St", "Tokyo", "", "JP", "100-0001"))) == [("country", MessageCode.INVALID)]
    assert fields(validate_address(Address("A", "1 St", "X", "", "USA", "1"))) == [("country", MessageCode.INVALID)]


def test_bad_us_state_and_missing_state():
    assert fields(validate_address(ADDR_BAD_STATE)) == [("state", MessageCode.INVALID)]
    assert fields(validate_address(Address("A", "1 St", "X", "", "US", "12345"))) == [("state", MessageCode.MISSING)]


def test_empty_required_fields_each_reported_with_field_and_param():
    problems = validate_address(Address("", " ", "", "NY", "US", ""))
    assert fields(problems) == [("name", "missing"), ("line_one", "missing"), ("city", "missing"), ("postal_code", "missing")]
    assert problems[0].param() == "$.fulfillment_address.name"
    assert problems[0].param("$.billing_address") == "$.billing_address.name"


def test_postal_code_formats_and_lengths():
    assert fields(validate_address(Address("A", "1 St", "X", "NY", "US", "1234"))) == [("postal_code", "invalid")]
    assert fields(validate_address(Address("A", "x" * 61, "X", "NY", "US", "12345"))) == [("line_one", "invalid")]


def test_never_raises_on_garbage():
    garbage = Address(None, 5, None, 7, None, None, line_two=3)  # type: ignore[arg-type]
    problems = validate_address(garbage)
    assert {p.field for p in problems} >= {"name", "line_one", "city", "country", "postal_code", "line_two"}
    assert fields(validate_address(None)) == [("", "missing")]


def test_normalize_trims_and_uppercases():
    n = normalize_address(Address(" Jane ", " 1 St ", " NYC ", "ny", " us ", "10001", line_two="  "))
    assert (n.name, n.state, n.country, n.line_two) == ("Jane", "NY", "US", None)
