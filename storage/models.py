"""The base tables: communities, their scope tree, households, members, bound chats, audit log.

Every change here needs a hand-written migration in storage/migrations/versions;
tests/storage/test_schema.py fails when the two drift apart.
"""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    Index,
    LargeBinary,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from storage.timestamps import UTCDateTime, utcnow

# Named constraints, so SQLite batch migrations can find and alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCOPE_KINDS = ("street", "community", "grid", "building")
# Portable "exactly four ASCII digits": GLOB and ~ are each one dialect's only.
PHONE_TAIL_CHECK = "phone_tail IS NULL OR (length(phone_tail) = 4 AND {})".format(
    " AND ".join(f"substr(phone_tail, {i}, 1) BETWEEN '0' AND '9'" for i in range(1, 5))
)


class Community(SQLModel, table=True):
    """One residential community (社区): the unit that owns roles, scopes and cycles."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    street: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    language: str = Field(default="zh_CN", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Scope(SQLModel, table=True):
    """A node of a community's scope tree (street → community → grid → building).

    Root scopes (parent_id NULL) get their own unique index because NULLs never
    collide in a unique constraint.
    """

    __table_args__ = (
        UniqueConstraint("community_id", "kind", "name", "parent_id"),
        Index(
            "ix_scope_root_unique",
            "community_id",
            "kind",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{kind}'" for kind in SCOPE_KINDS)), name="kind"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    parent_id: int | None = Field(default=None, foreign_key="scope.id", index=True)
    kind: str = Field(max_length=16)
    name: str = Field(max_length=200)


class Household(SQLModel, table=True):
    """A household (户): the unit that votes, through one representative.

    Only the last four digits of a phone number are ever stored.
    """

    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint(PHONE_TAIL_CHECK, name="phone_tail"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    building_scope_id: int = Field(foreign_key="scope.id", index=True)
    code: str = Field(max_length=32)
    unit: str = Field(max_length=16)
    room: str = Field(max_length=16)
    representative_name: str | None = Field(default=None, max_length=100)
    phone_tail: str | None = Field(default=None, max_length=4)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    moved_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A Telegram user known to the bot; verified once bound to a household.

    ``representative`` marks the household's 户代表 (at most one per household, by a partial
    unique index); a flag here rather than a column on household avoids a foreign-key cycle.
    """

    __table_args__ = (
        Index(
            "ix_member_one_representative",
            "household_id",
            unique=True,
            sqlite_where=text("representative"),
            postgresql_where=text("representative"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tg_user_id: int = Field(sa_type=BigInteger, unique=True)
    display_name: str = Field(max_length=200)
    language: str | None = Field(default=None, max_length=16)  # None: Telegram's language_code
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    representative: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A private message to them was refused (they blocked the bot, or never started it); cleared
    # when they write to the bot again.
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChatBinding(SQLModel, table=True):
    """A group chat bound to one scope of a community (community, grid or building group)."""

    __tablename__: ClassVar[str] = "chat_binding"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, unique=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    scope_id: int = Field(foreign_key="scope.id", index=True)
    title: str = Field(max_length=255)
    active: bool = True
    bound_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    has_topics: bool = False
    bot_is_admin: bool = False
    # Keys of bindings.RIGHTS Telegram refused the bot here and the moderators were told about
    # ("pin,topics"); cleared when the bot's rights change.
    rights_refused: str | None = Field(default=None, max_length=32)
    # False: privacy mode hides the discussion from the bot (not an admin, privacy on), so the
    # minutes must say it was not captured.
    reads_all: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})


class AuditEvent(SQLModel, table=True):
    """One entry of the append-only, hash-chained audit log (see storage.audit).

    No foreign keys: the log must outlive and never block what it describes. The id
    is the chain position, assigned from audit_head rather than by the database, so
    it is gap-free (a PostgreSQL sequence is not rolled back) and a gap means a row
    was deleted.
    """

    __tablename__: ClassVar[str] = "audit_event"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime)
    community_id: int | None = Field(default=None, index=True)
    actor_id: int | None = None
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=64, index=True)
    data: str = Field(sa_type=Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single row (id=1) naming the chain's last event; appends lock it to serialise."""

    __tablename__: ClassVar[str] = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_id: int = 0
    last_hash: str = Field(max_length=64)


ROLES = ("admin", "moderator", "supervisor", "grid_worker", "chair")


class RoleGrant(SQLModel, table=True):
    """A role held by a member in a community; ``scope_id`` narrows it (a grid worker's grid).

    Revoked grants stay (``revoked_at``) so the history is readable without the audit log; the
    partial unique index allows one active grant per member, role and scope.
    """

    __tablename__: ClassVar[str] = "role_grant"
    __table_args__ = (
        Index(
            "ix_role_grant_active",
            "community_id",
            "member_id",
            "role",
            "scope_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # NULL scopes never collide above: community-wide grants need their own index.
        Index(
            "ix_role_grant_active_community_wide",
            "community_id",
            "member_id",
            "role",
            unique=True,
            sqlite_where=text("revoked_at IS NULL AND scope_id IS NULL"),
            postgresql_where=text("revoked_at IS NULL AND scope_id IS NULL"),
        ),
        CheckConstraint(
            "role IN ({})".format(", ".join(f"'{role}'" for role in ROLES)), name="role"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=16)
    scope_id: int | None = Field(default=None, foreign_key="scope.id")
    granted_by_id: int | None = Field(default=None, foreign_key="member.id")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delegation(SQLModel, table=True):
    """A representative lets another member of the same household vote for a period."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    from_member_id: int = Field(foreign_key="member.id")
    to_member_id: int = Field(foreign_key="member.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


JOIN_STATUSES = ("pending", "approved", "rejected", "cancelled")


class JoinRequest(SQLModel, table=True):
    """A member asks to be bound to a household; the grid's worker approves or rejects."""

    __tablename__: ClassVar[str] = "join_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in JOIN_STATUSES)), name="status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="member.id")
    reason: str | None = Field(default=None, max_length=500)


class ChairRotation(SQLModel, table=True):
    """The 轮值主席 roster: who chairs which month, in order, by household."""

    __tablename__: ClassVar[str] = "chair_rotation"
    __table_args__ = (UniqueConstraint("community_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    position: int
    household_id: int = Field(foreign_key="household.id")
    name: str = Field(max_length=100)


UPLOAD_STATUSES = ("pending", "imported", "discarded")


class RosterUpload(SQLModel, table=True):
    """A roster file sent in chat, between its dry run and the user's choice.

    Only Telegram's file id and a hash are kept; the file is fetched again to import, so no
    copy of the roster lingers in the database.
    """

    __tablename__: ClassVar[str] = "roster_upload"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in UPLOAD_STATUSES)), name="status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    uploader_id: int = Field(foreign_key="member.id")
    kind: str = Field(default="roster", max_length=16)  # roster | chair_rotation
    file_id: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DialogState(SQLModel, table=True):
    """State of a guided dialogue, keyed like aiogram's FSM, so dialogues survive a restart."""

    __tablename__: ClassVar[str] = "dialog_state"

    key: str = Field(primary_key=True, max_length=255)
    state: str | None = Field(default=None, max_length=255)
    data: str = Field(default="{}", sa_type=Text)  # JSON
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# -- votes (issue 6) --------------------------------------------------------------------------

VOTE_KINDS = ("approval", "choice")  # 同意/不同意/弃权, or one of N options
VOTE_RULES = ("majority_of_ballots", "two_thirds_of_ballots", "share_of_eligible")
VOTE_COMPARATORS = ("at_least", "more_than")  # 以上 (includes the number), 超过/过半数 (strict)


class Vote(SQLModel, table=True):
    """A binding vote of the households of one scope (design §5).

    Thresholds and quorums are exact fractions (numerator/denominator), so "60 % 以上" of 120
    households is decided by integers, never by a float that rounds 72/120 the wrong way.
    ``seal`` is the secret ballot's key (see bot.flows.ballot_writer); it is erased at close.
    """

    __table_args__ = (
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{k}'" for k in VOTE_KINDS)), name="kind"
        ),
        CheckConstraint(
            "rule IN ({})".format(", ".join(f"'{r}'" for r in VOTE_RULES)), name="rule"
        ),
        CheckConstraint(
            "comparator IN ({})".format(", ".join(f"'{c}'" for c in VOTE_COMPARATORS)),
            name="comparator",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    scope_id: int = Field(foreign_key="scope.id")  # the electorate's scope
    title: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    options: str = Field(sa_type=Text)  # JSON list of labels
    rule: str = Field(max_length=32)
    threshold_num: int
    threshold_den: int
    comparator: str = Field(max_length=16)
    quorum_num: int | None = None
    quorum_den: int | None = None
    secret: bool = False
    results_hidden: bool = True  # results shown only at close
    opened_by_id: int | None = Field(default=None, foreign_key="member.id")
    opened_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="member.id")
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = None
    seal: str | None = Field(default=None, max_length=64)
    result: str | None = Field(default=None, sa_type=Text)  # JSON, written at close
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)


class VoteElector(SQLModel, table=True):
    """The electorate, fixed when the vote opens: households added later do not vote."""

    __tablename__: ClassVar[str] = "vote_elector"

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True)


class Ballot(SQLModel, table=True):
    """One household's counted ballot: exactly one per vote by the unique constraint.

    ``option`` is NULL on secret votes: the row says only THAT the household voted.
    """

    __table_args__ = (UniqueConstraint("vote_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id")
    household_id: int = Field(foreign_key="household.id")
    option: int | None = None
    cast_by_id: int | None = Field(default=None, foreign_key="member.id")
    offline: bool = False
    recorded_by_id: int | None = Field(default=None, foreign_key="member.id")
    online_may_replace: bool = False  # an offline ballot: may the representative change it?
    cast_at: datetime = Field(sa_type=UTCDateTime)
    changed_count: int = 0


class SecretBallot(SQLModel, table=True):
    """A secret vote's choices, unlinked from households: keyed by a receipt that only the
    vote's seal links to a household, and without times or an insertion order (no rowid)."""

    __tablename__: ClassVar[str] = "secret_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    receipt: str = Field(max_length=64, primary_key=True)
    option: int


# -- proposals (issue 5) ----------------------------------------------------------------------

PROPOSAL_STATUSES = (
    "open",
    "supported",
    "on_agenda",
    "decided",
    "rejected",
    "merged",
    "withdrawn",
    "answered",
    "escalated",
)
PROPOSAL_KINDS = ("small", "big", "private")  # 三事分流: 小事 / 大事 / 私事
PROPOSAL_AREAS = ("development", "management", "supervision", "election")  # 4335


class Proposal(SQLModel, table=True):
    """A matter raised by a resident (提案); ``number`` is the No. residents see, per community.

    The proposer stays linked after /forgetme: a forgotten member row is pseudonymised, not
    deleted. ``kind``/``area`` are NULL until suggested; ``category_confirmed_by_id`` is the
    grid worker or moderator who confirmed them.
    """

    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in PROPOSAL_STATUSES)), name="status"
        ),
        CheckConstraint(
            "kind IS NULL OR kind IN ({})".format(", ".join(f"'{k}'" for k in PROPOSAL_KINDS)),
            name="kind",
        ),
        CheckConstraint(
            "area IS NULL OR area IN ({})".format(", ".join(f"'{a}'" for a in PROPOSAL_AREAS)),
            name="area",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    number: int
    scope_id: int = Field(foreign_key="scope.id", index=True)
    title: str = Field(max_length=200)
    details: str | None = Field(default=None, sa_type=Text)
    proposer_id: int | None = Field(default=None, foreign_key="member.id")
    unverified_proposer: bool = False
    status: str = Field(default="open", max_length=16)
    kind: str | None = Field(default=None, max_length=16)
    area: str | None = Field(default=None, max_length=16)
    category_confirmed_by_id: int | None = Field(default=None, foreign_key="member.id")
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = None
    thread_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=Text)
    merged_into_id: int | None = Field(default=None, foreign_key="proposal.id")
    source_message_id: int | None = None  # the /propose or #提案 message in its group, if any


class ProposalSupport(SQLModel, table=True):
    """A household's 附议 of a proposal. One active row per household by a partial unique index:
    support is counted per household, whoever in it pressed. Withdrawn rows stay for history."""

    __tablename__: ClassVar[str] = "proposal_support"
    __table_args__ = (
        Index(
            "ix_proposal_support_active",
            "proposal_id",
            "household_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -- informal polls (issue 6) ------------------------------------------------------------------


class Poll(SQLModel, table=True):
    """A native Telegram poll a moderator posted: an opinion, never binding (design §5).

    ``tg_poll_id`` is Telegram's id, which poll_answer updates carry instead of the chat.
    """

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    tg_poll_id: str = Field(max_length=64, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int
    thread_id: int | None = None
    question: str = Field(max_length=300)
    options: str = Field(sa_type=Text)  # JSON list of labels
    anonymous: bool = False
    multiple: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollAnswer(SQLModel, table=True):
    """One person's current answer to a non-anonymous poll; retracting deletes the row."""

    __tablename__: ClassVar[str] = "poll_answer"
    __table_args__ = (UniqueConstraint("poll_id", "tg_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    tg_user_id: int = Field(sa_type=BigInteger)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    option_ids: str = Field(sa_type=Text)  # JSON list of chosen option indexes
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# -- the monthly cycle (issue 7) ----------------------------------------------------------------

VOTE_OPENERS = ("chair", "moderator")


class CycleSettings(SQLModel, table=True):
    """A community's monthly cycle: its 协商日 and when each phase happens, as rules in the
    canonical text of bot.flows.cycle_text ("second friday 15:00", "D-3 09:00"), plus the
    numbers that govern the agenda. A community without a row has the defaults and no 协商日.
    Quiet hours are local times of day ("22:00"), not instants; both NULL means none.
    """

    __tablename__: ClassVar[str] = "cycle_settings"
    __table_args__ = (
        CheckConstraint(
            "vote_opener IN ({})".format(", ".join(f"'{o}'" for o in VOTE_OPENERS)),
            name="vote_opener",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", unique=True)
    day_rule: str | None = Field(default=None, max_length=64)  # None: no 协商日 yet
    reminder_1: str = Field(default="D-7", max_length=64)
    reminder_2: str = Field(default="D-1", max_length=64)
    freeze: str = Field(default="D-3", max_length=64)
    vote_open: str = Field(default="D", max_length=64)
    vote_hours: int = 48
    publicity_days: int = 7
    support_threshold: int = 5  # households
    agenda_size: int = 5
    vote_opener: str = Field(default="chair", max_length=16)
    quiet_start: str | None = Field(default="22:00", max_length=5)
    quiet_end: str | None = Field(default="08:00", max_length=5)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="member.id")


# -- the scheduler (issue 7) -------------------------------------------------------------------


class SchedulerLease(SQLModel, table=True):
    """Which process runs the scheduled sweeps: one per deployment, however many bots run.

    The holder renews ``expires_at`` while it lives; another process takes over once it passes.
    """

    __tablename__: ClassVar[str] = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime)


# APScheduler's SQLAlchemyJobStore keeps its jobs here. It would create the table itself; it is
# declared (as APScheduler 3 defines it) so that migrations create it and the schema-drift test
# knows it.
scheduler_jobs = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


# -- the monthly cycle's phases (issue 7) ------------------------------------------------------

CYCLE_RUN_OUTCOMES = ("done", "skipped", "manual")
AGENDA_ITEM_STATUSES = ("listed", "postponed")


class CycleRun(SQLModel, table=True):
    """One phase of one community's cycle month that has happened (or was skipped): written in
    the same transaction as the phase's effects, so the unique key makes every phase run once,
    whatever restarts. ``month`` is the month of the cycle's 协商日, ``YYYY-MM``."""

    __tablename__: ClassVar[str] = "cycle_run"
    __table_args__ = (
        UniqueConstraint("community_id", "month", "phase"),
        CheckConstraint(
            "outcome IN ({})".format(", ".join(f"'{o}'" for o in CYCLE_RUN_OUTCOMES)),
            name="outcome",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    month: str = Field(max_length=7)
    phase: str = Field(max_length=16)
    due_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime = Field(sa_type=UTCDateTime)
    late: bool = False
    outcome: str = Field(default="done", max_length=16)


class CycleChair(SQLModel, table=True):
    """The 轮值主席 of one cycle month: the rotation's pick (``position``), or a moderator's
    override. ``grant_id`` is the chair role granted for the month, revoked at the next pick."""

    __tablename__: ClassVar[str] = "cycle_chair"
    __table_args__ = (UniqueConstraint("community_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    month: str = Field(max_length=7)
    position: int | None = None
    household_id: int | None = Field(default=None, foreign_key="household.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    name: str = Field(max_length=100)
    grant_id: int | None = Field(default=None, foreign_key="role_grant.id")
    overridden_by_id: int | None = Field(default=None, foreign_key="member.id")


class AgendaItem(SQLModel, table=True):
    """A proposal on one month's agenda, with where its discussion thread lives: a forum topic
    (``thread_id``) or the replies to a pinned anchor message (``anchor_message_id``)."""

    __tablename__: ClassVar[str] = "agenda_item"
    __table_args__ = (
        UniqueConstraint("community_id", "month", "proposal_id"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in AGENDA_ITEM_STATUSES)),
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    month: str = Field(max_length=7)
    position: int
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    status: str = Field(default="listed", max_length=16)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    thread_id: int | None = None
    anchor_message_id: int | None = None


class ItemMessage(SQLModel, table=True):
    """A message said in an agenda item's thread, kept for the minutes (text the bot saw)."""

    __tablename__: ClassVar[str] = "item_message"
    __table_args__ = (UniqueConstraint("item_id", "tg_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    tg_message_id: int
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)


# -- after the vote: minutes, 公示, 督办, ratings (issue 8) -------------------------------------

MINUTES_STATUSES = ("draft", "published")
PUBLICITY_STATUSES = ("open", "suspended", "final")
OBJECTION_STATUSES = ("pending", "rejected", "upheld")
ACTION_STATUSES = ("waiting", "open", "done")


class MinutesRecord(SQLModel, table=True):
    """The minutes (会议纪要) of a closed vote on an agenda item: drafted once when the vote
    closes and sent to the chair, published once. ``summary`` is the chair's wording of the
    discussion; NULL keeps the extractive summary drawn from the thread."""

    __tablename__: ClassVar[str] = "minutes"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in MINUTES_STATUSES)),
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    vote_id: int = Field(foreign_key="vote.id", unique=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    chair_member_id: int | None = Field(default=None, foreign_key="member.id")
    summary: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default="draft", max_length=16)
    drafted_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: int | None = Field(default=None, foreign_key="member.id")


class Publicity(SQLModel, table=True):
    """The 公示 of a decision: a pinned notice until ``ends_at``, during which anyone in the
    scope may object. ``open`` until the window closes (then ``final``) or an objection is
    upheld (``suspended``: the item goes back to next month's agenda)."""

    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in PUBLICITY_STATUSES)),
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    vote_id: int = Field(foreign_key="vote.id", unique=True)
    scope_id: int = Field(foreign_key="scope.id")
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = None  # the pinned notice
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default="open", max_length=16)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Objection(SQLModel, table=True):
    """An objection to a decision in 公示, or a supervisor's procedural objection (at any
    time). Its text is visible to the scope; who raised it only to moderators and
    supervisors."""

    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in OBJECTION_STATUSES)),
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    publicity_id: int = Field(foreign_key="publicity.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    reason: str = Field(sa_type=Text)
    procedural: bool = False
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, sa_type=Text)


class ActionItem(SQLModel, table=True):
    """A 督办 action item of a decision: ``waiting`` until the decision is final, then
    ``open`` until done. The assignee is a member with a role, or an outside party
    (``outside_party``, e.g. the property company) with a responsible member. ``reminded_at``
    and ``escalated_at`` make the due reminder and the overdue escalation happen once."""

    __tablename__: ClassVar[str] = "action_item"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in ACTION_STATUSES)),
            name="status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    scope_id: int = Field(foreign_key="scope.id")
    what: str = Field(max_length=300)
    assignee_id: int | None = Field(default=None, foreign_key="member.id")
    outside_party: str | None = Field(default=None, max_length=100)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default="waiting", max_length=16)
    percent: int = 0
    note: str | None = Field(default=None, sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rating_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rating_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActionProgress(SQLModel, table=True):
    """One progress update of an action item (percent and a note), kept as its history."""

    __tablename__: ClassVar[str] = "action_progress"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    percent: int
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    """A household's 群众测评 of a done action item, 1–5: one per household by the unique key,
    changeable until the item's ``rating_until``."""

    __table_args__ = (
        UniqueConstraint("action_id", "household_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id")
    household_id: int = Field(foreign_key="household.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    score: int
    rated_at: datetime = Field(sa_type=UTCDateTime)
    changed_count: int = 0


class RatingMessage(SQLModel, table=True):
    """A group's message with an item's rating buttons, edited as ratings come in and once
    more, without buttons, when the rating closes."""

    __tablename__: ClassVar[str] = "rating_message"

    action_id: int = Field(foreign_key="action_item.id", primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, primary_key=True)
    message_id: int
