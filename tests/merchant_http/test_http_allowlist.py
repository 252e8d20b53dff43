"""IP allowlist from an OpenAI-format prefixes file, over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest

from acpforge.merchant.http import AllowlistError, IPAllowlist, IPAllowlistMiddleware, build_stack

PREFIXES = {
    "creationTime": "2026-01-15T12:00:00.000000",
    "prefixes": [{"ipv4Prefix": "127.0.0.1/32"}, {"ipv6Prefix": "2001:db8::/32"}],
}


@pytest.fixture
def prefixes_file(tmp_path):
    path = tmp_path / "chatgpt-connectors.json"
    path.write_text(json.dumps(PREFIXES), encoding="utf-8")
    return path


def test_allowed_and_refused_sources(harness, prefixes_file):
    h = harness(allowlist=prefixes_file)  # a path: loaded by build_stack
    ok = h.post("/checkout_sessions", {"a": 1}, key="from-1")
    assert ok.status_code == 201
    other = h.client(local_address="127.0.0.2")
    refused = h.post("/checkout_sessions", {"a": 1}, key="from-2", client=other)
    assert refused.status_code == 403
    body = h.error_of(refused)
    assert body["code"] == "forbidden" and "127.0.0.2" in body["message"]
    assert h.calls["create"] == 1
    # refused before auth: a bad token from outside learns nothing about it
    assert h.get("/checkout_sessions/cs_1", client=other, token="wrong").status_code == 403
    # exempt: the legal pages work for anyone
    legal = h.get("/legal/terms", client=other, token=None, version=None)
    assert legal.status_code == 200 and legal.text == "These are the terms."


def test_forwarded_for_is_ignored_unless_trusted(harness, prefixes_file):
    h = harness(allowlist=IPAllowlist.from_file(prefixes_file))
    other = h.client(local_address="127.0.0.2")
    spoofed = h.get(
        "/checkout_sessions/cs_1", client=other, headers={"X-Forwarded-For": "127.0.0.1"}
    )
    assert spoofed.status_code == 403
    assert "127.0.0.2" in h.error_of(spoofed)["message"]


def test_forwarded_for_is_ignored_at_the_asgi_level(prefixes_file):
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = IPAllowlistMiddleware(inner, IPAllowlist.from_file(prefixes_file))
    for peer, forwarded, status in [
        ("127.0.0.1", b"10.9.9.9", 204),
        ("127.0.0.2", b"127.0.0.1", 403),
    ]:
        sent.clear()
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/x",
            "client": (peer, 5000),
            "headers": [(b"x-forwarded-for", forwarded)],
        }
        asyncio.run(app(scope, None, send))
        assert sent[0]["status"] == status, (peer, forwarded)


def test_forwarded_for_from_a_loopback_peer_is_ignored_too(harness, prefixes_file):
    h = harness(allowlist=IPAllowlist.from_file(prefixes_file))
    assert (
        h.get("/checkout_sessions/cs_1", headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 200
    )


def test_forwarded_for_when_trusted_uses_the_proxy_entry(harness, prefixes_file):
    h = harness(allowlist=IPAllowlist.from_file(prefixes_file, trust_forwarded=True))
    other = h.client(local_address="127.0.0.2")
    via_proxy = h.get(
        "/checkout_sessions/cs_1", client=other, headers={"X-Forwarded-For": "10.0.0.1, 127.0.0.1"}
    )
    assert via_proxy.status_code == 200
    # the client-written first entry does not count: only the last (the proxy's)
    r = h.get("/checkout_sessions/cs_1", headers={"X-Forwarded-For": "127.0.0.1, 10.9.9.9"})
    assert r.status_code == 403


def test_matching_rules():
    allow = IPAllowlist.from_document(PREFIXES)
    assert allow.allows("127.0.0.1") and not allow.allows("127.0.0.2")
    assert allow.allows("::ffff:127.0.0.1")  # IPv4-mapped
    assert allow.allows("2001:db8::5") and not allow.allows("2001:db9::5")
    assert not allow.allows("not-an-ip")
    assert allow.creation_time == PREFIXES["creationTime"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON at line 1"),
        ("[]", "expected a JSON object"),
        ('{"prefixes": {}}', "'prefixes' must be a list"),
        ('{"prefixes": []}', "contains no prefixes"),
        ('{"prefixes": ["1.2.3.0/24"]}', "prefixes[0]: expected an object"),
        ('{"prefixes": [{"ipPrefix": "1.2.3.0/24"}]}', "prefixes[0]: needs exactly one of"),
        ('{"prefixes": [{"ipv4Prefix": "1.2.3.0/24", "ipv6Prefix": "::/0"}]}', "needs exactly one"),
        (
            '{"prefixes": [{"ipv4Prefix": "1.2.3.0/24"}, {"ipv4Prefix": "1.2.3.300/32"}]}',
            "prefixes[1].ipv4Prefix",
        ),
        ('{"prefixes": [{"ipv4Prefix": "10.0.0.1/8"}]}', "has host bits set"),
        ('{"prefixes": [{"ipv4Prefix": "2001:db8::/32"}]}', "is an IPv6 prefix"),
        ('{"prefixes": [{"ipv6Prefix": 42}]}', "expected a CIDR string"),
        (
            '{"creationTime": 5, "prefixes": [{"ipv4Prefix": "1.2.3.0/24"}]}',
            "'creationTime' must be a string",
        ),
    ],
)
def test_malformed_files_fail_clearly(tmp_path, content, message):
    path = tmp_path / "prefixes.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AllowlistError) as info:
        IPAllowlist.from_file(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file_fails_clearly_at_build_time(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(AllowlistError, match="cannot read the prefixes file"):
        build_stack({"2025-09-29": object()}, object(), api_keys=["k"], allowlist=missing)
