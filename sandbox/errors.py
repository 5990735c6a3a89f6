"""The two error families: Telegram-shaped errors for the bot, plain JSON errors for users."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """An error the Bot API returns; rendered exactly like Telegram's `{"ok": false, ...}`."""

    def __init__(self, error_code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str, **parameters: Any) -> BotApiError:
    return BotApiError(400, f"Bad Request: {message}", **parameters)


def forbidden(message: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {message}")


class UserApiError(Exception):
    """A mistake by a user-API caller (test, web page, curl): `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
