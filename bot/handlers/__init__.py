"""aiogram routers: parse an update, call a flow, render. Nothing else lives here."""

from __future__ import annotations

from aiogram import Dispatcher, Router

from bot.clock import Clock
from bot.config import AutoReportSettings
from bot.flows.directory import Directory
from bot.handlers import (
    action_runtime,
    actions,
    basics,
    chat_moves,
    cycle,
    cycle_runtime,
    edits,
    errors,
    membership,
    minutes,
    polls,
    proposal_dialogue,
    proposal_editing,
    proposal_routing,
    proposals,
    publicity,
    ratings,
    reach,
    report,
    report_runtime,
    roster,
    senders,
    setup,
    vote_lookup,
    voting,
)
from bot.handlers.context import ContextMiddleware
from bot.handlers.dialog_storage import DatabaseStorage
from bot.scheduler import Scheduler
from storage.engine import Database


def build_dispatcher(
    db: Database,
    clock: Clock,
    scheduler: Scheduler,
    default_language: str,
    auto_report: AutoReportSettings | None = None,
) -> Dispatcher:
    dp = Dispatcher(storage=DatabaseStorage(db))
    raised = proposals.Proposals(db)  # proposals' runtime, shared by their routers
    ballots = voting.Voting(db, clock, scheduler, raised.changed)  # the cycle opens votes too
    cycle_phases = cycle_runtime.CycleRuntime(db, clock, scheduler, ballots)
    moves = chat_moves.ChatMoves(db, ballots, raised)  # groups upgraded to supergroups
    refusals = reach.Refusals(db, clock)  # 403s: people who blocked the bot, groups left
    drafting = minutes.MinutesRuntime(db, clock, scheduler)  # minutes of closed votes
    notices = publicity.PublicityRuntime(db, clock, scheduler, raised.refresh)  # 公示 ends
    follow_up = action_runtime.ActionRuntime(db, clock, scheduler, default_language)
    reports = report_runtime.AutoReports(db, clock, scheduler, auto_report or AutoReportSettings())
    dp.update.outer_middleware(ContextMiddleware(db, clock, default_language, Directory(db)))
    dp.include_routers(
        errors.router(),
        senders.router(),  # the group or a channel as sender: no commands, no buttons
        voting.taps(ballots),  # the hot path: ballot taps, before everything else
        chat_moves.router(moves),
        reach.router(refusals),
        edits.router(raised),  # edited messages: never a command again; proposals follow
        cycle_runtime.router(cycle_phases),  # keeps messages in agenda threads, then passes on
        setup.router(),
        vote_lookup.router(),  # before membership: /verify N checks a vote's tally
        minutes.router(drafting),
        publicity.router(notices),
        membership.router(),
        roster.router(),
        voting.router(ballots),
        proposal_dialogue.router(raised),  # before proposals: /propose in a private chat
        proposals.router(raised),
        proposal_editing.router(raised),
        proposal_routing.router(raised),
        polls.router(),
        action_runtime.router(follow_up),
        actions.router(follow_up),
        ratings.router(),
        report.router(),
        report_runtime.router(reports),
        cycle.router(),
        basics.router(),  # last: its catch-alls answer what nobody else handled
        _scheduling(scheduler),
    )
    dp.shutdown.register(scheduler.stop)  # the dispatcher's own hooks run before its routers'
    return dp


def _scheduling(scheduler: Scheduler) -> Router:
    """Starts the scheduler after every other router's start-up: its sweeps need them ready."""
    r = Router(name="scheduling")
    r.startup.register(scheduler.start)
    return r
