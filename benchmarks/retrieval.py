"""Retrieval: index build and re-index time, dense vs BM25 vs hybrid quality (tuning and
held-back question sets), query latency."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.timing import summary_ms, time_calls
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.quality import evaluate, load_questions
from bot.retrieval.search import KnowledgeSearch
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions"  # tuning split; heldback/ is not


def run() -> dict:
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(coach_data_dir=Path(data), coach_knowledge_dir=ROOT / "knowledge")
        embeddings = LazyEmbeddings(settings)
        started = time.perf_counter()
        embeddings.load()
        model_load_s = time.perf_counter() - started

        first = build_index(settings, embeddings=embeddings)
        again = build_index(settings, embeddings=embeddings)

        search = KnowledgeSearch(settings, embeddings)
        questions = load_questions(QUESTIONS)
        quality = [
            evaluate(search, questions, mode="dense", diversify=False),
            evaluate(search, questions, mode="bm25", diversify=False),
            evaluate(search, questions, mode="hybrid", diversify=False),
            evaluate(search, questions, mode="hybrid", diversify=True),
        ]
        held_back = evaluate(search, load_questions(QUESTIONS / "heldback"))
        held_back.mode += " (held back)"
        quality.append(held_back)
        texts = [q.question for q in questions]
        search.search(texts[0])  # warm
        cursor = iter(texts * 5)
        latency = summary_ms(time_calls(lambda: search.search(next(cursor), k=5), len(texts) * 5))

    return {
        "files": first.files,
        "passages": first.passages,
        "model_load_s": round(model_load_s, 2),
        "full_index_s": round(first.seconds, 2),
        "unchanged_reindex_s": round(again.seconds, 3),
        "unchanged_reindex_embedded": again.added,
        "reindex_ratio": round(again.seconds / first.seconds, 4) if first.seconds else None,
        "quality": [
            {
                "mode": q.mode,
                "questions": q.questions,
                "hit_at_1": round(q.hit_at_1, 3),
                "hit_at_3": round(q.hit_at_3, 3),
                "mrr": round(q.mrr, 3),
            }
            for q in quality
        ],
        "warm_query_latency": latency,
    }
