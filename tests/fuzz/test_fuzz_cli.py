"""The `acpforge fuzz` command line: progress bar with counts, usage errors, flow plans."""

from __future__ import annotations

from click.testing import CliRunner

from acpforge.cli import main
from acpforge.fuzz.flows import plan_flow


def test_progress_bar_shows_counts(served_merchant):
    base_url, token = served_merchant
    result = CliRunner().invoke(main, ["fuzz", "--base-url", base_url, "--token", token, "--api-version", "2025-09-29",
                                       "--api", "delegate_payment", "--phase", "examples", "--seed", "5"])
    assert "2025-09-29 delegate_payment" in result.output
    assert "requests" in result.output and "failures" in result.output
    assert "seed 5" in result.output


def test_usage_errors():
    runner = CliRunner()
    assert runner.invoke(main, ["fuzz", "--api-version", "2024-01-01"]).exit_code == 2
    assert runner.invoke(main, ["fuzz", "--base-url", "ftp://x"]).exit_code == 2
    assert runner.invoke(main, ["fuzz", "--base-url", "http://127.0.0.1:9", "--merchant-fault", "float_amounts"]).exit_code == 2
    assert runner.invoke(main, ["fuzz", "--address", "{not json"]).exit_code == 2
    assert "--max-examples" in runner.invoke(main, ["fuzz", "--help"]).output


def test_flow_plans_follow_the_seed():
    items = ("item_ebook", "item_tshirt", "item_poster")
    first = [plan_flow(1, "2025-09-29", i, items) for i in range(20)]
    assert first == [plan_flow(1, "2025-09-29", i, items) for i in range(20)]
    assert first != [plan_flow(2, "2025-09-29", i, items) for i in range(20)]
    assert {p.ending for p in first} >= {"complete", "cancel"}
    assert all(1 <= qty <= 2 and item in items for p in first for item, qty in p.items)
