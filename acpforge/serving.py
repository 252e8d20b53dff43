"""Run an ASGI app under uvicorn on a free loopback port, in a background thread.

Used wherever a real server is needed without a separate process: tests,
``acpforge certify`` and ``acpforge fuzz`` with no target (they start the
reference merchant this way), and the webhook receiver of the certifier.
The socket is bound before uvicorn starts, so the port is known and free.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import uvicorn


@dataclass
class RunningServer:
    base_url: str
    host: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    log_level: str = "warning",
    startup_timeout: float = 15.0,
) -> RunningServer:
    """Start ``app`` and return once it accepts connections."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio disables Nagle (TCP_NODELAY) only on accepted sockets whose
    # proto says TCP; with proto 0, keep-alive clients wait ~40 ms per response (delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    bound_port = sock.getsockname()[1]
    # proxy_headers=False: the client address is the socket's; an X-Forwarded-For from the
    # client must not rewrite it (the IP allowlist decides on that address).
    options: dict[str, Any] = {"log_level": log_level, "lifespan": "on", "access_log": False, "proxy_headers": False}
    if ssl_certfile:
        # The checklist demands TLS 1.2 or later: uvicorn's default context would allow less.
        options.update(ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile, ssl_version=ssl.PROTOCOL_TLS_SERVER)
    config = uvicorn.Config(app, **options)
    if ssl_certfile:
        config.load()
        config.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn:{bound_port}")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"server on {host}:{bound_port} failed to start")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"server on {host}:{bound_port} did not start within {startup_timeout}s")
        time.sleep(0.01)
    scheme = "https" if ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    return RunningServer(f"{scheme}://{shown}:{bound_port}", host, bound_port, server, thread)


@contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[RunningServer]:
    handle = start(app, host, port, **options)
    try:
        yield handle
    finally:
        handle.stop()
