"""Numbers that govern proposals, in one place until the cycle settings exist.

Issue 7 (the monthly cycle) makes the support threshold a per-community setting; until then
every community uses ``DEFAULT_SUPPORT_THRESHOLD`` (design §4 and scenario 01: 5 households).
Callers ask :func:`support_threshold` so that change stays here.
"""

from __future__ import annotations

DEFAULT_SUPPORT_THRESHOLD = 5  # households
PAGE_SIZE = 10  # proposals per page of /proposals
SIMILAR_SHOWN = 3  # similar open proposals offered to a proposer


def support_threshold(community_id: int) -> int:
    """Households whose support makes a proposal "supported" (eligible for the agenda)."""
    return DEFAULT_SUPPORT_THRESHOLD
