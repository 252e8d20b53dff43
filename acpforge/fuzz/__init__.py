"""``acpforge fuzz``: Schemathesis conformance fuzzing of ACP endpoints, with ACP checks.

=============  ===============================================================
module         job
=============  ===============================================================
``spec``       the bundled spec of each (API-Version, API) and what checks read from it
``state``      marks ACP schemas; per-run state shared by checks and hooks
``checks``     ACP checks: pure rules plus their Schemathesis registrations
``tokens``     delegated payment tokens through the generated client (approve card)
``runner``     the Schemathesis engine over each API, hooks, failure records
``flows``      session flows: create -> update -> complete / cancel, lifecycle rules
``repro``      curl + Python reproductions (redacted, ids remapped, tokens re-minted)
``replay``     re-run one check on a replayed response (used by the snippets)
``report``     the report model, JUnit XML, report.json, reproduction files
``console``    rich progress bar with counts, summary
=============  ===============================================================

Entry points: ``run(FuzzOptions(...)) -> FuzzReport`` and ``acpforge fuzz``.
Importing ``acpforge.fuzz.checks`` registers the ACP checks with Schemathesis;
they act only on schemas marked by ``acpforge.fuzz.state.mark``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FuzzOptions", "FuzzReport", "run"]


def __getattr__(name: str) -> Any:  # lazy: importing the package must not load Schemathesis
    if name in ("FuzzOptions", "run"):
        from . import runner

        return getattr(runner, name)
    if name == "FuzzReport":
        from .report import FuzzReport

        return FuzzReport
    raise AttributeError(name)
