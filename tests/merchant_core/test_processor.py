import pytest

from acpforge.merchant.core import AuthenticationResult, DomainError, ManualClock, SequentialIds
from acpforge.merchant.core.processor import (
    TEST_CARDS,
    ChargeOutcome,
    PaymentProcessor,
    describe_test_cards,
)
from acpforge.merchant.core.vault import ProcessorCard, luhn_valid


def pcard(number):
    return ProcessorCard("vt_1", "card_1", "visa", number[-4:], 12, 2030, _pan=number)


@pytest.fixture
def processor():
    return PaymentProcessor(ManualClock(), SequentialIds())


def test_every_test_card_is_luhn_valid_and_listed():
    text = describe_test_cards()
    for c in TEST_CARDS:
        assert luhn_valid(c.number) and c.number in text


@pytest.mark.parametrize("number,outcome,reason", [
    ("4242424242424242", ChargeOutcome.APPROVED, None),
    ("4000000000000002", ChargeOutcome.DECLINED, "generic_decline"),
    ("4000000000009995", ChargeOutcome.DECLINED, "insufficient_funds"),
    ("4000000000003220", ChargeOutcome.REQUIRES_3DS, None),
    ("6011111111111117", ChargeOutcome.APPROVED, None),  # any other valid number
])
def test_outcomes(processor, number, outcome, reason):
    result = processor.charge(pcard(number), 1000, "usd")
    assert (result.outcome, result.decline_reason) == (outcome, reason)
    assert (result.charge_id is not None) is (outcome is ChargeOutcome.APPROVED)


def test_three_ds_with_authentication_result(processor):
    ok = processor.charge(pcard("4000000000003220"), 1000, "usd", AuthenticationResult("authenticated", "05"))
    assert ok.approved
    denied = processor.charge(pcard("4000000000003220"), 1000, "usd", AuthenticationResult("denied"))
    assert denied.outcome is ChargeOutcome.DECLINED and denied.decline_reason == "authentication_failed"


def test_refunds_are_bounded_by_the_charge(processor):
    charge_id = processor.charge(pcard("4242424242424242"), 1000, "usd").charge_id
    assert processor.refund(charge_id, 400).refunded == 400
    with pytest.raises(DomainError) as err:
        processor.refund(charge_id, 601)
    assert err.value.kind == "conflict"
    assert processor.refund(charge_id, 600).refunded == 1000
    with pytest.raises(DomainError):
        processor.refund("ch_nope", 1)
