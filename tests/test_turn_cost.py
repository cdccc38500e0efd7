"""What a guided turn costs the embedding model: one batched call for a user's new words.

On a CPU each call to the embedding model costs more than the rest of a turn, so a guided turn
embeds its new texts (the message's parts, the feedback lookup, the tip lookup) together, and
everything every conversation repeats is embedded once, at warm-up.
"""

from __future__ import annotations

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import Engine
from bot.drafts.records import Actor

# What a turn costs is counted in calls to the real embedding model, over the real index.
pytestmark = pytest.mark.slow

ALICE = Actor("T1", "alice")


class CountingModel:
    """The real embedding model, counting the calls that reach it."""

    def __init__(self, real) -> None:
        self.real = real
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return self.real.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_after_warm_up_each_new_message_costs_one_call_to_the_embedding_model(
    store, knowledge_search
):
    engine = Engine(store, search=knowledge_search)
    engine.warm_up()
    lazy = knowledge_search.embeddings
    counting = CountingModel(lazy.load())
    real, lazy._inner = lazy._inner, counting
    try:
        draft_id = engine.start(ALICE, "Cost of a turn").draft_id
        for key in ("context.partners", "context.topic", "affected.who", "affected.now"):
            counting.calls.clear()
            reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS[key] + " (said afresh)")
            assert reply.kind != "error"
            assert len(counting.calls) == 1, (key, counting.calls)
            assert any("said afresh" in text for text in counting.calls[0])
    finally:
        lazy._inner = real


def test_a_query_given_by_its_parts_finds_what_the_whole_query_finds(knowledge_search):
    """The feedback lookup reuses the answer's vectors instead of embedding the answer again."""
    question = "what makes a good problem statement"
    whole = knowledge_search.search(question, k=3)
    by_parts = knowledge_search.search(question, k=3, meaning_of=[question])
    assert [p.path for p in by_parts] == [p.path for p in whole]
    answer = "Only 62% of adults with atrial fibrillation are anticoagulated; NICE expects 80%."
    query = f"evidence for a problem statement data source and period {answer}"
    mixed = knowledge_search.search(
        query, k=3, meaning_of=["evidence for a problem statement data source and period", answer]
    )
    assert mixed, "a query given by its parts still finds passages"
