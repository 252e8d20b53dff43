"""``acpforge verify``: check a request signature or a webhook signature.

Why: when a merchant or a platform rejects a request, the first question is
"is this signature valid, and if not, why?". This command answers it with
the same code the reference merchant and the certifier use, and a stable
reason code.

Exit status: 0 valid, 1 invalid (the reason is printed on stderr),
2 bad usage or unreadable input (missing file, bad PEM, unknown version).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, BinaryIO, NoReturn

import click

from acpforge.commands.sign import read_body, read_key
from acpforge.wire.request_signing import (
    DEFAULT_MAX_SKEW_SECONDS,
    RequestVerifier,
    SignatureError,
    parse_timestamp,
)
from acpforge.wire.webhook_signature import WebhookSignatureError, format_for_version

_REQUEST_ONLY = ("public_key", "signature", "timestamp", "cover_timestamp")
_WEBHOOK_ONLY = ("secret", "api_version", "header", "encoding")


def _option_name(param: str) -> str:
    return "--" + param.replace("_", "-")


def _check_mode(webhook: bool, values: dict[str, object]) -> None:
    required = ("secret", "api_version", "header") if webhook else _REQUEST_ONLY[:3]
    forbidden = _REQUEST_ONLY if webhook else _WEBHOOK_ONLY
    mode = "--webhook" if webhook else "request signature"
    missing = [_option_name(p) for p in required if values[p] in (None, "")]
    if missing:
        raise click.UsageError(f"{mode} mode needs {', '.join(missing)}")
    extra = [_option_name(p) for p in forbidden if values[p] not in (None, False)]
    if extra:
        raise click.UsageError(f"{', '.join(extra)} cannot be used in {mode} mode")


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    if re.fullmatch(r"\d+", value):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return parse_timestamp(value)
    except SignatureError as exc:
        raise click.BadParameter(
            f"expected unix seconds or RFC 3339 ({exc.detail})", param_hint="--now"
        ) from None


def _invalid(reason: str) -> NoReturn:
    click.echo(f"invalid: {reason}", err=True)
    click.get_current_context().exit(1)


def _verify_request(values: dict[str, Any], body: bytes, now: datetime | None) -> str:
    key_path = values["public_key"]
    clock = (lambda: now) if now else (lambda: datetime.now(UTC))
    try:
        verifier = RequestVerifier(
            read_key(key_path, "--public-key"),
            max_skew_seconds=values["max_skew"],
            cover_timestamp=values["cover_timestamp"],
            clock=clock,
        )
    except SignatureError as exc:
        raise click.BadParameter(f"{key_path}: {exc}", param_hint="--public-key") from None
    try:
        verifier.verify(body, values["signature"], values["timestamp"])
    except SignatureError as exc:
        _invalid(str(exc))
    covered = "timestamp and canonical body" if verifier.cover_timestamp else "canonical body"
    return f"valid: {verifier.algorithm} signature over the {covered}"


def _verify_webhook(values: dict[str, Any], body: bytes, now: datetime | None) -> str:
    version = values["api_version"]
    try:
        fmt = format_for_version(
            version,
            raw_encoding=values["encoding"] or "hex",
            tolerance_seconds=int(values["max_skew"]),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--api-version") from None
    unix_now = int(now.timestamp()) if now else None
    try:
        fmt.verify(body, values["header"], values["secret"], now=unix_now)
    except WebhookSignatureError as exc:
        _invalid(str(exc))
    return f"valid: {fmt.header_name} ({type(fmt).__name__}, API-Version {version})"


@click.command(
    "verify",
    epilog=(
        "\b\nExamples:\n"
        "  acpforge verify --public-key client.pub.pem --body request.json \\\n"
        "      --signature SIG --timestamp 2026-04-17T10:30:00Z\n"
        "  acpforge verify --webhook --secret whsec_... --api-version 2026-04-17 \\\n"
        "      --header 't=1776421800,v1=...' --body event.json\n\n"
        "Exit status: 0 valid, 1 invalid (reason on stderr), 2 bad usage or input."
    ),
)
@click.option(
    "--public-key",
    metavar="PUB.pem",
    type=click.Path(exists=True, dir_okay=False),
    help="Signer's Ed25519 or P-256 public key (PEM).",
)
@click.option("--signature", metavar="S", help="Value of the Signature header (base64url).")
@click.option("--timestamp", metavar="T", help="Value of the Timestamp header (RFC 3339).")
@click.option(
    "--body",
    "body_file",
    default="-",
    show_default=True,
    metavar="FILE|-",
    type=click.File("rb"),
    help="Body as received; '-' reads stdin.",
)
@click.option(
    "--max-skew",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_SKEW_SECONDS,
    show_default=True,
    help="Seconds allowed between the Timestamp (or webhook t=) and now.",
)
@click.option(
    "--cover-timestamp", is_flag=True, help="The signature covers '<Timestamp>.<canonical body>'."
)
@click.option(
    "--now",
    metavar="TIME",
    help="Verify as of this time (unix seconds or RFC 3339) instead of the clock.",
)
@click.option("--webhook", is_flag=True, help="Verify a webhook Merchant-Signature instead.")
@click.option(
    "--secret",
    envvar="ACPFORGE_WEBHOOK_SECRET",
    metavar="S",
    help="Webhook shared secret (or env ACPFORGE_WEBHOOK_SECRET).",
)
@click.option("--api-version", metavar="V", help="API-Version of the webhook, e.g. 2026-04-17.")
@click.option("--header", metavar="VALUE", help="Value of the Merchant-Signature header.")
@click.option(
    "--encoding",
    type=click.Choice(["hex", "base64"]),
    help="Encoding of the raw-body HMAC before 2026-04-17 [default: hex].",
)
def command(webhook: bool, body_file: BinaryIO, now: str | None, **values: object) -> None:
    """Verify a detached request signature, or (--webhook) a webhook signature.

    Request mode checks Signature/Timestamp over the RFC 8785 canonical form
    of the body, with the algorithm taken from the public key. Webhook mode
    checks Merchant-Signature over the raw body in the format of
    --api-version: raw-body HMAC-SHA256 before 2026-04-17, t=...,v1=...
    from 2026-04-17 on.
    """
    _check_mode(webhook, values)
    moment = _parse_now(now)
    body = read_body(body_file)
    check = _verify_webhook if webhook else _verify_request
    click.echo(check(values, body, moment))
