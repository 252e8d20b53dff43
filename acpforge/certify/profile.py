"""The merchant profile: what the runner cannot guess about a real merchant.

Loaded from TOML (``acpforge certify --profile merchant.toml``);
``acpforge certify --init`` writes a commented template.  Values may name an
environment variable as ``"env:NAME"`` so that secrets stay out of files.
With no target, the runner builds a profile of the reference merchant.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any


class ProfileError(ValueError):
    """The profile file is unreadable or a value has the wrong type."""


@dataclass
class Card:
    number: str
    exp_month: str = "12"
    exp_year: str = "2030"
    cvc: str = "123"
    name: str = "Ada Lovelace"
    brand: str = "visa"


@dataclass
class Address:
    name: str = "Ada Lovelace"
    line_one: str = "1 Market Street"
    line_two: str = ""
    city: str = "San Francisco"
    state: str = "CA"
    country: str = "US"
    postal_code: str = "94105"

    def wire(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v != "" or k != "line_two"}


@dataclass
class Items:
    in_stock: str = "item_tshirt"
    out_of_stock: str = "item_sold_out"
    quantity: int = 1


@dataclass
class Payment:
    delegate_payment_url: str = ""  # default: the base URL
    merchant_id: str = "acpforge_reference"
    approve_card: Card = field(default_factory=lambda: Card("4242424242424242"))
    decline_card: Card = field(default_factory=lambda: Card("4000000000000002"))
    psp_token: str = ""  # bearer token of the PSP endpoint; default: the merchant's
    signing_key: str = ""  # PEM file of the runner's Ed25519/ES256 key; default: an ephemeral Ed25519 key


@dataclass
class Webhooks:
    secret: str = ""
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 0
    public_url: str = ""  # what the merchant must call, when not http://receiver_host:port
    register: str = "post"  # "post": tell the merchant at register_url; "manual": it is configured already
    register_url: str = "{base_url}/simulator/webhook-url"
    register_headers: dict[str, str] = field(default_factory=dict)
    wait_seconds: float = 10.0


@dataclass
class OrderUpdate:
    url: str = "{base_url}/simulator/orders/{order_id}/status"
    body: dict[str, Any] = field(default_factory=lambda: {"status": "shipped"})
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Egress:
    published_prefixes: str = ""  # OpenAI's chatgpt-connectors.json (or a copy)
    merchant_allowlist: str = ""  # the merchant's allowlist: a prefixes file or one CIDR per line
    allowed_source: str = ""  # a local source address inside the allowlist, to probe with
    denied_source: str = ""  # a local source address outside it (e.g. 127.0.0.2)


@dataclass
class Tls:
    ca_bundle: str = ""  # trust these CAs instead of the system store
    production: bool = False  # then port 443 is required


@dataclass
class Profile:
    api_version: str = "2026-04-17"
    base_url: str = ""
    bearer_token: str = ""
    items: Items = field(default_factory=Items)
    valid_address: Address = field(default_factory=Address)
    invalid_address: Address = field(default_factory=lambda: Address(country="ZZ", state="", postal_code=""))
    payment: Payment = field(default_factory=Payment)
    webhooks: Webhooks = field(default_factory=Webhooks)
    order_update: OrderUpdate = field(default_factory=OrderUpdate)
    egress: Egress = field(default_factory=Egress)
    tls: Tls = field(default_factory=Tls)

    def url(self, template: str, **values: str) -> str:
        return template.format(base_url=self.base_url.rstrip("/"), **values)


def _resolve(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("env:"):
        return os.environ.get(value[4:], "")
    return value


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values = {}
    try:
        defaults = cls()
    except TypeError:  # a dataclass with required fields (Card): no defaults to type-check against
        defaults = None
    for name, value in data.items():
        current = getattr(defaults, name, None) if defaults is not None else None
        if is_dataclass(current) and isinstance(value, dict):
            values[name] = _build(type(current), value, f"{where}.{name}")
        else:
            value = _resolve(value)
            if current is not None and not isinstance(value, type(current)) and not (isinstance(current, float) and isinstance(value, int)):
                raise ProfileError(f"{where}.{name}: expected {type(current).__name__}, got {type(value).__name__}")
            values[name] = value
    return cls(**values)


def load(path: Path) -> Profile:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: invalid TOML: {exc}") from None
    return _build(Profile, data, str(path))


TEMPLATE = '''# acpforge certify merchant profile: what the runner cannot guess about your merchant.
# Run: acpforge certify --base-url https://merchant.example --profile merchant.toml
# A value "env:NAME" is read from the environment variable NAME.

api_version = "2026-04-17"          # or "2025-09-29"
bearer_token = "env:ACP_MERCHANT_TOKEN"

[items]
in_stock = "item_tshirt"            # an item that is always available
out_of_stock = "item_sold_out"      # an item that is never available
quantity = 1

[valid_address]                     # an address your merchant ships to
name = "Ada Lovelace"
line_one = "1 Market Street"
city = "San Francisco"
state = "CA"
country = "US"
postal_code = "94105"

[invalid_address]                   # an address your merchant must refuse
country = "ZZ"
state = ""
postal_code = ""

[payment]
delegate_payment_url = ""           # PSP base URL; empty: the merchant's base URL
merchant_id = "your_merchant_id"    # the allowance's merchant_id
psp_token = ""                      # bearer token of the PSP; empty: bearer_token
signing_key = ""                    # PEM of the runner's Ed25519/ES256 key; empty: a fresh Ed25519 key

[payment.approve_card]              # a sandbox card your processor approves
number = "4242424242424242"
exp_month = "12"
exp_year = "2030"
cvc = "123"

[payment.decline_card]              # a sandbox card your processor declines
number = "4000000000000002"

[webhooks]
secret = "env:ACP_WEBHOOK_SECRET"   # the HMAC secret your merchant signs order events with
receiver_host = "127.0.0.1"         # where the runner's receiver listens
receiver_port = 0                   # 0: any free port
public_url = ""                     # the URL your merchant must post to, if not host:port
register = "post"                   # "post": POST {"url": ...} to register_url; "manual": already configured
register_url = "{base_url}/simulator/webhook-url"

[order_update]                      # how to make your merchant emit an order update
url = "{base_url}/simulator/orders/{order_id}/status"
body = { status = "shipped" }

[egress]
published_prefixes = ""             # OpenAI's chatgpt-connectors.json (a local copy)
merchant_allowlist = ""             # your allowlist: a prefixes file or one CIDR per line
allowed_source = ""                 # optional: a local address inside the allowlist to probe from
denied_source = ""                  # optional: a local address outside it

[tls]
ca_bundle = ""                      # empty: the system trust store
production = false                  # true: port 443 is required
'''
