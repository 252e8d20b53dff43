"""JSON Schema dialect mistakes in OpenAPI 3.1 documents and JSON Schema bundles.

OpenAPI 3.1 schemas are JSON Schema draft 2020-12 (plus four annotation
keywords: discriminator, xml, externalDocs and the deprecated example).
Habits from OpenAPI 3.0 and older drafts still parse, but mean nothing, or
something else, in 2020-12; validators ignore unknown keywords silently, so
these mistakes never fail a test: they change the contract.  OpenAPI 3.0
documents are not checked by this family (their dialect is different).
"""

from __future__ import annotations

import difflib

from ..registry import rule
from ..walk import child

CORE = {
    "$schema",
    "$id",
    "$ref",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "$comment",
    "$defs",
}
APPLICATOR = {
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "prefixItems",
    "items",
    "contains",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
}
UNEVALUATED = {"unevaluatedItems", "unevaluatedProperties"}
VALIDATION = {
    "type",
    "const",
    "enum",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
}
METADATA = {"title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples"}
OTHER = {"format", "contentEncoding", "contentMediaType", "contentSchema"}
OAS = {"discriminator", "xml", "externalDocs", "example"}
KNOWN = CORE | APPLICATOR | UNEVALUATED | VALIDATION | METADATA | OTHER | OAS
LEGACY = {
    "definitions": "replaced by $defs in draft 2019-09",
    "dependencies": "split into dependentRequired and dependentSchemas in draft 2019-09",
    "additionalItems": "replaced by items (with prefixItems) in draft 2020-12",
    "id": "replaced by $id in draft 06",
    "$recursiveRef": "replaced by $dynamicRef in draft 2020-12",
    "$recursiveAnchor": "replaced by $dynamicAnchor in draft 2020-12",
}
HANDLED = {"nullable", *LEGACY}
SCHEMA_HINTS = {
    "type",
    "$ref",
    "description",
    "enum",
    "const",
    "format",
    "items",
    "properties",
    "allOf",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "pattern",
    "minLength",
    "maxLength",
    "title",
    "default",
}


def _sites(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            yield source.doc, index, site


@rule(
    "dialect-nullable",
    "error",
    "dialect",
    "No `nullable` in OpenAPI 3.1 / JSON Schema 2020-12",
    """`nullable: true` is an OpenAPI 3.0 keyword; in 3.1 it is an unknown
    keyword that validators ignore, so the null the author meant to allow is
    rejected by every conforming validator and generated client.  Write
    `type: [string, "null"]` (or add `{type: "null"}` to a oneOf).""",
)
def check_nullable(ctx):
    for doc, index, site in _sites(ctx):
        if "nullable" in site.node:
            value = site.node["nullable"]
            fix = 'list "null" in `type` instead' if value is True else "remove it"
            yield ctx.hit(
                doc,
                child(site.pointer, "nullable"),
                f"`nullable: {str(value).lower()}` has no meaning in JSON Schema 2020-12 (OpenAPI 3.0 keyword); {fix}",
            )


@rule(
    "dialect-exclusive-boolean",
    "error",
    "dialect",
    "`exclusiveMinimum` / `exclusiveMaximum` are numbers, not booleans",
    """In draft 4 and OpenAPI 3.0, `exclusiveMinimum: true` modified
    `minimum`; since draft 6 (and in OpenAPI 3.1) the keyword is itself the
    bound, a number.  A boolean there is invalid: validators reject the
    schema or ignore the bound, and `minimum: 0, exclusiveMinimum: true`
    silently allows 0.""",
    supersedes=("openapi-valid",),
)
def check_exclusive(ctx):
    for doc, index, site in _sites(ctx):
        for keyword, partner in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = site.node.get(keyword)
            if isinstance(value, bool):
                bound = site.node.get(partner)
                fix = (
                    f"write `{keyword}: {bound}` and drop `{partner}`"
                    if value and bound is not None
                    else f"remove `{keyword}: {str(value).lower()}`"
                )
                yield ctx.hit(
                    doc,
                    child(site.pointer, keyword),
                    f"boolean `{keyword}: {str(value).lower()}` is draft-4 / OpenAPI 3.0 syntax; in 2020-12 it must be a number: {fix}",
                )


@rule(
    "dialect-legacy-keyword",
    "warning",
    "dialect",
    "No keywords from older JSON Schema drafts",
    """`definitions`, `dependencies`, `additionalItems`, `id`, tuple-form
    `items: [...]` and `$recursiveRef` belong to older drafts; 2020-12
    validators ignore or reinterpret them, and code generators disagree on
    what they mean.""",
    supersedes=("openapi-valid",),
)
def check_legacy(ctx):
    for doc, index, site in _sites(ctx):
        for keyword, why in LEGACY.items():
            if keyword in site.node and not (
                keyword == "id" and not isinstance(site.node.get("id"), str)
            ):
                yield ctx.hit(doc, child(site.pointer, keyword), f"`{keyword}` is {why}")
        if isinstance(site.node.get("items"), list):
            yield ctx.hit(
                doc,
                child(site.pointer, "items"),
                "tuple-form `items: [...]` is draft 2019-09 and older; use `prefixItems`",
            )


@rule(
    "dialect-required-boolean",
    "error",
    "dialect",
    "`required` in a schema is a list of names, not a boolean",
    """`required: true` on a property schema is the parameter-object habit
    (or draft 3); in a Schema Object `required` is the list of the parent
    object's mandatory property names.  The boolean is invalid and the
    property stays optional.""",
    supersedes=("openapi-valid",),
)
def check_required_boolean(ctx):
    for doc, index, site in _sites(ctx):
        if isinstance(site.node.get("required"), bool):
            where = (
                f"list {site.key!r} in the parent's `required`"
                if site.keyword == "properties"
                else "use a list of property names"
            )
            yield ctx.hit(
                doc,
                child(site.pointer, "required"),
                f"`required: {str(site.node['required']).lower()}` is not JSON Schema: {where}",
            )


@rule(
    "dialect-schema-example",
    "warning",
    "dialect",
    "Schemas use `examples` (a list), not the deprecated `example`",
    """OpenAPI 3.1 deprecates the Schema Object's `example` in favour of
    JSON Schema's `examples` array, and in a JSON Schema bundle `example` is
    no keyword at all.  Tools that read only `examples` (JSON Schema
    validators, many documentation and mock tools) never see these
    examples.""",
)
def check_schema_example(ctx):
    for doc, index, site in _sites(ctx):
        if "example" in site.node:
            what = (
                "deprecated in OpenAPI 3.1"
                if index.kind == "openapi"
                else "not a JSON Schema keyword"
            )
            yield ctx.hit(
                doc,
                child(site.pointer, "example"),
                f"`example` in a schema is {what}; write `examples: [...]`",
            )


@rule(
    "dialect-examples-shape",
    "error",
    "dialect",
    "`examples` has the shape of where it is written",
    """The same word means two things: in a Schema Object `examples` is a
    JSON Schema list of values; in a parameter, header or media type it is a
    map from names to Example Objects (`{summary, value}`), and there
    `example` and `examples` are mutually exclusive.  Mixing the two up makes
    every example invisible, or makes tools read the wrapper as the value.""",
    supersedes=("openapi-valid",),
)
def check_examples_shape(ctx):
    for doc, index, site in _sites(ctx):
        examples = site.node.get("examples")
        if "examples" in site.node and not isinstance(examples, list):
            shape = (
                "a map (the OpenAPI media-type form)"
                if isinstance(examples, dict)
                else f"a {type(examples).__name__}"
            )
            yield ctx.hit(
                doc,
                child(site.pointer, "examples"),
                f"`examples` in a schema must be a list of values; this one is {shape}",
            )
    for source, index in ctx.openapi:
        if index.dialect not in ("oas31", "oas30"):
            continue
        for holder in index.holders:
            node, at = holder.node, holder.pointer
            if "example" in node and "examples" in node:
                yield ctx.hit(
                    source.doc,
                    child(at, "example"),
                    f"`example` and `examples` are mutually exclusive in a {holder.kind} object",
                )
            examples = node.get("examples")
            if "examples" not in node:
                continue
            if not isinstance(examples, dict):
                yield ctx.hit(
                    source.doc,
                    child(at, "examples"),
                    f"`examples` of a {holder.kind} object is a map of Example Objects (name: {{summary, value}}), not a {type(examples).__name__}",
                )
                continue
            for name, example in examples.items():
                here = child(child(at, "examples"), name)
                if not isinstance(example, dict) or not (
                    {"value", "externalValue", "$ref"} & set(example)
                ):
                    yield ctx.hit(
                        source.doc,
                        here,
                        f"examples entry {name!r} is not an Example Object: wrap the value as `{{value: ...}}`",
                    )
                elif "value" in example and "externalValue" in example:
                    yield ctx.hit(
                        source.doc,
                        here,
                        f"examples entry {name!r} has both `value` and `externalValue`",
                    )


def _unknown(site, index):
    for key in site.node:
        if not isinstance(key, str) or key.startswith("x-") or key in KNOWN or key in HANDLED:
            continue
        if index.kind == "jsonschema" and key == "example":
            continue
        yield key


@rule(
    "schema-property-outside-properties",
    "error",
    "dialect",
    "Properties are written inside `properties`",
    """A property schema written beside `properties` instead of inside it (as
    `PaymentHandler.display_order` in 2026-04-17) is an unknown keyword:
    validators ignore it, the property is not declared, and with
    `additionalProperties: false` every instance that sends it is
    rejected.""",
)
def check_outside_properties(ctx):
    for doc, index, site in _sites(ctx):
        if not isinstance(site.node.get("properties"), dict):
            continue
        for key in _unknown(site, index):
            value = site.node[key]
            if isinstance(value, dict) and SCHEMA_HINTS & set(value):
                closed = (
                    " and `additionalProperties: false` rejects every instance that has it"
                    if site.node.get("additionalProperties") is False
                    else ""
                )
                yield ctx.hit(
                    doc,
                    child(site.pointer, key),
                    f"{key!r} is written beside `properties`, not inside it: it is not a declared property{closed}; move it under `properties`",
                )


@rule(
    "dialect-unknown-keyword",
    "warning",
    "dialect",
    "No unknown keywords in schemas",
    """JSON Schema ignores keywords it does not know, so a misspelt keyword
    (`requried`, `maxlength`) or one from another vocabulary silently drops
    a constraint.  Extensions must start with `x-`.""",
)
def check_unknown(ctx):
    for doc, index, site in _sites(ctx):
        for key in _unknown(site, index):
            value = site.node[key]
            if (
                isinstance(site.node.get("properties"), dict)
                and isinstance(value, dict)
                and SCHEMA_HINTS & set(value)
            ):
                continue  # schema-property-outside-properties reports it
            close = difflib.get_close_matches(key, sorted(KNOWN), n=1, cutoff=0.75)
            hint = (
                f" (did you mean `{close[0]}`?)" if close else "; extensions must start with `x-`"
            )
            yield ctx.hit(
                doc,
                child(site.pointer, key),
                f"unknown keyword `{key}` is ignored by JSON Schema{hint}",
            )
