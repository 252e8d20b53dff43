"""Requests per second of `acpforge fuzz` against a plain Schemathesis run (same spec, app, examples, workers).

The reference merchant runs in its own process behind a request counter, so
both runs are measured the same way: requests the server answered, divided by
the wall time of the run (imports and start-up excluded; each run is a fresh
process).  The plain run is Schemathesis's engine through its Python API on the same
bundled spec, seed, `max-examples`, workers and run-shaping settings
(continue after a failure; what the positive/negative data checks expect),
with built-in checks only: no ACP checks, hooks, fuzzing dictionaries,
probes, tokens or session flows.  The acpforge run is `acpforge fuzz` as
users run it.  `--with-defaults` also times Schemathesis with its pure
defaults, which stop each operation at its first failure and shrink it
(fewer, slower requests on a merchant with findings).  Runs alternate; medians are compared.
Prints the ratio acpforge / plain; target >= 0.8.

    python bench/bench_fuzz.py [--examples 100] [--workers 1] [--runs 3] [--api-version V ...]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COUNT_PATH = "/__bench__/requests"


# --------------------------------------------------------------------------- the counted server


def serve(token: str) -> None:
    """Child: the reference merchant behind a request counter; prints its URL."""
    import threading

    from acpforge import serving
    from acpforge.merchant.app import ServeConfig, build_app

    app = build_app(ServeConfig(api_keys=[token]))
    lock = threading.Lock()
    count = [0]

    async def counted(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == COUNT_PATH:
            body = json.dumps({"requests": count[0]}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            with lock:
                count[0] += 1
        await app(scope, receive, send)

    handle = serving.start(counted, "127.0.0.1", log_level="critical")
    print(f"listening on {handle.base_url}", flush=True)
    try:
        while handle.thread.is_alive():
            time.sleep(0.5)
    finally:
        handle.stop()


def served_requests(base_url: str) -> int:
    with urllib.request.urlopen(base_url + COUNT_PATH, timeout=10) as answer:  # noqa: S310 (loopback)
        return json.loads(answer.read())["requests"]


# --------------------------------------------------------------------------- one run (child)


def one_run(kind: str, base_url: str, token: str, version: str, examples: int, workers: int, seed: int) -> None:
    """Child: one timed run; prints {"seconds": ...}."""
    import logging

    logging.disable(logging.CRITICAL)
    if kind == "acpforge":
        from acpforge.fuzz.runner import FuzzOptions, run

        options = FuzzOptions(base_url=base_url, token=token, versions=(version,), max_examples=examples,
                              workers=workers, seed=seed)
        started = time.perf_counter()
        report = run(options)
        seconds = time.perf_counter() - started
        extra = {"failures": len(report.failures), "client_counted": report.requests}
    else:
        import schemathesis
        from schemathesis.engine import from_schema

        documents = [json.loads((REPO / "generated" / ("v" + version.replace("-", "_")) / "conformance"
                                 / f"{api}.openapi.json").read_text()) for api in ("agentic_checkout", "delegate_payment")]
        if kind == "plain":
            from acpforge.fuzz.runner import engine_config

            settings = engine_config(base_url=base_url, token=token, seed=seed, max_examples=examples,
                                     workers=workers, acp=False)
        else:  # Schemathesis's own defaults for everything but the target and the budget
            settings = {"seed": seed, "base-url": base_url, "workers": workers,
                        "generation": {"max-examples": examples, "database": "none"},
                        "auth": {"openapi": {"bearerAuth": {"bearer": token}}}}
        started = time.perf_counter()
        failures = 0
        for document in documents:
            config = schemathesis.Config.from_dict(settings)
            schema = schemathesis.openapi.from_dict(document, config=config)
            for event in from_schema(schema).execute():
                recorder = getattr(event, "recorder", None)
                if recorder is not None and type(event).__name__ == "ScenarioFinished":
                    failures += len(recorder.failing_case_ids())
        seconds = time.perf_counter() - started
        extra = {"failures": failures}
    print(json.dumps({"seconds": seconds, **extra}), flush=True)


# --------------------------------------------------------------------------- parent


def _child(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, *args], cwd=REPO, stdout=subprocess.PIPE, text=True)


def measure(kind: str, base_url: str, token: str, version: str, examples: int, workers: int, seed: int) -> dict:
    before = served_requests(base_url)
    child = _child("--one", kind, "--base-url", base_url, "--token", token, "--api-version", version,
                   "--examples", str(examples), "--workers", str(workers), "--seed", str(seed))
    out, _ = child.communicate(timeout=7200)
    if child.returncode != 0:
        raise SystemExit(f"{kind} run failed")
    result = json.loads(out.strip().splitlines()[-1])
    result["requests"] = served_requests(base_url) - before
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260417)
    parser.add_argument("--api-version", dest="versions", action="append")
    # internal modes
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--with-defaults", action="store_true",
                        help="also time Schemathesis with its pure defaults (stops at the first failure per operation)")
    parser.add_argument("--one", choices=["acpforge", "plain", "defaults"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.token)
        return
    if args.one:
        one_run(args.one, args.base_url, args.token, args.versions[0], args.examples, args.workers, args.seed)
        return

    from acpforge.versions import SUPPORTED

    versions = args.versions or list(SUPPORTED)
    token = f"bench-{uuid.uuid4().hex}"
    server = _child("--serve", "--token", token)
    try:
        line = server.stdout.readline()
        match = re.search(r"listening on (\S+)", line)
        if not match:
            raise SystemExit(f"server did not start: {line!r}")
        base_url = match.group(1)
        print(f"reference merchant {base_url}; {args.examples} examples/operation, {args.workers} worker(s), "
              f"seed {args.seed}, {args.runs} run(s) each, versions {', '.join(versions)}")
        ratios = []
        for version in versions:
            kinds = ["plain", "acpforge"] + (["defaults"] if args.with_defaults else [])
            results: dict[str, list[dict]] = {kind: [] for kind in kinds}
            for index in range(args.runs):
                order = kinds if index % 2 == 0 else kinds[::-1]
                for kind in order:
                    result = measure(kind, base_url, token, version, args.examples, args.workers, args.seed)
                    results[kind].append(result)
                    print(f"  {version} {kind:<8} run {index + 1}: {result['requests']:>6} requests "
                          f"in {result['seconds']:6.1f}s = {result['rps']:6.1f} req/s "
                          f"({result['failures']} failing case(s))", flush=True)
            rps = {kind: statistics.median(r["rps"] for r in runs) for kind, runs in results.items()}
            ratio = rps["acpforge"] / rps["plain"]
            ratios.append(ratio)
            print(f"{version}: acpforge {rps['acpforge']:.1f} req/s, plain Schemathesis {rps['plain']:.1f} req/s, "
                  f"ratio {ratio:.2f}"
                  + (f"; Schemathesis defaults {rps['defaults']:.1f} req/s, ratio {rps['acpforge'] / rps['defaults']:.2f}"
                     if "defaults" in rps else ""))
        overall = statistics.median(ratios)
        print(f"ratio acpforge/plain (median over versions): {overall:.2f}  (target >= 0.8: "
              f"{'met' if overall >= 0.8 else 'NOT met'})")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
