from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acpforge.merchant.core import Address, DomainError, check_invariants, check_session_invariants
from acpforge.merchant.core.catalog import ITEM_IDS
from acpforge.merchant.core.pricing import Totals

from .support import ADDR_BAD_STATE, ADDR_LONDON, ADDR_NY, ADDR_SF, issue_token, make_core


def test_line_amounts_and_volume_discount():
    core = make_core()
    s = core.checkout.create([("item_mug", 3), ("item_tshirt", 1)], address=ADDR_SF)
    mug, shirt = s.line_items
    assert (mug.base_amount, mug.discount, mug.subtotal) == (4350, 435, 3915)
    assert (shirt.base_amount, shirt.discount, shirt.subtotal) == (2500, 0, 2500)
    assert mug.total == mug.subtotal + mug.tax
    t = s.totals
    assert (t.items_base_amount, t.items_discount, t.subtotal) == (6850, 435, 6415)
    assert t.fulfillment == s.selected_fulfillment_option.subtotal
    assert t.total == t.subtotal + t.fulfillment + t.tax + t.fees
    assert check_session_invariants(s) == []


def test_selecting_an_option_recomputes_totals_exactly():
    core = make_core()
    s = core.checkout.create([("item_tshirt", 2)], address=ADDR_NY)
    standard = s.totals
    s = core.checkout.update(s.id, selected_fulfillment_option_id="ship_express")
    express = s.selected_fulfillment_option
    assert s.totals.fulfillment == express.subtotal
    assert s.totals.tax == sum(li.tax for li in s.line_items) + express.tax
    assert s.totals.total == s.totals.subtotal + express.subtotal + s.totals.tax
    assert s.totals.total - standard.total == express.total - s.fulfillment_options[0].total
    assert check_session_invariants(s) == []


def test_entries_are_wire_style():
    types = [e.type for e in Totals(100, 0, 100, 0, 0, 0, 100).entries()]
    assert types == ["items_base_amount", "items_discount", "subtotal", "fulfillment", "tax", "total"]
    assert "fee" in [e.type for e in Totals(100, 0, 100, 0, 0, 5, 105).entries()]


def test_checker_catches_each_kind_of_inconsistency():
    core = make_core()
    s = core.checkout.create([("item_mug", 3)], address=ADDR_NY)
    assert check_session_invariants(s) == []
    li = s.line_items[0]
    opts, sel = s.fulfillment_options, s.selected_fulfillment_option_id

    def paths(lines=None, totals=None, options=opts, selected=sel):
        return {v.path for v in check_invariants(lines or s.line_items, totals or s.totals, options, selected)}

    assert "$.line_items[0].base_amount" in paths([replace(li, base_amount=li.base_amount + 1)])
    assert "$.line_items[0].subtotal" in paths([replace(li, subtotal=li.subtotal + 1)])
    assert "$.line_items[0].total" in paths([replace(li, total=li.total + 1)])
    assert "$.line_items[0].discount" in paths([replace(li, discount=li.base_amount + 1)])
    assert "$.line_items[0].tax" in paths([replace(li, tax=1.5)])  # floats are violations
    assert "$.totals.total" in paths(totals=replace(s.totals, total=s.totals.total + 1))
    assert "$.totals.fulfillment" in paths(totals=replace(s.totals, fulfillment=0, total=s.totals.total - s.totals.fulfillment))
    assert "$.totals.tax" in paths(totals=replace(s.totals, tax=0, total=s.totals.total - s.totals.tax))
    assert "$.totals.items_discount" in paths(totals=replace(s.totals, items_discount=0))
    assert "$.fulfillment_options[0].total" in paths(options=(replace(opts[0], total=opts[0].total + 1), opts[1]))
    assert "$.fulfillment_option_id" in paths(selected="nope")
    assert "$.totals.subtotal" in paths(totals={"total": 1})


def test_checker_accepts_plain_wire_json():
    lines = [{"id": "li_1", "item": {"id": "x", "quantity": 2}, "base_amount": 1000, "discount": 0,
              "subtotal": 1000, "tax": 80, "total": 1080}]
    totals = [{"type": "items_base_amount", "amount": 1000}, {"type": "subtotal", "amount": 1000},
              {"type": "fulfillment", "amount": 500}, {"type": "tax", "amount": 80}, {"type": "total", "amount": 1580}]
    options = [{"id": "ship", "subtotal": 500, "tax": 0, "total": 500}]
    assert check_invariants(lines, totals, options, "ship") == []
    totals[-1] = {"type": "total", "amount": 1580.0}
    assert [v.path for v in check_invariants(lines, totals, options, "ship")] == ["$.totals.total"]


ADDRESSES = [None, ADDR_SF, ADDR_NY, ADDR_LONDON, ADDR_BAD_STATE,
             Address("A", "1 Yonge St", "Toronto", "ON", "CA", "M5E 1W7")]
items_st = st.lists(st.tuples(st.sampled_from(ITEM_IDS), st.integers(1, 5)), min_size=1, max_size=4)
op_st = st.one_of(
    st.tuples(st.just("items"), items_st),
    st.tuples(st.just("address"), st.sampled_from(range(len(ADDRESSES)))),
    st.tuples(st.just("option"), st.sampled_from(["ship_standard", "ship_express", "digital_download", "bogus"])),
    st.tuples(st.just("complete"), st.sampled_from(["4242424242424242", "4000000000000002", "4000000000003220"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items_st, st.sampled_from(range(len(ADDRESSES))), st.lists(op_st, max_size=8))
def test_invariants_hold_after_every_operation(items, address_index, ops):
    core = make_core()
    s = core.checkout.create(items, address=ADDRESSES[address_index])
    assert check_session_invariants(s) == []
    for kind, arg in ops:
        if s.status in ("completed", "canceled"):
            break
        if kind == "items":
            s = core.checkout.update(s.id, items=arg)
        elif kind == "address":
            s = core.checkout.update(s.id, address=ADDRESSES[arg])
        elif kind == "option":
            s = core.checkout.update(s.id, selected_fulfillment_option_id=arg)
        else:
            s = core.checkout.complete(s.id, issue_token(core, s, arg))
        assert check_session_invariants(s) == [], (kind, arg)
        # status rule: ready exactly when no error problem is left
        blocking = [m for m in s.problems if m.type == "error"]
        if s.status == "ready_for_payment":
            assert not blocking and s.line_items and s.selected_fulfillment_option is not None
            if s.requires_shipping:
                assert s.fulfillment_address is not None
        if s.status == "not_ready_for_payment":
            assert blocking
        # the inventory never holds more than the session's lines
        held = core.inventory.reserved_by(s.id)
        for li in s.line_items:
            assert held.get(li.item_id, 0) in (0, li.quantity)


@pytest.mark.parametrize("items,param", [
    ([], "$.items"),
    ([("item_nope", 1)], "$.items[0].id"),
    ([("item_tshirt", 1), ("item_mug", 0)], "$.items[1].quantity"),
    ([("item_tshirt", 1.0)], "$.items[0].quantity"),
    ([("item_tshirt", True)], "$.items[0].quantity"),
    ([("item_tshirt", 10**6)], "$.items[0].quantity"),
])
def test_bad_items_raise_with_param(items, param):
    core = make_core()
    with pytest.raises(DomainError) as err:
        core.checkout.create(items)
    assert err.value.param == param and err.value.kind == "invalid_request"
