"""The monthly cycle's phases: which ran (cycle_run), each month's chair, agenda items and the
messages of their threads.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        timestamp("due_at"),
        timestamp("done_at"),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cycle_run"),
        fk("cycle_run", "community_id", "community"),
        sa.UniqueConstraint(
            "community_id", "month", "phase", name="uq_cycle_run_community_id_month_phase"
        ),
        one_of("outcome", ("done", "skipped", "manual"), "ck_cycle_run_outcome"),
    )
    op.create_table(
        "cycle_chair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("overridden_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cycle_chair"),
        fk("cycle_chair", "community_id", "community"),
        fk("cycle_chair", "household_id", "household"),
        fk("cycle_chair", "member_id", "member"),
        fk("cycle_chair", "grant_id", "role_grant"),
        fk("cycle_chair", "overridden_by_id", "member"),
        sa.UniqueConstraint("community_id", "month", name="uq_cycle_chair_community_id_month"),
    )
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("anchor_message_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_item"),
        fk("agenda_item", "community_id", "community"),
        fk("agenda_item", "proposal_id", "proposal"),
        sa.UniqueConstraint(
            "community_id",
            "month",
            "proposal_id",
            name="uq_agenda_item_community_id_month_proposal_id",
        ),
        one_of("status", ("listed", "postponed"), "ck_agenda_item_status"),
    )
    op.create_index("ix_agenda_item_proposal_id", "agenda_item", ["proposal_id"])
    op.create_table(
        "item_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("tg_message_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        timestamp("at"),
        sa.PrimaryKeyConstraint("id", name="pk_item_message"),
        fk("item_message", "item_id", "agenda_item"),
        fk("item_message", "member_id", "member"),
        sa.UniqueConstraint(
            "item_id", "tg_message_id", name="uq_item_message_item_id_tg_message_id"
        ),
    )
    op.create_index("ix_item_message_item_id", "item_message", ["item_id"])


def downgrade() -> None:
    for table in ("item_message", "agenda_item", "cycle_chair", "cycle_run"):
        op.drop_table(table)
