from datetime import timedelta

from acpforge.merchant.core import ManualClock, MessageCode, SessionStatus
from acpforge.merchant.core.catalog import default_catalog
from acpforge.merchant.core.shipping import (
    DIGITAL,
    EXPRESS,
    STANDARD,
    ShippableLine,
    ShippingCalculator,
)

from .support import ADDR_BAD_STATE, ADDR_LONDON, ADDR_SF, make_core

CATALOG = default_catalog()


def line(item_id, qty, line_id=None):
    return ShippableLine(line_id or f"li_{item_id}", CATALOG.get(item_id), qty)


def test_no_options_without_address_and_two_with_one():
    clock = ManualClock()
    calc = ShippingCalculator(clock)
    lines = [line("item_tshirt", 1)]
    assert calc.options(lines, None, 2500) == []
    options = calc.options(lines, ADDR_SF, 2500)
    assert [o.id for o in options] == [STANDARD, EXPRESS]
    standard, express = options
    assert standard.subtotal < express.subtotal
    assert standard.earliest_delivery_time == clock.now() + timedelta(days=3)
    assert standard.latest_delivery_time == clock.now() + timedelta(days=5)
    assert express.latest_delivery_time < standard.latest_delivery_time
    assert standard.carrier and express.carrier and standard.type == "shipping"


def test_delivery_windows_follow_the_injected_clock():
    clock = ManualClock()
    calc = ShippingCalculator(clock)
    before = calc.options([line("item_tshirt", 1)], ADDR_SF, 2500)[0]
    clock.advance(days=2)
    after = calc.options([line("item_tshirt", 1)], ADDR_SF, 2500)[0]
    assert after.earliest_delivery_time - before.earliest_delivery_time == timedelta(days=2)


def test_weight_and_zone_change_price():
    calc = ShippingCalculator(ManualClock())
    light = calc.options([line("item_tshirt", 1)], ADDR_SF, 0)[0].subtotal
    heavy = calc.options([line("item_mug", 4)], ADDR_SF, 0)[0].subtotal  # 1800 g -> 3 extra steps
    assert (light, heavy) == (500, 800)
    assert calc.options([line("item_tshirt", 1)], ADDR_LONDON, 0)[0].subtotal == 1500


def test_free_standard_above_threshold_us_only():
    calc = ShippingCalculator(ManualClock())
    standard, express = calc.options([line("item_hoodie", 2)], ADDR_SF, 11800)
    assert standard.subtotal == 0 and express.subtotal > 0
    assert calc.options([line("item_hoodie", 2)], ADDR_LONDON, 11800)[0].subtotal > 0


def test_split_shipment_is_one_option_with_aggregate_totals():
    clock = ManualClock()
    calc = ShippingCalculator(clock)
    lines = [line("item_tshirt", 1), line("item_hoodie", 1)]  # east + west
    standard, _express = calc.options(lines, ADDR_SF, 0)
    assert len(standard.shipments) == 2
    assert standard.subtotal == sum(s.amount for s in standard.shipments) == 500 + 600
    assert standard.earliest_delivery_time == max(s.earliest_delivery_time for s in standard.shipments)
    assert standard.latest_delivery_time == max(s.latest_delivery_time for s in standard.shipments)
    assert standard.latest_delivery_time == clock.now() + timedelta(days=1 + 5)  # west handling day
    assert set(standard.line_ids) == {"li_item_tshirt", "li_item_hoodie"}
    assert "2 packages" in standard.subtitle


def test_digital_only_cart_gets_no_shipping_option():
    calc = ShippingCalculator(ManualClock())
    [option] = calc.options([line("item_ebook", 1)], ADDR_SF, 999)
    assert option.type == "digital" and option.id == DIGITAL and option.subtotal == 0
    assert calc.options([line("item_ebook", 1)], None, 999) == [option]


def test_mixed_cart_shipping_covers_physical_lines_only():
    calc = ShippingCalculator(ManualClock())
    options = calc.options([line("item_ebook", 1), line("item_mug", 1)], ADDR_SF, 0)
    assert [o.id for o in options] == [STANDARD, EXPRESS]
    assert options[0].line_ids == ("li_item_mug",)


def test_session_options_only_with_a_valid_address():
    core = make_core()
    s = core.checkout.create([("item_tshirt", 1)])
    assert s.fulfillment_options == () and s.selected_fulfillment_option_id is None
    assert s.status is SessionStatus.NOT_READY_FOR_PAYMENT
    assert [(m.code, m.param) for m in s.messages] == [(MessageCode.MISSING, "$.fulfillment_address")]
    s = core.checkout.update(s.id, address=ADDR_BAD_STATE)
    assert s.fulfillment_options == ()
    assert [(m.code, m.param) for m in s.messages] == [(MessageCode.INVALID, "$.fulfillment_address.state")]
    s = core.checkout.update(s.id, address=ADDR_SF)
    assert [o.id for o in s.fulfillment_options] == [STANDARD, EXPRESS]
    assert s.selected_fulfillment_option_id == STANDARD  # cheapest auto-selected
    assert s.status is SessionStatus.READY_FOR_PAYMENT and s.messages == ()
    s = core.checkout.update(s.id, address=None)  # cleared
    assert s.fulfillment_options == () and s.status is SessionStatus.NOT_READY_FOR_PAYMENT


def test_session_digital_only_is_ready_without_address():
    core = make_core()
    s = core.checkout.create([("item_ebook", 2)])
    assert not any(o.type == "shipping" for o in s.fulfillment_options)
    assert s.selected_fulfillment_option_id == DIGITAL
    assert s.status is SessionStatus.READY_FOR_PAYMENT
    assert s.totals.fulfillment == 0 and s.totals.total == 2 * 999
