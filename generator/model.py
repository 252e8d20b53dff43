"""The small intermediate model that templates read.

Templates never look at the OpenAPI document: they read operations, their
parameters and bodies, and the names of schema classes, all computed here
once.  That keeps templates simple and keeps every OpenAPI subtlety (local
references, ignored header names, status ranges) in one place.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from .normalize import HTTP_METHODS, pascal
from .resolve import Bundle, deref

# OpenAPI: header parameters with these names "SHALL be ignored".
IGNORED_HEADERS = {"accept", "content-type", "authorization"}
WEBHOOK_SIGNATURE_HEADER = "merchant-signature"


def snake(text: str) -> str:
    """``createCheckoutSession`` / ``API-Version`` -> ``create_checkout_session`` / ``api_version``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    if not text or text[0].isdigit():
        text = f"p_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


@dataclass
class Parameter:
    name: str  # wire name
    python_name: str
    location: str  # header, path, query
    required: bool
    python_type: str  # annotation used in stubs and clients
    kind: str  # str, int, float, bool, datetime, date, enum
    enum: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Response:
    status: str  # "201", "4XX", "default"
    model: str | None  # component class name, None when no JSON body
    description: str = ""
    headers: list[str] = field(default_factory=list)


@dataclass
class Operation:
    operation_id: str
    python_name: str
    class_name: str
    method: str
    path: str
    summary: str
    parameters: list[Parameter]
    request_model: str | None
    request_required: bool
    responses: list[Response]

    @property
    def sends_idempotency_key(self) -> bool:
        """POSTs always get a key; other methods when the spec requires the header."""
        declared = [p for p in self.headers if p.name.lower() == "idempotency-key"]
        return self.method == "POST" or any(p.required for p in declared)

    @property
    def path_params(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "path"]

    @property
    def headers(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "header"]

    @property
    def query_params(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "query"]

    @property
    def success(self) -> Response:
        explicit = sorted((r for r in self.responses if r.status.isdigit() and r.status.startswith("2")), key=lambda r: r.status)
        if explicit:
            return explicit[0]
        return Response("200", None, "success")

    @property
    def success_statuses(self) -> list[Response]:
        return [r for r in self.responses if r.status.isdigit() and r.status.startswith("2")]

    @property
    def error_model(self) -> str | None:
        for response in self.responses:
            if not response.status.startswith("2") and response.model:
                return response.model
        return None

    @property
    def python_path(self) -> str:
        """The path as an f-string template with snake_case names."""
        path = self.path
        for p in self.path_params:
            path = path.replace("{" + p.name + "}", "{" + p.python_name + "}")
        return path


@dataclass
class ApiModel:
    api: str  # agentic_checkout
    version: str  # 2025-09-29
    title: str
    class_prefix: str  # AgenticCheckout
    operations: list[Operation]
    schema_names: list[str]
    is_webhook: bool
    api_version_header: bool
    uses_bearer: bool
    spec_name: str  # file name relative to the specs root
    spec_sha256: str


def _python_type(schema: Any) -> tuple[str, str, list[str]]:
    """(annotation, kind, enum values) for a parameter schema."""
    schema = schema if isinstance(schema, dict) else {}
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    values = [v for v in schema.get("enum") or [] if isinstance(v, str)]
    if kind == "string" and values:
        return "Literal[" + ", ".join(repr(v) for v in values) + "]", "enum", values
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime", "datetime", []
    if kind == "string" and schema.get("format") == "date":
        return "date", "date", []
    return {"integer": ("int", "int"), "number": ("float", "float"), "boolean": ("bool", "bool")}.get(
        kind, ("str", "str")
    ) + ([],)


def _schema_name(ref_holder: Any) -> str | None:
    if isinstance(ref_holder, dict) and isinstance(ref_holder.get("$ref"), str):
        ref = ref_holder["$ref"]
        if ref.startswith("#/components/schemas/"):
            return ref.rsplit("/", 1)[1]
    return None


def _json_schema(document: dict, holder: Any) -> tuple[str | None, bool]:
    holder = deref(document, holder)
    if not isinstance(holder, dict):
        return None, False
    for media_type, media in sorted((holder.get("content") or {}).items()):
        if "json" in media_type and isinstance(media, dict):
            return _schema_name(media.get("schema")), bool(holder.get("required", False))
    return None, bool(holder.get("required", False))


def _parameters(document: dict, path_item: dict, operation: dict) -> list[Parameter]:
    merged: dict[tuple[str, str], dict] = {}
    for raw in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = deref(document, raw)
        if isinstance(param, dict) and "name" in param and "in" in param:
            merged[(param["in"], param["name"].lower())] = param
    result: list[Parameter] = []
    for (location, lowered), param in merged.items():
        if location == "header" and lowered in IGNORED_HEADERS:
            continue
        if location not in ("header", "path", "query"):
            continue
        annotation, kind, values = _python_type(deref(document, param.get("schema")))
        result.append(
            Parameter(
                name=param["name"],
                python_name=snake(param["name"]),
                location=location,
                required=bool(param.get("required", location == "path")),
                python_type=annotation,
                kind=kind,
                enum=values,
                description=" ".join(str(param.get("description", "")).split()),
            )
        )
    order = {"path": 0, "header": 1, "query": 2}
    return sorted(result, key=lambda p: (order[p.location], not p.required, p.python_name))


def build(bundle: Bundle, version: str, spec_name: str) -> ApiModel:
    """The intermediate model of one bundled, normalised API document."""
    document = bundle.document
    operations: list[Operation] = []
    for path, item in sorted((document.get("paths") or {}).items()):
        item = deref(document, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            operation_id = op.get("operationId") or f"{method}_{path}"
            request_model, request_required = _json_schema(document, op.get("requestBody"))
            responses = []
            for status, raw in sorted((op.get("responses") or {}).items(), key=lambda kv: str(kv[0])):
                model, _ = _json_schema(document, raw)
                raw = deref(document, raw) or {}
                responses.append(
                    Response(
                        status=str(status).upper(),
                        model=model,
                        description=" ".join(str(raw.get("description", "")).split()),
                        headers=sorted((raw.get("headers") or {}).keys()),
                    )
                )
            operations.append(
                Operation(
                    operation_id=operation_id,
                    python_name=snake(operation_id),
                    class_name=pascal(operation_id),
                    method=method.upper(),
                    path=path,
                    summary=" ".join(str(op.get("summary") or op.get("description") or "").split()),
                    parameters=_parameters(document, item, op),
                    request_model=request_model,
                    request_required=request_required,
                    responses=responses,
                )
            )
    operations.sort(key=lambda o: o.python_name)
    headers = {p.name.lower() for o in operations for p in o.headers}
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    info = document.get("info") or {}
    return ApiModel(
        api=bundle.api,
        version=version,
        title=" ".join(str(info.get("title") or bundle.api).split()),
        class_prefix=pascal(bundle.api),
        operations=operations,
        schema_names=sorted((document.get("components") or {}).get("schemas", {}).keys()),
        is_webhook=WEBHOOK_SIGNATURE_HEADER in headers,
        api_version_header="api-version" in headers,
        uses_bearer=any(
            isinstance(s, dict) and str(s.get("scheme", "")).lower() == "bearer" for s in schemes.values()
        ),
        spec_name=spec_name,
        spec_sha256=bundle.source.sha256,
    )
