"""One structural walk of a document, remembering the JSON pointer of everything.

The walk follows the OpenAPI object model (paths, operations, parameters,
request bodies, responses, headers, media types, components, webhooks,
callbacks) and, inside it, every Schema Object and each of its subschemas
through the JSON Schema applicator keywords.  It does not follow ``$ref``:
each node is visited once, where it is written, so a finding is reported at
the line a maintainer has to edit.  It records:

* schemas: every Schema Object, with its parent and the keyword that led to it
* examples: every example value and the schema it illustrates
* holders: parameters, headers and media types (where ``example`` and
  ``examples`` live, with OpenAPI's rules rather than JSON Schema's)
* refs: every ``$ref`` with the base URI it resolves against
* operations: every operation of ``paths`` and ``webhooks``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from acpforge.generator.load import LoadedDocument, escape_pointer_token

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_SINGLE = (
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "additionalItems",
)
# keywords whose subschemas apply to the same instance as their parent
IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas")


def child(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape_pointer_token(token)}"


@dataclass
class SchemaSite:
    pointer: str
    node: dict
    base_uri: str
    parent: SchemaSite | None = None
    keyword: str | None = None  # how the parent reached it: properties, allOf, items, ...
    key: str | int | None = None  # property name or branch index

    @property
    def is_root(self) -> bool:
        return self.parent is None


@dataclass
class ExampleSite:
    pointer: str  # where the example value is written
    value: Any
    schema_pointer: str | None  # the schema it illustrates, in the same document
    kind: str  # schema-example, schema-examples, media, parameter, header
    ref: str | None = None  # an Example Object given as $ref: the value lives there
    base_uri: str = ""


@dataclass
class HolderSite:
    pointer: str
    node: dict
    kind: str  # parameter, header, media


@dataclass
class RefSite:
    pointer: str  # of the object that holds "$ref"
    ref: str
    base_uri: str
    in_schema: bool


@dataclass
class OperationSite:
    path: str
    method: str
    pointer: str
    node: dict
    path_item: dict
    path_item_pointer: str
    webhook: bool


@dataclass
class DocIndex:
    doc: LoadedDocument
    kind: str  # openapi, jsonschema, data
    dialect: str  # oas31, oas30, jsonschema, none
    schemas: list[SchemaSite] = field(default_factory=list)
    examples: list[ExampleSite] = field(default_factory=list)
    holders: list[HolderSite] = field(default_factory=list)
    refs: list[RefSite] = field(default_factory=list)
    operations: list[OperationSite] = field(default_factory=list)

    @property
    def components(self) -> dict[str, str]:
        """Named schemas: components/schemas for OpenAPI, $defs for a JSON Schema bundle."""
        data = self.doc.data
        if self.kind == "openapi":
            named = (data.get("components") or {}).get("schemas") or {}
            prefix = "/components/schemas"
        else:
            named = data.get("$defs") or data.get("definitions") or {}
            prefix = "/$defs" if "$defs" in data else "/definitions"
        if not isinstance(named, dict):
            return {}
        return {name: child(prefix, name) for name in named}


class _Walker:
    def __init__(self, doc: LoadedDocument, index: DocIndex):
        self.doc = doc
        self.index = index
        self.base = doc.uri

    # ------------------------------------------------------------ schemas
    def schema(
        self,
        node: Any,
        pointer: str,
        base: str,
        parent: SchemaSite | None = None,
        keyword=None,
        key=None,
    ):
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        site = SchemaSite(pointer, node, base, parent, keyword, key)
        self.index.schemas.append(site)
        if isinstance(node.get("$ref"), str):
            self.index.refs.append(RefSite(pointer, node["$ref"], base, True))
        if "example" in node:
            self.index.examples.append(
                ExampleSite(
                    child(pointer, "example"),
                    node["example"],
                    pointer,
                    "schema-example",
                    base_uri=base,
                )
            )
        if isinstance(node.get("examples"), list):
            for i, value in enumerate(node["examples"]):
                self.index.examples.append(
                    ExampleSite(
                        child(child(pointer, "examples"), i),
                        value,
                        pointer,
                        "schema-examples",
                        base_uri=base,
                    )
                )
        for keyword_ in SUBSCHEMA_MAPS:
            value = node.get(keyword_)
            if isinstance(value, dict):
                for name, sub in value.items():
                    self.schema(
                        sub, child(child(pointer, keyword_), name), base, site, keyword_, name
                    )
        for keyword_ in SUBSCHEMA_LISTS:
            value = node.get(keyword_)
            if isinstance(value, list):
                for i, sub in enumerate(value):
                    self.schema(sub, child(child(pointer, keyword_), i), base, site, keyword_, i)
        for keyword_ in SUBSCHEMA_SINGLE:
            value = node.get(keyword_)
            if isinstance(value, dict):
                self.schema(value, child(pointer, keyword_), base, site, keyword_)
            elif keyword_ in ("items", "additionalItems") and isinstance(value, list):
                for i, sub in enumerate(value):
                    self.schema(sub, child(child(pointer, keyword_), i), base, site, keyword_, i)
        dependencies = node.get("dependencies")
        if isinstance(dependencies, dict):
            for name, sub in dependencies.items():
                if isinstance(sub, dict):
                    self.schema(
                        sub,
                        child(child(pointer, "dependencies"), name),
                        base,
                        site,
                        "dependencies",
                        name,
                    )

    # ------------------------------------------------------------ OpenAPI objects
    def is_ref(self, node: Any, pointer: str) -> bool:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            self.index.refs.append(RefSite(pointer, node["$ref"], self.base, False))
            return True
        return False

    def examples_of(self, node: dict, pointer: str, schema_pointer: str | None, kind: str):
        if "example" in node:
            self.index.examples.append(
                ExampleSite(
                    child(pointer, "example"),
                    node["example"],
                    schema_pointer,
                    kind,
                    base_uri=self.base,
                )
            )
        examples = node.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                at = child(child(pointer, "examples"), name)
                if not isinstance(example, dict):
                    continue
                if isinstance(example.get("$ref"), str):
                    self.index.refs.append(RefSite(at, example["$ref"], self.base, False))
                    self.index.examples.append(
                        ExampleSite(
                            at, None, schema_pointer, kind, ref=example["$ref"], base_uri=self.base
                        )
                    )
                elif "value" in example:
                    self.index.examples.append(
                        ExampleSite(
                            child(at, "value"),
                            example["value"],
                            schema_pointer,
                            kind,
                            base_uri=self.base,
                        )
                    )

    def parameter(self, node: Any, pointer: str, kind: str = "parameter"):
        if not isinstance(node, dict) or self.is_ref(node, pointer):
            return
        self.index.holders.append(HolderSite(pointer, node, kind))
        schema_pointer = None
        if isinstance(node.get("schema"), (dict, bool)):
            schema_pointer = child(pointer, "schema")
            self.schema(node["schema"], schema_pointer, self.base)
        self.examples_of(node, pointer, schema_pointer, kind)
        self.content(node.get("content"), child(pointer, "content"))

    def content(self, node: Any, pointer: str):
        if not isinstance(node, dict):
            return
        for media_type, media in node.items():
            at = child(pointer, media_type)
            if not isinstance(media, dict):
                continue
            self.index.holders.append(HolderSite(at, media, "media"))
            schema_pointer = None
            if isinstance(media.get("schema"), (dict, bool)):
                schema_pointer = child(at, "schema")
                self.schema(media["schema"], schema_pointer, self.base)
            self.examples_of(media, at, schema_pointer, "media")
            encoding = media.get("encoding")
            if isinstance(encoding, dict):
                for name, enc in encoding.items():
                    if isinstance(enc, dict):
                        self.headers(
                            enc.get("headers"), child(child(child(at, "encoding"), name), "headers")
                        )

    def headers(self, node: Any, pointer: str):
        if isinstance(node, dict):
            for name, header in node.items():
                self.parameter(header, child(pointer, name), "header")

    def request_body(self, node: Any, pointer: str):
        if isinstance(node, dict) and not self.is_ref(node, pointer):
            self.content(node.get("content"), child(pointer, "content"))

    def response(self, node: Any, pointer: str):
        if isinstance(node, dict) and not self.is_ref(node, pointer):
            self.headers(node.get("headers"), child(pointer, "headers"))
            self.content(node.get("content"), child(pointer, "content"))

    def parameters(self, node: Any, pointer: str):
        if isinstance(node, list):
            for i, parameter in enumerate(node):
                self.parameter(parameter, child(pointer, i))

    def path_item(self, node: Any, pointer: str, path: str, webhook: bool):
        if not isinstance(node, dict):
            return
        self.is_ref(node, pointer)
        self.parameters(node.get("parameters"), child(pointer, "parameters"))
        for method in METHODS:
            operation = node.get(method)
            if not isinstance(operation, dict):
                continue
            at = child(pointer, method)
            self.index.operations.append(
                OperationSite(path, method, at, operation, node, pointer, webhook)
            )
            self.parameters(operation.get("parameters"), child(at, "parameters"))
            self.request_body(operation.get("requestBody"), child(at, "requestBody"))
            responses = operation.get("responses")
            if isinstance(responses, dict):
                for status, response in responses.items():
                    self.response(response, child(child(at, "responses"), status))
            callbacks = operation.get("callbacks")
            if isinstance(callbacks, dict):
                for name, callback in callbacks.items():
                    cat = child(child(at, "callbacks"), name)
                    if isinstance(callback, dict) and not self.is_ref(callback, cat):
                        for expression, item in callback.items():
                            self.path_item(item, child(cat, expression), expression, webhook)

    def openapi(self):
        data = self.doc.data
        paths = data.get("paths")
        if isinstance(paths, dict):
            for path, item in paths.items():
                self.path_item(item, child("/paths", path), path, False)
        webhooks = data.get("webhooks")
        if isinstance(webhooks, dict):
            for name, item in webhooks.items():
                self.path_item(item, child("/webhooks", name), name, True)
        components = data.get("components")
        if not isinstance(components, dict):
            return
        sections = {
            "schemas": lambda n, p: self.schema(n, p, self.base),
            "responses": self.response,
            "parameters": self.parameter,
            "headers": lambda n, p: self.parameter(n, p, "header"),
            "requestBodies": self.request_body,
            "pathItems": lambda n, p: self.path_item(n, p, p.rsplit("/", 1)[-1], False),
            "examples": lambda n, p: self.is_ref(n, p),
            "securitySchemes": lambda n, p: self.is_ref(n, p),
            "links": lambda n, p: self.is_ref(n, p),
            "callbacks": lambda n, p: self.is_ref(n, p),
        }
        for section, visit in sections.items():
            entries = components.get(section)
            if isinstance(entries, dict):
                for name, node in entries.items():
                    visit(node, child(child("/components", section), name))


def document_kind(data: dict) -> tuple[str, str]:
    if "openapi" in data:
        version = str(data.get("openapi"))
        return "openapi", "oas30" if version.startswith("3.0") else "oas31"
    if "swagger" in data:
        return "openapi", "swagger"
    if any(k in data for k in ("$schema", "$defs", "definitions", "type", "properties", "$id")):
        return "jsonschema", "jsonschema"
    return "data", "none"


def index_document(doc: LoadedDocument) -> DocIndex:
    kind, dialect = document_kind(doc.data)
    index = DocIndex(doc, kind, dialect)
    walker = _Walker(doc, index)
    if kind == "openapi":
        walker.openapi()
    elif kind == "jsonschema":
        walker.schema(doc.data, "", doc.uri)
    return index
