"""example-invalid, example-unmapped, example-unchecked: examples match their schemas.

Inline examples (a schema's ``example`` and ``examples``, a media type's or a
parameter's ``example`` and ``examples``, Example Objects given by ``$ref``)
are validated against the schema they illustrate, with the JSON Schema
draft 2020-12 validator (OpenAPI 3.0 documents: the OAS 3.0 validator).
``format`` is an annotation unless ``--check-formats`` is given.

Examples files (``examples/<version>/*.json`` of the upstream layout) are
matched to schemas by name: a key of the file (``CheckoutSession``,
``checkout_session``, ``checkout_session_example``, ``checkout_sessions``) names a ``$defs``
entry of the version's JSON Schema bundle of the same API, or a component
schema of its OpenAPI file; an entry may also say which schema it
illustrates (``{"schema": "Name", "value": ...}``), and a file whose own
name names a schema is one example of it.  A list under a key whose schema
is not an array holds several examples.  Keys that name no schema are
reported (example-unmapped), so nothing goes unchecked silently.
"""

from __future__ import annotations

import re
from typing import Any

import referencing.exceptions

from acpforge.generator.load import pointer_of

from ..messages import describe, json_path
from ..registry import rule
from ..sources import RefError
from ..walk import child

_SUFFIXES = re.compile(r"(examples?|samples?|payload|body)$")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def schema_label(pointer: str, node=None) -> str:
    """A short name for the schema at ``pointer`` (the component it is, or refers to)."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and len(node) <= 3:
        return node["$ref"].rsplit("/", 1)[-1]
    for prefix in ("/components/schemas/", "/$defs/", "/definitions/"):
        if pointer.startswith(prefix) and "/" not in pointer[len(prefix) :]:
            return pointer[len(prefix) :].replace("~1", "/").replace("~0", "~")
    return f"the schema at #{pointer}"


def _validate(ctx, uri: str, pointer: str, value: Any, oas30: bool = False):
    """Validation errors, or the reason validation could not run."""
    validator = ctx.ws.validator(uri, pointer, formats=ctx.options.check_formats, oas30=oas30)
    try:
        return list(validator.iter_errors(value)), None
    except (referencing.exceptions.Unresolvable, RefError, KeyError) as exc:
        ref = getattr(exc, "ref", None)
        return [], f"its schema refers to {ref}, which cannot be resolved" if ref else (
            str(exc) or type(exc).__name__
        )
    except Exception as exc:  # noqa: BLE001 - e.g. an invalid regex in a pattern
        return [], f"{type(exc).__name__}: {exc}"


def _inline_results(ctx):
    if "inline-examples" in ctx.cache:
        return ctx.cache["inline-examples"]
    results = []
    for source, index in [*ctx.openapi, *ctx.jsonschema]:
        oas30 = index.dialect == "oas30"
        for site in index.examples:
            if site.schema_pointer is None:
                continue
            where, pointer, value = source.doc, site.pointer, site.value
            if site.ref is not None:
                try:
                    target = ctx.ws.lookup(site.base_uri, site.ref)
                except RefError:
                    continue
                if not isinstance(target.node, dict) or "value" not in target.node:
                    continue  # externalValue: not ours to fetch
                where = target.doc or where
                pointer, value = child(target.pointer, "value"), target.node["value"]
            errors, reason = _validate(ctx, source.doc.uri, site.schema_pointer, value, oas30)
            schema = ctx.ws.lookup(source.doc.uri, "#" + site.schema_pointer).node
            results.append(
                (where, pointer, site, schema_label(site.schema_pointer, schema), errors, reason)
            )
    ctx.cache["inline-examples"] = results
    return results


def _schema_tables(ctx, api: str) -> list[tuple[Any, dict[str, str]]]:
    """(document, {normalised name: pointer}) to look example names up in, best first."""
    ordered = []
    for group in (ctx.jsonschema, ctx.openapi):
        same = [(s, i) for s, i in group if s.api == api]
        ordered += same
    for group in (ctx.jsonschema, ctx.openapi):
        ordered += [(s, i) for s, i in group if (s, i) not in ordered]
    return [
        (source.doc, {_norm(n): p for n, p in index.components.items()})
        for source, index in ordered
    ]


def _find(tables, name: str):
    wanted = [_norm(name)]
    stripped = _SUFFIXES.sub("", wanted[0])
    if stripped and stripped != wanted[0]:
        wanted.append(stripped)
    wanted += [
        w[:-1] for w in list(wanted) if w.endswith("s") and len(w) > 3
    ]  # "orders": a list of Order
    for doc, names in tables:
        for key in wanted:
            if key in names:
                return doc, names[key]
    return None


def _file_entries(ctx):
    """(examples file, pointer of the entry, value, (doc, schema pointer) or None)."""
    for source in ctx.examples:
        data = source.doc.data
        tables = _schema_tables(ctx, source.api)
        stem = source.path.stem
        own = _find(tables, stem.removeprefix("examples."))
        if own is not None and not stem.startswith("examples."):
            yield source, "", data, own
            continue
        entries = (
            data.items()
            if isinstance(data, dict)
            else enumerate(data)
            if isinstance(data, list)
            else []
        )
        for key, value in entries:
            at = child("", key)
            if (
                isinstance(value, dict)
                and ("value" in value or "example" in value)
                and any(k in value for k in ("schema", "$schema", "$ref"))
            ):
                name = str(value.get("schema") or value.get("$schema") or value.get("$ref")).rsplit(
                    "/", 1
                )[-1]
                field = "value" if "value" in value else "example"
                yield source, child(at, field), value[field], _find(tables, name)
            elif isinstance(key, str) and key.startswith("$"):
                continue
            else:
                yield source, at, value, _find(tables, str(key)) if isinstance(key, str) else None


def _file_results(ctx):
    if "file-examples" in ctx.cache:
        return ctx.cache["file-examples"]
    results = []
    for source, pointer, value, target in _file_entries(ctx):
        if target is None:
            results.append((source, pointer, None, [], None, [value]))
            continue
        doc, schema_pointer = target
        schema = ctx.ws.lookup(doc.uri, "#" + schema_pointer).node
        schema_type = schema.get("type") if isinstance(schema, dict) else None
        many = (
            isinstance(value, list)
            and schema_type != "array"
            and not (isinstance(schema_type, list) and "array" in schema_type)
        )
        values = (
            [(child(pointer, i), v) for i, v in enumerate(value)] if many else [(pointer, value)]
        )
        for at, item in values:
            errors, reason = _validate(ctx, doc.uri, schema_pointer, item)
            results.append((source, at, schema_label(schema_pointer), errors, reason, None))
    ctx.cache["file-examples"] = results
    return results


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")


def error_path(error) -> list:
    """Where to report an error: at the first unexpected property rather than its object."""
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        error.instance, dict
    ):
        match = _UNEXPECTED.search(error.message)
        if match:
            for name in re.findall(r"'((?:[^'\\]|\\.)*)'", match.group(1)):
                if name in error.instance:
                    return [*path, name]
    return path


@rule(
    "example-invalid",
    "error",
    "examples",
    "Every example validates against the schema it illustrates",
    """Examples are what implementers copy.  An example that breaks its own
    schema (an amount as a string, a code outside the enum, a request in an
    older version's shape) teaches the wrong wire format, and it breaks
    every tool that tests with examples (Schemathesis, mock servers,
    documentation validators).  Each error is reported at the line of the
    offending value inside the example.""",
)
def check_examples(ctx):
    for where, pointer, site, label, errors, _ in _inline_results(ctx):
        for error in errors:
            path = error_path(error)
            yield ctx.hit(
                where,
                pointer + pointer_of(path),
                f"example does not match {label}: {json_path(error.absolute_path)}: {describe(error)}",
            )
    for source, pointer, label, errors, _, unmapped in _file_results(ctx):
        for error in errors:
            path = error_path(error)
            yield ctx.hit(
                source.doc,
                pointer + pointer_of(path),
                f"example does not match {label}: {json_path(error.absolute_path)}: {describe(error)}",
            )


@rule(
    "example-unmapped",
    "warning",
    "examples",
    "Every entry of an examples file names a schema",
    """An examples-file entry whose name matches no schema of its version is
    never validated; it is often an entry left behind by a rename.  Name the
    entry after its schema (or give it `{"schema": "Name", "value": ...}`).""",
)
def check_unmapped(ctx):
    for source, pointer, label, errors, _, unmapped in _file_results(ctx):
        if unmapped is not None:
            name = pointer.rsplit("/", 1)[-1] or source.path.name
            yield ctx.hit(
                source.doc,
                pointer,
                f"example {name!r} names no schema of version {ctx.version}: not validated",
            )


@rule(
    "example-unchecked",
    "info",
    "examples",
    "Examples that could not be validated are listed",
    """When the schema an example illustrates cannot be compiled (usually a
    dangling $ref, reported by ref-unresolved), the example is not checked;
    it is listed so that a clean run means "checked and valid", never
    "skipped".""",
)
def check_unchecked(ctx):
    for where, pointer, site, label, errors, reason in _inline_results(ctx):
        if reason:
            yield ctx.hit(where, pointer, f"example not checked against {label}: {reason}")
    for source, pointer, label, errors, reason, _ in _file_results(ctx):
        if reason:
            yield ctx.hit(source.doc, pointer, f"example not checked against {label}: {reason}")
