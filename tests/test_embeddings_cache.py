"""LazyEmbeddings remembers recent vectors: a repeated text is embedded once, the cache is bounded.

The inner model is replaced by a counting deterministic embedding, so what is measured is the
cache itself: how many texts reach the model, and that every caller gets the model's vector.
"""

from __future__ import annotations

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from pydantic import Field

from bot.retrieval.embeddings import LazyEmbeddings


class Counting(DeterministicFakeEmbedding):
    seen: list[str] = Field(default_factory=list)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return super().embed_documents(texts)


def _lazy(make_settings, size: int = 512) -> tuple[LazyEmbeddings, Counting]:
    inner = Counting(size=8, seen=[])
    lazy = LazyEmbeddings(make_settings())
    lazy._inner = inner  # the model is what is being counted, not loaded
    lazy.CACHE_SIZE = size
    return lazy, inner


def test_a_repeated_text_reaches_the_model_once(make_settings):
    lazy, inner = _lazy(make_settings)
    reference = DeterministicFakeEmbedding(size=8)
    first = lazy.embed_query("what makes a good problem statement")
    again = lazy.embed_documents(["what makes a good problem statement", "new text", "new text"])
    assert inner.seen == ["what makes a good problem statement", "new text"]
    assert first == again[0] == reference.embed_query("what makes a good problem statement")
    assert again[1] == again[2] == reference.embed_query("new text")


def test_callers_cannot_change_a_cached_vector(make_settings):
    lazy, _inner = _lazy(make_settings)
    vector = lazy.embed_query("stroke prevention")
    vector[0] = 99.0
    assert lazy.embed_query("stroke prevention")[0] != 99.0


def test_the_cache_is_bounded_and_keeps_the_recently_used(make_settings):
    lazy, inner = _lazy(make_settings, size=3)
    for text in ("a", "b", "c"):
        lazy.embed_query(text)
    lazy.embed_query("a")  # now the most recent
    lazy.embed_query("d")  # evicts "b", the least recently used
    inner.seen.clear()
    lazy.embed_documents(["a", "c", "d", "b"])
    assert inner.seen == ["b"]
    assert len(lazy._recent) == 3


@pytest.mark.slow  # imports torch
def test_a_turns_few_texts_run_on_one_torch_thread_and_leave_the_setting_as_it_was(make_settings):
    """Torch splitting three sentences across cores only makes the threads wait on each other."""
    import torch

    from bot.retrieval.embeddings import SMALL_BATCH, _SmallBatchesOnOneThread

    seen: list[int] = []

    class Recording:
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            seen.append(torch.get_num_threads())
            return [[0.0] for _ in texts]

    before = torch.get_num_threads()
    model = _SmallBatchesOnOneThread(Recording())  # type: ignore[arg-type]
    model.embed_documents(["a", "b", "c"])
    model.embed_documents(["x"] * (SMALL_BATCH + 1))
    assert seen == [1, before]
    assert torch.get_num_threads() == before
