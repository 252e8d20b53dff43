"""drift-jsonschema-openapi, drift-missing-schema: the two descriptions of one version agree.

The upstream repository describes each version twice: JSON Schema bundles
(``spec/<version>/json-schema/schema.<api>.json``, ``$defs``) and OpenAPI
files (``openapi.<api>.yaml``, ``components/schemas``).  Same-named schemas
of the same API are compared: property names, required lists, types, enums
and consts, at the top level and for each shared property (its type, enum,
const, the name its ``$ref`` points to, and its array items' type and
reference).  Descriptions and examples may differ.
"""

from __future__ import annotations

from typing import Any

from ..registry import rule
from ..walk import child


def _types(node: Any) -> tuple:
    if not isinstance(node, dict):
        return ()
    value = node.get("type")
    types = (
        set(value) if isinstance(value, list) else ({value} if isinstance(value, str) else set())
    )
    if node.get("nullable") is True:
        types.add("null (nullable)")
    return tuple(sorted(types))


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return node["$ref"].rsplit("/", 1)[-1]
    if isinstance(node, dict) and isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
        return _ref_name(node["allOf"][0])
    return None


def _facets(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    items = node.get("items")
    return {
        "type": _types(node),
        "enum": tuple(sorted(map(repr, node["enum"])))
        if isinstance(node.get("enum"), list)
        else None,
        "const": repr(node["const"]) if "const" in node else None,
        "$ref": _ref_name(node),
        "items type": _types(items),
        "items $ref": _ref_name(items),
    }


def _show(value: Any) -> str:
    if value is None or value == ():
        return "none"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v).strip("'") for v in value) + "]"
    return str(value).strip("'")


def _pairs(ctx):
    schemas = {s.api: (s, i) for s, i in ctx.jsonschema}
    for source, index in ctx.openapi:
        if source.api in schemas:
            yield schemas[source.api], (source, index)


@rule(
    "drift-jsonschema-openapi",
    "error",
    "drift",
    "JSON Schema bundle and OpenAPI components of a version agree",
    """Implementers read one or the other: SDKs are generated from the
    OpenAPI files, validators and agents load the JSON Schemas.  A property,
    required entry, type or enum value present in one and not the other
    means two implementations of the same version disagree on the wire.""",
)
def check_drift(ctx):
    for (js_source, js_index), (oa_source, oa_index) in _pairs(ctx):
        js_names, oa_names = js_index.components, oa_index.components
        for name in sorted(set(js_names) & set(oa_names)):
            js_ptr, oa_ptr = js_names[name], oa_names[name]
            js = ctx.deref(js_source.doc.uri, ctx.ws.lookup(js_source.doc.uri, "#" + js_ptr).node)
            oa = ctx.deref(oa_source.doc.uri, ctx.ws.lookup(oa_source.doc.uri, "#" + oa_ptr).node)
            if js is None or oa is None or js[1] is oa[1]:
                continue  # unresolvable (reported elsewhere), or the OpenAPI side refers to the JSON Schema
            js_node, oa_node = js[1], oa[1]
            where = f"{js_source.path.name}:{js_source.doc.line_of(js_ptr) or '?'}"
            for problem, pointer in _compare(js_node, oa_node, oa_ptr):
                yield ctx.hit(oa_source.doc, pointer, f"{name}: {problem} (JSON Schema: {where})")


def _compare(js: Any, oa: Any, oa_ptr: str):
    if not isinstance(js, dict) or not isinstance(oa, dict):
        return
    js_props = js.get("properties") if isinstance(js.get("properties"), dict) else {}
    oa_props = oa.get("properties") if isinstance(oa.get("properties"), dict) else {}
    only_js, only_oa = sorted(set(js_props) - set(oa_props)), sorted(set(oa_props) - set(js_props))
    if only_js:
        yield (
            f"properties only in the JSON Schema: {', '.join(only_js)}",
            child(oa_ptr, "properties"),
        )
    if only_oa:
        yield (
            f"properties only in the OpenAPI file: {', '.join(only_oa)}",
            child(oa_ptr, "properties"),
        )
    js_req = set(js.get("required") or []) if isinstance(js.get("required"), list) else set()
    oa_req = set(oa.get("required") or []) if isinstance(oa.get("required"), list) else set()
    if js_req != oa_req:
        parts = []
        if js_req - oa_req:
            parts.append(f"required only in the JSON Schema: {', '.join(sorted(js_req - oa_req))}")
        if oa_req - js_req:
            parts.append(f"required only in the OpenAPI file: {', '.join(sorted(oa_req - js_req))}")
        yield "; ".join(parts), child(oa_ptr, "required") if "required" in oa else oa_ptr
    js_top, oa_top = _facets(js), _facets(oa)
    for facet in ("type", "enum", "const"):
        if js_top[facet] != oa_top[facet]:
            yield (
                f"{facet} differs: {_show(js_top[facet])} (JSON Schema) vs {_show(oa_top[facet])} (OpenAPI)",
                oa_ptr,
            )
    for prop in sorted(set(js_props) & set(oa_props)):
        js_facets, oa_facets = _facets(js_props[prop]), _facets(oa_props[prop])
        for facet, js_value in js_facets.items():
            if js_value != oa_facets[facet]:
                yield (
                    f"property {prop}: {facet} {_show(js_value)} (JSON Schema) vs {_show(oa_facets[facet])} (OpenAPI)",
                    child(child(oa_ptr, "properties"), prop),
                )


@rule(
    "drift-missing-schema",
    "warning",
    "drift",
    "Both descriptions of a version name the same schemas",
    """A schema that exists only in the JSON Schema bundle or only in the
    OpenAPI components of the same API and version is usually a rename done
    in one place; tools reading the other description lack the type.""",
)
def check_missing(ctx):
    for (js_source, js_index), (oa_source, oa_index) in _pairs(ctx):
        js_names, oa_names = js_index.components, oa_index.components
        for name in sorted(set(js_names) - set(oa_names)):
            yield ctx.hit(
                js_source.doc,
                js_names[name],
                f"{name} is in the JSON Schema bundle but not in {oa_source.path.name}",
            )
        for name in sorted(set(oa_names) - set(js_names)):
            yield ctx.hit(
                oa_source.doc,
                oa_names[name],
                f"{name} is in the OpenAPI components but not in {js_source.path.name}",
            )
