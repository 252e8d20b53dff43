"""Fixtures of the real-HTTP merchant tests: one shared merchant, one driver per API-Version."""

from __future__ import annotations

import warnings

import pytest

from acpforge.runtime.client import ResponseValidationWarning

from .appsupport import VERSIONS, driver, merchant


@pytest.fixture(autouse=True)
def _responses_must_validate():
    """A response the generated client cannot parse against its spec fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResponseValidationWarning)
        yield


@pytest.fixture(scope="module")
def shared_merchant():
    with merchant() as running:
        yield running


@pytest.fixture(params=VERSIONS)
def drv(request, shared_merchant):
    d = driver(shared_merchant[1], request.param)
    yield d
    d.close()
