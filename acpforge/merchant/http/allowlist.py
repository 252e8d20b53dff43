"""Optional IP allowlist, from a prefixes file in OpenAI's published format.

OpenAI calls merchants only from published CIDR ranges
(``chatgpt-connectors.json``)::

    {"creationTime": "2025-09-29T00:00:00.000000",
     "prefixes": [{"ipv4Prefix": "23.98.142.176/28"}, {"ipv6Prefix": "2603:1030::/48"}]}

``IPAllowlist.from_file`` loads such a file and fails with
``AllowlistError`` naming the file and the entry for anything malformed
(unreadable, not JSON, no ``prefixes`` list, an entry with neither or both
keys, a prefix that does not parse, an IPv6 prefix under ``ipv4Prefix``, host
bits set, an empty list).  Extra keys in entries (``service``, ``scope``, as
in other providers' files) are ignored.

The client address is the ASGI scope's ``client`` (the TCP peer).
``X-Forwarded-For`` is ignored unless ``trust_forwarded=True``; then its
*last* address is used, i.e. the one appended by the single reverse proxy
that is assumed to sit in front (earlier entries are whatever the client
wrote).  IPv4-mapped IPv6 peers (``::ffff:a.b.c.d``) are matched as IPv4.
A request without a usable address is refused.  Exempt paths (``PathSet``
patterns; by default the legal pages and ``/healthz``: the checklist wants
legal URLs to work for anyone) pass.  Others get 403 ``forbidden``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .common import ASGIApp, PathSet, Receive, Scope, Send, header
from .errors import acp_error, send_error

__all__ = ["DEFAULT_ALLOWLIST_EXEMPT", "AllowlistError", "IPAllowlist", "IPAllowlistMiddleware"]

DEFAULT_ALLOWLIST_EXEMPT = ("/legal/", "/healthz")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_KEYS = {"ipv4Prefix": 4, "ipv6Prefix": 6}


class AllowlistError(ValueError):
    """A prefixes file or document that cannot be used."""


class IPAllowlist:
    """A set of networks plus how to find the client address and what is exempt."""

    def __init__(
        self,
        networks: Iterable[Network | str],
        *,
        exempt: Iterable[str] = DEFAULT_ALLOWLIST_EXEMPT,
        trust_forwarded: bool = False,
        source: str = "<prefixes>",
        creation_time: str | None = None,
    ) -> None:
        nets = [
            n
            if isinstance(n, (ipaddress.IPv4Network, ipaddress.IPv6Network))
            else _network(n, source, "")
            for n in networks
        ]
        if not nets:
            raise AllowlistError(
                f"{source}: the allowlist contains no prefixes (it would refuse everyone)"
            )
        self.networks: tuple[Network, ...] = tuple(nets)
        self.exempt = exempt if isinstance(exempt, PathSet) else PathSet(exempt)
        self.trust_forwarded = trust_forwarded
        self.source = source
        self.creation_time = creation_time
        v4 = tuple(n for n in nets if n.version == 4)
        v6 = tuple(n for n in nets if n.version == 6)

        @lru_cache(maxsize=4096)
        def allows(address: str) -> bool:
            try:
                ip = ipaddress.ip_address(address.strip())
            except ValueError:
                return False
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            return any(ip in net for net in (v4 if ip.version == 4 else v6))

        self.allows = allows

    def __repr__(self) -> str:
        return f"IPAllowlist({len(self.networks)} prefixes from {self.source}, trust_forwarded={self.trust_forwarded})"

    @classmethod
    def from_document(
        cls, document: Any, *, source: str = "<document>", **options: Any
    ) -> IPAllowlist:
        if not isinstance(document, dict):
            raise AllowlistError(f"{source}: expected a JSON object with a 'prefixes' list")
        prefixes = document.get("prefixes")
        if not isinstance(prefixes, list):
            raise AllowlistError(
                f"{source}: 'prefixes' must be a list of {{'ipv4Prefix'|'ipv6Prefix': ...}}"
            )
        creation = document.get("creationTime")
        if creation is not None and not isinstance(creation, str):
            raise AllowlistError(f"{source}: 'creationTime' must be a string")
        networks = []
        for index, entry in enumerate(prefixes):
            where = f"prefixes[{index}]"
            if not isinstance(entry, dict):
                raise AllowlistError(
                    f"{source}: {where}: expected an object, got {type(entry).__name__}"
                )
            found = [k for k in _KEYS if k in entry]
            if len(found) != 1:
                raise AllowlistError(
                    f"{source}: {where}: needs exactly one of ipv4Prefix, ipv6Prefix"
                )
            key = found[0]
            network = _network(entry[key], source, f"{where}.{key}")
            if network.version != _KEYS[key]:
                raise AllowlistError(
                    f"{source}: {where}.{key}: {entry[key]!r} is an IPv{network.version} prefix"
                )
            networks.append(network)
        return cls(networks, source=source, creation_time=creation, **options)

    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> IPAllowlist:
        """Load a prefixes file; ``options`` as for the constructor (exempt, trust_forwarded)."""
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AllowlistError(f"{source}: cannot read the prefixes file: {exc}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AllowlistError(
                f"{source}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        return cls.from_document(document, source=source, **options)

    def client_address(self, scope: Scope) -> str | None:
        if self.trust_forwarded:
            forwarded = header(scope, b"x-forwarded-for")
            if forwarded:
                last = forwarded.decode("latin-1").split(",")[-1].strip()
                if last:
                    return last
        client = scope.get("client")
        return client[0] if client else None


def _network(value: Any, source: str, where: str) -> Network:
    label = f"{source}: {where}: " if where else f"{source}: "
    if not isinstance(value, str):
        raise AllowlistError(f"{label}expected a CIDR string, got {type(value).__name__}")
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as exc:
        raise AllowlistError(f"{label}{value!r} is not a valid CIDR prefix ({exc})") from None


class IPAllowlistMiddleware:
    def __init__(self, app: ASGIApp, allowlist: IPAllowlist) -> None:
        self.app = app
        self.allowlist = allowlist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.allowlist.exempt:
            await self.app(scope, receive, send)
            return
        address = self.allowlist.client_address(scope)
        if address is not None and self.allowlist.allows(address):
            await self.app(scope, receive, send)
            return
        await send_error(
            send,
            acp_error(
                403,
                "forbidden",
                f"requests from {(address or 'an unknown address')[:64]} are not allowed",
            ),
        )
