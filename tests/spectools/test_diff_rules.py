"""diff: each classification rule on a hand-made pair of specs, and what must not be reported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from spectools_support import DIFF_FIXTURES

from acpforge.cli import main
from acpforge.spectools.diff.engine import DiffOptions, diff
from acpforge.spectools.diff.rules import RULES
from acpforge.spectools.sources import InputError

OLD, NEW, SAME = DIFF_FIXTURES / "old", DIFF_FIXTURES / "new", DIFF_FIXTURES / "equivalent"

# (rule, pointer, breaking for clients, breaking for servers): every change the NEW fixture makes
EXPECTED = [
    ("operation-removed", "/paths/~1orders~1{id}~1cancel/post", True, False),
    ("operation-added", "/paths/~1orders~1{id}~1refund/post", False, True),
    (
        "request.parameter-now-required",
        "/paths/~1orders/post/parameters/header:Idempotency-Key",
        True,
        False,
    ),
    (
        "request.parameter-removed.required",
        "/paths/~1orders/post/parameters/header:Trace",
        False,
        True,
    ),
    (
        "request.parameter-added.optional",
        "/paths/~1orders/post/parameters/query:expand",
        False,
        False,
    ),
    (
        "request.property-added.required.closed",
        "/components/schemas/OrderCreate/properties/currency",
        True,
        True,
    ),
    (
        "request.property-added.optional.closed",
        "/components/schemas/OrderCreate/properties/coupon",
        False,
        True,
    ),
    ("request.property-removed", "/components/schemas/OrderCreate/properties/gift", True, False),
    ("request.constraint.narrowed", "/components/schemas/OrderCreate/properties/note", True, False),
    ("request.enum.widened", "/components/schemas/OrderCreate/properties/channel", False, True),
    ("request.type.narrowed", "/components/schemas/Item/properties/quantity", True, False),
    ("response.type.narrowed", "/components/schemas/Item/properties/quantity", False, True),
    ("response.enum.widened", "/components/schemas/Order/properties/status", True, False),
    ("response.enum.widened.open", "/components/schemas/Order/properties/kind", False, False),
    (
        "response.property-removed.closed",
        "/components/schemas/Order/properties/legacy_ref",
        True,
        True,
    ),
    ("response.property-now-optional", "/components/schemas/Order/properties/total", True, False),
    (
        "response.property-added.required.closed",
        "/components/schemas/Order/properties/created_at",
        True,
        True,
    ),
    (
        "response.header-removed",
        "/paths/~1orders/post/responses/201/headers/Request-Id",
        True,
        False,
    ),
    (
        "response.header-added.required",
        "/paths/~1orders/post/responses/201/headers/Location",
        False,
        True,
    ),
    ("response.status-added.covered", "/paths/~1orders/post/responses/409", False, False),
    ("response.status-removed", "/paths/~1orders~1{order_id}/get/responses/404", False, True),
    ("response.status-added", "/paths/~1orders~1{order_id}/get/responses/410", True, False),
    ("schema-renamed", "/components/schemas/PostalAddress", False, False),
    ("schema-added", "/components/schemas/Refund", False, False),
    ("schema-removed", "/components/schemas/Legacy", False, False),
]


@pytest.fixture(scope="module")
def result():
    return diff(OLD, NEW)


@pytest.mark.parametrize("rule, pointer, client, server", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_change_is_found_and_classified(result, rule, pointer, client, server):
    found = [c for c in result.changes if c.rule == rule and c.pointer == pointer]
    assert found, (
        f"{rule} at {pointer} not reported; got {[(c.rule, c.pointer) for c in result.changes]}"
    )
    change = found[0]
    assert (change.breaking_client, change.breaking_server) == (client, server)
    assert (RULES[rule].breaking_client, RULES[rule].breaking_server) == (client, server)


def test_nothing_else_is_reported(result):
    reported = {(c.rule, c.pointer) for c in result.changes}
    assert reported == {(r, p) for r, p, _, _ in EXPECTED}


def test_equivalent_rewrite_changes_nothing_on_the_wire():
    """allOf split, inlined component, renamed path parameter, header case, key order, descriptions."""
    changes = diff(OLD, SAME).changes
    wire = [(c.rule, c.pointer) for c in changes if not c.rule.startswith("schema-")]
    assert not wire
    assert {(c.rule, c.pointer.rsplit("/", 1)[-1]) for c in changes} == {
        ("schema-added", "OrderCore"),
        ("schema-removed", "OrderCreate"),
    }


def test_identical_specs_have_no_changes():
    assert diff(OLD, OLD).changes == []


def test_shared_component_is_reported_once_with_its_operations(result):
    (change,) = [c for c in result.changes if c.rule == "response.enum.widened"]
    assert change.operations == {"POST /orders", "GET /orders/{order_id}"}


def test_recursive_schema_terminates(result):
    # Order.parent refers to Order: the comparison must end and report Order's changes once
    assert len([c for c in result.changes if c.pointer.endswith("/legacy_ref")]) == 1


def test_tolerant_clients_downgrades_response_additions():
    strict = {c.rule for c in diff(OLD, NEW).changes}
    tolerant = diff(OLD, NEW, DiffOptions(tolerant_clients=True))
    assert "response.enum.widened" in strict
    rules = {c.rule for c in tolerant.changes}
    assert "response.enum.widened.tolerant" in rules and "response.enum.widened" not in rules
    assert "response.property-added.required" in rules  # still breaking for servers


def test_files_compare_whatever_their_names(tmp_path):
    renamed = tmp_path / "shop-v2.yaml"
    renamed.write_text((NEW / "openapi.shop.yaml").read_text())
    changes = diff(OLD / "openapi.shop.yaml", renamed).changes
    assert {c.rule for c in changes} == {r for r, *_ in EXPECTED}


def test_every_rule_is_classified_once():
    for rule in RULES.values():
        assert isinstance(rule.breaking_client, bool) and isinstance(rule.breaking_server, bool)
        assert rule.explanation


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_json_output_shape():
    document = json.loads(run("diff", str(OLD), str(NEW), "--format", "json").output)
    assert document["changes"]
    for change in document["changes"]:
        assert {
            "api",
            "kind",
            "pointer",
            "description",
            "breaking_client",
            "breaking_server",
        } <= set(change)
        assert change["rule"] in RULES
    assert document["summary"]["changes"] == len(document["changes"])


def test_markdown_is_a_migration_note():
    text = run("diff", str(OLD), str(NEW), "--format", "markdown").output
    assert text.startswith("# Migrating from API-Version 2099-01-01 to 2099-06-01")
    for heading in (
        "### Breaking for clients and servers",
        "### Breaking for clients",
        "### Breaking for servers",
        "### Non-breaking",
        "### Generated types",
    ):
        assert heading in text
    assert "**To do:** clients: send it" in text
    assert "Renamed: Address renamed to PostalAddress" in text


def test_fail_on_breaking():
    assert run("diff", str(OLD), str(NEW), "--fail-on", "breaking").exit_code == 1
    assert run("diff", str(OLD), str(SAME), "--fail-on", "breaking").exit_code == 0
    assert run("diff", str(OLD), str(NEW)).exit_code == 0


def test_bad_input_is_exit_2_without_traceback(tmp_path):
    result = run("diff", "/no/such/dir", str(NEW))
    assert (
        result.exit_code == 2
        and "no such file or directory" in result.output
        and "Traceback" not in result.output
    )
    several = tmp_path / "versions"
    for version in ("2099-01-01", "2099-06-01"):
        (several / version).mkdir(parents=True)
        (several / version / "openapi.shop.yaml").write_text(
            (OLD / "openapi.shop.yaml").read_text()
        )
    result = run("diff", str(several), str(NEW))
    assert result.exit_code == 2 and "several versions" in result.output


def test_unreadable_file_is_reported_and_exit_2(tmp_path):
    broken = tmp_path / "2099-06-01"
    broken.mkdir()
    (broken / "openapi.shop.yaml").write_text("openapi: 3.1.0\npaths: {\n")
    result = run("diff", str(OLD), str(broken))
    assert result.exit_code == 2 and "cannot be read" in result.output


def test_unknown_api_is_rejected():
    with pytest.raises(InputError):
        diff(OLD, NEW, DiffOptions(apis=("nope",)))
