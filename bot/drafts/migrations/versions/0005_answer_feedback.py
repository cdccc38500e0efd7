"""Keep knowledge-base answers as shown, and people's 👍/👎 on them.

Answers outside a draft (a question in a DM, the assistant panel or a channel thread) were
stored nowhere, so a vote on one had nothing to point at and a button value could not carry a
4,000-character question. `knowledge_answers` holds each answer as the privacy guard left it
(question, a short excerpt, its sources) and where it was shown; `answer_feedback` holds one
vote per user per answer, like `feedback` does for draft versions.

Two new tables and nothing else: no existing table is altered, so the same plain CREATE / DROP
TABLE works on SQLite and PostgreSQL and no row of an older release is touched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowledge_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("place", sa.String(255), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("coach_mode", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_answers"),
        sa.CheckConstraint(
            "coach_mode IN ('guided', 'llm')", name="ck_knowledge_answers_coach_mode"
        ),
    )
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_feedback"),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["knowledge_answers.id"],
            name="fk_answer_feedback_answer_id_knowledge_answers",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("answer_id", "user_id", name="uq_answer_feedback_answer_id_user_id"),
        sa.CheckConstraint("value IN (1, -1)", name="ck_answer_feedback_value"),
    )
    op.create_index(
        "ix_answer_feedback_value_created_at", "answer_feedback", ["value", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_answer_feedback_value_created_at", table_name="answer_feedback")
    op.drop_table("answer_feedback")
    op.drop_table("knowledge_answers")
