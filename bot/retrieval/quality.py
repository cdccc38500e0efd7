"""Retrieval quality on a labelled question set: hit@1, hit@3 and mean reciprocal rank.

Used by the test that holds the line (hit@3 ≥ 0.90) and by `make bench`, which compares dense,
BM25 and hybrid search in one run, so both measure exactly the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.retrieval.search import KnowledgeSearch, Mode


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    expected: tuple[str, ...]  # knowledge file paths, any of which answers the question


@dataclass
class QualityReport:
    mode: str
    questions: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    mrr: float = 0.0
    misses: list[tuple[str, list[str]]] = field(default_factory=list)  # question, top-3 paths


def load_questions(folder: Path) -> list[LabelledQuestion]:
    questions: list[LabelledQuestion] = []
    for path in sorted(folder.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            questions.append(
                LabelledQuestion(str(entry["question"]), tuple(str(e) for e in entry["expected"]))
            )
    return questions


def evaluate(
    search: KnowledgeSearch,
    questions: list[LabelledQuestion],
    *,
    mode: Mode = "hybrid",
    diversify: bool = True,
    depth: int = 10,
) -> QualityReport:
    """Rank documents by their best passage and score where the first expected one lands."""
    report = QualityReport(mode=mode + ("+mmr" if diversify and mode == "hybrid" else ""))
    reciprocal = hits1 = hits3 = 0.0
    for labelled in questions:
        passages = search.search(labelled.question, k=depth, mode=mode, diversify=diversify)
        ranked: list[str] = []
        for passage in passages:
            if passage.path not in ranked:
                ranked.append(passage.path)
        rank = next((i for i, path in enumerate(ranked, 1) if path in labelled.expected), None)
        if rank is not None:
            reciprocal += 1 / rank
            hits1 += rank == 1
            hits3 += rank <= 3
        if rank is None or rank > 3:
            report.misses.append((labelled.question, ranked[:3]))
    count = len(questions) or 1
    report.questions = len(questions)
    report.hit_at_1 = hits1 / count
    report.hit_at_3 = hits3 / count
    report.mrr = reciprocal / count
    return report
