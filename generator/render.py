"""Render one API's files: models through datamodel-code-generator, the rest through Jinja2.

Every file starts with the same header (spec file, its sha256, tool
versions) and nothing that changes between runs or machines: no
timestamps, no absolute paths, sorted iteration everywhere.
"""

from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from typing import Any

import jinja2

from .errors import SpecError, SpecLocation, SpecProblem
from .model import ApiModel
from .resolve import Bundle

OPEN_ENUM_BASE = "acpforge.runtime.enums.OpenStrEnum"


@dataclass(frozen=True)
class Meta:
    acpforge: str
    tools: str


@lru_cache(maxsize=1)
def meta() -> Meta:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - broken install
            return "unknown"

    tools = ", ".join(f"{name} {version(name)}" for name in ("datamodel-code-generator", "jinja2", "ruff"))
    return Meta(acpforge=version("acpforge"), tools=tools)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("acpforge.templates")))
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(meta=meta(), **context)


def header(api: ApiModel) -> str:
    return render_template("_header.jinja", api=api).rstrip("\n")


def render_models(bundle: Bundle, api: ApiModel) -> str:
    """Pydantic v2 models of every component schema, via datamodel-code-generator's Python API."""
    from datamodel_code_generator import DataModelType, InputFileType, PythonVersion, generate

    text = json.dumps(open_objects(copy.deepcopy(bundle.document)), sort_keys=False, ensure_ascii=False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            output = generate(
                text,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                custom_file_header=header(api),
                disable_timestamp=True,
                # Wire names stay field names: what you read in the spec is what you type.
                snake_case_field=False,
                field_constraints=True,
                use_standard_collections=True,
                use_union_operator=True,
                use_double_quotes=True,
                keep_model_order=True,
                parent_scoped_naming=True,
                read_unevaluated_properties=True,
                strict_nullable=True,
                # Tag values (``type: const``) stay Literals, so unions can use them.
                enum_field_as_literal="one",
                open_enums="all",
                open_enum_base_class_map={"StrEnum": OPEN_ENUM_BASE},
                use_subclass_enum=True,
                # EmailStr needs the optional email-validator package; URL types rewrite
                # what they parse (a trailing slash), so both stay plain strings.
                type_mappings=["email=string", "idn-email=string", "uri=string", "uri-reference=string"],
                formatters=[],
            )
    except Exception as exc:  # datamodel-code-generator raises many kinds
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SpecError(
            SpecProblem(SpecLocation(bundle.source.path), f"model generation failed: {reason}", "models")
        ) from None
    for warning in caught:
        bundle.warnings.append(
            SpecProblem(SpecLocation(bundle.source.path), f"datamodel-code-generator: {warning.message}", "models")
        )
    if not isinstance(output, str):
        raise SpecError(SpecProblem(SpecLocation(bundle.source.path), "model generation produced no module", "models"))
    _check_names(bundle, api, output)
    return output


def open_objects(node: Any) -> Any:
    """Spell out JSON Schema's default ``additionalProperties: true`` on every object schema.

    datamodel-code-generator otherwise gives open objects pydantic's default
    ``extra="ignore"``, which silently drops fields a caller set.  This is
    done on the copy handed to the model generator only: in the bundled spec
    it would change what ``unevaluatedProperties: false`` closes.
    """
    if isinstance(node, dict):
        is_object = node.get("type") == "object" or "properties" in node
        if is_object and "additionalProperties" not in node and "unevaluatedProperties" not in node:
            node["additionalProperties"] = True
        for value in node.values():
            open_objects(value)
    elif isinstance(node, list):
        for value in node:
            open_objects(value)
    return node


def _check_names(bundle: Bundle, api: ApiModel, models_source: str) -> None:
    """Every class the templates name must exist in the models module."""
    wanted = {op.request_model for op in api.operations} | {
        r.model for op in api.operations for r in op.responses
    }
    missing = sorted(name for name in wanted if name and f"class {name}(" not in models_source)
    if missing:
        raise SpecError(
            SpecProblem(
                SpecLocation(bundle.source.path),
                f"schemas {', '.join(missing)} did not become model classes (rename them to valid identifiers)",
                "models",
            )
        )
