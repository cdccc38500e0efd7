"""Wire the settings into one engine: store, knowledge search and the right coach.

Every adapter (console, Slack, evals) builds its engine here, so they all pick the coach the same
way: the LLM coach when OPENAI_API_KEY or OPENAI_BASE_URL is set, the guided coach otherwise.
"""

from __future__ import annotations

import gc
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from bot.drafts.answers import AnswerStore
from bot.drafts.records import DislikedAnswer, DislikedDraft
from bot.drafts.repository import DraftStore
from bot.settings import Settings

if TYPE_CHECKING:  # imported when an engine is built: `coach drafts list` never pays for it
    from bot.coaching.coach import Coach
    from bot.coaching.drafts_service import DraftsService
    from bot.coaching.engine import Engine
    from bot.retrieval.search import KnowledgeSearch

log = logging.getLogger(__name__)


def open_store(settings: Settings, url: str | None = None) -> DraftStore:
    """The drafts store (at `url` when given, e.g. an eval case's own database);
    StoreUnavailable (one line) when it cannot be opened."""
    if url is None and not settings.database_url:
        settings.ensure_data_dir()
    return DraftStore(url or settings.effective_database_url)


def open_answers(settings: Settings, store: DraftStore) -> AnswerStore:
    """Knowledge answers on the store's database, kept for the configured retention period."""
    return AnswerStore(store.db, retention=settings.answer_retention)


def open_drafts(settings: Settings) -> DraftsService:
    """`engine.drafts` without an engine: the store and its answers, no model or index.

    Listing or exporting a draft needs no embedding model, knowledge index or LLM client, so
    `coach drafts …` opens just the stores (SQLAlchemy) and wraps them as the engine does.
    """
    from bot.coaching.drafts_service import DraftsService

    store = open_store(settings)
    return DraftsService(store, open_answers(settings, store))


def voted_down(
    settings: Settings, since: datetime | None = None
) -> tuple[list[DislikedDraft], list[DislikedAnswer]]:
    """Drafts and knowledge answers with a 👎 (newer than `since`) in every workspace.

    A maintainer's view for `coach eval harvest`, not a user's: it takes no actor, so it lives
    here beside the wiring rather than behind the engine's access-checked front door.
    """
    with open_store(settings) as store:
        answers = open_answers(settings, store)
        return store.disliked_drafts(since), answers.disliked_answers(since)


def draft_owners(settings: Settings, workspace_id: str) -> list[tuple[str, int]]:
    """Who owns drafts in a workspace, with how many: the command line's hint when the login
    name has none (a trusted operator's view, like `voted_down`)."""
    with open_store(settings) as store:
        return store.owners(workspace_id)


def make_coach(settings: Settings) -> Coach | None:
    """The LLM coach if a model server is configured; None means the guided coach."""
    if not settings.llm_configured:
        return None
    from bot.coaching.llm_coach import LLMCoach

    return LLMCoach(settings)


def build_engine(
    settings: Settings,
    *,
    store: DraftStore | None = None,
    search: KnowledgeSearch | None = None,
    coach: Coach | None = None,
) -> Engine:
    from bot.coaching.engine import Engine
    from bot.retrieval.search import KnowledgeSearch

    store = store or open_store(settings)
    return Engine(
        store,
        coach=coach or make_coach(settings),
        search=search or KnowledgeSearch(settings),
        answers=open_answers(settings, store),
    )


def warm_up_in_background(engine: Engine) -> threading.Thread:
    """Load the privacy guard, the knowledge index, the embedding model and the answer
    recogniser while the first user is still typing, so no turn waits for them.

    Failures are logged, never raised: the first turn that needs the missing part reports it
    to the user in its own words.
    """

    def load() -> None:
        from bot.privacy import presidio_engine

        try:
            presidio_engine.warm_up()
            log.info("privacy guard ready")
        except Exception as error:
            log.error("privacy guard unavailable: %s", error)
        try:
            engine.warm_up()
            log.info("coaching engine and knowledge search ready")
        except Exception as error:  # the coach still works without tips
            log.warning("knowledge search unavailable: %s", error)
        settle_garbage_collector()

    thread = threading.Thread(target=load, name="warm-up", daemon=True)
    thread.start()
    return thread


def settle_garbage_collector() -> None:
    """Take what start-up loaded out of the garbage collector's reach.

    The models (guard, embeddings, recogniser) are some 650,000 objects that live as long as the
    process. Every full collection walked all of them, holding the interpreter for about a second
    on a two-core machine, and under load that second landed on Slack's acks (p99 above 1 s).
    Frozen, they are never scanned again; what turns allocate is collected as before.
    """
    gc.collect()
    gc.freeze()
