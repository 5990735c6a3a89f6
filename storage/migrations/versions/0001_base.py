"""Base tables: community, scope, household, member, chat_binding, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-11-23

Written by hand; tests/storage/test_schema.py checks it against storage.models.
The audit_event triggers make the log append-only. On SQLite a later batch migration
that recreates audit_event drops them and must create them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
DROP_ORDER = (
    "audit_head",
    "audit_event",
    "chat_binding",
    "member",
    "household",
    "scope",
    "community",
)
APPEND_ONLY = "audit log is append-only"
PHONE_TAIL_CHECK = (
    "phone_tail IS NULL OR (length(phone_tail) = 4"
    " AND substr(phone_tail, 1, 1) BETWEEN '0' AND '9'"
    " AND substr(phone_tail, 2, 1) BETWEEN '0' AND '9'"
    " AND substr(phone_tail, 3, 1) BETWEEN '0' AND '9'"
    " AND substr(phone_tail, 4, 1) BETWEEN '0' AND '9')"
)

TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("street", sa.String(200), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_community"),
        sa.UniqueConstraint("name", name="uq_community_name"),
    )
    op.create_table(
        "scope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scope"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name="fk_scope_community_id_community"
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["scope.id"], name="fk_scope_parent_id_scope"),
        sa.UniqueConstraint(
            "community_id",
            "kind",
            "name",
            "parent_id",
            name="uq_scope_community_id_kind_name_parent_id",
        ),
        sa.CheckConstraint(
            "kind IN ('street', 'community', 'grid', 'building')", name=op.f("ck_scope_kind")
        ),
    )
    op.create_index("ix_scope_parent_id", "scope", ["parent_id"])
    op.create_index(
        "ix_scope_root_unique",
        "scope",
        ["community_id", "kind", "name"],
        unique=True,
        sqlite_where=sa.text("parent_id IS NULL"),
        postgresql_where=sa.text("parent_id IS NULL"),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("building_scope_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("room", sa.String(16), nullable=False),
        sa.Column("representative_name", sa.String(100), nullable=True),
        sa.Column("phone_tail", sa.String(4), nullable=True),
        _timestamp("created_at"),
        _timestamp("moved_out_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name="fk_household_community_id_community"
        ),
        sa.ForeignKeyConstraint(
            ["building_scope_id"], ["scope.id"], name="fk_household_building_scope_id_scope"
        ),
        sa.UniqueConstraint("community_id", "code", name="uq_household_community_id_code"),
        sa.CheckConstraint(PHONE_TAIL_CHECK, name=op.f("ck_household_phone_tail")),
    )
    op.create_index("ix_household_building_scope_id", "household", ["building_scope_id"])
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tg_user_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        _timestamp("verified_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("forgotten_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_member"),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_member_household_id_household"
        ),
        sa.UniqueConstraint("tg_user_id", name="uq_member_tg_user_id"),
    )
    op.create_index("ix_member_household_id", "member", ["household_id"])
    op.create_table(
        "chat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("bound_at"),
        sa.Column("has_topics", sa.Boolean(), nullable=False),
        sa.Column("bot_is_admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_binding"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name="fk_chat_binding_community_id_community"
        ),
        sa.ForeignKeyConstraint(["scope_id"], ["scope.id"], name="fk_chat_binding_scope_id_scope"),
        sa.UniqueConstraint("chat_id", name="uq_chat_binding_chat_id"),
    )
    op.create_index("ix_chat_binding_community_id", "chat_binding", ["community_id"])
    op.create_index("ix_chat_binding_scope_id", "chat_binding", ["scope_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _timestamp("at"),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_community_id", "audit_event", ["community_id"])
    op.create_index("ix_audit_event_subject", "audit_event", ["subject"])
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
    )
    op.bulk_insert(audit_head, [{"id": 1, "last_id": 0, "last_hash": GENESIS_HASH}])
    for statement in TRIGGERS.get(op.get_context().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_event_append_only() CASCADE")
    for table in DROP_ORDER:
        op.drop_table(table)
