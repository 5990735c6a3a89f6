"""The one permission policy: role × action × scope, used by every flow.

A person's :class:`Standing` in a community says which roles they hold and where (a grid
worker's grid, a resident's building). ``decide`` answers whether they may take an action on a
target scope and, when not, why and who can instead — in words the renderer translates.
Telegram group admin status is deliberately absent: only roles stored by the bot count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.i18n import Text, t


class Role(StrEnum):
    UNVERIFIED = "unverified"  # anyone in a group, not bound to a household
    RESIDENT = "resident"  # verified member of a household
    REPRESENTATIVE = "representative"  # the household's 户代表, or their current delegate
    GRID_WORKER = "grid_worker"
    CHAIR = "chair"
    MODERATOR = "moderator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_NAMES: dict[Role, Text] = {
    Role.UNVERIFIED: t("unverified member"),
    Role.RESIDENT: t("resident"),
    Role.REPRESENTATIVE: t("household representative"),
    Role.GRID_WORKER: t("grid worker"),
    Role.CHAIR: t("rotating chair"),
    Role.MODERATOR: t("moderator"),
    Role.SUPERVISOR: t("supervisor"),
    Role.ADMIN: t("admin"),
}

# Roles that reach a target from where they live (their building up to the community) rather
# than from a grant over it.
HOUSEHOLD_ROLES = frozenset({Role.RESIDENT, Role.REPRESENTATIVE})


class Action(StrEnum):
    READ = "read"
    DISCUSS = "discuss"
    PROPOSE = "propose"
    SECOND = "second"
    VOTE = "vote"
    OBJECT = "object"
    RATE = "rate"
    VERIFY_MEMBER = "verify_member"
    SET_REPRESENTATIVE = "set_representative"
    IMPORT_ROSTER = "import_roster"
    RECORD_OFFLINE_BALLOT = "record_offline_ballot"
    VIEW_PENDING = "view_pending"
    ROUTE_PROPOSAL = "route_proposal"
    ESCALATE = "escalate"
    UPDATE_ACTION_ITEM = "update_action_item"
    CREATE_ACTION_ITEM = "create_action_item"
    FINISH_ACTION_ITEM = "finish_action_item"
    OPEN_ITEM = "open_item"
    POST_POLL = "post_poll"
    KEEP_ORDER = "keep_order"
    SET_AGENDA = "set_agenda"
    MERGE_REJECT = "merge_reject"
    CYCLE_SETTINGS = "cycle_settings"
    IMPORT_CHAIR_ROTATION = "import_chair_rotation"
    VIEW_AUDIT = "view_audit"
    VIEW_REPORT = "view_report"
    VERIFY_TALLY = "verify_tally"
    PROCEDURAL_OBJECTION = "procedural_objection"
    PUBLISH_MINUTES = "publish_minutes"
    DECIDE_OBJECTION = "decide_objection"
    SEE_OBJECTORS = "see_objectors"
    BIND_CHAT = "bind_chat"
    MANAGE_SCOPES = "manage_scopes"
    MANAGE_ROLES = "manage_roles"
    CONFIGURE = "configure"


ACTION_NAMES: dict[Action, Text] = {
    Action.READ: t("read"),
    Action.DISCUSS: t("take part in the discussion"),
    Action.PROPOSE: t("raise a proposal"),
    Action.SECOND: t("second a proposal"),
    Action.VOTE: t("vote for a household"),
    Action.OBJECT: t("object during the public notice"),
    Action.RATE: t("rate an outcome"),
    Action.VERIFY_MEMBER: t("verify members"),
    Action.SET_REPRESENTATIVE: t("set a household's representative"),
    Action.IMPORT_ROSTER: t("import a roster"),
    Action.RECORD_OFFLINE_BALLOT: t("record an offline ballot"),
    Action.VIEW_PENDING: t("see which households have not voted yet"),
    Action.ROUTE_PROPOSAL: t("route a proposal"),
    Action.ESCALATE: t("escalate a matter"),
    Action.UPDATE_ACTION_ITEM: t("update an action item"),
    Action.CREATE_ACTION_ITEM: t("create action items for a decision"),
    Action.FINISH_ACTION_ITEM: t("mark an action item done"),
    Action.OPEN_ITEM: t("open or close an agenda item"),
    Action.POST_POLL: t("post a poll"),
    Action.KEEP_ORDER: t("keep the speaking rules"),
    Action.SET_AGENDA: t("set the agenda"),
    Action.MERGE_REJECT: t("merge or reject proposals"),
    Action.CYCLE_SETTINGS: t("change the cycle settings"),
    Action.IMPORT_CHAIR_ROTATION: t("import the chair rotation"),
    Action.VIEW_AUDIT: t("read the audit log"),
    Action.VIEW_REPORT: t("see the monthly indicator report"),
    Action.VERIFY_TALLY: t("verify a tally"),
    Action.PROCEDURAL_OBJECTION: t("raise a procedural objection"),
    Action.PUBLISH_MINUTES: t("publish the minutes"),
    Action.DECIDE_OBJECTION: t("decide an objection"),
    Action.SEE_OBJECTORS: t("see who objected"),
    Action.BIND_CHAT: t("bind a group"),
    Action.MANAGE_SCOPES: t("create grids and buildings"),
    Action.MANAGE_ROLES: t("grant and revoke roles"),
    Action.CONFIGURE: t("change the community's settings"),
}

_EVERYONE = frozenset(Role)
_CHAIR_UP = frozenset({Role.CHAIR, Role.MODERATOR})

POLICY: dict[Action, frozenset[Role]] = {
    Action.READ: _EVERYONE,
    Action.DISCUSS: _EVERYONE,
    Action.PROPOSE: _EVERYONE,  # an unverified proposer's proposal is marked as such
    Action.SECOND: frozenset({Role.RESIDENT, Role.REPRESENTATIVE}),
    Action.VOTE: frozenset({Role.REPRESENTATIVE}),
    Action.OBJECT: frozenset({Role.RESIDENT, Role.REPRESENTATIVE}),
    Action.RATE: frozenset({Role.RESIDENT, Role.REPRESENTATIVE}),  # design §2: residents rate
    Action.VERIFY_MEMBER: frozenset({Role.GRID_WORKER, Role.ADMIN}),
    Action.SET_REPRESENTATIVE: frozenset({Role.GRID_WORKER, Role.ADMIN}),
    Action.IMPORT_ROSTER: frozenset({Role.GRID_WORKER, Role.ADMIN}),
    Action.RECORD_OFFLINE_BALLOT: frozenset({Role.GRID_WORKER}),
    Action.VIEW_PENDING: frozenset({Role.GRID_WORKER, Role.CHAIR, Role.MODERATOR}),
    Action.ROUTE_PROPOSAL: frozenset({Role.GRID_WORKER, Role.MODERATOR}),
    Action.ESCALATE: frozenset({Role.GRID_WORKER, Role.MODERATOR}),
    Action.UPDATE_ACTION_ITEM: frozenset({Role.GRID_WORKER, Role.MODERATOR}),
    # the assignee may update and finish their own item besides these roles (bot.flows.actions)
    Action.CREATE_ACTION_ITEM: frozenset({Role.GRID_WORKER, Role.CHAIR, Role.MODERATOR}),
    Action.FINISH_ACTION_ITEM: frozenset({Role.MODERATOR}),
    Action.OPEN_ITEM: _CHAIR_UP,
    Action.POST_POLL: _CHAIR_UP,
    Action.KEEP_ORDER: _CHAIR_UP,
    Action.SET_AGENDA: frozenset({Role.MODERATOR}),
    Action.MERGE_REJECT: frozenset({Role.GRID_WORKER, Role.MODERATOR}),  # within their scope
    Action.CYCLE_SETTINGS: frozenset({Role.MODERATOR}),
    Action.IMPORT_CHAIR_ROTATION: frozenset({Role.MODERATOR, Role.ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Action.VIEW_REPORT: frozenset({Role.MODERATOR, Role.SUPERVISOR}),  # issue 8: /report
    Action.VERIFY_TALLY: frozenset({Role.SUPERVISOR}),
    Action.PROCEDURAL_OBJECTION: frozenset({Role.SUPERVISOR}),
    Action.PUBLISH_MINUTES: _CHAIR_UP,
    Action.DECIDE_OBJECTION: frozenset({Role.MODERATOR}),
    Action.SEE_OBJECTORS: frozenset({Role.MODERATOR, Role.SUPERVISOR}),
    Action.BIND_CHAT: frozenset({Role.MODERATOR, Role.ADMIN}),
    Action.MANAGE_SCOPES: frozenset({Role.ADMIN}),
    Action.MANAGE_ROLES: frozenset({Role.ADMIN}),
    Action.CONFIGURE: frozenset({Role.ADMIN}),
}
assert set(POLICY) == set(Action) == set(ACTION_NAMES), "every action needs a rule and a name"


@dataclass(frozen=True)
class Grant:
    """A role and where it holds: ``path`` is the scope ids from the community root down to the
    grant's scope (empty for community-wide roles)."""

    role: Role
    path: tuple[int, ...] = ()


@dataclass(frozen=True)
class Standing:
    """Everything the policy needs to know about one person in one community."""

    community_id: int | None = None
    member_id: int | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> frozenset[Role]:
        held = frozenset(g.role for g in self.grants)
        return held or frozenset({Role.UNVERIFIED})

    def holds(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Text | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _reaches(grant: Grant, target: tuple[int, ...] | None) -> bool:
    """Whether ``grant`` covers a target scope (given as its path from the community root)."""
    if target is None or not grant.path:
        return True
    if grant.role in HOUSEHOLD_ROLES:
        # A household acts on matters of its building and every scope above it.
        return target == grant.path[: len(target)]
    # Staff act on their scope and everything inside it.
    return target[: len(grant.path)] == grant.path


def who_can(action: Action) -> list[Role]:
    return [role for role in Role if role in POLICY[action]]


def decide(standing: Standing, action: Action, target: tuple[int, ...] | None = None) -> Decision:
    allowed_roles = POLICY[action]
    grants = standing.grants or (Grant(Role.UNVERIFIED),)
    if any(g.role in allowed_roles and _reaches(g, target) for g in grants):
        return Decision(True)
    if any(g.role in allowed_roles for g in grants):
        reason = t("You may {action} only within your own scope.", action=ACTION_NAMES[action])
    else:
        names = [ROLE_NAMES[r] for r in who_can(action)]
        reason = t("Only {roles} may {action}.", roles=_either(names), action=ACTION_NAMES[action])
        if allowed_roles & HOUSEHOLD_ROLES and not any(g.role in HOUSEHOLD_ROLES for g in grants):
            reason = t(
                "{refusal} To be verified as a resident, send /join to me in a private chat.",
                refusal=reason,
            )
    return Decision(False, reason)


def _either(names: list[Text]) -> Text:
    """ "a, b or c" as nested messages, so each language joins lists its own way."""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return t("{first} or {second}", first=names[0], second=names[1])
    return t("{first}, {rest}", first=names[0], rest=_either(names[1:]))
