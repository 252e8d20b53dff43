"""What differs between the ACP API-Versions acpforge supports, as data.

One ``VersionProfile`` per API-Version, read by the reference merchant (its
HTTP layer takes the idempotency rules from here) and by the certifier and the
fuzzer (what to expect from a target that speaks that version).  Code never
compares version strings to decide a behaviour: it asks the profile.

=================================  =======================  ============================
field                              2025-09-29               2026-04-17
=================================  =======================  ============================
idempotency_key_required_on_post   False                    True
idempotency_conflict_status        409                      422
in_flight_status                   409                      409
webhook_signature_format           raw_body_hmac            timestamped_hmac
address_field                      fulfillment_address      fulfillment_details
items_field                        items                    line_items
fulfillment_selection_field        fulfillment_option_id    selected_fulfillment_options
completion_status (spec)           200                      200
=================================  =======================  ============================

The launch checklist disagrees with the published specs in places (201 on
completion; 409 for an idempotency conflict in every version).  Those values
are kept beside the spec values (``checklist_*``) so that a runner can report
both and enforce the one the user chose; the merchant follows the spec.

Versions in between
-------------------
``profile`` serves only ``SUPPORTED`` versions and raises ``UnsupportedVersion``
for anything else, including a well-formed date between two supported
versions (e.g. ``2026-01-30``): serving a version needs its specs, generated
code and adapter, and a guessed profile would hide that they are missing.
When such a version is added, its profile is written out explicitly in
``_PROFILES``.  The rule for what it starts from is *carry forward*: a
behaviour stays as the nearest earlier supported version has it until a
version changes it (the same rule ``acpforge.wire.webhook_signature``
applies: ``>= 2026-04-17`` is timestamped).  ``baseline(version)`` computes
that starting point; it is a tool for writing the new entry (and for a
certifier asked about an unknown version, which should say it is guessing),
never a way to serve one.  Example: the delegate-payment spec keeps 409 for
a conflict through 2026-01-30, which is what carry-forward from 2025-09-29
gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

__all__ = [
    "LATEST",
    "RAW_BODY_HMAC",
    "SUPPORTED",
    "TIMESTAMPED_HMAC",
    "UnsupportedVersion",
    "VersionProfile",
    "baseline",
    "is_supported",
    "profile",
    "profiles",
]

#: Webhook signature format names (see ``acpforge.wire.webhook_signature``).
RAW_BODY_HMAC = "raw_body_hmac"  # Merchant-Signature: HMAC-SHA256(raw body), lowercase hex
TIMESTAMPED_HMAC = "timestamped_hmac"  # Merchant-Signature: t=<unix>,v1=<hex> over "<t>.<body>"

_VERSION_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class VersionProfile:
    """The behaviour and wire names of one API-Version."""

    version: str
    #: A POST without ``Idempotency-Key`` is refused with 400 ``idempotency_key_required``.
    idempotency_key_required_on_post: bool
    #: Status of ``idempotency_conflict`` (same key, different body).
    idempotency_conflict_status: int
    #: Status of ``idempotency_in_flight`` (same key while the first request still runs).
    in_flight_status: int
    #: ``RAW_BODY_HMAC`` or ``TIMESTAMPED_HMAC``.
    webhook_signature_format: str
    #: Where the buyer's address goes on create/update.
    address_field: str
    #: The items of a create request.
    items_field: str
    #: How the buyer picks a fulfillment option on update.
    fulfillment_selection_field: str
    #: Success status of ``POST /checkout_sessions/{id}/complete`` in the published spec.
    completion_status: int = 200
    #: What the launch checklist expects instead, where it disagrees with the spec.
    checklist_completion_status: int = 201
    checklist_idempotency_conflict_status: int = 409
    #: Longest accepted ``Idempotency-Key`` (characters).
    idempotency_key_max_length: int = 255
    #: Minimum retention of an idempotency key, in hours.
    idempotency_min_retention_hours: int = 24

    def webhook_format(self, **options: object):
        """The ``acpforge.wire`` signer/verifier object of this version's webhook format."""
        from acpforge.wire.webhook_signature import format_for_version

        return format_for_version(self.version, **options)  # type: ignore[arg-type]


class UnsupportedVersion(ValueError):
    """An API-Version acpforge does not serve (malformed, unknown or in between)."""

    def __init__(self, version: object, reason: str) -> None:
        self.version = version
        self.reason = reason
        super().__init__(
            f"API-Version {version!r} is not supported ({reason}); "
            f"supported: {', '.join(SUPPORTED)}"
        )


_PROFILES: dict[str, VersionProfile] = {
    "2025-09-29": VersionProfile(
        version="2025-09-29",
        idempotency_key_required_on_post=False,
        idempotency_conflict_status=409,
        in_flight_status=409,
        webhook_signature_format=RAW_BODY_HMAC,
        address_field="fulfillment_address",
        items_field="items",
        fulfillment_selection_field="fulfillment_option_id",
    ),
    "2026-04-17": VersionProfile(
        version="2026-04-17",
        idempotency_key_required_on_post=True,
        idempotency_conflict_status=422,
        in_flight_status=409,
        webhook_signature_format=TIMESTAMPED_HMAC,
        address_field="fulfillment_details",
        items_field="line_items",
        fulfillment_selection_field="selected_fulfillment_options",
    ),
}

#: Every API-Version served, oldest first.
SUPPORTED: tuple[str, ...] = ("2025-09-29", "2026-04-17")
LATEST = SUPPORTED[-1]

assert tuple(sorted(_PROFILES)) == SUPPORTED, "SUPPORTED and _PROFILES disagree"


def _check_shape(version: object) -> str:
    if not isinstance(version, str) or not _VERSION_SHAPE.fullmatch(version):
        raise UnsupportedVersion(version, "malformed: expected YYYY-MM-DD")
    try:
        date.fromisoformat(version)
    except ValueError:
        raise UnsupportedVersion(version, "malformed: not a calendar date") from None
    return version


def is_supported(version: object) -> bool:
    return isinstance(version, str) and version in _PROFILES


def profile(version: str) -> VersionProfile:
    """The profile of a supported API-Version; ``UnsupportedVersion`` otherwise."""
    found = _PROFILES.get(version) if isinstance(version, str) else None
    if found is not None:
        return found
    _check_shape(version)
    if version < SUPPORTED[0]:
        raise UnsupportedVersion(version, f"older than the first ACP version {SUPPORTED[0]}")
    if version > LATEST:
        raise UnsupportedVersion(version, f"newer than the latest supported version {LATEST}")
    raise UnsupportedVersion(
        version, "between supported versions; add its profile explicitly (see baseline())"
    )


def profiles() -> tuple[VersionProfile, ...]:
    """All supported profiles, oldest first."""
    return tuple(_PROFILES[v] for v in SUPPORTED)


def baseline(version: str) -> VersionProfile:
    """Carry-forward starting point for a version that has no profile yet.

    The nearest earlier supported profile with ``version`` replaced (see the
    module docstring).  A supported version returns its own profile.  Raises
    ``UnsupportedVersion`` for a malformed date or one before the first version.
    """
    if version in _PROFILES:
        return _PROFILES[version]
    _check_shape(version)
    earlier = [v for v in SUPPORTED if v < version]
    if not earlier:
        raise UnsupportedVersion(version, f"older than the first ACP version {SUPPORTED[0]}")
    return replace(_PROFILES[earlier[-1]], version=version)
