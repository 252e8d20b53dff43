"""Which loaded schemas are ACP schemas, and the per-run state of their checks.

Schemathesis keeps custom checks and ``before_call`` hooks in process-wide
registries: once registered, a check runs on every response of every
schema in the process.  The ACP checks must not judge a non-ACP API (or a
plain Schemathesis run used as a baseline), so they only act on schemas
that carry the mark this module puts into the raw document: a string key
``x-acpforge-fuzz`` (an OpenAPI extension, so the document stays valid
and JSON-serialisable) whose value names an ``ACPState`` held here.  The
mark survives the copies Schemathesis makes of a schema, unlike an
attribute on one schema object.

``ACPState`` holds what the checks share across one run: the ``SpecInfo``,
the operations already probed for API-Version enforcement, the request
counter of the progress bar, and the optional token source that gives the
stateful phase real delegated payment tokens.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .spec import SpecInfo, spec_info

__all__ = ["MARK", "ACPState", "mark", "release", "state_for", "state_of_document"]

MARK = "x-acpforge-fuzz"

_STATES: dict[str, ACPState] = {}
_LOCK = threading.Lock()
_IDS = itertools.count(1)


@dataclass
class ACPState:
    info: SpecInfo
    key: str = ""
    #: Send the API-Version probes (two extra requests per operation per run).
    probe_api_version: bool = True
    #: ``(session_id, session_json) -> token`` for completions in the stateful phase, or None.
    token_source: Callable[[str, dict[str, Any]], dict[str, Any] | None] | None = None
    probed: set[str] = field(default_factory=set)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Idempotency-Key -> fingerprint of the first (path, body) sent with it.
    keys: dict[str, int] = field(default_factory=dict)
    keys_renamed: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Called (under no lock) after each response the engine receives; the progress bar.
    on_response: Callable[[ACPState, int], None] | None = None

    def count_response(self, status: int) -> None:
        with self.lock:
            self.requests += 1
        if self.on_response is not None:
            self.on_response(self, status)

    def first_probe(self, label: str) -> bool:
        """True exactly once per operation label."""
        with self.lock:
            if label in self.probed:
                return False
            self.probed.add(label)
            return True


def mark(document: dict[str, Any], *, api: str | None = None, **options: Any) -> ACPState:
    """Mark a raw document as an ACP schema and return its fresh state."""
    state = ACPState(info=spec_info(document, api=api), **options)
    with _LOCK:
        state.key = f"acp-{next(_IDS)}"
        _STATES[state.key] = state
    document[MARK] = state.key
    return state


def release(state: ACPState) -> None:
    with _LOCK:
        _STATES.pop(state.key, None)


def state_of_document(document: Any) -> ACPState | None:
    if not isinstance(document, dict):
        return None
    key = document.get(MARK)
    return _STATES.get(key) if key is not None else None


def state_for(case: Any) -> ACPState | None:
    """The ACP state of the schema a Schemathesis case belongs to, or None."""
    try:
        raw = case.operation.schema.raw_schema
    except AttributeError:
        return None
    return state_of_document(raw)
