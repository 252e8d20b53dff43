"""``acpforge sign`` and ``acpforge verify`` through click's CliRunner."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from acpforge.commands.sign import command as sign
from acpforge.commands.verify import command as verify
from acpforge.wire.request_signing import generate_private_key, public_key_pem
from acpforge.wire.webhook_signature import RawBodyHmac, TimestampedHmac

BODY = b'{ "b": [1, 2.0], "a": "x" }'
CANONICAL = '{"a":"x","b":[1,2]}'
TS = "2026-04-17T10:30:00Z"
NOW = 1776421800  # TS as unix seconds


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(params=["ed25519", "es256"])
def keys(request, tmp_path: Path) -> tuple[Path, Path]:
    private = generate_private_key(request.param)
    priv, pub = tmp_path / "client.pem", tmp_path / "client.pub.pem"
    priv.write_bytes(private)
    pub.write_bytes(public_key_pem(private))
    return priv, pub


@pytest.fixture
def body_file(tmp_path: Path) -> Path:
    path = tmp_path / "body.json"
    path.write_bytes(BODY)
    return path


def sign_json(runner, priv: Path, body: Path, *extra: str) -> dict:
    result = runner.invoke(
        sign, ["--key", str(priv), "--body", str(body), "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- sign --------------------------------------------------------------------


def test_sign_text_output(runner, keys, body_file) -> None:
    priv, _ = keys
    result = runner.invoke(sign, ["--key", str(priv), "--body", str(body_file), "--timestamp", TS])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Signature: ") and len(lines[0]) > len("Signature: ") + 80
    assert lines[1] == f"Timestamp: {TS}"
    assert lines[2] == ""
    assert lines[3] == CANONICAL


def test_sign_json_output_and_stdin(runner, keys) -> None:
    priv, _ = keys
    result = runner.invoke(sign, ["--key", str(priv), "--format", "json"], input=BODY)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["canonical_body"] == doc["signed_bytes"] == CANONICAL
    assert doc["algorithm"] in ("Ed25519", "ES256")
    assert set(doc["headers"]) == {"Signature", "Timestamp"}


def test_sign_cover_timestamp(runner, keys, body_file) -> None:
    priv, _ = keys
    doc = sign_json(runner, priv, body_file, "--cover-timestamp", "--timestamp", TS)
    assert doc["cover_timestamp"] is True
    assert doc["signed_bytes"] == f"{TS}.{CANONICAL}"


def test_sign_ed25519_is_deterministic(runner, tmp_path, body_file) -> None:
    priv = tmp_path / "k.pem"
    priv.write_bytes(generate_private_key("ed25519"))
    first = sign_json(runner, priv, body_file, "--timestamp", TS)
    second = sign_json(runner, priv, body_file, "--timestamp", TS)
    assert first["headers"] == second["headers"]


def test_sign_then_verify(runner, keys, body_file) -> None:
    priv, pub = keys
    headers = sign_json(runner, priv, body_file, "--timestamp", TS)["headers"]
    args = ["--public-key", str(pub), "--signature", headers["Signature"]]
    args += ["--timestamp", headers["Timestamp"], "--body", str(body_file), "--now", TS]
    result = runner.invoke(verify, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: ")


def test_sign_then_verify_cover_timestamp_with_skew(runner, keys, body_file) -> None:
    priv, pub = keys
    headers = sign_json(runner, priv, body_file, "--cover-timestamp")["headers"]
    base = ["--public-key", str(pub), "--signature", headers["Signature"]]
    base += ["--timestamp", headers["Timestamp"], "--body", str(body_file)]
    assert runner.invoke(verify, [*base, "--cover-timestamp"]).exit_code == 0
    plain = runner.invoke(verify, base)
    assert plain.exit_code == 1 and "signature_mismatch" in plain.stderr


def test_sign_generate_key(runner, tmp_path, body_file) -> None:
    out = tmp_path / "new.pem"
    result = runner.invoke(sign, ["--generate-key", "es256", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert out.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert result.stdout.encode() == public_key_pem(out.read_bytes())
    assert sign_json(runner, out, body_file)["algorithm"] == "ES256"
    again = runner.invoke(sign, ["--generate-key", "ed25519", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    no_traceback(again)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--key", "missing.pem"], "does not exist"),
        (["--key", __file__, "--body", "missing.json"], "missing.json"),
        ([], "--key PRIVATE.pem is required"),
        (["--generate-key", "ed25519"], "--out"),
        (["--generate-key", "rsa", "--out", "x.pem"], "ed25519"),
        (["--generate-key", "es256", "--out", "/nonexistent/dir/k.pem"], "cannot write"),
        (["--generate-key", "es256", "--out", "k.pem", "--key", __file__], "cannot be combined"),
    ],
)
def test_sign_usage_errors(runner, args, message) -> None:
    result = runner.invoke(sign, args, input=BODY)
    assert result.exit_code == 2
    assert message in result.output
    no_traceback(result)


def test_sign_bad_pem_no_traceback(runner, tmp_path, body_file) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    result = runner.invoke(sign, ["--key", str(bad), "--body", str(body_file)])
    assert result.exit_code == 2
    assert "bad_key" in result.output
    no_traceback(result)


def test_sign_bad_json_and_bad_timestamp(runner, keys, tmp_path) -> None:
    priv, _ = keys
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": ')
    result = runner.invoke(sign, ["--key", str(priv), "--body", str(bad)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    no_traceback(result)
    result = runner.invoke(sign, ["--key", str(priv), "--timestamp", "yesterday"], input=BODY)
    assert result.exit_code == 2 and "bad_timestamp" in result.output


# --- verify: request signatures ------------------------------------------------


def verify_args(pub: Path, body: Path, signature: str, timestamp: str = TS) -> list[str]:
    return ["--public-key", str(pub), "--signature", signature, "--timestamp", timestamp,
            "--body", str(body), "--now", TS]  # fmt: skip


def test_verify_invalid_signature_exits_1(runner, keys, body_file, tmp_path) -> None:
    priv, pub = keys
    headers = sign_json(runner, priv, body_file, "--timestamp", TS)["headers"]
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(BODY.replace(b'"x"', b'"y"'))
    result = runner.invoke(verify, verify_args(pub, tampered, headers["Signature"]))
    assert result.exit_code == 1
    assert "invalid: signature_mismatch" in result.stderr
    no_traceback(result)


def test_verify_whitespace_changed_body_is_valid(runner, keys, body_file, tmp_path) -> None:
    priv, pub = keys
    headers = sign_json(runner, priv, body_file, "--timestamp", TS)["headers"]
    other = tmp_path / "other.json"
    other.write_bytes(CANONICAL.encode())
    assert runner.invoke(verify, verify_args(pub, other, headers["Signature"])).exit_code == 0


@pytest.mark.parametrize(
    "signature, timestamp, now, reason",
    [
        ("!!!", TS, TS, "bad_base64url"),
        (None, "17 April 2026", TS, "bad_timestamp"),
        (None, TS, "2026-04-17T10:40:00Z", "timestamp_skew"),
        (None, TS, str(NOW + 301), "timestamp_skew"),
    ],
)
def test_verify_reasons(runner, keys, body_file, signature, timestamp, now, reason) -> None:
    priv, pub = keys
    good = sign_json(runner, priv, body_file, "--timestamp", TS)["headers"]["Signature"]
    args = verify_args(pub, body_file, signature or good, timestamp)
    args[args.index("--now") + 1] = now
    result = runner.invoke(verify, args)
    assert result.exit_code == 1
    assert f"invalid: {reason}" in result.stderr


def test_verify_max_skew_option(runner, keys, body_file) -> None:
    priv, pub = keys
    good = sign_json(runner, priv, body_file, "--timestamp", TS)["headers"]["Signature"]
    args = verify_args(pub, body_file, good)
    args[args.index("--now") + 1] = "2026-04-17T11:30:00Z"
    assert runner.invoke(verify, args).exit_code == 1
    assert runner.invoke(verify, [*args, "--max-skew", "3600"]).exit_code == 0


def test_verify_bad_pem_no_traceback(runner, tmp_path, body_file) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("hello")
    result = runner.invoke(verify, verify_args(bad, body_file, "AAAA"))
    assert result.exit_code == 2
    assert "bad_key" in result.output
    no_traceback(result)


def test_verify_private_key_given_as_public_key(runner, keys, body_file) -> None:
    priv, _ = keys
    result = runner.invoke(verify, verify_args(priv, body_file, "AAAA"))
    assert result.exit_code == 2 and "got a private key" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--signature", "x", "--timestamp", TS], "--public-key"),
        (["--public-key", "nope.pem", "--signature", "x", "--timestamp", TS], "does not exist"),
        (["--webhook", "--secret", "s", "--api-version", "2026-04-17"], "--header"),
        (["--webhook", "--secret", "s", "--api-version", "2026-04-17", "--header", "h",
          "--signature", "x"], "cannot be used"),
        (["--webhook", "--secret", "s", "--api-version", "v2", "--header", "h"], "API-Version"),
        (["--webhook", "--secret", "s", "--api-version", "2026-04-17", "--header", "h",
          "--now", "soon"], "--now"),
    ],
)  # fmt: skip
def test_verify_usage_errors(runner, args, message) -> None:
    result = runner.invoke(verify, args, input=b"{}")
    assert result.exit_code == 2, result.output
    assert message in result.output
    no_traceback(result)


# --- verify: webhooks ----------------------------------------------------------


def webhook_args(version: str, header: str, body: Path, *extra: str) -> list[str]:
    return ["--webhook", "--secret", "whsec_1", "--api-version", version, "--header", header,
            "--body", str(body), "--now", str(NOW), *extra]  # fmt: skip


def test_verify_webhook_timestamped(runner, body_file) -> None:
    header = TimestampedHmac().sign(BODY, "whsec_1", now=NOW)
    result = runner.invoke(verify, webhook_args("2026-04-17", header, body_file))
    assert result.exit_code == 0, result.output
    assert "TimestampedHmac" in result.stdout


def test_verify_webhook_raw_body(runner, body_file) -> None:
    header = RawBodyHmac().sign(BODY, "whsec_1")
    assert runner.invoke(verify, webhook_args("2025-09-29", header, body_file)).exit_code == 0
    b64 = RawBodyHmac(encoding="base64").sign(BODY, "whsec_1")
    args = webhook_args("2025-09-29", b64, body_file, "--encoding", "base64")
    assert runner.invoke(verify, args).exit_code == 0


def test_verify_webhook_secret_from_environment(runner, body_file) -> None:
    header = RawBodyHmac().sign(BODY, "env-secret")
    args = webhook_args("2025-09-29", header, body_file)
    del args[1:3]  # drop --secret whsec_1
    result = runner.invoke(verify, args, env={"ACPFORGE_WEBHOOK_SECRET": "env-secret"})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "version, header, now, reason",
    [
        ("2026-04-17", TimestampedHmac().sign(BODY, "other", now=NOW), NOW, "signature_mismatch"),
        ("2026-04-17", TimestampedHmac().sign(BODY, "whsec_1", now=NOW), NOW + 301,
         "timestamp_outside_tolerance"),
        ("2026-04-17", RawBodyHmac().sign(BODY, "whsec_1"), NOW, "malformed_header"),
        ("2025-09-29", TimestampedHmac().sign(BODY, "whsec_1", now=NOW), NOW, "malformed_header"),
        ("2025-09-29", RawBodyHmac().sign(BODY + b" ", "whsec_1"), NOW, "signature_mismatch"),
    ],
)  # fmt: skip
def test_verify_webhook_invalid(runner, body_file, version, header, now, reason) -> None:
    args = webhook_args(version, header, body_file)
    args[args.index("--now") + 1] = str(now)
    result = runner.invoke(verify, args)
    assert result.exit_code == 1
    assert f"invalid: {reason}" in result.stderr
    no_traceback(result)


# --- wiring into the acpforge group ------------------------------------------------


def test_commands_load_through_the_lazy_group(runner, monkeypatch) -> None:
    from acpforge import cli

    monkeypatch.setitem(cli.COMMANDS, "sign", ("sign", "Sign a JSON body."))
    monkeypatch.setitem(cli.COMMANDS, "verify", ("verify", "Verify a signature."))
    result = runner.invoke(cli.main, ["--help"])
    assert "sign" in result.output and "verify" in result.output
    for name in ("sign", "verify"):
        help_result = runner.invoke(cli.main, [name, "--help"])
        assert help_result.exit_code == 0
        assert "Exit status" in help_result.output or "RFC 8785" in help_result.output
