import pytest

from acpforge.merchant.core import DomainError, ErrorKind, EventType, OrderStatus, RefundType

from .support import issue_token, ready_session


@pytest.fixture
def order(core):
    s = ready_session(core)
    return core.checkout.complete(s.id, issue_token(core, s)).order


def test_lifecycle_emits_ordered_events(core, order):
    core.orders.update_status(order.id, "confirmed")
    core.orders.update_status(order.id, OrderStatus.SHIPPED)
    final = core.orders.update_status(order.id, "fulfilled")
    assert final.status is OrderStatus.FULFILLED and final.version == 4
    events = core.events.events(order.id)
    assert [e.type for e in events] == [EventType.ORDER_CREATED] + [EventType.ORDER_UPDATED] * 3
    assert [e.order.status for e in events] == ["created", "confirmed", "shipped", "fulfilled"]
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert len({e.id for e in events}) == 4
    assert events[0].order.status is OrderStatus.CREATED  # snapshots are immutable


def test_same_status_is_a_noop(core, order):
    assert core.orders.update_status(order.id, "created") == order
    assert len(core.events.events()) == 1


def test_impossible_transitions_and_unknowns(core, order):
    core.orders.update_status(order.id, "confirmed")
    core.orders.update_status(order.id, "shipped")
    with pytest.raises(DomainError) as err:
        core.orders.update_status(order.id, "canceled")
    assert err.value.kind is ErrorKind.CONFLICT
    with pytest.raises(DomainError) as err:
        core.orders.update_status(order.id, "teleported")
    assert err.value.kind is ErrorKind.INVALID_REQUEST
    with pytest.raises(DomainError) as err:
        core.orders.update_status("ord_nope", "confirmed")
    assert err.value.kind is ErrorKind.NOT_FOUND


def test_partial_then_full_refund(core, order):
    total = order.totals.total
    o = core.orders.refund(order.id, 500, "damaged box")
    assert o.refund_state == "partially_refunded" and o.amount_refunded == 500
    [r] = o.refunds
    assert r.id.startswith("rf_") and r.type is RefundType.ORIGINAL_PAYMENT and r.amount == 500
    assert core.processor.get(order.charge_id).refunded == 500
    o = core.orders.refund(order.id, 300, "goodwill", type="store_credit")
    assert core.processor.get(order.charge_id).refunded == 500  # store credit does not touch the card
    with pytest.raises(DomainError) as err:
        core.orders.refund(order.id, total)
    assert err.value.code == "refund_exceeds_total"
    o = core.orders.refund(order.id, total - 800)
    assert o.refund_state == "refunded"
    events = core.events.events(order.id)
    assert [e.type for e in events] == [EventType.ORDER_CREATED] + [EventType.ORDER_UPDATED] * 3
    assert [len(e.order.refunds) for e in events] == [0, 1, 2, 3]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(DomainError):
            core.orders.refund(order.id, bad)


def test_cancel_refunds_the_rest_in_one_event(core, order):
    core.orders.refund(order.id, 100)
    o = core.orders.update_status(order.id, "canceled")
    assert o.status is OrderStatus.CANCELED and o.refund_state == "refunded"
    assert [r.amount for r in o.refunds] == [100, order.totals.total - 100]
    assert len(core.events.events(order.id)) == 3


def test_subscribers_get_events_in_order_and_failures_do_not_break_checkout(core):
    seen = []
    core.events.subscribe(lambda e: seen.append(e.sequence))

    def broken(event):
        raise RuntimeError("subscriber down")

    core.events.subscribe(broken)
    s = ready_session(core)
    done = core.checkout.complete(s.id, issue_token(core, s))
    core.orders.update_status(done.order.id, "confirmed")
    assert seen == [1, 2]
    assert len(core.events.subscriber_errors) == 2
