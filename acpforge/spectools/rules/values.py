"""enum-mismatch, const-mismatch, default-mismatch: a schema's own values obey it."""

from __future__ import annotations

import json
import re

from ..messages import describe, short
from ..registry import rule
from ..walk import child

ANNOTATIONS = {
    "description",
    "title",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "externalDocs",
    "xml",
}
ASSERTIONS = {
    "type",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "format",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
}


def _errors(ctx, site, drop: set[str], value):
    rest = {k: v for k, v in site.node.items() if k not in drop and k not in ANNOTATIONS}
    if not (ASSERTIONS & set(rest)):
        return []
    try:
        validator = ctx.ws.validator_for_node(
            site.base_uri, rest, formats=ctx.options.check_formats
        )
        return list(validator.iter_errors(value))
    except Exception:  # noqa: BLE001 - an unresolvable $ref or a bad pattern: other rules report those
        return []


def _sites(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            yield source.doc, site


@rule(
    "enum-mismatch",
    "error",
    "values",
    "Enum values match their own schema and are unique",
    """An enum value that breaks the schema's other keywords (a number in an
    enum of `type: string`, YAML's unquoted `yes` read as a boolean, a value
    longer than `maxLength`, `null` without `"null"` in `type`) can never be
    sent, and code generators emit a member that does not parse.  Duplicates
    produce duplicate members.""",
)
def check_enum(ctx):
    for doc, site in _sites(ctx):
        values = site.node.get("enum")
        if not isinstance(values, list):
            continue
        seen: set[str] = set()
        for i, value in enumerate(values):
            key = json.dumps(value, sort_keys=True)
            if key in seen:
                yield ctx.hit(
                    doc,
                    child(child(site.pointer, "enum"), i),
                    f"enum value {short(value)} is listed twice",
                )
            seen.add(key)
            for error in _errors(ctx, site, {"enum", "default", "const"}, value)[:1]:
                yield ctx.hit(
                    doc,
                    child(child(site.pointer, "enum"), i),
                    f"enum value {short(value)} does not match its own schema: {describe(error)}",
                )


@rule(
    "const-mismatch",
    "error",
    "values",
    "A const matches its own schema",
    """A `const` that the schema's other keywords reject (type, enum,
    pattern) makes the schema unsatisfiable; with a discriminator it makes a
    whole oneOf branch unreachable.""",
)
def check_const(ctx):
    for doc, site in _sites(ctx):
        if "const" not in site.node:
            continue
        for error in _errors(ctx, site, {"const", "default"}, site.node["const"])[:1]:
            yield ctx.hit(
                doc,
                child(site.pointer, "const"),
                f"const {short(site.node['const'])} does not match its own schema: {describe(error)}",
            )


@rule(
    "default-mismatch",
    "error",
    "values",
    "A default matches its own schema",
    """Servers apply defaults and clients display them: a default outside the
    enum, of the wrong type or violating a bound is a value the API itself
    declares invalid.""",
    supersedes=("openapi-valid",),
)
def check_default(ctx):
    for doc, site in _sites(ctx):
        if "default" not in site.node:
            continue
        for error in _errors(ctx, site, {"default"}, site.node["default"])[:1]:
            yield ctx.hit(
                doc,
                child(site.pointer, "default"),
                f"default {short(site.node['default'])} does not match its own schema: {describe(error)}",
            )


def _bad_regex(pattern: str) -> str | None:
    if "\\p{" in pattern or "\\P{" in pattern:
        return None  # ECMA-262 Unicode property escapes: valid there, unknown to Python's re
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    return None


@rule(
    "pattern-invalid",
    "error",
    "values",
    "Patterns are valid regular expressions",
    """A `pattern` (or a `patternProperties` key) that does not compile makes
    validators crash or skip the check, depending on the tool.""",
)
def check_patterns(ctx):
    for doc, site in _sites(ctx):
        pattern = site.node.get("pattern")
        if isinstance(pattern, str):
            reason = _bad_regex(pattern)
            if reason:
                yield ctx.hit(
                    doc,
                    child(site.pointer, "pattern"),
                    f"pattern {pattern!r} is not a valid regular expression: {reason}",
                )
        patterns = site.node.get("patternProperties")
        if isinstance(patterns, dict):
            for key in patterns:
                reason = _bad_regex(key)
                if reason:
                    yield ctx.hit(
                        doc,
                        child(child(site.pointer, "patternProperties"), key),
                        f"patternProperties key {key!r} is not a valid regular expression: {reason}",
                    )
