"""openapi-valid: the document against the OpenAPI specification (openapi-spec-validator).

openapi-spec-validator reports schema meta-errors relative to the schema it
was checking and some errors with no path at all; its keyword validators are
wrapped here so that every error carries the node it was raised for, and
the node is found in our loaded documents by identity (the validator is fed
our own parsed data, for the root document and, through a custom ``file:``
handler, for every document it follows a reference into).  References that
cannot be resolved are replaced by ``{}`` in a copy-on-write view of the
data, so that one dangling ``$ref`` (reported by ``ref-unresolved``) does not
stop the validation of the rest of the document.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema_path.paths import SchemaPath
from openapi_schema_validator import OAS31_BASE_DIALECT_ID
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import (
    ExtraParametersError,
    OpenAPIValidationError,
)

from acpforge.generator.load import pointer_of

from ..registry import rule
from ..sources import path_of_uri


def _patched(data: Any, broken: list[str], copies: dict[int, str]) -> Any:
    """``data`` with the objects at ``broken`` pointers replaced by ``{}``, sharing the rest.

    ``copies`` receives the pointer of every node that had to be copied.
    """
    if not broken:
        return data
    tree: dict = {}
    for pointer in broken:
        node = tree
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
        for token in tokens[:-1]:
            node = node.setdefault(token, {})
        if tokens:
            node[tokens[-1]] = None

    def rebuild(value: Any, sub: dict | None, pointer: str) -> Any:
        if sub is None:
            copy: Any = {}
        elif isinstance(value, dict):
            copy = dict(value)
            for key, nested in sub.items():
                if key in copy:
                    copy[key] = rebuild(copy[key], nested, pointer_of([*_split(pointer), key]))
        elif isinstance(value, list):
            copy = list(value)
            for key, nested in sub.items():
                if key.isdigit() and int(key) < len(copy):
                    copy[int(key)] = rebuild(copy[int(key)], nested, f"{pointer}/{key}")
        else:
            return value
        copies[id(copy)] = pointer
        return copy

    return rebuild(data, tree, "")


def _split(pointer: str) -> list[str]:
    return (
        [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []
    )


def _wrap(cls: type, suffix: str = "") -> type:
    """A keyword validator class whose errors remember the node they were raised for."""

    def call(self, *args, **kwargs):
        anchor = next((a for a in args if isinstance(a, SchemaPath)), None)
        for error in cls.__call__(self, *args, **kwargs):
            if not isinstance(error, OpenAPIValidationError):
                error = OpenAPIValidationError.create_from(error)
            if getattr(error, "_acp_anchor", None) is None and anchor is not None:
                error._acp_anchor = anchor
                error._acp_suffix = (
                    "/required" if isinstance(error, ExtraParametersError) else suffix
                )
            yield error

    namespace: dict[str, Any] = {"__call__": call}
    if issubclass(cls, keywords.SchemaValidator):
        fast = _fast_meta_check() if issubclass(cls, keywords.OpenAPIV31SchemaValidator) else None

        def meta(self, schema, schema_value):
            use_fast = (
                fast is not None
                and isinstance(schema_value, dict)
                and "$schema" not in schema_value
                and self._get_default_jsonschema_dialect_id(schema) == OAS31_BASE_DIALECT_ID
            )
            error = (
                fast(schema_value)
                if use_fast
                else cls._validate_schema_meta(self, schema, schema_value)
            )
            if error is not None:
                error._acp_anchor = schema
                error._acp_suffix = ""
            return error

        namespace["_validate_schema_meta"] = meta
    return type(f"Located{cls.__name__}", (cls,), namespace)


_FAST: list = []


def _fast_meta_check():
    """The OAS 3.1 dialect meta-schema check, compiled by jsonschema-rs when it is installed.

    openapi-spec-validator checks every Schema Object against the OAS 3.1
    dialect meta-schema with the pure-Python validator, which takes about
    three quarters of a whole lint run (the 2020-12 meta-schemas resolve
    ``$dynamicRef`` at every step).  jsonschema-rs (installed with
    Schemathesis) evaluates the very same meta-schemas, from the same
    registry, about two hundred times faster.  Without it, the validator's
    own check runs unchanged.  Keyword formats (``pattern`` being a regular
    expression) are checked by the ``pattern-invalid`` rule instead.
    """
    if not _FAST:
        try:
            import jsonschema_rs
            from openapi_schema_validator._specifications import REGISTRY

            registry = jsonschema_rs.Registry([(uri, REGISTRY.contents(uri)) for uri in REGISTRY])
            compiled = jsonschema_rs.Draft202012Validator(
                {"$ref": OAS31_BASE_DIALECT_ID}, registry=registry, validate_formats=False
            )

            def check(value):
                for error in compiled.iter_errors(value):
                    return OpenAPIValidationError(error.message, path=list(error.instance_path))
                return None

            _FAST.append(check)
        except Exception:  # noqa: BLE001 - not installed, or an API it does not have: use the validator's own check
            _FAST.append(None)
    return _FAST[0]


def _validator_class(base: type, handler) -> type:
    located = {
        name: _wrap(kcls, "/default" if name == "default" else "")
        for name, kcls in base.keyword_validators.items()
    }
    return type(
        f"Located{base.__name__}",
        (base,),
        {
            "keyword_validators": located,
            "resolver_handlers": {"file": handler, "http": handler, "https": handler},
        },
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error) -> tuple[str, list]:
    """A one-line message and the path (relative to the error's anchor) to report it at."""
    deepest = error
    if getattr(error, "context", None):
        deepest = best_match(error.context) or error
    path = list(getattr(deepest, "absolute_path", []) or getattr(error, "absolute_path", []) or [])
    message = str(getattr(deepest, "message", "") or error).splitlines()[0]
    return _short(message), path


@rule(
    "openapi-valid",
    "error",
    "openapi",
    "Document is a valid OpenAPI 3.x description (openapi-spec-validator)",
    """Everything downstream (code generators, Schemathesis, documentation,
    the certifier) assumes a valid OpenAPI document; an invalid one is read
    differently by each tool, or not at all.  This runs openapi-spec-validator
    (the OpenAPI meta-schema, every Schema Object against its JSON Schema
    dialect, duplicate operationIds and parameters, path templates) and
    reports each error at the line of the offending node.""",
)
def check_openapi(ctx):
    cache: dict[str, Any] = {}
    copies: dict[int, tuple[Any, str]] = {}

    def view(doc) -> Any:
        if doc.uri not in cache:
            index = ctx.ws.index(doc)
            broken = [site.pointer for site in index.refs if ctx.ref_error(site) is not None]
            copied: dict[int, str] = {}
            cache[doc.uri] = _patched(doc.data, broken, copied)
            copies.update({key: (doc, pointer) for key, pointer in copied.items()})
        return cache[doc.uri]

    def handler(uri: str) -> Any:
        path = path_of_uri(uri)
        doc = ctx.ws.doc_at(uri) if path is None else ctx.ws.try_load(path)[0]
        if doc is None:
            raise FileNotFoundError(uri)
        return view(doc)

    for source, index in ctx.openapi:
        doc = source.doc
        version = str(doc.data.get("openapi", ""))
        if version.startswith("3.0"):
            base = OpenAPIV30SpecValidator
        elif version.startswith("3.1"):
            base = OpenAPIV31SpecValidator
        else:
            key = "swagger" if "swagger" in doc.data else "openapi"
            shown = f"{key} {doc.data.get(key)!s}"
            yield ctx.hit(
                doc,
                f"/{key}",
                f"unsupported version ({shown}): lint reads OpenAPI 3.0 and 3.1 documents",
            )
            continue
        data = view(doc)
        validator = _validator_class(base, handler)(data, base_uri=doc.uri)
        try:
            for error in validator.iter_errors():
                message, path = _describe(error)
                anchor = getattr(error, "_acp_anchor", None)
                if anchor is None:
                    yield ctx.hit(doc, pointer_of(path), message)
                    continue
                node = anchor.read_value()
                located = ctx.ws.locate(node) or copies.get(id(node))
                if located is None:  # not one of our nodes: fall back to the logical path
                    where, pointer = doc, pointer_of(anchor.parts)
                else:
                    where, pointer = located
                yield ctx.hit(
                    where, pointer + getattr(error, "_acp_suffix", "") + pointer_of(path), message
                )
        except Exception as exc:  # noqa: BLE001 - the validator gives up on some malformed documents
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            yield ctx.hit(
                doc, "", _short(f"OpenAPI validation stopped: {type(exc).__name__}: {reason}")
            )
