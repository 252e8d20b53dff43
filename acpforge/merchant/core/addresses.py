"""Validation of postal addresses (fulfillment and billing).

Why a list of problems and never an exception: an invalid address is a
business problem the buyer can fix, so the session reports every problem at
once as messages (``param`` = ``<root>.<field>``).

Rules
-----
* ``name``, ``line_one``, ``city``, ``country`` and ``postal_code`` must be
  non-empty (after trimming); ``line_two`` is optional.
* ``country`` is an ISO 3166-1 alpha-2 code (case-insensitive) of a country
  the merchant serves: US, CA, GB, DE, FR.  Anything else is ``invalid``.
* ``state`` is required for US (USPS code of a state, DC or a territory)
  and CA (province/territory code); for GB, DE and FR it may be empty (the
  wire schemas make the property required, not non-empty).
* ``postal_code`` must match the country's format (US ZIP or ZIP+4, Canadian
  ``A1A 1A1``, UK postcode, five digits for DE and FR).
* Length limits from the delegate-payment schema: name 256, line_one /
  line_two / city 60, postal_code 20.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import MessageCode

__all__ = [
    "CA_PROVINCES",
    "SUPPORTED_COUNTRIES",
    "US_STATES",
    "Address",
    "AddressProblem",
    "normalize_address",
    "validate_address",
]


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line_one: str
    city: str
    state: str
    country: str
    postal_code: str
    line_two: str | None = None


@dataclass(frozen=True, slots=True)
class AddressProblem:
    field: str
    code: MessageCode  # MISSING or INVALID
    message: str

    def param(self, root: str = "$.fulfillment_address") -> str:
        return f"{root}.{self.field}"


SUPPORTED_COUNTRIES: dict[str, str] = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
}

US_STATES: frozenset[str] = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR"]
)
CA_PROVINCES: frozenset[str] = frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])

_POSTAL = {
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
    "CA": re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),
    "DE": re.compile(r"^\d{5}$"),
    "FR": re.compile(r"^\d{5}$"),
}
_MAX_LEN = {"name": 256, "line_one": 60, "line_two": 60, "city": 60, "postal_code": 20}
_REQUIRED = ("name", "line_one", "city", "country", "postal_code")


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def normalize_address(address: Address) -> Address:
    """Trim every field, upper-case country, state and postal code."""

    def up(v: object) -> str:
        return (_text(v) or "").upper()

    line_two = _text(address.line_two)
    return replace(
        address,
        name=_text(address.name) or "",
        line_one=_text(address.line_one) or "",
        line_two=line_two or None,
        city=_text(address.city) or "",
        state=up(address.state),
        country=up(address.country),
        postal_code=up(address.postal_code),
    )


def validate_address(address: Address | None) -> list[AddressProblem]:
    """Every problem with ``address`` (empty list = valid).  Never raises."""
    if address is None:
        return [AddressProblem("", MessageCode.MISSING, "An address is required.")]
    problems: list[AddressProblem] = []

    def get(field: str) -> str | None:
        return _text(getattr(address, field, None))

    for field in _REQUIRED:
        if not get(field):
            problems.append(AddressProblem(field, MessageCode.MISSING, f"{field.replace('_', ' ').capitalize()} is required."))
    for field, limit in _MAX_LEN.items():
        value = get(field)
        if value and len(value) > limit:
            problems.append(AddressProblem(field, MessageCode.INVALID, f"{field.replace('_', ' ').capitalize()} is longer than {limit} characters."))
    raw_line_two = getattr(address, "line_two", None)
    if raw_line_two is not None and not isinstance(raw_line_two, str):
        problems.append(AddressProblem("line_two", MessageCode.INVALID, "Line two must be text."))

    country = (get("country") or "").upper()
    state = (get("state") or "").upper()
    if country and country not in SUPPORTED_COUNTRIES:
        if not re.fullmatch(r"[A-Z]{2}", country):
            msg = f"Country {country!r} is not an ISO 3166-1 alpha-2 code."
        else:
            msg = f"We do not ship to country {country!r}; we serve {', '.join(SUPPORTED_COUNTRIES)}."
        problems.append(AddressProblem("country", MessageCode.INVALID, msg))
    if getattr(address, "state", None) is not None and not isinstance(address.state, str):
        problems.append(AddressProblem("state", MessageCode.INVALID, "State must be text."))
    elif country == "US":
        if not state:
            problems.append(AddressProblem("state", MessageCode.MISSING, "State is required for US addresses."))
        elif state not in US_STATES:
            problems.append(AddressProblem("state", MessageCode.INVALID, f"{state!r} is not a US state code."))
    elif country == "CA":
        if not state:
            problems.append(AddressProblem("state", MessageCode.MISSING, "Province is required for Canadian addresses."))
        elif state not in CA_PROVINCES:
            problems.append(AddressProblem("state", MessageCode.INVALID, f"{state!r} is not a Canadian province code."))

    postal = (get("postal_code") or "").upper()
    pattern = _POSTAL.get(country)
    if postal and pattern is not None and not pattern.match(postal):
        problems.append(AddressProblem("postal_code", MessageCode.INVALID, f"{postal!r} is not a valid postal code for {country}."))
    return problems
