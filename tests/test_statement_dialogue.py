"""Corrections and "what I have" in whole guided conversations (issue 21, items 2 and 3)."""

from __future__ import annotations

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import Engine
from bot.coaching.questions import EVIDENCE, PARTNERS, ROOT_CAUSE, WHO
from bot.coaching.stages import QUESTION_KEYS, REVIEW
from bot.drafts.records import Actor

ALICE = Actor("T1", "alice")
ANSWERS = {
    **GOOD_ANSWERS,
    "evidence": "Practice registers, April 2024 to March 2025: 104 of 1,840 eligible adults "
    "were never reviewed.",
}


@pytest.fixture
def engine(store, fake_search):
    return Engine(store, search=fake_search)


def to_review(engine: Engine, answers=ANSWERS) -> str:
    draft_id = engine.start(ALICE, "AF").draft_id
    for key in QUESTION_KEYS:
        reply = engine.handle(ALICE, draft_id, answers[key])
        if reply.kind == "question" and "Try a new version" in reply.text:
            engine.handle(ALICE, draft_id, "skip")
    return draft_id


def whole(reply) -> str:
    return reply.as_text()


def test_a_figure_corrected_at_review_changes_the_draft_and_is_confirmed(engine, store):
    draft_id = to_review(engine)
    reply = engine.handle(ALICE, draft_id, "sorry, it was 140 admissions not 104")
    assert reply.kind == "draft"
    assert "140 instead of 104" in reply.text
    text = whole(reply).split("\n\n", 1)[1]  # the draft, below the confirmation
    assert "140 of 1,840" in text and "104" not in text
    assert "sorry" not in " ".join(reply.content.evidence).lower()
    draft = store.get_draft(ALICE, draft_id)
    assert "140 of 1,840" in draft.answers[EVIDENCE]
    assert draft.question_key == REVIEW
    assert draft.answers.get("context.topic") == ANSWERS["context.topic"]  # not the topic


def test_can_you_fix_that_after_a_correction_is_not_a_search(engine):
    draft_id = to_review(engine)
    engine.handle(ALICE, draft_id, "sorry, it was 140 admissions not 104")
    reply = engine.handle(ALICE, draft_id, "can you fix that?")
    assert reply.kind == "draft"
    assert "Done" in reply.text and "140 instead of 104" in reply.text
    assert "Here is what the knowledge base says" not in reply.text


def test_a_partner_corrected_in_plain_words_replaces_the_old_one_everywhere(engine, store):
    answers = {**ANSWERS, PARTNERS: "Our primary care network and Northgate Pharmacy Group"}
    draft_id = to_review(engine, answers)
    reply = engine.handle(
        ALICE, draft_id, "actually the partner is the county council, not Northgate Pharmacy Group"
    )
    assert "the county council" in reply.content.partners[-1].lower()
    assert "Northgate" not in whole(reply).split("\n\n", 1)[1]  # only the confirmation names it
    assert not any("Northgate" in p for p in store.get_draft(ALICE, draft_id).partners)


def test_no_that_was_the_cause_moves_the_last_answer(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    for key in QUESTION_KEYS[:4]:
        engine.handle(ALICE, draft_id, ANSWERS[key])
    said = "Reviews are never booked when people leave hospital, so nobody follows them up."
    engine.handle(ALICE, draft_id, said)  # asked for the evidence
    reply = engine.handle(ALICE, draft_id, "no, that was the cause")
    assert "Moved" in reply.text and "the cause" in reply.text
    answers = store.get_draft(ALICE, draft_id).answers
    assert said in answers[ROOT_CAUSE]
    assert said not in answers.get(EVIDENCE, "")


def test_what_i_have_follows_an_answer_and_every_draft(engine, store):
    draft_id = engine.start(ALICE, "AF").draft_id
    engine.handle(ALICE, draft_id, ANSWERS[PARTNERS])
    engine.handle(ALICE, draft_id, ANSWERS["context.topic"])
    reply = engine.handle(ALICE, draft_id, ANSWERS["affected.who"])
    assert "What I have from that:" in reply.text
    assert "• People affected: Adults with atrial fibrillation" in reply.text
    draft = store.get_draft(ALICE, draft_id)
    assert draft.flow["statement"]["slots"]["people"]["answer_key"] == "affected.who"
    final = engine.handle(ALICE, to_review(engine), "draft")
    assert "What I have:" in final.as_text()
    assert any(line.startswith("Cause: ") for line in final.understood)


@pytest.mark.parametrize(
    "who",
    [
        "Women having labour induced at Fairmead, about 1,400 a year.",
        "People on Lowfield's nursing caseload with a leg ulcer, about 1,900 at any time.",
    ],
)
def test_who_given_when_the_topic_is_asked_is_filed_as_who_and_said(engine, store, who):
    draft_id = engine.start(ALICE, "Ahead").draft_id
    engine.handle(ALICE, draft_id, "Our unit and a software company.")
    reply = engine.handle(ALICE, draft_id, who)
    assert "That sounds like who is affected; I've put it there." in reply.text
    answers = store.get_draft(ALICE, draft_id).answers
    assert answers.get(WHO) == who and "context.topic" not in answers
    topic = "Delays between starting induction and reaching the labour ward."
    engine.handle(ALICE, draft_id, topic)
    draft = store.get_draft(ALICE, draft_id)
    assert draft.answers["context.topic"] == topic and draft.question_key != WHO


def test_a_topic_that_mentions_people_stays_the_topic(engine, store):
    draft_id = engine.start(ALICE, "Topic").draft_id
    engine.handle(ALICE, draft_id, "Our unit and a software company.")
    topic = "Young people in Tamford rarely get tested for chlamydia."
    reply = engine.handle(ALICE, draft_id, topic)
    assert "sounds like" not in reply.text
    assert store.get_draft(ALICE, draft_id).answers["context.topic"] == topic


def test_a_labelled_hand_over_is_filed_where_the_label_says_and_the_label_is_not_kept(
    engine, store
):
    draft_id = engine.start(ALICE, "One line ahead").draft_id
    for said in (
        "Fairmead maternity unit and a software company.",
        "Women wait too long between starting induction and the labour ward.",
        "Women having labour induced at Fairmead, about 1,400 a year.",
        "45% wait over 24 hours to move to the labour ward; the unit's standard is 10%.",
    ):
        engine.handle(ALICE, draft_id, said)
    reply = engine.handle(
        ALICE,
        draft_id,
        "Maternity system data, April to September 2025. Also, on why it matters: Long delays "
        "add distress and infection risk.",
    )
    answers = store.get_draft(ALICE, draft_id).answers
    assert answers[EVIDENCE] == "Maternity system data, April to September 2025."
    assert "Long delays add distress" in answers["cause.why_matters"]
    assert "• Harm: Long delays add distress and infection risk" in reply.text
    assert "on why it matters" not in reply.text.split("What I have from that:")[1]
