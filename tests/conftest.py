"""Shared fixtures: paths of the repository and of the optional ../shared material."""

from __future__ import annotations

from pathlib import Path

import pytest
from testsupport import REPO, UPSTREAM


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def upstream_specs() -> Path:
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} not present (published ACP specs are not part of a clone)")
    return UPSTREAM
