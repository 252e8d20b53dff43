"""An independent oracle for the money in a session: do the totals add up?

The certifier must not trust the merchant's arithmetic, nor the reference
merchant's code: these rules are written from the protocol alone.

* per line: ``base_amount - discount = subtotal`` and ``subtotal + tax = total``;
* ``items_base_amount`` = sum of line base amounts, ``items_discount`` = sum of
  line discounts (when present);
* ``subtotal`` = sum of line subtotals;
* ``fulfillment`` = the selected option's amount (when one is selected);
* ``total`` = ``subtotal + fulfillment + tax + fee - discount`` (absent rows are 0);
* every amount is an integer (minor units), never a float or a string.
"""

from __future__ import annotations

from typing import Any


def _is_amount(value: Any) -> bool:
    return type(value) is int


def problems(dialect: Any, session: dict) -> list[str]:
    found: list[str] = []
    totals = session.get("totals") or []
    for index, row in enumerate(totals):
        if not _is_amount(row.get("amount")):
            found.append(f"$.totals[{index}].amount is {row.get('amount')!r}, not an integer amount")
    amounts = dialect.totals(session)
    lines = session.get("line_items") or []
    sums = {"base_amount": 0, "discount": 0, "subtotal": 0}
    for index, line in enumerate(lines):
        values = dialect.line_amounts(line)
        for key in ("base_amount", "subtotal", "total"):
            if not _is_amount(values.get(key)):
                found.append(f"$.line_items[{index}] {key} is {values.get(key)!r}, not an integer amount")
        if not all(_is_amount(values.get(k)) for k in ("base_amount", "discount", "subtotal", "tax", "total")):
            continue
        if values["base_amount"] - values["discount"] != values["subtotal"]:
            found.append(f"$.line_items[{index}]: base {values['base_amount']} - discount {values['discount']} != subtotal {values['subtotal']}")
        if values["subtotal"] + values["tax"] != values["total"]:
            found.append(f"$.line_items[{index}]: subtotal {values['subtotal']} + tax {values['tax']} != total {values['total']}")
        for key in sums:
            sums[key] += values[key]
    for row, line_key in (("items_base_amount", "base_amount"), ("items_discount", "discount"), ("subtotal", "subtotal")):
        if row in amounts and lines and amounts[row] != sums[line_key]:
            found.append(f"totals.{row} {amounts[row]} != sum of line {line_key} {sums[line_key]}")
    selected = dialect.selected_option_id(session)
    if selected is not None:
        option = next((o for o in dialect.options(session) if o.get("id") == selected), None)
        if option is None:
            found.append(f"selected fulfillment option {selected!r} is not among the options")
        elif dialect.option_amount(option) != amounts.get("fulfillment", 0):
            found.append(f"totals.fulfillment {amounts.get('fulfillment', 0)} != selected option amount {dialect.option_amount(option)}")
    if "total" not in amounts:
        found.append("no total row")
    else:
        expected = amounts.get("subtotal", 0) + amounts.get("fulfillment", 0) + amounts.get("tax", 0) + amounts.get("fee", 0) - amounts.get("discount", 0)
        if amounts["total"] != expected:
            found.append(f"totals.total {amounts['total']} != subtotal + fulfillment + tax + fee - discount = {expected}")
    return found
