"""The one error boundary: a user sees a short apology with a reference, the log the traceback."""

from __future__ import annotations

import logging
import secrets

from aiogram import Router
from aiogram.types import CallbackQuery, ErrorEvent

from bot.flows.results import Toast, reply
from bot.handlers.delivery import deliver
from bot.i18n import DEFAULT_LANGUAGE, Text, t

log = logging.getLogger("xieshang.errors")


def apology(reference: str) -> Text:
    return t(
        "Sorry, something went wrong on our side. It has been logged as {ref}; please try again later.",
        ref=reference,
    )


async def on_error(event: ErrorEvent, **data) -> bool:
    reference = secrets.token_hex(4)
    log.error(
        "unhandled error [ref %s] in update %s",
        reference,
        event.update.update_id,
        exc_info=event.exception,
    )
    ctx = data.get("ctx")
    language = ctx.language if ctx is not None else DEFAULT_LANGUAGE
    # Without a context (a middleware failed) still answer the person, in the default language.
    target = ctx.event if ctx is not None else (event.update.message or event.update.callback_query)
    if target is None:
        return True
    try:
        message = apology(reference)
        outcome = (
            Toast(message, alert=True) if isinstance(target, CallbackQuery) else reply(message)
        )
        await deliver(data["bot"], target, language, [outcome])
    except Exception:  # the apology itself failed (e.g. Telegram unreachable): the log has it
        log.exception("could not tell the user about error %s", reference)
    return True


def router() -> Router:
    r = Router(name="errors")
    r.errors.register(on_error)
    return r
