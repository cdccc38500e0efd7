"""Retrieval quality on the labelled paraphrase set, with the real model and the real index."""

from __future__ import annotations

from bot.retrieval.quality import evaluate, load_questions
from tests.conftest import ROOT

QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions"


def test_labelled_set_is_large_and_points_at_real_files():
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 40
    for labelled in questions:
        for path in labelled.expected:
            assert (ROOT / "knowledge" / path).exists(), path


def test_hybrid_hit_at_3_is_at_least_0_90(knowledge_search):
    report = evaluate(knowledge_search, load_questions(QUESTIONS))
    print(f"\nhybrid: hit@1={report.hit_at_1:.2f} hit@3={report.hit_at_3:.2f} mrr={report.mrr:.2f}")
    for question, top in report.misses:
        print(f"  miss: {question!r} -> {top}")
    assert report.hit_at_3 >= 0.90, report.misses


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
