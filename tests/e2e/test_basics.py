"""A resident's first minutes with the bot: /start, /help, /lang, in Chinese and English."""

from __future__ import annotations

from tests.driver import World, buttons


async def test_start_in_private_greets_in_chinese_by_default(world: World) -> None:
    alice = await world.user("王芳", language_code="zh-hans")
    dm = await alice.private_chat()
    await dm.send("/start")
    [welcome] = await dm.wait_bot_messages(1)
    assert "你好，王芳！我是协商日助手。" in welcome["text"]
    assert "/help" in welcome["text"]
    bold = [e for e in welcome["entities"] if e["type"] == "bold"]
    assert bold, "the bot's name is set in bold through HTML parse mode"


async def test_start_follows_telegram_language_code(world: World) -> None:
    bob = await world.user("Bob", language_code="en-GB")
    dm = await bob.private_chat()
    await dm.send("/start")
    [welcome] = await dm.wait_bot_messages(1)
    assert welcome["text"].startswith("Hello, Bob! I am the 协商日 assistant.")


async def test_unknown_language_code_falls_back_to_chinese(world: World) -> None:
    hans = await world.user("Hans", language_code="de")
    dm = await hans.private_chat()
    await dm.send("/start")
    [welcome] = await dm.wait_bot_messages(1)
    assert "你好，Hans！" in welcome["text"]


async def test_start_in_a_group_explains_binding(world: World) -> None:
    alice = await world.user("王芳")
    bob = await world.user("Bob", language_code="en")
    group = await world.group("7栋业主群", [alice, bob])
    await group.send("/start", by=alice)
    [reply] = await group.wait_bot_messages(1)
    assert "/bind" in reply["text"] and "绑定" in reply["text"]
    await group.send("/start@xieshang_bot", by=bob)
    [reply] = await group.wait_bot_messages(1)
    assert "To begin, a community admin or moderator sends /bind" in reply["text"]


async def test_help_lists_commands_in_the_readers_language(world: World) -> None:
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/help")
    [zh] = await dm.wait_bot_messages(1)
    assert zh["text"].splitlines()[0] == "你在这里可以使用的命令："
    for command in ("/start", "/help", "/lang"):
        assert command in zh["text"]
    bob = await world.user("Bob", language_code="en")
    dm_bob = await bob.private_chat()
    await dm_bob.send("/help")
    [en] = await dm_bob.wait_bot_messages(1)
    assert "Commands you can use here:" in en["text"]
    assert "/lang — Choose your language" in en["text"]


async def test_lang_buttons_switch_and_are_remembered(world: World) -> None:
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/lang")
    [menu] = await dm.wait_bot_messages(1)
    assert "你当前的语言是简体中文" in menu["text"]
    assert buttons(menu) == ["简体中文", "English"]

    answer = await dm.press(menu, "English")
    assert answer is not None and answer["text"] == "Language set to English."
    edited = await dm.message(menu["message_id"])
    assert edited["edited"] and edited["text"] == "Language set to English."

    await dm.send("/help")
    [help_en] = await dm.wait_bot_messages(1)
    assert "Commands you can use here:" in help_en["text"]

    # Pressing the same (now removed) button again must not crash or lose the choice.
    again = await dm.press(menu, "English") if buttons(edited) else None
    assert again is None or again["text"] == "Language set to English."


async def test_lang_with_argument_and_bad_input(world: World) -> None:
    bob = await world.user("Bob", language_code="en")
    dm = await bob.private_chat()
    await dm.send("/lang ｚｈ")  # full-width letters, as a Chinese IME types them
    [done] = await dm.wait_bot_messages(1)
    assert done["text"] == "语言已设置为简体中文。"
    await dm.send("/lang klingon")
    [refusal] = await dm.wait_bot_messages(1)
    assert refusal["text"] == "我不支持“klingon”这种语言。请使用 /lang zh 或 /lang en。"
    await dm.send("/lang <b>en</b>")
    [escaped] = await dm.wait_bot_messages(1)
    assert "“<b>en</b>”" in escaped["text"], "HTML in user text is shown as text"
    await dm.send("/lang en")
    [done] = await dm.wait_bot_messages(1)
    assert done["text"] == "Language set to English."


async def test_unknown_command_and_chatter(world: World) -> None:
    alice = await world.user("王芳")
    dm = await alice.private_chat()
    await dm.send("/frobnicate now")
    [reply] = await dm.wait_bot_messages(1)
    assert reply["text"] == "我不认识命令 /frobnicate。发送 /help 查看你可以使用的命令。"
    await dm.send("你好")
    [hint] = await dm.wait_bot_messages(1)
    assert "/help" in hint["text"]


async def test_commands_for_other_bots_are_ignored_in_groups(world: World) -> None:
    alice = await world.user("王芳")
    group = await world.group("1栋", [alice])
    await group.send("/frobnicate@some_other_bot", by=alice)
    await group.send("大家晚上好", by=alice)
    await group.expect_silence(within=1.0)
