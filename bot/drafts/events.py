"""`EventStore`: which Slack events have been handled, so a retry is handled once.

Slack redelivers an event it thinks went unanswered, possibly to another instance of the app;
a row keyed by the event id, claimed in the shared database, makes the first claim win
everywhere. The rows are only needed while Slack still retries, so they expire after a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.drafts.models import ProcessedEvent, utcnow
from bot.drafts.storage import Database, guard_outages

# Slack retries an event within minutes; a day of ids is ample to recognise every redelivery.
EVENT_RETENTION = timedelta(days=1)


class EventStore:
    """Claims of Slack event ids, shared by every instance of the app."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is seen by any instance, False for a redelivery.

        The dedupe table would grow with every event ever received, so claiming also expires
        rows older than EVENT_RETENTION, at most once an hour per process: the schedule runs
        inside the app, paced by its own traffic, with no job to deploy.
        """
        try:
            with self._db.writes() as session, session.begin():
                session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
        except IntegrityError:
            return False
        self._db.expire_when_due(
            "Slack event ids", lambda: self.forget_events(utcnow() - EVENT_RETENTION)
        )
        return True

    def forget_events(self, before: datetime) -> int:
        """Drop dedupe rows older than `before` (Slack stops retrying after minutes)."""
        with self._db.writes() as session, session.begin():
            result = session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.received_at < before)
            )
            return int(getattr(result, "rowcount", 0) or 0)


guard_outages(EventStore)
