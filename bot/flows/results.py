"""What flows return: framework-free descriptions of what to say and show.

Handlers hand these to ``bot.render``; flows never talk to Telegram themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Text


@dataclass(frozen=True)
class Button:
    """An inline button; ``data`` is the callback data (at most 64 bytes, Telegram's limit)."""

    label: Text
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > 64:
            raise ValueError(f"callback data over 64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """A message to the chat the request came from; paragraphs are kept whole when split."""

    paragraphs: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class EditOrigin:
    """Replace the message whose button was pressed (text and buttons)."""

    paragraphs: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Toast:
    """The answer to a button press: a short notice, or a modal alert."""

    text: Text
    alert: bool = False


@dataclass(frozen=True)
class Notify:
    """A message to another chat (a worker's or a member's private chat), in its reader's language.

    Delivery may fail (the person never opened a chat with the bot); the handler learns which
    notices were not delivered and can fall back.
    """

    chat_id: int
    paragraphs: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()


Outcome = Reply | EditOrigin | Toast | Notify


def reply(*paragraphs: Text, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
    return Reply(tuple(paragraphs), buttons)
