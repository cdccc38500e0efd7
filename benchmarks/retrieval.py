"""Retrieval: index build and re-index time, dense vs BM25 vs hybrid quality (the tuning split
and, in every mode, the held-back and blind splits), query latency."""

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
QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions"  # tuning split; the folders are not
# Splits nobody tuned on, reported in every mode so a gain on the tuning split can be checked.
UNTUNED_SPLITS = {"held back": QUESTIONS / "heldback", "blind": QUESTIONS / "blind"}
MODES = [("dense", False), ("bm25", False), ("hybrid", False), ("hybrid", True)]


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
            evaluate(search, questions, mode=mode, diversify=diversify) for mode, diversify in MODES
        ]
        for split, folder in UNTUNED_SPLITS.items():
            untuned = load_questions(folder)
            for mode, diversify in MODES:
                report = evaluate(search, untuned, mode=mode, diversify=diversify)
                report.mode += f" ({split})"
                quality.append(report)
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
