"""Bundle a spec and the files it references into one self-contained document.

Code generators, Schemathesis and our templates all want one document with
local references only.  Every external ``$ref`` (``other.yaml#/components/
schemas/Order``, ``../json-schema/x.json#/$defs/Cart``) is resolved with
``referencing`` and the target is imported under ``components/schemas``;
the targets' own local references are imported from their document in turn.
A reference that cannot be resolved does not stop generation: it becomes an
unconstrained schema and a warning names the file, line and reference.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse
from urllib.request import url2pathname

import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT202012

from .errors import SpecError, SpecLocation, SpecProblem
from .load import LoadedDocument, load_document, pointer_of

COMPONENT_PREFIXES = ("/components/schemas/", "/$defs/", "/definitions/")


@dataclass
class Bundle:
    """One API's document with every reference local, plus what bundling noticed."""

    api: str
    source: LoadedDocument
    document: dict[str, Any]
    sources: list[LoadedDocument] = field(default_factory=list)
    warnings: list[SpecProblem] = field(default_factory=list)


class _Documents:
    """Spec files by URI, loaded once, as a ``referencing`` registry."""

    def __init__(self, root: LoadedDocument):
        self.loaded: dict[str, LoadedDocument] = {root.uri: root}
        self.registry = referencing.Registry(retrieve=self._retrieve).with_resource(
            root.uri, DRAFT202012.create_resource(root.data)
        )

    def _retrieve(self, uri: str) -> referencing.Resource:
        path = Path(url2pathname(urlparse(uri).path))
        document = load_document(path)
        self.loaded[uri] = document
        return DRAFT202012.create_resource(document.data)

    def lookup(self, base_uri: str, ref: str) -> tuple[str, str, Any]:
        """(document uri, fragment pointer, target) of ``ref`` seen from ``base_uri``."""
        absolute = urljoin(base_uri, ref)
        uri, fragment = urldefrag(absolute)
        resolved = self.registry.resolver(base_uri=base_uri).lookup(ref)
        self.registry = resolved.resolver._registry  # keep what was retrieved
        return uri, fragment, resolved.contents


def _component_name(fragment: str, uri: str) -> str:
    for prefix in COMPONENT_PREFIXES:
        if fragment.startswith(prefix) and "/" not in fragment[len(prefix) :]:
            return fragment[len(prefix) :].replace("~1", "/").replace("~0", "~")
    stem = Path(urlparse(uri).path).name.split(".")
    base = "".join(part.title() for part in stem[1:-1] or stem[:1])
    tail = [t for t in fragment.split("/") if t]
    return base + "".join(t[:1].upper() + t[1:] for t in tail[-1:])


def bundle(api: str, source: LoadedDocument) -> Bundle:
    """Resolve every external reference of ``source`` into its components."""
    documents = _Documents(source)
    document = copy.deepcopy(source.data)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    result = Bundle(api=api, source=source, document=document)
    imported: dict[tuple[str, str], str] = {}  # (uri, fragment) -> local name

    def import_target(uri: str, fragment: str, target: Any, origin: str) -> str:
        key = (uri, fragment)
        if key in imported:
            return imported[key]
        name = base = _component_name(fragment, uri)
        counter = 2
        while name in schemas and schemas[name] != target:
            name = f"{base}{counter}"
            counter += 1
        imported[key] = name
        copied = copy.deepcopy(target)
        schemas[name] = copied
        walk(copied, uri, [f"components", "schemas", name], origin_local=False)
        return name

    def rewrite(node: dict, base_uri: str, path: list, origin_local: bool) -> None:
        ref = node["$ref"]
        if not isinstance(ref, str):
            return
        if ref.startswith("#") and origin_local:
            return
        where = documents.loaded.get(base_uri, source)
        try:
            uri, fragment, target = documents.lookup(base_uri, ref)
        except (referencing.exceptions.Unresolvable, SpecError, OSError) as exc:
            problem = SpecProblem(
                where.location(pointer_of(path)) if origin_local else SpecLocation(where.path),
                f"unresolvable $ref {ref!r} ({type(exc).__name__}); generated as an unconstrained value",
                "unresolvable-ref",
            )
            result.warnings.append(problem)
            node.pop("$ref")
            node.setdefault("description", f"unresolved reference {ref}")
            return
        if uri == source.uri and fragment.startswith("/components/schemas/"):
            node["$ref"] = "#" + fragment
            return
        name = import_target(uri, fragment, target, base_uri)
        node["$ref"] = f"#/components/schemas/{name}"

    def walk(node: Any, base_uri: str, path: list, origin_local: bool) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                rewrite(node, base_uri, path, origin_local)
            for key, value in list(node.items()):
                if key != "$ref":
                    walk(value, base_uri, path + [key], origin_local)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, base_uri, path + [index], origin_local)

    walk(document, source.uri, [], origin_local=True)
    result.sources = sorted(documents.loaded.values(), key=lambda d: str(d.path))
    return result


def local_target(document: dict[str, Any], ref: str) -> Any:
    """Follow a local ``#/...`` reference inside a bundled document."""
    node: Any = document
    for token in ref.lstrip("#").split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def deref(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """``node`` with local references followed (parameters, responses, schemas)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
        node = local_target(document, node["$ref"])
        depth += 1
    return node
