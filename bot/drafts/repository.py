"""`DraftStore`: the only way the coach, the console and Slack read or write drafts.

All conversation state lives here so any process can serve the next turn. Three rules shape it:

* Every read path checks access in code, and "no access" looks exactly like "no such draft"
  (`DraftNotFound`), so ids cannot be probed. Workspaces are hard boundaries: the same user id
  in another workspace is a different person.
* Callers get frozen records, never ORM objects, so nothing lazy-loads after a session closes.
* Concurrency is explicit: `save_state` and `commit_turn` use optimistic locking
  (`ConcurrentUpdate`), version numbers and idempotent writes retry on unique-constraint
  conflicts with jittered exponential backoff, and `claim_event` relies on a primary key so Slack
  retries are handled once across instances.

A coaching turn is written by `commit_turn` in ONE transaction (state, version, both history
messages), so a process killed mid-turn leaves either the whole turn or none of it.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    delete,
    func,
    select,
    text,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.drafts import db
from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.db import StoreBusy, StoreUnavailable
from bot.drafts.message_retention import forget_messages, messages_cutoff
from bot.drafts.models import (
    COACH_MODES,
    DRAFT_STATUSES,
    FEEDBACK_VALUES,
    FIRST_QUESTION_KEY,
    MESSAGE_ROLES,
    AnswerFeedback,
    ConversationLink,
    Draft,
    DraftShare,
    DraftVersion,
    Feedback,
    KnowledgeAnswer,
    Message,
    ProcessedEvent,
    new_draft_id,
    utcnow,
)
from bot.drafts.records import (
    Actor,
    DislikedAnswer,
    DislikedDraft,
    DraftRecord,
    DraftSummary,
    MessageRecord,
    NewVersion,
    VersionRecord,
)
from bot.settings import DEFAULT_ANSWER_RETENTION_DAYS, DEFAULT_MESSAGE_RETENTION_DAYS

__all__ = [
    "Actor",
    "AnswerNotFound",
    "ConcurrentUpdate",
    "DraftNotFound",
    "DraftRecord",
    "DraftStore",
    "DraftSummary",
    "MessageRecord",
    "NewVersion",
    "NotOwner",
    "StoreBusy",
    "StoreUnavailable",
    "VersionRecord",
]

T = TypeVar("T")
# The two kinds of 👍/👎 row, which share one upsert (`_cast_vote`).
_Vote = TypeVar("_Vote", Feedback, AnswerFeedback)
log = logging.getLogger(__name__)

# Conflicts (id collision, two writers numbering the same version or making the same link)
# clear up on a retry; an IntegrityError that survives this many attempts is a real bug.
_CONFLICT_ATTEMPTS = 8
_BACKOFF_BASE_S = 0.01
_BACKOFF_CAP_S = 0.5
MAX_USER_ID_CHARS = 64
# A database restarting or a connection cut: a few quick tries (the pool re-pings and reconnects
# on each), then a StoreBusy the user can act on. Bounded so a turn never hangs on an outage.
# Slack retries an event within minutes; a day of ids is ample to recognise every redelivery.
EVENT_RETENTION = timedelta(days=1)
# Knowledge answers shown in Slack, and their votes, until a maintainer has had time to review
# the 👎 ones with `coach eval harvest`. The store's default for any caller that does not pass
# one; the app passes COACH_ANSWER_RETENTION_DAYS, whose default is the same number.
ANSWER_RETENTION = timedelta(days=DEFAULT_ANSWER_RETENTION_DAYS)
MESSAGE_RETENTION = timedelta(days=DEFAULT_MESSAGE_RETENTION_DAYS)
EXPIRY_INTERVAL_S = 3600.0
_expiry_lock = threading.Lock()
_OUTAGE_ATTEMPTS = 3
_OUTAGE_BACKOFF_BASE_S = 0.25

# (role, text) pairs for the history, rendered once the version number is known.
Messages = Sequence[tuple[str, str]]


def backoff_delay(
    attempt: int, base: float = _BACKOFF_BASE_S, cap: float = _BACKOFF_CAP_S
) -> float:
    """Seconds to wait before retry `attempt` (1-based): full-jitter exponential backoff.

    Racers that collided once would collide again if they all retried at once; a random wait up
    to a doubling ceiling spreads them out, and the cap keeps a user's turn responsive.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return random.uniform(0, ceiling)


class DraftNotFound(LookupError):
    """No such draft, or the actor may not see it: deliberately indistinguishable."""


class AnswerNotFound(LookupError):
    """No such knowledge answer, or it was not shown where the vote came from: deliberately
    indistinguishable, so answer ids cannot be probed."""


class NotOwner(PermissionError):
    """The actor can see the draft but only its owner may share it, retitle or archive it."""


class ConcurrentUpdate(RuntimeError):
    """The draft changed since the caller read it; re-read and replay the turn."""


class DraftStore:
    """Drafts, versions, shares, messages, conversation links, feedback and event dedupe."""

    def __init__(
        self,
        url: str,
        *,
        answer_retention: timedelta | None = ANSWER_RETENTION,
        message_retention: timedelta | None = MESSAGE_RETENTION,
    ) -> None:
        """Connect to `url` (e.g. sqlite:///.coach/coach.db) and migrate it to the latest schema.

        Migrating on open means a freshly deployed worker never serves from an old schema.
        Any failure to open it (bad URL, unreachable, damaged, read-only) is StoreUnavailable.
        Knowledge answers older than `answer_retention` are expired as new ones are recorded
        (None keeps them forever).
        """
        self._database = db.create_store_engine(url)
        self._answer_retention = answer_retention
        self._message_retention = message_retention  # see bot.drafts.message_retention
        # Housekeeping job -> when this process last ran it (time.monotonic). Empty at start, so
        # the first claim or answer expires whatever an earlier run left behind.
        self._expired_at: dict[str, float] = {}
        self._reads = sessionmaker(self._database, expire_on_commit=False)
        self._writes = sessionmaker(db.writer(self._database), expire_on_commit=False)
        try:
            self.migrate()
        except (SQLAlchemyError, OSError, ImportError) as error:
            self._database.dispose()
            if db.is_transient(error):
                raise db.busy_error(error, url) from error
            raise StoreUnavailable(db.describe_error(error, url)) from error

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def database(self) -> Engine:
        """The SQLAlchemy engine (connection pool) underneath, for diagnostics and schema checks.

        Not called `engine`: in this codebase the engine is the coaching `Engine`.
        """
        return self._database

    def migrate(self) -> None:
        """Upgrade the database to the newest Alembic revision (a no-op when already there)."""
        db.migrate(self._database)

    def ping(self) -> None:
        """Round-trip `SELECT 1`, so `coach doctor` can tell the database is reachable."""
        with self._database.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        self._database.dispose()

    def __enter__(self) -> DraftStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- drafts ----------------------------------------------------------------------------

    def create_draft(
        self,
        actor: Actor,
        title: str,
        *,
        partners: Sequence[str] = (),
        partner_type: str = "",
        area_of_care: str = "",
        question_key: str = FIRST_QUESTION_KEY,
        answers: Mapping[str, str] | None = None,
        flow: Mapping[str, Any] | None = None,
        conversation_key: str | None = None,
        messages: Callable[[DraftRecord], Messages] | None = None,
    ) -> DraftRecord:
        """Start a draft owned by `actor`; ids are random, so a rare collision just retries.

        The optional answers, conversation link and opening messages are written in the same
        transaction, so a new draft never exists without its first question. `messages` gets the
        new draft (to quote its id) and must only format text: it runs inside the transaction.
        """

        def work(session: Session) -> DraftRecord:
            now = utcnow()
            draft = Draft(
                id=new_draft_id(),
                workspace_id=actor.workspace_id,
                owner_id=actor.user_id,
                title=title,
                partners=list(partners),
                partner_type=partner_type,
                area_of_care=area_of_care,
                status="active",
                question_key=question_key,
                answers=dict(answers or {}),
                flow=dict(flow or {}),
                created_at=now,
                updated_at=now,
            )
            session.add(draft)
            session.flush()
            record = _draft_record(draft)
            if conversation_key:
                _link(session, conversation_key, actor, draft.id)
            for role, said in messages(record) if messages else ():
                _insert_message(session, actor, draft.id, role, said)
            return record

        return self._write_retrying(work)

    def get_draft(self, actor: Actor, draft_id: str) -> DraftRecord:
        """The draft, if `actor` owns it or it was shared with them; else DraftNotFound."""
        with self._reads() as session:
            return _draft_record(_visible_draft(session, actor, draft_id))

    def list_drafts(self, actor: Actor) -> list[DraftSummary]:
        """Own and shared drafts in the actor's workspace, most recently updated first."""
        stmt = listing_for(actor)
        with self._reads() as session:
            rows = session.execute(stmt).all()
        return [
            DraftSummary(
                id=row.id,
                title=row.title,
                owner_id=row.owner_id,
                status=row.status,
                question_key=row.question_key,
                updated_at=row.updated_at,
                latest_score=None if row.rubric is None else _rubric(row.rubric).percent,
                shared=row.owner_id != actor.user_id,
            )
            for row in rows
        ]

    def save_state(
        self,
        actor: Actor,
        draft_id: str,
        *,
        expected_lock_version: int,
        question_key: str | None = None,
        answers: Mapping[str, str] | None = None,
        status: str | None = None,
        title: str | None = None,
        partners: Sequence[str] | None = None,
        flow: Mapping[str, Any] | None = None,
    ) -> DraftRecord:
        """Advance the conversation, unless someone else did since `expected_lock_version`.

        Anyone with access may move the question and answers on (that is what sharing is for), but
        renaming or (un)archiving stays with the owner. `answers` replaces the whole mapping.
        """
        _require_choice("status", status, DRAFT_STATUSES, optional=True)
        try:
            with self._writes() as session, session.begin():
                draft = _visible_draft(session, actor, draft_id, for_update=True)
                _change_state(
                    session,
                    draft,
                    actor,
                    expected_lock_version,
                    question_key=question_key,
                    answers=answers,
                    status=status,
                    title=title,
                    partners=partners,
                    flow=flow,
                )
                return _draft_record(draft)
        except StaleDataError as exc:
            # Another process committed between our read and our UPDATE (PostgreSQL path).
            raise ConcurrentUpdate(f"draft {draft_id} changed concurrently") from exc

    def commit_turn(
        self,
        actor: Actor,
        draft_id: str,
        *,
        expected_lock_version: int,
        question_key: str | None = None,
        answers: Mapping[str, str] | None = None,
        status: str | None = None,
        partners: Sequence[str] | None = None,
        flow: Mapping[str, Any] | None = None,
        version: NewVersion | None = None,
        messages: Callable[[VersionRecord | None], Messages] | None = None,
    ) -> VersionRecord | None:
        """Write a whole coaching turn atomically: state, new version and history messages.

        State changes are refused with ConcurrentUpdate when another turn landed since
        `expected_lock_version`, and then nothing at all is written. `messages` receives the new
        version (its number appears in the coach's reply) and must only format text, since it
        runs inside the transaction. Returns the new version, if any.
        """
        _require_choice("status", status, DRAFT_STATUSES, optional=True)
        if version is not None:
            _require_choice("coach_mode", version.coach_mode, COACH_MODES)
        changes = any(v is not None for v in (question_key, answers, status, partners, flow))

        def work(session: Session) -> VersionRecord | None:
            draft = _visible_draft(session, actor, draft_id, for_update=True)
            if changes:
                _change_state(
                    session,
                    draft,
                    actor,
                    expected_lock_version,
                    question_key=question_key,
                    answers=answers,
                    status=status,
                    partners=partners,
                    flow=flow,
                )
            written = None
            if version is not None:
                written = _version_record(_insert_version(session, actor, draft_id, version))
            for role, said in messages(written) if messages else ():
                _insert_message(session, actor, draft_id, role, said)
            return written

        try:
            return self._write_retrying(work)
        except StaleDataError as exc:
            raise ConcurrentUpdate(f"draft {draft_id} changed concurrently") from exc

    # -- versions --------------------------------------------------------------------------

    def add_version(
        self,
        actor: Actor,
        draft_id: str,
        content: DraftContent,
        rubric: RubricScore,
        *,
        coach_mode: str,
        model: str | None = None,
        prompt_versions: Mapping[str, str] | None = None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> VersionRecord:
        """Append an immutable version numbered previous max + 1.

        Touches the draft's `updated_at` without bumping `lock_version`: a new version is not a
        change to conversation state, so it must not make the engine's next save_state fail.
        """
        new = NewVersion(
            content,
            rubric,
            coach_mode,
            model,
            dict(prompt_versions or {}),
            prompt_tokens,
            completion_tokens,
        )
        _require_choice("coach_mode", coach_mode, COACH_MODES)

        def work(session: Session) -> VersionRecord:
            _visible_draft(session, actor, draft_id, for_update=True)
            return _version_record(_insert_version(session, actor, draft_id, new))

        return self._write_retrying(work)

    def versions(self, actor: Actor, draft_id: str) -> list[VersionRecord]:
        """Every version of a visible draft, oldest (number 1) first."""
        with self._reads() as session:
            _visible_draft(session, actor, draft_id)
            rows = session.scalars(
                select(DraftVersion)
                .where(DraftVersion.draft_id == draft_id)
                .order_by(DraftVersion.number)
            )
            return [_version_record(row) for row in rows]

    def latest_version(self, actor: Actor, draft_id: str) -> VersionRecord | None:
        """The highest-numbered version, or None before the coach has produced one."""
        with self._reads() as session:
            _visible_draft(session, actor, draft_id)
            row = session.scalars(
                select(DraftVersion)
                .where(DraftVersion.draft_id == draft_id)
                .order_by(DraftVersion.number.desc())
                .limit(1)
            ).first()
            return None if row is None else _version_record(row)

    # -- sharing ---------------------------------------------------------------------------

    def share(self, actor: Actor, draft_id: str, user_id: str) -> None:
        """Let `user_id` (in the owner's workspace) read and advance the draft. Idempotent."""
        _require_user_id(user_id)

        def work(session: Session) -> None:
            draft = _visible_draft(session, actor, draft_id, for_update=True)
            _require_owner(draft, actor)
            if user_id == draft.owner_id:
                return  # the owner already has access
            if session.get(DraftShare, (draft_id, user_id)) is not None:
                return
            session.add(DraftShare(draft_id=draft_id, user_id=user_id, created_at=utcnow()))
            session.flush()

        self._write_retrying(work)

    def unshare(self, actor: Actor, draft_id: str, user_id: str) -> bool:
        """Withdraw `user_id`'s access (owner only); False when it was not shared with them.

        Their conversation links stay but lead nowhere: `linked_draft` checks access on every
        read, so the draft disappears from their threads and lists at once.
        """
        _require_user_id(user_id)

        def work(session: Session) -> bool:
            draft = _visible_draft(session, actor, draft_id, for_update=True)
            _require_owner(draft, actor)
            share = session.get(DraftShare, (draft_id, user_id))
            if share is None:
                return False
            session.delete(share)
            session.flush()
            return True

        return self._write_retrying(work)

    # -- conversation ----------------------------------------------------------------------

    def add_message(self, actor: Actor, draft_id: str, role: str, text: str) -> None:
        """Append one turn to the history (the caller has already redacted it)."""
        with self._writes() as session, session.begin():
            _visible_draft(session, actor, draft_id)
            _insert_message(session, actor, draft_id, role, text)

    def recent_messages(self, actor: Actor, draft_id: str, limit: int = 20) -> list[MessageRecord]:
        """The last `limit` turns, oldest first, ready to replay into a prompt."""
        with self._reads() as session:
            _visible_draft(session, actor, draft_id)
            if limit <= 0:
                return []
            rows = session.scalars(
                select(Message)
                .where(Message.draft_id == draft_id)
                .order_by(Message.id.desc())
                .limit(limit)
            ).all()
            return [_message_record(row) for row in reversed(rows)]

    def link_conversation(self, key: str, actor: Actor, draft_id: str) -> None:
        """Point an adapter's conversation `key` at `draft_id` (replacing any previous link)."""

        def work(session: Session) -> None:
            _visible_draft(session, actor, draft_id)
            _link(session, key, actor, draft_id)

        self._write_retrying(work)

    def linked_draft(self, key: str, actor: Actor) -> DraftRecord | None:
        """The draft `key` points at, if `actor` may still see it; None otherwise.

        Access is checked for the *asking* actor, not whoever made the link, because a Slack
        thread can be continued by any collaborator the draft is shared with.
        """
        with self._reads() as session:
            link = session.get(ConversationLink, key)
            if link is None or link.workspace_id != actor.workspace_id:
                return None
            draft = session.scalars(
                select(Draft).where(Draft.id == link.draft_id, _visible_to(actor))
            ).first()
            return None if draft is None else _draft_record(draft)

    def owner_of(self, workspace_id: str, draft_id: str) -> str | None:
        """Who owns a draft of this workspace, whoever asks (None: no such draft).

        Reveals only whom to ask for access, never the draft's content, so an adapter can say
        "no such draft" and "not shared with you (ask its owner)" in different words.
        """
        with self._reads() as session:
            return session.scalars(
                select(Draft.owner_id).where(
                    Draft.id == draft_id, Draft.workspace_id == workspace_id
                )
            ).first()

    def linked_owner(self, key: str, workspace_id: str) -> tuple[str, str] | None:
        """(draft id, owner) of the draft a conversation `key` points at, whoever asks.

        For telling a colleague who replies in a thread they may not edit whose draft it is.
        """
        with self._reads() as session:
            row = session.execute(
                select(Draft.id, Draft.owner_id)
                .join(ConversationLink, ConversationLink.draft_id == Draft.id)
                .where(ConversationLink.key == key, Draft.workspace_id == workspace_id)
            ).first()
        return None if row is None else (row.id, row.owner_id)

    # -- feedback and events ---------------------------------------------------------------

    def record_feedback(self, actor: Actor, version_id: int, value: int) -> None:
        """Record +1/-1 on a version the actor can see; voting again replaces the old vote."""
        _require_vote(value)

        def work(session: Session) -> None:
            version = session.get(DraftVersion, version_id)
            if version is None:
                raise DraftNotFound(f"no version {version_id}")
            _visible_draft(session, actor, version.draft_id)
            _cast_vote(session, Feedback, actor.user_id, value, version_id=version_id)

        self._write_retrying(work)

    def disliked_drafts(self, since: datetime | None = None) -> list[DislikedDraft]:
        """Every draft with a 👎 (newer than `since`) in any workspace, for a maintainer's
        `coach eval harvest`; it takes no actor, so no adapter's turn reaches it."""
        query = (
            select(Draft, DraftVersion.number)
            .join(DraftVersion, DraftVersion.draft_id == Draft.id)
            .join(Feedback, Feedback.version_id == DraftVersion.id)
            .where(Feedback.value == -1)
            .order_by(Draft.id, Feedback.created_at)
        )
        if since is not None:
            query = query.where(Feedback.created_at >= since)
        with self._reads() as session:
            voted: dict[str, tuple[Draft, list[int]]] = {}
            for draft, number in session.execute(query):
                voted.setdefault(draft.id, (draft, []))[1].append(number)
            return [
                DislikedDraft(
                    _draft_record(draft),
                    numbers,
                    list(
                        session.scalars(
                            select(Message.text)
                            .where(Message.draft_id == draft.id, Message.role == "user")
                            .order_by(Message.id)
                        )
                    ),
                )
                for draft, numbers in voted.values()
            ]

    # -- knowledge answers -----------------------------------------------------------------

    def record_answer(
        self,
        actor: Actor,
        place: str,
        *,
        question: str,
        excerpt: str,
        sources: Sequence[str] = (),
        coach_mode: str = "guided",
    ) -> int:
        """Keep a knowledge answer as shown to `actor` at `place`; its id goes on the buttons.

        The caller passes text the privacy guard has already cleaned: this table is read by
        maintainers, so it must never hold what a user typed unguarded.
        """
        _require_choice("coach_mode", coach_mode, COACH_MODES)

        def work(session: Session) -> int:
            answer = KnowledgeAnswer(
                workspace_id=actor.workspace_id,
                user_id=actor.user_id,
                place=place,
                question=question,
                excerpt=excerpt,
                sources=list(sources),
                coach_mode=coach_mode,
                created_at=utcnow(),
            )
            session.add(answer)
            session.flush()
            return answer.id

        answer_id = self._write_retrying(work)
        self._expire_answers_when_due()
        return answer_id

    def _expire_answers_when_due(self) -> None:
        """Every answer ever shown would otherwise stay, question and all: expire them on the
        same in-app schedule as the Slack event ids, paced by the answers being recorded."""
        retention = self._answer_retention
        if retention is None:
            return
        self._expire_when_due(
            "knowledge answers", lambda: self.forget_answers(utcnow() - retention)
        )
        self.purge_old_messages()

    def purge_old_messages(self) -> None:
        """Purge conversation turns past COACH_MESSAGE_RETENTION_DAYS, at most hourly per
        process: on opening (bot.runtime) and beside the other housekeeping of a long-running
        server (bot.drafts.message_retention). Only reads when nothing is due."""
        retention = self._message_retention
        if retention is not None:
            self._expire_when_due(
                "conversation turns",
                lambda: forget_messages(self._writes, messages_cutoff(retention)),
            )

    def forget_answers(self, before: datetime) -> int:
        """Drop knowledge answers shown before `before`, with their votes; how many answers went.

        The votes are deleted explicitly rather than left to ON DELETE CASCADE, so a connection
        that did not switch SQLite's foreign keys on cannot leave votes pointing at nothing.
        """
        expired = KnowledgeAnswer.created_at < before
        with self._writes() as session, session.begin():
            session.execute(
                delete(AnswerFeedback)
                .where(AnswerFeedback.answer_id.in_(select(KnowledgeAnswer.id).where(expired)))
                .execution_options(synchronize_session=False)
            )
            result = session.execute(
                delete(KnowledgeAnswer).where(expired).execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def record_answer_feedback(self, actor: Actor, answer_id: int, place: str, value: int) -> None:
        """Record +1/-1 on an answer shown at `place` in the actor's workspace; voting again
        replaces the old vote. Anything else (no such answer, another workspace, a button value
        copied elsewhere) is AnswerNotFound."""
        _require_vote(value)

        def work(session: Session) -> None:
            answer = session.get(KnowledgeAnswer, answer_id)
            if answer is None or answer.workspace_id != actor.workspace_id or answer.place != place:
                raise AnswerNotFound(f"no answer {answer_id} here")
            _cast_vote(session, AnswerFeedback, actor.user_id, value, answer_id=answer_id)

        self._write_retrying(work)

    def disliked_answers(
        self, since: datetime | None = None, limit: int = 50
    ) -> list[DislikedAnswer]:
        """Knowledge answers with a 👎 (newer than `since`), most recently voted first, in any
        workspace: a maintainer's view of what the knowledge base answers badly. It takes no
        actor, so no adapter's turn reaches it."""
        votes = (
            select(
                AnswerFeedback.answer_id,
                func.count().label("down"),
                func.max(AnswerFeedback.created_at).label("last"),
            )
            .where(AnswerFeedback.value == -1)
            .group_by(AnswerFeedback.answer_id)
        )
        if since is not None:
            votes = votes.where(AnswerFeedback.created_at >= since)
        voted = votes.subquery()
        query = (
            select(KnowledgeAnswer, voted.c.down, voted.c.last)
            .join(voted, voted.c.answer_id == KnowledgeAnswer.id)
            .order_by(voted.c.last.desc(), KnowledgeAnswer.id.desc())
            .limit(limit)
        )
        with self._reads() as session:
            return [
                DislikedAnswer(
                    answer_id=answer.id,
                    workspace_id=answer.workspace_id,
                    question=answer.question,
                    excerpt=answer.excerpt,
                    sources=list(answer.sources or []),
                    coach_mode=answer.coach_mode,
                    votes_down=int(down),
                    last_voted_at=_as_utc(last),
                )
                for answer, down, last in session.execute(query)
            ]

    def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is seen by any instance, False for a redelivery.

        The dedupe table would grow with every event ever received, so claiming also expires
        rows older than EVENT_RETENTION, at most once per EXPIRY_INTERVAL per process: the
        schedule runs inside the app, paced by its own traffic, with no job to deploy.
        """
        try:
            with self._writes() as session, session.begin():
                session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
        except IntegrityError:
            return False
        self._expire_when_due(
            "Slack event ids", lambda: self.forget_events(utcnow() - EVENT_RETENTION)
        )
        self.purge_old_messages()
        return True

    def _expire_when_due(self, job: str, expire: Callable[[], int]) -> None:
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

    def forget_events(self, before: datetime) -> int:
        """Drop dedupe rows older than `before` (Slack stops retrying after minutes)."""
        with self._writes() as session, session.begin():
            result = session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.received_at < before)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- helpers ---------------------------------------------------------------------------

    def _write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a fresh write transaction, retrying when a unique constraint trips."""
        for attempt in range(1, _CONFLICT_ATTEMPTS + 1):
            try:
                with self._writes() as session, session.begin():
                    return work(session)
            except IntegrityError:
                if attempt == _CONFLICT_ATTEMPTS:
                    raise
                time.sleep(backoff_delay(attempt))  # de-synchronise the racers
        raise AssertionError("unreachable")  # pragma: no cover


# -- outages -------------------------------------------------------------------------------

# Lifecycle methods report the raw failure (doctor wants the real reason); the rest ride out a
# brief outage and then say "try again in a moment".
_UNGUARDED = frozenset({"database", "migrate", "ping", "close"})


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


for _name, _member in list(vars(DraftStore).items()):
    if not _name.startswith("_") and _name not in _UNGUARDED and callable(_member):
        setattr(DraftStore, _name, _riding_out_outages(_member))


# -- access control ------------------------------------------------------------------------


def listing_for(actor: Actor) -> Select[Any]:
    """The query behind `DraftStore.list_drafts`: the actor's visible drafts, newest first, each
    with its newest version's rubric. A function of its own so a test can read its query plan."""
    # The newest version of each listed draft only: grouping the whole versions table first
    # made the list cost grow with everyone's drafts (0.5 s at 100k; benchmarks/growth.py).
    newest = (
        select(func.max(DraftVersion.number))
        .where(DraftVersion.draft_id == Draft.id)
        .correlate(Draft)
        .scalar_subquery()
    )
    return (
        select(
            Draft.id,
            Draft.title,
            Draft.owner_id,
            Draft.status,
            Draft.question_key,
            Draft.updated_at,
            DraftVersion.rubric,
        )
        .where(_visible_to(actor))
        .outerjoin(
            DraftVersion,
            and_(DraftVersion.draft_id == Draft.id, DraftVersion.number == newest),
        )
        .order_by(Draft.updated_at.desc(), Draft.id)
    )


def _visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the draft is in the actor's workspace and owned by or shared with them.

    The ids come from a union of two indexed look-ups (the owner's drafts; the drafts shared with
    them, in their workspace), each checking the workspace itself. An OR over the drafts table,
    or a workspace test beside the IN, let SQLite read every draft in the workspace instead, so
    each turn and list cost more as other people's drafts grew (benchmarks/growth.py).
    """
    mine, theirs = aliased(Draft), aliased(Draft)
    owned = select(mine.id).where(
        mine.workspace_id == actor.workspace_id, mine.owner_id == actor.user_id
    )
    # The shared draft's workspace is looked up by its id, once per share the user holds: a
    # join here let SQLite start from every draft in the workspace instead.
    workspace_of_shared = (
        select(theirs.workspace_id).where(theirs.id == DraftShare.draft_id).scalar_subquery()
    )
    shared = select(DraftShare.draft_id).where(
        DraftShare.user_id == actor.user_id, workspace_of_shared == actor.workspace_id
    )
    return Draft.id.in_(union(owned, shared).scalar_subquery())


def _visible_draft(
    session: Session, actor: Actor, draft_id: str, *, for_update: bool = False
) -> Draft:
    """Load a draft the actor may see, else DraftNotFound.

    `for_update` row-locks it (PostgreSQL; SQLite's write transactions already serialise) so
    writers to the same draft queue up instead of racing into conflicts and retries.
    """
    stmt = select(Draft).where(Draft.id == draft_id, _visible_to(actor))
    if for_update:
        stmt = stmt.with_for_update()
    draft = session.scalars(stmt).first()
    if draft is None:
        raise DraftNotFound(f"no draft {draft_id!r}")
    return draft


def _require_owner(draft: Draft, actor: Actor) -> None:
    if draft.owner_id != actor.user_id:
        raise NotOwner(f"only the owner can change draft {draft.id}'s title, status or sharing")


def _require_owner_for_changes(
    draft: Draft, actor: Actor, *, status: str | None, title: str | None
) -> None:
    """Renaming and (un)archiving are the owner's call; finishing a draft is anyone's."""
    renaming = title is not None and title != draft.title
    archiving = (
        status is not None and status != draft.status and "archived" in (status, draft.status)
    )
    if renaming or archiving:
        _require_owner(draft, actor)


def _require_user_id(user_id: str) -> None:
    """A user id to share with: a name or Slack id, never blank, never control characters."""
    if not user_id or not user_id.strip():
        raise ValueError("the user to share with is empty")
    if len(user_id) > MAX_USER_ID_CHARS or not user_id.isprintable():
        raise ValueError(f"{user_id!r} is not a user id")


def _require_choice(
    name: str, value: str | None, allowed: tuple[str, ...], *, optional: bool = False
) -> None:
    if value is None and optional:
        return
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


# -- writes --------------------------------------------------------------------------------


def _change_state(
    session: Session,
    draft: Draft,
    actor: Actor,
    expected_lock_version: int,
    *,
    status: str | None = None,
    title: str | None = None,
    **state: Any,
) -> None:
    """Apply a state change under the optimistic lock: one place for who may, and for when.

    Refused with NotOwner for changes only the owner may make, and with ConcurrentUpdate when
    another writer moved the draft on since `expected_lock_version`.
    """
    _require_owner_for_changes(draft, actor, status=status, title=title)
    if draft.lock_version != expected_lock_version:
        raise ConcurrentUpdate(
            f"draft {draft.id} is at lock_version {draft.lock_version}, not {expected_lock_version}"
        )
    _apply_state(draft, status=status, title=title, **state)
    session.flush()


def _apply_state(
    draft: Draft,
    *,
    question_key: str | None = None,
    answers: Mapping[str, str] | None = None,
    status: str | None = None,
    title: str | None = None,
    partners: Sequence[str] | None = None,
    flow: Mapping[str, Any] | None = None,
) -> None:
    """Copy the given fields onto the row; fresh containers so JSON changes are always seen."""
    if question_key is not None:
        draft.question_key = question_key
    if answers is not None:
        draft.answers = dict(answers)
    if status is not None:
        draft.status = status
    if title is not None:
        draft.title = title
    if partners is not None:
        draft.partners = list(partners)
    if flow is not None:
        draft.flow = dict(flow)
    draft.updated_at = utcnow()


def _insert_version(session: Session, actor: Actor, draft_id: str, new: NewVersion) -> DraftVersion:
    """Append version previous max + 1 (the caller holds the draft's row lock)."""
    previous = session.scalar(
        select(func.max(DraftVersion.number)).where(DraftVersion.draft_id == draft_id)
    )
    now = utcnow()
    version = DraftVersion(
        draft_id=draft_id,
        number=(previous or 0) + 1,
        content=new.content.model_dump(mode="json"),
        rubric=new.rubric.model_dump(mode="json"),
        coach_mode=new.coach_mode,
        model=new.model,
        prompt_versions=dict(new.prompt_versions),
        prompt_tokens=new.prompt_tokens,
        completion_tokens=new.completion_tokens,
        created_at=now,
        author_id=actor.user_id,
    )
    session.add(version)
    session.flush()
    _touch(session, draft_id, now)
    return version


def _insert_message(session: Session, actor: Actor, draft_id: str, role: str, text: str) -> None:
    _require_choice("role", role, MESSAGE_ROLES)
    session.add(
        Message(
            draft_id=draft_id, role=role, text=text, created_at=utcnow(), author_id=actor.user_id
        )
    )


def _require_vote(value: int) -> None:
    """Checked before any transaction opens, so a bad button value costs no database round trip."""
    if value not in FEEDBACK_VALUES:
        raise ValueError(f"feedback value must be +1 or -1, not {value!r}")


def _cast_vote(
    session: Session, kind: type[_Vote], user_id: str, value: int, **voted_on: int
) -> None:
    """Set `user_id`'s vote on one version or answer (`voted_on` names it), adding it if new.

    Draft versions and knowledge answers both keep one vote per person, so voting again replaces
    the value and its time rather than adding a row; the unique constraint turns a racing first
    vote into an IntegrityError, which the caller's `_write_retrying` replays as an update.
    """
    vote = session.scalars(select(kind).filter_by(user_id=user_id, **voted_on)).first()
    if vote is None:
        vote = kind(user_id=user_id, **voted_on)
        session.add(vote)
    vote.value = value
    vote.created_at = utcnow()
    session.flush()


def _link(session: Session, key: str, actor: Actor, draft_id: str) -> None:
    link = session.get(ConversationLink, key)
    if link is None:
        link = ConversationLink(key=key)
        session.add(link)
    link.workspace_id = actor.workspace_id
    link.user_id = actor.user_id
    link.draft_id = draft_id
    link.updated_at = utcnow()
    session.flush()


def _touch(session: Session, draft_id: str, when: datetime) -> None:
    """Bump updated_at via Core, which (unlike the ORM) leaves lock_version alone."""
    table = Draft.metadata.tables[Draft.__tablename__]
    session.execute(update(table).where(table.c.id == draft_id).values(updated_at=when))


# -- records -------------------------------------------------------------------------------


def _as_utc(when: datetime) -> datetime:
    """An aggregate (max) skips the column's type, so SQLite hands back a naive value."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _rubric(data: Mapping[str, Any]) -> RubricScore:
    return RubricScore.model_validate(data)


def _draft_record(draft: Draft) -> DraftRecord:
    return DraftRecord(
        id=draft.id,
        workspace_id=draft.workspace_id,
        owner_id=draft.owner_id,
        title=draft.title,
        partners=list(draft.partners or []),
        partner_type=draft.partner_type,
        area_of_care=draft.area_of_care,
        status=draft.status,
        question_key=draft.question_key,
        answers=dict(draft.answers or {}),
        created_at=draft.created_at,
        updated_at=draft.updated_at,
        lock_version=draft.lock_version,
        flow=dict(draft.flow or {}),
    )


def _version_record(version: DraftVersion) -> VersionRecord:
    return VersionRecord(
        id=version.id,
        draft_id=version.draft_id,
        number=version.number,
        content=DraftContent.model_validate(version.content),
        rubric=_rubric(version.rubric),
        coach_mode=version.coach_mode,
        model=version.model,
        prompt_versions=dict(version.prompt_versions or {}),
        prompt_tokens=version.prompt_tokens,
        completion_tokens=version.completion_tokens,
        created_at=version.created_at,
        author_id=version.author_id,
    )


def _message_record(message: Message) -> MessageRecord:
    return MessageRecord(
        id=message.id,
        draft_id=message.draft_id,
        role=message.role,
        text=message.text,
        created_at=message.created_at,
        author_id=message.author_id,
    )
