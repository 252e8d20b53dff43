"""Minimal reproductions of fuzzing failures: a curl command and a Python snippet.

A reproduction replays exactly the requests a failure needs (one request for
most failures; the chain of earlier calls for a stateful one), redacted
through ``acpforge.wire.redact`` like everything else acpforge writes:

* ``Authorization`` becomes ``Bearer $ACPFORGE_TOKEN`` (curl) or a read of
  ``ACPFORGE_TOKEN`` (Python); the token never appears;
* the base URL becomes ``$ACPFORGE_BASE_URL`` with the fuzzed URL as the
  default, because the reference merchant the fuzzer started is gone by the
  time someone reads the report;
* card numbers keep their last four digits, CVCs, cryptograms and payment
  tokens are masked; a step that needs a real delegated token calls
  ``acpforge.fuzz.tokens.mint_token`` (Python) instead of replaying a
  delegate-payment request with card data in it;
* ids the merchant chose (session ids, token ids) are mapped: when an earlier
  step returns a new id, later steps use it in place of the recorded one.

The Python snippet ends with ``acpforge.fuzz.replay.check_response``, which
runs the failed check on the new response and raises ``AssertionError``
(``REPRODUCED ...``) when the failure is still there.
"""

from __future__ import annotations

import base64
import json
import pprint
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from acpforge.wire.redact import redact_header_value, redact_json, redact_text

__all__ = ["Reproduction", "Step", "build_reproduction", "placeholder_paths"]

TOKEN_ENV = "ACPFORGE_TOKEN"
BASE_URL_ENV = "ACPFORGE_BASE_URL"
PAYMENT_TOKEN_ENV = "ACPFORGE_PAYMENT_TOKEN"
_DROP_HEADERS = frozenset({"content-length", "host", "connection", "accept-encoding", "x-schemathesis-testcaseid"})
_PLACEHOLDER = "{{payment_token}}"
#: Idempotency keys acpforge chose itself (flows, probes, tokens).
OWN_KEY_PREFIX = "acpforge-"


def refreshable_key(value: str) -> bool:
    """Whether a replay should send a fresh variant of this key.

    The server may have stored the recorded key (with this body or another one), and a replay
    must be a new request, not a stored answer or a conflict.  A key a server cannot have stored
    (empty, longer than 255 characters) is kept verbatim: it may be the very cause of the failure.
    """
    return 0 < len(value) <= 230 and value.isprintable()


@dataclass
class Step:
    """One request of a reproduction (or, with ``mint``, one token to mint)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: ``id`` of the recorded response, mapped to the new one on replay.
    response_id: str | None = None
    #: Every ``id`` in the recorded response, by path (session, line item and option ids).
    response_ids: tuple[tuple[tuple, str], ...] = ()
    #: ``{"session_id", "amount", "currency"}``: mint a delegated token instead of sending a request.
    mint: dict[str, Any] | None = None
    #: Values of the body that were minted tokens (replaced by a fresh token on replay).
    minted_tokens: tuple[str, ...] = ()
    operation: str = ""

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Reproduction:
    curl: str
    python: str

    def asdict(self) -> dict[str, str]:
        return {"curl": self.curl, "python": self.python}


def id_paths(document: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """``(path, value)`` of every string ``id`` in a parsed response."""
    found: list[tuple[tuple, str]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "id" and isinstance(value, str):
                found.append(((*path, key), value))
            else:
                found += id_paths(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += id_paths(value, (*path, index))
    return found


def placeholder_paths(original: Any, tokens: tuple[str, ...], path: tuple = ()) -> list[tuple]:
    """Paths in ``original`` whose value is one of ``tokens``."""
    found: list[tuple] = []
    if isinstance(original, dict):
        for key, value in original.items():
            found += placeholder_paths(value, tokens, (*path, key))
    elif isinstance(original, list):
        for index, value in enumerate(original):
            found += placeholder_paths(value, tokens, (*path, index))
    elif isinstance(original, str) and original in tokens:
        found.append(path)
    return found


def _set(document: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def _body(step: Step) -> tuple[str, Any]:
    """``("json", redacted object)``, ``("text", redacted str)``, ``("base64", str)`` or ``("none", None)``."""
    if step.body is None or step.body == b"":
        return "none", None
    try:
        parsed = json.loads(step.body)
    except (ValueError, UnicodeDecodeError):
        try:
            return "text", redact_text(step.body.decode("utf-8"))
        except UnicodeDecodeError:
            return "base64", base64.b64encode(step.body).decode("ascii")
    redacted = redact_json(parsed)
    for path in placeholder_paths(parsed, step.minted_tokens):
        if path:
            _set(redacted, path, _PLACEHOLDER)
    return "json", redacted


def _headers(step: Step) -> tuple[dict[str, str], bool]:
    """Redacted headers (without Authorization) and whether Authorization was sent."""
    out: dict[str, str] = {}
    auth = False
    for name, value in step.headers.items():
        lname = name.lower()
        if lname in _DROP_HEADERS:
            continue
        if lname == "authorization":
            auth = True
            continue
        out[name] = redact_header_value(name, str(value))
    return out, auth


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _curl_step(step: Step, base_url: str, index: int = 1) -> str:
    if step.mint is not None:
        return (
            f"# mint a delegated payment token for session {step.mint['session_id']} "
            f"({step.mint['amount']} {step.mint['currency']}) and export it as ${PAYMENT_TOKEN_ENV}\n"
            "# (acpforge does this with POST /agentic_commerce/delegate_payment and a test card)"
        )
    headers, auth = _headers(step)
    parts = ["curl", "-sS", "-i", "-X", step.method]
    if auth:
        parts += ["-H", f'"Authorization: Bearer ${TOKEN_ENV}"']
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and refreshable_key(value):
            # fresh: a replay is a new request (the recorded key may be stored with another body)
            stem = OWN_KEY_PREFIX if value.startswith(OWN_KEY_PREFIX) else value + "-"
            parts += ["-H", shlex.quote(f"{name}: {stem}") + f'"$(date +%s)-$$-{index}"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    kind, body = _body(step)
    prefix = ""
    if kind == "json":
        text = _dumps(body)
        if _PLACEHOLDER in text:
            left, _, right = text.partition(_dumps(_PLACEHOLDER))
            parts += ["--data-binary", shlex.quote(left) + f'"\\"${PAYMENT_TOKEN_ENV}\\""' + shlex.quote(right)]
        else:
            parts += ["--data-binary", shlex.quote(text)]
    elif kind == "text":
        parts += ["--data-binary", shlex.quote(body)]
    elif kind == "base64":
        prefix = f"printf %s {shlex.quote(body)} | base64 -d | "
        parts += ["--data-binary", "@-"]
    parts.append(f'"${{{BASE_URL_ENV}:-{base_url}}}"{shlex.quote(step.path)}')
    return prefix + " ".join(parts)


def _python_step(step: Step, index: int, last: bool) -> list[str]:
    if step.mint is not None:
        m = step.mint
        return [
            f"# step {index}: a fresh delegated payment token for the session",
            (f"payment_token = mint_token(BASE_URL, VERSION, ids.get({m['session_id']!r}, {m['session_id']!r}), "
             f"{int(m['amount'])}, {m['currency']!r}, bearer_token=TOKEN, merchant_id=MERCHANT_ID)"),
        ]
    headers, auth = _headers(step)
    kind, body = _body(step)
    lines = [f"# step {index}: {step.operation or step.method + ' ' + step.path}"]
    lines.append(f"headers = {headers!r}")
    if auth:
        lines.append('headers["Authorization"] = "Bearer " + TOKEN')
    key = next((k for k in headers if k.lower() == "idempotency-key"), None)
    if key is not None and refreshable_key(headers[key]):
        stem = OWN_KEY_PREFIX if headers[key].startswith(OWN_KEY_PREFIX) else headers[key] + "-"
        lines.append(f"headers[{key!r}] = {stem!r} + uuid.uuid4().hex[:12]  # fresh: a replay is a new request")
    if kind == "json":
        lines.append("body = " + pprint.pformat(body, width=110, sort_dicts=False).replace("\n", "\n       "))
        content = "json.dumps(remap(body)).encode()"
    elif kind == "text":
        lines.append(f"body = {body!r}")
        content = "remap(body).encode()"
    elif kind == "base64":
        lines.append(f"body = base64.b64decode({body!r})")
        content = "body"
    else:
        content = "None"
    name = "response" if last else f"response_{index}"
    lines.append(
        f"{name} = http.request({step.method!r}, BASE_URL + remap({step.path!r}), headers=headers, content={content})"
    )
    if not last and (step.response_ids or step.response_id is not None):
        known = step.response_ids or (((("id",), step.response_id),) if step.response_id else ())
        pairs = [(list(path), redact_text(value)) for path, value in known]
        lines.append(f"learn({pairs!r}, {name})")
    return lines


def build_reproduction(
    steps: list[Step],
    *,
    base_url: str,
    version: str,
    api: str,
    check: str,
    operation: str,
    seed: int | None,
    merchant_id: str = "acpforge_reference_merchant",
    title: str = "",
    expect: dict[str, Any] | None = None,
) -> Reproduction:
    """The curl commands and the Python snippet replaying ``steps`` (the last one failed)."""
    base_url = base_url.rstrip("/")
    header = f"acpforge fuzz: {check} on {operation} (API-Version {version}, seed {seed})"
    curl_lines = [f"# {header}", f"# {title}" if title else "", f"# export {TOKEN_ENV}=... [{BASE_URL_ENV}=...]"]
    if len(steps) > 1:
        curl_lines.append("# earlier steps set up state; replace recorded ids with the ones each answer returns")
    for index, step in enumerate(steps, 1):
        curl_lines.append(_curl_step(step, base_url, index))
    py = [
        f'"""{header}."""',
        "",
        "import base64",
        "import json",
        "import os",
        "import uuid",
        "",
        "import httpx",
        "",
        "from acpforge.fuzz.replay import check_response",
    ]
    if any(s.mint for s in steps):
        py.append("from acpforge.fuzz.tokens import mint_token")
    py += [
        "",
        f"BASE_URL = os.environ.get({BASE_URL_ENV!r}, {base_url!r}).rstrip('/')",
        f"TOKEN = os.environ.get({TOKEN_ENV!r}, '')",
        f"VERSION = {version!r}",
        f"MERCHANT_ID = os.environ.get('ACPFORGE_MERCHANT_ID', {merchant_id!r})",
        "ids = {}  # recorded id -> id returned now",
        "payment_token = None",
        "",
        "",
        "def learn(recorded, answer):",
        '    """Map the ids the recorded answer had to the ones this answer has (same places)."""',
        "    try:",
        "        data = answer.json()",
        "    except ValueError:",
        "        return",
        "    for path, old in recorded:",
        "        value = data",
        "        try:",
        "            for part in path:",
        "                value = value[part]",
        "        except (KeyError, IndexError, TypeError):",
        "            continue",
        "        if isinstance(value, str) and value != old:",
        "            ids[old] = value",
        "",
        "",
        "def remap(value):",
        "    if isinstance(value, dict):",
        "        return {k: remap(v) for k, v in value.items()}",
        "    if isinstance(value, list):",
        "        return [remap(v) for v in value]",
        "    if isinstance(value, str):",
        f"        if value == {_PLACEHOLDER!r}:",
        "            return payment_token",
        "        for old, new in ids.items():",
        "            value = value.replace(old, new)",
        "    return value",
        "",
        "",
        "http = httpx.Client(timeout=30)",
    ]
    for index, step in enumerate(steps, 1):
        py += _python_step(step, index, index == len(steps))
    py += [
        'print(response.status_code, dict(response.headers))',
        "print(response.text[:2000])",
        f"check_response(response, {check!r}, version=VERSION, api={api!r}, operation={operation!r}"
        + (f", expect={expect!r})" if expect else ")"),
        "",
    ]
    return Reproduction(curl="\n".join(line for line in curl_lines if line != "") + "\n", python="\n".join(py))
