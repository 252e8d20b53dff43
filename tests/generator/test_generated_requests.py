"""Generation works on every released upstream version and on ours, the modules import,
and each generated client builds a schema-valid request for every operation.

Request bodies come from Schemathesis' own generator for the operation (so
they are valid by the spec, not by our models); the generated client sends
them through an httpx MockTransport, and what went on the wire is checked
against the spec with a JSON Schema validator, headers included.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import httpx
import jsonschema
import pytest
import referencing
import schemathesis
from hypothesis import HealthCheck, given, settings
from referencing.jsonschema import DRAFT202012

from acpforge.generator import pipeline
from acpforge.generator.model import IGNORED_HEADERS

from testsupport import SPECS, UPSTREAM

SOURCES = {"ours": SPECS, "upstream": UPSTREAM}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def generated(request, tmp_path_factory):
    root = SOURCES[request.param]
    if not root.is_dir():
        pytest.skip(f"{root} not present")
    result = pipeline.run(root)
    out = tmp_path_factory.mktemp(f"gen-{request.param}")
    for rel, content in result.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(content)
    sys.path.insert(0, str(out))
    yield request.param, out, result
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m.startswith("v20")]:
        del sys.modules[name]


def _apis(out: Path):
    for version_dir in sorted(out.glob("v*")):
        conformance = version_dir / "conformance"
        for bundle in sorted(conformance.glob("*.openapi.json")):
            yield version_dir.name, bundle.name.removesuffix(".openapi.json"), bundle


def test_every_version_generates_and_imports(generated):
    source, out, result = generated
    expected = [p.name for p in sorted(SOURCES[source].iterdir()) if p.is_dir() and any(p.glob("openapi.*.yaml"))]
    assert result.versions == expected
    for version in result.versions:
        for api in result.apis[version]:
            module = importlib.import_module(f"{pipeline.package_name(version)}.{api}")
            assert module.OPERATIONS, f"{version}/{api} has no operations"
            assert hasattr(module, "create_app")


def test_clients_build_schema_valid_requests_for_every_operation(generated):
    _, out, _ = generated
    checked = 0
    for package, api, bundle_path in _apis(out):
        document = json.loads(bundle_path.read_text())
        module = importlib.import_module(f"{package}.{api}")
        client_class = getattr(module.client, module.client.__all__[0])
        schema = schemathesis.openapi.from_dict(document)
        registry = referencing.Registry().with_resource("urn:spec", DRAFT202012.create_resource(document))
        for result in schema.get_all_operations():
            operation = result.ok()
            raw = document["paths"][operation.path][operation.method.lower()]
            captured: list[httpx.Request] = []

            def answer(request: httpx.Request) -> httpx.Response:
                captured.append(request)
                return httpx.Response(599)

            http = httpx.Client(transport=httpx.MockTransport(answer))
            client = client_class("http://127.0.0.1:9", http_client=http, bearer_token="t")
            method = getattr(client, pipeline.model.snake(raw["operationId"]))
            cases = []

            @given(operation.as_strategy())
            @settings(max_examples=5, database=None, deadline=None, suppress_health_check=list(HealthCheck))
            def collect(case):
                cases.append(case)

            collect()
            case = cases[-1]
            args = [case.path_parameters[name] for name in (case.path_parameters or {})]
            if raw.get("requestBody") and type(case.body).__name__ != "NotSet":
                args.append(case.body)
            with pytest.raises(module.client.ACPClientError):
                method(*args)
            request = captured[-1]
            assert request.headers.get("API-Version") == package[1:].replace("_", "-")
            assert request.headers["Authorization"] == "Bearer t"
            for param in raw.get("parameters", []):
                param = _deref(document, param)
                if param["in"] == "header" and param.get("required") and param["name"].lower() not in IGNORED_HEADERS:
                    assert param["name"] in request.headers, f"{raw['operationId']}: {param['name']} not sent"
            body_spec = (raw.get("requestBody") or {}).get("content", {}).get("application/json")
            if body_spec and request.content:
                sent = json.loads(request.content)
                validator = jsonschema.Draft202012Validator(
                    {"$ref": "urn:spec#/components/schemas/" + body_spec["schema"]["$ref"].rsplit("/", 1)[1]},
                    registry=registry,
                )
                problems = [e.message for e in validator.iter_errors(sent)]
                assert not problems, f"{package}/{api} {raw['operationId']}: {problems[:3]}"
                # exactly the fields the caller set (values may be re-serialised, e.g. date-times)
                assert _shape(sent) == _shape(case.body), "client added or dropped fields"
            checked += 1
    assert checked >= 5


def _shape(value):
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return "null" if value is None else "value"


def _deref(document: dict, node: dict) -> dict:
    while "$ref" in node:
        target = document
        for token in node["$ref"].lstrip("#/").split("/"):
            target = target[token]
        node = target
    return node
