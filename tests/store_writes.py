"""Store writes for tests, made the one way the coach makes them: `DraftStore.commit_turn`.

A test that needs a draft in some state (moved on, with a version, with history) sets it up
through the same transaction a coaching turn uses, so it exercises the production write path
rather than a method only tests call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.records import Actor, DraftRecord, NewVersion, VersionRecord
from bot.drafts.repository import DraftStore


def save_state(
    store: DraftStore,
    actor: Actor,
    draft_id: str,
    *,
    expected_lock_version: int,
    question_key: str | None = None,
    answers: Mapping[str, str] | None = None,
    status: str | None = None,
    partners: Sequence[str] | None = None,
    flow: Mapping[str, Any] | None = None,
) -> DraftRecord:
    """Move the draft on (ConcurrentUpdate if it moved since `expected_lock_version`)."""
    store.commit_turn(
        actor,
        draft_id,
        expected_lock_version=expected_lock_version,
        question_key=question_key,
        answers=answers,
        status=status,
        partners=partners,
        flow=flow,
    )
    return store.get_draft(actor, draft_id)


def add_version(
    store: DraftStore,
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
    """A new version, written as a turn that changes no state."""
    new = NewVersion(
        content,
        rubric,
        coach_mode,
        model,
        dict(prompt_versions or {}),
        prompt_tokens,
        completion_tokens,
    )
    written = store.commit_turn(actor, draft_id, expected_lock_version=0, version=new)
    assert written is not None
    return written


def add_message(store: DraftStore, actor: Actor, draft_id: str, role: str, text: str) -> None:
    """One history message, written as a turn that changes no state."""
    store.commit_turn(actor, draft_id, expected_lock_version=0, messages=lambda _v: [(role, text)])
