"""Fault flags of the reference merchant that fuzzing must expose, each with a working reproduction.

For every fault: a short, focused run finds at least one failure of the matching check; its
Python snippet, executed against the same (still faulty) merchant, raises ``REPRODUCED``; its
curl command, run by ``sh``, shows the failing answer; and neither carries the bearer token.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from acpforge.fuzz.runner import FuzzOptions, reference_merchant, run

CREATE = ("POST /checkout_sessions",)

# fault -> (API-Version, check that must fail, run options, what the curl output shows)
CASES = {
    "malformed_address_500": ("2026-04-17", "not_a_server_error", {"operations": CREATE, "phases": ("fuzzing",)},
                              "HTTP/1.1 500"),
    "float_amounts": ("2025-09-29", "acp_amounts_minor_units", {"operations": CREATE, "phases": ("fuzzing",)},
                      ".0,"),
    "idempotency_key_not_echoed": ("2025-09-29", "acp_idempotency_key_echoed",
                                   {"operations": CREATE, "phases": ("fuzzing",)}, "HTTP/1.1"),
    "completion_status_wrong": ("2026-04-17", "acp_session_flow", {"phases": ("flows",), "flows": 4},
                                "HTTP/1.1 201"),
}


@pytest.mark.parametrize("fault", sorted(CASES))
def test_fault_is_found_with_a_reproduction_that_reproduces(fault, replay_env, run_snippet):
    version, check, extra, curl_shows = CASES[fault]
    with reference_merchant((fault,)) as (base_url, token):
        options = FuzzOptions(base_url=base_url, token=token, versions=(version,), apis=("agentic_checkout",),
                              max_examples=20, seed=7, **extra)
        report = run(options)
        found = [f for f in report.failures if f.check == check]
        assert found, f"{fault}: no {check} failure; got {[f.summary() for f in report.failures]}"
        failure = found[0]
        assert failure.seed == 7 and failure.version == version
        assert token not in failure.curl and token not in failure.python and token not in str(failure.request)
        assert '"Authorization: Bearer $ACPFORGE_TOKEN"' in failure.curl
        assert failure.request["headers"]["Authorization"] == "Bearer ***"

        env = replay_env(base_url, token)
        reproduced = run_snippet(failure.python)
        assert reproduced is not None and reproduced.startswith(f"REPRODUCED {check}"), reproduced

        if shutil.which("curl") and shutil.which("sh"):
            result = subprocess.run(["sh", "-c", failure.curl], capture_output=True, text=True, env=env, timeout=60)
            assert result.returncode == 0, result.stderr
            assert curl_shows in result.stdout, result.stdout[:500]
            if fault == "idempotency_key_not_echoed":
                assert "idempotency-key:" not in result.stdout.lower()


def test_float_amounts_are_found_in_the_other_version_too():
    with reference_merchant(("float_amounts",)) as (base_url, token):
        report = run(FuzzOptions(base_url=base_url, token=token, versions=("2026-04-17",), apis=("agentic_checkout",),
                                 phases=("flows",), flows=2, seed=11))
    assert {"acp_amounts_minor_units", "acp_totals_add_up"} <= {f.check for f in report.failures}
