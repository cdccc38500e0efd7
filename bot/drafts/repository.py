"""`DraftStore`: drafts, their versions, shares, history and conversation links.

All conversation state lives here so any process can serve the next turn. Three rules shape it:

* Every read path checks access in code, and "no access" looks exactly like "no such draft"
  (`DraftNotFound`), so ids cannot be probed. Workspaces are hard boundaries: the same user id
  in another workspace is a different person.
* Callers get frozen records, never ORM objects, so nothing lazy-loads after a session closes.
* Concurrency is explicit: `commit_turn` uses optimistic locking (`ConcurrentUpdate`), and
  version numbers and idempotent writes retry on unique-constraint conflicts with jittered
  exponential backoff (`bot.drafts.storage`).

Knowledge answers (`bot.drafts.answers`) and Slack event claims (`bot.drafts.events`) are
repositories of their own on the same `Database`; only the coaching engine holds all three.

A coaching turn is written by `commit_turn` in ONE transaction (state, version, both history
messages), so a process killed mid-turn leaves either the whole turn or none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.drafts.access import (
    listing_for,
    require_owner,
    require_owner_for_changes,
    require_user_id,
    visible_draft,
    visible_to,
)
from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.models import (
    COACH_MODES,
    DRAFT_STATUSES,
    FIRST_QUESTION_KEY,
    MESSAGE_ROLES,
    ConversationLink,
    Draft,
    DraftShare,
    DraftVersion,
    Feedback,
    Message,
    new_draft_id,
    utcnow,
)
from bot.drafts.records import (
    Actor,
    DislikedDraft,
    DraftRecord,
    DraftSummary,
    MessageRecord,
    NewVersion,
    VersionRecord,
)
from bot.drafts.storage import (
    Database,
    backoff_delay,
    cast_vote,
    guard_outages,
    require_choice,
    require_vote,
)
from bot.errors import ConcurrentUpdate, DraftNotFound

__all__ = ["DraftStore", "backoff_delay", "listing_for"]

# (role, text) pairs for the history, rendered once the version number is known.
Messages = Sequence[tuple[str, str]]


class DraftStore:
    """Drafts, versions, shares, messages, conversation links and votes on versions."""

    def __init__(self, source: str | Database) -> None:
        """Open the store on a database URL (e.g. sqlite:///.coach/coach.db), or on a `Database`
        other repositories already share. Opening migrates: see `Database`."""
        self.db = source if isinstance(source, Database) else Database(source)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def database(self) -> Engine:
        """The SQLAlchemy engine (connection pool) underneath, for diagnostics and schema checks.

        Not called `engine`: in this codebase the engine is the coaching `Engine`.
        """
        return self.db.engine

    def migrate(self) -> None:
        """Upgrade the database to the newest Alembic revision (a no-op when already there)."""
        self.db.migrate()

    def ping(self) -> None:
        """Round-trip `SELECT 1`, so `coach doctor` can tell the database is reachable."""
        self.db.ping()

    def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        self.db.close()

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

        return self.db.write_retrying(work)

    def get_draft(self, actor: Actor, draft_id: str) -> DraftRecord:
        """The draft, if `actor` owns it or it was shared with them; else DraftNotFound."""
        with self.db.reads() as session:
            return _draft_record(visible_draft(session, actor, draft_id))

    def list_drafts(self, actor: Actor) -> list[DraftSummary]:
        """Own and shared drafts in the actor's workspace, most recently updated first."""
        stmt = listing_for(actor)
        with self.db.reads() as session:
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
        require_choice("status", status, DRAFT_STATUSES, optional=True)
        if version is not None:
            require_choice("coach_mode", version.coach_mode, COACH_MODES)
        changes = any(v is not None for v in (question_key, answers, status, partners, flow))

        def work(session: Session) -> VersionRecord | None:
            draft = visible_draft(session, actor, draft_id, for_update=True)
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
            return self.db.write_retrying(work)
        except StaleDataError as exc:
            raise ConcurrentUpdate(f"draft {draft_id} changed concurrently") from exc

    # -- versions --------------------------------------------------------------------------

    def versions(self, actor: Actor, draft_id: str) -> list[VersionRecord]:
        """Every version of a visible draft, oldest (number 1) first."""
        with self.db.reads() as session:
            visible_draft(session, actor, draft_id)
            rows = session.scalars(
                select(DraftVersion)
                .where(DraftVersion.draft_id == draft_id)
                .order_by(DraftVersion.number)
            )
            return [_version_record(row) for row in rows]

    def latest_version(self, actor: Actor, draft_id: str) -> VersionRecord | None:
        """The highest-numbered version, or None before the coach has produced one."""
        with self.db.reads() as session:
            visible_draft(session, actor, draft_id)
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
        require_user_id(user_id)

        def work(session: Session) -> None:
            draft = visible_draft(session, actor, draft_id, for_update=True)
            require_owner(draft, actor)
            if user_id == draft.owner_id:
                return  # the owner already has access
            if session.get(DraftShare, (draft_id, user_id)) is not None:
                return
            session.add(DraftShare(draft_id=draft_id, user_id=user_id, created_at=utcnow()))
            session.flush()

        self.db.write_retrying(work)

    def unshare(self, actor: Actor, draft_id: str, user_id: str) -> bool:
        """Withdraw `user_id`'s access (owner only); False when it was not shared with them.

        Their conversation links stay but lead nowhere: `linked_draft` checks access on every
        read, so the draft disappears from their threads and lists at once.
        """
        require_user_id(user_id)

        def work(session: Session) -> bool:
            draft = visible_draft(session, actor, draft_id, for_update=True)
            require_owner(draft, actor)
            share = session.get(DraftShare, (draft_id, user_id))
            if share is None:
                return False
            session.delete(share)
            session.flush()
            return True

        return self.db.write_retrying(work)

    # -- conversation ----------------------------------------------------------------------

    def recent_messages(self, actor: Actor, draft_id: str, limit: int = 20) -> list[MessageRecord]:
        """The last `limit` turns, oldest first, ready to replay into a prompt."""
        with self.db.reads() as session:
            visible_draft(session, actor, draft_id)
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
            visible_draft(session, actor, draft_id)
            _link(session, key, actor, draft_id)

        self.db.write_retrying(work)

    def linked_draft(self, key: str, actor: Actor) -> DraftRecord | None:
        """The draft `key` points at, if `actor` may still see it; None otherwise.

        Access is checked for the *asking* actor, not whoever made the link, because a Slack
        thread can be continued by any collaborator the draft is shared with.
        """
        with self.db.reads() as session:
            link = session.get(ConversationLink, key)
            if link is None or link.workspace_id != actor.workspace_id:
                return None
            draft = session.scalars(
                select(Draft).where(Draft.id == link.draft_id, visible_to(actor))
            ).first()
            return None if draft is None else _draft_record(draft)

    def owner_of(self, workspace_id: str, draft_id: str) -> str | None:
        """Who owns a draft of this workspace, whoever asks (None: no such draft).

        Reveals only whom to ask for access, never the draft's content, so an adapter can say
        "no such draft" and "not shared with you (ask its owner)" in different words.
        """
        with self.db.reads() as session:
            return session.scalars(
                select(Draft.owner_id).where(
                    Draft.id == draft_id, Draft.workspace_id == workspace_id
                )
            ).first()

    def linked_owner(self, key: str, workspace_id: str) -> tuple[str, str] | None:
        """(draft id, owner) of the draft a conversation `key` points at, whoever asks.

        For telling a colleague who replies in a thread they may not edit whose draft it is.
        """
        with self.db.reads() as session:
            row = session.execute(
                select(Draft.id, Draft.owner_id)
                .join(ConversationLink, ConversationLink.draft_id == Draft.id)
                .where(ConversationLink.key == key, Draft.workspace_id == workspace_id)
            ).first()
        return None if row is None else (row.id, row.owner_id)

    def owners(self, workspace_id: str) -> list[tuple[str, int]]:
        """Who owns drafts in a workspace, and how many each, most first; whoever asks.

        For the command line's trusted operator only (it takes no actor): when the login name
        has no drafts, it can say which user ids do instead of "no drafts yet".
        """
        with self.db.reads() as session:
            rows = session.execute(
                select(Draft.owner_id, func.count())
                .where(Draft.workspace_id == workspace_id)
                .group_by(Draft.owner_id)
                .order_by(func.count().desc(), Draft.owner_id)
            ).all()
        return [(owner, int(count)) for owner, count in rows]

    # -- feedback ---------------------------------------------------------------

    def record_feedback(self, actor: Actor, version_id: int, value: int) -> None:
        """Record +1/-1 on a version the actor can see; voting again replaces the old vote."""
        require_vote(value)

        def work(session: Session) -> None:
            version = session.get(DraftVersion, version_id)
            if version is None:
                raise DraftNotFound(f"no version {version_id}")
            visible_draft(session, actor, version.draft_id)
            cast_vote(session, Feedback, actor.user_id, value, version_id=version_id)

        self.db.write_retrying(work)

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
        with self.db.reads() as session:
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


guard_outages(DraftStore, frozenset({"database", "migrate", "ping", "close"}))


# -- writes --------------------------------------------------------------------------------


def _change_state(
    session: Session,
    draft: Draft,
    actor: Actor,
    expected_lock_version: int,
    *,
    status: str | None = None,
    **state: Any,
) -> None:
    """Apply a state change under the optimistic lock: one place for who may, and for when.

    Refused with NotOwner for changes only the owner may make, and with ConcurrentUpdate when
    another writer moved the draft on since `expected_lock_version`.
    """
    require_owner_for_changes(draft, actor, status=status)
    if draft.lock_version != expected_lock_version:
        raise ConcurrentUpdate(
            f"draft {draft.id} is at lock_version {draft.lock_version}, not {expected_lock_version}"
        )
    _apply_state(draft, status=status, **state)
    session.flush()


def _apply_state(
    draft: Draft,
    *,
    question_key: str | None = None,
    answers: Mapping[str, str] | None = None,
    status: str | None = None,
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
    require_choice("role", role, MESSAGE_ROLES)
    session.add(
        Message(
            draft_id=draft_id, role=role, text=text, created_at=utcnow(), author_id=actor.user_id
        )
    )


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
