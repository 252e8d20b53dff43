"""``acpforge sign``: sign a JSON body the way an ACP client does.

Why: to produce a request by hand (curl, a test fixture, a bug report), or
to check another implementation's signatures against ours, a developer needs
the exact canonical bytes and the ``Signature``/``Timestamp`` headers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

import click

from acpforge.wire.request_signing import (
    RequestSigner,
    SignatureError,
    canonical_body,
    generate_private_key,
    parse_timestamp,
    public_key_pem,
    signed_bytes,
)


def read_body(source: BinaryIO) -> bytes:
    """Read a request body from the file (or stdin) that click opened."""
    if source.isatty():
        raise click.UsageError("no body: pass --body FILE, or pipe the JSON into stdin")
    try:
        return source.read()
    except OSError as exc:
        raise click.BadParameter(f"cannot read the body: {exc}", param_hint="--body") from None


def read_key(path: str, option: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=option) from None


def _write_private_key(out: Path, pem: bytes, force: bool) -> None:
    if out.exists() and not force:
        raise click.BadParameter(f"{out} exists; pass --force to overwrite", param_hint="--out")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {out}: {exc.strerror}", param_hint="--out"
        ) from None


def _generate(alg: str, out: str | None, force: bool) -> None:
    if out is None:
        raise click.UsageError("--generate-key needs --out PRIVATE.pem")
    pem = generate_private_key(alg)
    _write_private_key(Path(out), pem, force)
    click.echo(f"wrote {alg} private key to {out}; its public key:", err=True)
    click.echo(public_key_pem(pem).decode("ascii"), nl=False)


def _signer(key_path: str, cover_timestamp: bool) -> RequestSigner:
    try:
        return RequestSigner(read_key(key_path, "--key"), cover_timestamp=cover_timestamp)
    except SignatureError as exc:
        raise click.BadParameter(f"{key_path}: {exc}", param_hint="--key") from None


def _check_timestamp(value: str | None) -> None:
    if value is None:
        return
    try:
        parse_timestamp(value)
    except SignatureError as exc:
        raise click.BadParameter(str(exc), param_hint="--timestamp") from None


def _emit(signer: RequestSigner, canonical: bytes, headers: dict[str, str], fmt: str) -> None:
    if fmt == "json":
        document = {
            "algorithm": signer.algorithm,
            "cover_timestamp": signer.cover_timestamp,
            "signed_bytes": signed_bytes(
                canonical, headers["Timestamp"], signer.cover_timestamp
            ).decode("utf-8"),
            "canonical_body": canonical.decode("utf-8"),
            "headers": headers,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for name, value in headers.items():
        click.echo(f"{name}: {value}")
    click.echo("")
    click.echo(canonical.decode("utf-8"))


@click.command(
    "sign",
    epilog=(
        "\b\nExamples:\n"
        "  acpforge sign --generate-key ed25519 --out client.pem > client.pub.pem\n"
        "  acpforge sign --key client.pem --body request.json\n"
        '  echo \'{"b":1,"a":2}\' | acpforge sign --key client.pem --format json'
    ),
)
@click.option(
    "--key",
    "key_path",
    metavar="PRIVATE.pem",
    type=click.Path(exists=True, dir_okay=False),
    help="Ed25519 or P-256 private key (unencrypted PEM).",
)
@click.option(
    "--body",
    "body_file",
    default="-",
    show_default=True,
    metavar="FILE|-",
    type=click.File("rb"),
    help="JSON body to sign; '-' reads stdin.",
)
@click.option(
    "--cover-timestamp",
    is_flag=True,
    help="Sign '<Timestamp>.<canonical body>' instead of the canonical body alone.",
)
@click.option(
    "--timestamp",
    metavar="RFC3339",
    help="Timestamp to sign at, e.g. 2026-04-17T10:30:00Z (default: now, UTC).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: header lines, a blank line, the canonical body.",
)
@click.option(
    "--generate-key",
    "generate",
    type=click.Choice(["ed25519", "es256"], case_sensitive=False),
    help="Generate a private key into --out and print its public key.",
)
@click.option(
    "--out", metavar="PRIVATE.pem", help="Where --generate-key writes the key (mode 0600)."
)
@click.option("--force", is_flag=True, help="Let --generate-key overwrite an existing --out file.")
def command(
    key_path: str | None,
    body_file: BinaryIO,
    cover_timestamp: bool,
    timestamp: str | None,
    fmt: str,
    generate: str | None,
    out: str | None,
    force: bool,
) -> None:
    """Sign a JSON request body: canonical JSON (RFC 8785) plus Signature and Timestamp.

    The algorithm follows from the key: Ed25519, or ES256 for a P-256 key
    (raw r||s, base64url without padding). The body is canonicalized first,
    so its whitespace and key order do not matter. With --cover-timestamp
    the signature also covers the Timestamp header; the verifier must be told
    the same.
    """
    if generate:
        if key_path:
            raise click.UsageError("--generate-key and --key cannot be combined")
        _generate(generate.lower(), out, force)
        return
    if not key_path:
        raise click.UsageError("--key PRIVATE.pem is required (or --generate-key ALG --out FILE)")
    _check_timestamp(timestamp)
    signer = _signer(key_path, cover_timestamp)
    body = read_body(body_file)
    try:
        canonical = canonical_body(body)
    except SignatureError as exc:
        raise click.BadParameter(exc.detail, param_hint="--body") from None
    headers = signer.sign(body, timestamp=timestamp)
    _emit(signer, canonical, headers, fmt)
