"""Hybrid search over the knowledge index: dense vectors and BM25, fused, then diversified.

The small local embedding model misses paraphrases that share rare words with a passage, and
BM25 misses paraphrases that share none; reciprocal-rank fusion of the two beats either alone
(measured in `make bench`). A third, lighter ranking is BM25 over whole documents: a question's
words are often spread over a document's sections ("tender" in one, "pilot" in another) and no
single passage holds them all, while a document that uses them throughout is more likely the
right one. Every passage of a document shares that document's rank, so no passage is favoured by
its position. MMR then keeps the top results from repeating one document.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rank_bm25 import BM25Okapi

from bot.retrieval.embeddings import LazyEmbeddings, embedding_id
from bot.retrieval.passage import Passage
from bot.retrieval.quotable import answer_sentences
from bot.retrieval.sentence_vectors import SentenceVectors
from bot.retrieval.terms import search_terms
from bot.retrieval.vectorstore import (
    COLLECTION,
    IndexMissing,
    check_embedding_model,
    chroma_client,
    collection_info,
)
from bot.settings import Settings

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 5  # small corpus: the top of each ranking matters more than its long tail
DOCUMENT_WEIGHT = 0.5  # the whole-document BM25 ranking counts half as much as each passage one
MMR_LAMBDA = 0.75


# A passage's metadata as Chroma returns it. Chroma types the values loosely (scalars, lists,
# sparse vectors); the indexer writes scalars only, and `_Chunk.text` and `_Chunk.number` are
# the one place they are read, each giving a plain str or int whatever Chroma hands back.
Metadata = Mapping[str, object]


@dataclass(frozen=True)
class _Chunk:
    id: str
    content: str
    metadata: Metadata
    vector: np.ndarray

    def text(self, key: str) -> str:
        """A metadata value as text ("" when absent): titles, paths, headings, tags."""
        value = self.metadata.get(key)
        return "" if value is None else str(value)

    def number(self, key: str) -> int:
        """A metadata value as a whole number (0 when absent or not a number)."""
        value = self.metadata.get(key)
        return int(value) if isinstance(value, int | float) else 0

    @property
    def body(self) -> str:
        """The passage without the title and headings the indexer put in front of it."""
        return self.content[self.number("body_start") :]


class KnowledgeSearch:
    """Answers queries from the index; cheap to keep for the life of a process."""

    def __init__(self, settings: Settings, embeddings: LazyEmbeddings | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings or LazyEmbeddings(settings)
        # the answer composer's sentence vectors, kept beside the index (bot.retrieval.answering)
        self.sentence_vectors = SentenceVectors(
            self.embeddings,
            settings.coach_data_dir / "sentence_vectors.npz",
            embedding_id(settings),
        )
        self._client = chroma_client(settings)
        self._lock = threading.Lock()
        self._chunks: list[_Chunk] = []
        self._bm25: BM25Okapi | None = None
        self._document_bm25: BM25Okapi | None = None
        self._matrix: np.ndarray | None = None
        self._documents: np.ndarray = np.zeros(0, dtype=np.int64)
        self._loaded_count = -1

    # -- corpus -----------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Load passages and vectors once, and again only if the index has changed size."""
        info = collection_info(self._client)
        if info is None or info.chunks == 0:
            raise IndexMissing("The knowledge index is empty. Run `coach index` first.")
        check_embedding_model(info, embedding_id(self.settings))
        with self._lock:
            if info.chunks == self._loaded_count:
                return
            data = self._client.get_collection(COLLECTION).get(
                include=["documents", "metadatas", "embeddings"]
            )
            chunks = [
                _Chunk(i, doc or "", dict(meta or {}), np.asarray(vec, dtype=np.float32))
                for i, doc, meta, vec in zip(
                    data["ids"],
                    data["documents"] or [],
                    data["metadatas"] or [],
                    data["embeddings"] if data["embeddings"] is not None else [],
                    strict=True,
                )
            ]
            chunks.sort(key=lambda c: (c.text("path"), c.number("chunk")))
            self._chunks = chunks
            self._bm25 = BM25Okapi([search_terms(_bm25_text(c)) or ["_"] for c in chunks])
            self._documents = _document_index(chunks)
            self._document_bm25 = BM25Okapi(
                [search_terms(text) or ["_"] for text in _document_texts(chunks)]
            )
            matrix = np.vstack([c.vector for c in chunks])
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._matrix = matrix / np.where(norms == 0, 1, norms)
            self._loaded_count = info.chunks

    @property
    def passage_count(self) -> int:
        self._refresh()
        return len(self._chunks)

    def warm_up(self) -> None:
        """Load the corpus and the embedding model now rather than on the first question."""
        self._refresh()
        self.embeddings.embed_query("warm up")
        self.prepare_answers()

    def keep_what_was_learnt(self) -> None:
        """Write to disk the sentence vectors embedded since the last save.

        A one-shot `coach ask` embeds the sentences it meets for the first time; keeping them
        lets the next process skip that work. Callers say when (after answering, not during),
        because the write is the slow part and must not delay the answer on screen.
        """
        self.sentence_vectors.save()

    def outline(self, path: str) -> list[str]:
        """A document's section headings in order: what a "what are the stages" question
        is often answered by (bot.retrieval.answering)."""
        self._refresh()
        headings: list[str] = []
        for chunk in self._chunks:
            if chunk.text("path") != path:
                continue
            top = chunk.text("heading").split(" > ")[0].strip()
            if top and top not in headings:
                headings.append(top)
        return headings

    def prepare_answers(self) -> int:
        """Embed the sentences answers are made of, once per knowledge base (kept on disk)."""
        self._refresh()
        texts = (s for c in self._chunks for s in answer_sentences(c.body))
        return self.sentence_vectors.prepare(texts)

    # -- ranking ------------------------------------------------------------------------------
    def _dense_scores(self, query: str, meaning_of: Sequence[str] = ()) -> np.ndarray:
        """Cosine similarity of every passage to the query (or to `meaning_of`, see search)."""
        if meaning_of:
            rows = np.asarray(self.embeddings.embed_documents(list(meaning_of)), dtype=np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True).clip(min=1e-12)
            vector = rows.mean(axis=0)
        else:
            vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        vector /= np.linalg.norm(vector) or 1.0
        assert self._matrix is not None
        scores: np.ndarray = self._matrix @ vector  # numpy types `@` loosely
        return scores

    def _bm25_scores(self, query: str) -> np.ndarray:
        assert self._bm25 is not None
        terms = search_terms(query)
        if not terms:
            return np.zeros(len(self._chunks))
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float64)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        kind: str | None = None,
        mode: Mode = "hybrid",
        diversify: bool = True,
        meaning_of: Sequence[str] = (),
    ) -> list[Passage]:
        """The best `k` passages for `query`, optionally of one kind only.

        `meaning_of` gives the dense side the texts the query is made of (a question's topic and
        the sentences of an answer) instead of the whole query: the mean of their vectors
        stands in for the query's own, and they are usually embedded already (the recogniser
        read the answer), so a coaching turn does not embed the same words twice. The word
        (BM25) side always reads the whole query.
        """
        query = query.strip()
        if not query:
            return []
        self._refresh()
        allowed = np.array(
            [kind is None or c.text("kind") == kind for c in self._chunks], dtype=bool
        )
        if not allowed.any():
            return []
        if mode == "dense":
            relevance = self._dense_scores(query, meaning_of)
        elif mode == "bm25":
            relevance = self._bm25_scores(query)
            top = relevance.max() if relevance.size else 0
            relevance = relevance / top if top > 0 else relevance
        else:
            relevance = self._fused(query, meaning_of)
        relevance = np.where(allowed, relevance, -math.inf)
        order = [int(i) for i in np.argsort(-relevance) if allowed[i]]
        pool = order[: max(k * 4, 20)]
        chosen = self._mmr(pool, relevance, k) if diversify else pool[:k]
        return [self._passage(i, float(relevance[i])) for i in chosen]

    def _fused(self, query: str, meaning_of: Sequence[str] = ()) -> np.ndarray:
        """Weighted reciprocal-rank fusion, scaled so 1.0 is the best possible."""
        assert self._document_bm25 is not None
        rankings = [
            (_ranks(self._dense_scores(query, meaning_of)), 1.0),
            (_ranks(self._bm25_scores(query)), 1.0),
        ]
        terms = search_terms(query)
        if terms:
            by_document = _ranks(np.asarray(self._document_bm25.get_scores(terms)))
            rankings.append((by_document[self._documents], DOCUMENT_WEIGHT))
        fused = sum(weight / (RRF_K + 1 + ranks) for ranks, weight in rankings)
        best = sum(weight for _, weight in rankings) / (RRF_K + 1)
        return np.asarray(fused, dtype=np.float64) / best

    def _mmr(self, pool: list[int], relevance: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance on the passage vectors, over the best candidates."""
        assert self._matrix is not None
        if not pool:
            return []
        rel = relevance[pool]
        span = float(rel.max() - rel.min()) or 1.0
        rel = (rel - rel.min()) / span
        vectors = self._matrix[pool]
        similarity = vectors @ vectors.T
        chosen: list[int] = []
        remaining = list(range(len(pool)))
        while remaining and len(chosen) < k:
            if chosen:
                redundancy = similarity[np.ix_(remaining, chosen)].max(axis=1)
            else:
                redundancy = np.zeros(len(remaining))
            marginal = MMR_LAMBDA * rel[remaining] - (1 - MMR_LAMBDA) * redundancy
            best = remaining[int(np.argmax(marginal))]
            chosen.append(best)
            remaining.remove(best)
        return [pool[i] for i in chosen]

    def _passage(self, i: int, score: float) -> Passage:
        chunk = self._chunks[i]
        return Passage(
            title=chunk.text("title"),
            source=chunk.text("source"),
            path=chunk.text("path"),
            heading=chunk.text("heading"),
            kind=chunk.text("kind"),
            score=round(score, 4),
            text=chunk.body,
            source_urls=tuple(chunk.text("source_url").split()),
            tags=tuple(t.strip() for t in chunk.text("tags").split(",") if t.strip()),
        )


def _bm25_text(chunk: _Chunk) -> str:
    """What BM25 matches: the passage (with its title and headings) and its document's tags."""
    return chunk.content + " " + chunk.text("tags").replace("-", " ")


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0 for the best score, 1 for the next, and so on."""
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return ranks


def _document_texts(chunks: list[_Chunk]) -> list[str]:
    """One text per document, in `_document_index` order: its title, tags and every passage.

    Passages overlap a little at their seams, so a few words count twice; BM25's saturation
    makes that immaterial.
    """
    texts: dict[str, list[str]] = {}
    for chunk in chunks:
        path = chunk.text("path")
        if path not in texts:
            texts[path] = [chunk.text("tags").replace("-", " ")]
        texts[path].append(chunk.content if len(texts[path]) == 1 else chunk.body)
    return [" ".join(parts) for parts in texts.values()]


def _document_index(chunks: list[_Chunk]) -> np.ndarray:
    """A small integer per passage naming its document, for document-level support."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(c.text("path"), len(ids)) for c in chunks], dtype=np.int64)
