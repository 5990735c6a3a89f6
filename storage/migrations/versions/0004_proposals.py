"""Proposals (提案) and their support (附议), counted per household.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
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


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("unverified_proposer", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("area", sa.String(16), nullable=True),
        sa.Column("category_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_proposal"),
        fk("proposal", "community_id", "community"),
        fk("proposal", "scope_id", "scope"),
        fk("proposal", "proposer_id", "member"),
        fk("proposal", "category_confirmed_by_id", "member"),
        fk("proposal", "merged_into_id", "proposal"),
        sa.UniqueConstraint("community_id", "number", name="uq_proposal_community_id_number"),
        one_of("status", STATUSES, "ck_proposal_status"),
        one_of("kind", ("small", "big", "private"), "ck_proposal_kind", nullable=True),
        one_of(
            "area",
            ("development", "management", "supervision", "election"),
            "ck_proposal_area",
            nullable=True,
        ),
    )
    op.create_index("ix_proposal_scope_id", "proposal", ["scope_id"])
    op.create_table(
        "proposal_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        timestamp("withdrawn_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_proposal_support"),
        fk("proposal_support", "proposal_id", "proposal"),
        fk("proposal_support", "household_id", "household"),
        fk("proposal_support", "member_id", "member"),
    )
    op.create_index("ix_proposal_support_proposal_id", "proposal_support", ["proposal_id"])
    op.create_index(
        "ix_proposal_support_active",
        "proposal_support",
        ["proposal_id", "household_id"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )


def downgrade() -> None:
    for table in ("proposal_support", "proposal"):
        op.drop_table(table)
