"""BM25's words are the same whichever thread asks: the stemmer is not shared between threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.retrieval.terms import search_terms

TEXTS = [
    "Collaborative working agreements are certified before the arrangement starts",
    "Information governance: a data protection impact assessment comes first",
    "Partnerships between councils and housing associations reduce admissions",
    "The company's contribution and the exit strategy are agreed in writing",
] * 50


def test_search_terms_are_the_same_from_many_threads_at_once() -> None:
    """The eval runner and Slack's workers search from several threads: a stemmer that keeps
    its current word in itself, shared by all, once raised "string index out of range"."""
    expected = [search_terms(text) for text in TEXTS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(search_terms, TEXTS)) == expected
    assert expected[0][:3] == ["collabor", "work", "agreement"]
