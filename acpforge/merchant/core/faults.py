"""Test-only fault flags: deliberate defects that a certifier must catch.

A certifier that cannot fail proves nothing.  Each flag breaks exactly one
behaviour of the reference merchant so that a negative end-to-end test can
check that the matching checklist item fails.  **Never enable a fault outside
tests.**

The mechanism is general: ``REGISTRY`` knows every fault name with a
description and the layer that implements it; the core registers its own
names below, adapters and middleware register theirs at import time (e.g.
``idempotency_off``, ``completion_status_wrong``, ``webhook_wrong_secret``,
``float_amounts``, ``malformed_address_500``, ``idempotency_key_not_echoed``)
with ``REGISTRY.register(...)``.  ``Faults(...)`` rejects unknown names, and
``Faults.active(name)`` rejects unregistered names too, so a typo can never
silently disable a negative test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CORE_FAULTS", "NO_FAULTS", "REGISTRY", "FaultRegistry", "FaultSpec", "Faults"]


@dataclass(frozen=True, slots=True)
class FaultSpec:
    name: str
    description: str
    layer: str  # "core", "adapter", "middleware", ...


class FaultRegistry:
    """Every known fault name, with what it breaks."""

    def __init__(self) -> None:
        self._specs: dict[str, FaultSpec] = {}
        self._lock = threading.Lock()

    def register(self, name: str, description: str, layer: str) -> FaultSpec:
        """Register a name (idempotent for the same name and layer)."""
        if not name or not name.replace("_", "").isalnum() or name.lower() != name:
            raise ValueError(f"fault names are lowercase snake_case: {name!r}")
        with self._lock:
            existing = self._specs.get(name)
            if existing is not None and existing.layer != layer:
                raise ValueError(f"fault {name!r} already registered by layer {existing.layer!r}")
            spec = FaultSpec(name, description, layer)
            self._specs[name] = spec
            return spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def get(self, name: str) -> FaultSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown fault {name!r}; known: {', '.join(sorted(self._specs))}") from None

    def names(self) -> list[str]:
        return sorted(self._specs)

    def specs(self) -> list[FaultSpec]:
        return [self._specs[n] for n in self.names()]

    def describe(self) -> str:
        width = max((len(n) for n in self._specs), default=0)
        return "\n".join(f"{s.name:<{width}}  [{s.layer}] {s.description}" for s in self.specs())


REGISTRY = FaultRegistry()

#: Faults implemented by the core (all test-only).
CORE_FAULTS: dict[str, str] = {
    "totals_not_recomputed": "update leaves the session totals from before the change",
    "shipping_without_address": "shipping options are offered before a valid address is known",
    "out_of_stock_accepted": "quantities beyond stock are accepted without an out_of_stock message",
    "declined_card_accepted": "a card the processor declines still completes the session",
    "no_privacy_link": "the privacy_policy link is missing from sessions",
}
for _name, _description in CORE_FAULTS.items():
    REGISTRY.register(_name, _description, "core")


class Faults:
    """An immutable set of active fault names, checked against a registry."""

    __slots__ = ("_names", "_registry")

    def __init__(self, names: Iterable[str] = (), *, registry: FaultRegistry = REGISTRY) -> None:
        names = frozenset(n.strip() for n in names if n and n.strip())
        unknown = sorted(n for n in names if n not in registry)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(registry.names())}")
        self._names = names
        self._registry = registry

    @classmethod
    def parse(cls, text: str | None, *, registry: FaultRegistry = REGISTRY) -> Faults:
        """From a comma-separated list, e.g. an environment variable."""
        return cls((text or "").split(","), registry=registry)

    @property
    def names(self) -> frozenset[str]:
        return self._names

    def active(self, name: str) -> bool:
        if name not in self._registry:
            raise KeyError(f"unknown fault {name!r}")
        return name in self._names

    def __bool__(self) -> bool:
        return bool(self._names)

    def __repr__(self) -> str:
        return f"Faults({sorted(self._names)!r})"


NO_FAULTS = Faults()
