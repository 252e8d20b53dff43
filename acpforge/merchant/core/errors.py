"""Typed refusals of requests the core cannot act on.

Business problems a buyer can fix (out of stock, bad address, declined card)
are *messages on the session*, never exceptions.  ``DomainError`` is for the
rest: the request itself cannot be honoured (unknown session, malformed item,
an operation the session's state forbids).  It carries everything an adapter
needs to build the flat wire error object, and a ``kind`` telling it which
class of HTTP status to use, so the core never mentions HTTP itself.

Suggested mapping for adapters (a convention, not enforced here)::

    ErrorKind.INVALID_REQUEST   -> 400 (or 422 where a version prefers it)
    ErrorKind.NOT_FOUND         -> 404
    ErrorKind.NOT_ALLOWED       -> 405 (operation forbidden in the current state:
                                       cancel/complete/update a completed or
                                       canceled session)
    ErrorKind.CONFLICT          -> 409 (e.g. an impossible order transition)
    ErrorKind.PROCESSING_ERROR  -> 500
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DomainError", "ErrorKind"]


class ErrorKind(StrEnum):
    """Class of a refusal; adapters turn it into an HTTP status."""

    INVALID_REQUEST = "invalid_request"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    CONFLICT = "conflict"
    PROCESSING_ERROR = "processing_error"


class DomainError(Exception):
    """A request the core refuses.

    ``code`` is a short machine-readable string (``not_found``, ``invalid``,
    ``missing``, ``session_completed``, ...), ``param`` an RFC 9535 JSONPath
    in the core's canonical vocabulary (see ``model.Paths``) or ``None``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        param: str | None = None,
        kind: ErrorKind = ErrorKind.INVALID_REQUEST,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.kind = kind

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"param={self.param!r}, kind={self.kind.value!r})"
        )

    @classmethod
    def not_found(cls, what: str, ident: str, *, param: str | None = None) -> DomainError:
        return cls("not_found", f"{what} {ident!r} not found", param=param, kind=ErrorKind.NOT_FOUND)

    @classmethod
    def invalid(cls, message: str, *, param: str | None = None, code: str = "invalid") -> DomainError:
        return cls(code, message, param=param, kind=ErrorKind.INVALID_REQUEST)
