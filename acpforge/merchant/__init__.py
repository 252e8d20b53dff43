"""The acpforge reference merchant.

``acpforge.merchant.core`` is the version-free domain (catalog, inventory,
pricing, tax, shipping, vault, processor simulator, sessions, orders, events,
webhook outbox).  It knows nothing of HTTP, JSON or API-Versions; per-version
adapters map each version's generated models to and from it.
"""
