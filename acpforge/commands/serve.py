"""``acpforge serve``: run the reference merchant under uvicorn.

One process serves every supported API-Version (the ``API-Version`` header
picks the adapter).  TLS, when enabled, refuses anything below TLS 1.2.
Credentials that are not given are generated and printed once in the start
banner (stdout, never a log line) so that a developer can use them.
"""

from __future__ import annotations

import logging
import socket
import sys
import time
from pathlib import Path

import click

from acpforge import serving
from acpforge.merchant.core import REGISTRY
from acpforge.versions import SUPPORTED

__all__ = ["command"]


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@click.command(help="Run the ACP reference merchant (checkout, delegate payment, orders, webhooks).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option("--base-url", help="Public base URL used in links (default: scheme://host:port).")
@click.option("--webhook-url", help="Where order events are POSTed (can be changed at run time).")
@click.option("--webhook-secret", envvar="ACPFORGE_WEBHOOK_SECRET", help="HMAC secret for webhooks.")
@click.option("--simulator-secret", envvar="ACPFORGE_SIMULATOR_SECRET", help="Secret of the /simulator endpoints.")
@click.option("--api-key", "api_keys", multiple=True, envvar="ACPFORGE_API_KEY", help="Accepted bearer token (repeatable).")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM private key.")
@click.option("--allowlist", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="IP prefixes file in OpenAI's format (chatgpt-connectors.json).")
@click.option("--api-version", "versions", multiple=True, type=click.Choice(SUPPORTED),
              help="Serve only these API-Versions (default: all).")
@click.option("--completion-status", type=click.Choice(["200", "201"]), default="200", show_default=True,
              help="Success status of complete: the spec's 200 or the checklist's 201.")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="TEST ONLY: deliberate defect (see --list-faults).")
@click.option("--list-faults", is_flag=True, help="List the test-only fault names and exit.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def command(host, port, base_url, webhook_url, webhook_secret, simulator_secret, api_keys, tls_cert, tls_key,
            allowlist, versions, completion_status, faults, list_faults, log_level) -> None:
    from acpforge.merchant.app import ServeConfig, build_app

    if list_faults:
        click.echo("Test-only faults (each breaks one behaviour; never use outside tests):")
        click.echo(REGISTRY.describe())
        return
    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    port = port or _free_port(host)
    scheme = "https" if tls_cert else "http"
    shown_host = f"[{host}]" if ":" in host else host
    config = ServeConfig(
        base_url=base_url or f"{scheme}://{shown_host}:{port}",
        api_keys=api_keys,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret or "",
        simulator_secret=simulator_secret or "",
        faults=faults,
        allowlist=allowlist,
        completion_status=int(completion_status),
        versions=versions or SUPPORTED,
    )
    try:
        app = build_app(config)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    handle = serving.start(app, host, port, ssl_certfile=str(tls_cert) if tls_cert else None,
                           ssl_keyfile=str(tls_key) if tls_key else None, log_level=log_level)
    click.echo(_banner(app, handle.base_url, given={"api": bool(api_keys), "webhook": bool(webhook_secret),
                                                    "simulator": bool(simulator_secret)}))
    sys.stdout.flush()
    try:
        while handle.thread.is_alive():
            time.sleep(0.2)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        handle.stop()


def _banner(app, url: str, given: dict[str, bool]) -> str:
    config = app.config

    def secret(value: str, was_given: bool) -> str:
        return "(as given)" if was_given else f"{value} (generated)"

    lines = [
        f"acpforge reference merchant listening on {url}",
        f"API-Versions: {', '.join(app.versions)} (chosen by the API-Version header)",
        f"Public base URL: {config.base_url}",
        f"Bearer API key: {secret(config.api_keys[0], given['api'])}",
        f"Webhook URL: {config.webhook_url or '(none yet: POST /simulator/webhook-url)'}",
        f"Webhook secret: {secret(config.webhook_secret, given['webhook'])}",
        f"Simulator secret (header Simulator-Secret): {secret(config.simulator_secret, given['simulator'])}",
        "",
        app.core.describe(),
        "",
        "Ready.",
    ]
    return "\n".join(lines)
