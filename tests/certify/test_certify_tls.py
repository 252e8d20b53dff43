"""The TLS probe over real TLS with certificates the test makes (loopback only)."""

from __future__ import annotations

import socket
import ssl
import threading
import warnings

import pytest
from fastapi import FastAPI

from acpforge import serving
from acpforge.certify import tls_probe
from acpforge.tls_certs import make_loopback_certificates


def verdicts(report):
    return {c.name: c.passed for c in report.checks}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_loopback_certificates(tmp_path_factory.mktemp("tls"))


def test_valid_server_passes_and_reports_the_negotiated_version(certs):
    with serving.running(FastAPI(), ssl_certfile=str(certs.cert_file), ssl_keyfile=str(certs.key_file)) as server:
        report = tls_probe.probe(server.base_url, ca_bundle=str(certs.ca_file))
        strict = tls_probe.probe(server.base_url, ca_bundle=str(certs.ca_file), production=True)
    assert all(verdicts(report).values()), report.checks
    assert any("negotiated TLSv1." in c.detail for c in report.checks)
    assert verdicts(strict)["port 443"] is False


def test_untrusted_and_expired_certificates_fail(certs, tmp_path):
    with serving.running(FastAPI(), ssl_certfile=str(certs.cert_file), ssl_keyfile=str(certs.key_file)) as server:
        untrusted = tls_probe.probe(server.base_url)  # system store does not know our CA
    assert verdicts(untrusted)["certificate trusted and valid for the host"] is False
    old = make_loopback_certificates(tmp_path / "old", expired=True)
    with serving.running(FastAPI(), ssl_certfile=str(old.cert_file), ssl_keyfile=str(old.key_file)) as server:
        expired = tls_probe.probe(server.base_url, ca_bundle=str(old.ca_file))
    failed = [c for c in expired.checks if not c.passed]
    assert failed and "expired" in failed[0].detail


def test_a_server_that_accepts_tls_1_1_is_reported(certs):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.cert_file, certs.key_file)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        report = tls_probe.probe(f"https://127.0.0.1:{listener.getsockname()[1]}", ca_bundle=str(certs.ca_file))
    finally:
        stop.set()
        thread.join(2)
        listener.close()
    legacy = next(c for c in report.checks if c.name == "TLS 1.1 and older refused")
    if "not testable" in legacy.detail:
        pytest.skip("this OpenSSL cannot offer TLS 1.1")
    assert legacy.passed is False and "accepted TLSv1" in legacy.detail


def test_plain_http_is_skipped_with_a_reason():
    report = tls_probe.probe("http://127.0.0.1:1")
    assert "not https" in report.skipped
