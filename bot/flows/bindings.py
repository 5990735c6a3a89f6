"""Binding a group chat to one scope (community, grid or building), and the bot's place in it.

``/bind`` offers the scopes as buttons (grids first, each grid's buildings one level down, so
any number of buildings fits in Telegram's keyboard and 64-byte callback data). The binding
also remembers what the bot may do there (admin, topics), kept current from my_chat_member.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.flows import scopes, standing
from bot.flows.results import Button, EditOrigin, Outcome, Reply, Toast, reply
from bot.i18n import Text, t
from storage import audit
from storage.engine import Database
from storage.models import ChatBinding, Community, Scope
from storage.timestamps import utcnow

PREFIX = "bind:"
BUILDINGS_PER_ROW = 3
RIGHTS: dict[str, Text] = {"pin": t("pin messages"), "topics": t("manage topics")}
FALLBACKS: dict[str, Text] = {  # what the bot did instead when Telegram refused it the right
    "pin": t("I could not pin my message, so it stays unpinned."),
    "topics": t(
        "I could not open a topic for the agenda item, so its discussion is in the replies "
        "to my message instead."
    ),
}


@dataclass(frozen=True)
class ChatFacts:
    """What the handler learnt from Telegram about the group and the bot's rights in it."""

    chat_id: int
    title: str
    has_topics: bool
    bot_is_admin: bool
    missing: tuple[str, ...] = ()  # keys of RIGHTS the bot lacks
    reads_all: bool = True  # False: privacy mode hides the discussion from the bot


def needs(missing: tuple[str, ...]) -> Text | None:
    """What the bot asks for when it cannot pin or open topics; None when it has everything."""
    if not missing:
        return None
    rights = RIGHTS[missing[-1]]
    for key in reversed(missing[:-1]):
        rights = t("{first}, {rest}", first=RIGHTS[key], rest=rights)
    return t(
        "Please make me an admin of this group with the right to {rights}: I pin public "
        "notices and open a topic for each agenda item.",
        rights=rights,
    )


def unseen(chat: ChatFacts) -> Text | None:
    """What the moderator must change when privacy mode hides the discussion; None if seen."""
    if chat.reads_all:
        return None
    return t(
        "Telegram's privacy mode lets me see only commands, replies to my messages and mentions "
        "here, so the discussion is not recorded for the minutes. To fix it, make me an admin "
        "of this group, or have my owner send /setprivacy to @BotFather and choose Disable. "
        "Commands and buttons work either way."
    )


def wanted(chat: ChatFacts) -> tuple[Text, ...]:
    """Everything the bot asks of the group: the rights it lacks, the discussion it cannot see."""
    return tuple(said for said in (needs(chat.missing), unseen(chat)) if said is not None)


def private_hint() -> Reply:
    return reply(t("Send /bind or /unbind in the group you want to bind or unbind."))


def unavailable() -> Toast:
    return Toast(t("That choice is no longer available; send /bind again."), alert=True)


def not_bound() -> Reply:
    return reply(t("This group is not bound to any scope."))


async def _binding(session: AsyncSession, chat_id: int) -> ChatBinding | None:
    return await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == chat_id))


async def _describe(session: AsyncSession, scope_id: int) -> Text:
    scope = await session.get(Scope, scope_id)
    assert scope is not None
    parent = await session.get(Scope, scope.parent_id) if scope.kind == "building" else None
    return scopes.describe(scope, parent)


async def target(db: Database, community_id: int | None, scope_id: int) -> tuple[int, ...] | None:
    """The policy path of a scope offered on a button, or None if it is not in this community."""
    if community_id is None:
        return None
    async with db.session() as s:
        return (await standing.scope_paths(s, community_id)).get(scope_id)


async def menu(db: Database, community_id: int, chat_id: int) -> Reply:
    """The first /bind message: the community and each grid; grids open their buildings."""
    async with db.session() as s:
        found = await scopes.tree(s, community_id)
        current = await _binding(s, chat_id)
        bound = await _describe(s, current.scope_id) if current and current.active else None
    rows = [
        (
            Button(
                t("Community: {name}", name=found.community.name), f"{PREFIX}s:{found.community.id}"
            ),
        )
    ]
    for grid, buildings in found.grids:
        row = [Button(t("Grid: {name}", name=grid.name), f"{PREFIX}s:{grid.id}")]
        if buildings:
            row.append(Button(t("Buildings of {name} ›", name=grid.name), f"{PREFIX}g:{grid.id}"))
        rows.append(tuple(row))
    intro = (
        t("This group is bound to {scope}. Choose a scope to bind it to instead:", scope=bound)
        if bound
        else t("What is this group for? Choose the scope to bind it to:")
    )
    return reply(intro, buttons=tuple(rows))


async def grid_menu(db: Database, community_id: int, grid_id: int) -> list[Outcome]:
    async with db.session() as s:
        grid = await s.get(Scope, grid_id)
        if grid is None or grid.community_id != community_id or grid.kind != "grid":
            return [unavailable()]
        buildings = [
            b for b in await scopes.children(s, community_id, "building") if b.parent_id == grid_id
        ]
    buttons = [Button(t("{name}", name=b.name), f"{PREFIX}s:{b.id}") for b in buildings]
    rows = [
        tuple(buttons[i : i + BUILDINGS_PER_ROW]) for i in range(0, len(buttons), BUILDINGS_PER_ROW)
    ]
    rows.append((Button(t("‹ Back"), f"{PREFIX}top"),))
    return [
        EditOrigin(
            (t("Buildings of {name}: choose one to bind this group to.", name=grid.name),),
            tuple(rows),
        )
    ]


async def top_menu(db: Database, community_id: int, chat_id: int) -> list[Outcome]:
    shown = await menu(db, community_id, chat_id)
    return [EditOrigin(shown.paragraphs, shown.buttons)]


async def choose(
    db: Database,
    community_id: int,
    chat: ChatFacts,
    scope_id: int,
    *,
    actor_id: int | None,
    confirmed: bool,
) -> list[Outcome]:
    """Bind the group to the chosen scope; changing an existing binding asks first."""
    async with db.write() as s:
        current = await _binding(s, chat.chat_id)
        chosen = await _describe(s, scope_id)
        if current is not None and current.active:
            if current.scope_id == scope_id:
                done = t("This group is already bound to {scope}; nothing changed.", scope=chosen)
                return [EditOrigin((done,)), Toast(done)]
            if not confirmed:
                question = t(
                    "This group is bound to {old}. Bind it to {new} instead?",
                    old=await _describe(s, current.scope_id),
                    new=chosen,
                )
                buttons = (
                    (
                        Button(t("Yes, change it"), f"{PREFIX}ok:{scope_id}"),
                        Button(t("No, keep it"), f"{PREFIX}no"),
                    ),
                )
                return [EditOrigin((question,), buttons)]
        previous = current.scope_id if current is not None and current.active else None
        binding = current or ChatBinding(
            chat_id=chat.chat_id, community_id=community_id, scope_id=scope_id, title=chat.title
        )
        binding.community_id, binding.scope_id, binding.title = community_id, scope_id, chat.title
        binding.active, binding.bound_at = True, utcnow()
        binding.has_topics, binding.bot_is_admin = chat.has_topics, chat.bot_is_admin
        binding.reads_all = chat.reads_all
        s.add(binding)
        await audit.record(
            s,
            "chat.bound",
            actor_id=actor_id,
            community_id=community_id,
            subject=f"chat:{chat.chat_id}",
            data={
                "scope_id": scope_id,
                "from_scope_id": previous,
                "title": chat.title,
                "has_topics": chat.has_topics,
                "bot_is_admin": chat.bot_is_admin,
                "reads_all": chat.reads_all,
            },
        )
    paragraphs = [t("This group is now bound to {scope}.", scope=chosen)]
    if chat.has_topics:
        paragraphs.append(t("It has topics: each agenda item will get its own topic."))
    paragraphs.extend(wanted(chat))
    return [EditOrigin(tuple(paragraphs)), Toast(paragraphs[0])]


async def keep(db: Database, chat_id: int) -> list[Outcome]:
    async with db.session() as s:
        current = await _binding(s, chat_id)
        if current is None or not current.active:
            said = t("Nothing changed: this group is not bound.")
        else:
            said = t(
                "Nothing changed: this group stays bound to {scope}.",
                scope=await _describe(s, current.scope_id),
            )
    return [EditOrigin((said,)), Toast(said)]


async def unbind(db: Database, chat_id: int, *, actor_id: int | None, reason: str) -> Text | None:
    """Deactivate the group's binding (audited); None when it was not bound."""
    async with db.write() as s:
        current = await _binding(s, chat_id)
        if current is None or not current.active:
            return None
        current.active = False
        s.add(current)
        await audit.record(
            s,
            "chat.unbound",
            actor_id=actor_id,
            community_id=current.community_id,
            subject=f"chat:{chat_id}",
            data={"scope_id": current.scope_id, "reason": reason},
        )
        scope = await _describe(s, current.scope_id)
    return t(
        "This group is no longer bound to {scope}. An admin or moderator can bind it again with /bind.",
        scope=scope,
    )


async def unbind_command(db: Database, chat_id: int, actor_id: int | None) -> Reply:
    said = await unbind(db, chat_id, actor_id=actor_id, reason="command")
    return reply(said) if said is not None else not_bound()


# -- the bot's own membership (my_chat_member) -----------------------------------------------


async def right_refused(db: Database, chat_id: int, key: str) -> tuple[Text, ...]:
    """Telegram refused the bot a right it needs here (a key of RIGHTS): remember it (audited)
    and return what to tell the moderators — only the first time, until the bot's rights
    change; nothing for a group that is not bound."""
    async with db.write() as s:
        current = await _binding(s, chat_id)
        told = set(filter(None, (current.rights_refused or "").split(","))) if current else set()
        if current is None or not current.active or key in told:
            return ()
        current.rights_refused = ",".join(sorted(told | {key}))
        s.add(current)
        await audit.record(
            s,
            "chat.right_refused",
            community_id=current.community_id,
            subject=f"chat:{chat_id}",
            data={"right": key},
        )
    asked = needs((key,))
    assert asked is not None
    return FALLBACKS[key], asked


async def group_language(db: Database, chat_id: int) -> str | None:
    """The language of the community a group is bound to, for what the bot says unasked."""
    async with db.session() as s:
        current = await _binding(s, chat_id)
        if current is None or not current.active:
            return None
        community = await s.get(Community, current.community_id)
    return community.language if community else None


async def bot_rights_changed(
    db: Database, chat: ChatFacts, *, actor_id: int | None
) -> Reply | None:
    """Keep the binding's view of the bot's rights; say what is missing, or thank once granted."""
    async with db.write() as s:
        current = await _binding(s, chat.chat_id)
        if current is not None and current.rights_refused:  # new rights: try them again
            current.rights_refused = None
            s.add(current)
        if (
            current is not None
            and current.active
            and (current.bot_is_admin, current.has_topics, current.reads_all)
            != (chat.bot_is_admin, chat.has_topics, chat.reads_all)
        ):
            current.bot_is_admin, current.has_topics = chat.bot_is_admin, chat.has_topics
            current.reads_all = chat.reads_all
            s.add(current)
            await audit.record(
                s,
                "chat.bot_rights",
                actor_id=actor_id,
                community_id=current.community_id,
                subject=f"chat:{chat.chat_id}",
                data={
                    "bot_is_admin": chat.bot_is_admin,
                    "has_topics": chat.has_topics,
                    "reads_all": chat.reads_all,
                    "missing": list(chat.missing),
                },
            )
    asked = wanted(chat)
    if asked:
        return reply(*asked)
    return reply(t("Thank you: I can now pin notices and open topics in this group."))
