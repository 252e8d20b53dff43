"""The reference merchant's built-in catalog.

Small on purpose, but every item exists to exercise one behaviour:

==================  ===========================  ======  =======  ======  =========
id                  title                        price   weight   stock   ships
==================  ===========================  ======  =======  ======  =========
``item_tshirt``     Organic Cotton T-Shirt       25.00   200 g    100     east
``item_mug``        Ceramic Coffee Mug           14.50   450 g    100     east
``item_hoodie``     Zip Hoodie                   59.00   700 g    50      west
``item_poster``     Art Print Poster             19.99   150 g    100     west
``item_ebook``      Field Guide (e-book)          9.99   digital  no limit  -
``item_sold_out``   Limited Edition Sneakers    120.00   900 g    0       east
``item_limited``    Signed Vinyl Record          35.00   300 g    3       west
==================  ===========================  ======  =======  ======  =========

Prices are integers in minor units of ``usd``.  ``warehouse`` says where an
item ships from: a cart with items from both warehouses is a split shipment
(see ``shipping``).  ``stock`` is the *initial* stock; live counts belong to
``inventory``.  ``None`` stock means unlimited (digital goods).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["CURRENCY", "DEFAULT_PRODUCTS", "ITEM_IDS", "Catalog", "Product", "default_catalog"]

CURRENCY = "usd"
_BASE = "https://merchant.example"


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    title: str
    unit_amount: int  # minor units
    currency: str
    requires_shipping: bool
    weight_grams: int
    stock: int | None  # initial stock; None = unlimited
    warehouse: str | None  # None for digital goods
    description: str = ""
    image_url: str = ""
    product_url: str = ""

    def __post_init__(self) -> None:
        if type(self.unit_amount) is not int or self.unit_amount < 0:
            raise ValueError(f"{self.id}: unit_amount must be a non-negative int (minor units)")
        if self.requires_shipping and not self.warehouse:
            raise ValueError(f"{self.id}: physical items need a warehouse")
        if self.stock is not None and (type(self.stock) is not int or self.stock < 0):
            raise ValueError(f"{self.id}: stock must be a non-negative int or None")


def _product(pid: str, title: str, amount: int, weight: int, stock: int | None, warehouse: str | None,
             description: str) -> Product:
    slug = pid.removeprefix("item_")
    return Product(
        id=pid,
        title=title,
        unit_amount=amount,
        currency=CURRENCY,
        requires_shipping=warehouse is not None,
        weight_grams=weight,
        stock=stock,
        warehouse=warehouse,
        description=description,
        image_url=f"{_BASE}/images/{slug}.jpg",
        product_url=f"{_BASE}/products/{slug}",
    )


DEFAULT_PRODUCTS: tuple[Product, ...] = (
    _product("item_tshirt", "Organic Cotton T-Shirt", 2500, 200, 100, "east", "Soft organic cotton tee."),
    _product("item_mug", "Ceramic Coffee Mug", 1450, 450, 100, "east", "12 oz stoneware mug."),
    _product("item_hoodie", "Zip Hoodie", 5900, 700, 50, "west", "Heavyweight fleece hoodie."),
    _product("item_poster", "Art Print Poster", 1999, 150, 100, "west", "A2 giclee print."),
    _product("item_ebook", "Field Guide (e-book)", 999, 0, None, None, "DRM-free EPUB and PDF; digital delivery."),
    _product("item_sold_out", "Limited Edition Sneakers", 12000, 900, 0, "east", "Always out of stock (test item)."),
    _product("item_limited", "Signed Vinyl Record", 3500, 300, 3, "west", "Only 3 in stock (test item)."),
)

ITEM_IDS = tuple(p.id for p in DEFAULT_PRODUCTS)


class Catalog:
    """Read-only product lookup."""

    def __init__(self, products: Iterable[Product] = DEFAULT_PRODUCTS) -> None:
        self._products: dict[str, Product] = {}
        for p in products:
            if p.id in self._products:
                raise ValueError(f"duplicate product id {p.id!r}")
            self._products[p.id] = p
        currencies = {p.currency for p in self._products.values()}
        if len(currencies) > 1:
            raise ValueError(f"a catalog has one currency, got {sorted(currencies)}")
        self.currency = currencies.pop() if currencies else CURRENCY

    def get(self, item_id: str) -> Product | None:
        return self._products.get(item_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._products

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products.values())

    def __len__(self) -> int:
        return len(self._products)

    @property
    def ids(self) -> list[str]:
        return list(self._products)

    def describe(self) -> str:
        """A plain-text table for printing at server start."""
        rows = [("id", "title", "price", "stock", "ships")]
        for p in self:
            price = f"{p.unit_amount // 100}.{p.unit_amount % 100:02d} {p.currency}"
            stock = "unlimited" if p.stock is None else str(p.stock)
            ships = f"from {p.warehouse}, {p.weight_grams} g" if p.requires_shipping else "digital"
            rows.append((p.id, p.title, price, stock, ships))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def default_catalog() -> Catalog:
    return Catalog(DEFAULT_PRODUCTS)
