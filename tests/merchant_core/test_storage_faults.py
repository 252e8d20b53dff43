"""Storage interface, and the fault flags: each changes exactly its behaviour."""

import threading

import pytest

from acpforge.merchant.core import (
    REGISTRY,
    Faults,
    InMemoryStorage,
    MessageCode,
    check_session_invariants,
)
from acpforge.merchant.core.faults import CORE_FAULTS, FaultRegistry

from .support import ADDR_SF, APPROVE, DECLINE, issue_token, make_core


def test_in_memory_repository():
    st = InMemoryStorage()
    assert st.sessions.get("a") is None
    st.sessions.put("a", 1)
    assert st.sessions.put_if_absent("a", 2) is False and st.sessions.get("a") == 1
    assert st.idempotency.put_if_absent("k", "rec") is True
    assert len(st.sessions) == 1 and st.sessions.values() == [1]
    st.sessions.delete("a")
    assert len(st.sessions) == 0


def test_put_if_absent_is_atomic():
    st = InMemoryStorage()
    wins, barrier = [], threading.Barrier(10)

    def go(i):
        barrier.wait()
        if st.idempotency.put_if_absent("key", i):
            wins.append(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(wins) == 1


def test_per_key_lock_is_reentrant_and_exclusive():
    st = InMemoryStorage()
    with st.lock("k"), st.lock("k"):
        pass
    order = []

    def worker():
        with st.lock("k"):
            order.append("worker")

    with st.lock("k"):
        t = threading.Thread(target=worker)
        t.start()
        t.join(0.05)
        order.append("main")
    t.join()
    assert order == ["main", "worker"]


# ---------------------------------------------------------------------------- faults

def test_registry_rejects_unknown_names_and_allows_adapter_names():
    with pytest.raises(ValueError):
        Faults(["no_such_fault"])
    with pytest.raises(KeyError):
        Faults().active("no_such_fault")
    reg = FaultRegistry()
    reg.register("idempotency_off", "replays run side effects twice", "middleware")
    assert Faults(["idempotency_off"], registry=reg).active("idempotency_off")
    with pytest.raises(ValueError):
        reg.register("idempotency_off", "x", "adapter")
    assert set(CORE_FAULTS) <= set(REGISTRY.names())
    assert "totals_not_recomputed" in REGISTRY.describe()
    assert Faults.parse("no_privacy_link, out_of_stock_accepted").names == {"no_privacy_link", "out_of_stock_accepted"}


def probe(*faults):
    """Observable behaviours of the core; each fault must flip exactly one of them."""
    core = make_core(*faults)
    result = {}

    s = core.checkout.create([("item_tshirt", 1)], address=ADDR_SF)
    s = core.checkout.update(s.id, items=[("item_tshirt", 3)])
    result["totals_recomputed"] = check_session_invariants(s) == []

    s = core.checkout.create([("item_tshirt", 1)])
    result["no_shipping_without_address"] = not any(o.type == "shipping" for o in s.fulfillment_options)
    result["not_ready_without_address"] = s.status == "not_ready_for_payment"

    s = core.checkout.create([("item_sold_out", 1)], address=ADDR_SF)
    result["out_of_stock_reported"] = any(m.code is MessageCode.OUT_OF_STOCK for m in s.messages)

    s = core.checkout.create([("item_mug", 1)], address=ADDR_SF)
    s = core.checkout.complete(s.id, issue_token(core, s, DECLINE))
    result["declined_card_refused"] = s.status == "ready_for_payment" and s.order is None

    s = core.checkout.create([("item_mug", 1)], address=ADDR_SF)
    s = core.checkout.complete(s.id, issue_token(core, s, APPROVE))
    result["approved_card_completes"] = s.status == "completed"

    result["privacy_link"] = any(link.type == "privacy_policy" for link in s.links)
    result["terms_link"] = any(link.type == "terms_of_use" for link in s.links)

    s = core.checkout.create([("item_ebook", 1)])
    result["digital_ready"] = s.status == "ready_for_payment"
    return result


EXPECTED = {
    "totals_not_recomputed": "totals_recomputed",
    "shipping_without_address": "no_shipping_without_address",
    "out_of_stock_accepted": "out_of_stock_reported",
    "declined_card_accepted": "declined_card_refused",
    "no_privacy_link": "privacy_link",
}


def test_without_faults_every_behaviour_is_correct():
    assert all(probe().values())


def test_every_core_fault_is_probed():
    assert set(EXPECTED) == set(CORE_FAULTS)


@pytest.mark.parametrize("fault,behaviour", sorted(EXPECTED.items()))
def test_each_fault_breaks_exactly_its_behaviour(fault, behaviour):
    healthy, broken = probe(), probe(fault)
    changed = {k for k in healthy if healthy[k] != broken[k]}
    assert changed == {behaviour}


def test_declined_card_accepted_creates_an_order_without_money():
    faulty = make_core("declined_card_accepted")
    s = faulty.checkout.create([("item_mug", 1)], address=ADDR_SF)
    done = faulty.checkout.complete(s.id, issue_token(faulty, s, DECLINE))
    assert done.status == "completed" and done.order.charge_id is None and faulty.processor.charges() == []


def test_out_of_stock_accepted_lets_sold_out_items_complete():
    faulty = make_core("out_of_stock_accepted")
    s = faulty.checkout.create([("item_sold_out", 2)], address=ADDR_SF)
    assert s.status == "ready_for_payment"
    assert faulty.checkout.complete(s.id, issue_token(faulty, s)).status == "completed"
    assert faulty.inventory.on_hand("item_sold_out") == 0


def test_describe_mentions_active_faults():
    text = make_core("no_privacy_link").describe()
    assert "ACTIVE TEST FAULTS" in text and "no_privacy_link" in text
    assert "ACTIVE TEST FAULTS" not in make_core().describe()
