"""Settings precedence: CLI > environment > config file > defaults; secrets never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_documents_valid_settings() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert (
        settings.sandboxed and settings.sandbox.port == 8081 and settings.telegram.mode == "polling"
    )


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('log_level = "DEBUG"\n[sandbox]\nport = 7000\nhost = "127.0.0.2"\n')
    assert load_settings(config).sandbox.port == 7000
    monkeypatch.setenv("XIESHANG_SANDBOX__PORT", "7001")
    settings = load_settings(config)
    assert settings.sandbox.port == 7001 and settings.sandbox.host == "127.0.0.2"
    settings = load_settings(config, **{"sandbox.port": 7002, "clock": None})
    assert (
        settings.sandbox.port == 7002 and settings.clock == "real" and settings.log_level == "DEBUG"
    )


def test_errors_are_one_line_and_never_echo_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XIESHANG_TELEGRAM__TOKEN", "123456:very-secret-token")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "missing.toml")
    assert "config file not found" in str(raised.value)
    empty = tmp_path / "empty.toml"
    empty.touch()
    with pytest.raises(ConfigError) as raised:
        load_settings(empty, clock="virtual")
    assert "sandbox only" in str(raised.value)
    assert "secret" not in str(raised.value) and "123456" not in str(raised.value)
    settings = load_settings(empty)
    assert "very-secret" not in repr(settings) and not settings.sandboxed


def test_webhook_mode_needs_a_url(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[telegram]\ntoken = "1:x"\nmode = "webhook"\n')
    with pytest.raises(ConfigError, match="webhook_url"):
        load_settings(config)
