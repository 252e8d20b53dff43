"""Find the files to lint or diff, load each once, resolve every ``$ref``.

Layouts (the generator's ``layout.discover`` finds the OpenAPI files; this
module adds the companions that only the upstream repository has):

* ours and ``../shared/acp-spec``: ``ROOT/<version>/openapi.<api>.yaml``
* upstream: ``ROOT/spec/<version>/openapi/openapi.<api>.yaml`` with
  ``ROOT/spec/<version>/json-schema/schema.<api>.json`` and
  ``ROOT/examples/<version>/*.json``
* a single file of any of the three kinds, or a ``json-schema/`` or
  ``examples/<version>/`` folder on its own

One :class:`Workspace` holds every loaded document (by path and by URI),
one ``referencing`` registry over all of them (file URIs, plus the ``$id`` of
JSON Schema bundles), cached lookups and cached validators.  Files that are
referenced but not linted (``../json-schema/schema.cart.json``) are loaded on
first use through the registry's retrieve hook, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin, urlparse
from urllib.request import url2pathname

import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator
from referencing.jsonschema import DRAFT202012

from acpforge.generator.errors import SpecError, SpecLocation, SpecProblem
from acpforge.generator.layout import SPEC_FILE, discover, is_dated_version
from acpforge.generator.load import LoadedDocument, load_document

OPENAPI = "openapi"
JSONSCHEMA = "jsonschema"
EXAMPLES = "examples"

SCHEMA_FILE = re.compile(r"^schema\.(?P<api>[A-Za-z0-9_\-]+)\.json$")
EXAMPLES_FILE = re.compile(r"^examples?\.(?P<api>[A-Za-z0-9_\-]+)\.json$")


class InputError(Exception):
    """The user pointed at something that is not a spec (exit status 2)."""


@dataclass
class SourceFile:
    """One input file, loaded or with the reason it could not be."""

    path: Path
    kind: str
    api: str
    doc: LoadedDocument | None = None
    error: SpecError | None = None


@dataclass
class SpecSet:
    """The files of one API-Version found under one input path."""

    version: str
    folder: Path
    files: list[SourceFile] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[SourceFile]:
        return [f for f in self.files if f.kind == kind]

    def loaded(self, kind: str) -> list[SourceFile]:
        return [f for f in self.files if f.kind == kind and f.doc is not None]


# ---------------------------------------------------------------- discovery


def _api_of(path: Path, kind: str) -> str:
    pattern = {OPENAPI: SPEC_FILE, JSONSCHEMA: SCHEMA_FILE, EXAMPLES: EXAMPLES_FILE}[kind]
    match = pattern.match(path.name)
    if match:
        return match.group("api").replace("-", "_")
    return path.stem.split(".")[-1] if kind != EXAMPLES else ""


def _json_files(folder: Path, pattern: re.Pattern | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix == ".json" and (pattern is None or pattern.match(p.name))
    ]


def companions(folder: Path, version: str) -> tuple[Path | None, Path | None]:
    """The json-schema folder and the examples folder that go with an OpenAPI folder."""
    if folder.name == "openapi":
        spec_dir = folder.parent.parent
        examples = spec_dir.parent / "examples" / version if spec_dir.name == "spec" else None
        return folder.parent / "json-schema", examples
    return folder / "json-schema", folder / "examples"


def _sniff_kind(path: Path, ws: Workspace) -> str | None:
    if SPEC_FILE.match(path.name):
        return OPENAPI
    if SCHEMA_FILE.match(path.name) or path.parent.name == "json-schema":
        return JSONSCHEMA
    if EXAMPLES_FILE.match(path.name) or "examples" in path.parts:
        return EXAMPLES
    if path.suffix not in (".yaml", ".yml", ".json"):
        return None
    doc, _ = ws.try_load(path)
    if doc is None:
        return OPENAPI if path.suffix in (".yaml", ".yml") else None
    if "openapi" in doc.data or "swagger" in doc.data:
        return OPENAPI
    if "$schema" in doc.data or "$defs" in doc.data or "definitions" in doc.data:
        return JSONSCHEMA
    return None


def _version_of_file(path: Path, doc: LoadedDocument | None) -> str:
    parent = path.parent
    if parent.name in ("openapi", "json-schema"):
        parent = parent.parent
    if is_dated_version(parent.name):
        return parent.name
    if doc is not None:
        info = doc.data.get("info")
        if isinstance(info, dict) and isinstance(info.get("version"), str):
            return info["version"]
    return parent.name


def collect(paths: list[Path], ws: Workspace) -> list[SpecSet]:
    """The spec sets under every input path; raises InputError for a path that holds none."""
    sets: list[SpecSet] = []
    seen: set[Path] = set()

    def add(spec_set: SpecSet) -> None:
        fresh = []
        for source in spec_set.files:
            key = source.path.resolve()
            if key in seen:
                continue
            seen.add(key)
            source.doc, source.error = ws.try_load(source.path)
            fresh.append(source)
        if fresh:
            spec_set.files = fresh
            sets.append(spec_set)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_file():
            kind = _sniff_kind(path, ws)
            if kind is None:
                raise InputError(
                    f"{path}: not an OpenAPI document, a JSON Schema bundle or an examples file"
                )
            doc, _ = ws.try_load(path)
            add(
                SpecSet(
                    _version_of_file(path, doc),
                    path.parent,
                    [SourceFile(path, kind, _api_of(path, kind))],
                )
            )
            continue
        try:
            versions = discover(path)
        except SpecError:
            versions = []
        for version in versions:
            files = [SourceFile(p, OPENAPI, api) for api, p in sorted(version.files.items())]
            schema_dir, examples_dir = companions(version.folder, version.version)
            files += [
                SourceFile(p, JSONSCHEMA, _api_of(p, JSONSCHEMA))
                for p in _json_files(schema_dir, SCHEMA_FILE)
            ]
            if examples_dir is not None:
                files += [
                    SourceFile(p, EXAMPLES, _api_of(p, EXAMPLES)) for p in _json_files(examples_dir)
                ]
            add(SpecSet(version.version, version.folder, files))
        if versions:
            continue
        schemas = _json_files(path, SCHEMA_FILE) or (
            _json_files(path) if path.name == "json-schema" else []
        )
        examples = (
            _json_files(path)
            if not schemas and (path.parent.name == "examples" or path.name == "examples")
            else []
        )
        if not schemas and not examples:
            raise InputError(
                f"{path}: no spec files found (expected <version>/openapi.<api>.yaml, "
                "spec/<version>/openapi/openapi.<api>.yaml, json-schema/schema.<api>.json "
                "or examples/<version>/*.json)"
            )
        version = path.parent.name if path.name == "json-schema" else path.name
        files = [SourceFile(p, JSONSCHEMA, _api_of(p, JSONSCHEMA)) for p in schemas]
        files += [SourceFile(p, EXAMPLES, _api_of(p, EXAMPLES)) for p in examples]
        if examples and not schemas:
            # examples/<version>/ of the upstream layout: bring the schemas along
            schema_dir = path.parent.parent / "spec" / version / "json-schema"
            files += [
                SourceFile(p, JSONSCHEMA, _api_of(p, JSONSCHEMA))
                for p in _json_files(schema_dir, SCHEMA_FILE)
            ]
        add(SpecSet(version, path, files))
    return sets


# ---------------------------------------------------------------- resolution


class RefError(Exception):
    """A ``$ref`` that cannot be followed; ``str()`` says why in one line."""

    def __init__(self, reason: str, remote: bool = False):
        super().__init__(reason)
        self.remote = remote


@dataclass(frozen=True)
class Target:
    """Where a ``$ref`` lands: the document (when it is a file we hold), pointer and node."""

    uri: str
    pointer: str
    node: Any
    doc: LoadedDocument | None

    @property
    def ref(self) -> str:
        return f"{self.uri}#{quote(self.pointer, safe='/~')}"


@dataclass(frozen=True)
class Parameter:
    node: dict
    pointer: str
    doc: LoadedDocument | None


def _resource(data: Any) -> referencing.Resource:
    try:
        return referencing.Resource.from_contents(data, default_specification=DRAFT202012)
    except Exception:  # noqa: BLE001 - unknown $schema: still a JSON document we can point into
        return DRAFT202012.create_resource(data)


def path_of_uri(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(url2pathname(unquote(parsed.path)))


class Workspace:
    """Every document of one run, loaded once, and one resolver over all of them."""

    def __init__(self) -> None:
        self._docs: dict[Path, LoadedDocument] = {}
        self._errors: dict[Path, SpecError] = {}
        self._by_uri: dict[str, LoadedDocument] = {}
        self._registry: referencing.Registry | None = None
        self._lookups: dict[tuple[str, str], Target | RefError] = {}
        self._validators: dict[tuple, Any] = {}
        self._indexes: dict[str, Any] = {}
        self._node_locations: dict[int, tuple[LoadedDocument, str]] | None = None

    # loading
    def try_load(self, path: Path) -> tuple[LoadedDocument | None, SpecError | None]:
        key = Path(path).resolve()
        if key in self._docs:
            return self._docs[key], None
        if key in self._errors:
            return None, self._errors[key]
        try:
            doc = load_document(key)
        except SpecError as error:
            self._errors[key] = error
            return None, error
        if doc.path.suffix == ".json":
            _json_lines(doc)
        self._docs[key] = doc
        self._by_uri[doc.uri] = doc
        schema_id = doc.data.get("$id")
        if isinstance(schema_id, str) and "://" in schema_id:
            self._by_uri.setdefault(urldefrag(schema_id)[0], doc)
        self._registry = None
        self._node_locations = None
        return doc, None

    def doc_at(self, uri: str) -> LoadedDocument | None:
        return self._by_uri.get(urldefrag(uri)[0])

    @property
    def documents(self) -> list[LoadedDocument]:
        return list(self._docs.values())

    # resolution
    def _retrieve(self, uri: str) -> referencing.Resource:
        path = path_of_uri(uri)
        if path is None:
            doc = self._by_uri.get(uri) or self._sibling_of_id(uri)
            if doc is None:
                raise RefError(
                    "remote reference: acpforge lint does not fetch the network", remote=True
                )
            return _resource(doc.data)
        doc, error = self.try_load(path)
        if doc is None:
            raise error  # type: ignore[misc]
        return _resource(doc.data)

    def _sibling_of_id(self, uri: str) -> LoadedDocument | None:
        """The file beside a bundle whose ``$id`` shares ``uri``'s base (refs between bundles by ``$id``)."""
        base, name = urljoin(uri, "."), uri.rsplit("/", 1)[-1]
        for doc in list(self._docs.values()):
            schema_id = doc.data.get("$id")
            if name and isinstance(schema_id, str) and urljoin(schema_id, ".") == base:
                sibling, _ = self.try_load(doc.path.parent / name)
                if sibling is not None:
                    self._by_uri.setdefault(uri, sibling)
                    return sibling
        return None

    @property
    def registry(self) -> referencing.Registry:
        if self._registry is None:
            self._registry = referencing.Registry(retrieve=self._retrieve).with_resources(
                (uri, _resource(doc.data)) for uri, doc in self._by_uri.items()
            )
        return self._registry

    def _explain(self, absolute: str, error: Exception) -> RefError:
        uri, fragment = urldefrag(absolute)
        path = path_of_uri(uri)
        if path is None and uri not in self._by_uri and self._sibling_of_id(uri) is None:
            return RefError(
                f"remote reference {absolute} is not loaded (lint does not fetch the network)",
                remote=True,
            )
        if path is not None and not path.exists():
            from .findings import display_path

            return RefError(f"file not found: {display_path(path)}")
        if path is not None and path.resolve() in self._errors:
            problem = self._errors[path.resolve()].problems[0]
            return RefError(f"cannot read {path.name}: {problem.message}")
        doc = self.doc_at(uri)
        fragment = unquote(fragment)
        if doc is not None and fragment.startswith("/"):
            node: Any = doc.data
            walked = ""
            for token in fragment[1:].split("/"):
                key = token.replace("~1", "/").replace("~0", "~")
                if isinstance(node, dict) and key in node:
                    node, walked = node[key], walked + "/" + token
                elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                    node, walked = node[int(key)], walked + "/" + token
                else:
                    where = walked or "the document root"
                    return RefError(f"{doc.path.name} has no '{key}' under {where}")
        if doc is not None and fragment and not fragment.startswith("/"):
            return RefError(f"{doc.path.name} has no anchor '{fragment}'")
        return RefError(
            f"cannot resolve: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        )

    def lookup(self, base_uri: str, ref: str) -> Target:
        """Follow ``ref`` from ``base_uri``; raises RefError with a readable reason."""
        key = (base_uri, ref)
        cached = self._lookups.get(key)
        if cached is None:
            absolute = urljoin(base_uri, ref)
            try:
                resolved = self.registry.resolver(base_uri=base_uri).lookup(ref)
            except Exception as error:  # noqa: BLE001 - referencing raises several kinds; all mean "cannot follow"
                cached = self._explain(absolute, error)
            else:
                uri, fragment = urldefrag(absolute)
                fragment = unquote(fragment)
                doc = self.doc_at(uri)
                pointer = fragment if fragment.startswith("/") or not fragment else ""
                if fragment and not fragment.startswith("/") and doc is not None:
                    found = self.locate(resolved.contents)
                    pointer = found[1] if found else ""
                cached = Target(uri, pointer, resolved.contents, doc)
            self._lookups[key] = cached
        if isinstance(cached, RefError):
            raise cached
        return cached

    def deref(self, base_uri: str, node: Any, limit: int = 32) -> tuple[str, Any, list[Target]]:
        """Follow a chain of ``$ref`` from ``node``: (base uri, final node, targets passed)."""
        chain: list[Target] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and len(chain) < limit:
            target = self.lookup(base_uri, node["$ref"])
            chain.append(target)
            base_uri, node = target.uri, target.node
        return base_uri, node, chain

    # locations of nodes, by identity (for tools that hand back bare nodes)
    def locate(self, node: Any) -> tuple[LoadedDocument, str] | None:
        if self._node_locations is None:
            table: dict[int, tuple[LoadedDocument, str]] = {}
            for doc in self._docs.values():
                stack: list[tuple[Any, str]] = [(doc.data, "")]
                while stack:
                    current, pointer = stack.pop()
                    table.setdefault(id(current), (doc, pointer))
                    if isinstance(current, dict):
                        for key, value in current.items():
                            if isinstance(value, (dict, list)):
                                token = str(key).replace("~", "~0").replace("/", "~1")
                                stack.append((value, f"{pointer}/{token}"))
                    else:
                        for index, value in enumerate(current):
                            if isinstance(value, (dict, list)):
                                stack.append((value, f"{pointer}/{index}"))
            self._node_locations = table
        return self._node_locations.get(id(node))

    # validation
    def validator(self, uri: str, pointer: str, *, formats: bool = False, oas30: bool = False):
        """A cached validator for the schema at ``uri#pointer`` (draft 2020-12, or OAS 3.0)."""
        key = (uri, pointer, formats, oas30)
        validator = self._validators.get(key)
        if validator is None:
            if oas30:
                from openapi_schema_validator import OAS30Validator as cls
            else:
                cls = Draft202012Validator
            schema = {"$ref": f"{uri}#{quote(pointer, safe='/~')}"}
            checker = cls.FORMAT_CHECKER if formats else None
            validator = cls(schema, registry=self.registry, format_checker=checker)
            self._validators[key] = validator
        return validator

    def validator_for_node(self, base_uri: str, node: Any, *, formats: bool = False):
        """A validator for an in-memory schema whose relative refs resolve against ``base_uri``."""
        resolver = self.registry.resolver(base_uri=base_uri)
        checker = Draft202012Validator.FORMAT_CHECKER if formats else None
        return Draft202012Validator(
            node, registry=self.registry, _resolver=resolver, format_checker=checker
        )

    def parameters(
        self,
        doc: LoadedDocument,
        path_item: dict,
        path_item_pointer: str,
        operation: dict,
        operation_pointer: str,
    ) -> dict[tuple[str, str], Parameter]:
        """Path-item and operation parameters by (in, name), references followed; the operation's win.

        Header names are compared case-insensitively (they are keyed in lower
        case); a parameter whose $ref cannot be followed is left out.
        """
        merged: dict[tuple[str, str], Parameter] = {}
        for owner, pointer in ((path_item, path_item_pointer), (operation, operation_pointer)):
            params = owner.get("parameters")
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                at, where = f"{pointer}/parameters/{i}", doc
                if isinstance(param, dict) and "$ref" in param:
                    try:
                        _, param, chain = self.deref(doc.uri, param)
                    except RefError:
                        continue
                    at, where = chain[-1].pointer, chain[-1].doc
                if not isinstance(param, dict):
                    continue
                name, location = param.get("name"), param.get("in")
                if isinstance(name, str) and isinstance(location, str):
                    key = (location, name.lower() if location == "header" else name)
                    merged[key] = Parameter(param, at, where)
        return merged

    def index(self, doc: LoadedDocument):
        from .walk import index_document

        cached = self._indexes.get(doc.uri)
        if cached is None:
            cached = self._indexes[doc.uri] = index_document(doc)
        return cached


def _json_lines(doc: LoadedDocument) -> None:
    """Give a JSON document the line table the loader computes for YAML ones.

    JSON is YAML, so the loader's own line map (``LoadedDocument.lines``,
    computed for a copy that claims a YAML suffix) fits; it is installed
    lazily so that files which never report a finding are not composed.
    """
    from dataclasses import replace

    class _Lazy(dict):
        loaded = False

        def _load(self):
            if not self.loaded:
                self.loaded = True
                try:
                    self.update(replace(doc, path=doc.path.with_suffix(".yaml")).lines)
                except Exception:  # noqa: BLE001, S110 - a JSON construct PyYAML does not read: no lines
                    pass

        def __contains__(self, key):
            self._load()
            return dict.__contains__(self, key)

        def __getitem__(self, key):
            self._load()
            return dict.__getitem__(self, key)

    doc.__dict__["lines"] = _Lazy()


def problem_line(error: SpecError) -> tuple[str, int | None]:
    problem: SpecProblem = error.problems[0]
    location: SpecLocation = problem.location
    return problem.message, location.line
