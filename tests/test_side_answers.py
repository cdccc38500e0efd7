"""Questions asked mid-conversation get a short cited answer read in the draft's context.

"What does the company get out of this?" means this draft's partner: a pharmaceutical company,
a council or a digital firm, each answered for its own kind. The coach then returns to its
place, and corrections or change requests that end in "?" are not answered as questions.
"""

from __future__ import annotations

import re

import pytest

from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from bot.retrieval.passage import Passage
from tests.fakes.search import PASSAGES, FakeSearch

ALICE = Actor("T1", "alice")
QUESTION = "what does the company get out of this?"

VALUE = Passage(
    title="How each party sees value",
    source="Test corpus: value",
    path="guides/how-each-party-sees-value.md",
    heading="Value for each kind of partner",
    kind="guide",
    score=0.0,
    text=(
        "Every partner should say plainly what it gets out of the partnership. A pharmaceutical "
        "company gets a shared view of the health challenges linked to its medicines, with a "
        "return expected over several years. A council gets lower long-term care costs and "
        "more independence for the residents it supports. A digital company gets a reference "
        "site and real-world evidence that its product works in the NHS."
    ),
    source_urls=("https://example.org/value",),
)
PARTNER_WORDS = {
    "pharmaceutical": "A pharmaceutical company gets",
    "local_government": "A council gets",
    "digital": "A digital company gets",
}


@pytest.fixture
def engine(store):
    return Engine(store, search=FakeSearch((*PASSAGES, VALUE)))


@pytest.mark.parametrize("partner_type", list(PARTNER_WORDS))
def test_the_company_is_this_drafts_partner(engine, store, partner_type):
    draft_id = engine.start(ALICE, "Falls at home", partner_type=partner_type).draft_id
    before = store.get_draft(ALICE, draft_id)
    reply = engine.handle(ALICE, draft_id, QUESTION)
    assert reply.kind == "answer"
    opening = reply.text.split(" [", 1)[0]
    assert opening.startswith(PARTNER_WORDS[partner_type]), reply.text
    others = [words for kind, words in PARTNER_WORDS.items() if kind != partner_type]
    assert not any(reply.text.startswith(words) for words in others)
    # cited by number, the number traceable to the document and its URL
    assert "[1]" in reply.text
    assert (
        "[1] How each party sees value" in reply.text and "https://example.org/value" in reply.text
    )
    # and back to its place, nothing filed
    after = store.get_draft(ALICE, draft_id)
    assert after.question_key == before.question_key and after.answers == before.answers
    assert "Back to where we were" in reply.text and reply.question


def test_a_question_without_a_question_mark_is_answered_too(engine):
    draft_id = engine.start(ALICE, "Data for reviews", partner_type="digital").draft_id
    reply = engine.handle(ALICE, draft_id, "so can they see our data or not")
    assert reply.kind == "answer"
    assert re.search(r"\[\d\]", reply.text)
    assert "processor" in reply.text or "controller" in reply.text


@pytest.mark.parametrize(
    "message",
    ["no, I said 18% not 12%?", "can you change the partner to a council?"],
)
def test_corrections_and_change_requests_are_not_answered_as_questions(engine, store, message):
    draft_id = engine.start(ALICE, "AF").draft_id
    reply = engine.handle(ALICE, draft_id, message)
    assert reply.kind != "answer"
    assert "Here is what the knowledge base says" not in reply.text
    assert not re.search(r"^\[1\] ", reply.text, re.MULTILINE), "no cited knowledge answer"


def test_a_question_outside_any_draft_gets_the_same_composed_answer(engine):
    reply = engine.answer_question("what is a driver diagram?")
    assert reply.kind == "answer"
    assert reply.text.startswith("A driver diagram links an aim")
    assert "[1] Driver diagrams" in reply.text and "https://example.org/" in reply.text
    assert len(reply.text.split("\n\n")[0].split()) <= 200


@pytest.mark.slow  # which sentences answer it is the real index's doing
def test_the_company_question_in_three_real_drafts(store, knowledge_search):
    engine = Engine(store, search=knowledge_search)
    answers = {}
    for partner_type, word in (
        ("pharmaceutical", "pharmaceutical"),
        ("local_government", "council"),
        ("digital", "digital"),
    ):
        draft_id = engine.start(ALICE, "Falls at home", partner_type=partner_type).draft_id
        reply = engine.handle(ALICE, draft_id, QUESTION)
        assert reply.kind == "answer"
        said = reply.text.split("\n\n")[0]
        assert word in said.lower(), f"{partner_type}: {said}"
        assert re.search(r"\[\d\]", said) and len(said.split()) <= 200
        answers[partner_type] = said
    assert len(set(answers.values())) == 3, "each partner type gets its own answer"
