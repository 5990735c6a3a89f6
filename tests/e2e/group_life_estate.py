"""Building 7 and its group, as real groups are: for the group-life tests (anonymous admins,
channels, migration, privacy mode, missing rights)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from storage.models import ChatBinding, Community, ItemMessage
from tests import factories
from tests.driver import Chat, Message, User, World, buttons

# What the bot says, per language, where the tests compare words.
WORDS = {
    "zh": {
        "code": "zh-hans",
        "vote": "/vote 7栋安装门禁系统 ｜ 同意/不同意",
        "yes": "同意",
        "not_a_person": "你正以群组或频道的身份发言，我无法知道你是谁。请用你自己的账号操作。",
        "privacy": (
            "受 Telegram 隐私模式限制，我在本群只能看到命令、对我消息的回复和@我的消息，"
            "群内讨论无法记入会议纪要。解决办法：把我设为本群管理员，或请机器人的所有者向 "
            "@BotFather 发送 /setprivacy 并选择 Disable。命令和按钮不受影响，照常可用。"
        ),
    },
    "en": {
        "code": "en",
        "vote": "/vote Install door access | yes/no",
        "yes": "yes",
        "not_a_person": (
            "You are posting as the group or a channel, so I cannot tell who you are. "
            "Please do this from your own account."
        ),
        "privacy": (
            "Telegram's privacy mode lets me see only commands, replies to my messages and "
            "mentions here, so the discussion is not recorded for the minutes. To fix it, make "
            "me an admin of this group, or have my owner send /setprivacy to @BotFather and "
            "choose Disable. Commands and buttons work either way."
        ),
    },
}


@dataclass
class Building:
    place: factories.Place
    group: Chat
    chair: User  # the community's rotating chair, the group's creator (so an administrator)
    wang: User  # representative of 7-1-101
    li: User  # representative of 7-1-102
    language: str  # "zh" or "en"

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.language]


async def building_seven(
    running,
    world: World,
    *,
    language: str = "zh",
    supergroup: bool = False,
    forum: bool = False,
    bot_admin: bool = True,
    bind: bool = True,
) -> Building:
    """Building 7 with four households, two of them with a representative in the group."""
    db = running.app.db
    code = WORDS[language]["code"]
    chair, wang, li = [
        await world.user(name, language_code=code) for name in ("主席", "王芳", "李强")
    ]
    place = await factories.community(db)
    if language == "en":
        async with db.write() as s:
            (await s.get(Community, place.community_id)).language = "en"
    await factories.building(db, place, "第一网格", "7栋")
    ids = [
        await factories.household(db, place, "7栋", f"7-1-{room}", room=str(room))
        for room in (101, 102, 201, 202)
    ]
    await factories.member(db, wang.id, "王芳", household_id=ids[0], representative=True)
    await factories.member(db, li.id, "李强", household_id=ids[1], representative=True)
    chair_id = await factories.member(db, chair.id, "主席")
    await factories.grant(db, place, chair_id, "chair")
    await factories.grant(db, place, chair_id, "moderator")
    group = await world.group(
        "7栋业主群", [chair, wang, li], supergroup=supergroup, forum=forum, bot_admin=bot_admin
    )
    if bind:
        await bind_to_building(running, place, group)
    return Building(place, group, chair, wang, li, language)


async def bind_to_building(running, place: factories.Place, group: Chat) -> None:
    async with running.app.db.write() as s:
        s.add(
            ChatBinding(
                chat_id=group.id,
                community_id=place.community_id,
                scope_id=place.buildings["7栋"],
                title="7栋业主群",
            )
        )


async def open_vote(b: Building) -> Message:
    """The chair opens a named vote in the group; returns the ballot message."""
    await b.group.send(b.words["vote"], by=b.chair)
    [summary] = await b.group.wait_bot_messages(1)
    await b.group.press(summary, buttons(summary)[0], by=b.chair)
    [ballot] = await b.group.wait_bot_messages(1)
    return ballot


async def kept_texts(db) -> list[str]:
    """What the bot kept of the agenda threads' discussion, in order."""
    async with db.session() as s:
        return list((await s.scalars(select(ItemMessage.text).order_by(ItemMessage.id))).all())
