"""Keep less: raw conversation turns are deleted after COACH_MESSAGE_RETENTION_DAYS.

The `messages` table holds every turn, guarded, so a coach reply can see the conversation so
far. A turn is worth nothing to a problem statement once its answer has been filed into the
draft and its versions, and every row kept is one more place an identifier the guard missed
could sit. So turns older than the retention period go; drafts, versions, shares and votes stay.
The purge runs when the app opens its store (every `coach` command, the server at start) and on
the store's hourly housekeeping schedule beside the expiry of knowledge answers and Slack event
ids, at most once an hour per process.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

from bot.drafts.models import Message, utcnow
from bot.settings import DEFAULT_MESSAGE_RETENTION_DAYS

__all__ = ["DEFAULT_MESSAGE_RETENTION_DAYS", "forget_messages", "messages_cutoff"]


def messages_cutoff(retention: timedelta, now: datetime | None = None) -> datetime:
    """The moment before which turns are purged."""
    return (now or utcnow()) - retention


def forget_messages(writes: sessionmaker[Session], before: datetime) -> int:
    """Delete conversation turns stored before `before`; how many went.

    Looks first, so a store with nothing due takes no write lock (a CLI opening it costs a read).
    """
    with writes() as session:
        if not session.execute(select(exists().where(Message.created_at < before))).scalar():
            return 0
    with writes() as session, session.begin():
        result = session.execute(
            delete(Message)
            .where(Message.created_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
