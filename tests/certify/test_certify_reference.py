"""`acpforge certify` end to end against the reference merchant (real TLS on loopback).

A certifier that cannot fail proves nothing: each test-only fault of the
merchant must make exactly its checklist item fail, with evidence.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from acpforge.certify import embedded
from acpforge.certify.reports import write_all
from acpforge.certify.runner import run
from acpforge.cli import main


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    server, profile = embedded.start_reference(tmp_path_factory.mktemp("ref"))
    yield profile
    server.stop()


def certify(profile, version, **options):
    profile.api_version = version
    return run(profile, **options)


def failed_items(report) -> set[str]:
    return {i.id for i in report.items if i.status != "passed"}


@pytest.mark.parametrize("version", ["2025-09-29", "2026-04-17"])
def test_reference_merchant_passes_every_item_with_evidence(reference, version, tmp_path):
    report = certify(reference, version)
    assert failed_items(report) == set(), [(i.id, [c for c in i.checks if not c.passed]) for i in report.items]
    assert len(report.items) == 13 and report.passed
    paths = write_all(report, tmp_path)
    summary = json.loads(paths["summary"].read_text())
    assert summary["passed"] is True and summary["api_version"] == version
    evidence = [json.loads(line) for line in paths["evidence"].read_text().splitlines()]
    assert len(evidence) == len(report.exchanges) > 30
    for item in summary["items"]:
        assert item["status"] == "passed" and item["checks"] and item["section"]
        assert item["exchanges"], f"{item['id']} has no evidence"
        assert all(evidence[i]["scenario"] == item["id"] for i in item["exchanges"])
    text = paths["evidence"].read_text()
    for secret in (reference.bearer_token, reference.webhooks.secret, "4242424242424242", "4000000000000002", '"cvc": "123"'):
        assert secret not in text
    assert any(e["direction"] == "inbound" and "order_create" in json.dumps(e["request_body"]) for e in evidence)
    suite = ET.fromstring(paths["junit"].read_bytes())
    assert suite.get("tests") == "13" and suite.get("failures") == "0"


FAULTS = {
    "idempotency_off": "idempotency",
    "totals_not_recomputed": "shipping_update",
    "shipping_without_address": "session_creation",
    "webhook_wrong_secret": "order_events",
    "no_privacy_link": "legal_links",
    "out_of_stock_accepted": "error_out_of_stock",
    "declined_card_accepted": "error_payment_declined",
    "completion_status_wrong": "order_completion",
}


@pytest.mark.parametrize("fault, item", sorted(FAULTS.items()))
def test_each_fault_fails_exactly_its_item(tmp_path, fault, item):
    server, profile = embedded.start_reference(tmp_path, faults=[fault])
    profile.webhooks.wait_seconds = 3  # a refused delivery may park the order's later events
    try:
        report = certify(profile, "2026-04-17")
    finally:
        server.stop()
    assert failed_items(report) == {item}
    result = next(i for i in report.items if i.id == item)
    failing = [c for c in result.checks if not c.passed]
    assert failing and all(c.detail for c in failing)
    assert result.exchanges, "the failure must come with its request/response evidence"


def test_expect_chooses_which_disagreement_is_enforced(reference):
    checklist = certify(reference, "2026-04-17", expect="checklist", only=("order_completion", "delegate_payment", "idempotency"))
    assert failed_items(checklist) == {"order_completion", "idempotency"}
    detail = next(c.detail for i in checklist.items if i.id == "order_completion" for c in i.checks if c.name == "completion status")
    assert "saw 200" in detail and "checklist expects 201" in detail and "enforcing: checklist" in detail
    spec = certify(reference, "2026-04-17", expect="spec", only=("delegate_payment", "order_completion", "idempotency"))
    assert failed_items(spec) == set()


def test_checklist_expectations_pass_on_a_merchant_answering_201(tmp_path):
    server, profile = embedded.start_reference(tmp_path, completion_status=201)
    try:
        report = certify(profile, "2025-09-29", expect="checklist", only=("delegate_payment", "order_completion", "idempotency"))
    finally:
        server.stop()
    assert failed_items(report) == set()  # 2025-09-29 conflicts are 409 in both checklist and spec


def test_cli_certifies_an_external_url_with_a_profile(reference, tmp_path):
    profile_file = tmp_path / "merchant.toml"
    simulator = json.dumps(reference.webhooks.register_headers)[1:-1].replace(":", " =")
    profile_file.write_text(
        f'api_version = "2025-09-29"\nbearer_token = "{reference.bearer_token}"\n'
        f'[webhooks]\nsecret = "{reference.webhooks.secret}"\nregister_headers = {{ {simulator} }}\n'
        f'[order_update]\nheaders = {{ {simulator} }}\n'
        f'[tls]\nca_bundle = "{reference.tls.ca_bundle}"\n'
        f'[payment]\nmerchant_id = "{reference.payment.merchant_id}"\n'
    )
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["certify", "--base-url", reference.base_url, "--profile", str(profile_file),
                                       "--out", str(out), "--skip", "ip_egress"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] and summary["waived"] == ["ip_egress"]
    from acpforge.certify.scenarios import SCENARIOS

    assert {i["id"] for i in summary["items"]} == {s.id for s in SCENARIOS} - {"ip_egress"}


def test_cli_usage_errors_and_init(tmp_path):
    runner = CliRunner()
    init = runner.invoke(main, ["certify", "--init", str(tmp_path / "p.toml")])
    assert init.exit_code == 0 and "[payment.approve_card]" in (tmp_path / "p.toml").read_text()
    again = runner.invoke(main, ["certify", "--init", str(tmp_path / "p.toml")])
    assert again.exit_code == 2 and "refusing to overwrite" in again.output
    no_profile = runner.invoke(main, ["certify", "--base-url", "https://127.0.0.1:1"])
    assert no_profile.exit_code == 2 and "--base-url needs --profile" in no_profile.output
    unknown = runner.invoke(main, ["certify", "--only", "nonsense"])
    assert unknown.exit_code == 2 and "unknown item(s) nonsense" in unknown.output
    listed = runner.invoke(main, ["certify", "--list-items"])
    assert listed.exit_code == 0 and "order_events" in listed.output


def test_cli_exit_code_follows_the_verdict(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["certify", "--api-version", "2025-09-29", "--out", str(tmp_path / "ok")])
    assert ok.exit_code == 0, ok.output
    broken = runner.invoke(main, ["certify", "--api-version", "2025-09-29", "--fault", "no_privacy_link", "--out", str(tmp_path / "bad")])
    assert broken.exit_code == 1
    summary = json.loads((tmp_path / "bad" / "summary.json").read_text())
    assert summary["passed"] is False
    assert [i["id"] for i in summary["items"] if i["status"] == "failed"] == ["legal_links"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_report_renders_in_headless_chromium(reference, tmp_path, repo):
    report = certify(reference, "2026-04-17", expect="checklist", only=("legal_links", "delegate_payment", "order_completion"))
    page = write_all(report, tmp_path)["html"]
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    assert shot.stat().st_size > 10_000
    assert "FAILED</span>" in dom  # overall verdict, rendered
    assert "data-status=\"passed\"" in dom and "data-status=\"failed\"" in dom
    assert "saw 200" in dom
    keep = repo / "acpforge-report"
    keep.mkdir(exist_ok=True)
    shutil.copy(shot, keep / "report-screenshot.png")
