"""Rewrite a bundled document into the form code generators handle correctly.

Each rewrite keeps the meaning of the schema and fixes a known way in which
datamodel-code-generator (or any generator) goes wrong on the ACP specs:

* ``oneOf``/``anyOf`` whose branches each pin a required property to one value
  (``type: const error``) get that property as ``discriminator``: pydantic
  then tags the union instead of trying branches in order (wrong branch,
  confusing errors); inline branches are hoisted to named components first.
* OpenAPI 3.0 leftovers in a 3.1 document (``nullable``, boolean
  ``exclusiveMinimum``) are rewritten to their 3.1 meaning, with a warning.
* ``if``/``then``/``else``, ``dependentSchemas`` and ``not`` cannot be
  expressed by the generated models: each is reported, never dropped silently.
* Inline request and response bodies are hoisted to named components, so the
  templates can name their model classes.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import SpecLocation, SpecProblem
from .load import pointer_of
from .resolve import Bundle, deref

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
UNENFORCED = ("if", "then", "else", "dependentSchemas", "not")


def pascal(text: str) -> str:
    """``create_checkout-session`` / ``createCheckoutSession`` -> ``CreateCheckoutSession``."""
    words = re.split(r"[^0-9A-Za-z]+", text)
    return "".join(w[:1].upper() + w[1:] for w in words if w)


class _Normalizer:
    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.document = bundle.document
        self.schemas: dict[str, Any] = self.document.setdefault("components", {}).setdefault("schemas", {})

    def warn(self, path: list, message: str, code: str) -> None:
        pointer = pointer_of(path)
        source = self.bundle.source
        location = source.location(pointer) if _exists(source.data, path) else SpecLocation(source.path, pointer)
        self.bundle.warnings.append(SpecProblem(location, message, code))

    # -- naming -----------------------------------------------------------
    def new_name(self, wanted: str, schema: Any) -> str:
        name, counter = wanted, 2
        while name in self.schemas and self.schemas[name] is not schema:
            name = f"{wanted}{counter}"
            counter += 1
        return name

    def hoist(self, holder: dict, key: Any, wanted: str) -> None:
        schema = holder[key]
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        name = self.new_name(wanted, schema)
        self.schemas[name] = schema
        holder[key] = {"$ref": f"#/components/schemas/{name}"}

    # -- bodies -------------------------------------------------------------
    def hoist_bodies(self) -> None:
        for path, item in sorted((self.document.get("paths") or {}).items()):
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                base = pascal(operation.get("operationId") or f"{method} {path}")
                body = deref(self.document, operation.get("requestBody"))
                for media in _json_media(body):
                    self.hoist(media, "schema", f"{base}Request")
                responses = operation.get("responses") or {}
                for status, response in sorted(responses.items(), key=lambda kv: str(kv[0])):
                    for media in _json_media(deref(self.document, response)):
                        suffix = "Response" if str(status).startswith("2") else f"Response{status}"
                        self.hoist(media, "schema", f"{base}{suffix}")

    # -- schema rewrites ----------------------------------------------------
    def visit(self, node: Any, path: list, context: str) -> None:
        if isinstance(node, list):
            for index, value in enumerate(node):
                self.visit(value, path + [index], context)
            return
        if not isinstance(node, dict):
            return
        self.fix_dialect(node, path)
        for keyword in UNENFORCED:
            if keyword in node and _is_schema_context(path):
                self.warn(
                    path + [keyword],
                    f"'{keyword}' is not enforced by the generated models (datamodel-code-generator drops it); "
                    "the server stub and clients accept what it would reject",
                    "unenforced-keyword",
                )
        for keyword in ("oneOf", "anyOf"):
            if isinstance(node.get(keyword), list) and "discriminator" not in node:
                self.tag_union(node, keyword, path, context)
        for key, value in list(node.items()):
            is_data = key in ("example", "examples", "default", "const", "enum") or str(key).startswith("x-")
            if is_data and path[-1:] != ["properties"]:
                continue  # data, not schemas
            if path[-2:] == ["components", "schemas"]:
                child = pascal(str(key))
            elif path[-1:] == ["properties"]:
                child = context + pascal(str(key))
            else:
                child = context
            self.visit(value, path + [key], child)

    def fix_dialect(self, node: dict, path: list) -> None:
        if "nullable" in node and _is_schema_context(path):
            nullable = node.pop("nullable")
            if nullable is True:
                kind = node.get("type")
                if isinstance(kind, str):
                    node["type"] = [kind, "null"]
                elif isinstance(kind, list) and "null" not in kind:
                    node["type"] = [*kind, "null"]
            self.warn(path + ["nullable"], "'nullable' is OpenAPI 3.0; read as a type array with 'null'", "dialect")
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(node.get(bound), bool):
                flag = node.pop(bound)
                if flag and limit in node:
                    node[bound] = node.pop(limit)
                self.warn(path + [bound], f"boolean '{bound}' is OpenAPI 3.0; read as a numeric bound", "dialect")

    def tag_union(self, node: dict, keyword: str, path: list, context: str) -> None:
        branches = node[keyword]
        resolved = [deref(self.document, b) for b in branches]
        if len(resolved) < 2 or not all(isinstance(b, dict) for b in resolved):
            return
        candidates = None
        for branch in resolved:
            pinned = _pinned_properties(self.document, branch)
            candidates = set(pinned) if candidates is None else candidates & set(pinned)
        if not candidates:
            return
        for prop in sorted(candidates, key=lambda p: (p != "type", p)):
            values = [_pinned_properties(self.document, b)[prop] for b in resolved]
            if len(set(map(repr, values))) == len(values) and all(isinstance(v, str) for v in values):
                for index, value in enumerate(values):
                    self.hoist(branches, index, f"{context}{pascal(value)}")
                node["discriminator"] = {"propertyName": prop}
                return


def _json_media(holder: Any):
    if not isinstance(holder, dict):
        return
    for media_type, media in sorted((holder.get("content") or {}).items()):
        if "json" in media_type and isinstance(media, dict) and "schema" in media:
            yield media


def _pinned_properties(document: dict, schema: dict) -> dict[str, Any]:
    """Required properties that admit exactly one value (const or one-value enum)."""
    pinned: dict[str, Any] = {}
    required: set[str] = set(schema.get("required") or [])
    parts = [schema, *(deref(document, s) for s in schema.get("allOf") or [])]
    for part in parts:
        if not isinstance(part, dict):
            continue
        required |= set(part.get("required") or [])
        for name, prop in (part.get("properties") or {}).items():
            prop = deref(document, prop)
            if not isinstance(prop, dict):
                continue
            if "const" in prop:
                pinned[name] = prop["const"]
            elif isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
                pinned[name] = prop["enum"][0]
    return {k: v for k, v in pinned.items() if k in required}


def _is_schema_context(path: list) -> bool:
    """True when ``path`` points at a schema object (not, say, a property literally named 'not')."""
    return path[-1:] != ["properties"] and "examples" not in path and "example" not in path


def _exists(data: Any, path: list) -> bool:
    for token in path:
        try:
            data = data[token]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def normalize(bundle: Bundle) -> Bundle:
    """Apply every rewrite in place; warnings are appended to the bundle."""
    normalizer = _Normalizer(bundle)
    normalizer.hoist_bodies()
    normalizer.visit(bundle.document, [], "")
    return bundle
