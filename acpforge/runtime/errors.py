"""Flat ACP error objects: raising them, and turning validation errors into them.

ACP errors are never wrapped: ``{"type", "code", "message", "param"?}``, with
``param`` an RFC 9535 JSONPath to the offending field (``$.items[0].quantity``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def jsonpath(location: Iterable[Any]) -> str:
    """RFC 9535 normalized-ish path of a pydantic/jsonschema location."""
    path = "$"
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            path += f".{part}"
        else:
            escaped = str(part).replace("\\", "\\\\").replace("'", "\\'")
            path += f"['{escaped}']"
    return path


class ACPError(Exception):
    """An ACP error response: HTTP status plus the flat error body."""

    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        message: str,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "code": self.code, "message": self.message}
        if self.param is not None:
            body["param"] = self.param
        body.update(self.extra)
        return body

    def __repr__(self) -> str:
        return f"ACPError({self.status}, {self.type!r}, {self.code!r}, {self.message!r}, param={self.param!r})"


def data_location(data: Any, location: Iterable[Any]) -> list[Any]:
    """The part of a pydantic error location that names places in ``data``.

    Pydantic inserts union branch labels (class names, tag values,
    ``function-after[...]``) into locations; walking the data itself tells
    which parts are real keys and indices, whatever the models look like.
    """
    parts = list(location)
    kept: list[Any] = []
    current = data
    for index, part in enumerate(parts):
        if isinstance(current, Mapping) and isinstance(part, str) and part in current:
            kept.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            kept.append(part)
            current = current[part]
        elif index == len(parts) - 1 and isinstance(part, (str, int)) and "[" not in str(part):
            kept.append(part)  # a missing key is, by definition, not in the data
    return kept


def from_validation_errors(errors: list[Mapping[str, Any]], data: Any = None) -> ACPError:
    """The first pydantic validation error as a 400 ``invalid_request`` ACP error.

    ``missing`` for an omitted required field, ``invalid`` for everything else.
    """
    first = errors[0]
    error_type = str(first.get("type", ""))
    code = "missing" if error_type == "missing" else "invalid"
    field = jsonpath(data_location(data, first.get("loc", ())))
    detail = str(first.get("msg", "invalid value"))
    if code == "missing":
        message = f"{field} is required"
    elif error_type == "extra_forbidden":
        message = f"{field} is not a known field"
    else:
        message = f"{field}: {detail}"
    more = len(errors) - 1
    if more > 0:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ACPError(400, "invalid_request", code, message, param=field)
