"""Version-free wire formats shared by every ACP API-Version.

Hand-written, never generated: canonical JSON (RFC 8785) and body
fingerprints, detached request signatures (Ed25519, ES256), webhook HMAC
signatures in each version's format, and redaction of card data, tokens and
secrets. Nothing here imports a generated model, so one implementation
serves every version; version differences are data (``format_for_version``).
"""

from acpforge.wire.canonical import canonical_json, canonicalize_bytes, fingerprint
from acpforge.wire.redact import (
    RedactingFilter,
    install_redaction,
    redact_headers,
    redact_json,
    redact_text,
)
from acpforge.wire.request_signing import (
    RequestSigner,
    RequestVerifier,
    SignatureError,
    generate_private_key,
    public_key_pem,
)
from acpforge.wire.webhook_signature import (
    RawBodyHmac,
    TimestampedHmac,
    WebhookSignatureError,
    format_for_version,
)

__all__ = [
    "RawBodyHmac",
    "RedactingFilter",
    "RequestSigner",
    "RequestVerifier",
    "SignatureError",
    "TimestampedHmac",
    "WebhookSignatureError",
    "canonical_json",
    "canonicalize_bytes",
    "fingerprint",
    "format_for_version",
    "generate_private_key",
    "install_redaction",
    "public_key_pem",
    "redact_headers",
    "redact_json",
    "redact_text",
]
