"""Map the top-level folders into the ``acpforge`` import namespace.

The repository keeps ``generator/``, ``generated/``, ``specs/`` and
``templates/`` at its top level, but nothing may be installed under a generic
top-level name.  Each folder becomes a sub-package of ``acpforge``; the
package list is walked here so that a new API-Version under ``generated/``
needs no edit of the build files.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
FOLDERS = {
    "acpforge": "acpforge",
    "acpforge.generator": "generator",
    "acpforge.generated": "generated",
    "acpforge.specs": "specs",
    "acpforge.templates": "templates",
}


def _packages() -> tuple[list[str], dict[str, str]]:
    packages, package_dir = [], {}
    for name, folder in FOLDERS.items():
        base = ROOT / folder
        for path in sorted([base, *(p for p in base.rglob("*") if p.is_dir())]):
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(base)
            dotted = ".".join([name, *rel.parts]) if rel.parts else name
            packages.append(dotted)
            package_dir[dotted] = str(Path(folder, *rel.parts))
    return packages, package_dir


packages, package_dir = _packages()
setup(packages=packages, package_dir=package_dir)
