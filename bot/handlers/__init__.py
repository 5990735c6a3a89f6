"""aiogram routers: parse an update, call a flow, render. Nothing else lives here."""

from __future__ import annotations

from aiogram import Dispatcher

from bot.handlers import basics, errors
from bot.handlers.context import ContextMiddleware
from storage.engine import Database


def build_dispatcher(db: Database, default_language: str) -> Dispatcher:
    dp = Dispatcher()
    dp.update.outer_middleware(ContextMiddleware(db, default_language))
    dp.include_routers(errors.router(), basics.router())
    return dp
