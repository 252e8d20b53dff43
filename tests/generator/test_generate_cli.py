"""`acpforge generate` as a user runs it: determinism, --check, and clear refusals."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from acpforge.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "mini"


def run(*args: str):
    return CliRunner().invoke(main, ["generate", *args], catch_exceptions=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_runs_are_byte_identical_and_headers_name_their_source(tmp_path):
    assert run("--specs", str(FIXTURE), "--out", str(tmp_path / "a"), "-q").exit_code == 0
    # a copy of the specs elsewhere (another "machine"): same bytes out
    shutil.copytree(FIXTURE, tmp_path / "elsewhere")
    assert run("--specs", str(tmp_path / "elsewhere"), "--out", str(tmp_path / "b"), "-q").exit_code == 0
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second and len(first) > 10
    models = first["v2025_01_01/shop/models.py"].decode()
    digest = hashlib.sha256((FIXTURE / "2025-01-01" / "openapi.shop.yaml").read_bytes()).hexdigest()
    assert "from 2025-01-01/openapi.shop.yaml" in models
    assert f"spec sha256: {digest}" in models
    assert re.search(r"tools: datamodel-code-generator [\d.]+, jinja2 [\d.]+, ruff [\d.]+", models)
    assert str(tmp_path) not in "".join(c.decode(errors="ignore") for c in first.values())


def test_check_lists_changed_added_and_removed_files(tmp_path):
    out = tmp_path / "out"
    run("--specs", str(FIXTURE), "--out", str(out), "-q")
    clean = run("--specs", str(FIXTURE), "--out", str(out), "--check", "-q")
    assert clean.exit_code == 0 and "up to date" in clean.output
    (out / "v2025_01_01/shop/client.py").write_text("# edited by hand\n")
    (out / "v2025_01_01/shop/models.py").unlink()
    (out / "v2025_01_01/shop/stale.py").write_text("")
    stale = run("--specs", str(FIXTURE), "--out", str(out), "--check", "-q")
    assert stale.exit_code == 1
    assert f"changed: {out / 'v2025_01_01/shop/client.py'}" in stale.output
    assert f"added: {out / 'v2025_01_01/shop/models.py'}" in stale.output
    assert f"removed: {out / 'v2025_01_01/shop/stale.py'}" in stale.output
    # --check wrote nothing; a real run repairs everything
    assert (out / "v2025_01_01/shop/client.py").read_text() == "# edited by hand\n"
    assert run("--specs", str(FIXTURE), "--out", str(out), "-q").exit_code == 0
    assert run("--specs", str(FIXTURE), "--out", str(out), "--check", "-q").exit_code == 0
    assert not (out / "v2025_01_01/shop/stale.py").exists()


def test_committed_generated_folder_is_current(repo):
    result = CliRunner().invoke(
        main, ["generate", "--specs", str(repo / "specs"), "--out", str(repo / "generated"), "--check", "-q"]
    )
    assert result.exit_code == 0, result.output


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / "2025-01-01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        ("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n", r"openapi\.bad\.yaml:\d+: invalid YAML"),
        ("swagger: '2.0'\npaths: {}\n", r"openapi\.bad\.yaml:\d+: /openapi: not an OpenAPI 3\.x document"),
        ("openapi: 3.1.0\ninfo: {title: x, version: '1'}\n", r"openapi\.bad\.yaml:1: no 'paths'"),
        ("- just\n- a list\n", r"openapi\.bad\.yaml:1: top level is not a mapping"),
    ],
)
def test_impossible_specs_exit_2_with_file_line_and_reason(tmp_path, text, expected):
    write(tmp_path, "openapi.bad.yaml", text)
    result = CliRunner().invoke(main, ["generate", "--specs", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert re.search(expected, result.output), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_folder_and_unknown_version_are_clear_errors(tmp_path):
    missing = CliRunner().invoke(main, ["generate", "--specs", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file or directory" in missing.output
    unknown = CliRunner().invoke(main, ["generate", "--specs", str(FIXTURE), "--api-version", "2030-01-01", "--check"])
    assert unknown.exit_code == 2 and "unknown API-Version 2030-01-01; found: 2025-01-01" in unknown.output


def test_defects_that_do_not_block_generation_are_warnings(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--specs", str(FIXTURE), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert re.search(r"warning: .*openapi\.shop\.yaml:\d+: /components/schemas/Contact/if: 'if' is not enforced", result.output)
    assert re.search(r"warning: .*openapi\.shop\.yaml:\d+: .*phone/nullable: 'nullable' is OpenAPI 3\.0", result.output)
    assert re.search(r"warning: .*exclusiveMinimum", result.output)


def test_upstream_repository_layout_is_accepted(tmp_path):
    upstream = tmp_path / "agentic-commerce-protocol" / "spec" / "2025-01-01" / "openapi"
    upstream.mkdir(parents=True)
    for path in (FIXTURE / "2025-01-01").iterdir():
        shutil.copy(path, upstream / path.name)
    a = run("--specs", str(tmp_path / "agentic-commerce-protocol"), "--out", str(tmp_path / "a"), "-q")
    assert a.exit_code == 0, a.output
    b = run("--specs", str(FIXTURE), "--out", str(tmp_path / "b"), "-q")
    assert b.exit_code == 0
    ta, tb = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert sorted(ta) == sorted(tb)
    # identical except the spec path named in the headers
    strip = lambda text: re.sub(rb"from \S+openapi\.\S+\.yaml", b"from <spec>", text)
    assert {k: strip(v) for k, v in ta.items()} == {k: strip(v) for k, v in tb.items()}
