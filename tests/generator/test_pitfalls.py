"""What other generators get wrong on the ACP specs, and ours must get right.

One test per trap named in the generator issue: typed (date-time) headers,
EmailStr, untagged inline unions, silently dropped if/then, cross-file
references, null versus absent, and open enums.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from acpforge.generator import pipeline
from acpforge.runtime.client import encode_body
from acpforge.runtime.enums import lenient_enums

from testsupport import SPECS

FIXTURE = Path(__file__).parent / "fixtures" / "mini"
VERSIONS = sorted(p.name for p in SPECS.iterdir() if p.is_dir() and (p / "openapi.agentic_checkout.yaml").exists())


def package(version: str):
    import importlib

    return importlib.import_module(f"acpforge.generated.{pipeline.package_name(version)}")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_is_generated_with_typed_headers(version):
    """openapi-python-client drops every ACP operation over the optional date-time Timestamp header."""
    import importlib

    for spec_file in sorted((SPECS / version).glob("openapi.*.yaml")):
        api = spec_file.name.split(".")[1]
        spec = yaml.safe_load(spec_file.read_text())
        operation_ids = {op["operationId"] for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op}
        module = importlib.import_module(f"acpforge.generated.{pipeline.package_name(version)}.{api}")
        assert sorted(module.OPERATIONS) == sorted(operation_ids)
        client_class = getattr(module.client, module.client.__all__[0])
        for operation_id in operation_ids:
            method = getattr(client_class, pipeline.model.snake(operation_id))
            hints = typing.get_type_hints(method, vars(module.client))
            if "timestamp" in hints:
                assert datetime in typing.get_args(hints["timestamp"]), f"{operation_id}: Timestamp is not a datetime"


def test_models_import_without_email_validator(tmp_path):
    """datamodel-codegen's default EmailStr needs the optional email-validator package."""
    result = pipeline.run(FIXTURE)
    models = result.files["v2025_01_01/shop/models.py"].decode()
    assert "EmailStr" not in models and "email: str | None" in models
    for rel, content in result.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(content)
    blocker = "import sys; sys.modules['email_validator'] = None; sys.path.insert(0, sys.argv[1]); import v2025_01_01.shop.models"
    run = subprocess.run([sys.executable, "-c", blocker, str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_inline_one_of_arrays_are_tagged_unions():
    """Untagged unions try branches in order; a `type` discriminator picks the right one."""
    models = package("2025-09-29").agentic_checkout.models
    assert "list[CheckoutSessionBaseMessages]" in str(models.CheckoutSessionBase.model_fields["messages"].annotation)
    root = models.CheckoutSessionBaseMessages
    assert root.model_fields["root"].discriminator == "type"
    parsed = root.model_validate({"type": "error", "code": "out_of_stock", "content_type": "plain", "content": "gone"})
    assert type(parsed.root).__name__ == "MessageError"
    with pytest.raises(ValidationError) as caught:
        root.model_validate({"type": "nonsense", "content": "?"})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"
    fixture_models = pipeline.run(FIXTURE).files["v2025_01_01/shop/models.py"].decode()
    # inline branches were hoisted into named classes and tagged as well
    assert 'root: OrderOptionsPickup | OrderOptionsDelivery = Field(..., discriminator="type")' in fixture_models


def test_if_then_is_reported_not_dropped_silently():
    result = pipeline.run(FIXTURE)
    messages = [str(w) for w in result.warnings]
    assert any("/components/schemas/Contact/if" in m and "not enforced" in m for m in messages)
    assert any("/components/schemas/Contact/then" in m for m in messages)


def test_cross_file_reference_resolves():
    result = pipeline.run(FIXTURE)
    webhook_models = result.files["v2025_01_01/shop_webhook/models.py"].decode()
    assert "class Order(BaseModel):" in webhook_models
    assert "data: Order" in webhook_models


def test_upstream_webhook_cross_file_order_resolves(upstream_specs):
    result = pipeline.run(upstream_specs, ("2026-04-17",))
    webhook_models = result.files["v2026_04_17/agentic_checkout_webhook/models.py"].decode()
    assert "class Order(BaseModel):" in webhook_models
    assert not [w for w in result.warnings if "agentic_checkout_webhook" in str(w.location.file) and w.code == "unresolvable-ref"]


def test_null_and_absent_stay_different_on_the_wire():
    models = package("2025-09-29").agentic_checkout.models
    body = encode_body({"fulfillment_address": None}, models.CheckoutSessionUpdateRequest)
    assert body == b'{"fulfillment_address":null}'
    assert encode_body({}, models.CheckoutSessionUpdateRequest) == b"{}"
    model = models.CheckoutSessionUpdateRequest(items=[models.Item(id="a", quantity=1)])
    assert encode_body(model, models.CheckoutSessionUpdateRequest) == b'{"items":[{"id":"a","quantity":1}]}'


def test_open_enums_are_lenient_for_responses_only():
    models = package("2025-09-29").agentic_checkout.models
    total = {"type": "loyalty_points", "display_text": "Points", "amount": 5}
    with pytest.raises(ValidationError):
        models.Total.model_validate(total)  # a server must reject what the spec does not list
    with lenient_enums():
        assert models.Total.model_validate(total).type == "loyalty_points"
    assert inspect.isclass(models.Total.model_fields["type"].annotation)
