"""Every exchange the runner makes, recorded as evidence, redacted at the source.

A recording httpx transport wraps the real one, so that generated clients,
raw probes and the webhook receiver all feed one ordered log; what is
stored has passed through ``acpforge.wire.redact`` already, so no report
can leak a card number, CVC, token or secret.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from acpforge.wire.redact import redact_headers, redact_json, redact_text


@dataclass
class Exchange:
    index: int
    scenario: str
    direction: str  # "outbound" (runner -> merchant) or "inbound" (merchant -> receiver)
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None
    response_headers: dict[str, str]
    response_body: Any
    duration_ms: float
    note: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return redact_json(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        text = raw.decode("utf-8", errors="replace")
        return redact_text(text[:4000])


@dataclass
class Recorder:
    exchanges: list[Exchange] = field(default_factory=list)
    scenario: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **values: Any) -> Exchange:
        with self._lock:
            exchange = Exchange(index=len(self.exchanges), scenario=values.pop("scenario", self.scenario), **values)
            self.exchanges.append(exchange)
            return exchange

    def record_http(self, request: httpx.Request, response: httpx.Response | None, started: float,
                    error: str | None = None, note: str = "") -> Exchange:
        return self.add(
            direction="outbound",
            method=request.method,
            url=redact_text(str(request.url)),
            request_headers=redact_headers(dict(request.headers)),
            request_body=_body(request.content),
            status=response.status_code if response is not None else None,
            response_headers=redact_headers(dict(response.headers)) if response is not None else {},
            response_body=_body(response.content) if response is not None else None,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            error=error,
            note=note,
        )

    def record_inbound(self, method: str, url: str, headers: dict[str, str], body: bytes, status: int,
                       response_body: Any, note: str) -> Exchange:
        return self.add(
            direction="inbound", method=method, url=url, request_headers=redact_headers(headers),
            request_body=_body(body), status=status, response_headers={},
            response_body=redact_json(response_body), duration_ms=0.0, note=note,
        )

    def indices(self, scenario: str) -> list[int]:
        return [e.index for e in self.exchanges if e.scenario == scenario]


class RecordingTransport(httpx.BaseTransport):
    """Delegates to a real transport and records each request and response."""

    def __init__(self, recorder: Recorder, inner: httpx.BaseTransport):
        self.recorder = recorder
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
            response.read()
        except httpx.HTTPError as exc:
            self.recorder.record_http(request, None, started, error=f"{type(exc).__name__}: {exc}")
            raise
        self.recorder.record_http(request, response, started)
        return response

    def close(self) -> None:
        self.inner.close()


def http_client(recorder: Recorder, *, verify: Any = True, local_address: str | None = None,
                timeout: float = 20.0) -> httpx.Client:
    inner = httpx.HTTPTransport(verify=verify, local_address=local_address)
    return httpx.Client(transport=RecordingTransport(recorder, inner), timeout=timeout)
