"""Read a spec file into plain data, remembering where every node came from.

YAML 1.1 resolves unquoted ``2025-09-29`` to a date, which JSON Schema and
JSON cannot hold; the loader keeps such scalars as strings.  Source lines
are computed lazily (a second, node-level parse) because only error paths
and the linter need them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecLocation, SpecProblem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML loader without the timestamp resolver (dates stay strings)."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.copy().items()
}


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(parts) -> str:
    """RFC 6901 pointer of a path given as a sequence of keys and indices."""
    return "".join("/" + escape_pointer_token(p) for p in parts)


@dataclass
class LoadedDocument:
    """One spec file: its bytes, its data and (lazily) its line map."""

    path: Path
    raw: bytes
    data: dict[str, Any]
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.raw).hexdigest()

    @property
    def uri(self) -> str:
        return self.path.resolve().as_uri()

    @cached_property
    def lines(self) -> dict[str, int]:
        """JSON pointer -> 1-based line of the node (keys map to their key's line)."""
        if self.path.suffix == ".json":
            return {}
        node = yaml.compose(self.raw.decode("utf-8"), Loader=_SpecLoader)
        table: dict[str, int] = {}
        stack: list[tuple[Any, str]] = [(node, "")] if node is not None else []
        while stack:
            current, pointer = stack.pop()
            table.setdefault(pointer, current.start_mark.line + 1)
            if isinstance(current, yaml.MappingNode):
                for key, value in current.value:
                    child = pointer + "/" + escape_pointer_token(key.value)
                    table[child] = key.start_mark.line + 1
                    stack.append((value, child))
            elif isinstance(current, yaml.SequenceNode):
                for index, value in enumerate(current.value):
                    stack.append((value, f"{pointer}/{index}"))
        return table

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor that has one."""
        table = self.lines
        while True:
            if pointer in table:
                return table[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def location(self, pointer: str) -> SpecLocation:
        return SpecLocation(self.path, pointer, self.line_of(pointer))


def load_document(path: Path) -> LoadedDocument:
    """Parse one YAML or JSON spec file; a syntax error becomes a SpecError at its line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(SpecProblem(SpecLocation(path), f"cannot read: {exc.strerror}")) from None
    try:
        if path.suffix == ".json":
            data = json.loads(raw)
        else:
            data = yaml.load(raw.decode("utf-8"), Loader=_SpecLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        reason = f"invalid YAML: {exc.problem or exc.context}"
        raise SpecError(SpecProblem(SpecLocation(path, "", line), reason, "syntax")) from None
    except json.JSONDecodeError as exc:
        raise SpecError(SpecProblem(SpecLocation(path, "", exc.lineno), f"invalid JSON: {exc.msg}", "syntax")) from None
    except UnicodeDecodeError:
        raise SpecError(SpecProblem(SpecLocation(path), "not UTF-8 text", "syntax")) from None
    if not isinstance(data, dict):
        raise SpecError(SpecProblem(SpecLocation(path, "", 1), "top level is not a mapping", "syntax"))
    return LoadedDocument(path=path, raw=raw, data=data)
