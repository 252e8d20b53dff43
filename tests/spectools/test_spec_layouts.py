"""Inputs: our layout, the shared copy's, the upstream repository's, single files; cross-file refs."""

from __future__ import annotations

import pytest
from spectools_support import FIXTURES, LINT_FIXTURES, lint_findings

from acpforge.spectools.sources import OPENAPI, InputError, Workspace, collect

UPSTREAM_FIXTURE = FIXTURES / "upstream"
VERSION = UPSTREAM_FIXTURE / "spec" / "2099-01-01"

EXPECTED = {
    ("example-invalid", "examples.shop.json", "/line_example/quantity"),
    ("example-invalid", "examples.shop.json", "/orders/1"),
    (
        "example-invalid",
        "openapi.shop.yaml",
        "/paths/~1carts/post/responses/201/content/application~1json/examples/too_few/value/lines/0/quantity",
    ),
    (
        "example-invalid",
        "openapi.shop_webhook.yaml",
        "/paths/~1webhooks~1order_events/post/requestBody/content/application~1json/examples/shipped/value/data/tracking",
    ),
}


def _summary(findings):
    return {(f.rule, f.file.rsplit("/", 1)[-1], f.pointer) for f in findings}


@pytest.mark.parametrize(
    "entry",
    [UPSTREAM_FIXTURE, UPSTREAM_FIXTURE / "spec", VERSION, VERSION / "openapi"],
    ids=["repo-root", "spec", "spec-version", "openapi-folder"],
)
def test_upstream_layout_brings_json_schema_and_examples_along(entry):
    assert _summary(lint_findings(entry)) == EXPECTED


def test_discovery_of_companions():
    (spec_set,) = collect([UPSTREAM_FIXTURE], Workspace())
    kinds = sorted((f.kind, f.path.name) for f in spec_set.files)
    assert kinds == [
        ("examples", "examples.shop.json"),
        ("jsonschema", "schema.shop.json"),
        ("openapi", "openapi.shop.yaml"),
        ("openapi", "openapi.shop_webhook.yaml"),
    ]
    assert spec_set.version == "2099-01-01"


def test_single_file_lints_only_that_file_but_follows_its_refs():
    findings = lint_findings(VERSION / "openapi" / "openapi.shop_webhook.yaml")
    assert _summary(findings) == {e for e in EXPECTED if e[1] == "openapi.shop_webhook.yaml"}


def test_json_schema_folder_and_examples_folder_alone():
    assert not lint_findings(VERSION / "json-schema")
    assert {
        (f.rule, f.pointer) for f in lint_findings(UPSTREAM_FIXTURE / "examples" / "2099-01-01")
    } == {
        ("example-invalid", "/line_example/quantity"),
        ("example-invalid", "/orders/1"),
    }


def test_each_file_is_loaded_once():
    ws = Workspace()
    collect([UPSTREAM_FIXTURE, VERSION / "openapi"], ws)
    paths = [doc.path for doc in ws.documents]
    assert len(paths) == len(set(paths)) == 4


def test_our_layout(tmp_path):
    for version in ("2099-01-01", "2099-06-01"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "openapi.shop.yaml").write_text(
            (LINT_FIXTURES / "syntax" / "good.yaml").read_text()
        )
    sets = collect([tmp_path], Workspace())
    assert [(s.version, [f.api for f in s.of_kind(OPENAPI)]) for s in sets] == [
        ("2099-01-01", ["shop"]),
        ("2099-06-01", ["shop"]),
    ]


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        collect([tmp_path / "missing"], Workspace())
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="not an OpenAPI document"):
        collect([tmp_path / "notes.txt"], Workspace())


def test_refs_between_bundles_by_id_resolve_to_the_sibling_file():
    # schema.a.json ($id https://.../v1/schema.a.json) refers to "schema.b.json#/$defs/B": relative to its $id
    findings = lint_findings(FIXTURES / "bundles" / "json-schema" / "schema.a.json")
    assert [(f.rule, f.pointer) for f in findings] == [
        ("example-invalid", "/$defs/A/examples/0/b/n")
    ]
