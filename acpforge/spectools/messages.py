"""Short, one-line descriptions of JSON Schema validation errors."""

from __future__ import annotations

import json
from typing import Any

from jsonschema.exceptions import ValidationError, best_match


def short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_path(path) -> str:
    out = "$"
    for part in path:
        out += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if str(part).isidentifier() else f"[{json.dumps(part)}]")
        )
    return out


def _values(values: list, limit: int = 8) -> str:
    shown = ", ".join(short(v, 30) for v in values[:limit])
    return f"[{shown}{', …' if len(values) > limit else ''}]"


def describe(error: ValidationError) -> str:
    """What is wrong, without dumping the whole instance."""
    validator, value, instance = error.validator, error.validator_value, error.instance
    if validator == "type":
        expected = value if isinstance(value, list) else [value]
        return f"{short(instance)} is not of type {' or '.join(map(str, expected))}"
    if validator == "enum":
        return f"{short(instance)} is not one of {_values(list(value))}"
    if validator == "const":
        return f"{short(instance)} is not the constant {short(value)}"
    if validator in ("oneOf", "anyOf"):
        if error.context:
            deepest = best_match(error.context)
            where = json_path(deepest.relative_path)
            detail = describe(deepest)
            if validator == "oneOf" and "valid under each of" in error.message:
                return f"matches more than one branch of oneOf ({short(instance)})"
            return f"matches none of the {len(value)} branches of {validator}; closest: {where}: {detail}"
        if validator == "oneOf":
            return f"matches more than one branch of oneOf ({short(instance)})"
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return f"{short(instance)} violates {validator} {value}"
    if validator in (
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ):
        return f"{short(instance)} violates {validator} {value}"
    if validator == "pattern":
        return f"{short(instance)} does not match pattern {value!r}"
    if validator == "format":
        return f"{short(instance)} is not a valid {value}"
    message = error.message.splitlines()[0]
    return message if len(message) <= 200 else message[:199] + "…"
