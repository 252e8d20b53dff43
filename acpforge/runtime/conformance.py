"""The target of a generated conformance test module: where to send cases, and how.

A generated module (``generated/<package>/conformance/test_<api>.py``) has
one pytest item per (operation, generation mode), one stateful item and, for
the checkout API, one session-flows item.  Each item asks the ``acp_target``
fixture (``acpforge.pytest_plugin``) to run its part:

* ``fuzz_operation``: a Hypothesis test over Schemathesis's strategy for the
  operation (positive or negative data), each case sent with
  ``Case.call_and_validate``, so Schemathesis's built-in checks and the ACP
  checks (``acpforge.fuzz.checks``; the schema is marked as an ACP schema)
  judge every response;
* ``fuzz_stateful``: Schemathesis's state machine over the spec's links;
* ``session_flows``: ``acpforge.fuzz.flows`` (create -> update -> complete /
  cancel with real delegated tokens).

Items are independent, so ``pytest -n 8`` (pytest-xdist) spreads a campaign
over processes, and ``--dist loadgroup``/several hosts work the same way.
The configuration is the one ``acpforge fuzz`` uses (``runner.engine_config``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Target"]


@dataclass
class Target:
    base_url: str
    token: str | None = None
    max_examples: int = 25
    seed: int | None = None
    flows: int = 4
    _schemas: dict[str, Any] = field(default_factory=dict, repr=False)
    _session: Any = field(default=None, repr=False)
    _minters: list[Any] = field(default_factory=list, repr=False)

    # -- plumbing ---------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def session(self) -> Any:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        for minter in self._minters:
            minter.close()
        self._minters.clear()

    def load_schema(self, path: Path | str) -> Any:
        """The Schemathesis schema of a bundled spec, marked as an ACP schema (cached per path)."""
        key = str(path)
        if key not in self._schemas:
            import schemathesis

            import acpforge.fuzz.checks  # noqa: F401  (registers the ACP checks)
            from acpforge.fuzz.runner import DEFAULT_ITEMS, track_sessions, engine_config
            from acpforge.fuzz.state import mark

            document = json.loads(Path(path).read_text(encoding="utf-8"))
            state = mark(document)
            if state.info.api == "agentic_checkout":
                self._give_tokens(state)
            config = engine_config(
                base_url=self.base_url.rstrip("/"),
                token=self.token,
                seed=self.seed if self.seed is not None else 0,
                max_examples=self.max_examples,
                workers=1,
                items=DEFAULT_ITEMS,
            )
            schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))
            schema.hooks.register_hook_with_name(track_sessions(state), "after_call")
            self._schemas[key] = schema
        return self._schemas[key]

    def _give_tokens(self, state: Any) -> None:
        """Completions of sessions created in the stateful test get real delegated tokens."""
        from acpforge.fuzz.runner import payment_data_for
        from acpforge.fuzz.tokens import TokenError, TokenMinter

        minter = TokenMinter(self.base_url.rstrip("/"), state.info.version, self.token)
        self._minters.append(minter)

        def source(session_id: str, session: dict[str, Any]) -> dict[str, Any] | None:
            try:
                token = minter.mint(session_id, max(int(session.get("total") or 0), 1), session.get("currency") or "usd")
            except TokenError:
                return None
            return payment_data_for(state.info.version, token, session)

        state.token_source = source

    def _settings(self, **extra: Any) -> Any:
        from hypothesis import HealthCheck, settings

        return settings(
            max_examples=self.max_examples,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
            **extra,
        )

    def _seeded(self, test: Any) -> Any:
        if self.seed is None:
            return test
        from hypothesis import seed

        return seed(self.seed)(test)

    def call_and_validate(self, case: Any) -> Any:
        return case.call_and_validate(
            base_url=self.base_url.rstrip("/"), headers=self.headers(), session=self.session()
        )

    # -- what the generated items run ---------------------------------------------------

    def fuzz_operation(self, spec: Path | str, operation: str, mode: str = "positive") -> None:
        """Property-based test of one operation (``"POST /checkout_sessions"``), positive or negative data."""
        from hypothesis import given
        from schemathesis import GenerationMode

        method, _, path = operation.partition(" ")
        schema = self.load_schema(spec)
        strategy = schema[path][method.upper()].as_strategy(generation_mode=GenerationMode(mode))

        @self._settings()
        @given(case=strategy)
        def test(case: Any) -> None:
            self.call_and_validate(case)

        self._seeded(test)()

    def fuzz_stateful(self, spec: Path | str) -> None:
        """Schemathesis's state machine along the spec's links (create -> get/update/complete/cancel)."""
        from hypothesis.stateful import run_state_machine_as_test

        schema = self.load_schema(spec)
        target = self
        base = schema.as_state_machine()

        class Machine(base):  # type: ignore[misc, valid-type]
            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                # Also the transport kwargs of the checks (probes re-send with the same target).
                return {"base_url": target.base_url.rstrip("/"), "headers": target.headers(),
                        "session": target.session()}

        machine: Any = Machine
        if self.seed is not None:
            from hypothesis import seed

            machine = seed(self.seed)(Machine)
        run_state_machine_as_test(machine, settings=self._settings(stateful_step_count=8))

    def session_flows(self, spec: Path | str) -> None:
        """Session flows with real delegated tokens; fails listing every broken rule."""
        from acpforge.fuzz.flows import run_flows_standalone

        document = json.loads(Path(spec).read_text(encoding="utf-8"))
        version = str(document["info"]["version"])
        failures = run_flows_standalone(
            self.base_url, version, token=self.token, count=self.flows, seed=self.seed or 0
        )
        if failures:
            lines = [f"{len(failures)} session-flow failure(s):"]
            for failure in failures:
                lines += ["", failure.summary(), failure.message, "", "Reproduce with Python:", failure.python]
            raise AssertionError("\n".join(lines))
