"""The base tables: communities, their scope tree, households, members, bound chats, audit log.

Every change here needs a hand-written migration in storage/migrations/versions;
tests/storage/test_schema.py fails when the two drift apart.
"""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Index, Text, UniqueConstraint, text
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
    """A Telegram user known to the bot; verified once bound to a household."""

    id: int | None = Field(default=None, primary_key=True)
    tg_user_id: int = Field(sa_type=BigInteger, unique=True)
    display_name: str = Field(max_length=200)
    language: str | None = Field(default=None, max_length=16)  # None: Telegram's language_code
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


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
