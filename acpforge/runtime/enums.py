"""Enums that are strict for servers and lenient for clients.

ACP declares several response enums open, and versions add values that an
older client has never seen.  A client must not crash on them; a server must
still reject a request that uses a value the spec does not list.  Generated
enums derive from ``OpenStrEnum`` (datamodel-code-generator's open-enum base
class hook): unknown values are accepted only while ``lenient_enums()`` is
active, which the generated clients do when they parse responses.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Iterator

_LENIENT: ContextVar[bool] = ContextVar("acpforge_lenient_enums", default=False)


class OpenStrEnum(StrEnum):
    """A ``StrEnum`` that admits unlisted string values inside ``lenient_enums()``."""

    @classmethod
    def _missing_(cls, value: object) -> "OpenStrEnum | None":
        if not (_LENIENT.get() and isinstance(value, str)):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member


@contextmanager
def lenient_enums() -> Iterator[None]:
    """Accept unknown enum values while parsing (used for responses)."""
    token = _LENIENT.set(True)
    try:
        yield
    finally:
        _LENIENT.reset(token)
