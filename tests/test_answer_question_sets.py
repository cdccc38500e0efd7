"""The answer question sets are what the answer figures in `make bench` stand on.

The sets are frozen (written by helpers who did not read the code), so what is checked here is
that each still measures something real: every question has facts, every fact has a phrasing
that its cited knowledge documents actually state (a fact no document holds could never pass and
would only lower the figure).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.answers import FINAL, HOLDOUT, QUESTIONS, has_fact, load_questions

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SETS = {"tuned": QUESTIONS, "held out A": HOLDOUT, "held out B": FINAL}


@pytest.mark.parametrize("name", list(SETS))
def test_every_fact_is_stated_in_a_source_the_question_cites(name):
    for q in load_questions(SETS[name]):
        if q.pending:
            continue  # waits on a knowledge correction, reported apart
        assert q.facts, q.id
        text = " ".join(
            (KNOWLEDGE / path).read_text(encoding="utf-8")
            for path in q.sources
            if (KNOWLEDGE / path).exists()
        )
        assert text, f"{q.id} cites no knowledge document that exists"
        for fact in q.facts:
            assert has_fact(text, fact), f"{q.id}: no source states any of {fact}"
