"""Certifier building blocks, each able to fail: profile, oracle, expectations, egress, evidence, reports."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from acpforge.certify import arithmetic, egress, expectations, profile as profiles
from acpforge.certify.dialects import dialect
from acpforge.certify.evidence import Recorder, RecordingTransport
from acpforge.certify.reports import junit, render_html
from acpforge.certify.results import ItemResult
from acpforge.certify.runner import Report


def test_template_loads_and_env_values_resolve(tmp_path, monkeypatch):
    monkeypatch.setenv("ACP_MERCHANT_TOKEN", "tok_from_env")
    path = tmp_path / "merchant.toml"
    path.write_text(profiles.TEMPLATE)
    profile = profiles.load(path)
    assert profile.bearer_token == "tok_from_env"
    assert profile.items.out_of_stock == "item_sold_out"
    assert profile.payment.approve_card.number == "4242424242424242"
    assert profile.invalid_address.country == "ZZ"


@pytest.mark.parametrize(
    "text, message",
    [
        ("api_version = 2026", "api_version: expected str, got int"),
        ("[items]\ncolour = 'red'", r"items: unknown key\(s\) colour"),
        ("api_version = ", "invalid TOML"),
    ],
)
def test_profile_errors_name_the_key(tmp_path, text, message):
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(profiles.ProfileError, match=message):
        profiles.load(path)


def _session_v1(shipping=500, tax=200, total=None):
    lines = [{"id": "l1", "item": {"id": "a", "quantity": 2}, "base_amount": 2000, "discount": 0, "subtotal": 2000, "tax": 160, "total": 2160}]
    total = 2000 + shipping + tax if total is None else total
    return {
        "line_items": lines,
        "fulfillment_options": [{"type": "shipping", "id": "std", "title": "Std", "subtotal": 500, "tax": 40, "total": 540}],
        "fulfillment_option_id": "std",
        "totals": [
            {"type": "items_base_amount", "display_text": "", "amount": 2000},
            {"type": "subtotal", "display_text": "", "amount": 2000},
            {"type": "fulfillment", "display_text": "", "amount": shipping},
            {"type": "tax", "display_text": "", "amount": tax},
            {"type": "total", "display_text": "", "amount": total},
        ],
    }


def test_oracle_accepts_consistent_totals_and_names_each_inconsistency():
    consistent = _session_v1(shipping=540)
    assert arithmetic.problems(dialect("2025-09-29"), consistent) == []
    wrong_total = _session_v1(shipping=540, total=9999)
    assert any("totals.total 9999" in p for p in arithmetic.problems(dialect("2025-09-29"), wrong_total))
    stale_shipping = _session_v1(shipping=900)
    assert any("fulfillment 900 != selected option amount 540" in p for p in arithmetic.problems(dialect("2025-09-29"), stale_shipping))
    floats = _session_v1(shipping=540)
    floats["totals"][0]["amount"] = 20.0
    assert any("not an integer amount" in p for p in arithmetic.problems(dialect("2025-09-29"), floats))


def test_expectations_show_both_and_enforce_the_chosen_one():
    rule = expectations.completion_status(200)
    assert rule.accepts("either", 200)[0] and rule.accepts("either", 201)[0]
    assert not rule.accepts("checklist", 200)[0]
    ok, why = rule.accepts("spec", 201)
    assert not ok and "checklist expects 201" in why and "spec 200" in why and "saw 201" in why
    assert not rule.accepts("either", 202)[0]


def test_egress_compare_reports_missing_and_extra(tmp_path):
    published = tmp_path / "chatgpt-connectors.json"
    published.write_text(json.dumps({"creationTime": "2026-01-01", "prefixes": [
        {"ipv4Prefix": "127.0.0.0/30"}, {"ipv4Prefix": "127.0.1.0/24"}, {"ipv6Prefix": "::1/128"}]}))
    allowlist = tmp_path / "allow.txt"
    allowlist.write_text("127.0.0.0/31  # part of the first range\n127.0.1.0/24\n127.0.9.9/32\n")
    missing, extra = egress.compare(egress.load_networks(published), egress.load_networks(allowlist))
    assert [str(n) for n in missing] == ["127.0.0.0/30", "::1/128"]
    assert [str(n) for n in extra] == ["127.0.9.9/32"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"prefixes": [{"ipv4Prefix": "300.1.1.1/8"}]}')
    with pytest.raises(ValueError, match="bad.json"):
        egress.load_networks(bad)


def test_evidence_is_redacted_at_the_source():
    recorder = Recorder(scenario="s")

    def answer(request):
        return httpx.Response(201, json={"id": "vt_0123456789abcdef", "created": "now"})

    client = httpx.Client(transport=RecordingTransport(recorder, httpx.MockTransport(answer)))
    client.post("http://127.0.0.1:9/agentic_commerce/delegate_payment",
                json={"payment_method": {"number": "4242424242424242", "cvc": "123"}},
                headers={"Authorization": "Bearer sk_live_secret", "Signature": "c2lnbmF0dXJl"})
    dumped = json.dumps([e.to_json() for e in recorder.exchanges])
    for secret in ("4242424242424242", '"123"', "sk_live_secret", "vt_0123456789abcdef", "c2lnbmF0dXJl"):
        assert secret not in dumped
    assert "4242" in dumped  # last four kept for the reader
    assert recorder.exchanges[0].status == 201 and recorder.exchanges[0].scenario == "s"


def _report():
    good = ItemResult("legal_links", "Links", "Documentation and links")
    good.check("terms_of_use link present", True, "ok")
    bad = ItemResult("order_completion", "Complete", "Order completion")
    bad.check("completion status", False, "saw 202 (matches neither)")
    skipped = ItemResult("tls", "TLS", "Security and compliance", status="skipped")
    skipped.note("skipped: not https")
    return Report("2025-09-29", "http://127.0.0.1:1", "either", "2026-12-03T00:00:00+00:00", [good, bad, skipped], [])


def test_junit_and_html_carry_each_verdict_and_reason():
    root = ET.fromstring(junit(_report()))
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("skipped") == "1"
    failure = root.find("testcase[@name='order_completion']/failure")
    assert failure is not None and "saw 202" in failure.text
    page = render_html(_report())
    assert "id='overall'>FAILED<" in page
    assert "data-status='failed'" in page and "saw 202 (matches neither)" in page
    assert "checklist 201, spec 200" in page
