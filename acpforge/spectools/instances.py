"""Build small instances that a schema accepts (for the oneOf overlap check).

Not a general generator: it covers the keywords ACP schemas use (type,
const, enum, required properties, arrays with minItems, numeric bounds,
string lengths, formats, $ref, allOf/oneOf/anyOf) and gives up (raises
:class:`CannotSample`) where guessing would be unsound, such as a `pattern`
that none of a few common strings satisfies.  Every instance it returns is
checked by the caller with a real validator before it is trusted.
"""

from __future__ import annotations

import re
from typing import Any

from .sources import RefError, Workspace

FORMAT_SAMPLES = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00Z",
    "email": "a@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}
PATTERN_PROBES = [
    "a",
    "A",
    "0",
    "aaa",
    "AAA",
    "usd",
    "USD",
    "US",
    "us",
    "2025-01-01",
    "a.b",
    "x_1",
    "1",
    "00",
]


class CannotSample(Exception):
    pass


def _merge(parts: list[dict]) -> dict:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                merged.setdefault("properties", {}).update(value)
            elif key == "required" and isinstance(value, list):
                merged["required"] = sorted(set(merged.get("required", [])) | set(value))
            elif key not in merged:
                merged[key] = value
    return merged


def sample(ws: Workspace, base: str, node: Any, depth: int = 0) -> Any:
    if depth > 16:
        raise CannotSample("too deep")
    if node is True or node == {}:
        return {}
    if node is False or not isinstance(node, dict):
        raise CannotSample("false schema")
    if isinstance(node.get("$ref"), str):
        try:
            target = ws.lookup(base, node["$ref"])
        except RefError as error:
            raise CannotSample(str(error)) from None
        rest = {k: v for k, v in node.items() if k != "$ref"}
        if rest.keys() - {"description", "title", "example", "examples", "deprecated"}:
            resolved = target.node if isinstance(target.node, dict) else {}
            return sample(ws, target.uri, _merge([resolved, rest]), depth + 1)
        return sample(ws, target.uri, target.node, depth + 1)
    if "const" in node:
        return node["const"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    if isinstance(node.get("allOf"), list):
        parts = []
        for branch in node["allOf"]:
            if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
                try:
                    target = ws.lookup(base, branch["$ref"])
                except RefError as error:
                    raise CannotSample(str(error)) from None
                branch = target.node
            if isinstance(branch, dict):
                parts.append(branch)
        rest = {k: v for k, v in node.items() if k != "allOf"}
        return sample(ws, base, _merge([rest, *parts]), depth + 1)
    for keyword in ("oneOf", "anyOf"):
        if isinstance(node.get(keyword), list):
            rest = {k: v for k, v in node.items() if k != keyword}
            for branch in node[keyword]:
                try:
                    branch_node = branch
                    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
                        target = ws.lookup(base, branch["$ref"])
                        return sample(
                            ws,
                            base,
                            _merge([rest, target.node]) if rest else target.node,
                            depth + 1,
                        )
                    return sample(
                        ws, base, _merge([rest, branch_node]) if rest else branch_node, depth + 1
                    )
                except (CannotSample, RefError):
                    continue
            raise CannotSample(f"no {keyword} branch could be sampled")
    types = node.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), "null")
    if types is None:
        if "properties" in node or "required" in node or "additionalProperties" in node:
            types = "object"
        elif "items" in node or "prefixItems" in node or "minItems" in node:
            types = "array"
        elif {"minLength", "maxLength", "pattern", "format"} & set(node):
            types = "string"
        elif {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & set(
            node
        ):
            types = "number"
        else:
            return {}
    if types == "object":
        properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        instance = {}
        for name in node.get("required", []) or []:
            instance[name] = sample(ws, base, properties.get(name, {"type": "string"}), depth + 1)
        for _ in range(max(0, int(node.get("minProperties", 0) or 0) - len(instance))):
            for name, schema in properties.items():
                if name not in instance:
                    instance[name] = sample(ws, base, schema, depth + 1)
                    break
        return instance
    if types == "array":
        count = int(node.get("minItems", 0) or 0)
        if count == 0:
            return []
        item = sample(ws, base, node.get("items", {}), depth + 1)
        return [item] * count
    if types == "string":
        text = FORMAT_SAMPLES.get(node.get("format"), "")
        low, high = int(node.get("minLength", 0) or 0), node.get("maxLength")
        pattern = node.get("pattern")
        candidates = [text.ljust(low, "a")] if text or low else [""]
        if pattern:
            candidates += [p.ljust(low, "a") for p in PATTERN_PROBES]
        for candidate in candidates:
            if high is not None and len(candidate) > high:
                continue
            if pattern:
                try:
                    if not re.search(pattern, candidate):
                        continue
                except re.error:
                    raise CannotSample("bad pattern") from None
            return candidate
        raise CannotSample("no probe string fits")
    if types in ("integer", "number"):
        value: float = 0
        if isinstance(node.get("minimum"), (int, float)):
            value = max(value, node["minimum"]) if node["minimum"] > 0 else node["minimum"]
        if isinstance(node.get("exclusiveMinimum"), (int, float)) and not isinstance(
            node["exclusiveMinimum"], bool
        ):
            value = node["exclusiveMinimum"] + 1
        step = node.get("multipleOf")
        if isinstance(step, (int, float)) and step and not isinstance(step, bool):
            value = (int(value // step) + (1 if value % step else 0)) * step
        if types == "integer":
            value = int(value) if float(value).is_integer() else int(value) + 1
        return value
    if types == "boolean":
        return False
    if types == "null":
        return None
    raise CannotSample(f"type {types!r}")
