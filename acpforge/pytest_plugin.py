"""pytest options for the generated conformance tests (registered as a pytest11 plugin).

``--acp-base-url`` / ``ACPFORGE_BASE_URL`` name the target; ``--acp-token`` /
``ACPFORGE_TOKEN`` the bearer token.  Tests that ask for ``acp_target`` are
skipped, with a message, when no target is given.
"""

from __future__ import annotations

import os

import pytest

from acpforge.runtime.conformance import Target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("acpforge", "ACP conformance target")
    group.addoption("--acp-base-url", default=None, help="base URL of the ACP API under test (env ACPFORGE_BASE_URL)")
    group.addoption("--acp-token", default=None, help="bearer token sent to the target (env ACPFORGE_TOKEN)")


@pytest.fixture(scope="session")
def acp_target(request: pytest.FixtureRequest) -> Target:
    base_url = request.config.getoption("--acp-base-url") or os.environ.get("ACPFORGE_BASE_URL")
    if not base_url:
        pytest.skip("no ACP target: pass --acp-base-url URL or set ACPFORGE_BASE_URL")
    token = request.config.getoption("--acp-token") or os.environ.get("ACPFORGE_TOKEN")
    return Target(base_url=base_url, token=token)
