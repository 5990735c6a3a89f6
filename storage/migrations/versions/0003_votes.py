"""Votes: the vote, its fixed electorate, one ballot per household, secret ballots' box.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("threshold_num", sa.Integer(), nullable=False),
        sa.Column("threshold_den", sa.Integer(), nullable=False),
        sa.Column("comparator", sa.String(16), nullable=False),
        sa.Column("quorum_num", sa.Integer(), nullable=True),
        sa.Column("quorum_den", sa.Integer(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("results_hidden", sa.Boolean(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        timestamp("opened_at"),
        timestamp("closes_at"),
        timestamp("closed_at", nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vote"),
        fk("vote", "community_id", "community"),
        fk("vote", "scope_id", "scope"),
        fk("vote", "opened_by_id", "member"),
        fk("vote", "closed_by_id", "member"),
        one_of("kind", ("approval", "choice"), "ck_vote_kind"),
        one_of(
            "rule",
            ("majority_of_ballots", "two_thirds_of_ballots", "share_of_eligible"),
            "ck_vote_rule",
        ),
        one_of("comparator", ("at_least", "more_than"), "ck_vote_comparator"),
    )
    op.create_index("ix_vote_community_id", "vote", ["community_id"])
    op.create_index("ix_vote_closes_at", "vote", ["closes_at"])
    op.create_table(
        "vote_elector",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vote_id", "household_id", name="pk_vote_elector"),
        fk("vote_elector", "vote_id", "vote"),
        fk("vote_elector", "household_id", "household"),
    )
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=True),
        sa.Column("cast_by_id", sa.Integer(), nullable=True),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("online_may_replace", sa.Boolean(), nullable=False),
        timestamp("cast_at"),
        sa.Column("changed_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ballot"),
        fk("ballot", "vote_id", "vote"),
        fk("ballot", "household_id", "household"),
        fk("ballot", "cast_by_id", "member"),
        fk("ballot", "recorded_by_id", "member"),
        sa.UniqueConstraint("vote_id", "household_id", name="uq_ballot_vote_id_household_id"),
    )
    op.create_table(
        "secret_ballot",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(64), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vote_id", "receipt", name="pk_secret_ballot"),
        fk("secret_ballot", "vote_id", "vote"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("secret_ballot", "ballot", "vote_elector", "vote"):
        op.drop_table(table)
