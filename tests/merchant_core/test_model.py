from acpforge.merchant.core import UNSET, Buyer, MessageCode, Paths, rewrite_param
from acpforge.merchant.core.model import validate_buyer

ROOTS_2026 = {
    "$.items": "$.line_items",
    "$.fulfillment_address": "$.fulfillment_details.address",
    "$.payment_data.token": "$.payment_data.instrument.credential.token",
}


def test_rewrite_param_at_segment_boundaries():
    assert rewrite_param(Paths.item(2, "quantity"), ROOTS_2026) == "$.line_items[2].quantity"
    assert rewrite_param(Paths.FULFILLMENT_ADDRESS, ROOTS_2026) == "$.fulfillment_details.address"
    assert rewrite_param("$.fulfillment_address.state", ROOTS_2026) == "$.fulfillment_details.address.state"
    assert rewrite_param(Paths.PAYMENT_TOKEN, ROOTS_2026) == "$.payment_data.instrument.credential.token"
    assert rewrite_param("$.itemsx", ROOTS_2026) == "$.itemsx"
    assert rewrite_param("$.line_items[0]", ROOTS_2026) == "$.line_items[0]"
    assert rewrite_param(None, ROOTS_2026) is None


def test_unset_is_falsy_singleton_distinct_from_none():
    assert not UNSET and UNSET is not None and type(UNSET)() is UNSET and repr(UNSET) == "UNSET"


def test_validate_buyer():
    assert validate_buyer(None) == [] and validate_buyer(Buyer("A", "B", "a@b.co")) == []
    problems = validate_buyer(Buyer("", "B", "nope"))
    assert [(p.code, p.param) for p in problems] == [(MessageCode.MISSING, "$.buyer.first_name"),
                                                     (MessageCode.INVALID, "$.buyer.email")]
