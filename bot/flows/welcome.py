"""/start and /help: tell a newcomer what the bot does and what they may do here."""

from __future__ import annotations

from bot.flows.commands import ChatKind, available
from bot.flows.policy import Standing
from bot.flows.results import Reply, reply
from bot.i18n import t


def start(where: ChatKind, first_name: str) -> Reply:
    if where == "private":
        return reply(
            t("Hello, {name}! I am the <b>协商日</b> assistant.", name=first_name),
            t(
                "I bring your community's monthly deliberation day into the group chats you "
                "already use: residents raise proposals and second them, the agenda is frozen "
                "before the day, each household casts one vote, and then minutes, public notice "
                "(公示), follow-up until done and residents' ratings follow."
            ),
            t(
                "Send /help to see the commands you can use; send /lang to switch language (中文 / English)."
            ),
        )
    return reply(
        t(
            "Hello everyone! I am the <b>协商日</b> assistant: I keep this group's proposals, seconds, votes and public notices."
        ),
        t(
            "To begin, a community admin or moderator sends /bind in this group to bind it to "
            "the community, a grid or a building. Once it is bound, verified members can second "
            "proposals and vote for their household."
        ),
        t("Send /help to see the commands you can use."),
    )


def help_text(where: ChatKind, standing: Standing) -> Reply:
    lines = [
        t("/{name} — {summary}", name=c.name, summary=c.summary) for c in available(where, standing)
    ]
    return reply(t("<b>Commands you can use here:</b>"), *lines)


def unknown_command(command: str) -> Reply:
    return reply(
        t(
            "I don't know the command /{command}. Send /help to see the commands you can use.",
            command=command,
        )
    )


def private_hint() -> Reply:
    return reply(t("Send me a command to get started, for example /help."))
