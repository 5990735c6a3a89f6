"""What a step of a guided dialogue returns: what to show, and which step comes next.

Handlers keep the step in aiogram's FSM (stored in the database, so a dialogue survives a
restart); flows only name it, so they stay free of the framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.flows.results import EditOrigin, Notify, Outcome, Reply, reply
from bot.i18n import t


@dataclass
class Step:
    outcomes: list[Outcome]
    state: str | None = None  # the step now awaited; None ends the dialogue
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def notices(self) -> int:
        return sum(isinstance(o, Notify) for o in self.outcomes)


def said(prompt: Reply, *, from_button: bool) -> Outcome:
    """A prompt answering a button replaces the message pressed; one answering text is new."""
    return EditOrigin(prompt.paragraphs, prompt.buttons) if from_button else prompt


KEEP = "="  # Step.state: the dialogue stays where it was (a stale button was pressed)


def cancel(active: bool) -> Step:
    """/cancel: leave whatever guided dialogue the person is in."""
    if not active:
        return Step([reply(t("There is nothing to cancel."))])
    return Step([reply(t("Cancelled."))])


def use_buttons() -> Step:
    return Step([reply(t("Please choose with the buttons above, or send /cancel."))], KEEP)
