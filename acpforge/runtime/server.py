"""Plumbing shared by every generated FastAPI server stub.

The generated router reads the JSON body itself instead of letting FastAPI
bind it: ACP wants flat error objects with a JSONPath ``param``, a 415 for a
wrong content type and a clear 400 for malformed JSON, none of which
FastAPI's default 422 gives.  Header parameters are bound by FastAPI (typed:
``datetime`` for ``Timestamp``), and its validation errors are mapped to the
same flat errors by ``install_error_handlers``.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from datetime import datetime
from dataclasses import dataclass, field
from typing import Annotated, Any, Mapping, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ACPError, from_validation_errors

log = logging.getLogger("acpforge.server")
Model = TypeVar("Model", bound=BaseModel)
ECHOED_HEADERS = ("Idempotency-Key", "Request-Id")


@dataclass
class Reply:
    """What a handler returns when the default success status or headers do not fit."""

    body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _wants_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def read_json_body(request: Request, required: bool) -> Any:
    """The parsed JSON body; ACP errors for a wrong media type or malformed JSON."""
    raw = await request.body()
    if not raw:
        if required:
            raise ACPError(400, "invalid_request", "missing", "a JSON request body is required", param="$")
        return None
    content_type = request.headers.get("content-type", "")
    if not _wants_json(content_type):
        raise ACPError(
            415, "invalid_request", "unsupported_media_type",
            f"Content-Type must be application/json (got {content_type or 'none'!r})",
        )
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ACPError(400, "invalid_request", "invalid_json", f"the request body is not valid JSON{where}") from None
    if data is None and required:  # a literal `null` is no body at all: the handler must never see None
        raise ACPError(400, "invalid_request", "invalid", "the request body must be a JSON object, not null", param="$")
    return data


def parse_body(model: type[Model], data: Any) -> Model:
    """Validate ``data`` as ``model``; the first problem becomes a flat 400 error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_errors(exc.errors(include_url=False), data) from None


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    """Pydantic's lax datetime reads ``7`` as Unix seconds; a date-time header must be RFC 3339."""
    if isinstance(value, str) and not _RFC3339.match(value.strip()):
        raise ValueError("expected an RFC 3339 date-time such as 2026-04-17T10:30:00Z")
    return value


HeaderDateTime = Annotated[datetime, BeforeValidator(_rfc3339)]
"""The type of ``format: date-time`` header parameters in generated stubs."""


def parse_headers(model: type[Model], request: Request) -> Model:
    """All header parameters of an operation, typed, in one validation pass.

    One pydantic model per operation instead of one FastAPI ``Header()``
    dependency per header: the same typing (``datetime`` for ``Timestamp``)
    at a fraction of the cost on every request.  A missing or malformed
    header becomes a flat 400 naming it.
    """
    try:
        return model.model_validate(dict(request.headers.items()))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        alias = str(first["loc"][0]) if first.get("loc") else "?"
        name = getattr(model, "WIRE_NAMES", {}).get(alias, alias)
        if first.get("type") == "missing":
            raise ACPError(400, "invalid_request", "missing", f"header parameter {name} is required") from None
        raise ACPError(400, "invalid_request", "invalid", f"header parameter {name} is invalid: {first.get('msg', '')}") from None


def check_api_version(value: str | None, supported: tuple[str, ...]) -> None:
    """400 with ``supported_versions`` when API-Version is missing or not served here."""
    if not value:
        raise ACPError(
            400, "invalid_request", "missing_api_version", "the API-Version header is required",
            supported_versions=list(supported),
        )
    if value not in supported:
        raise ACPError(
            400, "invalid_request", "unsupported_api_version",
            f"API-Version {value!r} is not supported; use one of {', '.join(supported)}",
            supported_versions=list(supported),
        )


def dump(body: Any) -> Any:
    """JSON-ready data: exactly the fields that were set (null is kept, unset is left out)."""
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(body, list):
        return [dump(item) for item in body]
    return body


async def render(result: Any, default_status: int, request: Request, response_model: type[BaseModel] | None) -> Response:
    """Turn a handler's return value into the HTTP response, echoing correlation headers."""
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, Response):
        return result
    reply = result if isinstance(result, Reply) else Reply(body=result)
    body = reply.body
    if response_model is not None and isinstance(body, Mapping):
        body = response_model.model_validate(body)  # a handler bug must not leak an invalid body
    response = JSONResponse(dump(body), status_code=reply.status or default_status)
    echo(request, response)
    response.headers.update(reply.headers)
    return response


def echo(request: Request, response: Response) -> None:
    for name in ECHOED_HEADERS:
        value = request.headers.get(name)
        if value is not None and name not in response.headers:
            response.headers[name] = value


def error_response(error: ACPError, request: Request | None = None) -> JSONResponse:
    response = JSONResponse(error.body(), status_code=error.status, headers=error.headers)
    if request is not None:
        echo(request, response)
    return response


_HTTP_CODES = {404: ("invalid_request", "not_found"), 405: ("invalid_request", "method_not_allowed")}


def _allowed_methods(request: Request) -> str | None:
    """Every method the app serves on this path (Starlette's 405 names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()

    def walk(routes: Any) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)  # FastAPI's included routers (no prefix here)
            if inner is not None:
                walk(inner.routes)
                continue
            try:
                match, _ = route.matches(request.scope)
            except Exception:  # pragma: no cover - a foreign route type
                continue
            if match != Match.NONE:
                methods.update(getattr(route, "methods", None) or ())

    walk(getattr(request.app, "routes", ()))
    return ", ".join(sorted(methods)) or None


def install_error_handlers(app: FastAPI) -> None:
    """Make every error leave the app as a flat ACP error object, never a traceback.

    Errors made here from validation, routing and unexpected exceptions are
    answered through the app's current ``ACPError`` handler, so an app that
    replaces it (e.g. to keep one path's codes inside a closed enum) sees
    them too.
    """

    @app.exception_handler(ACPError)
    async def _acp(request: Request, exc: ACPError) -> JSONResponse:
        return error_response(exc, request)

    async def _answer(request: Request, error: ACPError) -> Response:
        handler = request.app.exception_handlers.get(ACPError, _acp)
        result = handler(request, error)
        return await result if inspect.isawaitable(result) else result

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        first = errors[0] if errors else {"loc": (), "type": "invalid"}
        where = list(first.get("loc", ()))
        if where and where[0] in ("header", "path", "query"):
            name = str(where[1]) if len(where) > 1 else "?"
            kind = "missing" if first.get("type") == "missing" else "invalid"
            verb = "is required" if kind == "missing" else f"is invalid: {first.get('msg', '')}"
            error = ACPError(400, "invalid_request", kind, f"{where[0]} parameter {name} {verb}")
        else:
            error = from_validation_errors(errors, None)
        return await _answer(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        type_, code = _HTTP_CODES.get(exc.status_code, ("invalid_request", "http_error"))
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # RFC 9110: a 405 lists every method the resource supports
            allowed = _allowed_methods(request)
            if allowed:
                headers["Allow"] = allowed
        return await _answer(request, ACPError(exc.status_code, type_, code, str(exc.detail), headers=headers))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(
            ACPError(500, "processing_error", "internal_error", "the server could not process the request"),
            request,
        )
