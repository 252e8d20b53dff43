"""acpforge.versions (the profile table) and API-Version routing over real HTTP."""

from __future__ import annotations

import pytest

from acpforge import versions
from acpforge.merchant.http import build_stack, identity_for_token
from acpforge.wire.webhook_signature import RawBodyHmac, TimestampedHmac

V1, V2 = versions.SUPPORTED
TOKEN = "sk_test_alpha_0123456789"  # the harness's keys (conftest.Harness.TOKEN / OTHER_TOKEN)
OTHER_TOKEN = "sk_test_beta_9876543210"

# --- the table --------------------------------------------------------------


def test_supported_and_profiles():
    assert versions.SUPPORTED == ("2025-09-29", "2026-04-17")
    old, new = versions.profile("2025-09-29"), versions.profile("2026-04-17")
    assert (old.idempotency_key_required_on_post, new.idempotency_key_required_on_post) == (
        False,
        True,
    )
    assert (old.idempotency_conflict_status, new.idempotency_conflict_status) == (409, 422)
    assert old.in_flight_status == new.in_flight_status == 409
    assert (old.address_field, new.address_field) == ("fulfillment_address", "fulfillment_details")
    assert (old.items_field, new.items_field) == ("items", "line_items")
    assert old.webhook_signature_format == versions.RAW_BODY_HMAC
    assert new.webhook_signature_format == versions.TIMESTAMPED_HMAC
    assert [p.version for p in versions.profiles()] == list(versions.SUPPORTED)


def test_webhook_format_names_agree_with_the_wire_package():
    assert isinstance(versions.profile(V1).webhook_format(), RawBodyHmac)
    assert isinstance(versions.profile(V2).webhook_format(), TimestampedHmac)


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("2026-01-30", "between supported versions"),
        ("2024-01-01", "older than the first"),
        ("2030-01-01", "newer than the latest"),
        ("2026-02-30", "not a calendar date"),
        ("latest", "malformed"),
        ("", "malformed"),
        (None, "malformed"),
    ],
)
def test_unknown_versions_raise_clearly(version, reason):
    with pytest.raises(versions.UnsupportedVersion) as info:
        versions.profile(version)
    assert reason in str(info.value)
    assert "2025-09-29, 2026-04-17" in str(info.value)
    assert not versions.is_supported(version)


def test_baseline_carries_forward_from_the_nearest_earlier_version():
    between = versions.baseline("2026-01-30")
    assert between.version == "2026-01-30"
    assert between.idempotency_conflict_status == 409  # as 2025-09-29, until 2026-04-17 changes it
    assert not between.idempotency_key_required_on_post
    later = versions.baseline("2027-01-01")
    assert later.idempotency_conflict_status == 422
    assert versions.baseline(V2) is versions.profile(V2)
    with pytest.raises(versions.UnsupportedVersion):
        versions.baseline("2025-01-01")


def test_build_stack_refuses_an_unknown_version_app():
    with pytest.raises(versions.UnsupportedVersion):
        build_stack({"2026-01-30": object()}, object(), api_keys=[TOKEN])


# --- routing over HTTP ------------------------------------------------------


def test_missing_api_version_is_400_with_supported_versions(shared):
    before = sum(shared.calls.values())
    r = shared.get("/checkout_sessions/cs_1", version=None)
    assert r.status_code == 400
    body = shared.error_of(r)
    assert body["code"] == "missing_api_version"
    assert body["type"] == "invalid_request"
    assert body["supported_versions"] == ["2025-09-29", "2026-04-17"]
    assert sum(shared.calls.values()) == before


def test_unsupported_api_version_is_400_with_supported_versions(shared):
    r = shared.post("/checkout_sessions", {"items": []}, version="2024-01-01", key="k-unsup")
    assert r.status_code == 400
    body = shared.error_of(r)
    assert body["code"] == "unsupported_api_version"
    assert "2024-01-01" in body["message"]
    assert body["supported_versions"] == ["2025-09-29", "2026-04-17"]


@pytest.mark.parametrize("version", [V1, V2])
def test_each_supported_version_reaches_its_own_app(shared, version):
    r = shared.get("/checkout_sessions/cs_9", version=version)
    assert r.status_code == 200
    assert r.json() == {"id": "cs_9", "version": version}
    r = shared.post("/checkout_sessions", {"x": 1}, version=version, key=f"route-{version}")
    assert r.status_code == 201
    assert r.json()["version"] == version


def test_version_free_paths_go_to_the_fallback_without_version_or_token(shared):
    r = shared.get("/legal/terms", version=None, token=None)
    assert r.status_code == 200
    assert r.text == "These are the terms."
    assert shared.get("/healthz", version=None, token=None).json() == {"ok": True}
    # the simulator is version-free but not auth-exempt
    assert shared.post("/simulator/tick", version=None, token=None).status_code == 401
    r = shared.post("/simulator/tick", version=None)
    assert r.status_code == 200 and "tick" in r.json()


def test_lifespan_reaches_every_app(harness):
    h = harness()
    assert sorted(h.lifespan) == sorted(["start:fallback", f"start:{V1}", f"start:{V2}"])
    h.stop()
    h.server = None
    assert {e for e in h.lifespan if e.startswith("stop:")} == {
        "stop:fallback",
        f"stop:{V1}",
        f"stop:{V2}",
    }


# --- auth -------------------------------------------------------------------


def test_no_token_is_401_with_bearer_challenge(shared):
    before = shared.calls["create"]
    r = shared.post("/checkout_sessions", {"a": 1}, token=None, key="auth-1")
    assert r.status_code == 401
    body = shared.error_of(r)
    assert (body["type"], body["code"]) == ("unauthorized", "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "invalid_token" not in r.headers["WWW-Authenticate"]
    assert shared.calls["create"] == before


@pytest.mark.parametrize(
    "authorization", ["Bearer sk_wrong", "Basic dXNlcjpwYXNz", f"Token {TOKEN}"]
)
def test_wrong_token_or_scheme_is_401(shared, authorization):
    r = shared.get("/checkout_sessions/cs_1", token=None, headers={"Authorization": authorization})
    assert r.status_code == 401
    assert shared.error_of(r)["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="acp", error="invalid_token"'


def test_empty_bearer_is_401(shared):
    r = shared.get("/checkout_sessions/cs_1", token=None, headers={"Authorization": "Bearer"})
    assert r.status_code == 401
    assert "required" in shared.error_of(r)["message"]


def test_identity_is_a_hash_of_the_token_never_the_token(shared):
    one = shared.get("/whoami").json()["identity"]
    two = shared.get("/whoami", token=OTHER_TOKEN).json()["identity"]
    assert one == identity_for_token(TOKEN) and two == identity_for_token(OTHER_TOKEN)
    assert one != two
    assert TOKEN not in one and OTHER_TOKEN not in two


def test_auth_is_checked_before_the_version(shared):
    r = shared.get("/checkout_sessions/cs_1", token=None, version=None)
    assert r.status_code == 401


def test_exempt_patterns_do_not_match_dot_segments():
    from acpforge.merchant.http import PathSet

    exempt = PathSet(["/legal/", "/healthz"])
    assert "/legal/terms" in exempt and "/healthz" in exempt
    assert "/healthz/x" not in exempt and "/legalese" not in exempt
    assert "/legal/../checkout_sessions" not in exempt
    assert "/legal/./terms" not in exempt and "/legal//terms" not in exempt
    assert "/legal/.well-known" in exempt  # a dot that is not a dot segment


def test_api_keys_must_be_given():
    with pytest.raises(ValueError):
        build_stack({V1: object()}, object(), api_keys=[])
    with pytest.raises(TypeError):
        build_stack({V1: object()}, object(), api_keys=TOKEN)


def test_unknown_fault_names_are_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        build_stack({V1: object()}, object(), api_keys=[TOKEN], faults={"idempotency_of"})


def test_lifespan_fan_out_skips_apps_without_lifespan_and_reports_failures():
    import asyncio
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    from acpforge.merchant.http import VersionRouter

    events: list[str] = []

    async def raw_app(scope, receive, send):  # a plain ASGI app that only does HTTP
        assert scope["type"] == "http", "no lifespan here"

    @asynccontextmanager
    async def ok_lifespan(app):
        events.append("up")
        yield
        events.append("down")

    @asynccontextmanager
    async def bad_lifespan(app):
        raise RuntimeError("database unreachable")
        yield

    async def drive(router) -> list[str]:
        inbox: asyncio.Queue = asyncio.Queue()
        answers: list[str] = []
        for message in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": message})

        async def send(message):
            answers.append(message["type"])

        await router({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send)
        return answers

    good = VersionRouter({V1: FastAPI(lifespan=ok_lifespan), V2: raw_app}, raw_app)
    assert asyncio.run(drive(good)) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["up", "down"]
    bad = VersionRouter({V1: FastAPI(lifespan=bad_lifespan)}, raw_app)
    assert asyncio.run(drive(bad)) == ["lifespan.startup.failed"]
