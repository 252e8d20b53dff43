"""Compare two versions of the specs, API by API, operation by operation.

Matching: APIs by name (the part of ``openapi.<api>.yaml``); operations by
method and path with parameter names blanked (``/a/{id}`` matches
``/a/{session_id}``), webhooks by name; parameters by location and name
(headers case-insensitively); responses by status code, an explicit status
against the range (``4XX``) or ``default`` that covers it when only one side
has it; media types by name.

Schemas are compared resolved: ``$ref`` chains are followed on both sides
and ``allOf`` compositions are flattened into one view (properties,
required, types, enum, constraints, closedness), so a schema moved into a
component or split into an allOf of parts is not a change.  Changes inside
a named component are reported once, at the component
(``#/components/schemas/Address/properties/line_two``), with the operations
that reach it; a component met again is not walked twice, and recursive
schemas terminate.  Each change names the rule of :mod:`.rules` that
classified it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from acpforge.generator.layout import is_dated_version
from acpforge.generator.load import LoadedDocument, escape_pointer_token, pointer_of

from ..findings import display_path
from ..sources import OPENAPI, InputError, RefError, Workspace, collect
from ..walk import METHODS
from .rules import RULES

OPEN_ENUM = re.compile(
    r"(accept|tolerate|handle|ignore)s?\b[^.]{0,40}\b(unknown|unrecognized|unrecognised|new|additional|future|unexpected)\b"
    r"|extensible|open enum|non-exhaustive|not exhaustive|may (add|grow|gain)",
    re.IGNORECASE,
)
MAX_KEYWORDS = (
    "maxLength",
    "maxItems",
    "maxProperties",
    "maximum",
    "exclusiveMaximum",
    "maxContains",
)
MIN_KEYWORDS = (
    "minLength",
    "minItems",
    "minProperties",
    "minimum",
    "exclusiveMinimum",
    "minContains",
)
EXACT_KEYWORDS = ("pattern", "format", "multipleOf")
ANNOTATIONS = {
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "$comment",
    "xml",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "discriminator",
}


@dataclass
class Change:
    api: str
    kind: str
    pointer: str
    description: str
    rule: str
    direction: str
    operations: set[str] = field(default_factory=set)
    old_node: Any = None
    new_node: Any = None
    old_location: str | None = None
    new_location: str | None = None

    @property
    def breaking_client(self) -> bool:
        return RULES[self.rule].breaking_client

    @property
    def breaking_server(self) -> bool:
        return RULES[self.rule].breaking_server

    @property
    def breaking(self) -> bool:
        return self.breaking_client or self.breaking_server

    def to_dict(self) -> dict:
        return {
            "api": self.api,
            "kind": self.kind,
            "pointer": self.pointer,
            "description": self.description,
            "breaking_client": self.breaking_client,
            "breaking_server": self.breaking_server,
            "rule": self.rule,
            "direction": self.direction,
            "operations": sorted(self.operations),
            "old_location": self.old_location,
            "new_location": self.new_location,
        }


@dataclass
class Side:
    path: Path
    version: str
    apis: dict[str, LoadedDocument]
    problems: list[str]
    broken: set[str] = field(default_factory=set)


@dataclass
class DiffOptions:
    tolerant_clients: bool = False
    apis: tuple[str, ...] = ()


@dataclass
class DiffResult:
    old: Side
    new: Side
    changes: list[Change]
    renames: list[tuple[str, str, str]]  # (api, old name, new name)
    problems: list[str]

    def breaking(self, who: str = "any") -> list[Change]:
        if who == "client":
            return [c for c in self.changes if c.breaking_client]
        if who == "server":
            return [c for c in self.changes if c.breaking_server]
        return [c for c in self.changes if c.breaking]


def load_side(path: Path, ws: Workspace) -> Side:
    """The OpenAPI files of one version (a version folder, a layout root holding one version, or a file)."""
    sets = collect([Path(path)], ws)
    versions = sorted({s.version for s in sets if s.of_kind(OPENAPI)})
    if len(versions) > 1:
        raise InputError(
            f"{path}: holds several versions ({', '.join(versions)}); pass one version's folder or file"
        )
    apis: dict[str, LoadedDocument] = {}
    problems: list[str] = []
    broken: set[str] = set()
    for spec_set in sets:
        for source in spec_set.of_kind(OPENAPI):
            if source.doc is not None:
                apis[source.api] = source.doc
            else:
                broken.add(source.api)
                problem = source.error.problems[0] if source.error else None
                problems.append(
                    f"{display_path(source.path)}: cannot be read ({problem.message if problem else 'error'}); "
                    f"API {source.api} not compared"
                )
    if not apis and not problems:
        raise InputError(f"{path}: no OpenAPI files")
    version = versions[0] if versions else ""
    if not is_dated_version(version):  # a folder named old/ or new/: say what the files say
        declared = {
            str(d.data.get("info", {}).get("version"))
            for d in apis.values()
            if isinstance(d.data.get("info"), dict)
        }
        if len(declared) == 1:
            version = declared.pop()
    return Side(Path(path), version, apis, problems, broken)


# --------------------------------------------------------------------- views


@dataclass
class View:
    """A schema with its $refs followed and its allOf parts merged."""

    base: str
    node: Any
    types: frozenset | None = None
    enum: list | None = None
    has_const: bool = False
    const: Any = None
    props: dict[str, tuple[str, Any, tuple[str, str] | None]] = field(
        default_factory=dict
    )  # base, node, owner
    required: set[str] = field(default_factory=set)
    closed: bool = False
    additional: tuple[str, Any] | None = None
    items: tuple[str, Any] | None = None
    branches: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    constraints: dict[str, Any] = field(default_factory=dict)
    deprecated: bool = False
    open_enum: bool = False
    boolean: bool | None = None
    objectish: bool = False


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class ApiDiff:
    def __init__(
        self,
        ws: Workspace,
        api: str,
        old: LoadedDocument,
        new: LoadedDocument,
        options: DiffOptions,
    ):
        self.ws, self.api, self.old, self.new, self.options = ws, api, old, new, options
        self.changes: dict[tuple, Change] = {}
        self.memo: dict[tuple, set] = {}
        self.active: set[tuple] = set()
        self.collectors: list[set] = []
        self.seen_pairs: dict[tuple[str, str], int] = {}
        self._views: dict[tuple[int, str], View] = {}
        self._anchors: dict[int, str] = {}
        self._oas30 = {
            doc.uri: str(doc.data.get("openapi", "")).startswith("3.0") for doc in (old, new)
        }

    # ----------------------------------------------------------- reporting
    def emit(
        self,
        rule: str,
        kind: str,
        pointer: str,
        description: str,
        direction: str,
        operation: str | None,
        old_node: Any = None,
        new_node: Any = None,
    ) -> None:
        if rule not in RULES:  # pragma: no cover - programming error
            raise KeyError(rule)
        key = (rule, pointer, description)
        change = self.changes.get(key)
        if change is None:
            change = self.changes[key] = Change(
                self.api,
                kind,
                pointer,
                description,
                rule,
                direction,
                old_node=old_node,
                new_node=new_node,
            )
        if operation:
            change.operations.add(operation)
        for collector in self.collectors:
            collector.add(key)

    # ----------------------------------------------------------- resolution
    def deref(self, base: str, node: Any) -> tuple[str, Any, str | None] | None:
        """(base, node, component name of the last $ref target or None); None if unresolvable."""
        try:
            base, node, chain = self.ws.deref(base, node)
        except RefError:
            return None
        name = None
        if chain:
            pointer = chain[-1].pointer
            for prefix in ("/components/schemas/", "/$defs/", "/definitions/"):
                if pointer.startswith(prefix) and "/" not in pointer[len(prefix) :]:
                    name = pointer[len(prefix) :].replace("~1", "/").replace("~0", "~")
                    self._anchors[id(node)] = self._anchor_of(chain[-1].uri, pointer)
        return base, node, name

    def _anchor_of(self, uri: str, pointer: str) -> str:
        """A component's pointer, prefixed with its file when it lives outside the compared API files."""
        if uri in (self.old.uri, self.new.uri):
            return pointer
        return f"{uri.rsplit('/', 1)[-1]}#{pointer}"

    def anchor(self, node: Any, name: str) -> str:
        return self._anchors.get(id(node)) or pointer_of(["components", "schemas", name])

    def view(self, base: str, node: Any) -> View:
        key = (id(node), base)
        cached = self._views.get(key)
        if cached is None:
            cached = self._views[key] = self._build_view(base, node)
        return cached

    def _build_view(self, base: str, node: Any) -> View:
        if isinstance(node, bool):
            return View(base, node, boolean=node)
        view = View(base, node)
        parts: list[tuple[str, dict, tuple[str, str] | None]] = []
        stack: list[tuple[str, Any, int, tuple[str, str] | None]] = [(base, node, 0, None)]
        seen: set[int] = set()
        while stack:
            part_base, part, depth, owner = stack.pop(0)
            if not isinstance(part, dict) or id(part) in seen or depth > 16:
                continue
            seen.add(id(part))
            parts.append((part_base, part, owner))
            for branch in part.get("allOf") if isinstance(part.get("allOf"), list) else []:
                resolved = self.deref(part_base, branch)
                if resolved is not None:
                    branch_owner = (
                        (self.anchor(resolved[1], resolved[2]), resolved[2])
                        if resolved[2]
                        else owner
                    )
                    stack.append((resolved[0], resolved[1], depth + 1, branch_owner))
        for part_base, part, owner in parts:
            types = part.get("type")
            if types is not None:
                found = frozenset(types if isinstance(types, list) else [types])
                if part.get("nullable") is True and self._oas30.get(part_base.split("#")[0], False):
                    found |= {"null"}
                view.types = found if view.types is None else view.types & found
            if isinstance(part.get("enum"), list) and view.enum is None:
                view.enum = part["enum"]
                view.open_enum = bool(OPEN_ENUM.search(str(part.get("description", "")))) or any(
                    part.get(k) for k in ("x-extensible-enum", "x-open-enum", "x-enum-open")
                )
            if "const" in part and not view.has_const:
                view.has_const, view.const = True, part["const"]
            if isinstance(part.get("properties"), dict):
                view.objectish = True
                for name, prop in part["properties"].items():
                    view.props.setdefault(name, (part_base, prop, owner))
            if isinstance(part.get("required"), list):
                view.required |= {r for r in part["required"] if isinstance(r, str)}
            if (
                part.get("additionalProperties") is False
                or part.get("unevaluatedProperties") is False
            ):
                view.closed = True
            if isinstance(part.get("additionalProperties"), dict) and view.additional is None:
                view.additional = (part_base, part["additionalProperties"])
            if isinstance(part.get("items"), (dict, bool)) and view.items is None:
                view.items = (part_base, part["items"])
            for keyword in ("oneOf", "anyOf"):
                if isinstance(part.get(keyword), list) and keyword not in view.branches:
                    view.branches[keyword] = [(part_base, b) for b in part[keyword]]
            for keyword in (*MAX_KEYWORDS, *MIN_KEYWORDS, *EXACT_KEYWORDS, "uniqueItems"):
                if keyword not in part or keyword in view.constraints:
                    continue
                value = part[keyword]
                if (
                    keyword == "uniqueItems"
                    or (keyword in EXACT_KEYWORDS and isinstance(value, (str, int, float)))
                    or (isinstance(value, (int, float)) and not isinstance(value, bool))
                ):
                    view.constraints[keyword] = value
            if part.get("deprecated") is True:
                view.deprecated = True
        if view.types and "object" in view.types:
            view.objectish = True
        return view

    # ----------------------------------------------------------- schemas
    def compare(self, old: tuple[str, Any], new: tuple[str, Any], walk: Walk) -> None:
        od, nd = self.deref(*old), self.deref(*new)
        if od is None or nd is None:
            return  # lint's ref-unresolved reports it
        obase, onode, oname = od
        nbase, nnode, nname = nd
        if nname and oname:  # both sides are (possibly renamed) components: report at the component
            walk = walk.rebase(self.anchor(nnode, nname), nname)
        if oname and nname and oname != nname:
            self.seen_pairs[(oname, nname)] = self.seen_pairs.get((oname, nname), 0) + 1
        key = (id(onode), id(nnode), walk.direction, walk.pointer())
        if key in self.memo:
            for change_key in self.memo[key]:
                self.changes[change_key].operations.add(walk.operation)
                for collector in self.collectors:
                    collector.add(change_key)
            return
        if key in self.active:
            return
        self.active.add(key)
        collected: set = set()
        self.collectors.append(collected)
        try:
            self._compare_views(self.view(obase, onode), self.view(nbase, nnode), walk)
        finally:
            self.collectors.pop()
            self.active.discard(key)
            self.memo[key] = collected

    def _effect_rule(self, walk: Walk, aspect: str, effect: str) -> str:
        return f"{walk.direction}.{aspect}.{effect}"

    def _compare_views(self, o: View, n: View, walk: Walk) -> None:
        d, label = walk.direction, walk.label
        here = walk.pointer()
        if o.boolean is not None or n.boolean is not None:
            ob = True if o.boolean is None and o.node == {} else o.boolean
            nb = True if n.boolean is None and n.node == {} else n.boolean
            if ob != nb:
                effect = "widened" if nb is True else "narrowed" if nb is False else "changed"
                self.emit(
                    self._effect_rule(walk, "schema", effect),
                    "schema-changed",
                    here,
                    f"{label}: schema {_fmt_bool(o)} -> {_fmt_bool(n)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
            return
        # type
        effect = _type_effect(o.types, n.types)
        if effect:
            self.emit(
                self._effect_rule(walk, "type", effect),
                "type-changed",
                here,
                f"{label}: type {_fmt_types(o.types)} -> {_fmt_types(n.types)}",
                d,
                walk.operation,
                o.node,
                n.node,
            )
            if (
                o.types is not None
                and n.types is not None
                and not (_expand(o.types) & _expand(n.types))
            ):
                return  # a different kind of value altogether: its details are not changes of the old one
        # enum
        self._compare_enum(o, n, walk)
        # const
        if o.has_const or n.has_const:
            if o.has_const and n.has_const and _canon(o.const) != _canon(n.const):
                self.emit(
                    self._effect_rule(walk, "const", "changed"),
                    "const-changed",
                    here,
                    f"{label}: const {_short(o.const)} -> {_short(n.const)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
            elif n.has_const and not o.has_const:
                self.emit(
                    self._effect_rule(walk, "const", "narrowed"),
                    "const-added",
                    here,
                    f"{label}: now the constant {_short(n.const)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
            elif o.has_const and not n.has_const:
                self.emit(
                    self._effect_rule(walk, "const", "widened"),
                    "const-removed",
                    here,
                    f"{label}: no longer the constant {_short(o.const)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
        # constraints
        self._compare_constraints(o, n, walk)
        # objects
        if o.objectish or n.objectish:
            self._compare_objects(o, n, walk)
        if o.additional and n.additional:
            self.compare(o.additional, n.additional, walk.child(["additionalProperties"], "{}"))
        if o.items is not None and n.items is not None:
            self.compare(o.items, n.items, walk.child(["items"], "[]"))
        for keyword in ("oneOf", "anyOf"):
            if keyword in o.branches or keyword in n.branches:
                self._compare_branches(
                    keyword, o.branches.get(keyword, []), n.branches.get(keyword, []), walk
                )
        if n.deprecated and not o.deprecated:
            self.emit(
                "deprecated",
                "deprecated",
                here,
                f"{label}: deprecated",
                d,
                walk.operation,
                o.node,
                n.node,
            )

    def _compare_enum(self, o: View, n: View, walk: Walk) -> None:
        d, label, here = walk.direction, walk.label, walk.pointer()
        lenient = ""
        if d == "response":
            lenient = (
                ".open" if o.open_enum else ".tolerant" if self.options.tolerant_clients else ""
            )
        if o.enum is not None and n.enum is not None:
            old_values = {_canon(v): v for v in o.enum}
            new_values = {_canon(v): v for v in n.enum}
            added = [new_values[k] for k in new_values if k not in old_values]
            removed = [old_values[k] for k in old_values if k not in new_values]
            if added:
                self.emit(
                    f"{d}.enum.widened{lenient}",
                    "enum-value-added",
                    here,
                    f"{label}: enum values added: {_values(added)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
            if removed:
                self.emit(
                    f"{d}.enum.narrowed",
                    "enum-value-removed",
                    here,
                    f"{label}: enum values removed: {_values(removed)}",
                    d,
                    walk.operation,
                    o.node,
                    n.node,
                )
        elif n.enum is not None:
            self.emit(
                f"{d}.enum.narrowed",
                "enum-added",
                here,
                f"{label}: now restricted to {_values(n.enum)}",
                d,
                walk.operation,
                o.node,
                n.node,
            )
        elif o.enum is not None:
            self.emit(
                f"{d}.enum.widened{lenient}",
                "enum-removed",
                here,
                f"{label}: no longer restricted to {_values(o.enum)}",
                d,
                walk.operation,
                o.node,
                n.node,
            )

    def _compare_constraints(self, o: View, n: View, walk: Walk) -> None:
        d, label, here = walk.direction, walk.label, walk.pointer()
        for keyword in sorted(set(o.constraints) | set(n.constraints)):
            before, after = o.constraints.get(keyword), n.constraints.get(keyword)
            if _canon(before) == _canon(after):
                continue
            if keyword in MAX_KEYWORDS:
                effect = (
                    "narrowed"
                    if before is None or (after is not None and after < before)
                    else "widened"
                )
            elif keyword in MIN_KEYWORDS:
                effect = (
                    "narrowed"
                    if before is None or (after is not None and after > before)
                    else "widened"
                )
            elif (
                keyword == "multipleOf"
                and before
                and after
                and isinstance(before, (int, float))
                and isinstance(after, (int, float))
            ):
                effect = (
                    "narrowed"
                    if (after / before).is_integer()
                    else "widened"
                    if (before / after).is_integer()
                    else "changed"
                )
            elif keyword == "uniqueItems":
                effect = "narrowed" if after else "widened"
            else:
                effect = "narrowed" if before is None else "widened" if after is None else "changed"
            self.emit(
                self._effect_rule(walk, "constraint", effect),
                "constraint-changed",
                here,
                f"{label}: {keyword} {_short(before) if before is not None else 'none'} -> "
                f"{_short(after) if after is not None else 'none'}",
                d,
                walk.operation,
                o.node,
                n.node,
            )

    def _compare_objects(self, o: View, n: View, walk: Walk) -> None:
        d, label, here = walk.direction, walk.label, walk.pointer()
        strict = not (d == "response" and self.options.tolerant_clients)
        if o.closed != n.closed and (o.props or n.props):
            effect = "narrowed" if n.closed else "widened"
            what = "now forbids" if n.closed else "now allows"
            self.emit(
                self._effect_rule(walk, "additional-properties", effect),
                "additional-properties-changed",
                here,
                f"{label}: {what} properties it does not declare",
                d,
                walk.operation,
                o.node,
                n.node,
            )

        def at(name: str, *views: View) -> Walk:
            """The walk of property ``name``, anchored at the component that declares it (allOf parts)."""
            for view in views:
                if name in view.props and view.props[name][2] is not None:
                    pointer, owner = view.props[name][2]
                    return walk.rebase(pointer, owner).child(["properties", name], name)
            return walk.child(["properties", name], name)

        for name in sorted(set(n.props) - set(o.props)):
            required = "required" if name in n.required else "optional"
            closed = ".closed" if o.closed and strict else ""
            sub = at(name, n)
            self.emit(
                f"{d}.property-added.{required}{closed}",
                "property-added",
                sub.pointer(),
                f"{sub.label}: {required} property added",
                d,
                walk.operation,
                None,
                n.props[name][1],
            )
        for name in sorted(set(o.props) - set(n.props)):
            closed = ".closed" if d == "response" and n.closed and strict else ""
            sub = at(name, o)
            self.emit(
                f"{d}.property-removed{closed}",
                "property-removed",
                sub.pointer(),
                f"{sub.label}: property removed",
                d,
                walk.operation,
                o.props[name][1],
                None,
            )
        for name in sorted(set(o.props) & set(n.props)):
            sub = at(name, n, o)
            was, now = name in o.required, name in n.required
            if was != now:
                rule = f"{d}.property-now-{'required' if now else 'optional'}"
                self.emit(
                    rule,
                    "required-changed",
                    sub.pointer(),
                    f"{sub.label}: {'optional -> required' if now else 'required -> optional'}",
                    d,
                    walk.operation,
                    o.props[name][1],
                    n.props[name][1],
                )
            self.compare(o.props[name][:2], n.props[name][:2], sub)

    def _branch_key(self, base: str, node: Any) -> tuple | None:
        resolved = self.deref(base, node)
        if resolved is None:
            return None
        base, node, name = resolved
        if name:
            return ("ref", name)
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for prop, schema in sorted(props.items()):
                    if isinstance(schema, dict) and "const" in schema:
                        return ("const", prop, _canon(schema["const"]))
            if "const" in node:
                return ("value", _canon(node["const"]))
            if isinstance(node.get("type"), str):
                return ("type", node["type"], _canon(sorted(node.get("required", []) or [])))
        return None

    def _compare_branches(self, keyword: str, old: list, new: list, walk: Walk) -> None:
        d, label = walk.direction, walk.label
        old_keys = [self._branch_key(*b) for b in old]
        new_keys = [self._branch_key(*b) for b in new]
        pairs: list[tuple[int, int]] = []
        used_old: set[int] = set()
        used_new: set[int] = set()
        for j, key in enumerate(new_keys):
            if key is None:
                continue
            for i, other in enumerate(old_keys):
                if i not in used_old and other == key:
                    pairs.append((i, j))
                    used_old.add(i)
                    used_new.add(j)
                    break
        rest_old = [i for i in range(len(old)) if i not in used_old]
        rest_new = [j for j in range(len(new)) if j not in used_new]
        # a renamed branch component keeps its place: pair leftovers that are both references
        for i, j in zip(list(rest_old), list(rest_new)):
            if (old_keys[i] is None and new_keys[j] is None) or (
                old_keys[i] and new_keys[j] and old_keys[i][0] == new_keys[j][0] == "ref"
            ):
                pairs.append((i, j))
                rest_old.remove(i)
                rest_new.remove(j)
        for i, j in sorted(pairs, key=lambda p: p[1]):
            self.compare(old[i], new[j], walk.child([keyword, j], f"<{keyword} {j}>"))
        for j in rest_new:
            self.emit(
                self._effect_rule(walk, "branch", "widened"),
                "branch-added",
                walk.child([keyword, j], "").pointer(),
                f"{label}: {keyword} alternative {_branch_name(new_keys[j], j)} added",
                d,
                walk.operation,
                None,
                new[j][1],
            )
        for i in rest_old:
            self.emit(
                self._effect_rule(walk, "branch", "narrowed"),
                "branch-removed",
                walk.child([keyword, i], "").pointer(),
                f"{label}: {keyword} alternative {_branch_name(old_keys[i], i)} removed",
                d,
                walk.operation,
                old[i][1],
                None,
            )

    # ----------------------------------------------------------- operations
    def operations(
        self, doc: LoadedDocument
    ) -> dict[tuple[str, str], tuple[str, str, str, dict, dict, str]]:
        """(method, matched path) -> (path, method, pointer, operation, path item, path item pointer)."""
        found = {}
        data = doc.data
        for section in ("paths", "webhooks"):
            items = data.get(section)
            if not isinstance(items, dict):
                continue
            for path, item in items.items():
                item_pointer = pointer_of([section, path])
                if isinstance(item, dict) and "$ref" in item:
                    resolved = self.deref(doc.uri, item)
                    item = resolved[1] if resolved else None
                if not isinstance(item, dict):
                    continue
                for method in METHODS:
                    op = item.get(method)
                    if isinstance(op, dict):
                        key_path = (
                            re.sub(r"\{[^}]*\}", "{}", path)
                            if section == "paths"
                            else f"webhook:{path}"
                        )
                        found[(method, key_path)] = (
                            path,
                            method,
                            f"{item_pointer}/{method}",
                            op,
                            item,
                            item_pointer,
                        )
        return found

    def run(self) -> None:
        old_ops, new_ops = self.operations(self.old), self.operations(self.new)
        for key in sorted(set(new_ops) - set(old_ops)):
            path, method, pointer, op, *_ = new_ops[key]
            label = _op_label(method, path, op)
            self.emit(
                "operation-added",
                "operation-added",
                pointer,
                f"{label}: operation added",
                "operation",
                label,
                None,
                op,
            )
        for key in sorted(set(old_ops) - set(new_ops)):
            path, method, pointer, op, *_ = old_ops[key]
            label = _op_label(method, path, op)
            self.emit(
                "operation-removed",
                "operation-removed",
                pointer,
                f"{label}: operation removed",
                "operation",
                label,
                op,
                None,
            )
        for key in sorted(set(old_ops) & set(new_ops)):
            self.compare_operation(old_ops[key], new_ops[key])

    def compare_operation(self, old, new) -> None:
        opath, _, opointer, oop, oitem, oitem_pointer = old
        npath, method, npointer, nop, nitem, nitem_pointer = new
        label = _op_label(method, npath, nop)
        if nop.get("deprecated") is True and oop.get("deprecated") is not True:
            self.emit(
                "deprecated",
                "deprecated",
                npointer,
                f"{label}: operation deprecated",
                "operation",
                label,
                oop,
                nop,
            )
        self.compare_parameters(
            _positional(self.ws.parameters(self.old, oitem, oitem_pointer, oop, opointer), opath),
            _positional(self.ws.parameters(self.new, nitem, nitem_pointer, nop, npointer), npath),
            label,
            npointer,
        )
        self.compare_request_body(oop.get("requestBody"), nop.get("requestBody"), label, npointer)
        self.compare_responses(
            oop.get("responses") or {}, nop.get("responses") or {}, label, npointer
        )

    def compare_parameters(self, old: dict, new: dict, label: str, op_pointer: str) -> None:
        for key in sorted(set(old) | set(new)):
            where, name = key
            if where == "header" and name in ("content-type", "accept", "authorization"):
                continue  # OpenAPI ignores these header parameters
            o, n = old.get(key), new.get(key)
            shown = (n or o).node.get("name", name)
            pointer = f"{op_pointer}/parameters/{escape_pointer_token(where)}:{escape_pointer_token(shown)}"
            title = f"{label}: {where} parameter {shown}"
            if o is None:
                required = (
                    "required" if n.node.get("required") is True or where == "path" else "optional"
                )
                self.emit(
                    f"request.parameter-added.{required}",
                    "parameter-added",
                    pointer,
                    f"{title} added ({required})",
                    "request",
                    label,
                    None,
                    n.node,
                )
                continue
            if n is None:
                required = (
                    "required" if o.node.get("required") is True or where == "path" else "optional"
                )
                self.emit(
                    f"request.parameter-removed.{required}",
                    "parameter-removed",
                    pointer,
                    f"{title} removed",
                    "request",
                    label,
                    o.node,
                    None,
                )
                continue
            was, now = o.node.get("required") is True, n.node.get("required") is True
            if was != now:
                self.emit(
                    f"request.parameter-now-{'required' if now else 'optional'}",
                    "parameter-required-changed",
                    pointer,
                    f"{title}: {'optional -> required' if now else 'required -> optional'}",
                    "request",
                    label,
                    o.node,
                    n.node,
                )
            if "schema" in o.node and "schema" in n.node:
                walk = Walk(
                    "request", label, pointer + "/schema", f"{label} {where} parameter {shown}"
                )
                self.compare(
                    (self.old.uri, o.node["schema"]), (self.new.uri, n.node["schema"]), walk
                )

    def _resolved(self, doc: LoadedDocument, node: Any) -> tuple[str, Any] | None:
        if node is None:
            return None
        resolved = self.deref(doc.uri, node)
        return (resolved[0], resolved[1]) if resolved else None

    def compare_request_body(self, old: Any, new: Any, label: str, op_pointer: str) -> None:
        pointer = f"{op_pointer}/requestBody"
        o, n = self._resolved(self.old, old), self._resolved(self.new, new)
        if o is None and n is None:
            return
        if o is None:
            required = "required" if n[1].get("required") is True else "optional"
            self.emit(
                f"request.body-added.{required}",
                "request-body-added",
                pointer,
                f"{label}: request body added ({required})",
                "request",
                label,
                None,
                n[1],
            )
            return
        if n is None:
            self.emit(
                "request.body-removed",
                "request-body-removed",
                pointer,
                f"{label}: request body removed",
                "request",
                label,
                o[1],
                None,
            )
            return
        was, now = o[1].get("required") is True, n[1].get("required") is True
        if was != now:
            self.emit(
                f"request.body-now-{'required' if now else 'optional'}",
                "request-body-required-changed",
                pointer,
                f"{label}: request body {'optional -> required' if now else 'required -> optional'}",
                "request",
                label,
                o[1],
                n[1],
            )
        self.compare_content(o, n, "request", label, pointer, f"{label} request body")

    def compare_content(
        self, old: tuple, new: tuple, direction: str, label: str, pointer: str, title: str
    ) -> None:
        (obase, onode), (nbase, nnode) = old, new
        ocontent = onode.get("content") if isinstance(onode.get("content"), dict) else {}
        ncontent = nnode.get("content") if isinstance(nnode.get("content"), dict) else {}
        for media in sorted(set(ncontent) - set(ocontent)):
            self.emit(
                f"{direction}.media-type-added",
                "media-type-added",
                f"{pointer}/content/{escape_pointer_token(media)}",
                f"{title}: media type {media} added",
                direction,
                label,
                None,
                ncontent[media],
            )
        for media in sorted(set(ocontent) - set(ncontent)):
            self.emit(
                f"{direction}.media-type-removed",
                "media-type-removed",
                f"{pointer}/content/{escape_pointer_token(media)}",
                f"{title}: media type {media} removed",
                direction,
                label,
                ocontent[media],
                None,
            )
        for media in sorted(set(ocontent) & set(ncontent)):
            om, nm = ocontent[media], ncontent[media]
            if isinstance(om, dict) and isinstance(nm, dict) and "schema" in om and "schema" in nm:
                walk = Walk(
                    direction,
                    label,
                    f"{pointer}/content/{escape_pointer_token(media)}/schema",
                    title,
                )
                self.compare((obase, om["schema"]), (nbase, nm["schema"]), walk)

    def compare_responses(self, old: dict, new: dict, label: str, op_pointer: str) -> None:
        old = {str(k).upper(): v for k, v in old.items()}
        new = {str(k).upper(): v for k, v in new.items()}
        for status in sorted(set(new) - set(old)):
            pointer = f"{op_pointer}/responses/{status}"
            cover = _covering(status, old)
            if cover:
                self.emit(
                    "response.status-added.covered",
                    "status-added",
                    pointer,
                    f"{label}: response {status} added (was covered by {cover})",
                    "response",
                    label,
                    None,
                    new[status],
                )
                self.compare_response(old[cover], new[status], label, pointer, status)
            else:
                self.emit(
                    "response.status-added",
                    "status-added",
                    pointer,
                    f"{label}: response {status} added",
                    "response",
                    label,
                    None,
                    new[status],
                )
        for status in sorted(set(old) - set(new)):
            pointer = f"{op_pointer}/responses/{status}"
            cover = _covering(status, new)
            if cover:
                self.emit(
                    "response.status-removed.covered",
                    "status-removed",
                    pointer,
                    f"{label}: response {status} removed (still covered by {cover})",
                    "response",
                    label,
                    old[status],
                    None,
                )
                self.compare_response(
                    old[status], new[cover], label, f"{op_pointer}/responses/{cover}", cover
                )
            else:
                self.emit(
                    "response.status-removed",
                    "status-removed",
                    pointer,
                    f"{label}: response {status} removed",
                    "response",
                    label,
                    old[status],
                    None,
                )
        for status in sorted(set(old) & set(new)):
            self.compare_response(
                old[status], new[status], label, f"{op_pointer}/responses/{status}", status
            )

    def compare_response(self, old: Any, new: Any, label: str, pointer: str, status: str) -> None:
        o, n = self._resolved(self.old, old), self._resolved(self.new, new)
        if o is None or n is None or not isinstance(o[1], dict) or not isinstance(n[1], dict):
            return
        title = f"{label} response {status}"
        oh = (
            {str(k).lower(): v for k, v in (o[1].get("headers") or {}).items()}
            if isinstance(o[1].get("headers"), dict)
            else {}
        )
        nh = (
            {str(k).lower(): v for k, v in (n[1].get("headers") or {}).items()}
            if isinstance(n[1].get("headers"), dict)
            else {}
        )
        for name in sorted(set(oh) | set(nh)):
            if name == "content-type":
                continue
            ohd = self._resolved(self.old, oh.get(name)) if name in oh else None
            nhd = self._resolved(self.new, nh.get(name)) if name in nh else None
            names = [*(n[1].get("headers") or {}), *(o[1].get("headers") or {})]
            shown = next((k for k in names if str(k).lower() == name), name)
            here = f"{pointer}/headers/{escape_pointer_token(shown)}"
            if ohd is None and nhd is None:
                continue
            if ohd is None:
                required = (
                    "required"
                    if isinstance(nhd[1], dict) and nhd[1].get("required") is True
                    else "optional"
                )
                self.emit(
                    f"response.header-added.{required}",
                    "header-added",
                    here,
                    f"{title}: header {shown} added ({required})",
                    "response",
                    label,
                    None,
                    nhd[1],
                )
                continue
            if nhd is None:
                self.emit(
                    "response.header-removed",
                    "header-removed",
                    here,
                    f"{title}: header {shown} removed",
                    "response",
                    label,
                    ohd[1],
                    None,
                )
                continue
            was = isinstance(ohd[1], dict) and ohd[1].get("required") is True
            now = isinstance(nhd[1], dict) and nhd[1].get("required") is True
            if was != now:
                self.emit(
                    f"response.header-now-{'required' if now else 'optional'}",
                    "header-required-changed",
                    here,
                    f"{title}: header {shown} {'optional -> required' if now else 'required -> optional'}",
                    "response",
                    label,
                    ohd[1],
                    nhd[1],
                )
            if (
                isinstance(ohd[1], dict)
                and isinstance(nhd[1], dict)
                and "schema" in ohd[1]
                and "schema" in nhd[1]
            ):
                self.compare(
                    (ohd[0], ohd[1]["schema"]),
                    (nhd[0], nhd[1]["schema"]),
                    Walk("response", label, here + "/schema", f"{title} header {shown}"),
                )
        self.compare_content(o, n, "response", label, pointer, title)

    # ----------------------------------------------------------- components
    def components(self, renamed: list[tuple[str, str, str]]) -> None:
        old_names = _component_names(self.old)
        new_names = _component_names(self.new)
        removed = sorted(set(old_names) - set(new_names))
        added = sorted(set(new_names) - set(old_names))
        mapping: dict[str, str] = {}
        by_print: dict[str, list[str]] = {}
        for name in added:
            by_print.setdefault(_fingerprint(new_names[name]), []).append(name)
        for name in removed:
            candidates = [
                c
                for c in by_print.get(_fingerprint(old_names[name]), [])
                if c not in mapping.values()
            ]
            if len(candidates) == 1:
                mapping[name] = candidates[0]
        structural = set(mapping)
        for (old, new), _count in sorted(self.seen_pairs.items(), key=lambda item: -item[1]):
            if (
                old in removed
                and new in added
                and old not in mapping
                and new not in mapping.values()
            ):
                mapping[old] = new
        for old, new in sorted(mapping.items()):
            how = (
                "same structure"
                if old in structural
                else "used in its place; its changes are listed under the new name"
            )
            self.emit(
                "schema-renamed",
                "schema-renamed",
                pointer_of(["components", "schemas", new]),
                f"schema {old} renamed to {new} ({how})",
                "schema",
                None,
                old_names[old],
                new_names[new],
            )
            renamed.append((self.api, old, new))
        for name in removed:
            if name not in mapping:
                self.emit(
                    "schema-removed",
                    "schema-removed",
                    pointer_of(["components", "schemas", name]),
                    f"schema {name} removed",
                    "schema",
                    None,
                    old_names[name],
                    None,
                )
        for name in added:
            if name not in mapping.values():
                self.emit(
                    "schema-added",
                    "schema-added",
                    pointer_of(["components", "schemas", name]),
                    f"schema {name} added",
                    "schema",
                    None,
                    None,
                    new_names[name],
                )


@dataclass(frozen=True)
class Walk:
    """Where a schema comparison is: direction, operation, anchor pointer and path below it."""

    direction: str
    operation: str
    anchor: str
    label: str
    path: tuple = ()
    anchor_label: str | None = None

    def rebase(self, anchor: str, label: str) -> Walk:
        return Walk(self.direction, self.operation, anchor, label, (), label)

    def child(self, tokens: list, label_part: str) -> Walk:
        if label_part == "[]" or label_part == "{}":
            label = self.label + label_part
        elif label_part.startswith("<"):
            label = f"{self.label} {label_part}"
        elif label_part:
            label = f"{self.label}.{label_part}"
        else:
            label = self.label
        return Walk(
            self.direction,
            self.operation,
            self.anchor,
            label,
            self.path + tuple(tokens),
            self.anchor_label,
        )

    def pointer(self) -> str:
        return self.anchor + pointer_of(self.path)


def _positional(params: dict, path: str) -> dict:
    """Key path parameters by their place in the template: renaming {id} is no change on the wire."""
    names = re.findall(r"\{([^}]*)\}", path)
    out = {}
    for (where, name), param in params.items():
        if where == "path" and name in names:
            out[("path", f"segment {names.index(name) + 1}")] = param
        else:
            out[(where, name)] = param
    return out


def _component_names(doc: LoadedDocument) -> dict[str, Any]:
    schemas = (
        (doc.data.get("components") or {}).get("schemas")
        if isinstance(doc.data.get("components"), dict)
        else None
    )
    return dict(schemas) if isinstance(schemas, dict) else {}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in (
                "description",
                "title",
                "example",
                "examples",
                "externalDocs",
                "$comment",
            ) or str(key).startswith("x-"):
                continue
            if key == "$ref" and isinstance(value, str):
                out[key] = value.rsplit("/", 1)[-1]
            elif key == "properties" and isinstance(value, dict):
                out[key] = {k: _strip(v) for k, v in value.items()}
            else:
                out[key] = _strip(value)
        return out
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _fingerprint(node: Any) -> str:
    return _canon(_strip(node))


def _covering(status: str, responses: dict) -> str | None:
    if re.match(r"^\d{3}$", status):
        ranged = f"{status[0]}XX"
        if ranged in responses:
            return ranged
    if "DEFAULT" in responses and status != "DEFAULT":
        return "DEFAULT"
    return None


def _op_label(method: str, path: str, op: dict) -> str:
    return f"{method.upper()} {path}"


def _type_effect(old: frozenset | None, new: frozenset | None) -> str | None:
    if old == new:
        return None
    if old is None:
        return "narrowed"
    if new is None:
        return "widened"
    eo, en = _expand(old), _expand(new)
    if eo == en:
        return None
    if eo < en:
        return "widened"
    if en < eo:
        return "narrowed"
    return "changed"


def _expand(types: frozenset) -> frozenset:
    return types | {"integer"} if "number" in types else types


def _fmt_types(types: frozenset | None) -> str:
    if types is None:
        return "any"
    return "|".join(sorted(types))


def _fmt_bool(view: View) -> str:
    return "true" if view.boolean is True else "false" if view.boolean is False else "a schema"


def _short(value: Any, limit: int = 50) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _values(values: list, limit: int = 10) -> str:
    shown = ", ".join(_short(v, 30) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _branch_name(key: tuple | None, index: int) -> str:
    if key is None:
        return f"#{index}"
    if key[0] == "ref":
        return key[1]
    if key[0] == "const":
        return f"{key[1]}={key[2]}"
    return f"#{index}"


def diff(
    old_path: Path, new_path: Path, options: DiffOptions | None = None, ws: Workspace | None = None
) -> DiffResult:
    """Compare the specs at ``old_path`` and ``new_path``; raises InputError for bad input."""
    options = options or DiffOptions()
    ws = ws or Workspace()
    old, new = load_side(Path(old_path), ws), load_side(Path(new_path), ws)
    single = (
        len(old.apis) == 1
        and len(new.apis) == 1
        and (Path(old_path).is_file() or Path(new_path).is_file())
    )
    if single:  # two files: compare them whatever their API names
        (_, old_doc), (new_api, new_doc) = (
            next(iter(old.apis.items())),
            next(iter(new.apis.items())),
        )
        pairs = {new_api: (old_doc, new_doc)}
        only_old, only_new = [], []
    else:
        pairs = {
            api: (old.apis[api], new.apis[api]) for api in sorted(set(old.apis) & set(new.apis))
        }
        only_old = sorted(set(old.apis) - set(new.apis) - new.broken)
        only_new = sorted(set(new.apis) - set(old.apis) - old.broken)
    if options.apis:
        wanted = set(options.apis)
        unknown = wanted - set(pairs) - set(only_old) - set(only_new)
        if unknown:
            raise InputError(
                f"unknown API {', '.join(sorted(unknown))}; found: {', '.join(sorted(set(old.apis) | set(new.apis)))}"
            )
        pairs = {k: v for k, v in pairs.items() if k in wanted}
        only_old = [a for a in only_old if a in wanted]
        only_new = [a for a in only_new if a in wanted]
    changes: list[Change] = []
    renames: list[tuple[str, str, str]] = []
    for api in only_new:
        ops = len(ApiDiff(ws, api, new.apis[api], new.apis[api], options).operations(new.apis[api]))
        changes.append(
            Change(
                api,
                "api-added",
                "",
                f"API {api} added ({ops} operations)",
                "api-added",
                "api",
                new_node=new.apis[api].data,
            )
        )
    for api in only_old:
        changes.append(
            Change(
                api,
                "api-removed",
                "",
                f"API {api} removed",
                "api-removed",
                "api",
                old_node=old.apis[api].data,
            )
        )
    for api, (old_doc, new_doc) in pairs.items():
        engine = ApiDiff(ws, api, old_doc, new_doc, options)
        engine.run()
        engine.components(renames)
        changes.extend(engine.changes.values())
    for change in changes:
        change.old_location = _location(ws, change.old_node)
        change.new_location = _location(ws, change.new_node)
        change.old_node = change.new_node = None
    order = {"api": 0, "operation": 1, "request": 2, "response": 3, "schema": 4}
    changes.sort(
        key=lambda c: (
            c.api,
            not c.breaking,
            order.get(c.direction, 9),
            c.pointer,
            c.rule,
            c.description,
        )
    )
    return DiffResult(old, new, changes, renames, old.problems + new.problems)


def _location(ws: Workspace, node: Any) -> str | None:
    if not isinstance(node, (dict, list)):
        return None
    found = ws.locate(node)
    if found is None:
        return None
    doc, pointer = found
    line = doc.line_of(pointer)
    return f"{display_path(doc.path)}:{line}" if line else display_path(doc.path)
