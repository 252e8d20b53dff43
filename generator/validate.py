"""Check a spec with openapi-spec-validator and say where each problem is.

Only what makes generation impossible is fatal (not an OpenAPI 3.x document,
no operations).  Everything the validator reports is a warning with
``file:line``: the published ACP files carry such defects (boolean
``exclusiveMinimum``, broken references) and users must still be able to
generate from them; ``acpforge lint`` is the place to insist.
"""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from .errors import SpecError, SpecProblem
from .load import LoadedDocument, pointer_of


def check_structure(document: LoadedDocument) -> None:
    """Raise SpecError when the file cannot be an API description at all."""
    data = document.data
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(
            SpecProblem(document.location("/openapi"), f"not an OpenAPI 3.x document (openapi: {version!r})", "structure")
        )
    if not isinstance(data.get("paths"), dict) and not isinstance(data.get("webhooks"), dict):
        raise SpecError(SpecProblem(document.location(""), "no 'paths' and no 'webhooks': nothing to generate", "structure"))


def validate(document: LoadedDocument) -> list[SpecProblem]:
    """Warnings from openapi-spec-validator, each located at its file line."""
    check_structure(document)
    validator_class = OpenAPIV31SpecValidator if document.data["openapi"].startswith("3.1") else OpenAPIV30SpecValidator
    problems: list[SpecProblem] = []
    try:
        for error in validator_class(document.data, base_uri=document.uri).iter_errors():
            pointer = _document_pointer(document, pointer_of(getattr(error, "absolute_path", ())))
            message = getattr(error, "message", str(error)).splitlines()[0]
            problems.append(SpecProblem(document.location(pointer), f"OpenAPI: {message}", "openapi-validity"))
    except Exception as exc:  # the validator stops at the first unresolvable reference
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(SpecProblem(document.location(""), f"OpenAPI validation stopped: {reason}", "openapi-validity"))
    return problems


def _document_pointer(document: LoadedDocument, pointer: str) -> str:
    """The validator reports paths inside the sub-schema it checked; find that place in the file."""
    if not pointer or pointer in document.lines:
        return pointer
    matches = sorted(p for p in document.lines if p.endswith(pointer))
    return matches[0] if len(matches) == 1 else pointer
