"""Shared machinery of the generated httpx clients (sync and async).

A generated client method only lists its typed parameters and calls
``_call``; this module builds the request (API-Version pinned, an
``Idempotency-Key`` per POST unless given, ``Request-Id`` and ``Timestamp``,
the optional signer hook), sends exactly the fields the caller set (an
explicit ``None`` is sent as ``null``, an unset field is not sent), and
parses the response leniently: unknown enum values never crash a client, and
a body that still does not fit its model is returned unvalidated with a
``ResponseValidationWarning`` rather than raising.
"""

from __future__ import annotations

import json
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping

import httpx
from pydantic import BaseModel, ValidationError

from .enums import lenient_enums

Signer = Callable[[bytes], Mapping[str, str]]
"""Called with the exact body bytes; returns headers to add (e.g. Signature, Timestamp)."""


class ResponseValidationWarning(UserWarning):
    """A response did not match its schema; the client returned it unvalidated."""


class ACPClientError(Exception):
    """A non-success response, with the parsed ACP error when the body is one."""

    def __init__(self, status: int, error: Any, headers: Mapping[str, str], body: Any, response: httpx.Response):
        self.status = status
        self.error = error
        self.headers = dict(headers)
        self.body = body
        self.response = response
        code = getattr(error, "code", None) or (body.get("code") if isinstance(body, dict) else None)
        message = getattr(error, "message", None) or (body.get("message") if isinstance(body, dict) else None)
        super().__init__(f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else ""))

    @property
    def code(self) -> str | None:
        code = getattr(self.error, "code", None)
        if code is None and isinstance(self.body, dict):
            code = self.body.get("code")
        return None if code is None else str(code)


@dataclass(frozen=True)
class Call:
    """One operation call, as the generated method describes it."""

    method: str
    path: str
    body: Any
    body_model: type[BaseModel] | None
    headers: Mapping[str, Any]
    success: Mapping[str, type[BaseModel] | None]
    error_model: type[BaseModel] | None
    send_idempotency_key: bool = False


def _header_value(value: Any) -> str:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_body(body: Any, model: type[BaseModel] | None) -> bytes:
    """JSON bytes of exactly what the caller set.

    A mapping is validated into the model first (typed, and unknown fields
    are caught before the wire), then dumped with ``exclude_unset``: keys the
    caller wrote are sent, ``None`` included, and nothing else.
    """
    if model is not None and not isinstance(body, BaseModel):
        body = model.model_validate(body)
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_model(model: type[BaseModel] | None, data: Any) -> Any:
    if model is None:
        return data
    with lenient_enums():
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            warnings.warn(
                ResponseValidationWarning(f"{model.__name__}: {exc.error_count()} problem(s); returned unvalidated"),
                stacklevel=4,
            )
            return model.model_construct(**data) if isinstance(data, dict) else data


def _match_status(status: int, table: Mapping[str, Any]) -> tuple[bool, Any]:
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in table:
            return True, table[key]
    return False, None


class _Base:
    API_VERSION: str | None = None

    def __init__(
        self,
        base_url: str,
        *,
        bearer_token: str | None = None,
        signer: Signer | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        api_version: str | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.bearer_token = bearer_token
        self.signer = signer
        self.default_headers = dict(headers or {})
        self.timeout = timeout
        self.api_version = api_version or self.API_VERSION
        self.last_response: httpx.Response | None = None

    def _build(self, call: Call) -> tuple[str, str, dict[str, str], bytes | None]:
        headers: dict[str, str] = {"Accept": "application/json", **self.default_headers}
        if self.bearer_token:
            headers["Authorization"] = f"Bearer {self.bearer_token}"
        given = {name: value for name, value in call.headers.items() if value is not None}
        if self.api_version and "API-Version" not in given:
            headers["API-Version"] = self.api_version
        if call.send_idempotency_key and "Idempotency-Key" not in given:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        headers.setdefault("Request-Id", str(uuid.uuid4()))
        headers.setdefault("Timestamp", _header_value(datetime.now(timezone.utc).replace(microsecond=0)))
        headers.update({name: _header_value(value) for name, value in given.items()})
        content: bytes | None = None
        if call.body is not None:
            content = encode_body(call.body, call.body_model)
            headers["Content-Type"] = "application/json"
        if self.signer is not None:
            headers.update(self.signer(content or b""))
        return call.method, self.base_url + call.path, headers, content

    def _finish(self, call: Call, response: httpx.Response) -> Any:
        self.last_response = response
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = response.text
        ok, model = _match_status(response.status_code, call.success)
        if ok and response.is_success:
            return parse_model(model, data)
        error = None
        if call.error_model is not None and isinstance(data, dict):
            with lenient_enums():
                try:
                    error = call.error_model.model_validate(data)
                except ValidationError:
                    error = None
        raise ACPClientError(response.status_code, error, response.headers, data, response)


class SyncClient(_Base):
    """Base of generated synchronous clients."""

    def __init__(self, base_url: str, *, http_client: httpx.Client | None = None, **options: Any):
        super().__init__(base_url, **options)
        self._owns_client = http_client is None
        self.http = http_client or httpx.Client(timeout=self.timeout)

    def _call(self, call: Call) -> Any:
        method, url, headers, content = self._build(call)
        return self._finish(call, self.http.request(method, url, headers=headers, content=content))

    def close(self) -> None:
        if self._owns_client:
            self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Base):
    """Base of generated asynchronous clients."""

    def __init__(self, base_url: str, *, http_client: httpx.AsyncClient | None = None, **options: Any):
        super().__init__(base_url, **options)
        self._owns_client = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=self.timeout)

    async def _call(self, call: Call) -> Any:
        method, url, headers, content = self._build(call)
        return self._finish(call, await self.http.request(method, url, headers=headers, content=content))

    async def aclose(self) -> None:
        if self._owns_client:
            await self.http.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
