"""Redaction of card data, tokens and secrets before anything is logged.

Why: delegate-payment bodies carry cardholder data (PCI DSS: a full card
number or a CVC must never be written to a log), and every request carries a
bearer token; the certifier records exchanges as evidence. Everything that
leaves acpforge for a log or a report goes through this module.

Three entry points, from the most to the least structured input:
``redact_headers`` (a header mapping), ``redact_json`` (a parsed body, by key
name and by value shape) and ``redact_text`` (free text, by pattern: card
numbers that pass the Luhn check, ``Bearer`` credentials, ``"cvc": "123"``
style pairs in JSON or ``repr`` text, ``key=value`` pairs, ``vt_`` vault
tokens). Masks are chosen so that every function is idempotent: redacting
redacted output changes nothing. Redaction errs on the side of masking too
much (a 16-digit order number that happens to pass Luhn is masked too).
``RedactingFilter`` applies ``redact_text`` to log records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "MASK",
    "RedactingFilter",
    "install_redaction",
    "mask_pan",
    "redact_header_value",
    "redact_headers",
    "redact_json",
    "redact_text",
]

MASK = "***"

_SECRET_HEADERS = frozenset(
    {"signature", "merchant-signature", "cookie", "set-cookie", "x-api-key"}
)
_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})
_HEADER_WORDS = ("secret", "token", "key")
_HEADER_EXEMPT = frozenset({"idempotency-key"})

_SECRET_KEYS = frozenset(
    {
        "cvc", "cvv", "cvc2", "cvv2", "cryptogram", "security_code",
        "token", "secret", "api_key", "apikey", "password", "passwd",
        "access_token", "refresh_token", "id_token", "client_secret",
        "webhook_secret", "private_key", "authorization",
    }
)  # fmt: skip
_SECRET_SUFFIXES = ("_token", "_secret", "_password")
_PAN_KEYS = frozenset({"number", "card_number", "pan"})

_PAN_MIN, _PAN_MAX = 12, 19
_PAN_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){11,18}(?!\d)")
_PAN_VALUE = re.compile(r"\d(?:[ -]?\d)*")
_BEARER = re.compile(r"\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)
_VAULT_TOKEN = re.compile(r"(?<![A-Za-z0-9_])vt_([A-Za-z0-9_-]+)")
_QUOTED_PAIR = re.compile(
    r"""(?P<kq>["'])(?P<key>[A-Za-z0-9_.-]{1,64})(?P=kq)(?P<sep>\s*:\s*)"""
    r"""(?:(?P<vq>["'])(?P<val>(?:\\.|(?!(?P=vq)).)*?)(?P=vq)|(?P<bare>-?[0-9][0-9.eE+-]*))"""
)
_KV_PAIR = re.compile(
    r"(?<![A-Za-z0-9_-])(?P<key>[A-Za-z][A-Za-z0-9_-]{0,63})=(?P<val>[^\s&,;\"']+)"
)
_HEADER_LINE = re.compile(
    r"(?m)^(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<sep>[ \t]*:[ \t]*)(?P<val>[^\r\n]+)"
)


# --- predicates -------------------------------------------------------------


def _is_secret_header(name: str) -> bool:
    lname = name.strip().lower()
    if lname in _HEADER_EXEMPT:
        return False
    return lname in _SECRET_HEADERS or any(word in lname for word in _HEADER_WORDS)


def _normalize_key(key: object) -> str:
    return str(key).strip().lower().replace("-", "_")


def _is_secret_key(key: object) -> bool:
    name = _normalize_key(key)
    return name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES)


def _is_pan_key(key: object) -> bool:
    return _normalize_key(key) in _PAN_KEYS


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# --- masks ------------------------------------------------------------------


def mask_pan(value: str | int) -> str | None:
    """``"************4242"`` for a 12-19 digit value (spaces/dashes allowed), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not _PAN_VALUE.fullmatch(text):
        return None
    digits = re.sub(r"[ -]", "", text)
    if not _PAN_MIN <= len(digits) <= _PAN_MAX:
        return None
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_vault_token(match: re.Match[str]) -> str:
    rest = match.group(1)
    return "vt_" + MASK + (rest[-4:] if len(rest) >= 8 else "")


def _redact_authorization(value: str) -> str:
    """Keep the scheme (``Bearer``, ``Basic``) and mask the credentials."""
    parts = value.strip().split(None, 1)
    return f"{parts[0]} {MASK}" if len(parts) == 2 else MASK


# --- headers ----------------------------------------------------------------


def _as_str(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def redact_header_value(name: str, value: str) -> str:
    """The loggable form of one header value."""
    if name.strip().lower() in _AUTH_HEADERS:
        return _redact_authorization(value)
    if _is_secret_header(name):
        return MASK
    return redact_text(value)


def redact_headers(mapping: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """A new dict of headers with credentials and signatures masked.

    Names keep their original spelling; other values still go through
    ``redact_text``. Accepts any mapping (``httpx.Headers`` too) or pairs.
    """
    items = mapping.items() if isinstance(mapping, Mapping) else mapping
    result: dict[str, str] = {}
    for raw_name, raw_value in items:
        name = _as_str(raw_name)
        result[name] = redact_header_value(name, _as_str(raw_value))
    return result


# --- JSON -------------------------------------------------------------------


def redact_json(obj: Any) -> Any:
    """A redacted deep copy of a parsed JSON value.

    By key: card numbers keep their last four digits, CVC/cryptogram and
    secrets/tokens/passwords become ``"***"``. By value: every other string
    goes through ``redact_text`` (so a ``vt_`` token becomes ``vt_***`` plus
    its last four characters). ``None`` stays ``None``: null leaks nothing.
    """
    if isinstance(obj, Mapping):
        return {key: _redact_member(key, value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [redact_json(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(redact_json(item) for item in obj)
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def _redact_member(key: Any, value: Any) -> Any:
    if value is None:
        return None
    if _is_secret_key(key):
        if _normalize_key(key) == "authorization" and isinstance(value, str):
            return _redact_authorization(value)
        return MASK
    if _is_pan_key(key):
        masked = mask_pan(value)
        if masked is not None:
            return masked
    return redact_json(value)


# --- free text --------------------------------------------------------------


def redact_text(text: str) -> str:
    """Mask secrets found in free text (log lines, exception messages, dumps)."""
    if not isinstance(text, str):
        text = str(text)
    text = _HEADER_LINE.sub(_header_line, text)
    text = _QUOTED_PAIR.sub(_quoted_pair, text)
    text = _KV_PAIR.sub(_kv_pair, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _VAULT_TOKEN.sub(_mask_vault_token, text)
    return _PAN_RUN.sub(_pan_run, text)


def _header_line(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("val")
    if name.lower() not in _AUTH_HEADERS and not _is_secret_header(name):
        return match.group(0)
    return f"{name}{match.group('sep')}{redact_header_value(name, value)}"


def _quoted_pair(match: re.Match[str]) -> str:
    key = match.group("key")
    prefix = match.group(0)[: match.start("sep") - match.start(0)] + match.group("sep")
    quote = match.group("vq") or '"'
    value = match.group("val") if match.group("vq") else match.group("bare")
    if _is_secret_key(key):
        return f"{prefix}{quote}{MASK}{quote}"
    if _is_pan_key(key) and (masked := mask_pan(value)) is not None:
        return f"{prefix}{quote}{masked}{quote}"
    return match.group(0)


def _kv_pair(match: re.Match[str]) -> str:
    if not _is_secret_key(match.group("key")):
        return match.group(0)
    return f"{match.group('key')}={MASK}"


def _pan_run(match: re.Match[str]) -> str:
    """Mask the longest Luhn-valid card number inside a run of digit groups."""
    run = match.group(0)
    span = _luhn_window(run)
    if span is None:
        return run
    start, end = span
    digit_positions = [i for i in range(start, end) if run[i].isdigit()]
    hidden = set(digit_positions[:-4])
    masked = "".join("*" if i in hidden else ch for i, ch in enumerate(run))
    return masked


def _luhn_window(run: str) -> tuple[int, int] | None:
    """(start, end) of the longest Luhn-valid 12-19 digit span of whole groups."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    best: tuple[int, int] | None = None
    for first in range(len(groups)):
        for last in range(len(groups) - 1, first - 1, -1):
            start, end = groups[first][0], groups[last][1]
            digits = re.sub(r"\D", "", run[start:end])
            if _PAN_MIN <= len(digits) <= _PAN_MAX and _luhn_ok(digits):
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end)
                break
    return best


# --- logging ----------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record into its redacted form.

    The message is formatted first (structured arguments are passed through
    ``redact_json`` before formatting), then the whole text through
    ``redact_text``; ``args`` is emptied so that no handler can format the
    raw arguments again. Exception and stack text are redacted too. The
    filter never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(self._formatted(record))
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True

    @staticmethod
    def _formatted(record: logging.LogRecord) -> str:
        args = record.args
        if isinstance(args, Mapping):
            record.args = redact_json(args)
        elif isinstance(args, tuple):
            record.args = tuple(
                redact_json(a) if isinstance(a, (Mapping, list, tuple)) else a for a in args
            )
        if not isinstance(record.msg, str):
            record.msg = redact_json(record.msg)
        try:
            return record.getMessage()
        except (TypeError, ValueError, KeyError):  # bad format string: keep the pieces
            return f"{record.msg} {record.args!r}"


def install_redaction(logger_names: str | Iterable[str] | None = None) -> RedactingFilter:
    """Attach one ``RedactingFilter`` to the named loggers and their handlers.

    ``None`` or ``""`` means the root logger. Both the logger and its current
    handlers get the filter: a logger's own filters do not see records that
    propagate up from child loggers, its handlers' filters do. Handlers added
    later must be given the returned filter (``handler.addFilter``).
    Calling it twice adds nothing twice.
    """
    names = (
        [logger_names] if logger_names is None or isinstance(logger_names, str) else logger_names
    )
    shared = RedactingFilter()
    for name in names:
        logger = logging.getLogger(name or None)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, RedactingFilter) for f in target.filters):
                target.addFilter(shared)
    return shared
