"""Move the coaching flow state out of the answers into its own column.

Attempt counts (`meta.attempts.<question>`), the return-to-review flag
(`meta.return_to_review`) and the user's own rewrites (`override.<field>`) were stored as fake
answers, so anything reading the answers (drafts, prompts, exports) had to know to skip them.
They move to `drafts.flow`, shaped as the engine's `Flow`:
`{"attempts": {question: n}, "return_to_review": bool, "overrides": {field: text}, ...}`.
Existing drafts are carried over; downgrade puts them back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPTS = "meta.attempts."
RETURN_TO_REVIEW = "meta.return_to_review"
OVERRIDE = "override."

_drafts = sa.table(
    "drafts",
    sa.column("id", sa.String(16)),
    sa.column("answers", sa.JSON()),
    sa.column("flow", sa.JSON()),
)


def split_answers(answers: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Real answers, and the flow state that was hiding among them."""
    kept: dict[str, str] = {}
    flow: dict[str, Any] = {}
    for key, value in answers.items():
        if key.startswith(ATTEMPTS):
            tries = int(value) if str(value).isdigit() else 1
            flow.setdefault("attempts", {})[key.removeprefix(ATTEMPTS)] = tries
        elif key == RETURN_TO_REVIEW:
            flow["return_to_review"] = bool(value)
        elif key.startswith(OVERRIDE):
            flow.setdefault("overrides", {})[key.removeprefix(OVERRIDE)] = value
        else:
            kept[key] = value
    return kept, flow


def join_answers(answers: dict[str, str], flow: dict[str, Any]) -> dict[str, str]:
    """The old shape: flow state written back among the answers."""
    joined = dict(answers)
    for question, tries in (flow.get("attempts") or {}).items():
        joined[ATTEMPTS + question] = str(tries)
    if flow.get("return_to_review"):
        joined[RETURN_TO_REVIEW] = "1"
    for field, text in (flow.get("overrides") or {}).items():
        joined[OVERRIDE + field] = text
    return joined


def upgrade() -> None:
    # A plain ADD COLUMN with a default: a batch copy of `drafts` on SQLite would drop the old
    # table and, through ON DELETE CASCADE, every message and version with it.
    op.add_column(
        "drafts", sa.Column("flow", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    connection = op.get_bind()
    for draft_id, answers in connection.execute(sa.select(_drafts.c.id, _drafts.c.answers)):
        kept, flow = split_answers(dict(answers or {}))
        connection.execute(
            _drafts.update().where(_drafts.c.id == draft_id).values(answers=kept, flow=flow)
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_drafts.c.id, _drafts.c.answers, _drafts.c.flow))
    for draft_id, answers, flow in rows:
        joined = join_answers(dict(answers or {}), dict(flow or {}))
        connection.execute(_drafts.update().where(_drafts.c.id == draft_id).values(answers=joined))
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("flow")
