"""A secret ballot, probed by every role with every command: no output anywhere — any chat's
transcript, the CLI — links a household or a person to a choice; while it runs only the number
of households that voted is shown."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.flows.commands import COMMANDS
from tests import factories
from tests.driver import buttons
from tests.e2e.test_cli import XIESHANG, clean_env
from tests.e2e.test_vote_chat import building_seven, result_and_chart
from tests.e2e.test_vote_staff import _households, _place, ask, open_vote

SKIPPED = {"closevote", "unbind", "bind", "forgetme", "moveout"}  # they end what is probed
LABELS = ("同意", "不同意", "弃权", "Agree", "Disagree", "Abstain")


async def test_no_command_links_a_household_to_its_secret_choice(running, world, tmp_path: Path):
    db = running.app.db
    group, chair, wang, li, wang_son, outsider, supervisor = await building_seven(running, world)
    place = await _place(running)
    homes = {h.code: h.id for h in await _households(running)}
    staff = {}
    for name, role, scope in (
        ("周主持", "moderator", None),
        ("张网格", "grid_worker", place.grids["第一网格"]),
        ("管理员", "admin", None),
    ):
        user = await world.user(name)
        await factories.grant(db, place, await factories.member(db, user.id, name), role, scope)
        await group.set_member(user.id, "member")
        staff[role] = user
    ballot = await open_vote(group, chair, "门禁 | | 过半数 | 48小时 | 无记名")
    assert "无记名" in ballot["text"]
    await group.press(ballot, "同意", by=wang)
    await group.press(ballot, "不同意", by=li)
    worker_dm = await staff["grid_worker"].private_chat()
    refused = await ask(group, "/offline 1 7-1-103 弃权", by=staff["grid_worker"])
    assert "请在与我的私聊中登记纸质选票" in refused["text"]
    confirm = await ask(worker_dm, "/offline 1 7-1-103 弃权")
    await worker_dm.press(confirm, "确认")
    done = await worker_dm.message(confirm["message_id"])
    assert "弃权" not in done["text"] and "选择不再显示" in done["text"]

    people = {
        "moderator": staff["moderator"],
        "supervisor": supervisor,
        "chair": chair,
        "grid_worker": staff["grid_worker"],
        "admin": staff["admin"],
        "resident": wang_son,
        "representative": wang,
    }
    # Every command in each person's private chat (people in parallel: each chat has its own
    # pace); in the group, where every reply counts against its 20 a minute, /pending and its
    # reminder (besides the ballot, the taps, the result and /verify).
    dms = {role: await person.private_chat() for role, person in people.items()}

    async def probe(role: str) -> None:
        for command in COMMANDS:
            if "private" in command.where and command.name not in SKIPPED:
                await dms[role].send(f"/{command.name} 1", by=people[role])
                await _settle(dms[role])
        await dms[role].send("/cancel", by=people[role])  # leave a dialogue /join began
        await _settle(dms[role])
        await dms[role].send("/pending 1", by=people[role])
        await _settle(dms[role])

    await asyncio.gather(*(probe(role) for role in people))
    await group.send("/pending 1", by=chair)
    pending = {}
    while "提醒未投票户" not in buttons(pending):  # the group's pace may delay the answer
        [pending] = await group.wait_bot_messages(1, within=60)
    await group.press(pending, "提醒未投票户", by=chair)
    [report] = await group.wait_bot_messages(1, within=60)
    assert report["text"].startswith("已私信提醒")
    chats = [group, *dms.values()]
    live = await group.message(ballot["message_id"])
    assert "已投票：3/6户" in live["text"]
    assert not re.search(r"同意 \d|不同意 \d|弃权 \d", live["text"])  # no running counts

    process = await asyncio.create_subprocess_exec(
        *XIESHANG,
        "audit",
        "verify",
        "--db",
        running.app.settings.db,
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    cli = (process.returncode, out.decode(), err.decode())
    assert cli[0] == 0 and cli[1].startswith("verified"), cli

    await group.send("/closevote 1", by=chair)
    result = await result_and_chart(group)
    assert "同意 1，不同意 1，弃权 1" in result["text"]
    await group.send("/verify 1", by=supervisor)
    [verified] = await group.wait_bot_messages(1)
    assert "核验通过" in verified["text"]

    voters = ["王芳", "李强", "王小明", "户主0", "户主1", "户主2", *(c for c in homes)]
    outputs = [cli[1], cli[2]]
    for chat in chats:
        outputs += [m.get("text") or m.get("caption") or "" for m in await chat.transcript()
                    if m.get("from", {}).get("is_bot")]  # fmt: skip
    for output in outputs:
        for line in output.splitlines():
            if "/offline 3 7-1-101 同意" in line:
                continue  # the command's usage example, not a ballot
            named = [v for v in voters if v in line]
            chosen = [label for label in LABELS if label in line]
            assert not (named and chosen), f"{named} linked to {chosen}: {line!r}"


async def _settle(chat) -> None:
    """Take whatever the bot answers (or nothing, after a moment)."""
    got = await chat.world.call(
        "GET", f"/chats/{chat.id}/wait", params={"after": chat.cursor, "count": 5, "timeout": 0.4}
    )
    if got["messages"]:
        chat.cursor = got["messages"][-1]["message_id"]
