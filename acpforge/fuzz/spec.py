"""Where the fuzzer's schemas come from, and what the ACP checks read from them.

The fuzzing schema of an API is the bundled, self-contained spec that
``acpforge generate`` writes beside the generated conformance tests
(``generated/<package>/conformance/<api>.openapi.json``): the same bytes
the generated pytest module uses, so ``acpforge fuzz`` and the module can
never disagree about what the API is.

``SpecInfo`` is the small, immutable summary the ACP checks need (the
version, the version's behaviour profile, the allowed error ``type`` and
``code`` values, the POST operations): computed once per loaded schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from acpforge import versions

__all__ = ["APIS", "SpecInfo", "bundle_path", "load_document", "package_for", "spec_info"]

#: The APIs a merchant serves, in the order they are fuzzed.
APIS: tuple[str, ...] = ("agentic_checkout", "delegate_payment")


def package_for(version: str) -> str:
    """``2025-09-29`` -> ``v2025_09_29`` (the generated package name)."""
    return "v" + version.replace("-", "_")


def bundle_path(version: str, api: str) -> Path:
    """The bundled spec of ``api`` in ``version`` (raises ``FileNotFoundError``)."""
    versions.profile(version)  # UnsupportedVersion for anything not served
    root = resources.files(f"acpforge.generated.{package_for(version)}.conformance")
    path = Path(str(root / f"{api}.openapi.json"))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled spec for {api} in {version}: {path} (run `acpforge generate`)")
    return path


def load_document(version: str, api: str) -> dict[str, Any]:
    """A fresh parsed copy of the bundled spec (callers may mark it)."""
    return json.loads(bundle_path(version, api).read_text(encoding="utf-8"))


def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


@dataclass(frozen=True)
class SpecInfo:
    """What the ACP checks know about one API of one version."""

    version: str
    api: str
    profile: versions.VersionProfile
    #: Allowed ``Error.type`` values (the spec's enum).
    error_types: frozenset[str]
    #: Allowed ``Error.code`` values, or ``None`` when the spec leaves ``code`` open.
    error_codes: frozenset[str] | None
    #: Allowed top-level keys of an error object (``None`` when the schema is open).
    error_keys: frozenset[str] | None
    #: ``(METHOD, path template)`` of every operation, for lookups by request.
    operations: tuple[tuple[str, str], ...] = field(default=())


def spec_info(document: dict[str, Any], *, api: str | None = None) -> SpecInfo:
    """Summarise a bundled ACP spec for the checks."""
    version = str(document.get("info", {}).get("version", ""))
    profile = versions.profile(version)
    schemas = document.get("components", {}).get("schemas", {})
    error = _resolve(document, schemas.get("Error", {}))
    props = error.get("properties", {}) if isinstance(error, dict) else {}
    types = _resolve(document, props.get("type", {})).get("enum") or ()
    codes = _resolve(document, props.get("code", {})).get("enum")
    keys = frozenset(props) if error.get("additionalProperties") is False else None
    operations = []
    for path, item in document.get("paths", {}).items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), path))
    if api is None:
        api = "delegate_payment" if any(p.startswith("/agentic_commerce/") for _, p in operations) else "agentic_checkout"
    return SpecInfo(
        version=version,
        api=api,
        profile=profile,
        error_types=frozenset(types),
        error_codes=frozenset(codes) if codes else None,
        error_keys=keys,
        operations=tuple(sorted(operations)),
    )
