"""ACP rules: what the protocol's prose requires and the OpenAPI meta-schema cannot see.

Webhook receivers (the platform's order-events endpoint: an API whose name
contains ``webhook``, or an operation under ``webhooks:``) are exempt from
the two header rules: their requests are authenticated by
``Merchant-Signature`` rather than a bearer token, and none of the published
versions gives them ``API-Version`` or ``Idempotency-Key`` headers; the
header rules describe requests to the merchant's and the PSP's APIs.
"""

from __future__ import annotations

import re
from typing import Any

from ..registry import rule
from ..walk import child

MONEY_NAME = re.compile(
    r"^(amount|amount_\w+|\w+_amount|subtotal|total|\w+_total|tax|\w+_tax|discount|fee|\w+_fee|charge|"
    r"price|\w+_price|cost|\w+_cost)$"
)
MINOR_UNITS = re.compile(r"minor (currency )?units?", re.IGNORECASE)
IDEMPOTENCY_REQUIRED_FROM = "2026-04-17"
JSON_MEDIA = re.compile(r"^application/(.+\+)?json$|^\*/\*$")


def _types(node: Any) -> set[str] | None:
    if not isinstance(node, dict) or "type" not in node:
        return None
    value = node["type"]
    return set(value) if isinstance(value, list) else {value}


def _effective(ctx, base: str, node: Any, depth: int = 0):
    """(base, node) after $ref chains and single-branch allOf wrappers."""
    resolved = ctx.deref(base, node)
    if resolved is None or depth > 8:
        return None
    base, node, _ = resolved
    if (
        isinstance(node, dict)
        and "type" not in node
        and isinstance(node.get("allOf"), list)
        and len(node["allOf"]) >= 1
    ):
        for branch in node["allOf"]:
            inner = _effective(ctx, base, branch, depth + 1)
            if inner is not None and _types(inner[1]):
                return inner
    return base, node


def _is_webhook(source, op) -> bool:
    return op.webhook or "webhook" in source.api


@rule(
    "acp-money-integer",
    "error",
    "acp",
    "Money is an integer in minor units",
    """ACP carries every amount as an integer count of minor units (USD 12.34
    is `1234`).  A money field typed `number` invites floating-point
    rounding and `12.34`; typed `string` it invites `"12.34"`.  Money fields
    are recognised by name (`amount`, `*_amount`, `subtotal`, `total`,
    `tax`, `discount`, `fee`, `price`, `*_price`, `cost`, ...) or by a
    description that mentions minor units; fields whose schema is an object
    (a `Price {amount, currency}`) are checked through their own
    properties.""",
)
def check_money(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            if site.keyword != "properties" or not isinstance(site.key, str):
                continue
            described = MINOR_UNITS.search(str(site.node.get("description", "")))
            if not (MONEY_NAME.match(site.key) or described):
                continue
            effective = _effective(ctx, site.base_uri, site.node)
            if effective is None:
                continue
            node = effective[1]
            types = _types(node)
            if types is None:
                if isinstance(node, dict) and (
                    {"properties", "items", "oneOf", "anyOf", "allOf", "$ref"} & set(node)
                ):
                    continue  # a composite: its own properties are checked
                if not MONEY_NAME.match(site.key):
                    continue
                yield ctx.hit(
                    source.doc,
                    site.pointer,
                    f"money field `{site.key}` declares no type; ACP money is an integer in minor units",
                )
                continue
            scalar = types - {"null"}
            if scalar & {"object", "array"}:
                continue
            if scalar != {"integer"}:
                shown = " or ".join(sorted(types))
                yield ctx.hit(
                    source.doc,
                    child(site.pointer, "type"),
                    f"money field `{site.key}` is {shown}; ACP money is an integer in minor units (USD 12.34 is 1234)",
                )


def _error_schemas(ctx):
    """(document, pointer, node, base) of every JSON schema of a 4xx/5xx response, once each."""
    seen: set[int] = set()
    for source, index in ctx.openapi:
        for op in index.operations:
            responses = op.node.get("responses")
            if not isinstance(responses, dict):
                continue
            for status, response in responses.items():
                if not re.match(r"^[45](\d\d|XX)$", str(status), re.IGNORECASE):
                    continue
                resolved = ctx.deref(source.doc.uri, response)
                if resolved is None or not isinstance(resolved[1], dict):
                    continue
                base, response, chain = resolved
                content = response.get("content")
                if not isinstance(content, dict):
                    continue
                for media_type, media in content.items():
                    if (
                        not JSON_MEDIA.match(str(media_type))
                        or not isinstance(media, dict)
                        or "schema" not in media
                    ):
                        continue
                    schema = ctx.deref(base, media["schema"])
                    if schema is None or not isinstance(schema[1], dict) or id(schema[1]) in seen:
                        continue
                    seen.add(id(schema[1]))
                    if schema[2]:
                        target = schema[2][-1]
                        doc, pointer = target.doc or source.doc, target.pointer
                    else:
                        start = (
                            chain[-1].pointer
                            if chain
                            else child(child(op.pointer, "responses"), status)
                        )
                        doc = chain[-1].doc if chain and chain[-1].doc else source.doc
                        pointer = child(child(child(start, "content"), media_type), "schema")
                    yield doc, pointer, schema[1], schema[0]


def _flat_view(ctx, base: str, node: dict) -> tuple[dict, set[str]]:
    props: dict[str, Any] = {}
    required: set[str] = set()
    stack = [(base, node)]
    while stack:
        base, current = stack.pop()
        if isinstance(current.get("properties"), dict):
            for name, prop in current["properties"].items():
                props.setdefault(name, (base, prop))
        if isinstance(current.get("required"), list):
            required |= set(current["required"])
        for branch in current.get("allOf") if isinstance(current.get("allOf"), list) else []:
            resolved = ctx.deref(base, branch)
            if resolved is not None and isinstance(resolved[1], dict):
                stack.append((resolved[0], resolved[1]))
    return props, required


@rule(
    "acp-error-flat",
    "error",
    "acp",
    "Error responses are flat {type, code, message, param?} objects",
    """ACP errors are never wrapped: a 4xx or 5xx body is one object with
    string `type`, `code` and `message` (all required) and an optional
    `param` (RFC 9535 JSONPath).  Clients parse exactly that shape; an
    `{"error": {...}}` envelope, a missing `code`, or a non-string field
    breaks every generated client's error handling.""",
)
def check_error_flat(ctx):
    for doc, pointer, node, base in _error_schemas(ctx):
        props, required = _flat_view(ctx, base, node)
        wrappers = [n for n in ("error", "errors") if n in props]
        if wrappers and not {"type", "code", "message"} <= set(props):
            yield ctx.hit(
                doc,
                pointer,
                f"error body is wrapped in `{wrappers[0]}`; ACP errors are flat: {{type, code, message, param?}} at the top level",
            )
            continue
        missing = [n for n in ("type", "code", "message") if n not in props]
        if missing:
            yield ctx.hit(
                doc,
                pointer,
                f"error object does not declare {', '.join(f'`{n}`' for n in missing)}; ACP errors are flat {{type, code, message, param?}}",
            )
        not_required = [n for n in ("type", "code", "message") if n in props and n not in required]
        if not_required:
            yield ctx.hit(
                doc,
                pointer,
                f"error object does not require {', '.join(f'`{n}`' for n in not_required)}",
            )
        for name in ("type", "code", "message", "param"):
            if name not in props:
                continue
            effective = _effective(ctx, *props[name])
            types = _types(effective[1]) if effective else None
            if types is not None and "string" not in types:
                yield ctx.hit(
                    doc,
                    child(child(pointer, "properties"), name)
                    if name in (node.get("properties") or {})
                    else pointer,
                    f"error field `{name}` is {' or '.join(sorted(types))}, not a string",
                )


def _header(ctx, index, op, name: str):
    return ctx.parameters(index, op).get(("header", name.lower()))


@rule(
    "acp-api-version-header",
    "error",
    "acp",
    "Every operation takes a required API-Version header",
    """The client must send `API-Version` and the server must check it
    (a missing or unsupported version is a 400 listing the supported
    versions).  An operation that does not declare the header gets no
    generated parameter, no validation and no fuzzing of that rule.
    Webhook receivers are exempt (see the family's note).""",
)
def check_api_version(ctx):
    for source, index in ctx.openapi:
        for op in index.operations:
            if _is_webhook(source, op):
                continue
            param = _header(ctx, index, op, "API-Version")
            label = f"{op.method.upper()} {op.path}"
            if param is None:
                yield ctx.hit(
                    source.doc, op.pointer, f"{label} does not declare the API-Version header"
                )
            elif param.node.get("required") is not True:
                yield ctx.hit(
                    param.doc or source.doc,
                    child(param.pointer, "required") if "required" in param.node else param.pointer,
                    f"{label}: the API-Version header must be required",
                )


def _requires_idempotency(ctx) -> str | None:
    """Why this version requires Idempotency-Key on every POST, or None."""
    versions = {ctx.effective_version(source.doc) for source, _ in ctx.openapi}
    if any(v >= IDEMPOTENCY_REQUIRED_FROM for v in versions if re.match(r"^\d{4}-\d{2}-\d{2}$", v)):
        return f"from {IDEMPOTENCY_REQUIRED_FROM} Idempotency-Key is required on every POST"
    for source, index in ctx.openapi:
        for op in index.operations:
            if op.method == "post" and not _is_webhook(source, op):
                param = _header(ctx, index, op, "Idempotency-Key")
                if param is not None and param.node.get("required") is True:
                    return f"this version requires Idempotency-Key (as {op.method.upper()} {op.path} declares)"
    return None


@rule(
    "acp-idempotency-key",
    "error",
    "acp",
    "Every POST takes Idempotency-Key where the version requires it",
    """From 2026-04-17 every POST carries a required `Idempotency-Key`
    (replays return the stored response, a different body is a conflict);
    earlier versions make it optional, and a version whose own spec requires
    it on some POST is held to it on all of them.  A POST without the
    declared header gets retried without protection against double
    charges.  Webhook receivers are exempt.""",
)
def check_idempotency(ctx):
    reason = _requires_idempotency(ctx)
    if reason is None:
        return
    for source, index in ctx.openapi:
        for op in index.operations:
            if op.method != "post" or _is_webhook(source, op):
                continue
            param = _header(ctx, index, op, "Idempotency-Key")
            label = f"{op.method.upper()} {op.path}"
            if param is None:
                yield ctx.hit(
                    source.doc,
                    op.pointer,
                    f"{label} does not declare the Idempotency-Key header; {reason}",
                )
            elif param.node.get("required") is not True:
                yield ctx.hit(
                    param.doc or source.doc,
                    child(param.pointer, "required") if "required" in param.node else param.pointer,
                    f"{label}: Idempotency-Key is optional here; {reason}",
                )


TIMESTAMP_NAME = re.compile(r"^(\w+_at|created|updated|timestamp)$")


@rule(
    "acp-timestamp-format",
    "error",
    "acp",
    "Timestamps are RFC 3339 date-time strings",
    """ACP writes every instant as an RFC 3339 string (`2025-09-29T10:30:00Z`):
    `created`, `updated`, `timestamp` and every `*_at` field.  A timestamp
    typed as an integer (Unix seconds) or a string without `format:
    date-time` gets a generated field of the wrong type and no validation.""",
)
def check_timestamps(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            if (
                site.keyword != "properties"
                or not isinstance(site.key, str)
                or not TIMESTAMP_NAME.match(site.key)
            ):
                continue
            effective = _effective(ctx, site.base_uri, site.node)
            if effective is None or not isinstance(effective[1], dict):
                continue
            node = effective[1]
            types = _types(node)
            if types is None and ({"properties", "items", "oneOf", "anyOf", "allOf"} & set(node)):
                continue
            scalar = (types or set()) - {"null"}
            if scalar != {"string"} or node.get("format") != "date-time":
                shown = " or ".join(sorted(types)) if types else "untyped"
                fmt = f" with format {node['format']}" if node.get("format") else ""
                yield ctx.hit(
                    source.doc,
                    site.pointer,
                    f"timestamp `{site.key}` is {shown}{fmt}; ACP timestamps are `type: string, format: date-time` (RFC 3339)",
                )
