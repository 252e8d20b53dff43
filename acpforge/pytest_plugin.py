"""pytest options for the generated conformance tests (registered as a pytest11 plugin).

``--acp-base-url`` / ``ACPFORGE_BASE_URL`` name the target; ``--acp-token`` /
``ACPFORGE_TOKEN`` the bearer token; ``--acp-max-examples`` /
``ACPFORGE_MAX_EXAMPLES`` the examples per item (default 25); ``--acp-seed`` /
``ACPFORGE_SEED`` a seed for reproducible runs; ``--acp-flows`` /
``ACPFORGE_FLOWS`` the session flows of the flows item (default 4).  Tests
that ask for ``acp_target`` are skipped, with a message, when no target is
given.  Nothing heavy is imported until a test needs the target, so the
plugin costs nothing to pytest runs that do not use it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("acpforge", "ACP conformance target")
    group.addoption("--acp-base-url", default=None, help="base URL of the ACP API under test (env ACPFORGE_BASE_URL)")
    group.addoption("--acp-token", default=None, help="bearer token sent to the target (env ACPFORGE_TOKEN)")
    group.addoption("--acp-max-examples", default=None, type=int,
                    help="examples per generated test item (env ACPFORGE_MAX_EXAMPLES; default 25)")
    group.addoption("--acp-seed", default=None, type=int, help="Hypothesis seed (env ACPFORGE_SEED)")
    group.addoption("--acp-flows", default=None, type=int,
                    help="session flows in the flows item (env ACPFORGE_FLOWS; default 4)")


def _option(config: pytest.Config, name: str, env: str, default: Any = None, cast: Any = str) -> Any:
    value = config.getoption(name)
    if value is None and os.environ.get(env):
        value = cast(os.environ[env])
    return default if value is None else value


@pytest.fixture(scope="session")
def acp_target(request: pytest.FixtureRequest) -> Any:
    config = request.config
    base_url = _option(config, "--acp-base-url", "ACPFORGE_BASE_URL")
    if not base_url:
        pytest.skip("no ACP target: pass --acp-base-url URL or set ACPFORGE_BASE_URL")
    from acpforge.runtime.conformance import Target

    target = Target(
        base_url=base_url,
        token=_option(config, "--acp-token", "ACPFORGE_TOKEN"),
        max_examples=_option(config, "--acp-max-examples", "ACPFORGE_MAX_EXAMPLES", 25, int),
        seed=_option(config, "--acp-seed", "ACPFORGE_SEED", None, int),
        flows=_option(config, "--acp-flows", "ACPFORGE_FLOWS", 4, int),
    )
    yield target
    target.close()
