"""The operator's commands, run as a person would run them: as processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

XIESHANG = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")} | {
        "PYTHONPATH": str(ROOT)
    }


def xieshang(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*XIESHANG, *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=60
    )


def api(base: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/sandbox/api{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.load(response)


def test_help_everywhere(tmp_path: Path) -> None:
    top = xieshang("--help", cwd=tmp_path)
    assert top.returncode == 0
    for command in ("run", "sandbox", "db", "audit", "bench"):
        assert command in top.stdout
    for args in (
        ["run"],
        ["sandbox"],
        ["db", "upgrade"],
        ["audit", "verify"],
        ["bench", "dispatch"],
    ):
        shown = xieshang(*args, "--help", cwd=tmp_path)
        assert shown.returncode == 0 and "--config" in shown.stdout and "--db" in shown.stdout, args


def test_db_upgrade_is_idempotent_and_audit_verifies(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    for _ in range(2):
        done = xieshang("db", "upgrade", "--db", db, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    verified = xieshang("audit", "verify", "--db", db, cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.startswith("verified: 0 audit events")


def test_configuration_errors_are_one_line(tmp_path: Path) -> None:
    missing = xieshang("db", "upgrade", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "config file not found" in missing.stderr and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[sandbox]\nport = "eighty"\n')
    wrong = xieshang("run", "--config", str(bad), cwd=tmp_path)
    assert (
        wrong.returncode == 2 and "sandbox.port" in wrong.stderr and "Traceback" not in wrong.stderr
    )


def test_run_prints_the_web_chat_url_and_serves_a_conversation(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*XIESHANG, "run", "--port", "0", "--db", f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Sandbox web chat: (http://127\.0\.0\.1:\d+)/\n", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        base = match.group(1)
        with urllib.request.urlopen(base + "/", timeout=10) as page:
            assert "<html" in page.read().decode().lower()
        user = api(base, "POST", "/users", {"first_name": "王芳", "language_code": "zh-hans"})
        chat = api(base, "POST", "/chats", {"type": "private", "user_id": user["id"]})
        api(
            base, "POST", f"/chats/{chat['id']}/messages", {"user_id": user["id"], "text": "/start"}
        )
        got = api(base, "GET", f"/chats/{chat['id']}/wait?after=0&count=1&timeout=10")
        assert "你好，王芳！" in got["messages"][0]["text"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("xieshang run did not stop on Ctrl-C")
    assert "Traceback" not in process.stderr.read()
