"""`DraftsService`: what adapters may do with drafts outside a coaching turn.

Listing, opening, reading versions and history, sharing, rating (versions and knowledge
answers), exporting and linking a conversation are the operations the console, Slack and the
evals need beside `Engine.handle`. They live here, reached as `engine.drafts`, so that adapters
never hold the `DraftStore` itself: every method takes the acting `Actor` and passes it to the
store, which checks access in one place (and makes "no access" look exactly like "no such
draft"). The module stays light to import: the store is only a type here, and the Word/Markdown
export code is imported when a file is written.
"""

from __future__ import annotations

import builtins  # `list` below is a method: the type is named in full
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.drafts.formats import require_format
from bot.drafts.records import Actor, DraftRecord, DraftSummary, MessageRecord, VersionRecord

if TYPE_CHECKING:  # the stores (SQLAlchemy) are built by bot.runtime and handed in
    from bot.drafts.answers import AnswerStore
    from bot.drafts.repository import DraftStore


class DraftsService:
    """Access-checked draft operations for adapters; the store does the checking."""

    def __init__(self, store: DraftStore, answers: AnswerStore) -> None:
        self._store = store
        self._answers = answers

    # -- reading -------------------------------------------------------------------------------
    def list(self, actor: Actor) -> list[DraftSummary]:
        """The drafts `actor` owns or has been shared, most recently changed first."""
        return self._store.list_drafts(actor)

    def get(self, actor: Actor, draft_id: str) -> DraftRecord:
        """One draft `actor` may see; `DraftNotFound` otherwise (no access looks like none)."""
        return self._store.get_draft(actor, draft_id)

    def latest_version(self, actor: Actor, draft_id: str) -> VersionRecord | None:
        """The newest version of a draft `actor` may see; None before the first draft."""
        return self._store.latest_version(actor, draft_id)

    def versions(self, actor: Actor, draft_id: str) -> builtins.list[VersionRecord]:
        """Every version of a draft `actor` may see, oldest first (a card's button names one)."""
        return self._store.versions(actor, draft_id)

    def messages(
        self, actor: Actor, draft_id: str, limit: int = 20
    ) -> builtins.list[MessageRecord]:
        """The draft's latest conversation turns (already redacted), oldest first."""
        return self._store.recent_messages(actor, draft_id, limit=limit)

    # -- sharing and rating --------------------------------------------------------------------
    def share(self, actor: Actor, draft_id: str, user_id: str) -> None:
        """Let `user_id` (same workspace) see and coach the draft; only its owner may."""
        self._store.share(actor, draft_id, user_id)

    def unshare(self, actor: Actor, draft_id: str, user_id: str) -> bool:
        """Take a share back; False when `user_id` did not have one."""
        return self._store.unshare(actor, draft_id, user_id)

    def rate(self, actor: Actor, version_id: int, value: int) -> None:
        """A +1/-1 vote on a version `actor` may see; voting again replaces the old vote."""
        self._store.record_feedback(actor, version_id, value)

    def rate_answer(self, actor: Actor, answer_id: int, place: str, value: int) -> None:
        """A +1/-1 vote on a knowledge answer shown at `place` (where the click came from);
        voting again replaces the old vote. `AnswerNotFound` for an id not shown there."""
        self._answers.record_answer_feedback(actor, answer_id, place, value)

    # -- files ---------------------------------------------------------------------------------
    def export(
        self, actor: Actor, draft_id: str, fmt: str, folder: Path, output: Path | None = None
    ) -> Path:
        """Write the latest version in format `fmt` (`bot.drafts.formats`) into `folder`
        (owner-only), or to `output` when given (`coach drafts export -o`); the path written."""
        # python-docx and the renderers load only when someone exports.
        from bot.drafts.export import export_to_file

        return export_to_file(self._store, actor, draft_id, fmt, folder, output)

    def render(self, actor: Actor, draft_id: str, fmt: str, number: int | None = None) -> bytes:
        """A version (`number`, else the latest) as an export would write it, without a file:
        the same bytes an export of format `fmt` writes. For checks that read what a meeting pack
        would show."""
        export_as = require_format(fmt)
        draft = self._store.get_draft(actor, draft_id)
        versions = self._store.versions(actor, draft_id)
        chosen = [v for v in versions if number is None or v.number == number]
        version = chosen[-1] if chosen else None
        if number is not None and version is None:
            raise LookupError(f"draft {draft_id} has no version {number}")
        return export_as.render(draft, version)

    def as_dict(self, actor: Actor, draft_id: str) -> dict[str, Any]:
        """The `coach drafts show --json` document of a draft `actor` may see."""
        from bot.drafts.export import draft_as_dict

        draft = self._store.get_draft(actor, draft_id)
        return draft_as_dict(draft, self._store.versions(actor, draft_id))

    # -- conversations -------------------------------------------------------------------------
    def link(self, conversation_key: str, actor: Actor, draft_id: str) -> None:
        """Point an adapter's conversation (a Slack thread, say) at a draft `actor` may see."""
        self._store.link_conversation(conversation_key, actor, draft_id)

    def linked_owner(self, conversation_key: str, workspace_id: str) -> tuple[str, str] | None:
        """(draft id, owner) of the draft a conversation points at, whoever asks.

        Reveals only whose draft it is, so a colleague without access can be told whom to ask.
        """
        return self._store.linked_owner(conversation_key, workspace_id)

    def owner_of(self, workspace_id: str, draft_id: str) -> str | None:
        """Who owns a draft of the workspace (None: no such draft), never its content.

        Lets an adapter tell "no such draft" from "not shared with you (ask its owner)".
        """
        return self._store.owner_of(workspace_id, draft_id)
