"""After the vote: minutes, 公示 with objections, 督办 action items with their progress, and
residents' ratings.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("chair_member_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("drafted_at"),
        timestamp("published_at", nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_minutes"),
        fk("minutes", "community_id", "community"),
        fk("minutes", "vote_id", "vote"),
        fk("minutes", "item_id", "agenda_item"),
        fk("minutes", "chair_member_id", "member"),
        fk("minutes", "published_by_id", "member"),
        sa.UniqueConstraint("vote_id", name="uq_minutes_vote_id"),
        one_of("status", ("draft", "published"), "ck_minutes_status"),
    )
    op.create_index("ix_minutes_community_id", "minutes", ["community_id"])
    op.create_table(
        "publicity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        timestamp("starts_at"),
        timestamp("ends_at"),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_publicity"),
        fk("publicity", "community_id", "community"),
        fk("publicity", "vote_id", "vote"),
        fk("publicity", "scope_id", "scope"),
        sa.UniqueConstraint("vote_id", name="uq_publicity_vote_id"),
        one_of("status", ("open", "suspended", "final"), "ck_publicity_status"),
    )
    op.create_index("ix_publicity_community_id", "publicity", ["community_id"])
    op.create_index("ix_publicity_ends_at", "publicity", ["ends_at"])
    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publicity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("procedural", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("created_at"),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        timestamp("decided_at", nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_objection"),
        fk("objection", "publicity_id", "publicity"),
        fk("objection", "member_id", "member"),
        fk("objection", "household_id", "household"),
        fk("objection", "decided_by_id", "member"),
        one_of("status", ("pending", "rejected", "upheld"), "ck_objection_status"),
    )
    op.create_index("ix_objection_publicity_id", "objection", ["publicity_id"])
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(300), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("outside_party", sa.String(100), nullable=True),
        timestamp("due_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        timestamp("started_at", nullable=True),
        timestamp("reminded_at", nullable=True),
        timestamp("escalated_at", nullable=True),
        timestamp("done_at", nullable=True),
        timestamp("rating_until", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_action_item"),
        fk("action_item", "community_id", "community"),
        fk("action_item", "vote_id", "vote"),
        fk("action_item", "scope_id", "scope"),
        fk("action_item", "assignee_id", "member"),
        fk("action_item", "created_by_id", "member"),
        one_of("status", ("waiting", "open", "done"), "ck_action_item_status"),
    )
    op.create_index("ix_action_item_community_id", "action_item", ["community_id"])
    op.create_index("ix_action_item_vote_id", "action_item", ["vote_id"])
    op.create_index("ix_action_item_due_at", "action_item", ["due_at"])
    op.create_table(
        "action_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        timestamp("at"),
        sa.PrimaryKeyConstraint("id", name="pk_action_progress"),
        fk("action_progress", "action_id", "action_item"),
        fk("action_progress", "member_id", "member"),
    )
    op.create_index("ix_action_progress_action_id", "action_progress", ["action_id"])
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        timestamp("rated_at"),
        sa.Column("changed_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rating"),
        fk("rating", "action_id", "action_item"),
        fk("rating", "household_id", "household"),
        fk("rating", "member_id", "member"),
        sa.UniqueConstraint("action_id", "household_id", name="uq_rating_action_id_household_id"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_rating_score")),
    )


def downgrade() -> None:
    for table in ("rating", "action_progress", "action_item", "objection", "publicity", "minutes"):
        op.drop_table(table)
