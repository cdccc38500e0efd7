"""Retrieval quality on the labelled paraphrase set, with the real model and the real index."""

from __future__ import annotations

import pytest

from bot.retrieval.quality import evaluate, load_questions
from tests.conftest import ROOT

# The real index and model; importing the search alone loads Chroma.
pytestmark = pytest.mark.slow

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions"
HELD_BACK = QUESTIONS / "heldback"  # never evaluated while retrieval was tuned
BLIND = QUESTIONS / "blind"  # every kind of document; written before a tuning round, only reported


def test_labelled_set_is_large_and_points_at_real_files():
    questions = load_questions(QUESTIONS)
    held_back = load_questions(HELD_BACK)
    assert len(questions) >= 120 and len(held_back) >= 15
    for labelled in questions + held_back + load_questions(BLIND):
        for path in labelled.expected:
            assert (ROOT / "knowledge" / path).exists(), path


def test_every_topic_guide_has_its_own_questions():
    """Each document is the expected answer of at least two labelled questions."""
    from collections import Counter

    from bot.retrieval.documents import load_knowledge

    counts = Counter(path for q in load_questions(QUESTIONS) for path in q.expected)
    files = load_knowledge([ROOT / "knowledge"], ROOT / "knowledge").files
    unasked = [f.path for f in files if counts[f.path] < 2]
    assert not unasked


def report_line(name: str, report) -> str:
    return (
        f"{name}: n={report.questions} hit@1={report.hit_at_1:.2f} "
        f"hit@3={report.hit_at_3:.2f} mrr={report.mrr:.2f}"
    )


def test_hybrid_quality_on_the_tuning_set(knowledge_search):
    report = evaluate(knowledge_search, load_questions(QUESTIONS))
    print("\n" + report_line("hybrid", report))
    for question, top in report.misses:
        print(f"  miss: {question!r} -> {top}")
    assert report.hit_at_1 >= 0.80, report.misses
    assert report.hit_at_3 >= 0.95, report.misses


def test_hybrid_quality_on_the_held_back_set(knowledge_search):
    """Questions nobody looked at while tuning: the check that tuning did not overfit."""
    report = evaluate(knowledge_search, load_questions(HELD_BACK))
    print("\n" + report_line("hybrid (held back)", report))
    assert report.hit_at_1 >= 0.80, report.misses
    assert report.hit_at_3 >= 0.90, report.misses


def test_hybrid_quality_on_the_blind_set(knowledge_search):
    """The held-back split covers only the newer guides; this one covers every kind of file."""
    report = evaluate(knowledge_search, load_questions(BLIND))
    print("\n" + report_line("hybrid (blind)", report))
    assert report.questions >= 30
    assert report.hit_at_1 >= 0.80, report.misses
    assert report.hit_at_3 >= 0.90, report.misses


def test_hybrid_beats_either_ranking_alone(knowledge_search):
    questions = load_questions(QUESTIONS)
    hybrid = evaluate(knowledge_search, questions)
    for mode in ("dense", "bm25"):
        alone = evaluate(knowledge_search, questions, mode=mode, diversify=False)
        print("\n" + report_line(mode, alone))
        assert hybrid.hit_at_3 > alone.hit_at_3 and hybrid.mrr > alone.mrr, mode


def test_every_document_is_reachable(knowledge_search):
    """Each knowledge file is the top hit for a query made of its own title."""
    from bot.retrieval.documents import load_knowledge

    files = load_knowledge([ROOT / "knowledge"], ROOT / "knowledge").files
    misses = [
        f.path
        for f in files
        if f.path not in [p.path for p in knowledge_search.search(f.title, k=3)]
    ]
    assert not misses


def test_kind_filter_and_empty_query(knowledge_search):
    cases = knowledge_search.search("a partnership that went wrong with patient data", kind="case")
    assert cases and {p.kind for p in cases} == {"case"}
    assert knowledge_search.search("   ") == []


def test_results_are_diverse(knowledge_search):
    passages = knowledge_search.search("how do we write a good problem statement?", k=5)
    assert len({p.path for p in passages}) >= 3
