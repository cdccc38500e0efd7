"""Keep less: raw conversation turns are deleted after COACH_MESSAGE_RETENTION_DAYS.

The `messages` table holds every turn, guarded, so a coach reply can see the conversation so
far. A turn is worth nothing to a problem statement once its answer has been filed into the
draft and its versions, and every row kept is one more place an identifier the guard missed
could sit. So turns older than the retention period go; drafts, versions, shares and votes stay.
The purge runs on the store's hourly housekeeping schedule (the one that expires knowledge
answers and Slack event ids), at most once an hour per process, riding on a write.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.drafts.models import Message, utcnow
from bot.settings import DEFAULT_MESSAGE_RETENTION_DAYS

__all__ = ["DEFAULT_MESSAGE_RETENTION_DAYS", "forget_messages", "messages_cutoff"]


def messages_cutoff(retention: timedelta, now: datetime | None = None) -> datetime:
    """The moment before which turns are purged."""
    return (now or utcnow()) - retention


def forget_messages(writes: sessionmaker[Session], before: datetime) -> int:
    """Delete conversation turns stored before `before`; how many went."""
    with writes() as session, session.begin():
        result = session.execute(
            delete(Message)
            .where(Message.created_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
