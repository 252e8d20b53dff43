"""Create-session throughput of the reference merchant against a bare FastAPI endpoint.

Both servers run under uvicorn (same settings, one worker, its own process)
and receive the same requests from the same httpx client (same concurrency,
same headers and body).  The bare endpoint answers a fixed JSON body of the
same size as the merchant's answer, so the ratio measures what the merchant
adds: middleware (auth, API-Version routing, idempotency fingerprint and
store, limits, echo), the generated stub's parsing, the adapter and the core's
pricing, and response validation.  Target: ratio >= 0.5.

    .venv/bin/python bench/bench_reference.py [--requests 3000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import time
import uuid

import httpx

API_KEY = "bench-key"
VERSION = "2025-09-29"
BODY = {
    "items": [{"id": "item_tshirt", "quantity": 2}],
    "fulfillment_address": {"name": "Jane Doe", "line_one": "1 Market St", "city": "San Francisco",
                            "state": "CA", "country": "US", "postal_code": "94105"},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reference_app(port: int):
    from acpforge.merchant.app import ServeConfig, build_app

    # unlimited stock: every request prices the same cart, the answer keeps its size
    return build_app(ServeConfig(base_url=f"http://127.0.0.1:{port}", api_keys=[API_KEY],
                                 stock={"item_tshirt": None}))


def _bare_app(payload: bytes):
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()

    @app.post("/checkout_sessions")
    async def create() -> Response:
        return Response(payload, status_code=201, media_type="application/json")

    return app


def _serve(kind: str, port: int, payload: bytes) -> None:
    import logging

    import uvicorn

    logging.disable(logging.WARNING)
    app = _reference_app(port) if kind == "reference" else _bare_app(payload)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="on")


def _wait(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


async def _load(base: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    content = json.dumps(BODY).encode()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def one() -> None:
            headers = {"Authorization": f"Bearer {API_KEY}", "API-Version": VERSION,
                       "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
            start = time.perf_counter()
            response = await client.post("/checkout_sessions", content=content, headers=headers)
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 201, response.text

        async def worker(n: int) -> None:
            for _ in range(n):
                await one()

        share = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
        await asyncio.gather(*[worker(n) for n in share[: max(1, concurrency // 2)]])  # warm-up
        latencies.clear()
        began = time.perf_counter()
        await asyncio.gather(*[worker(n) for n in share])
        elapsed = time.perf_counter() - began
    return total / elapsed, latencies


def _measure(kind: str, payload: bytes, total: int, concurrency: int) -> tuple[float, float, float]:
    port = _free_port()
    proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(kind, port, payload), daemon=True)
    proc.start()
    try:
        _wait(port)
        rps, latencies = asyncio.run(_load(f"http://127.0.0.1:{port}", total, concurrency))
    finally:
        proc.terminate()
        proc.join(5)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return rps, p50, p99


def _sample_payload() -> bytes:
    """One real answer of the merchant, to size the bare endpoint's fixed body."""
    from acpforge import serving

    port = _free_port()
    with serving.running(_reference_app(port), port=port):
        response = httpx.post(f"http://127.0.0.1:{port}/checkout_sessions", json=BODY,
                              headers={"Authorization": f"Bearer {API_KEY}", "API-Version": VERSION})
    assert response.status_code == 201, response.text
    return response.content


async def _asgi_cost(app, content: bytes, total: int) -> float:
    """Seconds per create call straight into the ASGI app: server CPU only, no sockets, no client."""
    headers_base = [(b"authorization", f"Bearer {API_KEY}".encode()), (b"api-version", VERSION.encode()),
                    (b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]

    async def call() -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/checkout_sessions", "raw_path": b"/checkout_sessions",
                 "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
                 "headers": [*headers_base, (b"idempotency-key", uuid.uuid4().hex.encode())]}
        sent = False
        status = []

        async def receive():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        assert status == [201], status

    for _ in range(100):
        await call()
    began = time.perf_counter()
    for _ in range(total):
        await call()
    return (time.perf_counter() - began) / total


def _server_cost(payload: bytes, total: int) -> tuple[float, float]:
    content = json.dumps(BODY).encode()
    bare = asyncio.run(_asgi_cost(_bare_app(payload), content, total))
    reference = asyncio.run(_asgi_cost(_reference_app(8000), content, total))
    return bare, reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is kept")
    args = parser.parse_args()
    payload = _sample_payload()
    print(f"create-session, {args.requests} requests x {args.rounds} interleaved rounds, "
          f"concurrency {args.concurrency}, body {len(payload)} bytes")
    runs: dict[str, list[tuple[float, float, float]]] = {"bare": [], "reference": []}
    for _ in range(args.rounds):  # interleaved, so that a noisy neighbour hurts both alike
        for kind, results in runs.items():
            results.append(_measure(kind, payload, args.requests, args.concurrency))
    best = {kind: max(results) for kind, results in runs.items()}
    for kind, (rps, p50, p99) in best.items():
        print(f"  {kind:<9}  {rps:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (best of {args.rounds})")
    ratios = [r[0] / b[0] for r, b in zip(runs["reference"], runs["bare"])]
    print(f"  throughput ratio reference/bare: best rounds {best['reference'][0] / best['bare'][0]:.2f}, "
          f"per round {', '.join(f'{x:.2f}' for x in ratios)} (target >= 0.50)")
    bare_cost, reference_cost = _server_cost(payload, args.requests)
    print(f"server CPU per request (in-process ASGI, no sockets): bare {bare_cost * 1e6:.0f} us, "
          f"reference {reference_cost * 1e6:.0f} us; ratio {bare_cost / reference_cost:.2f} "
          "(what the ratio would be if the client and the sockets cost nothing)")


if __name__ == "__main__":
    main()
