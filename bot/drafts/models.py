"""Database tables for drafts, their immutable versions and the conversation around them.

The coaching engine keeps *all* conversation state here so that any process (console, any Slack
worker) can serve the next turn. These ORM classes never leave the repositories (`repository.py`,
`answers.py`, `events.py`): callers get frozen dataclasses instead, so no one trips over lazy loads
on a closed session.

Every change to these tables needs a matching Alembic migration in `migrations/versions/`;
`tests/test_drafts_store.py` fails when the two drift apart.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# No 0/o, 1/i/l: ids are read aloud and typed from a phone screen.
DRAFT_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
DRAFT_ID_LENGTH = 6

DRAFT_STATUSES = ("active", "final", "archived")
MESSAGE_ROLES = ("user", "coach")
COACH_MODES = ("guided", "llm")
FEEDBACK_VALUES = (1, -1)
# Where a new draft's conversation starts: the first coaching question
# (bot.coaching.questions.PARTNERS). Spelled out rather than imported so the store never imports
# the coaching layer above it; tests/test_drafts_store.py keeps the two equal.
FIRST_QUESTION_KEY = "context.partners"

# Deterministic constraint names: Alembic can only alter or drop what it can name, and SQLite
# and PostgreSQL would otherwise invent different ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The one clock every row uses, so timestamps compare across processes and time zones."""
    return datetime.now(UTC)


def new_draft_id() -> str:
    """A short, unambiguous id people can type into Slack (31**6 ≈ 887 million values).

    Redrawn while the privacy guard would read it as an identifier: about one id in 37 is shaped
    like a postcode ("e2k7ft" reads as E2K 7FT), and the guard, which sees every command before
    it is parsed, would turn `/statement export e2k7ft` into "no draft [postcode removed]".
    """
    # imported here: listing drafts (`coach drafts list`) never makes one, and skips its cost
    from bot.privacy.guard import redact_identifiers

    while True:
        draft_id = "".join(secrets.choice(DRAFT_ID_ALPHABET) for _ in range(DRAFT_ID_LENGTH))
        if not redact_identifiers(draft_id).findings:
            return draft_id


def _in_clause(values: tuple[Any, ...]) -> str:
    return ", ".join(repr(v) for v in values)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones and hands back naive datetimes; normalising here means the rest of
    the code can always compare and format timestamps without guessing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Shared metadata with a naming convention (see NAMING_CONVENTION)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Draft(Base):
    """One problem statement / value proposition being coached, and where its conversation is."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(16), primary_key=True, default=new_draft_id)
    workspace_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    partner_type: Mapped[str] = mapped_column(String(64), default="")
    area_of_care: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The question the conversation is on (a key from bot/coaching/questions.py), or "review" /
    # "final" once every question has had its turn.
    question_key: Mapped[str] = mapped_column(String(64), default=FIRST_QUESTION_KEY)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Where the conversation stands beyond the answers (tries per question, skipped questions,
    # unplaced notes, overrides): the coaching engine's typed `Flow`, stored as JSON.
    flow: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: the UPDATE carries "AND lock_version = <what we read>", so two turns
    # racing on the same draft cannot silently overwrite each other's answers.
    lock_version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 (SQLAlchemy's API)
    __table_args__ = (
        CheckConstraint(f"status IN ({_in_clause(DRAFT_STATUSES)})", name="status"),
        Index("ix_drafts_workspace_owner", "workspace_id", "owner_id"),
    )


class DraftVersion(Base):
    """An immutable snapshot of a draft's content and score; nothing ever updates or deletes one.

    Immutability is what lets users compare versions and trust that feedback refers to the text
    they actually saw.
    """

    __tablename__ = "draft_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON)
    coach_mode: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(128), nullable=True)
    prompt_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who asked for this version (owner or a collaborator); None for rows older than 0002.
    author_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint(f"coach_mode IN ({_in_clause(COACH_MODES)})", name="coach_mode"),
    )


class DraftShare(Base):
    """Grants a colleague in the owner's workspace read access and a turn in the conversation."""

    __tablename__ = "draft_shares"

    draft_id: Mapped[str] = mapped_column(
        ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_draft_shares_user_id", "user_id"),)


class Message(Base):
    """One turn of conversation history (already privacy-redacted by the caller)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The user whose turn produced the message (for a coach reply: who it answered); None for
    # rows older than migration 0002.
    author_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        CheckConstraint(f"role IN ({_in_clause(MESSAGE_ROLES)})", name="role"),
        Index("ix_messages_draft_id_id", "draft_id", "id"),
        Index("ix_messages_created_at", "created_at"),  # the retention purge deletes by age
    )


class ConversationLink(Base):
    """Which draft an adapter's conversation (console user, Slack thread) is currently on."""

    __tablename__ = "conversation_links"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    """A thumbs up/down on one version; one vote per user, re-voting replaces it."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("version_id", "user_id"),
        CheckConstraint(f"value IN ({_in_clause(FEEDBACK_VALUES)})", name="value"),
    )


class KnowledgeAnswer(Base):
    """A knowledge-base answer as it was shown, kept so people can rate it afterwards.

    Written before the answer is posted, so the 👍/👎 buttons carry only this row's id (a button
    value holds 2,000 characters; a question may hold 4,000). `question` and `excerpt` are the
    privacy guard's output, never the words as typed. `place` is the adapter's name for where the
    answer was shown (a Slack channel): only a vote from there counts, so an id copied into a
    forged click elsewhere is refused.
    """

    __tablename__ = "knowledge_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))  # who asked
    place: Mapped[str] = mapped_column(String(255))
    question: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    coach_mode: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(f"coach_mode IN ({_in_clause(COACH_MODES)})", name="coach_mode"),
        Index("ix_knowledge_answers_created_at", "created_at"),  # expiry deletes by age
    )


class AnswerFeedback(Base):
    """A thumbs up/down on a knowledge answer; one vote per user, re-voting replaces it."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("knowledge_answers.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("answer_id", "user_id"),
        CheckConstraint(f"value IN ({_in_clause(FEEDBACK_VALUES)})", name="value"),
        Index("ix_answer_feedback_value_created_at", "value", "created_at"),
    )


class ProcessedEvent(Base):
    """Slack retries deliveries and may hit another instance; this row makes handling once-only."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_processed_events_received_at", "received_at"),)  # expiry by age
