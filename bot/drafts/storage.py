"""The database underneath every repository: one connection pool, its sessions, and the retry
rules all of them share.

`DraftStore`, `AnswerStore` and `EventStore` each own one kind of record but share a `Database`,
so one pool serves them and housekeeping is paced once per process. Three rules live here because
every repository needs them the same way:

* `write_retrying` replays a write whose unique constraint tripped (two writers numbering the
  same version, making the same link, casting the same first vote), with jittered backoff.
* `guard_outages` makes a repository's public methods ride out a database restarting, then
  raise `StoreBusy` (one line the user can act on).
* `expire_when_due` runs a clean-up at most once an hour per process, riding on the write that
  triggered it and never failing it.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.drafts import db
from bot.drafts.models import FEEDBACK_VALUES, AnswerFeedback, Feedback, utcnow
from bot.errors import StoreUnavailable

T = TypeVar("T")
# The two kinds of 👍/👎 row, which share one upsert (`cast_vote`).
_Vote = TypeVar("_Vote", Feedback, AnswerFeedback)
log = logging.getLogger(__name__)

# Conflicts (id collision, two writers numbering the same version or making the same link)
# clear up on a retry; an IntegrityError that survives this many attempts is a real bug.
_CONFLICT_ATTEMPTS = 8
_BACKOFF_BASE_S = 0.01
_BACKOFF_CAP_S = 0.5
# A database restarting or a connection cut: a few quick tries (the pool re-pings and reconnects
# on each), then a StoreBusy the user can act on. Bounded so a turn never hangs on an outage.
_OUTAGE_ATTEMPTS = 3
_OUTAGE_BACKOFF_BASE_S = 0.25
EXPIRY_INTERVAL_S = 3600.0
_expiry_lock = threading.Lock()


def backoff_delay(
    attempt: int, base: float = _BACKOFF_BASE_S, cap: float = _BACKOFF_CAP_S
) -> float:
    """Seconds to wait before retry `attempt` (1-based): full-jitter exponential backoff.

    Racers that collided once would collide again if they all retried at once; a random wait up
    to a doubling ceiling spreads them out, and the cap keeps a user's turn responsive.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return random.uniform(0, ceiling)


class Database:
    """A migrated database and its read and write sessions, shared by the repositories."""

    def __init__(self, url: str) -> None:
        """Connect to `url` (e.g. sqlite:///.coach/coach.db) and migrate it to the latest schema.

        Migrating on open means a freshly deployed worker never serves from an old schema.
        Any failure to open it (bad URL, unreachable, damaged, read-only) is StoreUnavailable.
        """
        self.engine = db.create_store_engine(url)
        # Housekeeping job -> when this process last ran it (time.monotonic). Empty at start, so
        # the first claim or answer expires whatever an earlier run left behind.
        self._expired_at: dict[str, float] = {}
        self.reads = sessionmaker(self.engine, expire_on_commit=False)
        self.writes = sessionmaker(db.writer(self.engine), expire_on_commit=False)
        try:
            self.migrate()
        except (SQLAlchemyError, OSError, ImportError) as error:
            self.engine.dispose()
            if db.is_transient(error):
                raise db.busy_error(error, url) from error
            raise StoreUnavailable(db.describe_error(error, url)) from error

    def migrate(self) -> None:
        """Upgrade the database to the newest Alembic revision (a no-op when already there)."""
        db.migrate(self.engine)

    def ping(self) -> None:
        """Round-trip `SELECT 1`, so `coach doctor` can tell the database is reachable."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        self.engine.dispose()

    def write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a fresh write transaction, retrying when a unique constraint trips."""
        for attempt in range(1, _CONFLICT_ATTEMPTS + 1):
            try:
                with self.writes() as session, session.begin():
                    return work(session)
            except IntegrityError:
                if attempt == _CONFLICT_ATTEMPTS:
                    raise
                time.sleep(backoff_delay(attempt))  # de-synchronise the racers
        raise AssertionError("unreachable")  # pragma: no cover

    def expire_when_due(self, job: str, expire: Callable[[], int]) -> None:
        """Run `expire` at most once per EXPIRY_INTERVAL_S per process, never failing the caller.

        Housekeeping rides on the write that triggered it, which has already committed: a
        failure here (a lock, a brief outage, StoreBusy after the outage retries) is logged and
        left to the next interval, because raising would make a claimed event or a kept answer
        look lost to the caller.
        """
        now = time.monotonic()
        with _expiry_lock:
            if now - self._expired_at.get(job, float("-inf")) < EXPIRY_INTERVAL_S:
                return
            self._expired_at[job] = now
        try:
            expire()
        except (SQLAlchemyError, StoreUnavailable) as error:
            log.warning("could not expire old %s: %s", job, error)


def _riding_out_outages(method: Callable[..., T]) -> Callable[..., T]:
    """Retry `method` over a transient database failure, then raise StoreBusy (one line).

    Safe to repeat: every write is one transaction, so a failed attempt wrote nothing, and a
    turn whose commit did land is refused by the optimistic lock (ConcurrentUpdate) when tried
    again rather than written twice. SQLite's lock is not retried here: its busy timeout has
    already waited.
    """

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> T:
        for attempt in range(1, _OUTAGE_ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if not db.is_transient(error):
                    raise
                if db.is_locked(error) or attempt == _OUTAGE_ATTEMPTS:
                    raise db.busy_error(error) from error
                time.sleep(backoff_delay(attempt, base=_OUTAGE_BACKOFF_BASE_S, cap=1.0))
        raise AssertionError("unreachable")  # pragma: no cover

    return guarded


def guard_outages(cls: type[T], unguarded: frozenset[str] = frozenset()) -> type[T]:
    """Wrap every public method of a repository so it rides out a brief outage.

    Methods named in `unguarded` report the raw failure instead (`coach doctor` wants the real
    reason a database is unreachable).
    """
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and name not in unguarded and callable(member):
            setattr(cls, name, _riding_out_outages(member))
    return cls


def require_vote(value: int) -> None:
    """Checked before any transaction opens, so a bad button value costs no database round trip."""
    if value not in FEEDBACK_VALUES:
        raise ValueError(f"feedback value must be +1 or -1, not {value!r}")


def cast_vote(
    session: Session, kind: type[_Vote], user_id: str, value: int, **voted_on: int
) -> None:
    """Set `user_id`'s vote on one version or answer (`voted_on` names it), adding it if new.

    Draft versions and knowledge answers both keep one vote per person, so voting again replaces
    the value and its time rather than adding a row; the unique constraint turns a racing first
    vote into an IntegrityError, which the caller's `write_retrying` replays as an update.
    """
    vote = session.scalars(select(kind).filter_by(user_id=user_id, **voted_on)).first()
    if vote is None:
        vote = kind(user_id=user_id, **voted_on)
        session.add(vote)
    vote.value = value
    vote.created_at = utcnow()
    session.flush()


def as_utc(when: datetime) -> datetime:
    """An aggregate (max) skips the column's type, so SQLite hands back a naive value."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


__all__ = ["Database", "backoff_delay", "cast_vote", "guard_outages", "require_vote"]


def require_choice(
    name: str, value: str | None, allowed: tuple[str, ...], *, optional: bool = False
) -> None:
    """A value that must be one of a column's allowed words, checked before any write."""
    if value is None and optional:
        return
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
