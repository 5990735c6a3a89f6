"""A benchmark run as the operator runs it: ``python -m bot.cli bench NAME …`` in a child
process, with an empty config file so that a developer's config.toml cannot change it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "empty.toml"
    config.touch()
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bench", name, *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def reported(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The figures: the JSON object on the last line."""
    return json.loads(done.stdout.strip().splitlines()[-1])
