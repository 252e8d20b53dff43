"""Session flows: follow a checkout session through create -> update -> complete / cancel.

Schemathesis's stateful phase walks the spec's links with generated data,
which rarely gives a session that can be paid for.  A flow does it on
purpose, with the target's in-stock items, a valid address and a real
delegated token, and checks the lifecycle rules of the protocol on top of
the per-response checks (Schemathesis's conformance checks and the ACP
checks run on every step):

* create answers 201 with an open session (``not_ready_for_payment`` or
  ``ready_for_payment``);
* with items, a valid address when something ships and a chosen fulfillment
  option, the session is ``ready_for_payment``;
* complete with a valid token answers the spec's success status with a
  ``completed`` session carrying an ``order`` for this session; GET agrees;
* cancel of an open session answers 200 ``canceled``; GET agrees;
* cancel after complete, or a second cancel, answers 405; complete or
  update after cancel is refused with a 4xx.

Each flow is planned from ``random.Random(seed, version, index)``: the same
seed replays the same flows.  Failures carry every step as a reproduction
(tokens are minted again on replay, ids mapped).
"""

from __future__ import annotations

import random
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from acpforge import versions
from acpforge.wire.redact import redact_text

from . import checks as acp_checks
from .report import FailureRecord
from .repro import Step, build_reproduction, id_paths
from .spec import load_document
from .state import mark, release
from .tokens import TokenError

__all__ = ["FLOW_CHECK", "FlowPlan", "plan_flow", "run_flows"]

FLOW_CHECK = "acp_session_flow"
ENDINGS = ("complete", "complete", "cancel", "complete_then_cancel", "cancel_then_complete")
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
OPEN = ("not_ready_for_payment", "ready_for_payment")


@dataclass
class FlowPlan:
    index: int
    items: list[tuple[str, int]]
    with_buyer: bool
    address_on_create: bool
    ending: str


def plan_flow(seed: int, version: str, index: int, items: tuple[str, ...]) -> FlowPlan:
    rng = random.Random(f"{seed}:{version}:{index}")
    count = rng.randint(1, min(2, len(items)))
    chosen = rng.sample(list(items), count)
    return FlowPlan(
        index=index,
        items=[(item, rng.randint(1, 2)) for item in chosen],
        with_buyer=rng.random() < 0.5,
        address_on_create=rng.random() < 0.5,
        ending=rng.choice(ENDINGS),
    )


class _FlowFailed(Exception):
    pass


@dataclass
class _Flow:
    runner: Any
    plan: FlowPlan
    steps: list[Step] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    session: dict[str, Any] | None = None


class _Runner:
    def __init__(self, ctx: Any, options: Any, token: str | None, progress: Any, minter: Any) -> None:
        self.ctx = ctx
        self.options = options
        self.token = token
        self.progress = progress
        self.minter = minter
        self.version = ctx.version
        self.profile = versions.profile(ctx.version)
        self.document = load_document(ctx.version, "agentic_checkout")
        self.state = mark(self.document, api="agentic_checkout", probe_api_version=options.probe_api_version)
        config = schemathesis.Config.from_dict({"base-url": ctx.base_url, "generation": {"database": "none"}})
        self.schema = schemathesis.openapi.from_dict(self.document, config=config)
        self.ops = {
            "create": self.schema["/checkout_sessions"]["POST"],
            "update": self.schema["/checkout_sessions/{checkout_session_id}"]["POST"],
            "get": self.schema["/checkout_sessions/{checkout_session_id}"]["GET"],
            "complete": self.schema["/checkout_sessions/{checkout_session_id}/complete"]["POST"],
            "cancel": self.schema["/checkout_sessions/{checkout_session_id}/cancel"]["POST"],
        }
        from schemathesis.checks import CHECKS, load_all_checks

        load_all_checks()
        excluded = set(options.exclude_checks)
        self.checks = [CHECKS.get_one(n) for n in (*BUILTIN_CHECKS, *acp_checks.ACP_CHECK_NAMES) if n not in excluded]
        self.http = requests.Session()
        self.lock = threading.Lock()
        self.sold_out = 0

    def close(self) -> None:
        self.http.close()
        release(self.state)

    # -- one request -----------------------------------------------------------------

    def send(self, flow: _Flow, name: str, session_id: str | None = None, body: Any = None) -> Any:
        op = self.ops[name]
        headers = {"API-Version": self.version, "Request-Id": f"req_{uuid.uuid4().hex[:12]}"}
        if op.method.upper() == "POST":
            headers["Idempotency-Key"] = f"acpforge-flow-{uuid.uuid4()}"
        kwargs: dict[str, Any] = {"headers": headers}
        if session_id is not None:
            kwargs["path_parameters"] = {"checkout_session_id": session_id}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        case = op.Case(**kwargs)
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = case.call(base_url=self.ctx.base_url, session=self.http, headers=auth,
                             timeout=self.options.request_timeout)
        self.progress.requests(1)
        request = response.request
        raw = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        response_id = None
        try:
            parsed = response.json()
            if isinstance(parsed, dict) and isinstance(parsed.get("id"), str):
                response_id = parsed["id"]
        except ValueError:
            parsed = None
        flow.steps.append(
            Step(method=request.method, url=request.url, headers=dict(request.headers), body=raw,
                 response_id=response_id, response_ids=tuple(id_paths(parsed)) if parsed is not None else (),
                 minted_tokens=tuple(flow.tokens), operation=op.label)
        )
        try:
            case.validate_response(response, checks=self.checks, headers=auth,
                                   transport_kwargs={"base_url": self.ctx.base_url, "headers": auth, "session": self.http})
        except FailureGroup as group:
            for failure in group.exceptions:
                self.record(flow, getattr(failure, "check", None) or _builtin_name(failure), failure.title,
                            failure.message, str(getattr(failure.severity, "value", failure.severity)), response)
        except AssertionError as failure:
            self.record(flow, "check", "Check failed", str(failure), "medium", response)
        if isinstance(parsed, dict) and response.status_code < 300 and "line_items" in parsed:
            flow.session = parsed
        return response, parsed

    def expect(self, flow: _Flow, condition: bool, message: str, response: Any, **replay: Any) -> None:
        """A lifecycle rule; ``replay`` (status=[...], session_status=[...], order=True) re-checks it on replay."""
        if not condition:
            self.record(flow, FLOW_CHECK, "Session lifecycle rule broken", message, "high", response,
                        expect=replay)
            raise _FlowFailed(message)

    def record(self, flow: _Flow, check: str, title: str, message: str, severity: str, response: Any,
               expect: dict[str, Any] | None = None) -> None:
        from .runner import _request_dict, _response_dict

        operation = flow.steps[-1].operation if flow.steps else "session flow"
        repro = build_reproduction(
            list(flow.steps),
            base_url=self.ctx.base_url,
            version=self.version,
            api="agentic_checkout",
            check=check,
            operation=operation,
            seed=self.ctx.seed,
            merchant_id=self.ctx.merchant_id,
            title=f"session flow #{flow.plan.index} ({flow.plan.ending}): {title}",
            expect=expect,
        )
        record = FailureRecord(
            version=self.version,
            api="agentic_checkout",
            operation=operation,
            check=check,
            title=title,
            message=redact_text(f"{message}\n(session flow #{flow.plan.index}, ending {flow.plan.ending}, "
                                f"{len(flow.steps)} step(s))"),
            severity=severity,
            phase="flows",
            seed=self.ctx.seed,
            request=_request_dict(flow.steps[-1]) if flow.steps else {},
            response=_response_dict(response),
            curl=repro.curl,
            python=repro.python,
            steps=len(flow.steps),
        )
        with self.lock:
            new = self.ctx.report.add_failure(record)
        if new and self.ctx.on_failure is not None:
            self.ctx.on_failure(record)

    # -- bodies ----------------------------------------------------------------------

    def create_body(self, plan: FlowPlan) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.profile.items_field == "items":
            body["items"] = [{"id": item, "quantity": qty} for item, qty in plan.items]
        else:
            body["line_items"] = [{"id": item} for item, qty in plan.items for _ in range(qty)]
            body["currency"] = "usd"
            body["capabilities"] = {}
        if plan.with_buyer:
            body["buyer"] = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
        if plan.address_on_create:
            body.update(self.address_body())
        return body

    def address_body(self) -> dict[str, Any]:
        address = dict(self.options.address)
        if self.profile.address_field == "fulfillment_address":
            return {"fulfillment_address": address}
        return {"fulfillment_details": {"name": address.get("name", "Ada Lovelace"), "address": address}}

    def selection_body(self, session: dict[str, Any]) -> dict[str, Any] | None:
        options = [o for o in session.get("fulfillment_options") or [] if isinstance(o, dict)]
        if not options:
            return None
        if self.profile.fulfillment_selection_field == "fulfillment_option_id":
            chosen = options[-1]  # not necessarily the preselected one: a change to reprice
            return {"fulfillment_option_id": chosen["id"]}
        line_ids = [line["id"] for line in session.get("line_items") or [] if isinstance(line, dict)]
        chosen = options[-1]
        return {"selected_fulfillment_options": [
            {"type": chosen.get("type", "shipping"), "option_id": chosen["id"], "item_ids": line_ids}
        ]}

    # -- one flow --------------------------------------------------------------------

    def run_flow(self, plan: FlowPlan) -> None:
        flow = _Flow(self, plan)
        try:
            self._run(flow)
        except _FlowFailed:
            pass
        except (requests.RequestException, TokenError) as exc:
            self.record(flow, FLOW_CHECK, "Session flow could not run", f"{type(exc).__name__}: {exc}", "high", None)

    def _run(self, flow: _Flow) -> None:
        plan = flow.plan
        response, session = self.send(flow, "create", body=self.create_body(plan))
        self.expect(flow, response.status_code == 201, f"create answered {response.status_code}, expected 201", response, status=[201])
        self.expect(flow, isinstance(session, dict) and session.get("status") in OPEN,
                    f"a new session is {session.get('status') if isinstance(session, dict) else session!r}", response,
                    session_status=list(OPEN))
        sid = session["id"]
        if not plan.address_on_create:
            response, session = self.send(flow, "update", sid, self.address_body())
            self.expect(flow, response.status_code == 200, f"update with an address answered {response.status_code}", response, status=[200])
        selection = self.selection_body(session)
        if selection is not None:
            response, session = self.send(flow, "update", sid, selection)
            self.expect(flow, response.status_code == 200, f"choosing a fulfillment option answered {response.status_code}", response, status=[200])
        session = session if isinstance(session, dict) else {}
        if _sold_out(session):
            # Earlier completions (this run's, or anyone's) used the stock up: the merchant is right
            # not to offer payment.  Nothing to check beyond the per-response checks; leave it.
            self.send(flow, "cancel", sid)
            self.sold_out += 1
            return
        self.expect(flow, session.get("status") == "ready_for_payment",
                    f"with in-stock items, a valid address and a chosen fulfillment option the session is "
                    f"{session.get('status')!r}, expected 'ready_for_payment'", response,
                    session_status=["ready_for_payment"])
        if plan.ending.startswith("complete"):
            self.complete(flow, sid, session)
            if plan.ending == "complete_then_cancel":
                response, _ = self.send(flow, "cancel", sid)
                self.expect(flow, response.status_code == 405,
                            f"cancel after complete answered {response.status_code}, expected 405", response,
                            status=[405])
        else:
            response, session = self.send(flow, "cancel", sid)
            self.expect(flow, response.status_code == 200 and (session or {}).get("status") == "canceled",
                        f"cancel of an open session answered {response.status_code} "
                        f"{(session or {}).get('status')!r}, expected 200 'canceled'", response,
                        status=[200], session_status=["canceled"])
            response, got = self.send(flow, "get", sid)
            self.expect(flow, response.status_code == 200 and (got or {}).get("status") == "canceled",
                        f"GET after cancel shows {(got or {}).get('status')!r}", response,
                        status=[200], session_status=["canceled"])
            if plan.ending == "cancel_then_complete":
                token = self.mint(flow, sid, session)
                response, _ = self.send(flow, "complete", sid, self.complete_body(token, session))
                self.expect(flow, 400 <= response.status_code < 500,
                            f"complete after cancel answered {response.status_code}, expected a 4xx", response,
                            status=list(range(400, 500)))
            else:
                response, _ = self.send(flow, "cancel", sid)
                self.expect(flow, response.status_code == 405,
                            f"a second cancel answered {response.status_code}, expected 405", response,
                            status=[405])

    def mint(self, flow: _Flow, sid: str, session: dict[str, Any]) -> str:
        from .runner import _session_summary

        summary = _session_summary(session)
        amount = max(int(summary["total"] or 0), 1)
        token = self.minter.mint(sid, amount, summary["currency"])
        self.progress.requests(1)
        with self.lock:
            self.ctx.report.tokens_minted += 1
        flow.tokens.append(token)
        flow.steps.append(Step(method="POST", url="", mint={"session_id": sid, "amount": amount,
                                                            "currency": summary["currency"]}, response_id=None,
                               operation="mint delegated token"))
        return token

    def complete_body(self, token: str, session: dict[str, Any]) -> dict[str, Any]:
        from .runner import _session_summary, payment_data_for

        return {"payment_data": payment_data_for(self.version, token, _session_summary(session))}

    def complete(self, flow: _Flow, sid: str, session: dict[str, Any]) -> None:
        token = self.mint(flow, sid, session)
        response, done = self.send(flow, "complete", sid, self.complete_body(token, session))
        expected = self.profile.completion_status
        self.expect(flow, response.status_code == expected,
                    f"complete with a valid token answered {response.status_code}, expected {expected}", response,
                    status=[expected])
        self.expect(flow, isinstance(done, dict) and done.get("status") == "completed",
                    f"complete answered a session in status {(done or {}).get('status')!r}", response,
                    session_status=["completed"])
        order = (done or {}).get("order")
        self.expect(flow, isinstance(order, dict) and order.get("checkout_session_id") == sid,
                    f"the completed session's order is {order!r}, expected one for {sid}", response, order=True)
        response, got = self.send(flow, "get", sid)
        self.expect(flow, response.status_code == 200 and (got or {}).get("status") == "completed",
                    f"GET after complete shows {(got or {}).get('status')!r}", response,
                    status=[200], session_status=["completed"])


def _sold_out(session: dict[str, Any]) -> bool:
    messages = session.get("messages") or []
    return any(isinstance(m, dict) and m.get("type") == "error" and m.get("code") == "out_of_stock" for m in messages)


def _builtin_name(failure: Any) -> str:
    checks = getattr(type(failure), "checks", ()) or ()
    return checks[0] if checks else type(failure).__name__


def run_flows(ctx: Any, options: Any, token: str | None, progress: Any, minter: Any) -> int:
    """Run ``options.flow_count()`` flows against ``ctx.base_url``; failures go into ``ctx.report``."""
    count = options.flow_count()
    runner = _Runner(ctx, options, token, progress, minter)
    task = progress.task(f"{ctx.version} session flows", total=count)
    seed = ctx.seed ^ zlib.crc32(ctx.version.encode())
    try:
        for index in range(count):
            runner.run_flow(plan_flow(seed, ctx.version, index, tuple(options.items)))
            progress.advance(task)
            ctx.report.flows += 1
    finally:
        progress.finish(task)
        ctx.report.flows_sold_out += runner.sold_out
        runner.close()
    stats = ctx.report.operation(ctx.version, "agentic_checkout", "session flows")
    stats.scenarios += count
    if "flows" not in stats.phases:
        stats.phases.append("flows")
    return count


def run_flows_standalone(
    base_url: str,
    version: str,
    *,
    token: str | None = None,
    count: int = 4,
    seed: int = 0,
    merchant_id: str | None = None,
    items: tuple[str, ...] | None = None,
) -> list[FailureRecord]:
    """Flows outside ``acpforge fuzz`` (the generated pytest modules); returns the failures."""
    from .report import FuzzReport
    from .runner import DEFAULT_ITEMS, FuzzOptions, NullProgress, _Context
    from .tokens import DEFAULT_MERCHANT_ID, TokenMinter

    options = FuzzOptions(base_url=base_url, versions=(version,), flows=count, items=items or DEFAULT_ITEMS)
    report = FuzzReport(seed=seed, base_url=base_url, versions=[version], apis=["agentic_checkout"],
                        max_examples=0, workers=1)
    ctx = _Context(report, version, "agentic_checkout", seed, base_url.rstrip("/"),
                   merchant_id or DEFAULT_MERCHANT_ID)
    minter = TokenMinter(base_url.rstrip("/"), version, token, merchant_id or DEFAULT_MERCHANT_ID)
    try:
        run_flows(ctx, options, token, NullProgress(), minter)
    finally:
        minter.close()
    return report.failures
