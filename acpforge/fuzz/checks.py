"""ACP checks: protocol rules that a JSON Schema cannot express.

Each rule is a pure function ``rule(exchange, info) -> list[str]`` over one
request/response pair (``Exchange``) and the API's ``SpecInfo``; an empty
list means the rule holds.  They are unit-testable with crafted exchanges
and are registered with Schemathesis (``@schemathesis.check``) as thin
wrappers, so they run beside Schemathesis's own checks in ``acpforge fuzz``,
in its stateful phase, in the session flows and in the generated pytest
conformance modules.  The wrappers act only on ACP-marked schemas
(``acpforge.fuzz.state``) and skip every other response.

=================================  ==========================================================
check (Schemathesis name)          rule
=================================  ==========================================================
``acp_amounts_minor_units``        every money field is an integer (minor units): never a
                                   float (``12.34`` or ``1234.0``), a string or a boolean
``acp_totals_add_up``              a session's line items, fulfillment options and totals
                                   add up (``merchant.core.pricing.check_invariants``)
``acp_flat_error``                 a 4xx/5xx body is a flat ACP error object: JSON object
                                   with string ``type`` (from the spec's enum), ``code``
                                   (the spec's enum when it has one, snake_case always),
                                   ``message``, optional JSONPath ``param``; not wrapped
``acp_idempotency_key_echoed``     a POST that sent ``Idempotency-Key`` gets it back unchanged
``acp_request_id_echoed``          a request that sent ``Request-Id`` gets it back unchanged
``acp_api_version_enforced``       a missing or unsupported ``API-Version`` is refused with a
                                   4xx; and, once per operation, a request the server
                                   accepted is re-sent without the header and with an
                                   unsupported version: both must be refused with a 4xx
                                   flat error
``acp_idempotency_key_required``   where the version requires a key on POST, a POST without
                                   one is refused with a 4xx
=================================  ==========================================================

Schemathesis's built-in checks cover the rest of the list in the issue: no
5xx (``not_a_server_error``), documented statuses, headers, content types
and schemas (``*_conformance``), negative data refused
(``negative_data_rejection``, configured by the runner to accept only 4xx).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.core.failures import Failure, Severity

from acpforge.merchant.core.pricing import check_invariants

from .spec import SpecInfo
from .state import ACPState, state_for

__all__ = [
    "ACP_CHECK_NAMES",
    "RULES",
    "ACPFailure",
    "Exchange",
    "amounts_minor_units",
    "api_version_enforced",
    "flat_error",
    "idempotency_key_echoed",
    "idempotency_key_required",
    "request_id_echoed",
    "run_rules",
    "totals_add_up",
]

UNSUPPORTED_VERSION_PROBE = "1999-01-01"
MONEY_KEYS = frozenset(
    {
        "amount", "base_amount", "discount", "subtotal", "tax", "total", "unit_amount",
        "presentment_amount", "amount_off", "unit_price", "max_amount", "fee",
    }
)  # fmt: skip
_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")
_WRAPPERS = ("error", "errors", "detail", "details")
_MISSING = object()
_INVALID = object()
_SHAPE_OF = re.compile(r"[0-9]+|'[^']*'")  # a problem's wording without its values


# --------------------------------------------------------------------------- exchange


@dataclass
class Exchange:
    """One request and the response it got, as they were on the wire."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    status: int
    response_headers: Mapping[str, list[str]] = field(default_factory=dict)
    response_body: bytes = b""
    request_body: bytes | None = None
    _json: Any = field(default=_MISSING, repr=False)

    @classmethod
    def from_response(cls, response: Any) -> Exchange:
        """From a Schemathesis ``Response`` (its ``request`` is what was sent)."""
        request = response.request
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        exchange = cls(
            method=str(request.method).upper(),
            url=str(request.url),
            request_headers=request.headers,
            status=response.status_code,
            response_headers=response.headers,
            response_body=response.content or b"",
            request_body=body,
        )
        if response.content:
            try:
                exchange._json = response.json()
            except ValueError:
                exchange._json = _INVALID
        return exchange

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def request_header(self, name: str) -> str | None:
        headers = self.request_headers
        value = headers.get(name)
        if value is None and not hasattr(headers, "lower_items"):  # a plain dict: search by hand
            lowered = name.lower()
            value = next((v for k, v in headers.items() if k.lower() == lowered), None)
        return value

    def response_header(self, name: str) -> str | None:
        values = self.response_headers.get(name.lower())
        if values is None:
            return None
        return values[0] if isinstance(values, list) else str(values)

    def json(self) -> Any:
        """The parsed response body, or ``_MISSING`` when it is empty or not JSON."""
        if self._json is _MISSING and self.response_body:
            try:
                self._json = json.loads(self.response_body)
            except ValueError:
                self._json = _INVALID
        return _MISSING if self._json is _INVALID else self._json


def _has_json(ex: Exchange) -> bool:
    return ex.json() is not _MISSING


# --------------------------------------------------------------------------- rules


def amounts_minor_units(ex: Exchange, info: SpecInfo) -> list[str]:
    """Every money field of a JSON response is an integer."""
    if not _has_json(ex):
        return []
    problems: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                where = f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)) else f"{path}[{key!r}]"
                if key in MONEY_KEYS and value is not None and type(value) is not int \
                        and not isinstance(value, (dict, list)):
                    kind = "a float" if isinstance(value, float) else f"a {type(value).__name__}"
                    problems.append(f"{where} is {kind} ({value!r}); amounts are integers in minor units")
                walk(value, where)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(ex.json(), "$")
    return problems[:10]


def _entries(totals: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(totals, list):
        for entry in totals:
            if isinstance(entry, dict) and isinstance(entry.get("type"), str):
                out.setdefault(entry["type"], entry.get("amount"))
    return out


def _line_2026(line: dict[str, Any]) -> dict[str, Any]:
    t = _entries(line.get("totals"))
    base = t.get("items_base_amount", t.get("base_amount"))
    discount = t.get("items_discount", t.get("discount", 0))
    out = {
        "base_amount": base if base is not None else t.get("subtotal"),
        "discount": discount,
        "subtotal": t.get("subtotal"),
        "tax": t.get("tax", 0),
        "total": t.get("total"),
    }
    for key in ("quantity", "unit_amount"):
        if key in line:
            out[key] = line[key]
    return {k: v for k, v in out.items() if v is not None}


def _option_2026(option: dict[str, Any]) -> dict[str, Any]:
    t = _entries(option.get("totals"))
    total, tax = t.get("total"), t.get("tax", 0)
    subtotal = t.get("subtotal")
    if subtotal is None and type(total) is int and type(tax) is int:
        subtotal = total - tax
    return {"id": option.get("id"), "subtotal": subtotal, "tax": tax, "total": total}


def _session_parts(body: dict[str, Any]) -> tuple[list, Any, list | None, str | None] | None:
    lines, totals = body.get("line_items"), body.get("totals")
    if not isinstance(lines, list) or not isinstance(totals, list):
        return None
    if not all(isinstance(line, dict) for line in lines):
        return None
    options = body.get("fulfillment_options")
    options = options if isinstance(options, list) and all(isinstance(o, dict) for o in options) else None
    t = _entries(totals)
    if "discount" in t and type(t["discount"]) is int and type(t.get("total")) is int:
        # An order-level discount comes off the total; check_invariants does not model it.
        t["total"] = t["total"] + t["discount"]
    t.pop("discount", None)
    if lines and all("totals" in line and "base_amount" not in line for line in lines):  # 2026-04-17 shape
        lines = [_line_2026(line) for line in lines]
        selected_id = None
        if options is not None:
            options = [_option_2026(o) for o in options]
            chosen = body.get("selected_fulfillment_options")
            if isinstance(chosen, list) and chosen:
                ids = [c.get("option_id") for c in chosen if isinstance(c, dict)]
                picked = [o for o in options if o["id"] in ids]
                if len(picked) == len(ids) and all(
                    type(o[k]) is int for o in picked for k in ("subtotal", "tax", "total")
                ):
                    combined = {
                        "id": "+".join(str(i) for i in ids),
                        "subtotal": sum(o["subtotal"] for o in picked),
                        "tax": sum(o["tax"] for o in picked),
                        "total": sum(o["total"] for o in picked),
                    }
                    options = [*options, combined]
                    selected_id = combined["id"]
                else:
                    selected_id = next((i for i in ids if i not in {o["id"] for o in options}), None)
        return lines, t, options, selected_id
    selected = body.get("fulfillment_option_id")
    return lines, t, options, selected if isinstance(selected, str) else None


def totals_add_up(ex: Exchange, info: SpecInfo) -> list[str]:
    """A session in a 2xx answer is internally consistent."""
    if not 200 <= ex.status < 300 or not _has_json(ex):
        return []
    body = ex.json()
    if not isinstance(body, dict):
        return []
    parts = _session_parts(body)
    if parts is None:
        return []
    lines, totals, options, selected = parts
    try:
        violations = check_invariants(lines, totals, options, selected)
    except (TypeError, ValueError, KeyError, AttributeError):
        return []  # malformed beyond arithmetic: the schema checks report the shape
    return [str(v) for v in violations[:10]]


def flat_error(ex: Exchange, info: SpecInfo) -> list[str]:
    """A 4xx/5xx body is a flat ACP error object with allowed type and code."""
    if ex.status < 400:
        return []
    if not ex.response_body:
        return [f"{ex.status} with an empty body; ACP errors carry a flat error object"]
    body = ex.json()
    if body is _MISSING:
        return [f"{ex.status} body is not JSON: {ex.response_body[:80]!r}"]
    if not isinstance(body, dict):
        return [f"{ex.status} body is a JSON {type(body).__name__}, not an error object"]
    problems: list[str] = []
    wrapped = [k for k in _WRAPPERS if k in body and isinstance(body[k], (dict, list))]
    if wrapped and "type" not in body:
        return [f"error object is wrapped in {wrapped[0]!r}; ACP errors are flat {{type, code, message}}"]
    for key in ("type", "code", "message"):
        if key not in body:
            problems.append(f"missing {key!r}")
        elif not isinstance(body[key], str) or not body[key]:
            problems.append(f"{key!r} must be a non-empty string, got {body[key]!r}")
    kind, code = body.get("type"), body.get("code")
    if isinstance(kind, str) and info.error_types and kind not in info.error_types:
        problems.append(f"type {kind!r} is not one of {', '.join(sorted(info.error_types))}")
    if isinstance(code, str) and code:
        if info.error_codes is not None and code not in info.error_codes:
            problems.append(f"code {code!r} is not one of the spec's codes ({', '.join(sorted(info.error_codes))})")
        elif not _CODE_SHAPE.match(code):
            problems.append(f"code {code!r} is not a snake_case identifier")
    param = body.get("param", _MISSING)
    if param is not _MISSING and param is not None and not (isinstance(param, str) and param.startswith("$")):
        problems.append(f"param {param!r} is not an RFC 9535 JSONPath (starting with '$')")
    if info.error_keys is not None:
        extra = sorted(set(body) - info.error_keys)
        if extra:
            problems.append(f"unexpected key(s) {', '.join(map(repr, extra))} in the error object")
    content_type = (ex.response_header("content-type") or "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        problems.append(f"error Content-Type is {content_type!r}, not application/json")
    return [f"{ex.status} error: {p}" for p in problems]


def idempotency_key_echoed(ex: Exchange, info: SpecInfo) -> list[str]:
    if ex.method != "POST" or ex.status >= 500:
        return []
    sent = ex.request_header("Idempotency-Key")
    if sent is None:
        return []
    got = ex.response_header("idempotency-key")
    if got is None:
        return [f"POST sent Idempotency-Key {sent!r}; the {ex.status} response does not echo it"]
    if got != sent:
        return [f"POST sent Idempotency-Key {sent!r}; the response echoes {got!r}"]
    return []


def request_id_echoed(ex: Exchange, info: SpecInfo) -> list[str]:
    if ex.status >= 500:
        return []
    sent = ex.request_header("Request-Id")
    if sent is None:
        return []
    got = ex.response_header("request-id")
    if got != sent:
        return [f"sent Request-Id {sent!r}; the {ex.status} response echoes {got!r}"]
    return []


def api_version_enforced(ex: Exchange, info: SpecInfo) -> list[str]:
    """A request with a missing or unsupported API-Version is not served."""
    sent = ex.request_header("API-Version")
    if sent == info.version or ex.status >= 400:
        return []
    what = "without API-Version" if sent is None else f"with unsupported API-Version {sent!r}"
    return [f"a request {what} got {ex.status}; expected 400 (missing/unsupported_api_version)"]


def idempotency_key_required(ex: Exchange, info: SpecInfo) -> list[str]:
    if not info.profile.idempotency_key_required_on_post or ex.method != "POST" or ex.status >= 400:
        return []
    if ex.request_header("Idempotency-Key") is not None:
        return []
    return [f"API-Version {info.version} requires Idempotency-Key on POST; a POST without one got {ex.status}"]


#: name -> (rule, title, severity)
RULES: dict[str, tuple[Callable[[Exchange, SpecInfo], list[str]], str, Severity]] = {
    "acp_amounts_minor_units": (amounts_minor_units, "Amount is not an integer in minor units", Severity.HIGH),
    "acp_totals_add_up": (totals_add_up, "Session totals do not add up", Severity.HIGH),
    "acp_flat_error": (flat_error, "Error body is not a flat ACP error", Severity.MEDIUM),
    "acp_idempotency_key_echoed": (idempotency_key_echoed, "Idempotency-Key not echoed", Severity.MEDIUM),
    "acp_request_id_echoed": (request_id_echoed, "Request-Id not echoed", Severity.LOW),
    "acp_api_version_enforced": (api_version_enforced, "API-Version not enforced", Severity.HIGH),
    "acp_idempotency_key_required": (idempotency_key_required, "Idempotency-Key not required", Severity.MEDIUM),
}
ACP_CHECK_NAMES: tuple[str, ...] = tuple(RULES)


def run_rules(ex: Exchange, info: SpecInfo, names: Iterable[str] = ACP_CHECK_NAMES) -> dict[str, list[str]]:
    """Every rule's problems (only the rules that found some)."""
    found = {}
    for name in names:
        problems = RULES[name][0](ex, info)
        if problems:
            found[name] = problems
    return found


# --------------------------------------------------------------------------- Schemathesis glue


class ACPFailure(Failure):
    """A failed ACP check (one per check and operation in a report)."""

    code = "ST901"
    kind_title = "ACP check failed"
    __slots__ = ("check", "first", "request")

    def __init__(
        self,
        *,
        check: str,
        operation: str | None,
        title: str,
        problems: list[str],
        severity: Severity = Severity.MEDIUM,
        request: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(operation=operation, title=title, message="\n".join(problems), severity=severity)
        self.check = check
        self.first = problems[0] if problems else ""
        #: The request that exposed the problem when it is not the case's own (a probe).
        self.request = request

    @property
    def _unique_key(self) -> str:
        # One finding per check and operation; the kind of problem keeps distinct ones apart.
        return f"{self.check}|{_SHAPE_OF.sub('#', self.first)[:60]}"


def _fail(name: str, case: Any, problems: list[str], request: dict[str, Any] | None = None) -> None:
    _, title, severity = RULES[name]
    raise ACPFailure(
        check=name,
        operation=case.operation.label,
        title=title,
        problems=problems,
        severity=severity,
        request=request,
    )


def _rule_check(name: str) -> Callable[[Any, Any, Any], bool | None]:
    rule = RULES[name][0]

    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        state = state_for(case)
        if state is None:
            return True  # not an ACP schema: skipped, not passed
        problems = rule(Exchange.from_response(response), state.info)
        if problems:
            _fail(name, case, problems)
        return None

    check.__name__ = name
    check.__qualname__ = name
    check.__doc__ = RULES[name][0].__doc__
    return check


for _name in ACP_CHECK_NAMES:
    if _name != "acp_api_version_enforced":
        globals()[_name] = schemathesis.check(_rule_check(_name))


def _probe_request(probe_response: Any) -> dict[str, Any]:
    request = probe_response.request
    body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
    return {"method": request.method, "url": request.url, "headers": dict(request.headers), "body": body}


def _send_probe(ctx: Any, case: Any, headers: Any) -> Any:
    probe = case.derive(headers=headers, keep_auth=True)
    kwargs = dict(ctx.internals.transport_kwargs or {})
    if case.operation.app is not None:
        kwargs.setdefault("app", case.operation.app)
    ctx.internals.record_case(parent_id=case.id, case=probe)
    response = case.operation.schema.transport.send(probe, **kwargs)
    ctx.internals.record_response(case_id=probe.id, response=response)
    return response


def _probe_api_version(ctx: Any, response: Any, case: Any, state: ACPState) -> None:
    """Re-send an accepted request without API-Version and with an unsupported one."""
    for value in (None, UNSUPPORTED_VERSION_PROBE):
        headers = case.headers.copy()
        headers.pop("API-Version", None)
        if value is not None:
            headers["API-Version"] = value
        if "Idempotency-Key" in headers:  # a fresh key: a replayed answer would prove nothing
            headers["Idempotency-Key"] = f"acpforge-probe-{uuid.uuid4()}"
        probe = _send_probe(ctx, case, headers)
        what = "without API-Version" if value is None else f"with API-Version {value!r}"
        if probe.status_code < 400 or probe.status_code >= 500:
            _fail(
                "acp_api_version_enforced",
                case,
                [(f"the server accepted a request ({response.status_code}); the same request {what} got "
                  f"{probe.status_code}, expected 400 (missing/unsupported_api_version)")],
                _probe_request(probe),
            )
        problems = flat_error(Exchange.from_response(probe), state.info)
        if problems:
            _fail("acp_flat_error", case, [f"answer to the request {what}: {p}" for p in problems], _probe_request(probe))


@schemathesis.check
def acp_api_version_enforced(ctx: Any, response: Any, case: Any) -> bool | None:
    """A missing or unsupported API-Version is refused (passively, and by one probe per operation)."""
    state = state_for(case)
    if state is None:
        return True
    exchange = Exchange.from_response(response)
    problems = api_version_enforced(exchange, state.info)
    if problems:
        _fail("acp_api_version_enforced", case, problems)
    if (
        state.probe_api_version
        and 200 <= response.status_code < 300
        and exchange.request_header("API-Version") == state.info.version
        and state.first_probe(case.operation.label)
    ):
        _probe_api_version(ctx, response, case, state)
    return None
