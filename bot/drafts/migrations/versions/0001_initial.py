"""Initial drafts store schema.

Hand-written to match bot/drafts/models.py (checked by the compare_metadata test). It spells out
plain SQLAlchemy types rather than importing the models, so this revision keeps describing the
schema as it was even after the models move on.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("partner_type", sa.String(64), nullable=False),
        sa.Column("area_of_care", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.CheckConstraint("status IN ('active', 'final', 'archived')", name="ck_drafts_status"),
    )
    op.create_index("ix_drafts_workspace_owner", "drafts", ["workspace_id", "owner_id"])

    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("rubric", sa.JSON(), nullable=False),
        sa.Column("coach_mode", sa.String(16), nullable=False),
        sa.Column("model", sa.String(128), nullable=True),
        sa.Column("prompt_versions", sa.JSON(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_draft_versions"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_draft_versions_draft_id_drafts",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("draft_id", "number", name="uq_draft_versions_draft_id_number"),
        sa.CheckConstraint("coach_mode IN ('guided', 'llm')", name="ck_draft_versions_coach_mode"),
    )

    op.create_table(
        "draft_shares",
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "user_id", name="pk_draft_shares"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_draft_shares_draft_id_drafts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_draft_shares_user_id", "draft_shares", ["user_id"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_messages_draft_id_drafts",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("role IN ('user', 'coach')", name="ck_messages_role"),
    )
    op.create_index("ix_messages_draft_id_id", "messages", ["draft_id", "id"])

    op.create_table(
        "conversation_links",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_conversation_links"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_conversation_links_draft_id_drafts",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["draft_versions.id"],
            name="fk_feedback_version_id_draft_versions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("version_id", "user_id", name="uq_feedback_version_id_user_id"),
        sa.CheckConstraint("value IN (1, -1)", name="ck_feedback_value"),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("feedback")
    op.drop_table("conversation_links")
    op.drop_index("ix_messages_draft_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_draft_shares_user_id", table_name="draft_shares")
    op.drop_table("draft_shares")
    op.drop_table("draft_versions")
    op.drop_index("ix_drafts_workspace_owner", table_name="drafts")
    op.drop_table("drafts")
