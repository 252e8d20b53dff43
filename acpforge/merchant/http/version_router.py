"""Dispatch each request to the ASGI app of its ``API-Version``.

* Version-free paths (``PathSet`` patterns: the legal pages, ``/healthz``,
  the simulator prefix) go to the ``fallback`` app whatever the header says.
* Otherwise the ``API-Version`` header picks the app; missing: 400
  ``missing_api_version``, not served: 400 ``unsupported_api_version``, both
  with ``supported_versions`` (what this router serves), built by
  ``acpforge.runtime.server.check_api_version`` like the stubs' own check.
* Lifespan events are fanned out to every distinct app (fallback first,
  shut down in reverse order) so that their startup/shutdown handlers run.
  An app that does not speak lifespan (raises at once) is skipped, as
  servers do.  A startup failure of any app fails the whole startup.
* WebSockets are refused (ACP has none; nothing in front would protect them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from acpforge.runtime.errors import ACPError
from acpforge.runtime.server import check_api_version

from .common import ASGIApp, Message, PathSet, Receive, Scope, Send, header
from .errors import send_error

__all__ = ["DEFAULT_VERSION_FREE", "VersionRouter"]

DEFAULT_VERSION_FREE = ("/legal/", "/healthz", "/simulator/")


class VersionRouter:
    def __init__(
        self,
        apps: Mapping[str, ASGIApp],
        fallback: ASGIApp,
        *,
        version_free: Iterable[str] = DEFAULT_VERSION_FREE,
    ) -> None:
        if not apps:
            raise ValueError("VersionRouter needs at least one API-Version app")
        self.apps = dict(apps)
        self.supported = tuple(sorted(self.apps))
        self.fallback = fallback
        self.version_free = (
            version_free if isinstance(version_free, PathSet) else PathSet(version_free)
        )
        self._by_header = {v.encode("latin-1"): app for v, app in self.apps.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["path"] in self.version_free:
                await self.fallback(scope, receive, send)
                return
            value = header(scope, b"api-version")
            app = self._by_header.get(value.strip()) if value is not None else None
            if app is None:
                try:
                    check_api_version(
                        value.decode("latin-1").strip() if value else None, self.supported
                    )
                except ACPError as error:
                    await send_error(send, error)
                    return
                raise AssertionError("unreachable: check_api_version accepted an unknown version")
            await app(scope, receive, send)
        elif kind == "lifespan":
            await _fan_out_lifespan(scope, receive, send, self._distinct_apps())
        elif kind == "websocket":
            await receive()
            await send({"type": "websocket.close", "code": 1008})
        else:
            await self.fallback(scope, receive, send)

    def _distinct_apps(self) -> list[ASGIApp]:
        seen: list[ASGIApp] = []
        for app in (self.fallback, *self.apps.values()):
            if all(app is not other for other in seen):
                seen.append(app)
        return seen


class _LifespanChild:
    """Drive one app's lifespan protocol through a pair of queues."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task = asyncio.ensure_future(app(scope, self.inbox.get, self.outbox.put))
        self.alive = True

    async def step(self, message: Message) -> Message | None:
        """Send ``message``; the app's answer, or ``None`` if it does not do lifespan."""
        if not self.alive:
            return None
        await self.inbox.put(message)
        answer = asyncio.ensure_future(self.outbox.get())
        done, _ = await asyncio.wait({answer, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if answer in done:
            return answer.result()
        answer.cancel()
        self.alive = False  # returned or raised instead of answering: lifespan unsupported, skip it
        return None

    async def close(self, timeout: float = 5.0) -> None:
        """Let the app's lifespan task end (it has answered), cancelling it after ``timeout``."""
        if not self.task.done():
            await asyncio.wait({self.task}, timeout=timeout)
        if not self.task.done():
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def _fan_out_lifespan(
    scope: Scope, receive: Receive, send: Send, apps: list[ASGIApp]
) -> None:
    # Children are closed *before* the last answer to the server: once it has
    # "shutdown.complete" the server may stop the loop and cancel this task.
    children: list[_LifespanChild] = []
    try:
        message = await receive()
        assert message["type"] == "lifespan.startup", message
        for app in apps:
            child = _LifespanChild(app, scope)
            children.append(child)
            answer = await child.step({"type": "lifespan.startup"})
            if answer is not None and answer["type"] == "lifespan.startup.failed":
                for started in children:
                    started.task.cancel()
                await asyncio.gather(*(c.task for c in children), return_exceptions=True)
                children = []
                failure = answer.get("message", "")
                await send({"type": "lifespan.startup.failed", "message": failure})
                return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        failures = []
        for child in reversed(children):
            answer = await child.step({"type": "lifespan.shutdown"})
            if answer is not None and answer["type"] == "lifespan.shutdown.failed":
                failures.append(answer.get("message", ""))
        for child in children:
            await child.close()
        children = []
        if failures:
            await send({"type": "lifespan.shutdown.failed", "message": "; ".join(failures)})
        else:
            await send({"type": "lifespan.shutdown.complete"})
    finally:
        for child in children:  # only on an unexpected exit (cancelled, protocol error)
            child.task.cancel()
