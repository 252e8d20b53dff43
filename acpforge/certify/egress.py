"""IP egress: compare a merchant's allowlist with OpenAI's published ranges, and probe it.

The published file has OpenAI's IP-range format:
``{"creationTime": ..., "prefixes": [{"ipv4Prefix": "a.b.c.d/n"}, {"ipv6Prefix": ...}]}``.
A merchant's allowlist may be such a file or plain text with one CIDR per line.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str, source: str = "<text>") -> list[Network]:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
            entries = [p.get("ipv4Prefix") or p.get("ipv6Prefix") for p in data["prefixes"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{source}: not a prefixes file ({exc})") from None
    else:
        entries = [line.split("#", 1)[0].strip() for line in stripped.splitlines()]
    networks = []
    for entry in entries:
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    return sorted(set(networks), key=lambda n: (n.version, n))


def load_networks(path: str | Path) -> list[Network]:
    return parse_networks(Path(path).read_text(encoding="utf-8"), str(path))


def covered(network: Network, by: list[Network]) -> bool:
    return any(network.version == other.version and network.subnet_of(other) for other in by)


def compare(published: list[Network], allowlist: list[Network]) -> tuple[list[Network], list[Network]]:
    """(published ranges the allowlist misses, allowlisted ranges outside the published ones)."""
    missing = [n for n in published if not covered(n, allowlist)]
    extra = [n for n in allowlist if not covered(n, published)]
    return missing, extra


def probe(ctx: Any, source: str) -> httpx.Response | None:
    """GET a session path from a given local source address; None when the connection is refused."""
    from .evidence import http_client

    client = http_client(ctx.recorder, verify=ctx.verify, local_address=source)
    try:
        headers = ctx.headers()
        headers.pop("Content-Type", None)
        headers.pop("Idempotency-Key", None)
        return client.get(ctx.base_url + "/checkout_sessions/acpforge_egress_probe", headers=headers)
    except httpx.HTTPError:
        return None
    finally:
        client.close()
