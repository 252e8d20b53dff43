"""End-to-end behaviour of CheckoutService."""

from datetime import timedelta

import pytest

from acpforge.merchant.core import (
    UNSET,
    AuthenticationResult,
    Buyer,
    DomainError,
    ErrorKind,
    EventType,
    MessageCode,
    OrderStatus,
    SessionStatus,
    check_session_invariants,
)

from .support import (
    ADDR_NY,
    ADDR_SF,
    APPROVE,
    BASE_URL,
    DECLINE,
    INSUFFICIENT,
    MERCHANT_ID,
    THREE_DS,
    issue_token,
    make_core,
    ready_session,
)


def codes(session):
    return [(m.code, m.param) for m in session.messages if m.type == "error"]


def test_create_without_address_is_not_ready_and_has_no_options(core):
    s = core.checkout.create([("item_tshirt", 1)])
    assert s.id.startswith("cs_") and s.currency == "usd"
    assert s.status is SessionStatus.NOT_READY_FOR_PAYMENT
    assert s.fulfillment_options == ()
    assert s.totals.fulfillment == 0 and s.totals.tax == 0 and s.totals.total == 2500
    assert codes(s) == [(MessageCode.MISSING, "$.fulfillment_address")]


def test_full_happy_path(core):
    s = core.checkout.create([("item_tshirt", 2), ("item_mug", 1)])
    s = core.checkout.update(s.id, address=ADDR_NY)
    assert [o.id for o in s.fulfillment_options] == ["ship_standard", "ship_express"]
    assert s.totals.tax > 0 and s.status is SessionStatus.READY_FOR_PAYMENT
    before = s.totals
    s = core.checkout.update(s.id, selected_fulfillment_option_id="ship_express")
    express = s.selected_fulfillment_option
    assert s.totals.fulfillment == express.subtotal
    assert s.totals.total == before.total - before.fulfillment + express.subtotal + (express.tax - s.fulfillment_options[0].tax)
    assert check_session_invariants(s) == []

    token = issue_token(core, s)
    done = core.checkout.complete(s.id, token)
    assert done.status is SessionStatus.COMPLETED and done.messages == ()
    order = done.order
    assert order.id.startswith("ord_") and order.checkout_session_id == s.id
    assert order.permalink_url == f"{BASE_URL}/orders/{order.id}"
    assert order.status is OrderStatus.CREATED and order.totals == s.totals and order.line_items == s.line_items
    assert order.fulfillment_option.id == "ship_express"
    [event] = core.events.events()
    assert event.type is EventType.ORDER_CREATED and event.order == order and event.sequence == 1
    assert core.inventory.on_hand("item_tshirt") == 98 and core.inventory.reserved_by(s.id) == {}
    assert core.vault.get(token).used_at is not None
    charge = core.processor.get(order.charge_id)
    assert charge.amount == s.totals.total and charge.currency == "usd"
    assert core.checkout.get(s.id) == done


def test_declined_card_leaves_session_payable_with_reason(core):
    s = ready_session(core)
    for number, reason in ((DECLINE, "declined"), (INSUFFICIENT, "insufficient funds")):
        after = core.checkout.complete(s.id, issue_token(core, s, number))
        assert after.status is SessionStatus.READY_FOR_PAYMENT
        [(code, param)] = codes(after)
        assert code is MessageCode.PAYMENT_DECLINED and param == "$.payment_data.token"
        assert reason in after.messages[0].content
        assert after.order is None and core.events.events() == []
    # a good card then pays; the decline message is gone
    done = core.checkout.complete(s.id, issue_token(core, s, APPROVE))
    assert done.status is SessionStatus.COMPLETED and done.messages == ()


def test_three_ds_flow(core):
    s = ready_session(core)
    token = issue_token(core, s, THREE_DS)
    challenged = core.checkout.complete(s.id, token)
    assert challenged.status is SessionStatus.AUTHENTICATION_REQUIRED
    assert codes(challenged) == [(MessageCode.REQUIRES_3DS, "$.payment_data.token")]
    assert core.vault.get(token).used_at is None  # the token survives the round trip
    failed = core.checkout.complete(s.id, token, authentication_result=AuthenticationResult("denied"))
    assert failed.status is SessionStatus.READY_FOR_PAYMENT
    assert codes(failed) == [(MessageCode.PAYMENT_DECLINED, "$.authentication_result")]
    done = core.checkout.complete(s.id, token, authentication_result=AuthenticationResult("authenticated", "05"))
    assert done.status is SessionStatus.COMPLETED


def test_update_clears_authentication_required(core):
    s = ready_session(core)
    core.checkout.complete(s.id, issue_token(core, s, THREE_DS))
    s = core.checkout.update(s.id, items=[("item_tshirt", 1)])
    assert s.status is SessionStatus.READY_FOR_PAYMENT and s.messages == ()


def test_complete_twice_is_refused(core):
    s = ready_session(core)
    core.checkout.complete(s.id, issue_token(core, s))
    with pytest.raises(DomainError) as err:
        core.checkout.complete(s.id, issue_token(core, s))
    assert err.value.kind is ErrorKind.NOT_ALLOWED and err.value.code == "session_completed"
    assert len(core.events.events()) == 1 and len(core.processor.charges()) == 1


def test_cancel_after_completion_is_refused_with_405_kind(core):
    s = ready_session(core)
    core.checkout.complete(s.id, issue_token(core, s))
    with pytest.raises(DomainError) as err:
        core.checkout.cancel(s.id)
    assert err.value.kind is ErrorKind.NOT_ALLOWED and err.value.code == "session_completed"
    assert core.checkout.get(s.id).status is SessionStatus.COMPLETED


def test_cancel_then_everything_is_refused(core):
    s = ready_session(core)
    canceled = core.checkout.cancel(s.id, reason="changed mind")
    assert canceled.status is SessionStatus.CANCELED and canceled.cancel_reason == "changed mind"
    assert core.inventory.reserved_by(s.id) == {}
    for op in (lambda: core.checkout.cancel(s.id),
               lambda: core.checkout.update(s.id, items=[("item_mug", 1)]),
               lambda: core.checkout.complete(s.id, issue_token(core, s))):
        with pytest.raises(DomainError) as err:
            op()
        assert err.value.kind is ErrorKind.NOT_ALLOWED and err.value.code == "session_canceled"


def test_unknown_session_is_not_found(core):
    for op in (lambda: core.checkout.get("cs_nope"), lambda: core.checkout.update("cs_nope"),
               lambda: core.checkout.complete("cs_nope", "vt_x"), lambda: core.checkout.cancel("cs_nope")):
        with pytest.raises(DomainError) as err:
            op()
        assert err.value.kind is ErrorKind.NOT_FOUND and err.value.code == "not_found"


def test_unknown_item_on_update_raises_and_changes_nothing(core):
    s = ready_session(core)
    with pytest.raises(DomainError) as err:
        core.checkout.update(s.id, items=[("item_tshirt", 1), ("item_ghost", 1)])
    assert err.value.param == "$.items[1].id" and err.value.code == "invalid"
    assert core.checkout.get(s.id) == s


def test_currency_must_match(core):
    assert core.checkout.create([("item_mug", 1)], currency="usd").currency == "usd"
    with pytest.raises(DomainError) as err:
        core.checkout.create([("item_mug", 1)], currency="eur")
    assert err.value.param == "$.currency"


def test_token_refusals_are_messages(core):
    s = ready_session(core)
    other = ready_session(core)
    cases = {
        "unknown": "vt_nope",
        "wrong session": issue_token(core, s, session_id=other.id),
        "wrong merchant": issue_token(core, s, merchant_id="someone_else"),
        "too small": issue_token(core, s, max_amount=s.totals.total - 1),
        "wrong currency": issue_token(core, s, currency="eur"),
    }
    expired = issue_token(core, s, expires_in=timedelta(minutes=1))
    for name, token in cases.items():
        after = core.checkout.complete(s.id, token)
        assert after.status is SessionStatus.READY_FOR_PAYMENT, name
        assert codes(after) == [(MessageCode.INVALID, "$.payment_data.token")], name
    core.clock.advance(minutes=2)
    assert codes(core.checkout.complete(s.id, expired)) == [(MessageCode.INVALID, "$.payment_data.token")]
    assert core.processor.charges() == []
    with pytest.raises(DomainError) as err:
        core.checkout.complete(s.id, "")
    assert err.value.code == "missing" and err.value.param == "$.payment_data.token"


def test_token_cannot_pay_twice_across_sessions(core):
    s = ready_session(core)
    token = issue_token(core, s)
    core.checkout.complete(s.id, token)
    # a later session cannot reuse it (it is bound to s and already used)
    other = ready_session(core)
    assert codes(core.checkout.complete(other.id, token)) == [(MessageCode.INVALID, "$.payment_data.token")]


def test_complete_when_not_ready_changes_nothing(core):
    s = core.checkout.create([("item_tshirt", 1)])
    after = core.checkout.complete(s.id, issue_token(core, s))
    assert after.status is SessionStatus.NOT_READY_FOR_PAYMENT and after.order is None
    assert core.processor.charges() == []


def test_invalid_billing_address_is_a_message(core):
    from acpforge.merchant.core import Address
    s = ready_session(core)
    after = core.checkout.complete(s.id, issue_token(core, s), billing_address=Address("", "1 St", "X", "NY", "US", "10001"))
    assert codes(after) == [(MessageCode.MISSING, "$.payment_data.billing_address.name")]
    assert after.status is SessionStatus.READY_FOR_PAYMENT


def test_option_selection_rules(core):
    s = core.checkout.create([("item_tshirt", 1)], address=ADDR_SF)
    assert s.selected_fulfillment_option_id == "ship_standard"
    s = core.checkout.update(s.id, selected_fulfillment_option_id="ship_express")
    s = core.checkout.update(s.id, address=ADDR_NY)  # kept across address changes (stable ids)
    assert s.selected_fulfillment_option_id == "ship_express"
    s = core.checkout.update(s.id, selected_fulfillment_option_id="ship_teleport")
    assert s.selected_fulfillment_option_id == "ship_express"
    assert codes(s) == [(MessageCode.INVALID, "$.fulfillment_option_id")]
    assert s.status is SessionStatus.READY_FOR_PAYMENT
    s = core.checkout.update(s.id)  # notices belong to the last operation
    assert s.messages == ()


def test_buyer_validation_and_clearing(core):
    s = core.checkout.create([("item_ebook", 1)], buyer=Buyer("Jane", "Doe", "not-an-email"))
    assert codes(s) == [(MessageCode.INVALID, "$.buyer.email")] and s.status is SessionStatus.NOT_READY_FOR_PAYMENT
    s = core.checkout.update(s.id, buyer=Buyer("Jane", "Doe", "jane@example.com"))
    assert s.status is SessionStatus.READY_FOR_PAYMENT and s.buyer.email == "jane@example.com"
    s = core.checkout.update(s.id, buyer=UNSET, address=UNSET)
    assert s.buyer is not None
    s = core.checkout.update(s.id, buyer=None)
    assert s.buyer is None


def test_duplicate_items_merge_and_line_ids_are_stable(core):
    s = core.checkout.create([("item_tshirt", 1), ("item_mug", 1), ("item_tshirt", 2)], address=ADDR_SF)
    assert [(li.item_id, li.quantity) for li in s.line_items] == [("item_tshirt", 3), ("item_mug", 1)]
    ids = {li.item_id: li.id for li in s.line_items}
    s = core.checkout.update(s.id, items=[("item_mug", 4), ("item_tshirt", 1)])
    assert {li.item_id: li.id for li in s.line_items} == ids
    s = core.checkout.update(s.id, items=[])
    assert s.line_items == () and codes(s) == [(MessageCode.MISSING, "$.items")]


def test_links(core):
    s = core.checkout.create([("item_ebook", 1)])
    assert {(l.type.value, l.url) for l in s.links} == {
        ("terms_of_use", f"{BASE_URL}/legal/terms"),
        ("privacy_policy", f"{BASE_URL}/legal/privacy"),
        ("return_policy", f"{BASE_URL}/legal/returns"),
        ("seller_shop_policies", f"{BASE_URL}/legal/shop-policies"),
    }


def test_ids_and_time_are_injectable():
    a, b = make_core(), make_core()
    sa, sb = a.checkout.create([("item_mug", 1)]), b.checkout.create([("item_mug", 1)])
    assert sa == sb
    a.clock.advance(hours=1)
    sa = a.checkout.update(sa.id, address=ADDR_SF)
    assert sa.updated_at == sb.created_at + timedelta(hours=1)


def test_concurrent_completions_charge_once():
    import threading
    core = make_core()
    s = ready_session(core)
    tokens = [issue_token(core, s) for _ in range(6)]
    results, errors, barrier = [], [], threading.Barrier(len(tokens))

    def go(token):
        barrier.wait()
        try:
            results.append(core.checkout.complete(s.id, token))
        except DomainError as e:
            errors.append(e)

    threads = [threading.Thread(target=go, args=(t,)) for t in tokens]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(results) == 1 and len(errors) == 5
    assert all(e.kind is ErrorKind.NOT_ALLOWED for e in errors)
    assert len(core.processor.charges()) == 1 and len(core.events.events()) == 1


def test_merchant_id_of_the_core_is_what_tokens_must_name(core):
    assert core.checkout.merchant_id == MERCHANT_ID
