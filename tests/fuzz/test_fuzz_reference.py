"""``acpforge fuzz`` against the reference merchant: short clean runs for every version, JUnit parsed.

The 1,000-example campaign is ``test_fuzz_campaign.py`` (marked slow).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from acpforge.cli import main
from acpforge.versions import SUPPORTED


def _fuzz(*args: str):
    return CliRunner().invoke(main, ["fuzz", "--no-progress", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def clean_run(served_merchant, tmp_path_factory):
    base_url, token = served_merchant
    out = tmp_path_factory.mktemp("fuzz-clean")
    result = _fuzz("--base-url", base_url, "--token", token, "--max-examples", "10", "--seed", "20260417",
                   "--flows", "6", "--out", str(out))
    return result, out


def test_every_version_fuzzes_clean(clean_run):
    result, out = clean_run
    report = json.loads((out / "report.json").read_text())
    summary = "\n".join(f["check"] + ": " + f["message"][:300] for f in report["failures"])
    assert result.exit_code == 0, result.output + summary
    assert report["ok"] and report["failures"] == [] and report["errors"] == []
    assert report["versions"] == list(SUPPORTED)
    assert report["seed"] == 20260417
    assert report["flows"] == 6 * len(SUPPORTED)
    assert report["tokens_minted"] >= 2  # flows that complete pay with real delegated tokens
    assert report["requests"] > 500
    phases = {p for op in report["operations"] for p in op["phases"]}
    assert {"examples", "coverage", "fuzzing", "stateful", "flows"} <= phases
    assert "no failures" in result.output and "seed 20260417" in result.output


def test_junit_report_is_valid_and_complete(clean_run):
    _, out = clean_run
    root = ET.parse(out / "junit.xml").getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0" and root.get("errors") == "0"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    for version in SUPPORTED:
        checkout = suites[f"agentic_checkout {version}"]
        names = {case.get("name") for case in checkout.findall("testcase")}
        assert "POST /checkout_sessions/{checkout_session_id}/complete" in names
        assert {"session flows", "stateful (spec links)"} <= names
        assert checkout.find("properties/property[@name='seed']").get("value") == "20260417"
        assert suites[f"delegate_payment {version}"].get("tests") == "1"
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
    assert not list(root.iter("failure"))
    assert not (out / "failures").exists()
