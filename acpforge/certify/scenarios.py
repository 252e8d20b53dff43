"""The launch-certification checklist, one scenario per item.

Each scenario names the checklist section it proves, makes real requests
through the recording client, and records checks that say what was
expected, what was seen and why that passes or fails.  Scenarios share
state through ``ctx.state`` (the session that is paid in one is the one
whose order events the next waits for); a scenario whose prerequisite
failed is reported as failed with that reason, never silently passed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

import httpx

from . import arithmetic, expectations
from .context import Context
from .results import ItemResult, Skip


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    section: str
    run: Callable[[Context, ItemResult], None]
    required: bool = True


SCENARIOS: list[Scenario] = []


def scenario(id: str, title: str, section: str, required: bool = True):
    def register(function):
        SCENARIOS.append(Scenario(id, title, section, function, required))
        return function

    return register


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _flat_error(item: ItemResult, response: httpx.Response, label: str) -> dict:
    body = _json(response)
    flat = isinstance(body, dict) and all(isinstance(body.get(k), str) for k in ("type", "code", "message"))
    item.check(f"{label}: flat ACP error object", flat, f"body: {json.dumps(body)[:200]}")
    return body if isinstance(body, dict) else {}


def _need(ctx: Context, key: str, item: ItemResult):
    if key not in ctx.state:
        item.check(f"prerequisite '{key}' available", False, f"an earlier scenario did not produce {key}; see its result")
        raise Skip(f"needs {key}")
    return ctx.state[key]


# -- Session creation and address handling ----------------------------------


@scenario("session_creation", "Create a session without and with a shipping address", "Session creation and address handling")
def session_creation(ctx: Context, item: ItemResult) -> None:
    bare = ctx.create_session()
    item.check("create without address: 201 Created", bare.status_code == 201, f"status {bare.status_code}")
    session = _json(bare) or {}
    shipping = ctx.dialect.shipping_options(session)
    item.check("no shipping options before an address", not shipping, f"{len(shipping)} shipping option(s) offered")
    tax = ctx.dialect.totals(session).get("tax", 0)
    item.check("no tax before an address", tax == 0, f"tax row: {tax}")
    item.check("status is not ready_for_payment without an address", session.get("status") != "ready_for_payment",
               f"status {session.get('status')!r}")

    addressed = ctx.create_session(address=ctx.profile.valid_address.wire())
    item.check("create with address: 201 Created", addressed.status_code == 201, f"status {addressed.status_code}")
    session = _json(addressed) or {}
    shipping = ctx.dialect.shipping_options(session)
    item.check("shipping options once a valid address is known", len(shipping) >= 1,
               f"options: {[o.get('id') for o in shipping]}")
    totals = ctx.dialect.totals(session)
    item.check("tax total present once a valid address is known", "tax" in totals, f"totals: {totals}")
    problems = arithmetic.problems(ctx.dialect, session)
    item.check("totals add up", not problems, "; ".join(problems) or "every total consistent")

    later = ctx.create_session()
    if later.status_code == 201:
        sid = later.json()["id"]
        update = ctx.post(f"/checkout_sessions/{sid}", ctx.dialect.address_update(ctx.profile.valid_address.wire()))
        options = ctx.dialect.shipping_options(_json(update) or {})
        item.check("address added by update: shipping options appear", update.status_code == 200 and len(options) >= 1,
                   f"status {update.status_code}, {len(options)} option(s)")
        invalid = ctx.post(f"/checkout_sessions/{sid}", ctx.dialect.address_update(ctx.profile.invalid_address.wire()))
        body = _json(invalid) or {}
        errors = ctx.dialect.error_messages(body) if invalid.status_code == 200 else [body]
        item.check("invalid address is refused with an error, not a crash",
                   invalid.status_code < 500 and bool(errors) and not ctx.dialect.shipping_options(body),
                   f"status {invalid.status_code}, errors: {[e.get('code') for e in errors]}")


@scenario("api_version", "API-Version header sent, accepted, and enforced", "Session creation and address handling")
def api_version(ctx: Context, item: ItemResult) -> None:
    ok = ctx.create_session()
    sent = ok.request.headers.get("API-Version")
    item.check("API-Version header sent", sent == ctx.dialect.version, f"sent {sent!r}")
    item.check("supported version accepted", ok.status_code == 201, f"status {ok.status_code}")
    for label, version in (("missing", None), ("unsupported", "1999-01-01")):
        refused = ctx.create_session(version=version)
        body = _json(refused) or {}
        item.check(f"{label} API-Version refused with 400", refused.status_code == 400, f"status {refused.status_code}, code {body.get('code')!r}")
        if refused.status_code == 400:
            _flat_error(item, refused, f"{label} API-Version")
            listed = body.get("supported_versions")
            if isinstance(listed, list):
                item.check(f"{label}: supported_versions lists {ctx.dialect.version}", ctx.dialect.version in listed, f"supported_versions {listed}")
            else:
                item.note(f"{label} API-Version: no supported_versions in the error (recommended by the protocol)")


# -- Shipping option updates --------------------------------------------------


@scenario("shipping_update", "Select another shipping option; totals recomputed", "Shipping option updates")
def shipping_update(ctx: Context, item: ItemResult) -> None:
    created = ctx.create_session(address=ctx.profile.valid_address.wire())
    session = _json(created) or {}
    options = ctx.dialect.shipping_options(session)
    if not item.check("at least two shipping options to choose between", len(options) >= 2, f"{len(options)} option(s)"):
        return
    current = ctx.dialect.selected_option_id(session)
    ordered = sorted(options, key=lambda o: o.get("id") == current)  # a non-selected option first
    for option in ordered[:2]:
        before = ctx.dialect.totals(session)
        update = ctx.post(f"/checkout_sessions/{session['id']}", ctx.dialect.select_option_body(session, option["id"]))
        item.check(f"update to {option['id']}: 200", update.status_code == 200, f"status {update.status_code}")
        session = _json(update) or session
        after = ctx.dialect.totals(session)
        item.check(f"{option['id']} is now the selected option", ctx.dialect.selected_option_id(session) == option["id"],
                   f"selected {ctx.dialect.selected_option_id(session)!r}")
        amount = ctx.dialect.option_amount(option)
        item.check(f"{option['id']}: fulfillment total equals the option's price", after.get("fulfillment") == amount,
                   f"fulfillment {after.get('fulfillment')} vs option {amount}")
        problems = arithmetic.problems(ctx.dialect, session)
        item.check(f"{option['id']}: every total adds up", not problems, "; ".join(problems) or f"before {before} after {after}")
    ctx.state["shipping_checked"] = True


# -- Payment tokenization --------------------------------------------------------


@scenario("delegate_payment", "Create a delegated payment token (canonical JSON, detached signature)", "Payment tokenization")
def delegate_payment(ctx: Context, item: ItemResult) -> None:
    from acpforge.wire.canonical import canonical_json
    from acpforge.wire.request_signing import RequestVerifier, public_key_pem

    session = ctx.ready_session()
    ctx.state["session"] = session
    response = ctx.delegate(session, ctx.profile.payment.approve_card)
    request = response.request
    for header in ("Authorization", "Content-Type", "API-Version", "Idempotency-Key", "Request-Id", "Signature", "Timestamp"):
        item.check(f"request header {header} sent", header in request.headers, "")
    body = json.loads(request.content)
    item.check("body is RFC 8785 canonical JSON", request.content == canonical_json(body), f"{len(request.content)} bytes")
    for part in ("payment_method", "allowance", "billing_address", "risk_signals", "metadata"):
        item.check(f"request carries {part}", part in body, "")
    verifier = RequestVerifier(public_key_pem(ctx.signing_pem))
    try:
        verifier.verify(request.content, request.headers["Signature"], request.headers["Timestamp"])
        item.check("detached signature verifies over the canonical body", True, f"{ctx.signer.algorithm}, base64url")
    except Exception as exc:  # noqa: BLE001 - reported as the check's reason
        item.check("detached signature verifies over the canonical body", False, str(exc))
    item.check("201 Created", response.status_code == 201, f"status {response.status_code}")
    token = _json(response) or {}
    item.check("token id is vt_...", str(token.get("id", "")).startswith("vt_"), f"id {token.get('id')!r}")
    item.check("created timestamp present", bool(token.get("created")), f"created {token.get('created')!r}")
    item.check("metadata echoed", isinstance(token.get("metadata"), dict), f"metadata {token.get('metadata')!r}")
    if response.status_code == 201 and token.get("id"):
        ctx.state["token"] = token["id"]


# -- Order completion -----------------------------------------------------------------


@scenario("order_completion", "Complete the checkout with the delegated token", "Order completion")
def order_completion(ctx: Context, item: ItemResult) -> None:
    session, token = _need(ctx, "session", item), _need(ctx, "token", item)
    response = ctx.post(f"/checkout_sessions/{session['id']}/complete",
                        ctx.dialect.complete_body(session, token, ctx.profile.valid_address.wire()))
    ok, why = expectations.completion_status(ctx.dialect.profile.completion_status).accepts(ctx.expect, response.status_code)
    item.check("completion status", ok, why)
    body = _json(response) or {}
    item.check("session status is completed", body.get("status") == "completed", f"status {body.get('status')!r}")
    order = ctx.dialect.order(body) or {}
    item.check("order object returned", bool(order), f"order {json.dumps(order)[:200]}")
    item.check("order.id present", bool(order.get("id")), f"id {order.get('id')!r}")
    item.check("order.checkout_session_id is this session", order.get("checkout_session_id") == session["id"],
               f"{order.get('checkout_session_id')!r} vs {session['id']!r}")
    item.check("order.permalink_url is an https/http URL", bool(re.match(r"^https?://", str(order.get("permalink_url", "")))),
               f"permalink_url {order.get('permalink_url')!r}")
    problems = arithmetic.problems(ctx.dialect, body)
    item.check("final totals add up", not problems, "; ".join(problems) or "consistent")
    if order.get("id") and body.get("status") == "completed":
        ctx.state["order"] = order
        ctx.state["completed_session"] = body


# -- Order updates (webhooks) --------------------------------------------------------------


@scenario("order_events", "order_created then order_updated webhooks with a valid HMAC", "Order updates")
def order_events(ctx: Context, item: ItemResult) -> None:
    if ctx.receiver is None:
        raise Skip("no webhook receiver (set [webhooks] in the profile)")
    order = _need(ctx, "order", item)
    wait = ctx.profile.webhooks.wait_seconds
    first = ctx.receiver.wait_for_type("order_create", wait)
    item.check("order_created (type order_create) delivered", first is not None,
               f"{len(ctx.receiver.deliveries)} deliveries within {wait:g}s")
    if first is not None:
        item.check("order_created HMAC valid", first.verdict == "accepted", first.reason or f"{ctx.receiver.signing.FORMAT!r}")
    trigger = ctx.http.post(ctx.profile.url(ctx.profile.order_update.url, order_id=order["id"]),
                            json=ctx.profile.order_update.body, headers=ctx.profile.order_update.headers)
    item.check("order update triggered at the merchant", trigger.status_code < 300, f"status {trigger.status_code}")
    second = ctx.receiver.wait_for_type("order_update", wait)
    item.check("order_updated (type order_update) delivered", second is not None,
               f"event types: {[d.claimed_type for d in ctx.receiver.deliveries]}")
    if second is not None:
        item.check("order_updated HMAC valid", second.verdict == "accepted", second.reason or "verified")
    if first and second:
        item.check("order_updated arrives after order_created", ctx.receiver.deliveries.index(first) < ctx.receiver.deliveries.index(second), "")
    rejected = [d for d in ctx.receiver.deliveries if d.verdict == "bad_signature"]
    item.check("no delivery with an invalid signature", not rejected, "; ".join(d.reason for d in rejected) or "all signatures valid")
    # The receiver itself must refuse forgeries: replay a real event tampered, and one signed with another secret.
    if first is not None:
        url = ctx.receiver_url
        tampered = first.body.replace(b'"order_create"', b'"order_update"', 1) + b" "
        forged = ctx.http.post(url, content=tampered, headers={ctx.receiver.signing.SIGNATURE_HEADER: first.headers.get(ctx.receiver.signing.SIGNATURE_HEADER.lower(), "")})
        item.check("tampered event rejected (401)", forged.status_code == 401, f"status {forged.status_code}")
        wrong = ctx.receiver.signing.signed_headers(first.body, "not-the-secret")
        forged = ctx.http.post(url, content=first.body, headers=wrong)
        item.check("event signed with the wrong secret rejected (401)", forged.status_code == 401, f"status {forged.status_code}")


# -- Error scenarios ------------------------------------------------------------------------


@scenario("error_missing", "missing: a required field omitted gives 400 invalid_request", "Error scenarios")
def error_missing(ctx: Context, item: ItemResult) -> None:
    body = ctx.dialect.create_body([(ctx.profile.items.in_stock, 1)], None)
    broken, param = ctx.dialect.omit_required_field(body)
    response = ctx.post("/checkout_sessions", broken)
    item.check("400 Bad Request", response.status_code == 400, f"status {response.status_code}")
    error = _flat_error(item, response, "missing field")
    item.check("type invalid_request", error.get("type") == "invalid_request", f"type {error.get('type')!r}")
    item.check("code missing", error.get("code") == "missing", f"code {error.get('code')!r}")
    item.check(f"param names the field ({param})", error.get("param") == param, f"param {error.get('param')!r}")


@scenario("error_out_of_stock", "out_of_stock: an unavailable item is reported", "Error scenarios")
def error_out_of_stock(ctx: Context, item: ItemResult) -> None:
    response = ctx.create_session(items=[(ctx.profile.items.out_of_stock, 1)], address=ctx.profile.valid_address.wire())
    body = _json(response) or {}
    if response.status_code in (200, 201):
        codes = [m.get("code") for m in ctx.dialect.error_messages(body)]
        item.check("session carries an out_of_stock error message", "out_of_stock" in codes, f"status {response.status_code}, message codes {codes}")
        item.check("session is not ready for payment", body.get("status") != "ready_for_payment", f"status {body.get('status')!r}")
    else:
        item.check("4xx with code out_of_stock", 400 <= response.status_code < 500 and body.get("code") == "out_of_stock",
                   f"status {response.status_code}, code {body.get('code')!r}")


@scenario("error_payment_declined", "payment_declined: an issuer decline is reported", "Error scenarios")
def error_payment_declined(ctx: Context, item: ItemResult) -> None:
    session = ctx.ready_session()
    token_response = ctx.delegate(session, ctx.profile.payment.decline_card)
    token = (_json(token_response) or {}).get("id")
    if not item.check("token for the declining card issued", token_response.status_code == 201 and bool(token),
                      f"status {token_response.status_code}"):
        return
    response = ctx.post(f"/checkout_sessions/{session['id']}/complete", ctx.dialect.complete_body(session, token, None))
    body = _json(response) or {}
    if response.status_code in (200, 201):
        codes = [m.get("code") for m in ctx.dialect.error_messages(body)]
        item.check("payment_declined error message on the session", "payment_declined" in codes, f"message codes {codes}")
        item.check("session not completed", body.get("status") != "completed", f"status {body.get('status')!r}")
    else:
        item.check("4xx with code payment_declined", 400 <= response.status_code < 500 and body.get("code") == "payment_declined",
                   f"status {response.status_code}, code {body.get('code')!r}")
    after = ctx.get(f"/checkout_sessions/{session['id']}")
    state = (_json(after) or {}).get("status")
    item.check("session still payable after the decline", state in ("ready_for_payment", "not_ready_for_payment"), f"status {state!r}")


# -- Idempotency --------------------------------------------------------------------------------


@scenario("idempotency", "Repeated create and complete with one Idempotency-Key", "Idempotency")
def idempotency(ctx: Context, item: ItemResult) -> None:
    import uuid

    key = f"acpforge-{uuid.uuid4()}"
    body = ctx.dialect.create_body([(ctx.profile.items.in_stock, 1)], ctx.profile.valid_address.wire())
    first = ctx.post("/checkout_sessions", body, idempotency_key=key)
    again = ctx.post("/checkout_sessions", json.loads(json.dumps(body)), idempotency_key=key)
    item.check("create replay: same status", first.status_code == again.status_code, f"{first.status_code} then {again.status_code}")
    item.check("create replay: same body (same session)", _json(first) == _json(again),
               f"ids {(_json(first) or {}).get('id')!r} and {(_json(again) or {}).get('id')!r}")
    item.check("create replay: Idempotency-Key echoed", again.headers.get("Idempotency-Key") == key, f"{again.headers.get('Idempotency-Key')!r}")
    other = ctx.dialect.create_body([(ctx.profile.items.in_stock, 2)], ctx.profile.valid_address.wire())
    conflict = ctx.post("/checkout_sessions", other, idempotency_key=key)
    ok, why = expectations.conflict_status(ctx.dialect.profile.idempotency_conflict_status).accepts(ctx.expect, conflict.status_code)
    item.check("different parameters, same key: conflict status", ok, why)
    error = _flat_error(item, conflict, "conflict")
    item.check("code idempotency_conflict", error.get("code") == "idempotency_conflict", f"code {error.get('code')!r}")

    session = ctx.ready_session()
    token = ctx.delegate(session, ctx.profile.payment.approve_card)
    token_id = (_json(token) or {}).get("id")
    if not item.check("token for the complete replay", token.status_code == 201 and bool(token_id), f"status {token.status_code}"):
        return
    complete_key = f"acpforge-{uuid.uuid4()}"
    complete = ctx.dialect.complete_body(session, token_id, None)
    paid = ctx.post(f"/checkout_sessions/{session['id']}/complete", complete, idempotency_key=complete_key)
    replay = ctx.post(f"/checkout_sessions/{session['id']}/complete", complete, idempotency_key=complete_key)
    item.check("complete replay: same status", paid.status_code == replay.status_code, f"{paid.status_code} then {replay.status_code}")
    item.check("complete replay: same body (same order, charged once)", _json(paid) == _json(replay),
               f"order ids {((_json(paid) or {}).get('order') or {}).get('id')!r} / {((_json(replay) or {}).get('order') or {}).get('id')!r}")
    changed = ctx.post(f"/checkout_sessions/{session['id']}/complete", {**complete, "buyer": {"first_name": "Other", "last_name": "Buyer", "email": "other@example.com"}},
                       idempotency_key=complete_key)
    ok, why = expectations.conflict_status(ctx.dialect.profile.idempotency_conflict_status).accepts(ctx.expect, changed.status_code)
    item.check("complete with changed parameters, same key: conflict status", ok, why)


# -- Documentation and links ------------------------------------------------------------------


@scenario("legal_links", "Terms of Service and Privacy Policy links present and working", "Documentation and links")
def legal_links(ctx: Context, item: ItemResult) -> None:
    created = ctx.create_session()
    links = {link.get("type"): link.get("url") for link in (_json(created) or {}).get("links") or []}
    for kind in ("terms_of_use", "privacy_policy"):
        url = links.get(kind)
        if item.check(f"{kind} link present", bool(url), f"links: {sorted(links)}"):
            page = ctx.http.get(url)
            item.check(f"{kind} URL answers 2xx", 200 <= page.status_code < 300, f"GET {url}: {page.status_code}")


# -- IP egress ---------------------------------------------------------------------------------


@scenario("ip_egress", "The merchant allowlists OpenAI's egress ranges", "IP egress ranges")
def ip_egress(ctx: Context, item: ItemResult) -> None:
    from . import egress

    settings = ctx.profile.egress
    if not (settings.published_prefixes and settings.merchant_allowlist) and not settings.denied_source:
        raise Skip("no [egress] settings in the profile (published prefixes, the merchant's allowlist, probe sources)")
    if settings.published_prefixes and settings.merchant_allowlist:
        published = egress.load_networks(settings.published_prefixes)
        allowlist = egress.load_networks(settings.merchant_allowlist)
        missing, extra = egress.compare(published, allowlist)
        item.check("every published range is allowlisted", not missing, f"missing: {[str(n) for n in missing] or 'none'}")
        item.check("no allowlisted range outside the published ones", not extra, f"extra: {[str(n) for n in extra] or 'none'}")
    if settings.allowed_source:
        inside = egress.probe(ctx, settings.allowed_source)
        item.check(f"request from {settings.allowed_source} (inside the allowlist) not refused", inside is not None and inside.status_code != 403,
                   f"status {getattr(inside, 'status_code', 'no answer')}")
    if settings.denied_source:
        outside = egress.probe(ctx, settings.denied_source)
        status = getattr(outside, "status_code", None)
        item.check(f"request from {settings.denied_source} (outside the allowlist) refused", outside is None or status == 403,
                   f"status {status if status is not None else 'connection refused'}")


# -- TLS ----------------------------------------------------------------------------------------


@scenario("tls", "TLS 1.2 or later with a valid certificate", "Security and compliance")
def tls(ctx: Context, item: ItemResult) -> None:
    from . import tls_probe

    report = tls_probe.probe(ctx.base_url, ca_bundle=ctx.profile.tls.ca_bundle or None, production=ctx.profile.tls.production)
    for handshake in report.handshakes:
        ctx.recorder.add(direction="outbound", method="TLS", url=ctx.base_url, request_headers={},
                         request_body={"offered": handshake.get("offered")}, status=None, response_headers={},
                         response_body=handshake, duration_ms=0.0, note="TLS handshake")
    if report.skipped:
        raise Skip(report.skipped)
    for check in report.checks:
        item.check(check.name, check.passed, check.detail)
