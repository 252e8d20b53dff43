from acpforge.merchant.core import MessageCode, SessionStatus
from acpforge.merchant.core.catalog import ITEM_IDS, default_catalog
from acpforge.merchant.core.inventory import Inventory

from .support import ADDR_SF, make_core


def test_catalog_has_the_documented_items():
    catalog = default_catalog()
    assert set(ITEM_IDS) == {"item_tshirt", "item_mug", "item_hoodie", "item_poster", "item_ebook",
                             "item_sold_out", "item_limited"}
    ebook = catalog.get("item_ebook")
    assert ebook is not None and not ebook.requires_shipping and ebook.stock is None
    assert catalog.get("item_sold_out").stock == 0
    assert catalog.get("item_limited").stock == 3
    physical = [p for p in catalog if p.requires_shipping]
    assert len({p.unit_amount for p in physical}) == len(physical) >= 3
    assert len({p.weight_grams for p in physical}) > 1
    assert all(type(p.unit_amount) is int and p.currency == "usd" for p in catalog)
    assert all(p.image_url.startswith("https://merchant.example/") for p in catalog)
    text = catalog.describe()
    assert all(i in text for i in ITEM_IDS) and "25.00 usd" in text


def test_reserve_replaces_previous_reservation_atomically():
    inv = Inventory({"a": 5})
    assert inv.reserve("s1", [("a", 3)]).ok
    assert inv.available("a") == 2
    # the session's own hold counts as free to it: 5 fits although only 2 are free to others
    assert inv.reserve("s1", [("a", 5)]).ok
    assert inv.available("a") == 0 and inv.reserved_by("s1") == {"a": 5}
    assert inv.reserve("s1", [("a", 1)]).ok
    assert inv.available("a") == 4


def test_release_and_commit():
    inv = Inventory({"a": 5, "digital": None})
    inv.reserve("s1", [("a", 2), ("digital", 10)])
    assert inv.reserved_by("s1") == {"a": 2}  # unlimited items are never held
    inv.release("s1")
    assert inv.available("a") == 5 and inv.on_hand("a") == 5
    inv.reserve("s2", [("a", 2)])
    inv.commit("s2")
    assert inv.on_hand("a") == 3 and inv.available("a") == 3 and inv.reserved_by("s2") == {}
    inv.commit("s2")  # nothing left to commit: no double sale
    assert inv.on_hand("a") == 3


def test_shortage_reports_line_and_available_and_holds_nothing_for_it():
    inv = Inventory({"a": 3, "b": 10})
    result = inv.reserve("s1", [("b", 2), ("a", 4)])
    assert not result.ok
    [short] = result.shortages
    assert (short.line_index, short.item_id, short.requested, short.reserved, short.available) == (1, "a", 4, 0, 3)
    assert inv.reserved_by("s1") == {"b": 2}
    assert inv.available("a") == 3


def test_limited_stock_across_two_sessions():
    core = make_core()
    first = core.checkout.create([("item_limited", 2)], address=ADDR_SF)
    assert first.status is SessionStatus.READY_FOR_PAYMENT
    second = core.checkout.create([("item_limited", 2)], address=ADDR_SF)
    assert second.status is SessionStatus.NOT_READY_FOR_PAYMENT
    [msg] = [m for m in second.messages if m.code is MessageCode.OUT_OF_STOCK]
    assert msg.param == "$.line_items[0]" and "Only 1" in msg.content
    # the second session still exists and can be fixed
    fixed = core.checkout.update(second.id, items=[("item_limited", 1)])
    assert fixed.status is SessionStatus.READY_FOR_PAYMENT
    assert core.inventory.available("item_limited") == 0
    # canceling the first frees its units for someone else
    core.checkout.cancel(first.id)
    assert core.inventory.available("item_limited") == 2
    third = core.checkout.create([("item_limited", 2)], address=ADDR_SF)
    assert third.status is SessionStatus.READY_FOR_PAYMENT


def test_sold_out_item_gives_out_of_stock_message_and_session_exists():
    core = make_core()
    session = core.checkout.create([("item_tshirt", 1), ("item_sold_out", 1)], address=ADDR_SF)
    assert session.status is SessionStatus.NOT_READY_FOR_PAYMENT
    errors = [m for m in session.messages if m.type == "error"]
    assert [(m.code, m.param) for m in errors] == [(MessageCode.OUT_OF_STOCK, "$.line_items[1]")]
    assert session.line_items[1].out_of_stock and session.line_items[1].available_quantity == 0
    assert core.checkout.get(session.id) == session
    assert core.inventory.reserved_by(session.id) == {"item_tshirt": 1}
