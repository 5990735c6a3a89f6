"""Privacy mode: which group messages a bot that may not read everything still receives.

Telegram (core.telegram.org/bots/features#privacy-mode) delivers to such a bot only commands meant
for it, replies to its messages, messages mentioning it and service messages. World.bot_receives
decides *whether* the rule applies (a group, privacy on, the bot not an administrator); this
module says what the rule lets through.
"""

from __future__ import annotations

from typing import Any

from .entities import utf16_slice
from .model import Message, User


def meant_for_bot(bot: User, message: Message) -> bool:
    """True for service messages, commands for this bot, replies to it and mentions of it."""
    if message.service:
        return True
    data = message.data
    replied = data.get("reply_to_message")
    # An implicit reply to a topic's creation message is just "posted in the topic".
    if replied and replied["from"]["id"] == bot.id and "forum_topic_created" not in replied:
        return True
    text = data.get("text", data.get("caption", ""))
    entities: list[dict[str, Any]] = data.get("entities", data.get("caption_entities", []))
    return any(_addresses(bot, entity, text) for entity in entities)


def _addresses(bot: User, entity: dict[str, Any], text: str) -> bool:
    """`/cmd@itsname` anywhere or a bare `/cmd` first; `@itsname`; a text_mention of it."""
    part = utf16_slice(text, entity["offset"], entity["length"]).lower()
    name = f"@{bot.username or ''}".lower()
    if entity["type"] == "bot_command":
        addressee = part.partition("@")[2]
        return f"@{addressee}" == name if addressee else entity["offset"] == 0
    if entity["type"] == "mention":
        return part == name
    return entity["type"] == "text_mention" and entity.get("user", {}).get("id") == bot.id
