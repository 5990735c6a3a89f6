"""An operator sets a community up from nothing with the CLI; the bot then works from that database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import sqlalchemy
from sqlalchemy import text

from storage import migrate
from tests.conftest import database_url, settings_for, start_bot
from tests.e2e.test_cli import xieshang


def operator(tmp_path: Path):
    db = database_url(tmp_path)  # the bot's own database, SQLite or PostgreSQL

    def run(*args: str):
        return xieshang(*args, "--db", db, cwd=tmp_path)

    return run


def test_errors_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    cli = operator(tmp_path)
    created = cli("community", "create", "小桃园社区", "--street", "迈皋桥街道", "--json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout) == {
        "id": 1,
        "name": "小桃园社区",
        "street": "迈皋桥街道",
        "timezone": "Asia/Shanghai",
        "language": "zh_CN",
    }
    for args, error in [
        (("community", "create", "小桃园社区"), "A community named “小桃园社区” already exists."),
        (
            ("community", "create", "X", "--timezone", "Mars/Olympus"),
            "“Mars/Olympus” is not a time zone.",
        ),
        (
            ("community", "create", "X", "--language", "fr"),
            "“fr” is not a language I speak. Choose one of: zh_CN, en.",
        ),
        (("community", "create", "   "), "A name cannot be empty."),
        (
            ("grid", "create", "--community", "大桃园", "第一网格"),
            "There is no community “大桃园”. Communities: 小桃园社区.",
        ),
        (
            ("role", "grant", "--community", "小桃园社区", "--user", "42", "--role", "grid_worker"),
            "A grid worker is named for a grid",
        ),
        (
            (
                "role",
                "grant",
                "--community",
                "小桃园社区",
                "--user",
                "42",
                "--role",
                "grid_worker",
                "--grid",
                "第九网格",
            ),
            "There is no grid “第九网格”. Grids: —.",
        ),
        (
            (
                "role",
                "grant",
                "--community",
                "小桃园社区",
                "--user",
                "42",
                "--role",
                "admin",
                "--grid",
                "第一网格",
            ),
            "Only grid workers are named for a grid; admin holds for the whole community.",
        ),
        (
            ("role", "grant", "--community", "小桃园社区", "--user", "-3", "--role", "admin"),
            "--user must be a Telegram user id, not -3",
        ),
    ]:
        failed = cli(*args)
        assert failed.returncode == 2, (args, failed.stdout)
        assert failed.stderr.startswith("xieshang: ") and error in failed.stderr, (
            args,
            failed.stderr,
        )
        assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    wrong_role = cli("role", "grant", "--community", "小桃园社区", "--user", "42", "--role", "king")
    assert wrong_role.returncode == 2 and "invalid choice: 'king'" in wrong_role.stderr

    listed = cli("community", "list", "--json")
    assert json.loads(listed.stdout) == [
        {
            "name": "小桃园社区",
            "street": "迈皋桥街道",
            "timezone": "Asia/Shanghai",
            "language": "zh_CN",
            "grids": 0,
            "buildings": 0,
            "households": 0,
            "members": 0,
        }
    ]
    stored = sqlalchemy.create_engine(migrate.sync_url(database_url(tmp_path)))
    with stored.connect() as con:
        scopes = con.execute(text("SELECT kind, name, parent_id FROM scope ORDER BY id")).all()
        events = con.execute(
            text("SELECT action, actor_id, data FROM audit_event ORDER BY id")
        ).all()
    stored.dispose()
    assert scopes == [("street", "迈皋桥街道", None), ("community", "小桃园社区", 1)]
    assert [(a, actor, json.loads(d)["via"]) for a, actor, d in events] == [
        ("community.created", None, "cli")
    ]


async def test_set_up_from_the_cli_then_the_admin_carries_on_in_chat(tmp_path: Path) -> None:
    cli = operator(tmp_path)

    async def run(*args: str):
        done = await asyncio.to_thread(cli, *args)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    await run(
        "community", "create", "小桃园社区", "--timezone", "Asia/Shanghai", "--language", "zh_CN"
    )
    assert (
        await run("grid", "create", "--community", "小桃园社区", "第一网格")
        == "created grid 第一网格\n"
    )
    await run("grid", "create", "--community", "小桃园社区", "第二网格")
    assert "already exists" in await run("grid", "create", "--community", "小桃园社区", "第二网格")
    async for running in start_bot(settings_for(tmp_path)):
        world = running.world
        wang = await world.user("王芳")
        granted = await run(
            "role", "grant", "--community", "小桃园社区", "--user", str(wang.id), "--role", "admin"
        )
        assert granted == f"#{wang.id} is now admin.\n"
        held = await run(
            "role", "grant", "--community", "小桃园社区", "--user", str(wang.id), "--role", "admin"
        )
        assert held == f"#{wang.id} already is admin; nothing changed.\n"
        await run(
            "role",
            "grant",
            "--community",
            "小桃园社区",
            "--user",
            "777",
            "--role",
            "grid_worker",
            "--grid",
            "第一网格",
        )

        dm = await wang.private_chat()
        for command in ("/grid add 第三网格", "/building add 第一网格 7栋", "/grid"):
            await dm.send(command)
            [listing] = await dm.wait_bot_messages(1)
        assert (
            listing["text"]
            == "小桃园社区的网格和楼栋\n\n第一网格：7栋\n\n第二网格：—\n\n第三网格：—"
        )

        roles = json.loads(await run("role", "list", "--community", "小桃园社区", "--json"))
        assert roles == [
            {"role": "admin", "grid": None, "name": f"#{wang.id}", "tg_user_id": wang.id},
            {"role": "grid_worker", "grid": "第一网格", "name": "#777", "tg_user_id": 777},
        ]
        assert "is no longer grid worker of 第一网格" in await run(
            "role",
            "revoke",
            "--community",
            "小桃园社区",
            "--user",
            "777",
            "--role",
            "grid_worker",
            "--grid",
            "第一网格",
        )
        revoked = await asyncio.to_thread(
            cli,
            "role",
            "revoke",
            "--community",
            "小桃园社区",
            "--user",
            str(wang.id),
            "--role",
            "admin",
        )
        assert revoked.returncode == 2 and "the community's only admin" in revoked.stderr
        summary = await run("community", "list")
        assert (
            summary
            == "小桃园社区\tAsia/Shanghai\tzh_CN\tgrids 3\tbuildings 1\thouseholds 0\tmembers 0\n"
        )
    assert (await run("audit", "verify")).startswith("verified: ")
