"""Per-API-Version adapters of the reference merchant.

Each module implements its version's generated handler Protocols (checkout
and delegate payment) over the shared, version-free core, and provides that
version's webhook serializer and signer for the outbox.  ``ADAPTERS`` maps
an API-Version to its module; adding a version means adding one module here.
"""

from __future__ import annotations

from types import ModuleType

from . import v2025_09_29, v2026_04_17

ADAPTERS: dict[str, ModuleType] = {
    v2025_09_29.API_VERSION: v2025_09_29,
    v2026_04_17.API_VERSION: v2026_04_17,
}

__all__ = ["ADAPTERS", "v2025_09_29", "v2026_04_17"]
