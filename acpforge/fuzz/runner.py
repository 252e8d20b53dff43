"""``acpforge fuzz``: Schemathesis's engine over each API of each version, plus session flows.

For every (API-Version, API) pair the runner loads the bundled spec, marks
it as an ACP schema (``state.mark``), configures Schemathesis through its
Python API (``schemathesis.Config.from_dict`` + ``schemathesis.openapi.
from_dict`` + ``schemathesis.engine.from_schema(...).execute()``: the same
engine the ``st run`` CLI drives, without a subprocess) and consumes the
event stream:

* phases: examples, coverage, fuzzing (positive and negative data) and
  stateful (links ``create -> get/update/complete/cancel``), each with
  Schemathesis's built-in checks and the ACP checks (``acpforge.fuzz.checks``);
* negative data must be refused with a 4xx (``negative_data_rejection`` is
  configured to accept only 4xx; 5xx is ``not_a_server_error``'s);
* in the stateful phase a completion of a session the run created gets a
  real delegated token (``tokens.TokenMinter``) three times in four (chosen
  from the generated token, so the choice is reproducible with the seed);
  the fourth keeps its generated token, so refusals are fuzzed too;
* before the engine, ``flows`` follows sessions through create -> update ->
  complete / cancel on purpose (``acpforge.fuzz.flows``), while the stock is
  fresh.

Failures become ``report.FailureRecord`` entries (deduplicated per
operation, check and kind of problem) with the seed, the redacted request
and response, and a reproduction (``repro``).

Adapting Schemathesis to an ACP merchant (each choice is commented where it is made):

* two built-in checks are configured, not disabled: ``positive_data_acceptance``
  also accepts 400/404/405/409/422 (schema-valid requests an ACP merchant
  refuses for business reasons: an unknown item, a session that is not ready,
  a token for another session), and ``negative_data_rejection`` accepts only 4xx;
* fuzzing dictionaries (``fuzzing_dictionaries``): in-stock item ids, ``usd``,
  real and wrong-but-schema-valid address values, so that generated carts
  reach pricing, shipping and payment;
* generated ``Idempotency-Key`` values are kept unique per body (the spec's
  example key would otherwise make most POSTs idempotency conflicts);
* the stateful phase follows the spec's links only (no inferred transitions,
  which start scenarios at update with random ids), and fuzzing does not reuse
  captured ids (which cuts its examples short), so ``--max-examples`` holds;
* credentials go through the spec's ``bearerAuth`` scheme, so checks that need
  a request without them can leave them out.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events as st_events
from schemathesis.engine import from_schema

from acpforge import versions
from acpforge.wire.redact import redact_headers, redact_json, redact_text

from . import checks as acp_checks
from .report import FailureRecord, FuzzReport, finding_shape
from .repro import Step, build_reproduction, id_paths
from .spec import APIS, load_document
from .state import ACPState, mark, release, state_for
from .tokens import DEFAULT_MERCHANT_ID, TokenError, TokenMinter

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_ITEMS",
    "ENGINE_PHASES",
    "FuzzOptions",
    "engine_config",
    "reference_merchant",
    "run",
]

ENGINE_PHASES = ("examples", "coverage", "fuzzing", "stateful")
#: Report entry of the stateful phase (its scenarios span operations; failures name the operation).
STATEFUL_LABEL = "stateful (spec links)"
ALL_PHASES = (*ENGINE_PHASES, "flows")
#: In-stock items of the reference merchant used by the session flows (digital, shipped east, shipped west).
DEFAULT_ITEMS = ("item_ebook", "item_tshirt", "item_poster")
DEFAULT_ADDRESS = {
    "name": "Ada Lovelace",
    "line_one": "1 Market Street",
    "city": "San Francisco",
    "state": "CA",
    "country": "US",
    "postal_code": "94105",
}
_REPORT_LOCK = threading.Lock()
POSITIVE_ACCEPTED = ["2XX", "3XX", "400", "401", "403", "404", "405", "409", "422", "429", "5XX"]
NEGATIVE_REJECTED = ["4XX"]


@dataclass
class FuzzOptions:
    base_url: str | None = None
    versions: tuple[str, ...] = ()
    apis: tuple[str, ...] = APIS
    max_examples: int = 100
    workers: int = 1
    seed: int | None = None
    out: Path | None = None
    token: str | None = None
    phases: tuple[str, ...] = ALL_PHASES
    #: Number of session flows per version (None: max(4, max_examples // 10)).
    flows: int | None = None
    #: Operation labels (``"POST /checkout_sessions"``) to fuzz; empty = all.
    operations: tuple[str, ...] = ()
    merchant_faults: tuple[str, ...] = ()
    merchant_id: str | None = None
    items: tuple[str, ...] = DEFAULT_ITEMS
    address: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ADDRESS))
    exclude_checks: tuple[str, ...] = ()
    probe_api_version: bool = True
    mint_tokens: bool = True
    max_failures: int | None = None
    request_timeout: float = 30.0

    def resolved_versions(self) -> tuple[str, ...]:
        chosen = self.versions or versions.SUPPORTED
        for version in chosen:
            versions.profile(version)  # UnsupportedVersion for anything else
        return tuple(chosen)

    def flow_count(self) -> int:
        return self.flows if self.flows is not None else max(4, self.max_examples // 10)


_MERCHANT_LOGGERS = ("acpforge.server", "acpforge.merchant", "uvicorn", "uvicorn.error", "uvicorn.access")


@contextlib.contextmanager
def reference_merchant(faults: tuple[str, ...] = (), token: str | None = None) -> Iterator[tuple[str, str]]:
    """Start the reference merchant on a loopback port; yields ``(base_url, token)``."""
    from acpforge import serving
    from acpforge.merchant.app import ServeConfig, build_app

    token = token or f"acpforge-fuzz-{uuid.uuid4().hex}"
    app = build_app(ServeConfig(api_keys=[token], faults=list(faults)))
    # The merchant's own logs (tracebacks of the 5xx the fuzzer provokes) would drown the fuzzer's
    # output; every 5xx is a recorded failure with its reproduction instead.
    quiet = {name: logging.getLogger(name) for name in _MERCHANT_LOGGERS}
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():
        logger.setLevel(logging.CRITICAL + 1)
    server = serving.start(app, "127.0.0.1", log_level="critical")
    try:
        yield server.base_url, token
    finally:
        server.stop(timeout=1.0)
        if server.thread.is_alive():  # a fuzzed request left half-sent (e.g. a short body) holds the exit
            server.server.force_exit = True
            server.thread.join(10.0)
        for name, logger in quiet.items():
            logger.setLevel(levels[name])


def engine_config(
    *,
    base_url: str,
    token: str | None,
    seed: int,
    max_examples: int,
    workers: int,
    phases: tuple[str, ...] = ENGINE_PHASES,
    exclude_checks: tuple[str, ...] = (),
    max_failures: int | None = None,
    request_timeout: float = 30.0,
    acp: bool = True,
    items: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The Schemathesis configuration (``schemathesis.toml`` as a dict) of one run.

    ``acp=False`` is the same run without the ACP layer (the bench's baseline): built-in checks
    only, no fuzzing dictionaries; the run-shaping settings (continue on failure, the expected
    statuses of the positive/negative data checks) stay the same.
    """
    data: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "workers": workers,
        "request-timeout": request_timeout,
        "generation": {"max-examples": max_examples, "database": "none"},
        "phases": {name: {"enabled": name in phases} for name in ENGINE_PHASES},
    }
    if token:
        # Through the spec's security scheme, not a fixed header: Schemathesis then knows the
        # credential and can leave it out or spoil it where a check needs a request without it.
        data["auth"] = {"openapi": {"bearerAuth": {"bearer": token}}}
    if acp:
        data["dictionaries"], data["parameters"] = fuzzing_dictionaries(items)
        if "fuzzing" in phases:
            # With ids captured from earlier responses, Schemathesis 4.32 ends the fuzzing of the
            # operations that take a session id after ~20 examples whatever max-examples says; real
            # sessions are the stateful phase's and the session flows' job, so fuzzing draws its own.
            data["phases"]["fuzzing"]["extra-data-sources"] = {"responses": False}
        if "stateful" in phases:
            # The spec's links are the protocol's flow (create -> get/update/complete/cancel).  Inferred
            # transitions make Schemathesis start scenarios at update (with random session ids, so
            # 404s) because create takes item ids no operation produces; without them create is the root.
            data["phases"]["stateful"]["inference"] = {"algorithms": []}
    if max_failures:
        data["max-failures"] = max_failures
    # Built-in checks tuned for ACP, in both modes (``acp=False`` is the same run without the ACP layer).
    data["continue-on-failure"] = True
    checks: dict[str, Any] = {
        "positive_data_acceptance": {"expected-statuses": POSITIVE_ACCEPTED},
        "negative_data_rejection": {"expected-statuses": NEGATIVE_REJECTED},
    }
    for name in acp_checks.ACP_CHECK_NAMES:
        checks[name] = {"enabled": acp and name not in exclude_checks}
    for name in exclude_checks:
        checks.setdefault(name, {})["enabled"] = False
    data["checks"] = checks
    return data


#: Values an ACP merchant must handle, valid and schema-valid-but-wrong, mixed into generated data.
ADDRESS_VALUES = {
    "country": ["US", "CA", "GB", "ZZ", "us", "USA"],
    "state": ["CA", "NY", "WA", "ZZ", "California"],
    "postal_code": ["94105", "10001", "98101", "00000", "ABCDE", "941"],
}
ADDRESS_ROOTS = ("fulfillment_address", "fulfillment_details.address", "billing_address", "payment_data.billing_address")


def fuzzing_dictionaries(items: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Schemathesis dictionaries and their body bindings (``[dictionaries]``/``[parameters]``).

    Generated item ids are the target's in-stock ids half of the time (random carts then reach
    pricing, addresses and payment instead of stopping at "unknown item"); currencies are ``usd``
    half of the time; address fields often carry real and wrong-but-schema-valid values (an
    unknown country, a state that does not exist, a malformed ZIP), which a merchant must answer
    with messages or a 4xx, never a 5xx.
    """
    dictionaries: dict[str, Any] = {"acp_currency": {"values": ["usd"]}}
    parameters: dict[str, Any] = {"body.currency": {"dictionary": "acp_currency", "probability": 0.5}}
    if items:
        dictionaries["acp_items"] = {"values": list(items)}
        for path in ("items[*].id", "line_items[*].id"):
            parameters[f"body.{path}"] = {"dictionary": "acp_items", "probability": 0.5}
    for name, values in ADDRESS_VALUES.items():
        dictionaries[f"acp_{name}"] = {"values": values}
        for root in ADDRESS_ROOTS:
            parameters[f"body.{root}.{name}"] = {"dictionary": f"acp_{name}", "probability": 0.4}
    return dictionaries, parameters


# --------------------------------------------------------------------------- hooks


def _is_complete(case: Any) -> bool:
    return case.operation.method.upper() == "POST" and case.operation.path.endswith("/complete")


def _unique_idempotency_key(state: ACPState, case: Any) -> None:
    """Keep generated Idempotency-Keys from colliding across different bodies.

    Generation reuses values (the spec's example key above all): sent with another body, a
    reused key is refused as a conflict, and the request never reaches the merchant's logic.
    A key reused with the same body is kept (a legitimate replay); one reused with another
    body gets a suffix.  Keys that cannot be stored (empty, over 255 characters) stay as they are.
    """
    headers = case.headers
    if headers is None or case.operation.method.upper() != "POST":
        return
    key = headers.get("Idempotency-Key")
    if not isinstance(key, str) or not 0 < len(key) <= 230:
        return
    fingerprint = zlib.crc32(repr((case.formatted_path, case.body)).encode("utf-8", "surrogatepass"))
    with state.lock:
        used = state.keys.setdefault(key, fingerprint)
        if used == fingerprint:
            return
        count = state.keys_renamed = state.keys_renamed + 1
        fresh = f"{key}~{count}"
        state.keys[fresh] = fingerprint
    headers["Idempotency-Key"] = fresh


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    """ACP schemas only: unique Idempotency-Keys per body; real delegated tokens for completions."""
    state = state_for(case)
    if state is None:
        return
    _unique_idempotency_key(state, case)
    if state.token_source is None or not _is_complete(case):
        return
    session_id = (case.path_parameters or {}).get("checkout_session_id")
    body = case.body
    if not isinstance(session_id, str) or not isinstance(body, dict):
        return
    with state.lock:
        session = state.sessions.get(session_id)
    payment = body.get("payment_data")
    if session is None or not isinstance(payment, dict):
        return
    generated = str(payment.get("token") or (payment.get("instrument") or {}).get("credential", {}).get("token", ""))
    if zlib.crc32(generated.encode("utf-8", "surrogatepass")) % 4 == 0:
        return  # keep the generated token: refusals get fuzzed too
    replacement = state.token_source(session_id, session)
    if replacement:
        body["payment_data"] = {**payment, **replacement}


def track_sessions(state: ACPState) -> Callable[[Any, Any, Any], None]:
    """An ``after_call`` hook: counts responses, remembers sessions (total, currency, handler) for tokens."""

    def after_call(context: Any, case: Any, response: Any) -> None:
        state.count_response(response.status_code)
        if not 200 <= response.status_code < 300 or state.token_source is None:
            return
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("id"), str) and "line_items" in body:
            summary = _session_summary(body)
            with state.lock:
                state.sessions[body["id"]] = summary

    return after_call


def _session_summary(body: dict[str, Any]) -> dict[str, Any]:
    totals = {t.get("type"): t.get("amount") for t in body.get("totals") or [] if isinstance(t, dict)}
    handlers = ((body.get("capabilities") or {}).get("payment") or {}).get("handlers") or []
    handler = handlers[0] if handlers and isinstance(handlers[0], dict) else {}
    return {
        "total": totals.get("total") if isinstance(totals.get("total"), int) else 0,
        "currency": body.get("currency") if isinstance(body.get("currency"), str) else "usd",
        "handler_id": handler.get("id"),
        "merchant_id": (handler.get("config") or {}).get("merchant_id"),
    }


def payment_data_for(version: str, token: str, session: dict[str, Any]) -> dict[str, Any]:
    """The ``payment_data`` fields that carry a delegated token in ``version``."""
    if versions.profile(version).items_field == "items":  # 2025-09-29 shape
        return {"token": token, "provider": "stripe"}
    return {
        "handler_id": session.get("handler_id") or "card_tokenized",
        "instrument": {"type": "card", "credential": {"type": "spt", "token": token}},
    }


def _token_source(minter: TokenMinter, version: str, report: FuzzReport) -> Callable[[str, dict[str, Any]], dict | None]:
    def source(session_id: str, session: dict[str, Any]) -> dict[str, Any] | None:
        total = session.get("total") or 0
        try:
            token = minter.mint(session_id, max(int(total), 1), session.get("currency") or "usd")
        except TokenError:
            return None
        with _REPORT_LOCK:
            report.tokens_minted += 1
        return payment_data_for(version, token, session)

    return source


# --------------------------------------------------------------------------- failures


def _interaction_step(recorder: Any, case_id: str, operation: str = "") -> Step | None:
    interaction = recorder.interactions.get(case_id)
    if interaction is None:
        return None
    request = interaction.request
    headers = {name: values[0] if isinstance(values, list) else values for name, values in request.headers.items()}
    response_id = None
    response_ids: tuple = ()
    if interaction.response is not None:
        try:
            body = interaction.response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            response_id = body["id"]
            response_ids = tuple(id_paths(body))
    return Step(
        method=request.method,
        url=request.uri,
        headers=headers,
        body=request.body,
        response_id=response_id,
        response_ids=response_ids,
        operation=operation,
    )


def _response_dict(response: Any) -> dict[str, Any]:
    if response is None:
        return {}
    headers = {k: v[0] if isinstance(v, list) and v else v for k, v in response.headers.items()}
    try:
        body: Any = redact_json(response.json())
    except ValueError:
        body = redact_text((response.content or b"")[:2000].decode("utf-8", "replace"))
    return {"status": response.status_code, "headers": redact_headers(headers), "body": body}


def _request_dict(step: Step) -> dict[str, Any]:
    body: Any = None
    if step.body:
        try:
            import json

            body = redact_json(json.loads(step.body))
        except (ValueError, UnicodeDecodeError):
            body = redact_text(step.body.decode("utf-8", "replace"))
    return {"method": step.method, "url": step.url, "headers": redact_headers(step.headers), "body": body}


@dataclass
class _Context:
    report: FuzzReport
    version: str
    api: str
    seed: int
    base_url: str
    merchant_id: str
    on_failure: Callable[[FailureRecord], None] | None = None


def _record_engine_failures(ctx: _Context, event: Any) -> None:
    recorder = event.recorder
    phase = event.phase.value if hasattr(event.phase, "value") else str(event.phase)
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            info = node.failure_info
            if info is None:
                continue
            failure = info.failure
            failing_id = failure.case_id or case_id
            case_node = recorder.cases.get(failing_id)
            operation = failure.operation or (case_node.value.operation.label if case_node else recorder.label)
            check = getattr(failure, "check", None) or node.name
            message = redact_text(failure.message or "")
            if ctx.report.count_if_known((ctx.version, ctx.api, operation, check, finding_shape(message))):
                continue  # a finding already recorded: count it, skip building its reproduction again
            steps: list[Step] = []
            for earlier in info.steps[:-1] if info.steps else []:
                step = _interaction_step(recorder, earlier.case_id, earlier.operation)
                if step is not None:
                    steps.append(step)
            probe = getattr(failure, "request", None)
            if probe:
                last = Step(
                    method=probe["method"], url=probe["url"], headers=probe["headers"], body=probe["body"],
                    operation=operation,
                )
                response = None
            else:
                last = _interaction_step(recorder, failing_id, operation)
                interaction = recorder.interactions.get(failing_id)
                response = interaction.response if interaction is not None else None
            if last is None:
                continue
            steps.append(last)
            repro = build_reproduction(
                steps,
                base_url=ctx.base_url,
                version=ctx.version,
                api=ctx.api,
                check=check,
                operation=operation,
                seed=ctx.seed,
                merchant_id=ctx.merchant_id,
                title=failure.title,
            )
            record = FailureRecord(
                version=ctx.version,
                api=ctx.api,
                operation=operation,
                check=check,
                title=failure.title,
                message=message,
                severity=str(getattr(failure.severity, "value", failure.severity)),
                phase=phase,
                seed=ctx.seed,
                request=_request_dict(last),
                response=_response_dict(response) if response is not None else {},
                curl=repro.curl,
                python=repro.python,
                steps=len(steps),
            )
            if ctx.report.add_failure(record) and ctx.on_failure is not None:
                ctx.on_failure(record)


# --------------------------------------------------------------------------- engine


def _labels(document: dict[str, Any]) -> list[str]:
    labels = []
    for path, item in document.get("paths", {}).items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                labels.append(f"{method.upper()} {path}")
    return sorted(labels)


def run_engine(
    ctx: _Context,
    options: FuzzOptions,
    token: str | None,
    progress: Any,
    minter: TokenMinter | None,
) -> None:
    """One Schemathesis engine run over one API of one version."""
    document = load_document(ctx.version, ctx.api)
    labels = [label for label in _labels(document) if not options.operations or label in options.operations]
    phases = tuple(p for p in options.phases if p in ENGINE_PHASES)
    if not labels or not phases:
        return
    state = mark(document, api=ctx.api, probe_api_version=options.probe_api_version)
    if minter is not None and options.mint_tokens and ctx.api == "agentic_checkout":
        state.token_source = _token_source(minter, ctx.version, ctx.report)
    state.on_response = lambda _state, _status: progress.requests(1)
    config = schemathesis.Config.from_dict(
        engine_config(
            base_url=ctx.base_url,
            token=token,
            seed=ctx.seed,
            max_examples=options.max_examples,
            workers=options.workers,
            phases=phases,
            exclude_checks=options.exclude_checks,
            max_failures=options.max_failures,
            request_timeout=options.request_timeout,
            items=tuple(options.items),
        )
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    if options.operations:
        schema = schema.include(name=labels)
    schema.hooks.register_hook_with_name(track_sessions(state), "after_call")
    for label in labels:
        ctx.report.operation(ctx.version, ctx.api, label)
    task = progress.task(f"{ctx.version} {ctx.api}", total=len(labels) * len([p for p in phases if p != "stateful"])
                         + (1 if "stateful" in phases else 0))
    seen: set[tuple[str, str]] = set()
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, st_events.ScenarioFinished):
                _record_engine_failures(ctx, event)
                key = (str(event.phase), event.label or "")
                label = event.label if event.label in labels else None
                if event.phase.value == "stateful":
                    label = STATEFUL_LABEL
                if label is not None:
                    stats = ctx.report.operation(ctx.version, ctx.api, label)
                    stats.scenarios += 1
                    if event.phase.value not in stats.phases:
                        stats.phases.append(event.phase.value)
                if key not in seen and event.phase.value in phases:
                    seen.add(key)
                    progress.advance(task)
            elif isinstance(event, st_events.NonFatalError):
                message = f"{ctx.version} {ctx.api} {event.label}: {event.info.title}: {event.info.message}"
                ctx.report.errors.append(redact_text(message))
            elif isinstance(event, st_events.FatalError):
                ctx.report.errors.append(redact_text(f"{ctx.version} {ctx.api}: fatal: {event.exception!r}"))
            elif isinstance(event, st_events.EngineFinished):
                for failure in event.failures or ():
                    ctx.report.errors.append(redact_text(f"{ctx.version} {ctx.api}: after-run: {failure}"))
    finally:
        progress.finish(task)
        release(state)


# --------------------------------------------------------------------------- entry point


class NullProgress:
    """The progress interface with no output (``console.RichProgress`` draws one)."""

    def task(self, description: str, total: int) -> int:
        return 0

    def advance(self, task: int, amount: int = 1) -> None:
        pass

    def finish(self, task: int) -> None:
        pass

    def requests(self, amount: int) -> None:
        pass

    def failure(self, record: FailureRecord) -> None:
        pass


def run(options: FuzzOptions, progress: Any | None = None) -> FuzzReport:
    """Fuzz ``options.base_url`` (or the reference merchant) and return the report."""
    progress = progress or NullProgress()
    seed = options.seed if options.seed is not None else random.SystemRandom().getrandbits(32)
    chosen = options.resolved_versions()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if options.base_url:
            base_url, token, target = options.base_url.rstrip("/"), options.token, "url"
        else:
            base_url, token = stack.enter_context(reference_merchant(options.merchant_faults, options.token))
            target = "reference merchant"
        report = FuzzReport(
            seed=seed,
            base_url=base_url,
            versions=list(chosen),
            apis=list(options.apis),
            max_examples=options.max_examples,
            workers=options.workers,
            target=target,
            checks=list(acp_checks.ACP_CHECK_NAMES),
        )
        merchant_id = options.merchant_id or DEFAULT_MERCHANT_ID
        counter = _Counter(progress)
        minters = {}
        for version in chosen:
            minters[version] = TokenMinter(base_url, version, token, merchant_id, timeout=options.request_timeout)
            stack.callback(minters[version].close)
        # Flows first, for every version: they need stock, which thousands of generated carts (and
        # the stateful phase's completions) may hold or use up later.
        if "flows" in options.phases and "agentic_checkout" in options.apis and options.flow_count() > 0:
            from .flows import run_flows

            for version in chosen:
                ctx = _Context(report, version, "agentic_checkout", seed, base_url, merchant_id, progress.failure)
                run_flows(ctx, options, token, counter, minters[version])
        for version in chosen:
            for api in options.apis:
                ctx = _Context(report, version, api, seed, base_url, merchant_id, progress.failure)
                run_engine(ctx, options, token, counter, minters[version])
        report.requests = counter.count
        report.duration = time.perf_counter() - started
    if options.out is not None:
        from .report import write

        write(report, Path(options.out))
    return report


class _Counter:
    """Wraps a progress object, counting requests for the report."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0
        self._lock = threading.Lock()

    def requests(self, amount: int) -> None:
        with self._lock:
            self.count += amount
        self.inner.requests(amount)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
