"""Members and households: /join, /verify, /rep, /delegate, /remove, /moveout, /whoami,
/household, /mydata, /forgetme, /cancel, and leaving a bound group."""

from __future__ import annotations

from functools import partial

from aiogram import F, Router
from aiogram.filters import LEAVE_TRANSITION, ChatMemberUpdatedFilter, Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, User

from bot.flows import (
    households,
    joining,
    privacy,
    representatives,
    unbinding,
    whoami,
)
from bot.flows.dialogue import cancel, use_buttons
from bot.flows.households import Located
from bot.flows.inputs import Invalid
from bot.flows.members import Person
from bot.flows.policy import Action
from bot.flows.results import reply
from bot.flows.roles import parse_user_id, placeholder_name
from bot.handlers import dialogue_steps
from bot.handlers.context import Context
from bot.i18n import normalize_language
from storage.models import Member


class Joining(StatesGroup):
    community = State()
    building = State()
    room = State()
    tail = State()


class Deciding(StatesGroup):
    reason = State()  # a grid worker types why they reject a join request


STATES = {
    "community": Joining.community,
    "building": Joining.building,
    "room": Joining.room,
    "tail": Joining.tail,
    "reason": Deciding.reason,
}


run = partial(dialogue_steps.run, states=STATES)


def _words(command: CommandObject) -> list[str]:
    return (command.args or "").split()


def _replied_person(message: Message) -> User | None:
    replied = message.reply_to_message
    return replied.from_user if replied is not None else None


async def _target(
    ctx: Context, message: Message, user: User | None, tg_id: str | None
) -> Member | None:
    """The member a staff command is about (by reply or Telegram id); tells why when none."""
    try:
        tg_user_id = user.id if user is not None else parse_user_id(tg_id or "")
    except Invalid as invalid:
        await ctx.show(reply(invalid.text))
        return None
    if user is not None and user.is_bot:
        await ctx.show(reply(households.not_a_person()))
        return None
    member = await households.member(ctx.db, tg_user_id)
    if member is None or member.household_id is None or member.verified_at is None:
        await ctx.show(reply(unbinding.not_bound()))
        return None
    return member


async def _community_household(ctx: Context, code: str) -> Located | None:
    community_id = ctx.binding.community_id if ctx.binding else ctx.standing.community_id
    if ctx.where == "group" and ctx.binding is None:
        await ctx.show(reply(households.unbound_group()))
        return None
    located = await households.find(ctx.db, community_id, code)
    if located is None:
        await ctx.show(reply(households.unknown(code)))
    return located


async def _named(
    ctx: Context, message: Message, user: User | None, words: list[str]
) -> tuple[Member, int | None] | None:
    """The member a household command is about: the replied-to person, or ``CODE TELEGRAM_ID``
    (then also the household they must belong to)."""
    located = await _community_household(ctx, words[0]) if user is None else None
    if user is None and located is None:
        return None
    target = await _target(ctx, message, user, words[1] if user is None else None)
    if target is None:
        return None
    return target, located.household.id if located else None


# --- /join -------------------------------------------------------------------------------


async def join(message: Message, ctx: Context, state: FSMContext) -> None:
    if ctx.where != "private":
        await ctx.show(privacy.in_private("join"))
        return
    await run(ctx, state, await joining.start(ctx.db, ctx.member))


async def join_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
    current = await state.get_state()
    data = await state.get_data()
    kind, _, value = (query.data or "").removeprefix(joining.PREFIX).partition(":")
    in_dialogue = current in {s.state for s in Joining.__all_states__}
    if kind == "cancel" and in_dialogue:
        step = joining.cancelled(from_button=True)
    elif kind == "back" and value in STATES and current == STATES[value].state:
        step = await joining.back(ctx.db, data, value)
    elif kind == "c" and current == Joining.community.state:
        step = await joining.choose_community(ctx.db, data, int(value))
    elif kind == "b" and current == Joining.building.state:
        step = await joining.choose_building(ctx.db, data, int(value))
    else:
        step = joining.stale()
    await run(ctx, state, step)


async def room_typed(message: Message, ctx: Context, state: FSMContext) -> None:
    step = await joining.room_typed(ctx.db, ctx.member, await state.get_data(), message.text or "")
    await run(ctx, state, step)


async def tail_typed(message: Message, ctx: Context, state: FSMContext) -> None:
    assert ctx.person is not None
    step = await joining.tail_typed(
        ctx.db,
        ctx.person,
        ctx.language,
        await state.get_data(),
        message.text or "",
        ctx.clock.now(),
    )
    undelivered = await run(ctx, state, step)
    request_id = step.data.get("request")
    if request_id is not None and step.notices == len(undelivered):
        await ctx.show(await joining.nobody_reached(ctx.db, request_id))


async def choose_with_buttons(message: Message, ctx: Context, state: FSMContext) -> None:
    await run(ctx, state, use_buttons())


async def cancel_dialogue(message: Message, ctx: Context, state: FSMContext) -> None:
    await run(ctx, state, cancel(await state.get_state() is not None))


# --- the grid worker's decision ----------------------------------------------------------


async def decision_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
    kind, _, value = (query.data or "").removeprefix(joining.DECIDE).partition(":")
    request_id, now = int(value), ctx.clock.now()
    if kind == "ok":
        step = await joining.approve(ctx.db, request_id, ctx.member, now)
    elif kind == "no":
        step = await joining.ask_reason(ctx.db, request_id, ctx.member, now)
    elif kind == "preset":
        step = await joining.reject(ctx.db, request_id, ctx.member, None, now, from_button=True)
    else:
        step = await joining.back_to_card(ctx.db, request_id, ctx.member, now)
    await run(ctx, state, step)


async def reason_typed(message: Message, ctx: Context, state: FSMContext) -> None:
    request_id = (await state.get_data()).get("request")
    step = await joining.reject(
        ctx.db, request_id, ctx.member, message.text or "", ctx.clock.now(), from_button=False
    )
    await run(ctx, state, step)


# --- staff commands ----------------------------------------------------------------------


async def verify(message: Message, command: CommandObject, ctx: Context) -> None:
    words, user = _words(command), _replied_person(message)
    if not await ctx.require(Action.VERIFY_MEMBER):
        return
    if ctx.where == "group" and user is not None and len(words) == 1:
        tg_id, code = user.id, words[0]
        if user.is_bot:
            await ctx.show(reply(households.not_a_person()))
            return
        person = Person(user.id, user.full_name, user.language_code)
    elif ctx.where == "private" and len(words) == 2:
        try:
            tg_id, code = parse_user_id(words[0]), words[1]
        except Invalid as invalid:
            await ctx.show(reply(invalid.text))
            return
        person = Person(tg_id, placeholder_name(tg_id))
    else:
        await ctx.show(joining.verify_usage())
        return
    located = await _community_household(ctx, code)
    if located is None or not await ctx.require(Action.VERIFY_MEMBER, located.path):
        return
    assert ctx.member is not None
    language = normalize_language(person.language_code, "") or None
    await ctx.show(
        await joining.verify_directly(
            ctx.db, ctx.member, person, language, located.household.id, ctx.clock.now()
        )
    )


async def rep(message: Message, command: CommandObject, ctx: Context) -> None:
    words, user, now = _words(command), _replied_person(message), ctx.clock.now()
    if [w.lower() for w in words] in (["me"], ["我"]):
        await ctx.show(await representatives.claim(ctx.db, ctx.member, now))
        return
    if (user is None and len(words) != 2) or (user is not None and words):
        await ctx.show(representatives.rep_usage())
        return
    # Anyone but a representative handing over needs the staff's right to choose one.
    if not (ctx.member and ctx.member.representative) and not await ctx.require(
        Action.SET_REPRESENTATIVE
    ):
        return
    named = await _named(ctx, message, user, words)
    if named is None:
        return
    assert ctx.member is not None
    await ctx.show(await representatives.appoint(ctx.db, ctx.member, named[0].id, now, named[1]))


async def delegate(message: Message, command: CommandObject, ctx: Context) -> None:
    words, user, now = _words(command), _replied_person(message), ctx.clock.now()
    if words and words[0].lower() in ("off", "关闭", "结束") and len(words) <= 2:
        located = await _community_household(ctx, words[1]) if len(words) == 2 else None
        if len(words) == 2 and located is None:
            return
        await ctx.show(await representatives.end_delegation(ctx.db, ctx.member, located, now))
        return
    if not ((user is not None and len(words) == 1) or (user is None and len(words) == 3)):
        await ctx.show(representatives.delegate_usage())
        return
    try:
        days = representatives.parse_days(words[-1])
    except Invalid as invalid:
        await ctx.show(reply(invalid.text))
        return
    named = await _named(ctx, message, user, words)
    if named is None:
        return
    await ctx.show(
        await representatives.delegate(ctx.db, ctx.member, named[0].id, days, now, named[1])
    )


async def remove(message: Message, command: CommandObject, ctx: Context) -> None:
    """Staff unbinds a member (/unbind is the group's own unbinding, in bot/handlers/setup.py)."""
    words, user = _words(command), _replied_person(message)
    if not await ctx.require(Action.VERIFY_MEMBER):
        return
    if not ((user is not None and not words) or (user is None and len(words) == 1)):
        await ctx.show(unbinding.unbind_usage())
        return
    target = await _target(ctx, message, user, words[0] if words else None)
    if target is None or target.household_id is None:
        return
    located = await households.find_by_id(ctx.db, target.household_id)
    if not await ctx.require(Action.VERIFY_MEMBER, located.path):
        return
    assert ctx.member is not None
    await ctx.show(await unbinding.remove(ctx.db, target.id, ctx.member, ctx.clock.now()))


# --- moving out, leaving -----------------------------------------------------------------


async def moveout(message: Message, ctx: Context) -> None:
    if ctx.where != "private":
        await ctx.show(privacy.in_private("moveout"))
        return
    await ctx.show(unbinding.confirm_move_out(ctx.member))


async def moveout_pressed(query: CallbackQuery, ctx: Context) -> None:
    if query.data == f"{unbinding.PREFIX}yes":
        await ctx.show(await unbinding.move_out(ctx.db, ctx.member, ctx.clock.now()))
    else:
        await ctx.show(unbinding.keep())


async def left_message(message: Message, ctx: Context) -> None:
    gone = message.left_chat_member
    if gone is None or gone.is_bot:
        return
    await ctx.show(await unbinding.left_group(ctx.db, message.chat.id, gone.id, ctx.clock.now()))


async def left_update(update: ChatMemberUpdated, ctx: Context) -> None:
    gone = update.new_chat_member.user
    if gone.is_bot:
        return
    await ctx.show(await unbinding.left_group(ctx.db, update.chat.id, gone.id, ctx.clock.now()))


# --- who am I, my data -------------------------------------------------------------------


async def whoami_(message: Message, ctx: Context) -> None:
    name = ctx.person.display_name if ctx.person else ""
    await ctx.show(await whoami.whoami(ctx.db, ctx.member, name, ctx.where, ctx.clock.now()))


async def household(message: Message, command: CommandObject, ctx: Context) -> None:
    if ctx.where != "private":
        await ctx.show(privacy.in_private("household"))
        return
    code = command.args.strip() if command.args else None
    await ctx.show(
        await whoami.household(ctx.db, ctx.member, ctx.standing, code or None, ctx.clock.now())
    )


async def mydata(message: Message, ctx: Context) -> None:
    if ctx.where != "private":
        await ctx.show(privacy.in_private("mydata"))
        return
    await ctx.show(await privacy.mydata(ctx.db, ctx.member))


async def forgetme(message: Message, ctx: Context) -> None:
    if ctx.where != "private":
        await ctx.show(privacy.in_private("forgetme"))
        return
    await ctx.show(privacy.confirm_forget(ctx.member))


async def forget_pressed(query: CallbackQuery, ctx: Context, state: FSMContext) -> None:
    if query.data == f"{privacy.PREFIX}yes":
        await state.clear()
        await ctx.show(await privacy.forget(ctx.db, ctx.member, ctx.clock.now()))
    else:
        await ctx.show(privacy.keep())


def router() -> Router:
    r = Router(name="membership")
    typed = F.text & ~F.text.startswith("/")
    r.message.register(cancel_dialogue, Command("cancel"))
    r.message.register(join, Command("join"))
    r.callback_query.register(join_pressed, F.data.startswith(joining.PREFIX))
    r.message.register(room_typed, Joining.room, typed)
    r.message.register(tail_typed, Joining.tail, typed)
    r.message.register(choose_with_buttons, Joining.community, typed)
    r.message.register(choose_with_buttons, Joining.building, typed)
    r.callback_query.register(decision_pressed, F.data.startswith(joining.DECIDE))
    r.message.register(reason_typed, Deciding.reason, typed)
    r.message.register(verify, Command("verify"))
    r.message.register(rep, Command("rep"))
    r.message.register(delegate, Command("delegate"))
    r.message.register(remove, Command("remove"))
    r.message.register(moveout, Command("moveout"))
    r.callback_query.register(moveout_pressed, F.data.startswith(unbinding.PREFIX))
    r.message.register(left_message, F.left_chat_member)
    r.chat_member.register(left_update, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    r.message.register(whoami_, Command("whoami"))
    r.message.register(household, Command("household"))
    r.message.register(mydata, Command("mydata"))
    r.message.register(forgetme, Command("forgetme"))
    r.callback_query.register(forget_pressed, F.data.startswith(privacy.PREFIX))
    return r
