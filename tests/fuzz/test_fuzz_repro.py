"""Reproductions are redacted, map ids, re-mint tokens; the report files and JUnit are well formed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from acpforge.fuzz.report import FailureRecord, FuzzReport, junit_xml, write
from acpforge.fuzz.repro import Step, build_reproduction, refreshable_key

SECRET = "sk_live_0123456789abcdef"


def _build(steps, check="acp_flat_error"):
    return build_reproduction(steps, base_url="http://127.0.0.1:8123", version="2025-09-29",
                              api="delegate_payment", check=check, operation="POST /agentic_commerce/delegate_payment",
                              seed=42)


def test_card_data_tokens_and_credentials_never_appear():
    body = {"payment_method": {"type": "card", "number": "4242424242424242", "cvc": "123"},
            "allowance": {"checkout_session_id": "cs_1"}, "token": "vt_0123456789abcdef"}
    step = Step(method="POST", url="http://127.0.0.1:8123/agentic_commerce/delegate_payment",
                headers={"Authorization": f"Bearer {SECRET}", "Signature": "c2lnbmF0dXJl", "API-Version": "2025-09-29",
                         "Content-Type": "application/json", "Idempotency-Key": "k-1"},
                body=json.dumps(body).encode())
    repro = _build([step])
    for text in (repro.curl, repro.python):
        assert SECRET not in text and "4242424242424242" not in text and '"123"' not in text
        assert "vt_0123456789abcdef" not in text and "c2lnbmF0dXJl" not in text
        assert "************4242" in text
    assert '"Authorization: Bearer $ACPFORGE_TOKEN"' in repro.curl
    assert '"${ACPFORGE_BASE_URL:-http://127.0.0.1:8123}"/agentic_commerce/delegate_payment' in repro.curl
    assert "seed 42" in repro.curl and "seed 42" in repro.python
    compile(repro.python, "<snippet>", "exec")


def test_multi_step_reproductions_map_ids_and_mint_tokens():
    create = Step(method="POST", url="http://h/checkout_sessions", headers={"Idempotency-Key": "acpforge-flow-1"},
                  body=b'{"items": [{"id": "item_mug", "quantity": 1}]}',
                  response_ids=((("id",), "cs_old"), (("line_items", 0, "id"), "li_old")))
    mint = Step(method="POST", url="", mint={"session_id": "cs_old", "amount": 1450, "currency": "usd"})
    complete = Step(method="POST", url="http://h/checkout_sessions/cs_old/complete",
                    headers={"Idempotency-Key": "acpforge-flow-2"},
                    body=b'{"payment_data": {"token": "vt_minted_token_1", "provider": "stripe"}}',
                    minted_tokens=("vt_minted_token_1",))
    repro = _build([create, mint, complete], check="acp_session_flow")
    assert "learn([(['id'], 'cs_old'), (['line_items', 0, 'id'], 'li_old')], response_1)" in repro.python
    assert "payment_token = mint_token(BASE_URL, VERSION, ids.get('cs_old', 'cs_old'), 1450, 'usd'" in repro.python
    assert "'{{payment_token}}'" in repro.python and "vt_minted_token_1" not in repro.python
    assert "uuid.uuid4().hex[:12]  # fresh" in repro.python  # own keys are fresh on replay
    assert '"\\"$ACPFORGE_PAYMENT_TOKEN\\""' in repro.curl
    compile(repro.python, "<snippet>", "exec")


def test_non_json_bodies_are_replayed_verbatim():
    text = Step(method="POST", url="http://h/checkout_sessions", body=b"not json at all")
    binary = Step(method="POST", url="http://h/checkout_sessions", body=b"\xff\xfe\x00")
    assert "--data-binary 'not json at all'" in _build([text]).curl
    assert "base64 -d" in _build([binary]).curl and "base64.b64decode" in _build([binary]).python


def test_only_storable_keys_are_refreshed():
    assert refreshable_key("4f0b8c52-1f7e") and not refreshable_key("0" * 256) and not refreshable_key("")


def _report() -> FuzzReport:
    report = FuzzReport(seed=9, base_url="http://127.0.0.1:1", versions=["2025-09-29"], apis=["agentic_checkout"],
                        max_examples=10, workers=1, duration=1.5, requests=30)
    report.operation("2025-09-29", "agentic_checkout", "POST /checkout_sessions")
    report.operation("2025-09-29", "agentic_checkout", "GET /checkout_sessions/{checkout_session_id}")
    record = FailureRecord(version="2025-09-29", api="agentic_checkout", operation="POST /checkout_sessions",
                           check="not_a_server_error", title="Server error", message="Received: 500",
                           severity="critical", phase="fuzzing", seed=9, request={}, response={"status": 500},
                           curl="curl ...\n", python="print('x')\n")
    assert report.add_failure(record)
    duplicate = FailureRecord(**{**record.__dict__, "message": "Received: 500"})
    assert not report.add_failure(duplicate)
    return report


def test_junit_has_a_failure_per_finding_with_seed_and_reproduction():
    report = _report()
    root = ET.fromstring(junit_xml(report))
    suite = root.find("testsuite")
    assert suite.get("name") == "agentic_checkout 2025-09-29" and suite.get("tests") == "2" and suite.get("failures") == "1"
    failure = suite.find("testcase[@name='POST /checkout_sessions']/failure")
    assert failure.get("type") == "not_a_server_error"
    assert "seed: 9" in failure.text and "occurrences: 2" in failure.text and "curl ..." in failure.text
    assert suite.find("testcase[@name='GET /checkout_sessions/{checkout_session_id}']/failure") is None


def test_report_files(tmp_path):
    paths = write(_report(), tmp_path)
    assert json.loads(paths["json"].read_text())["failures"][0]["occurrences"] == 2
    assert sorted(p.name for p in paths["failures"].iterdir()) == [
        "001-not-a-server-error-2025-09-29.py", "001-not-a-server-error-2025-09-29.sh"]
    ET.parse(paths["junit"])
