"""Vectors of the knowledge base's sentences, kept on disk so an answer embeds only its question.

The answer composer scores every sentence of the best passages by meaning. Embedding forty
sentences on a CPU costs over a second, which is most of an answer's time; the sentences change
only when the knowledge base does. So their vectors are computed once (when the index is built
or the search warms up) and kept in one owner-only file in the data dir, keyed by the sentence
and the embedding model; a sentence seen for the first time is embedded then and kept.

The file is only a cache: missing, unreadable or written by another model, it is rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.private_files import write_private

log = logging.getLogger(__name__)


class _Embedder(Protocol):
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class SentenceVectors:
    """An embedder for knowledge sentences backed by a file; questions pass straight through."""

    def __init__(self, embeddings: _Embedder, path: Path | None, model: str) -> None:
        self.embeddings = embeddings
        self.path = path
        self.model = model
        self._vectors: dict[str, np.ndarray] | None = None
        self._dirty = False
        self._lock = threading.Lock()

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is not None:
            return self._vectors
        vectors: dict[str, np.ndarray] = {}
        if self.path is not None and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    if str(data["model"]) == self.model:
                        vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except Exception as error:  # a cache: rebuilt, never trusted when unreadable
                log.info("sentence vectors rebuilt (%s)", error)
        self._vectors = vectors
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            known = self._load()
            keys = [_key(t) for t in texts]
            missing = list(
                dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known)
            )
        if missing:
            fresh = self.embeddings.embed_documents(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    if len(vector):
                        known[_key(text)] = np.asarray(vector, dtype=np.float32)
                        self._dirty = True
            if not all(len(v) for v in fresh):
                return [[] for _ in texts]  # an embedder with no dimensions
        return [known[k].tolist() for k in keys]

    def prepare(self, sentences: Iterable[str]) -> int:
        """Embed every sentence not yet known and save; returns how many were new."""
        wanted = list(dict.fromkeys(sentences))
        with self._lock:
            known = self._load()
            missing = [t for t in wanted if _key(t) not in known]
        for start in range(0, len(missing), 64):
            self.embed_documents(missing[start : start + 64])
        self.save()
        return len(missing)

    def save(self) -> None:
        """Write the file if anything was added (atomically: a reader never sees half of it)."""
        with self._lock:
            if not self._dirty or self.path is None or not self._vectors:
                return
            keys = list(self._vectors)
            buffer = io.BytesIO()
            np.savez(
                buffer,
                model=np.asarray(self.model),
                keys=np.asarray(keys),
                vectors=np.vstack([self._vectors[k] for k in keys]),
            )
            self._dirty = False
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            write_private(temporary, buffer.getvalue())
            os.replace(temporary, self.path)
        except OSError as error:  # a read-only data dir: answers still work, only slower
            log.warning("could not keep sentence vectors: %s", error)
            temporary.unlink(missing_ok=True)
