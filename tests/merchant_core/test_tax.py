import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acpforge.merchant.core.tax import DEFAULT_TAX_TABLE, round_half_even_div, tax_on

from .support import ADDR_LONDON, ADDR_NY, ADDR_OR, ADDR_SF, make_core


@pytest.mark.parametrize("country,state,bp,ships", [
    ("US", "CA", 725, False), ("US", "NY", 400, True), ("US", "OR", 0, False),
    ("GB", "", 2000, True), ("DE", None, 1900, True), ("FR", "", 2000, True),
    ("CA", "ON", 1300, True), ("CA", "BC", 500, True),
])
def test_table(country, state, bp, ships):
    j = DEFAULT_TAX_TABLE.lookup(country, state)
    assert (j.rate_bp, j.taxes_shipping) == (bp, ships)


def test_unknown_jurisdiction():
    assert DEFAULT_TAX_TABLE.lookup("JP", "") is None
    assert DEFAULT_TAX_TABLE.lookup("US", "ZZ") is None
    assert DEFAULT_TAX_TABLE.for_address(None) is None


def test_rate_is_exact_decimal_text():
    assert DEFAULT_TAX_TABLE.lookup("US", "CA").rate == "0.0725"


@pytest.mark.parametrize("num,den,expected", [
    (5, 2, 2), (7, 2, 4), (15, 10, 2), (25, 10, 2), (26, 10, 3), (24, 10, 2), (-5, 2, -2), (0, 7, 0),
])
def test_round_half_even(num, den, expected):
    assert round_half_even_div(num, den) == expected


def test_tax_on_rounds_half_even():
    assert tax_on(5000, 725) == 362  # 362.5 -> 362 (even)
    assert tax_on(5200, 725) == 377  # 377.0
    assert tax_on(1000, 1250) == 125
    assert tax_on(100, 125) == 1  # 1.25 -> 1
    assert tax_on(200, 75) == 2  # 1.5 -> 2 (even)
    assert tax_on(600, 75) == 4  # 4.5 -> 4 (even)
    with pytest.raises(TypeError):
        tax_on(10.0, 725)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 3000))
def test_tax_on_matches_decimal_reference(amount, bp):
    from decimal import ROUND_HALF_EVEN, Decimal
    expected = int((Decimal(amount) * bp / 10000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    assert tax_on(amount, bp) == expected


def test_tax_by_destination_on_a_session():
    core = make_core()
    s = core.checkout.create([("item_tshirt", 2)], address=ADDR_SF)  # 5000, CA 7.25 %, shipping untaxed
    assert [li.tax for li in s.line_items] == [362]
    assert s.selected_fulfillment_option.tax == 0 and s.totals.tax == 362
    s = core.checkout.update(s.id, address=ADDR_NY)  # NY 4 %, shipping taxed
    option = s.selected_fulfillment_option
    assert s.line_items[0].tax == 200 and option.tax == tax_on(option.subtotal, 400) > 0
    assert s.totals.tax == 200 + option.tax
    s = core.checkout.update(s.id, address=ADDR_OR)
    assert s.totals.tax == 0
    s = core.checkout.update(s.id, address=ADDR_LONDON)  # 20 % VAT incl. shipping
    assert s.line_items[0].tax == 1000
    assert s.totals.tax == 1000 + tax_on(s.selected_fulfillment_option.subtotal, 2000)


def test_tax_is_deterministic():
    a = make_core().checkout.create([("item_mug", 3), ("item_poster", 1)], address=ADDR_NY)
    b = make_core().checkout.create([("item_mug", 3), ("item_poster", 1)], address=ADDR_NY)
    assert a.totals == b.totals and a.line_items == b.line_items
