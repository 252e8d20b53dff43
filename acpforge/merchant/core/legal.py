"""Legal links shown on every session, and the pages behind them.

Why: the launch checklist wants Terms and Privacy links on sessions and
their URLs working, so the core builds the links from the merchant's base
URL and also provides the page texts for the server to serve at those paths.

==========================  ===========================
link type                   URL
==========================  ===========================
``terms_of_use``            ``{base}/legal/terms``
``privacy_policy``          ``{base}/legal/privacy``
``return_policy``           ``{base}/legal/returns``
``seller_shop_policies``    ``{base}/legal/shop-policies``
==========================  ===========================

Versions differ in which types their ``Link`` enum allows (2025-09-29:
terms_of_use, privacy_policy, seller_shop_policies; 2026-04-17: terms_of_use,
privacy_policy, return_policy, ...): the adapter filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .faults import NO_FAULTS, Faults

__all__ = ["LEGAL_PAGES", "LegalPage", "Link", "LinkType", "legal_links"]


class LinkType(StrEnum):
    TERMS_OF_USE = "terms_of_use"
    PRIVACY_POLICY = "privacy_policy"
    RETURN_POLICY = "return_policy"
    SELLER_SHOP_POLICIES = "seller_shop_policies"


@dataclass(frozen=True, slots=True)
class Link:
    type: LinkType
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class LegalPage:
    path: str
    title: str
    text: str


LEGAL_PAGES: dict[LinkType, LegalPage] = {
    LinkType.TERMS_OF_USE: LegalPage(
        "/legal/terms", "Terms of Use",
        "These are the terms of use of the acpforge reference merchant, a test merchant. "
        "No real goods are sold and no real payments are taken.",
    ),
    LinkType.PRIVACY_POLICY: LegalPage(
        "/legal/privacy", "Privacy Policy",
        "The reference merchant keeps checkout data in memory only, for the lifetime of the process. "
        "Card numbers are never logged; only the last four digits and the brand are kept.",
    ),
    LinkType.RETURN_POLICY: LegalPage(
        "/legal/returns", "Return Policy",
        "Physical items can be returned within 30 days for a refund to the original payment method. "
        "Digital items are refundable until downloaded.",
    ),
    LinkType.SELLER_SHOP_POLICIES: LegalPage(
        "/legal/shop-policies", "Shop Policies",
        "Orders ship from two warehouses and may arrive in separate packages. "
        "Standard shipping within the US is free for orders of $100 or more.",
    ),
}


def legal_links(base_url: str, faults: Faults = NO_FAULTS) -> tuple[Link, ...]:
    """The session's links; ``no_privacy_link`` (test fault) drops the privacy policy."""
    base = base_url.rstrip("/")
    return tuple(
        Link(t, base + page.path, page.title)
        for t, page in LEGAL_PAGES.items()
        if not (t is LinkType.PRIVACY_POLICY and faults.active("no_privacy_link"))
    )
