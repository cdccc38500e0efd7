"""Record who wrote each message and version of a shared draft.

A draft shared with colleagues is edited by several people; information governance needs to know
who said what. Both columns are nullable: rows written before this revision have no known author,
and making one up would be worse than admitting it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("author_id", sa.String(64), nullable=True))
    with op.batch_alter_table("draft_versions") as batch:
        batch.add_column(sa.Column("author_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("draft_versions") as batch:
        batch.drop_column("author_id")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author_id")
