"""Real group life: the admin rights Telegram refused the bot in a group (told to its moderators
once), whether it reads the group's discussion (privacy mode), and members the bot cannot reach
privately (blocked it, or never started it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import timestamp

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_binding") as batch:
        batch.add_column(sa.Column("rights_refused", sa.String(32), nullable=True))
        batch.add_column(
            sa.Column("reads_all", sa.Boolean(), nullable=False, server_default=sa.text("true"))
        )
    with op.batch_alter_table("member") as batch:
        batch.add_column(timestamp("unreachable_at", nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("unreachable_at")
    with op.batch_alter_table("chat_binding") as batch:
        batch.drop_column("reads_all")
        batch.drop_column("rights_refused")
