"""Sales tax / VAT by destination.

The table is illustrative (state base rates rounded to whole basis points,
one VAT rate per European country, GST/HST for Canada), not tax advice; what
matters for a conformance kit is that tax depends on the destination, is an
integer, and is reproducible.

Rule
----
* The jurisdiction is the *fulfillment address* (US: per state; CA: per
  province, falling back to federal GST; other countries: per country).
  With no valid address there is no jurisdiction and tax is 0 (the session
  is not ready for payment while something must ship; digital-only carts
  without an address are not taxed - a documented simplification).
* Each line is taxed on its own subtotal (base amount after discount):
  ``line_tax = round_half_even(line_subtotal * rate_bp / 10000)``.
* Shipping is taxed, on the option's price, only where the jurisdiction
  taxes shipping (``taxes_shipping``), rounded the same way, separately.
* Session tax = sum of the rounded line taxes + rounded shipping tax.
  Rounding per line (not on the sum) is deliberate: every line's ``tax`` is
  shown to the buyer, so the totals must add up to what the lines show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_TAX_TABLE", "TaxJurisdiction", "TaxTable", "round_half_even_div", "tax_on"]


@dataclass(frozen=True, slots=True)
class TaxJurisdiction:
    code: str  # "US-CA", "GB", "CA-ON"
    name: str
    rate_bp: int  # basis points: 725 = 7.25 %
    taxes_shipping: bool

    @property
    def rate(self) -> str:
        """The rate as an exact decimal string (``"0.0725"``), for display; never a float."""
        return f"{self.rate_bp // 10000}.{self.rate_bp % 10000:04d}"


def round_half_even_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half to even, in exact integer arithmetic."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    twice = 2 * r
    if twice > denominator or (twice == denominator and q % 2 == 1):
        q += 1
    return sign * q


def tax_on(amount: int, rate_bp: int) -> int:
    """Tax on ``amount`` minor units at ``rate_bp`` basis points, rounded half-even."""
    if type(amount) is not int or type(rate_bp) is not int:
        raise TypeError("tax_on works on ints only")
    return round_half_even_div(amount * rate_bp, 10_000)


# (rate_bp, taxes_shipping) per US state; illustrative state base rates.
_US: dict[str, tuple[int, bool]] = {
    "AL": (400, False), "AK": (0, False), "AZ": (560, False), "AR": (650, True), "CA": (725, False),
    "CO": (290, False), "CT": (635, True), "DE": (0, False), "DC": (600, True), "FL": (600, False),
    "GA": (400, True), "HI": (400, True), "ID": (600, False), "IL": (625, False), "IN": (700, True),
    "IA": (600, False), "KS": (650, True), "KY": (600, True), "LA": (500, False), "ME": (550, False),
    "MD": (600, False), "MA": (625, False), "MI": (600, True), "MN": (688, True), "MS": (700, True),
    "MO": (423, False), "MT": (0, False), "NE": (550, True), "NV": (685, False), "NH": (0, False),
    "NJ": (663, True), "NM": (488, True), "NY": (400, True), "NC": (475, True), "ND": (500, True),
    "OH": (575, True), "OK": (450, False), "OR": (0, False), "PA": (600, True), "RI": (700, True),
    "SC": (600, True), "SD": (420, True), "TN": (700, True), "TX": (625, True), "UT": (610, False),
    "VT": (600, True), "VA": (530, False), "WA": (650, True), "WV": (600, True), "WI": (500, True),
    "WY": (400, False), "PR": (1050, True),
}
_CA_PROVINCES: dict[str, tuple[int, bool]] = {  # HST provinces; others fall back to GST
    "ON": (1300, True), "NB": (1500, True), "NL": (1500, True), "NS": (1400, True), "PE": (1500, True),
}
_COUNTRIES: dict[str, tuple[str, int, bool]] = {
    "CA": ("Canada GST", 500, True),
    "GB": ("United Kingdom VAT", 2000, True),
    "DE": ("Germany VAT", 1900, True),
    "FR": ("France VAT", 2000, True),
}


class TaxTable:
    """Lookup of the jurisdiction for a destination."""

    def __init__(
        self,
        us_states: Mapping[str, tuple[int, bool]] = _US,
        ca_provinces: Mapping[str, tuple[int, bool]] = _CA_PROVINCES,
        countries: Mapping[str, tuple[str, int, bool]] = _COUNTRIES,
    ) -> None:
        self._us = dict(us_states)
        self._ca = dict(ca_provinces)
        self._countries = dict(countries)

    def lookup(self, country: str, state: str | None = None) -> TaxJurisdiction | None:
        """The jurisdiction for (country, state), or None if the merchant has no entry."""
        country = (country or "").strip().upper()
        state = (state or "").strip().upper()
        if country == "US":
            if state in self._us:
                bp, ship = self._us[state]
                return TaxJurisdiction(f"US-{state}", f"{state} state sales tax", bp, ship)
            return None
        if country == "CA" and state in self._ca:
            bp, ship = self._ca[state]
            return TaxJurisdiction(f"CA-{state}", f"{state} HST", bp, ship)
        if country in self._countries:
            name, bp, ship = self._countries[country]
            return TaxJurisdiction(country, name, bp, ship)
        return None

    def for_address(self, address) -> TaxJurisdiction | None:  # address: addresses.Address | None
        if address is None:
            return None
        return self.lookup(address.country, address.state)


DEFAULT_TAX_TABLE = TaxTable()
