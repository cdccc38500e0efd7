"""Wire the settings into one engine: store, knowledge search and the right coach.

Every adapter (console, Slack, evals) builds its engine here, so they all pick the coach the same
way: the LLM coach when OPENAI_API_KEY or OPENAI_BASE_URL is set, the guided coach otherwise.
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING

from bot.drafts.repository import DraftStore
from bot.settings import Settings

if TYPE_CHECKING:  # imported when an engine is built: `coach drafts list` never pays for it
    from bot.coaching.coach import Coach
    from bot.coaching.engine import Engine
    from bot.retrieval.search import KnowledgeSearch

log = logging.getLogger(__name__)


def open_store(settings: Settings) -> DraftStore:
    """The drafts store; StoreUnavailable (one line) when it cannot be opened."""
    if not settings.database_url:
        settings.ensure_data_dir()
    store = DraftStore(
        settings.effective_database_url,
        answer_retention=settings.answer_retention,
        message_retention=settings.message_retention,
    )
    store.purge_old_messages()  # short-lived commands never reach the hourly housekeeping
    return store


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

    return Engine(
        store or open_store(settings),
        coach=coach or make_coach(settings),
        search=search or KnowledgeSearch(settings),
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
