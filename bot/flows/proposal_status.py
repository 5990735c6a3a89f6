"""What a proposer is told when their proposal's status changes — one place for every change.

Seconding to the threshold, falling below it again, merging, rejecting, withdrawing, and the
later ones (on the agenda, decided, answered, escalated) all come here, so each area that
changes a status asks :func:`notice` for the words and hands the result to the one handler
helper that delivers it (``bot.handlers.proposal_notices.tell_proposer``).
"""

from __future__ import annotations

from bot.flows import proposal_messages as say
from bot.i18n import Text, t
from storage.models import Proposal


def notice(
    proposal: Proposal, *, count: int = 0, threshold: int = 0, into: Proposal | None = None
) -> Text:
    """The proposal's new status in words for its proposer (``count``/``threshold`` for the
    support statuses, ``into`` for a merge)."""
    if proposal.status == "supported":
        return say.reached(proposal, count)
    if proposal.status == "open":
        return t(
            "Your proposal No. {number} “{title}” fell below the agenda threshold again: {n} "
            "households support it, {needed} more are needed.",
            number=proposal.number,
            title=proposal.title,
            n=count,
            needed=max(threshold - count, 0),
        )
    if proposal.status == "merged" and into is not None:
        return t(
            "Your proposal No. {number} “{title}” is merged into No. {into} “{into_title}”: its "
            "supporters now count for No. {into}.",
            number=proposal.number,
            title=proposal.title,
            into=into.number,
            into_title=into.title,
        )
    return say.closed_notice(proposal)
