"""Where each group's rating message of an action item is, and when its rating closed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, timestamp

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_item") as batch:
        batch.add_column(timestamp("rating_closed_at", nullable=True))
    op.create_table(
        "rating_message",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("action_id", "chat_id", name="pk_rating_message"),
        fk("rating_message", "action_id", "action_item"),
    )


def downgrade() -> None:
    op.drop_table("rating_message")
    with op.batch_alter_table("action_item") as batch:
        batch.drop_column("rating_closed_at")
