"""Find the spec files of each API-Version, in our layout or upstream's.

Accepted (``ROOT`` is what the user passes as ``--specs``):

* ours and ``../shared/acp-spec``: ``ROOT/<version>/openapi.<api>.yaml``
* upstream repository: ``ROOT/spec/<version>/openapi/openapi.<api>.yaml``
  (``ROOT`` may also be the ``spec/`` folder itself)
* a single version folder, or a single ``openapi/`` folder of one version

The API name is the part of the file name between ``openapi.`` and the
extension (``agentic_checkout``, ``delegate_payment``, ...): one rule for
every layout, so a new API needs no code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SpecError, SpecLocation, SpecProblem

SPEC_FILE = re.compile(r"^openapi\.(?P<api>[A-Za-z0-9_\-]+)\.(ya?ml|json)$")
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class VersionSpecs:
    """The spec files of one API-Version, by API name."""

    version: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)


def _spec_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        match = SPEC_FILE.match(path.name)
        if match and path.is_file():
            found[match.group("api").replace("-", "_")] = path
    return found


def _version_of(folder: Path) -> str:
    """The version a folder of spec files belongs to (``openapi/`` is upstream's)."""
    return folder.parent.name if folder.name == "openapi" else folder.name


def discover(root: Path) -> list[VersionSpecs]:
    """Every version under ``root``, sorted by version; raises SpecError if none."""
    root = Path(root)
    if not root.exists():
        raise SpecError(SpecProblem(SpecLocation(root), "no such file or directory"))
    candidates: list[Path] = []
    if _spec_files(root):
        candidates.append(root)
    for base in (root, root / "spec"):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if not child.is_dir():
                continue
            for folder in (child, child / "openapi"):
                if _spec_files(folder):
                    candidates.append(folder)
    versions: dict[str, VersionSpecs] = {}
    for folder in candidates:
        version = _version_of(folder)
        versions.setdefault(version, VersionSpecs(version, folder, _spec_files(folder)))
    if not versions:
        raise SpecError(
            SpecProblem(
                SpecLocation(root),
                "no spec files found: expected <version>/openapi.<api>.yaml "
                "or spec/<version>/openapi/openapi.<api>.yaml",
            )
        )
    return sorted(versions.values(), key=lambda v: v.version)


def select(versions: list[VersionSpecs], wanted: tuple[str, ...] | list[str]) -> list[VersionSpecs]:
    """Keep the versions the user asked for; an unknown one is an error naming the known ones."""
    if not wanted:
        return versions
    known = {v.version: v for v in versions}
    missing = [w for w in wanted if w not in known]
    if missing:
        raise SpecError(
            SpecProblem(
                SpecLocation(versions[0].folder.parent if versions else Path(".")),
                f"unknown API-Version {', '.join(missing)}; found: {', '.join(sorted(known))}",
            )
        )
    return [known[w] for w in sorted(set(wanted))]


def is_dated_version(version: str) -> bool:
    return bool(VERSION.match(version))
