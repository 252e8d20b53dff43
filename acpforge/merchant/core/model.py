"""Small value types shared by several core modules.

* ``Message``: a business message on a session (``error``/``info``/``warning``);
* ``Buyer``: who is buying;
* ``UNSET``: the "field absent" marker, distinct from ``None`` ("field cleared");
* ``Paths``: the canonical JSONPath vocabulary of ``param`` values.

About ``param`` paths.  The core is version-free but its messages and errors
must point at the offending field.  It speaks one canonical vocabulary (the
field names of the first supported version, 2025-09-29, listed in ``Paths``);
an adapter for a version with other names rewrites the root with
``rewrite_param`` (e.g. ``{"$.fulfillment_address": "$.fulfillment_details.address",
"$.items": "$.line_items"}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "UNSET",
    "Buyer",
    "Message",
    "MessageCode",
    "MessageType",
    "Paths",
    "Unset",
    "rewrite_param",
    "validate_buyer",
]


class Unset:
    """Type of ``UNSET``: a keyword argument that was not given at all."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset()


class MessageType(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class MessageCode(StrEnum):
    """Codes the core puts on ``error`` messages (all exist in every version's enum)."""

    MISSING = "missing"
    INVALID = "invalid"
    OUT_OF_STOCK = "out_of_stock"
    PAYMENT_DECLINED = "payment_declined"
    REQUIRES_SIGN_IN = "requires_sign_in"
    REQUIRES_3DS = "requires_3ds"


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a session's ``messages``.  ``content`` is plain text."""

    type: MessageType
    content: str
    code: MessageCode | None = None
    param: str | None = None
    content_type: str = "plain"

    @classmethod
    def error(cls, code: MessageCode, content: str, param: str | None = None) -> Message:
        return cls(MessageType.ERROR, content, code=code, param=param)

    @classmethod
    def info(cls, content: str, param: str | None = None) -> Message:
        return cls(MessageType.INFO, content, param=param)


@dataclass(frozen=True, slots=True)
class Buyer:
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


class Paths:
    """Canonical ``param`` JSONPaths (2025-09-29 names; see the module docstring)."""

    ITEMS: Final = "$.items"
    CURRENCY: Final = "$.currency"
    BUYER: Final = "$.buyer"
    FULFILLMENT_ADDRESS: Final = "$.fulfillment_address"
    FULFILLMENT_OPTION_ID: Final = "$.fulfillment_option_id"
    PAYMENT_TOKEN: Final = "$.payment_data.token"
    BILLING_ADDRESS: Final = "$.payment_data.billing_address"
    AUTHENTICATION_RESULT: Final = "$.authentication_result"

    @staticmethod
    def item(index: int, field: str | None = None) -> str:
        """An entry of the request's ``items`` (``$.items[0]``, ``$.items[0].quantity``)."""
        return f"$.items[{index}]" + (f".{field}" if field else "")

    @staticmethod
    def line_item(index: int) -> str:
        """A line of the session (``$.line_items[0]``)."""
        return f"$.line_items[{index}]"

    @staticmethod
    def buyer(field: str) -> str:
        return f"$.buyer.{field}"

    @staticmethod
    def address(field: str, root: str = "$.fulfillment_address") -> str:
        return f"{root}.{field}"


def rewrite_param(param: str | None, roots: Mapping[str, str]) -> str | None:
    """Replace the longest matching root of ``param`` at a segment boundary.

    ``rewrite_param("$.items[2].quantity", {"$.items": "$.line_items"})`` gives
    ``"$.line_items[2].quantity"``; ``"$.itemsx"`` is left alone.
    """
    if param is None:
        return None
    for old in sorted(roots, key=len, reverse=True):
        if param == old or (param.startswith(old) and param[len(old)] in ".["):
            return roots[old] + param[len(old):]
    return param


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_buyer(buyer: Buyer | None) -> list[Message]:
    """Problems with a buyer (missing names, malformed email); never raises."""
    if buyer is None:
        return []
    problems: list[Message] = []
    for field in ("first_name", "last_name", "email"):
        value = getattr(buyer, field, None)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Message.error(MessageCode.MISSING, f"Buyer {field.replace('_', ' ')} is required.", Paths.buyer(field))
            )
    email = getattr(buyer, "email", None)
    if isinstance(email, str) and email.strip() and not _EMAIL.match(email.strip()):
        problems.append(Message.error(MessageCode.INVALID, "Buyer email address is not valid.", Paths.buyer("email")))
    return problems
