"""Rename `drafts.stage` to `drafts.question_key` and give stray rows a real question.

The column never held a stage ("Evidence", "Value for each party"): it holds the key of the
question the conversation is on (`affected.now`), or `review` / `final` after the last one.
Its old default, `context`, named no question at all, so a draft created without an explicit
key was read as if it were past every question; such rows move to the first question,
`context.partners`, which is also the new default.

The rename is a plain `ALTER TABLE … RENAME COLUMN` on both backends (SQLite has had it since
3.25). A batch copy of `drafts` on SQLite would drop the old table and, through ON DELETE
CASCADE, every message and version with it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DEFAULT = "context"
FIRST_QUESTION_KEY = "context.partners"


def upgrade() -> None:
    op.alter_column(
        "drafts",
        "stage",
        new_column_name="question_key",
        existing_type=sa.String(64),
        existing_nullable=False,
    )
    drafts = sa.table("drafts", sa.column("question_key", sa.String(64)))
    op.execute(
        drafts.update()
        .where(drafts.c.question_key == OLD_DEFAULT)
        .values(question_key=FIRST_QUESTION_KEY)
    )


def downgrade() -> None:
    # Rows keep the first question: older code reads `context.partners` correctly too.
    op.alter_column(
        "drafts",
        "question_key",
        new_column_name="stage",
        existing_type=sa.String(64),
        existing_nullable=False,
    )
