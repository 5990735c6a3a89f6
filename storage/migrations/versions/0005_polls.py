"""Informal native polls and their answers; a vote may name the proposal it decides.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, timestamp

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vote") as batch:
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_vote_proposal_id_proposal", "proposal", ["proposal_id"], ["id"]
        )
        batch.create_index("ix_vote_proposal_id", ["proposal_id"])
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("tg_poll_id", sa.String(64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        timestamp("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_poll"),
        fk("poll", "community_id", "community"),
        fk("poll", "created_by_id", "member"),
        sa.UniqueConstraint("tg_poll_id", name="uq_poll_tg_poll_id"),
    )
    op.create_index("ix_poll_community_id", "poll", ["community_id"])
    op.create_table(
        "poll_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("tg_user_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("option_ids", sa.Text(), nullable=False),
        timestamp("answered_at"),
        sa.PrimaryKeyConstraint("id", name="pk_poll_answer"),
        fk("poll_answer", "poll_id", "poll"),
        fk("poll_answer", "member_id", "member"),
        sa.UniqueConstraint("poll_id", "tg_user_id", name="uq_poll_answer_poll_id_tg_user_id"),
    )
    op.create_index("ix_poll_answer_poll_id", "poll_answer", ["poll_id"])


def downgrade() -> None:
    for table in ("poll_answer", "poll"):
        op.drop_table(table)
    with op.batch_alter_table("vote") as batch:
        batch.drop_index("ix_vote_proposal_id")
        batch.drop_constraint("fk_vote_proposal_id_proposal", type_="foreignkey")
        batch.drop_column("proposal_id")
