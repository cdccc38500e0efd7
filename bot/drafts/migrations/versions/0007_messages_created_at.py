"""Index the column the message retention purge deletes by.

Conversation turns are purged after COACH_MESSAGE_RETENTION_DAYS (`messages.created_at`), at
each start and hourly. The table grows with every turn of every draft; without an index each
purge, and the cheap "anything due?" check before it, reads the whole table, and with one they
read only the rows that go.

One CREATE INDEX and its DROP: no table is copied or altered, so the same operations run on
SQLite and PostgreSQL and no row is touched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_created_at", "messages", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_created_at", table_name="messages")
