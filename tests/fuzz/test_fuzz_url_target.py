"""``acpforge fuzz --base-url`` against a deliberately lax merchant: the active ACP probes fail it."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from acpforge import serving
from acpforge.fuzz.runner import FuzzOptions, run

SESSION = {
    "id": "cs_lax", "status": "not_ready_for_payment", "currency": "usd",
    "line_items": [{"id": "li_1", "item": {"id": "item_mug", "quantity": 1},
                    "base_amount": 1450, "discount": 0, "subtotal": 1450, "tax": 0, "total": 1450}],
    "fulfillment_options": [],
    "totals": [{"type": "subtotal", "display_text": "Subtotal", "amount": 1450},
               {"type": "total", "display_text": "Total", "amount": 1450}],
    "messages": [], "links": [],
}


async def create(request):
    """Answers every create with a valid session: no API-Version check, no body check, echoes the key."""
    headers = {k: v for k, v in request.headers.items() if k in ("idempotency-key", "request-id")}
    return JSONResponse(SESSION, status_code=201, headers=headers)


def test_api_version_is_probed_and_the_probe_is_the_reproduction(replay_env, run_snippet):
    app = Starlette(routes=[Route("/checkout_sessions", create, methods=["POST"])])
    with serving.running(app, log_level="critical") as server:
        report = run(FuzzOptions(base_url=server.base_url, token="t0k3n", versions=("2025-09-29",),
                                 apis=("agentic_checkout",), operations=("POST /checkout_sessions",),
                                 phases=("examples",), seed=1, flows=0))
        found = [f for f in report.failures if f.check == "acp_api_version_enforced"]
        assert found, [f.summary() for f in report.failures]
        failure = found[0]
        assert "without API-Version" in failure.message or "'1999-01-01'" in failure.message
        headers = {k.lower(): v for k, v in failure.request["headers"].items()}
        assert headers.get("api-version") in (None, "1999-01-01")  # the probe, not the accepted request
        assert "t0k3n" not in json.dumps(failure.request) and "t0k3n" not in failure.python
        replay_env(server.base_url, "t0k3n")
        assert run_snippet(failure.python).startswith("REPRODUCED acp_api_version_enforced")
    assert report.target == "url" and report.base_url == server.base_url


def test_negative_data_accepted_with_2xx_fails():
    app = Starlette(routes=[Route("/checkout_sessions", create, methods=["POST"])])
    with serving.running(app, log_level="critical") as server:
        report = run(FuzzOptions(base_url=server.base_url, versions=("2025-09-29",), apis=("agentic_checkout",),
                                 operations=("POST /checkout_sessions",), phases=("fuzzing",), max_examples=15,
                                 seed=3, flows=0))
    rejected = [f for f in report.failures if f.check == "negative_data_rejection"]
    assert rejected and rejected[0].response["status"] == 201
