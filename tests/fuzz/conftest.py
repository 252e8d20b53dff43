"""Fixtures of the fuzz tests: the reference merchant in its own process, and replay helpers."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from testsupport import REPO


@contextlib.contextmanager
def serve_merchant() -> Iterator[tuple[str, str]]:
    """``acpforge serve`` on a free loopback port in a subprocess: ``(base_url, token)``.

    Its own process, so that the fuzzer and the merchant each get a core.
    """
    token = f"fuzz-tests-{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [sys.executable, "-m", "acpforge.cli", "serve", "--host", "127.0.0.1", "--port", "0",
         "--api-key", token, "--log-level", "critical"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    base_url = None
    deadline = time.monotonic() + 60
    try:
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if match:
                base_url = match.group(1)
                break
        if base_url is None:
            pytest.fail("acpforge serve did not start")
        yield base_url, token
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def served_merchant() -> Iterator[tuple[str, str]]:
    """One reference merchant process shared by the tests of a session."""
    with serve_merchant() as target:
        yield target


@pytest.fixture
def fresh_merchant() -> Iterator[tuple[str, str]]:
    """A reference merchant process of its own (full stock, no sessions)."""
    with serve_merchant() as target:
        yield target


@pytest.fixture
def replay_env(monkeypatch: pytest.MonkeyPatch):
    """Point reproductions at a live server: ``replay_env(base_url, token)``."""

    def point(base_url: str, token: str) -> dict[str, str]:
        monkeypatch.setenv("ACPFORGE_BASE_URL", base_url)
        monkeypatch.setenv("ACPFORGE_TOKEN", token)
        return {**os.environ, "ACPFORGE_BASE_URL": base_url, "ACPFORGE_TOKEN": token}

    return point


def _run_snippet(source: str) -> str | None:
    try:
        exec(compile(source, "<reproduction>", "exec"), {"__name__": "__main__"})  # noqa: S102
    except AssertionError as error:
        return str(error)
    return None


@pytest.fixture
def run_snippet():
    """Execute a reproduction's Python snippet: the ``AssertionError`` text when it reproduced, else None."""
    return _run_snippet
