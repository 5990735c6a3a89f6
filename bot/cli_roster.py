"""(being written in this session)"""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this area's subcommands."""
