"""Registry: roles, representatives, delegations, join requests, chair rotation, uploads, dialogues.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written by hand; tests/storage/test_storage_migrations.py checks it against storage.models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations.ddl import fk, one_of, timestamp

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(
            sa.Column(
                "representative", sa.Boolean(), nullable=False, server_default=sa.text("false")
            )
        )
    op.create_index(
        "ix_member_one_representative",
        "member",
        ["household_id"],
        unique=True,
        sqlite_where=sa.text("representative"),
        postgresql_where=sa.text("representative"),
    )
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        timestamp("granted_at"),
        timestamp("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_role_grant"),
        fk("role_grant", "community_id", "community"),
        fk("role_grant", "member_id", "member"),
        fk("role_grant", "scope_id", "scope"),
        fk("role_grant", "granted_by_id", "member"),
        one_of(
            "role",
            ("admin", "moderator", "supervisor", "grid_worker", "chair"),
            "ck_role_grant_role",
        ),
    )
    op.create_index("ix_role_grant_member_id", "role_grant", ["member_id"])
    op.create_index(
        "ix_role_grant_active",
        "role_grant",
        ["community_id", "member_id", "role", "scope_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "ix_role_grant_active_community_wide",
        "role_grant",
        ["community_id", "member_id", "role"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL AND scope_id IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL AND scope_id IS NULL"),
    )
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("from_member_id", sa.Integer(), nullable=False),
        sa.Column("to_member_id", sa.Integer(), nullable=False),
        timestamp("starts_at"),
        timestamp("ends_at"),
        timestamp("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delegation"),
        fk("delegation", "household_id", "household"),
        fk("delegation", "from_member_id", "member"),
        fk("delegation", "to_member_id", "member"),
    )
    op.create_index("ix_delegation_household_id", "delegation", ["household_id"])
    op.create_table(
        "join_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("created_at"),
        timestamp("decided_at", nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_join_request"),
        fk("join_request", "community_id", "community"),
        fk("join_request", "member_id", "member"),
        fk("join_request", "household_id", "household"),
        fk("join_request", "decided_by_id", "member"),
        one_of(
            "status", ("pending", "approved", "rejected", "cancelled"), "ck_join_request_status"
        ),
    )
    op.create_index("ix_join_request_member_id", "join_request", ["member_id"])
    op.create_index("ix_join_request_household_id", "join_request", ["household_id"])
    op.create_table(
        "chair_rotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chair_rotation"),
        fk("chair_rotation", "community_id", "community"),
        fk("chair_rotation", "household_id", "household"),
        sa.UniqueConstraint(
            "community_id", "position", name="uq_chair_rotation_community_id_position"
        ),
    )
    op.create_table(
        "roster_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_roster_upload"),
        fk("roster_upload", "community_id", "community"),
        fk("roster_upload", "uploader_id", "member"),
        one_of("status", ("pending", "imported", "discarded"), "ck_roster_upload_status"),
    )
    op.create_table(
        "dialog_state",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("state", sa.String(255), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        timestamp("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_dialog_state"),
    )


def downgrade() -> None:
    for table in (
        "dialog_state",
        "roster_upload",
        "chair_rotation",
        "join_request",
        "delegation",
        "role_grant",
    ):
        op.drop_table(table)
    op.drop_index("ix_member_one_representative", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("representative")
