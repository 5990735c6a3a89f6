"""aiogram routers: parse an update, call a flow, render. Nothing else lives here."""

from __future__ import annotations

from aiogram import Dispatcher

from bot.clock import Clock
from bot.flows.directory import Directory
from bot.handlers import basics, errors, membership, proposals, roster, setup, voting
from bot.handlers.context import ContextMiddleware
from bot.handlers.dialog_storage import DatabaseStorage
from storage.engine import Database


def build_dispatcher(db: Database, clock: Clock, default_language: str) -> Dispatcher:
    dp = Dispatcher(storage=DatabaseStorage(db))
    dp.update.outer_middleware(ContextMiddleware(db, clock, default_language, Directory(db)))
    dp.include_routers(
        errors.router(),
        setup.router(),
        membership.router(),
        roster.router(),
        voting.router(db, clock),
        proposals.router(db, clock),
        basics.router(),  # last: its catch-alls answer what nobody else handled
    )
    return dp
