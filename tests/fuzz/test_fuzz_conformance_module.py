"""The generated conformance modules run under plain pytest and under pytest-xdist against a live merchant."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from testsupport import REPO


def _pytest(modules: list[str], base_url: str, token: str, junit, *extra: str) -> tuple[subprocess.CompletedProcess, ET.Element]:
    command = [sys.executable, "-m", "pytest", *modules, "--acp-base-url", base_url, "--acp-token", token,
               "--acp-max-examples", "3", "--acp-seed", "1234", "--acp-flows", "2", "-p", "no:cacheprovider",
               "-q", f"--junitxml={junit}", *extra]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    return result, ET.parse(junit).getroot()


def _counts(root: ET.Element) -> dict[str, int]:
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    return {key: sum(int(s.get(key, 0)) for s in suites) for key in ("tests", "failures", "errors", "skipped")}


def test_checkout_module_under_plain_pytest(served_merchant, tmp_path):
    base_url, token = served_merchant
    result, root = _pytest(["generated/v2025_09_29/conformance/test_agentic_checkout.py"], base_url, token,
                           tmp_path / "junit.xml")
    counts = _counts(root)
    assert result.returncode == 0, result.stdout[-4000:]
    # 5 operations x (positive, negative) + stateful + session flows, none skipped
    assert counts == {"tests": 12, "failures": 0, "errors": 0, "skipped": 0}
    names = {case.get("name") for case in root.iter("testcase")}
    assert "test_agentic_checkout[POST /checkout_sessions/{checkout_session_id}/complete-negative]" in names
    assert {"test_agentic_checkout_stateful", "test_agentic_checkout_session_flows"} <= names


def test_modules_under_xdist(served_merchant, tmp_path):
    pytest.importorskip("xdist")
    base_url, token = served_merchant
    result, root = _pytest(["generated/v2026_04_17/conformance/test_agentic_checkout.py",
                            "generated/v2025_09_29/conformance/test_delegate_payment.py"],
                           base_url, token, tmp_path / "junit.xml", "-n", "2")
    counts = _counts(root)
    assert result.returncode == 0, result.stdout[-4000:]
    assert counts == {"tests": 14, "failures": 0, "errors": 0, "skipped": 0}
    assert "bringing up nodes" in result.stdout  # really distributed over xdist workers


def test_without_a_target_the_module_skips(tmp_path):
    command = [sys.executable, "-m", "pytest", "generated/v2025_09_29/conformance/test_delegate_payment.py",
               "-p", "no:cacheprovider", "-q", "-rs"]
    env = {k: v for k, v in os.environ.items() if k != "ACPFORGE_BASE_URL"}
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0 and "no ACP target" in result.stdout
