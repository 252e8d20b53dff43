"""Re-run one failed check on a replayed response (used by reproduction snippets).

``check_response(response, check, version=..., api=..., operation=...)``
raises ``AssertionError("REPRODUCED <check>: ...")`` when the failure is
still there and returns the (empty) list of problems otherwise.  ACP checks
run as the pure rules of ``acpforge.fuzz.checks``; Schemathesis's own checks
run through ``Case.validate_response`` on a case rebuilt from the request
that was sent.  Checks that depend on how the request was generated
(negative data, probes) are judged by the status they expect.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["NotReproduced", "check_response"]

#: Checks judged by status alone on replay (their verdict needs generation metadata).
_STATUS_RULES = {
    "negative_data_rejection": (lambda s: 400 <= s < 500, "a 4xx"),
    "missing_required_header": (lambda s: 400 <= s < 500, "a 4xx"),
    "positive_data_acceptance": (lambda s: s < 400 or s in (400, 401, 403, 404, 405, 409, 422, 429), "2xx/3xx or a business refusal"),
    "not_a_server_error": (lambda s: s < 500, "no 5xx"),
    "ignored_auth": (lambda s: s in (401, 403), "401/403"),
}


class NotReproduced(Exception):
    pass


@lru_cache(maxsize=8)
def _schema(version: str, api: str) -> Any:
    import schemathesis

    from .spec import load_document

    return schemathesis.openapi.from_dict(load_document(version, api), config=schemathesis.Config.from_dict({}))


def _template_params(template: str, path: str) -> dict[str, str]:
    names = re.findall(r"{([^}]+)}", template)
    pattern = "^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(template)) + "$"
    match = re.match(pattern, path)
    return dict(zip(names, match.groups())) if match else {}


def _schemathesis_check(response: Any, check: str, version: str, api: str, operation: str) -> list[str]:
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.core.failures import FailureGroup

    load_all_checks()
    method, _, template = operation.partition(" ")
    schema = _schema(version, api)
    op = schema[template][method.upper()]
    request = response.request
    url = urlsplit(str(request.url))
    body: Any = None
    if request.content:
        try:
            body = json.loads(request.content)
        except ValueError:
            body = request.content
    kwargs: dict[str, Any] = {
        "path_parameters": _template_params(template, url.path),
        "headers": dict(request.headers),
        "query": dict(parse_qsl(url.query)),
    }
    if body is not None:
        kwargs.update(body=body, media_type="application/json")
    case = op.Case(**kwargs)
    try:
        case.validate_response(response, checks=[CHECKS.get_one(check)])
    except FailureGroup as group:
        return [str(f) for f in group.exceptions]
    except AssertionError as failure:
        return [str(failure)]
    return []


def _expectations(response: Any, expect: dict[str, Any]) -> list[str]:
    """A session-flow rule: ``status`` (allowed statuses), ``session_status``, ``order`` (an order for it)."""
    problems = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if "status" in expect and response.status_code not in expect["status"]:
        problems.append(f"answered {response.status_code}, expected {' or '.join(map(str, expect['status']))}")
    got = body.get("status") if isinstance(body, dict) else None
    if "session_status" in expect and got not in expect["session_status"]:
        problems.append(f"session status is {got!r}, expected {' or '.join(expect['session_status'])}")
    if expect.get("order"):
        order = body.get("order") if isinstance(body, dict) else None
        if not (isinstance(order, dict) and order.get("checkout_session_id") == body.get("id")):
            problems.append(f"no order for the session: {order!r}")
    return problems


def check_response(
    response: Any, check: str, *, version: str, api: str, operation: str, expect: dict[str, Any] | None = None
) -> list[str]:
    """Problems of ``check`` on ``response`` (an ``httpx.Response``); raises when reproduced."""
    from .checks import RULES, Exchange
    from .spec import load_document, spec_info

    if expect is not None:
        problems = _expectations(response, expect)
    elif check in RULES:
        request = response.request
        exchange = Exchange(
            method=request.method.upper(),
            url=str(request.url),
            request_headers=request.headers,
            status=response.status_code,
            response_headers={k.lower(): [v] for k, v in response.headers.items()},
            response_body=response.content,
            request_body=request.content,
        )
        problems = RULES[check][0](exchange, spec_info(load_document(version, api), api=api))
    elif check in _STATUS_RULES:
        ok, expected = _STATUS_RULES[check]
        problems = [] if ok(response.status_code) else [f"got {response.status_code}, expected {expected}"]
    else:
        problems = _schemathesis_check(response, check, version, api, operation)
    if problems:
        raise AssertionError(f"REPRODUCED {check} on {operation}: " + "; ".join(problems))
    print(f"not reproduced: {check} on {operation} passes now")
    return problems
