"""Shared fixtures: paths of the repository and of the optional ../shared material."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from testsupport import REPO, UPSTREAM


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long campaigns (``@pytest.mark.slow``) run only when asked: ``-m slow`` or ACPFORGE_SLOW=1."""
    expression = config.getoption("-m") or ""
    if ("slow" in expression and "not slow" not in expression) or os.environ.get("ACPFORGE_SLOW"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def upstream_specs() -> Path:
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not present (published ACP specs are not part of a clone)")
    return UPSTREAM
