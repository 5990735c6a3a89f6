"""docs/commands.md is generated from the command registry, the policy and the CLI parser."""

from __future__ import annotations

from pathlib import Path

from bot.docs_commands import generate
from bot.flows.commands import COMMANDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"


def test_the_committed_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == generate(), (
        "docs/commands.md is out of date: run `xieshang docs commands --output docs/commands.md`"
    )


def test_every_chat_and_cli_command_is_listed_with_an_example() -> None:
    text = generate()
    for command in COMMANDS:
        assert f"| `/{command.name}` |" in text and command.example, command.name
    for name in (
        "community create NAME",
        "role grant --community NAME --user TELEGRAM_ID",
        "grid create --community NAME GRID",
        "docs commands [--output FILE]",
    ):
        assert f"`xieshang {name}" in text, name
