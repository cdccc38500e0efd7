"""Plain, frozen values the store hands out instead of ORM objects.

ORM instances are bound to a session; once it closes, touching an unloaded attribute raises a
DetachedInstanceError far from the code that caused it. Copying into frozen dataclasses at the
store boundary makes every record safe to keep, pass between threads and cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.drafts.content import DraftContent, RubricScore


@dataclass(frozen=True)
class Actor:
    """Who is asking: every store call is scoped to one workspace and one user in it."""

    workspace_id: str
    user_id: str


@dataclass(frozen=True)
class DraftRecord:
    """A draft's columns, including `lock_version` to pass back to `save_state`."""

    id: str
    workspace_id: str
    owner_id: str
    title: str
    partners: list[str]
    partner_type: str
    area_of_care: str
    status: str
    question_key: str  # the question being asked, or "review" / "final" after the last one
    answers: dict[str, str]
    created_at: datetime
    updated_at: datetime
    lock_version: int
    flow: dict[str, Any] = field(default_factory=dict)  # the engine's flow state, as JSON

    def owned_by(self, actor: Actor) -> bool:
        """True when `actor` may share, retitle or archive (not merely read) this draft."""
        return self.workspace_id == actor.workspace_id and self.owner_id == actor.user_id


@dataclass(frozen=True)
class VersionRecord:
    """One immutable version, with content and rubric already parsed into their models."""

    id: int
    draft_id: str
    number: int
    content: DraftContent
    rubric: RubricScore
    coach_mode: str
    model: str | None
    prompt_versions: dict[str, str]
    prompt_tokens: int
    completion_tokens: int
    created_at: datetime
    author_id: str | None = None  # who asked for it; None for versions older than 0002

    @property
    def score(self) -> int:
        """The overall percent users compare between versions."""
        return self.rubric.percent


@dataclass(frozen=True)
class DraftSummary:
    """One line of `coach drafts list`; `shared` means someone else owns it."""

    id: str
    title: str
    owner_id: str
    status: str
    question_key: str
    updated_at: datetime
    latest_score: int | None
    shared: bool


@dataclass(frozen=True)
class MessageRecord:
    """One turn of the (already redacted) conversation history."""

    id: int
    draft_id: str
    role: str
    text: str
    created_at: datetime
    author_id: str | None = None  # whose turn produced it; None for messages older than 0002


@dataclass(frozen=True)
class NewVersion:
    """A version the engine has composed and scored, waiting to be written with its turn."""

    content: DraftContent
    rubric: RubricScore
    coach_mode: str
    model: str | None = None
    prompt_versions: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class DislikedDraft:
    """A draft someone voted 👎 on, as `coach eval harvest` turns it into a case for review."""

    draft: DraftRecord
    voted_versions: list[int]  # the version voted down, once per 👎, in the order given
    user_messages: list[str]  # what its users said (already redacted), oldest first


@dataclass(frozen=True)
class DislikedAnswer:
    """A knowledge answer someone voted 👎 on, for a maintainer to read (all already redacted)."""

    answer_id: int
    workspace_id: str
    question: str
    excerpt: str
    sources: list[str]
    coach_mode: str
    votes_down: int  # how many people voted it down
    last_voted_at: datetime
