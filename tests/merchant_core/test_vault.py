from datetime import UTC, datetime, timedelta

import pytest

from acpforge.merchant.core import (
    Address,
    Allowance,
    CardDetails,
    ManualClock,
    RiskSignal,
    SequentialIds,
    TokenRefused,
    Vault,
    VaultRejected,
)
from acpforge.merchant.core.vault import RefusalCode, card_brand, luhn_valid

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return ManualClock(NOW)


@pytest.fixture
def vault(clock):
    return Vault(clock, SequentialIds())


def card(**kw):
    base = dict(number="4242424242424242", exp_month="12", exp_year="2030", cvc="123", name="Jane Doe")
    return CardDetails(**(base | kw))


def allowance(**kw):
    base = dict(reason="one_time", max_amount=5000, currency="usd", checkout_session_id="cs_1",
                merchant_id="m_1", expires_at=NOW + timedelta(hours=1))
    return Allowance(**(base | kw))


def problems(vault, **kw):
    c = kw.pop("card", card())
    a = kw.pop("allowance", allowance())
    return [(p.code, p.param) for p in vault.validate(c, a, **kw)]


@pytest.mark.parametrize("number,ok", [
    ("4242424242424242", True), ("4000000000000002", True), ("378282246310005", True),
    ("4242424242424241", False), ("79927398713", True), ("79927398710", False), ("42a2", False),
])
def test_luhn(number, ok):
    assert luhn_valid(number) is ok


def test_brand():
    assert [card_brand(n) for n in ("4242", "5555555555554444", "2223003122003222", "378282246310005", "6011111111111117", "9999")] == \
        ["visa", "mastercard", "mastercard", "amex", "discover", "unknown"]


@pytest.mark.parametrize("kw,param", [
    (dict(number="4242424242424241"), "$.payment_method.number"),
    (dict(number="4242 4242 4242 4242"), "$.payment_method.number"),
    (dict(number="42424242424"), "$.payment_method.number"),
    (dict(number="4" * 20), "$.payment_method.number"),
    (dict(number=""), "$.payment_method.number"),
    (dict(exp_month="13"), "$.payment_method.exp_month"),
    (dict(exp_month="0"), "$.payment_method.exp_month"),
    (dict(exp_month=None), "$.payment_method.exp_month"),
    (dict(exp_year="203"), "$.payment_method.exp_year"),
    (dict(exp_year="2025"), "$.payment_method.exp_year"),
    (dict(exp_year="2026", exp_month="12", cvc="12"), "$.payment_method.cvc"),
    (dict(cvc="12345"), "$.payment_method.cvc"),
    (dict(cvc="abc"), "$.payment_method.cvc"),
    (dict(display_last4="1111"), "$.payment_method.display_last4"),
    (dict(card_number_type="pan"), "$.payment_method.card_number_type"),
])
def test_card_validation(vault, kw, param):
    assert ("invalid_card", param) in problems(vault, card=card(**kw))


def test_expiry_uses_the_injected_clock(vault, clock):
    assert problems(vault, card=card(exp_month="01", exp_year="2026")) == []  # valid through Jan 2026
    assert problems(vault, card=card(exp_month="1", exp_year="26")) == []
    clock.advance(days=31)
    assert problems(vault, card=card(exp_month="01", exp_year="2026"), allowance=allowance(expires_at=clock.now() + timedelta(hours=1))) \
        == [("invalid_card", "$.payment_method.exp_month")]


@pytest.mark.parametrize("kw,param", [
    (dict(reason="recurring"), "$.allowance.reason"),
    (dict(max_amount=0), "$.allowance.max_amount"),
    (dict(max_amount=10.5), "$.allowance.max_amount"),
    (dict(max_amount=True), "$.allowance.max_amount"),
    (dict(currency="USD"), "$.allowance.currency"),
    (dict(currency="us"), "$.allowance.currency"),
    (dict(checkout_session_id=""), "$.allowance.checkout_session_id"),
    (dict(merchant_id=""), "$.allowance.merchant_id"),
    (dict(merchant_id="m" * 257), "$.allowance.merchant_id"),
    (dict(expires_at=NOW), "$.allowance.expires_at"),
    (dict(expires_at=datetime(2030, 1, 1)), "$.allowance.expires_at"),  # naive
])
def test_allowance_validation(vault, kw, param):
    assert problems(vault, allowance=allowance(**kw)) == [("invalid_allowance", param)]


def test_missing_allowance_refused_by_default(clock):
    assert problems(Vault(clock, SequentialIds()), allowance=None) == [("invalid_allowance", "$.allowance")]
    assert problems(Vault(clock, SequentialIds(), require_allowance=False), allowance=None) == []


def test_risk_signals_and_billing_address(vault):
    blocked = [RiskSignal("card_testing", 10, "authorized"), RiskSignal("card_testing", 99, "blocked")]
    assert problems(vault, risk_signals=blocked) == [("risk_blocked", "$.risk_signals[1].action")]
    assert problems(vault, risk_signals=[RiskSignal("card_testing", 50, "manual_review")]) == []
    bad = Address("J", "1 St", "X", "ZZ", "US", "12345")
    assert problems(vault, billing_address=bad) == [("invalid_billing_address", "$.billing_address.state")]
    assert problems(vault, metadata={"a": 1}) == [("invalid_metadata", "$.metadata.a")]


def test_issue_returns_token_and_keeps_no_card_data_in_view(vault):
    issued = vault.issue(card(cvc="987"), allowance(), metadata={"source": "test"})
    assert issued.id.startswith("vt_") and issued.created == NOW and issued.metadata == {"source": "test"}
    info = vault.get(issued.id)
    assert (info.last4, info.brand, info.exp_month, info.exp_year) == ("4242", "visa", 12, 2030)
    assert info.processor_reference.startswith("card_")
    for text in (repr(info), repr(issued), repr(card(cvc="987")), str(card(cvc="987")),
                 repr(vault.verify(issued.id, 100, "usd", "cs_1", "m_1"))):
        assert "4242424242424242" not in text and "987" not in text
    assert not hasattr(info, "cvc")


def test_issue_raises_with_every_problem(vault):
    with pytest.raises(VaultRejected) as err:
        vault.issue(card(number="1234", cvc="1"), allowance(max_amount=0))
    assert err.value.code == "invalid_card" and err.value.param == "$.payment_method.number"
    assert {p.param for p in err.value.problems} == {"$.payment_method.number", "$.payment_method.cvc", "$.allowance.max_amount"}


def test_random_ids_by_default(clock):
    from acpforge.merchant.core import RandomIds
    v = Vault(clock, RandomIds())
    a, b = v.issue(card(), allowance()).id, v.issue(card(), allowance()).id
    assert a.startswith("vt_") and b.startswith("vt_") and a != b and len(a) > 10


def refusal(fn):
    with pytest.raises(TokenRefused) as err:
        fn()
    return err.value.reason


def test_redeem_enforces_the_allowance(vault, clock):
    tid = vault.issue(card(), allowance()).id
    assert refusal(lambda: vault.redeem("vt_nope", 100, "usd", "cs_1", "m_1")) is RefusalCode.INVALID
    assert refusal(lambda: vault.redeem(tid, 100, "usd", "cs_2", "m_1")) is RefusalCode.WRONG_SESSION
    assert refusal(lambda: vault.redeem(tid, 100, "usd", "cs_1", "m_2")) is RefusalCode.WRONG_MERCHANT
    assert refusal(lambda: vault.redeem(tid, 5001, "usd", "cs_1", "m_1")) is RefusalCode.AMOUNT_EXCEEDED
    assert refusal(lambda: vault.redeem(tid, 100, "eur", "cs_1", "m_1")) is RefusalCode.WRONG_CURRENCY
    # none of the refusals consumed the token
    card_view = vault.redeem(tid, 5000, "usd", "cs_1", "m_1")
    assert card_view.last4 == "4242"
    assert refusal(lambda: vault.redeem(tid, 5000, "usd", "cs_1", "m_1")) is RefusalCode.ALREADY_USED
    assert vault.get(tid).used_at == NOW


def test_redeem_refuses_after_expiry(vault, clock):
    tid = vault.issue(card(), allowance()).id
    clock.advance(hours=1)
    assert refusal(lambda: vault.redeem(tid, 100, "usd", "cs_1", "m_1")) is RefusalCode.EXPIRED


def test_verify_does_not_consume(vault):
    tid = vault.issue(card(), allowance()).id
    vault.verify(tid, 100, "usd", "cs_1", "m_1")
    vault.verify(tid, 100, "usd", "cs_1", "m_1")
    vault.redeem(tid, 100, "usd", "cs_1", "m_1")
    assert refusal(lambda: vault.verify(tid, 100, "usd", "cs_1", "m_1")) is RefusalCode.ALREADY_USED


def test_concurrent_redeems_succeed_once(vault):
    import threading
    tid = vault.issue(card(), allowance()).id
    wins, barrier = [], threading.Barrier(8)

    def go():
        barrier.wait()
        try:
            vault.redeem(tid, 100, "usd", "cs_1", "m_1")
            wins.append(1)
        except TokenRefused:
            pass

    threads = [threading.Thread(target=go) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(wins) == 1
