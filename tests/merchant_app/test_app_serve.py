"""``acpforge serve`` (item 9): the banner, both versions, and TLS 1.2 as the minimum."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from acpforge.cli import main


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_help_documents_faults_as_test_only():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "TEST ONLY" in result.output and "--webhook-url" in result.output
    listed = CliRunner().invoke(main, ["serve", "--list-faults"])
    assert "webhook_wrong_secret" in listed.output and "idempotency_off" in listed.output


def test_serve_over_tls_prints_the_banner_and_refuses_old_tls(tmp_path):
    cert, key = _self_signed(tmp_path)
    cmd = [sys.executable, "-m", "acpforge.cli", "serve", "--port", "0", "--api-key", "cli-key",
           "--tls-cert", str(cert), "--tls-key", str(key), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.strip() == "Ready.":
                break
        banner = "".join(lines)
        assert "Ready." in banner, banner
        url = re.search(r"listening on (https://\S+)", banner).group(1)
        assert "2025-09-29, 2026-04-17" in banner and "item_tshirt" in banner and "4242424242424242" in banner
        assert "cli-key" not in banner  # given credentials are never printed

        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with httpx.Client(verify=context) as client:
            assert client.get(f"{url}/healthz").json()["status"] == "ok"
        host, port = url.removeprefix("https://").rsplit(":", 1)
        import socket

        with socket.create_connection((host, int(port))) as raw, context.wrap_socket(raw) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                old.minimum_version = ssl.TLSVersion.TLSv1
                old.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError):
            pytest.skip("this OpenSSL cannot even offer TLS 1.1")
        with socket.create_connection((host, int(port))) as raw, pytest.raises(ssl.SSLError):
            old.wrap_socket(raw).close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_allowlist_file_restricts_callers(tmp_path):
    import json

    from .appsupport import VERSIONS, merchant

    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"creationTime": "2026-01-01T00:00:00", "prefixes": [{"ipv4Prefix": "10.0.0.0/8"}]}))
    inside = tmp_path / "inside.json"
    inside.write_text(json.dumps({"creationTime": "2026-01-01T00:00:00", "prefixes": [{"ipv4Prefix": "127.0.0.0/8"}]}))
    headers = {"Authorization": "Bearer test-api-key-0123456789", "API-Version": VERSIONS[0]}
    with merchant(allowlist=outside) as (_, base):
        assert httpx.get(f"{base}/checkout_sessions/cs_x", headers=headers).status_code == 403
    with merchant(allowlist=inside) as (_, base):
        assert httpx.get(f"{base}/checkout_sessions/cs_x", headers=headers).status_code == 404
