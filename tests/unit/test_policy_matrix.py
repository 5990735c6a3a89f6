"""Every action × every role against a table written from design.md §2 (and the issue), not
from the policy itself; plus where each role reaches (its grid, its building, the community)."""

from __future__ import annotations

import pytest

from bot.flows.policy import Action, Grant, Role, Standing, decide, who_can
from bot.i18n import Text

A = Action
U, RES, REP, GW, CH, MOD, SUP, ADM = (
    Role.UNVERIFIED,
    Role.RESIDENT,
    Role.REPRESENTATIVE,
    Role.GRID_WORKER,
    Role.CHAIR,
    Role.MODERATOR,
    Role.SUPERVISOR,
    Role.ADMIN,
)
EVERYONE = {U, RES, REP, GW, CH, MOD, SUP, ADM}
HOUSEHOLD = {RES, REP}  # a representative is a resident who votes for the household

# design.md §2, row by row:
#   unverified: read, discuss, raise a proposal (marked unverified); no seconding, no voting
#   resident: raise, second, discuss, vote if representative, object during 公示, rate outcomes
#   grid worker: verify members and bind them to households, import rosters, record offline
#     ballots, route proposals, update and escalate action items (the issue adds: sets 户代表)
#   chair: open and close agenda items, post polls, keep speaking rules
#   moderator: everything a chair can, plus agenda, merge/reject, cycle settings; as community
#     staff also routing, escalating and following up, and (issue 4) binding groups and the
#     chair rotation import
#   supervisor: see everything incl. the audit log, verify tallies, procedural objections
#   admin: roles, scopes, configuration; (issue 4) binds groups, imports rosters and the chair
#     rotation, verifies members; reads the audit log it is accountable for
EXPECTED: dict[Action, set[Role]] = {
    A.READ: EVERYONE,
    A.DISCUSS: EVERYONE,
    A.PROPOSE: EVERYONE,
    A.SECOND: HOUSEHOLD,
    A.VOTE: {REP},
    A.OBJECT: HOUSEHOLD,
    A.RATE: HOUSEHOLD,
    A.VERIFY_MEMBER: {GW, ADM},
    A.SET_REPRESENTATIVE: {GW, ADM},
    A.IMPORT_ROSTER: {GW, ADM},
    A.RECORD_OFFLINE_BALLOT: {GW},
    A.VIEW_PENDING: {GW, CH, MOD},  # issue 6: /pending
    A.ROUTE_PROPOSAL: {GW, MOD},
    A.ESCALATE: {GW, MOD},
    A.UPDATE_ACTION_ITEM: {GW, MOD},
    A.CREATE_ACTION_ITEM: {GW, CH, MOD},  # issue 8: /action add, for a decision
    A.FINISH_ACTION_ITEM: {MOD},  # issue 8: /done (the assignee too, outside the policy)
    A.OPEN_ITEM: {CH, MOD},
    A.POST_POLL: {CH, MOD},
    A.KEEP_ORDER: {CH, MOD},
    A.SET_AGENDA: {MOD},
    A.MERGE_REJECT: {GW, MOD},  # issue 5: grid workers merge/reject in their grids
    A.CYCLE_SETTINGS: {MOD},
    A.IMPORT_CHAIR_ROTATION: {MOD, ADM},
    A.VIEW_AUDIT: {SUP, ADM},
    A.VIEW_REPORT: {MOD, SUP},  # issue 8: /report
    A.VERIFY_TALLY: {SUP},
    A.PROCEDURAL_OBJECTION: {SUP},
    A.PUBLISH_MINUTES: {CH, MOD},  # issue 8: the chair (or a moderator) publishes minutes
    A.DECIDE_OBJECTION: {MOD},  # issue 8: objections in 公示 are decided by moderators
    A.SEE_OBJECTORS: {MOD, SUP},  # issue 8: objection texts to all, names to these
    A.BIND_CHAT: {MOD, ADM},
    A.MANAGE_SCOPES: {ADM},
    A.MANAGE_ROLES: {ADM},
    A.CONFIGURE: {ADM},
}

# Scope paths from the community root: community 1; grids 10 and 20; buildings 11, 12 (grid 10)
# and 21 (grid 20).
COMMUNITY, GRID, OTHER_GRID = (1,), (1, 10), (1, 20)
BUILDING, NEIGHBOUR, FAR_BUILDING = (1, 10, 11), (1, 10, 12), (1, 20, 21)


def standing_of(role: Role) -> Standing:
    """One role, where people holding it usually hold it."""
    if role is Role.UNVERIFIED:
        return Standing(1, 1)
    if role in HOUSEHOLD:
        return Standing(1, 1, (Grant(role, BUILDING),))
    if role is Role.GRID_WORKER:
        return Standing(1, 1, (Grant(role, GRID),))
    return Standing(1, 1, (Grant(role),))


def test_the_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_every_action_for_every_role(action: Action, role: Role) -> None:
    decision = decide(standing_of(role), action)
    assert decision.allowed == (role in EXPECTED[action]), f"{role} × {action}"
    if not decision.allowed:
        assert isinstance(decision.reason, Text)
        refusal = decision.reason
        household = {Role.RESIDENT, Role.REPRESENTATIVE}
        if EXPECTED[action] & household and role not in household:
            # Someone without a household is also told how to get verified.
            assert refusal.msgid.endswith("send /join to me in a private chat.")
            refusal = refusal.params["refusal"]
        assert refusal.msgid == "Only {roles} may {action}."


@pytest.mark.parametrize("action", list(Action))
def test_who_can_names_exactly_the_expected_roles(action: Action) -> None:
    assert set(who_can(action)) == EXPECTED[action]


def test_a_grid_worker_acts_in_their_grid_only() -> None:
    worker = standing_of(GW)
    for target in (GRID, BUILDING, NEIGHBOUR):
        assert decide(worker, A.VERIFY_MEMBER, target)
    for target in (OTHER_GRID, FAR_BUILDING, COMMUNITY):
        refused = decide(worker, A.VERIFY_MEMBER, target)
        assert (
            not refused and refused.reason.msgid == "You may {action} only within your own scope."
        )


def test_a_household_acts_on_its_building_and_above_only() -> None:
    resident = standing_of(RES)
    for target in (BUILDING, GRID, COMMUNITY):
        assert decide(resident, A.SECOND, target)
    for target in (NEIGHBOUR, FAR_BUILDING, OTHER_GRID):
        assert not decide(resident, A.SECOND, target), target
        assert not decide(standing_of(REP), A.VOTE, target), target
    assert decide(standing_of(REP), A.VOTE, BUILDING)


@pytest.mark.parametrize("role", [CH, MOD, SUP, ADM])
def test_community_wide_roles_reach_every_scope(role: Role) -> None:
    for action in (a for a, roles in EXPECTED.items() if role in roles):
        for target in (COMMUNITY, GRID, OTHER_GRID, BUILDING, FAR_BUILDING):
            assert decide(standing_of(role), action, target), (role, action, target)


def test_roles_add_up_and_nobody_without_a_role_is_more_than_unverified() -> None:
    both = Standing(1, 1, (Grant(GW, GRID), Grant(RES, FAR_BUILDING)))
    assert decide(both, A.VERIFY_MEMBER, GRID) and decide(both, A.SECOND, FAR_BUILDING)
    assert not decide(both, A.VERIFY_MEMBER, FAR_BUILDING)
    stranger = Standing()
    assert stranger.roles == {U}
    assert [a for a in Action if decide(stranger, a)] == [A.READ, A.DISCUSS, A.PROPOSE]
