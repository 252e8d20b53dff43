"""Contradictory compositions: schemas that no instance (or no intended instance) satisfies."""

from __future__ import annotations

import re
from typing import Any

from ..instances import CannotSample, sample
from ..messages import short
from ..registry import rule
from ..walk import IN_PLACE, child

IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
IN_PLACE_SINGLE = ("if", "then", "else", "not")


def _list(node: dict, key: str) -> list:
    value = node.get(key)
    return value if isinstance(value, list) else []


def _label(ctx, base: str, node: Any) -> str:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return node["$ref"].rsplit("/", 1)[-1]
    return "inline schema"


def _resolve(ctx, base: str, node: Any):
    resolved = ctx.deref(base, node)
    if resolved is None:
        return None
    return resolved[0], resolved[1]


def _own(node: dict) -> tuple[set[str], list[str]]:
    props = node.get("properties")
    patterns = node.get("patternProperties")
    return (set(props) if isinstance(props, dict) else set()), (
        list(patterns) if isinstance(patterns, dict) else []
    )


def _declared(
    ctx, base: str, node: Any, depth: int = 0, seen: set | None = None
) -> tuple[set[str], list[str]]:
    """Property names (and patterns) declared by a schema and its in-place subschemas, refs followed."""
    seen = seen if seen is not None else set()
    resolved = _resolve(ctx, base, node)
    if resolved is None or depth > 12:
        return set(), []
    base, node = resolved
    if not isinstance(node, dict) or id(node) in seen:
        return set(), []
    seen.add(id(node))
    names, patterns = _own(node)
    for keyword in IN_PLACE_LISTS:
        for branch in _list(node, keyword):
            more, more_patterns = _declared(ctx, base, branch, depth + 1, seen)
            names |= more
            patterns += more_patterns
    for keyword in ("if", "then", "else"):
        if isinstance(node.get(keyword), dict):
            more, more_patterns = _declared(ctx, base, node[keyword], depth + 1, seen)
            names |= more
            patterns += more_patterns
    if isinstance(node.get("dependentSchemas"), dict):
        for branch in node["dependentSchemas"].values():
            more, more_patterns = _declared(ctx, base, branch, depth + 1, seen)
            names |= more
            patterns += more_patterns
    return names, patterns


def _required(ctx, base: str, node: Any, depth: int = 0) -> set[str]:
    resolved = _resolve(ctx, base, node)
    if resolved is None or depth > 12 or not isinstance(resolved[1], dict):
        return set()
    base, node = resolved
    names = set(node.get("required") or []) if isinstance(node.get("required"), list) else set()
    for branch in _list(node, "allOf"):
        names |= _required(ctx, base, branch, depth + 1)
    return names


def _matches(name: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        try:
            if re.search(pattern, name):
                return True
        except re.error:
            continue
    return False


def _closed(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    if node.get("additionalProperties") is False:
        return "additionalProperties"
    if node.get("unevaluatedProperties") is False:
        return "unevaluatedProperties"
    return None


@rule(
    "allof-closed-branch",
    "error",
    "composition",
    "No closed allOf branch beside properties it does not declare",
    """`additionalProperties: false` sees only the `properties` written next
    to it, never those of sibling allOf branches or of the parent; an allOf
    that combines such a closed branch with another branch (or parent) that
    adds properties rejects every instance that has them, and when they are
    required no instance validates at all.  The published
    `CheckoutSessionWithOrder = allOf[CheckoutSessionBase (closed), {order}]`
    rejects every completed session.  Close the composite instead, with
    `unevaluatedProperties: false` at the allOf level.""",
)
def check_allof_closed(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            branches = site.node.get("allOf")
            if not isinstance(branches, list) or not branches:
                continue
            resolved = [_resolve(ctx, site.base_uri, b) for b in branches]
            if any(r is None for r in resolved):
                continue
            parent_names, _ = _own(site.node)
            required = (
                set(site.node.get("required") or [])
                if isinstance(site.node.get("required"), list)
                else set()
            )
            declared = []
            for base, node in resolved:
                declared.append(_declared(ctx, base, node)[0])
                required |= _required(ctx, base, node)
            # the parent's own additionalProperties: false does not see the branches either
            if site.node.get("additionalProperties") is False:
                names, patterns = _own(site.node)
                extra = sorted(
                    n for n in set().union(*declared) - names if not _matches(n, patterns)
                )
                if extra:
                    yield ctx.hit(
                        source.doc,
                        child(site.pointer, "additionalProperties"),
                        f"`additionalProperties: false` beside allOf does not see the branches' properties: "
                        f"{_names(extra)} can never be present{_unsat(extra, required)}; use `unevaluatedProperties: false`",
                    )
            for i, (base, node) in enumerate(resolved):
                keyword = _closed(node)
                if keyword is None:
                    continue
                names, patterns = (
                    _own(node) if keyword == "additionalProperties" else _declared(ctx, base, node)
                )
                others = set(parent_names)
                for j, more in enumerate(declared):
                    if j != i:
                        others |= more
                extra = sorted(n for n in others - names if not _matches(n, patterns))
                if extra:
                    name = _label(ctx, site.base_uri, branches[i])
                    yield ctx.hit(
                        source.doc,
                        child(child(site.pointer, "allOf"), i),
                        f"allOf branch {i} ({name}) is closed (`{keyword}: false`) but the composition adds "
                        f"{_names(extra)}, which that branch then rejects{_unsat(extra, required)}; "
                        "close the composite with `unevaluatedProperties: false` instead",
                    )


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def _unsat(extra: list[str], required: set[str]) -> str:
    needed = [n for n in extra if n in required]
    if not needed:
        return ""
    return f"; since {_names(needed)} {'is' if len(needed) == 1 else 'are'} required, no instance validates"


def _at_path(ctx, base: str, node, path: list[str], depth: int = 0) -> list[tuple[str, dict]]:
    """The schemas that describe ``properties`` path ``path`` below ``node`` (refs and allOf followed)."""
    resolved = _resolve(ctx, base, node)
    if resolved is None or depth > 12 or not isinstance(resolved[1], dict):
        return []
    base, node = resolved
    if not path:
        return [(base, node)]
    found = []
    props = node.get("properties")
    if isinstance(props, dict) and path[0] in props:
        found += _at_path(ctx, base, props[path[0]], path[1:], depth + 1)
    for branch in _list(node, "allOf"):
        found += _at_path(ctx, base, branch, path, depth + 1)
    return found


def _object_context(ctx, site):
    """Names declared for the instance ``site`` applies to, patterns, whether it is closed, whether under ``not``.

    A schema applies to the same instance as its in-place ancestors (allOf,
    anyOf, oneOf, if/then/else, dependentSchemas), and a conditional overlay
    such as ``then: {properties: {channel: {properties: {browser: {required:
    [...]}}}}}`` applies to the instance its parent describes at that
    property path: the declarations found there count as well.
    """
    names, patterns, closed, negated = set(), [], False, False
    path: list[str] = []
    current = site
    while current is not None:
        for base, node in _at_path(ctx, current.base_uri, current.node, path):
            more, more_patterns = _declared(ctx, base, node)
            names |= more
            patterns += more_patterns
            closed = closed or _closed(node) is not None
            for branch in _list(node, "allOf"):
                resolved = _resolve(ctx, base, branch)
                if resolved is not None and _closed(resolved[1]):
                    closed = True
        if current.parent is None:
            break
        if current.keyword == "not":
            negated = True
        if current.keyword == "properties" and isinstance(current.key, str):
            path.insert(0, current.key)
        elif current.keyword not in IN_PLACE:
            break
        current = current.parent
    return names, patterns, closed, negated


def _required_problems(ctx):
    if "required-problems" in ctx.cache:
        return ctx.cache["required-problems"]
    problems = []
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            required = site.node.get("required")
            if not isinstance(required, list) or not required:
                continue
            names, patterns, closed, negated = _object_context(ctx, site)
            if negated:
                continue
            missing = [
                n
                for n in required
                if isinstance(n, str) and n not in names and not _matches(n, patterns)
            ]
            if missing:
                problems.append((source.doc, site, missing, closed))
    ctx.cache["required-problems"] = problems
    return problems


@rule(
    "required-undeclared",
    "error",
    "composition",
    "Required properties are declared where additional properties are forbidden",
    """A name listed in `required` that no `properties` declares, in an object
    that forbids additional properties, makes the schema unsatisfiable: the
    property must be present and must not be.  It is usually a typo or a
    property renamed in one place only.""",
)
def check_required_undeclared(ctx):
    for doc, site, missing, closed in _required_problems(ctx):
        if closed:
            yield ctx.hit(
                doc,
                child(site.pointer, "required"),
                f"required {_names(missing)} {'is' if len(missing) == 1 else 'are'} not declared in `properties` "
                "while additional properties are forbidden: no instance validates",
            )


@rule(
    "required-undescribed",
    "warning",
    "composition",
    "Required properties are declared",
    """In an open object, a required name that no `properties` declares is
    legal but has no schema, no description and no generated field; it is
    almost always a typo or a leftover of a rename.""",
)
def check_required_undescribed(ctx):
    for doc, site, missing, closed in _required_problems(ctx):
        if not closed:
            yield ctx.hit(
                doc,
                child(site.pointer, "required"),
                f"required {_names(missing)} {'is' if len(missing) == 1 else 'are'} not declared in `properties`",
            )


GENERIC_PROBES = ([], {}, "", 0, False, None)


@rule(
    "oneof-overlap",
    "error",
    "composition",
    "No instance matches two oneOf branches",
    """`oneOf` requires exactly one branch to match: an instance that two
    branches accept is rejected, although it is exactly what the author
    meant to allow (for example an empty array against
    `oneOf: [array of strings, array of objects]`).  Witness instances are
    built from each branch (its examples, then a minimal instance) and from
    a few generic values, and checked with the real validator; the finding
    quotes one.  Use `anyOf`, or make the branches disjoint (a `const`
    discriminator, `minItems: 1`).""",
)
def check_oneof_overlap(ctx):
    for source, index in ctx.schema_docs:
        for site in index.schemas:
            branches = site.node.get("oneOf")
            if not isinstance(branches, list) or len(branches) < 2:
                continue
            validators = [
                ctx.ws.validator(source.doc.uri, child(child(site.pointer, "oneOf"), i))
                for i in range(len(branches))
            ]
            rest = {
                k: v
                for k, v in site.node.items()
                if k not in ("oneOf", "examples", "example", "default")
            }
            outer = ctx.ws.validator_for_node(site.base_uri, rest) if rest else None
            witnesses: list[tuple[int | None, Any]] = []
            for i, branch in enumerate(branches):
                resolved = _resolve(ctx, site.base_uri, branch)
                if resolved is None:
                    break
                node = resolved[1]
                if isinstance(node, dict):
                    for example in (
                        node.get("examples") if isinstance(node.get("examples"), list) else []
                    )[:3]:
                        witnesses.append((i, example))
                    if "example" in node:
                        witnesses.append((i, node["example"]))
                try:
                    witnesses.append((i, sample(ctx.ws, site.base_uri, branch)))
                except CannotSample:
                    pass
            else:
                witnesses += [(None, probe) for probe in GENERIC_PROBES]
                reported = False
                for origin, witness in witnesses:
                    try:
                        if outer is not None and not outer.is_valid(witness):
                            continue
                        matched = [i for i, v in enumerate(validators) if v.is_valid(witness)]
                    except Exception:  # noqa: BLE001 - unresolvable refs inside a branch: ref-unresolved reports them
                        break
                    if len(matched) >= 2 and (origin is None or origin in matched):
                        first, second = matched[:2]
                        yield ctx.hit(
                            source.doc,
                            child(site.pointer, "oneOf"),
                            f"oneOf branches {first} ({_label(ctx, site.base_uri, branches[first])}) and {second} "
                            f"({_label(ctx, site.base_uri, branches[second])}) both accept {short(witness)}, "
                            "so that instance fails oneOf",
                        )
                        reported = True
                        break
                if reported:
                    continue
