"""The ``acpforge`` command line: a click group whose commands load lazily."""

from __future__ import annotations

import importlib

import click

# name -> (module under acpforge.commands, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "certify": ("certify", "Certify a merchant against OpenAI's launch checklist, with request/response evidence."),
    "serve": ("serve", "Run the ACP reference merchant (both API-Versions, webhooks, simulator)."),
    "generate": ("generate", "Generate models, server stubs, clients, webhooks and tests from specs."),
    "lint": ("lint", "Check specs for defects (validity, examples, dialect, compositions, drift, ACP rules)."),
    "diff": ("diff", "Classify the changes between two spec versions as breaking for clients or servers."),
    "sign": ("sign", "Sign a JSON request body: RFC 8785 canonical form plus Signature and Timestamp headers."),
    "verify": ("verify", "Verify a request signature, or (--webhook) a webhook Merchant-Signature."),
    "fuzz": ("fuzz", "Fuzz a merchant's ACP endpoints (Schemathesis + ACP checks, stateful, reproductions)."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"acpforge.commands.{COMMANDS[cmd_name][0]}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="acpforge")
def main() -> None:
    """Generate, serve, certify and fuzz Agentic Commerce Protocol (ACP) APIs.

    Run `acpforge COMMAND --help` for the options of each command.
    """


if __name__ == "__main__":  # pragma: no cover
    main()
