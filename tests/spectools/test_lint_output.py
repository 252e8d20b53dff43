"""lint's reporters (text, json, SARIF 2.1.0) and its command line."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner
from spectools_support import LINT_FIXTURES, fixture_path

from acpforge.cli import main

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that code-scanning
# consumers read; written out here because tests run without the network.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "fullDescription": {"$ref": "#/$defs/message"},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": [
                                                                "none",
                                                                "note",
                                                                "warning",
                                                                "error",
                                                            ]
                                                        }
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {
                                                            "uri": {
                                                                "type": "string",
                                                                "format": "uri-reference",
                                                            }
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    },
                                                },
                                            },
                                            "logicalLocations": {
                                                "type": "array",
                                                "items": {"type": "object"},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "message": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string"}},
        }
    },
}


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_text_output_is_file_line_severity_rule_message():
    result = run("lint", str(fixture_path("dialect-nullable", "bad")))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert "bad.yaml:14: error dialect-nullable: `nullable: true`" in first
    assert "dialect-nullable  1" in result.output.replace("   ", "  ")


def test_json_output_shape():
    result = run("lint", str(fixture_path("enum-mismatch", "bad")), "--format", "json")
    document = json.loads(result.output)
    assert set(document) >= {"findings"}
    for finding in document["findings"]:
        assert set(finding) == {"rule", "severity", "file", "line", "pointer", "message"}
    assert {f["rule"] for f in document["findings"]} == {"enum-mismatch"}


def test_sarif_output_is_valid_2_1_0():
    result = run(
        "lint",
        str(LINT_FIXTURES / "acp-money-integer" / "bad.yaml"),
        str(fixture_path("yaml-tab", "bad")),
        "--format",
        "sarif",
    )
    log = json.loads(result.output)
    jsonschema.Draft202012Validator(
        SARIF_SUBSET, format_checker=jsonschema.FormatChecker()
    ).validate(log)
    run_ = log["runs"][0]
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    for res in run_["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
    assert {r["level"] for r in run_["results"]} == {"error", "warning"}


def test_exit_status_clean_is_zero():
    result = run("lint", str(fixture_path("dialect-nullable", "good")))
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_warnings_do_not_fail_unless_asked():
    bad = str(fixture_path("dialect-schema-example", "bad"))
    assert run("lint", bad).exit_code == 0
    assert run("lint", bad, "--fail-on", "warning").exit_code == 1


def test_nonexistent_path_is_exit_2_without_traceback():
    result = run("lint", "/no/such/spec")
    assert result.exit_code == 2
    assert "no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_folder_without_specs_is_exit_2(tmp_path):
    result = run("lint", str(tmp_path))
    assert result.exit_code == 2 and "no spec files found" in result.output


def test_unknown_rule_is_exit_2():
    result = run("lint", str(fixture_path("syntax", "good")), "--select", "no-such-rule")
    assert result.exit_code == 2 and "unknown rule" in result.output


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_select_and_ignore_by_family(option):
    bad = str(fixture_path("dialect-nullable", "bad"))
    result = run("lint", bad, option, "dialect", "--format", "json")
    rules = {f["rule"] for f in json.loads(result.output)["findings"]}
    assert (rules == {"dialect-nullable"}) if option == "--select" else not rules


def test_list_rules_and_help():
    listed = run("lint", "--list-rules")
    assert (
        listed.exit_code == 0
        and "oneof-overlap" in listed.output
        and "acp-money-integer" in listed.output
    )
    helped = run("lint", "--help")
    assert helped.exit_code == 0 and "Exit status" in helped.output
    assert "lint" in run("--help").output and "diff" in run("--help").output


def test_output_file(tmp_path):
    target = tmp_path / "report.sarif"
    result = run("lint", str(fixture_path("syntax", "bad")), "--format", "sarif", "-o", str(target))
    assert result.exit_code == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
