"""How each change is classified.

Roles are the HTTP roles: the **client** sends requests (the agent
platform calling the checkout and delegate-payment APIs; the merchant
posting order events to the webhook receiver), the **server** answers them.

The principle, applied mechanically to every change:

* A change is **breaking for clients** when a client built from OLD, talking
  to a server built from NEW, can fail: NEW rejects or ignores a request OLD
  allowed (the request side *narrowed*), or NEW may answer with a response
  OLD did not allow (the response side *widened*).
* A change is **breaking for servers** when a server built from OLD, talking
  to a client built from NEW, can fail: NEW clients may send a request OLD
  did not allow (the request side *widened*), or NEW clients rely on a
  response OLD servers do not give (the response side *narrowed*).

An object that does not close itself (`additionalProperties` absent) is
assumed to ignore properties it does not know, so adding an optional
property is breaking for the receiving side only when its OLD schema was
closed (`additionalProperties: false`) and would reject the property.
`--tolerant-clients` tells the classifier that clients ignore unknown
response properties and unknown enum values whatever the schema says.
A new enum value in a response is breaking for clients unless the OLD enum
was documented as open (its description says unknown values must be
accepted, or it carries `x-extensible-enum` / `x-open-enum`): clients were
told to expect new values.  Renamed, added and removed component schemas
change no byte on the wire; they are listed for the teams that regenerate
bindings, because generated type names change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiffRule:
    id: str
    breaking_client: bool
    breaking_server: bool
    explanation: str
    advice: str = ""


RULES: dict[str, DiffRule] = {}


def _add(id: str, client: bool, server: bool, explanation: str, advice: str = "") -> None:
    RULES[id] = DiffRule(id, client, server, explanation, advice)


def effect_flags(direction: str, effect: str) -> tuple[bool, bool]:
    """(breaking_client, breaking_server) of a narrowing / widening / incompatible change."""
    narrow = effect in ("narrowed", "changed")
    widen = effect in ("widened", "changed")
    if direction == "request":
        return narrow, widen
    return widen, narrow


_EFFECT_TEXT = {
    "narrowed": "accepts fewer values than before",
    "widened": "accepts more values than before",
    "changed": "accepts different values (neither a subset nor a superset)",
}
_ASPECTS = {
    "type": "the JSON type",
    "enum": "the enum values",
    "const": "the constant",
    "constraint": "a length, bound, pattern, format or uniqueness constraint",
    "additional-properties": "whether unknown properties are allowed",
    "branch": "the oneOf/anyOf alternatives",
    "schema": "the schema (a boolean schema or an unresolvable part)",
}
_ADVICE = {
    ("request", "narrowed"): "clients: stop sending values the new schema rejects",
    ("request", "widened"): "servers: accept and handle the new values",
    ("request", "changed"): "clients and servers: both sides must move together",
    ("response", "narrowed"): "servers: stop sending values the new schema rejects",
    ("response", "widened"): "clients: handle the new values",
    ("response", "changed"): "clients and servers: both sides must move together",
}
for _direction in ("request", "response"):
    for _aspect, _what in _ASPECTS.items():
        for _effect, _text in _EFFECT_TEXT.items():
            _client, _server = effect_flags(_direction, _effect)
            _add(
                f"{_direction}.{_aspect}.{_effect}",
                _client,
                _server,
                f"{_direction} side: {_what} changed, so it {_text}",
                _ADVICE[(_direction, _effect)],
            )

_add(
    "response.enum.widened.open",
    False,
    False,
    "response side: new enum values, but the old enum was documented as open (clients accept unknown values)",
    "clients: nothing to do if they already accept unknown values, as documented",
)
_add(
    "response.enum.widened.tolerant",
    False,
    False,
    "response side: new enum values; --tolerant-clients says clients accept unknown values",
)

# properties
_add(
    "request.property-added.optional",
    False,
    False,
    "request side: new optional property; old servers ignore it (their schema was open)",
    "servers: implement it",
)
_add(
    "request.property-added.optional.closed",
    False,
    True,
    "request side: new optional property; old servers reject it (their schema was closed)",
    "servers: accept it",
)
_add(
    "request.property-added.required",
    True,
    False,
    "request side: new required property; old clients do not send it",
    "clients: send it",
)
_add(
    "request.property-added.required.closed",
    True,
    True,
    "request side: new required property; old clients do not send it and old servers reject it",
    "clients: send it; servers: accept it",
)
_add(
    "request.property-removed",
    True,
    False,
    "request side: property removed; old clients still send it and the new server rejects or ignores it",
    "clients: stop sending it",
)
_add(
    "request.property-now-required",
    True,
    False,
    "request side: optional property became required; old clients may omit it",
    "clients: always send it",
)
_add(
    "request.property-now-optional",
    False,
    True,
    "request side: required property became optional; old servers assume it is present",
    "servers: handle its absence",
)
_add(
    "response.property-added.optional",
    False,
    False,
    "response side: new optional property in an open object; old clients ignore it",
)
_add(
    "response.property-added.optional.closed",
    True,
    False,
    "response side: new optional property in an object that was closed; strict old clients reject it",
    "clients: regenerate (or accept unknown properties)",
)
_add(
    "response.property-added.required",
    False,
    True,
    "response side: new required property; old servers do not send it",
    "servers: send it",
)
_add(
    "response.property-added.required.closed",
    True,
    True,
    "response side: new required property in an object that was closed: strict old clients reject it and old servers do not send it",
    "clients: regenerate; servers: send it",
)
_add(
    "response.property-removed",
    True,
    False,
    "response side: property removed; old clients that read it get nothing",
    "clients: stop reading it",
)
_add(
    "response.property-removed.closed",
    True,
    True,
    "response side: property removed from a closed object; old clients lose it, and new strict clients reject old servers that still send it",
    "clients: stop reading it; servers: stop sending it",
)
_add(
    "response.property-now-required",
    False,
    True,
    "response side: optional property became required; old servers may omit it",
    "servers: always send it",
)
_add(
    "response.property-now-optional",
    True,
    False,
    "response side: required property became optional; old clients assume it is present",
    "clients: handle its absence",
)
_add(
    "deprecated",
    False,
    False,
    "marked deprecated: still works, planned for removal",
    "stop using it before it is removed",
)

# parameters (request headers, query, path, cookie) and response headers
_add(
    "request.parameter-added.required",
    True,
    False,
    "new required request parameter; old clients do not send it",
    "clients: send it",
)
_add(
    "request.parameter-added.optional",
    False,
    False,
    "new optional request parameter; old servers ignore it",
    "servers: implement it",
)
_add(
    "request.parameter-removed.required",
    False,
    True,
    "required request parameter removed; old servers still require it from new clients",
    "servers: stop requiring it",
)
_add(
    "request.parameter-removed.optional",
    False,
    False,
    "optional request parameter removed; old clients' value is ignored",
)
_add(
    "request.parameter-now-required",
    True,
    False,
    "request parameter became required; old clients may omit it",
    "clients: always send it",
)
_add(
    "request.parameter-now-optional",
    False,
    True,
    "request parameter became optional; old servers require it",
    "servers: handle its absence",
)
_add(
    "response.header-added.required",
    False,
    True,
    "new required response header; old servers do not send it",
    "servers: send it",
)
_add("response.header-added.optional", False, False, "new optional response header")
_add(
    "response.header-removed",
    True,
    False,
    "response header removed; old clients that read it get nothing",
    "clients: stop reading it",
)
_add(
    "response.header-now-required",
    False,
    True,
    "response header became required; old servers may omit it",
    "servers: always send it",
)
_add(
    "response.header-now-optional",
    True,
    False,
    "response header became optional; old clients assume it is present",
    "clients: handle its absence",
)

# bodies and media types
_add(
    "request.body-added.required",
    True,
    False,
    "operation now requires a request body; old clients send none",
    "clients: send it",
)
_add("request.body-added.optional", False, False, "operation now accepts an optional request body")
_add(
    "request.body-removed",
    True,
    False,
    "request body removed; old clients still send one",
    "clients: stop sending it",
)
_add(
    "request.body-now-required",
    True,
    False,
    "request body became required; old clients may omit it",
    "clients: always send it",
)
_add(
    "request.body-now-optional",
    False,
    True,
    "request body became optional; old servers require it",
    "servers: handle its absence",
)
_add(
    "request.media-type-added",
    False,
    True,
    "request accepts a new media type; old servers do not",
    "servers: accept it",
)
_add(
    "request.media-type-removed",
    True,
    False,
    "request media type removed; old clients still send it",
    "clients: switch media type",
)
_add(
    "response.media-type-added",
    True,
    False,
    "response may use a new media type; old clients do not parse it",
    "clients: parse it",
)
_add(
    "response.media-type-removed",
    False,
    True,
    "response media type removed; new clients reject old servers that still use it",
    "servers: stop using it",
)

# statuses, operations, APIs
_add(
    "response.status-added",
    True,
    False,
    "new response status; old clients do not expect it",
    "clients: handle it",
)
_add(
    "response.status-added.covered",
    False,
    False,
    "new explicit response status, already covered by a range or default of the old spec (its schema is compared with the range's)",
)
_add(
    "response.status-removed",
    False,
    True,
    "response status removed; old servers still answer with it and new clients do not expect it",
    "servers: stop using it",
)
_add(
    "response.status-removed.covered",
    False,
    False,
    "explicit response status removed, still covered by a range or default of the new spec (its schema is compared with the range's)",
)
_add(
    "operation-added",
    False,
    True,
    "new operation; old servers do not implement it",
    "servers: implement it (or answer it consistently if optional)",
)
_add(
    "operation-removed",
    True,
    False,
    "operation removed; old clients still call it",
    "clients: stop calling it",
)
_add(
    "api-added",
    False,
    True,
    "new API file; old servers do not implement it",
    "servers: implement it if you serve this API",
)
_add(
    "api-removed", True, False, "API removed; old clients still call it", "clients: stop calling it"
)

# generated types (no wire effect)
_add(
    "schema-renamed",
    False,
    False,
    "component schema renamed (same structure, or the same place in every operation); the wire is unchanged, generated type names change",
    "bindings: update imports of the renamed type",
)
_add("schema-added", False, False, "new component schema (a new generated type)")
_add(
    "schema-removed",
    False,
    False,
    "component schema removed (a generated type disappears); wire effects are listed at the operations that used it",
    "bindings: stop importing it",
)
