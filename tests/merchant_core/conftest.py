import pytest

from .support import make_core


@pytest.fixture
def core():
    return make_core()
