"""Per-community settings of the monthly cycle: the 协商日 rule, phases, threshold, agenda size.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day_rule", sa.String(64), nullable=True),
        sa.Column("reminder_1", sa.String(64), nullable=False),
        sa.Column("reminder_2", sa.String(64), nullable=False),
        sa.Column("freeze", sa.String(64), nullable=False),
        sa.Column("vote_open", sa.String(64), nullable=False),
        sa.Column("vote_hours", sa.Integer(), nullable=False),
        sa.Column("publicity_days", sa.Integer(), nullable=False),
        sa.Column("support_threshold", sa.Integer(), nullable=False),
        sa.Column("agenda_size", sa.Integer(), nullable=False),
        sa.Column("vote_opener", sa.String(16), nullable=False),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        timestamp("updated_at"),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cycle_settings"),
        fk("cycle_settings", "community_id", "community"),
        fk("cycle_settings", "updated_by_id", "member"),
        sa.UniqueConstraint("community_id", name="uq_cycle_settings_community_id"),
        one_of("vote_opener", ("chair", "moderator"), "ck_cycle_settings_vote_opener"),
    )


def downgrade() -> None:
    op.drop_table("cycle_settings")
