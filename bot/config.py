"""Settings, loaded with pydantic-settings.

Precedence, highest first: CLI flags (passed as init values) > ``XIESHANG_*`` environment >
``config.toml`` (or ``--config FILE``) > defaults. ``config.example.toml`` documents every key.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config.toml")


class TelegramSettings(BaseModel):
    """How the bot reaches Telegram when a token is configured."""

    token: SecretStr | None = None
    api_base: str | None = Field(
        default=None, description="A self-hosted Bot API server, e.g. http://127.0.0.1:8081"
    )
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "/telegram/webhook"

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("telegram.mode = 'webhook' needs telegram.webhook_url")
        return self


class SandboxSettings(BaseModel):
    """The embedded fake Telegram used when no token is configured."""

    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65535)
    rate_limits: bool = True


class OutboundSettings(BaseModel):
    """Pacing of everything the bot sends, to stay inside Telegram's limits."""

    per_chat_burst: int = Field(default=4, ge=1)
    per_chat_per_second: float = Field(default=1.0, gt=0)
    per_group_per_minute: int = Field(default=20, ge=1)
    global_per_second: int = Field(default=30, ge=1)
    max_retries: int = Field(default=5, ge=0)


class AutoReportSettings(BaseModel):
    """The monthly indicator report sent by itself on the 1st (previous month) to the groups
    bound to the whole community. Off unless communities are named here."""

    communities: list[str] = Field(
        default_factory=list, description='community names, or ["*"] for every community'
    )
    at: time = Field(default=time(9), description="local time on the 1st")

    def enabled(self, name: str) -> bool:
        return "*" in self.communities or name in self.communities


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="XIESHANG_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=DEFAULT_CONFIG_FILE,
    )

    db: str = "sqlite+aiosqlite:///xieshang.db"
    clock: Literal["real", "virtual"] = "real"
    default_language: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    telegram: TelegramSettings = TelegramSettings()
    sandbox: SandboxSettings = SandboxSettings()
    outbound: OutboundSettings = OutboundSettings()
    auto_report: AutoReportSettings = AutoReportSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def sandboxed(self) -> bool:
        """No token means the embedded sandbox stands in for Telegram."""
        return self.telegram.token is None

    @model_validator(mode="after")
    def _virtual_clock_only_in_sandbox(self) -> Settings:
        if self.clock == "virtual" and not self.sandboxed:
            raise ValueError("clock = 'virtual' is for the sandbox only; remove the token")
        return self


class ConfigError(Exception):
    """A configuration problem worth one clear line to the operator, not a traceback."""


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Load settings from ``config_file`` (or ./config.toml if present) under env and CLI values.

    ``overrides`` are CLI values in dotted form (``sandbox.port=9000``) or top-level keys; ``None``
    means "not given" so it never masks a lower layer.
    """
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_file}")
    toml_file = config_file or DEFAULT_CONFIG_FILE

    class FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=toml_file)

    init: dict[str, object] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        section, _, field = key.partition(".")
        if field:
            init.setdefault(section, {})[field] = value  # type: ignore[index]
        else:
            init[key] = value
    try:
        return FileSettings(**init)
    except ValidationError as exc:
        # Never echo input values: they may include the token.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        raise ConfigError(problems) from None
