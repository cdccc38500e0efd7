"""Index the two columns the app's own housekeeping deletes by.

The app expires Slack event ids older than a day (`processed_events.received_at`) and knowledge
answers older than COACH_ANSWER_RETENTION_DAYS (`knowledge_answers.created_at`), each instance
at most once an hour. Without an index each of those deletes reads the whole table, which grows
with every event and every answer; with one it reads only the rows it removes.

Two CREATE INDEX statements and their DROPs: no table is copied or altered, so the same
operations run on SQLite and PostgreSQL and no row is touched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])
    op.create_index("ix_knowledge_answers_created_at", "knowledge_answers", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_answers_created_at", table_name="knowledge_answers")
    op.drop_index("ix_processed_events_received_at", table_name="processed_events")
