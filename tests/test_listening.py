"""The coach listens: whole conversations where people answer out of order, paste everything at
once, say "help" or "thanks", or ask for a rewrite; in guided mode and on the fake model server.
"""

from __future__ import annotations

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.openai_server import FakeOpenAI, Scripted
from benchmarks.support.scripted_coach import reply_for
from benchmarks.support.scripted_users import (
    RICH_LABELS,
    RICH_PARAGRAPH,
    TERSE_SCRIPT,
    ahead_script,
    behind_script,
)
from bot.coaching.engine import Engine
from bot.coaching.flow import Flow
from bot.coaching.llm_coach import LLMCoach
from bot.coaching.questions import NOW, PARTNERS, QUESTION_KEYS, ROOT_CAUSE, TOPIC, VALUE_PATIENTS
from bot.coaching.stages import REVIEW
from bot.drafts.records import Actor

ALICE = Actor("T1", "alice")


@pytest.fixture
def offline(store):
    """Guided mode on the deterministic recogniser: fast, no model."""
    return Engine(store, search=None)


def run(engine: Engine, script: list[tuple[str, str]], title: str = "AF") -> tuple[str, int]:
    draft_id = engine.start(ALICE, title).draft_id
    turns = 1
    for text, _label in script:
        reply = engine.handle(ALICE, draft_id, text)
        turns += 1
        if "Try a new version" in reply.text:
            engine.handle(ALICE, draft_id, "skip")
            turns += 1
    return draft_id, turns


def misfiled(answers: dict[str, str], script: list[tuple[str, str]]) -> list[str]:
    """Script parts not stored under the question(s) they were labelled with."""
    wrong = []
    for text, label in script:
        for key in label.split("+"):
            expected = GOOD_ANSWERS[key] if "+" in label else text
            if expected.rstrip(".") not in answers.get(key, ""):
                wrong.append(key)
    return wrong


def test_a_user_one_step_ahead_loses_nothing_and_misfiles_nothing(offline, store):
    script = ahead_script()
    draft_id, turns = run(offline, script)
    draft = store.get_draft(ALICE, draft_id)
    assert misfiled(draft.answers, script) == []
    assert draft.question_key == REVIEW and turns <= len(QUESTION_KEYS) + 1


def test_a_user_one_step_behind_loses_nothing_and_misfiles_nothing(offline, store):
    script = behind_script()
    draft_id, _turns = run(offline, script)
    draft = store.get_draft(ALICE, draft_id)
    assert misfiled(draft.answers, script) == []
    assert draft.question_key == REVIEW


def test_the_sequential_user_still_finishes_in_the_same_number_of_turns(offline, store):
    script = [(GOOD_ANSWERS[k], k) for k in QUESTION_KEYS]
    draft_id, turns = run(offline, script)
    draft = store.get_draft(ALICE, draft_id)
    assert draft.question_key == REVIEW and misfiled(draft.answers, script) == []
    assert turns == len(QUESTION_KEYS) + 1


def test_a_terse_user_is_understood(offline, store):
    draft_id, _turns = run(offline, TERSE_SCRIPT, "Asthma")
    draft = store.get_draft(ALICE, draft_id)
    assert misfiled(draft.answers, TERSE_SCRIPT) == []


def test_an_answer_to_another_question_is_filed_there_and_the_question_asked_again(offline, store):
    draft_id = offline.start(ALICE, "HF", partners=["Our trust", "Acme Ltd"]).draft_id
    offline.handle(ALICE, draft_id, GOOD_ANSWERS[TOPIC])
    for key in QUESTION_KEYS[2:6]:
        offline.handle(ALICE, draft_id, GOOD_ANSWERS[key])
    assert store.get_draft(ALICE, draft_id).question_key == ROOT_CAUSE
    reply = offline.handle(
        ALICE, draft_id, "Patients would gain fewer crises and more days at home."
    )
    assert reply.text.startswith("That sounds like the value for patients; I've put it there.")
    assert reply.question.startswith("Why does the problem happen?")
    draft = store.get_draft(ALICE, draft_id)
    assert draft.question_key == ROOT_CAUSE and ROOT_CAUSE not in draft.answers
    assert "more days at home" in draft.answers[VALUE_PATIENTS]


def test_the_same_words_sent_again_answer_the_question_asked(offline, store):
    """A facilitator who misreads an answer takes the hint when it is repeated."""
    draft_id = offline.start(ALICE, "HF", partners=["Our trust", "Acme Ltd"]).draft_id
    offline.handle(ALICE, draft_id, GOOD_ANSWERS[TOPIC])
    for key in QUESTION_KEYS[2:6]:
        offline.handle(ALICE, draft_id, GOOD_ANSWERS[key])
    said = "Patients would gain fewer crises and more days at home."
    first = offline.handle(ALICE, draft_id, said)
    assert "send it again and I'll keep it here" in first.text
    again = offline.handle(ALICE, draft_id, said.lower())
    assert again.text.startswith("Understood: I've kept that as the cause.")
    draft = store.get_draft(ALICE, draft_id)
    assert draft.answers[ROOT_CAUSE] == said.lower()
    assert VALUE_PATIENTS not in draft.answers  # moved, not copied
    assert draft.question_key != ROOT_CAUSE


def test_a_different_answer_after_a_redirect_is_read_afresh(offline, store):
    """Only a repeat is taken as insistence: a user running ahead still has each part placed."""
    draft_id = offline.start(ALICE, "HF", partners=["Our trust", "Acme Ltd"]).draft_id
    offline.handle(ALICE, draft_id, GOOD_ANSWERS[TOPIC])
    for key in QUESTION_KEYS[2:6]:
        offline.handle(ALICE, draft_id, GOOD_ANSWERS[key])
    offline.handle(ALICE, draft_id, "Patients would gain fewer crises and more days at home.")
    offline.handle(ALICE, draft_id, GOOD_ANSWERS[ROOT_CAUSE])
    draft = store.get_draft(ALICE, draft_id)
    assert "more days at home" in draft.answers[VALUE_PATIENTS]
    assert draft.answers[ROOT_CAUSE] == GOOD_ANSWERS[ROOT_CAUSE]
    assert Flow.from_json(draft.flow).redirect is None


def test_asked_what_the_nhs_gains_an_unlabelled_benefit_is_the_nhs_gain(offline, store):
    draft_id = offline.start(ALICE, "HF", partners=["Our trust", "Acme Ltd"]).draft_id
    offline.handle(ALICE, draft_id, "edit value for the NHS")
    offline.handle(ALICE, draft_id, "Fewer fractures and admissions.")
    answers = store.get_draft(ALICE, draft_id).answers
    assert answers.get("value.nhs") == "Fewer fractures and admissions."
    assert VALUE_PATIENTS not in answers


def test_help_thanks_and_hello_are_never_filed(offline, store):
    draft_id = offline.start(ALICE, "AF").draft_id
    for text, expected in (("help", "in any order"), ("thanks!", "welcome"), ("hi", "Hello")):
        reply = offline.handle(ALICE, draft_id, text)
        assert expected in reply.text
        assert reply.question and reply.question.startswith("Who are the partners")
    assert store.get_draft(ALICE, draft_id).answers == {}
    stop = offline.handle(ALICE, draft_id, "stop")
    assert "saved" in stop.text and store.get_draft(ALICE, draft_id).answers == {}


def test_a_knowledge_question_without_a_question_mark_is_answered_not_filed(offline, store):
    draft_id = offline.start(ALICE, "AF").draft_id
    reply = offline.handle(ALICE, draft_id, "tell me about driver diagrams")
    assert reply.kind == "answer"
    assert store.get_draft(ALICE, draft_id).answers == {}


def test_a_guided_revision_request_says_what_can_be_done_without_a_model(offline, store):
    draft_id, _ = run(offline, [(GOOD_ANSWERS[k], k) for k in QUESTION_KEYS])
    reply = offline.handle(ALICE, draft_id, "make it shorter and mention winter")
    assert reply.kind == "info" and "problem: …" in reply.text and "edit evidence" in reply.text
    assert not reply.tips and "knowledge base says" not in reply.text
    assert len(store.versions(ALICE, draft_id)) == 1


def test_what_fits_nowhere_is_kept_and_show_lists_answers_by_question(offline, store):
    draft_id = offline.start(ALICE, "AF").draft_id
    offline.handle(
        ALICE, draft_id, f"{GOOD_ANSWERS[PARTNERS]}. Sorry, I typed this on my phone in a rush."
    )
    flow = Flow.from_json(store.get_draft(ALICE, draft_id).flow)
    assert [u.text for u in flow.unplaced] == ["Sorry, I typed this on my phone in a rush."]
    shown = offline.handle(ALICE, draft_id, "where are we")
    assert "The partners" in shown.text and "Not placed yet" in shown.text
    thanks = offline.handle(ALICE, draft_id, "thanks")
    assert thanks.kind == "info" and "welcome" in thanks.text


def test_rewrites_and_return_to_review_live_in_the_flow_not_the_answers(offline, store):
    draft_id, _ = run(offline, [(GOOD_ANSWERS[k], k) for k in QUESTION_KEYS])
    rewrite = offline.handle(
        ALICE, draft_id, "problem: Adults with AF in 9 practices miss reviews."
    )
    assert rewrite.content.problem_statement == "Adults with AF in 9 practices miss reviews."
    offline.handle(ALICE, draft_id, "edit evidence")
    draft = store.get_draft(ALICE, draft_id)
    assert set(draft.answers) == set(QUESTION_KEYS)
    assert Flow.from_json(draft.flow).return_to_review
    again = offline.handle(ALICE, draft_id, "Practice registers, 2025: 58% anticoagulated")
    assert again.kind == "draft" and again.content.problem_statement.startswith("Adults with AF in")


@pytest.mark.slow
def test_a_rich_paragraph_reaches_a_strong_draft_in_two_turns(store, knowledge_search):
    engine = Engine(store, search=knowledge_search)
    reply = engine.start(ALICE, "Heart failure at home", opening_text=RICH_PARAGRAPH)
    draft = store.get_draft(ALICE, reply.draft_id)
    wrong = {k: v for k, v in RICH_LABELS.items() if v not in draft.answers.get(k, "")}
    assert wrong == {}
    assert reply.kind == "draft" and reply.rubric.total >= 16, reply.rubric
    # then the weakest criterion's question, or (everything answered) the review's next steps
    assert reply.question or "**accept**" in reply.text
    assert "I've noted the partners, who is affected" in reply.text


def _scripted(request):
    return Scripted(**reply_for(request))


def test_llm_mode_files_answers_and_coaches_with_one_reading_call(store, make_settings):
    with FakeOpenAI() as fake:
        fake.set_default(_scripted)
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=None)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS[PARTNERS])
        assert not reply.notices
        assert store.get_draft(ALICE, draft_id).answers == {PARTNERS: GOOD_ANSWERS[PARTNERS]}
        (reading,) = fake.chat_requests()
        assert "ReadOutput" in str(reading)
        assert reply.text.startswith("Good start"), "the reading's feedback is the reply"


def test_llm_extraction_cannot_file_words_the_user_never_wrote(store, make_settings):
    invented = {"parts": [{"text": "We have no nurses.", "questions": [ROOT_CAUSE]}]}

    def lying(request):
        if "ReadOutput" in str(request):
            return Scripted(content=__import__("json").dumps({**invented, "feedback": "Fine."}))
        return _scripted(request)

    with FakeOpenAI() as fake:
        fake.set_default(lying)
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=None)
        draft_id = engine.start(ALICE, "AF").draft_id
        engine.handle(ALICE, draft_id, GOOD_ANSWERS[PARTNERS])
        answers = store.get_draft(ALICE, draft_id).answers
        assert ROOT_CAUSE not in answers and answers[PARTNERS] == GOOD_ANSWERS[PARTNERS]


def test_a_server_that_rejects_the_extraction_format_falls_back_to_the_guided_recogniser(
    store, make_settings
):
    with FakeOpenAI(reject_json_schema=True, reject_json_mode=True, reject_tools=True) as fake:
        fake.set_default(_scripted)
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=None)
        draft_id = engine.start(ALICE, "AF", partners=["Our network", "Acme"]).draft_id
        engine.handle(ALICE, draft_id, GOOD_ANSWERS[TOPIC])
        reply = engine.handle(
            ALICE, draft_id, f"{GOOD_ANSWERS['affected.who']}. {GOOD_ANSWERS[NOW]}"
        )
        assert any("supports none of" in n for n in reply.notices)
        answers = store.get_draft(ALICE, draft_id).answers
        assert answers[NOW] == GOOD_ANSWERS[NOW]
        assert "atrial fibrillation (AF) on the registers" in answers["affected.who"]


def test_a_second_answer_to_a_question_is_added_as_a_new_sentence():
    from bot.coaching.filing import file_parts
    from bot.coaching.questions import WHO
    from bot.coaching.recogniser import Part

    answers = {WHO: "Residents who fall at night"}
    parts = [Part("Older people in the 15 care homes in our borough", (WHO,), 0.9, WHO)]
    filing = file_parts(answers, Flow(), parts, asked=NOW)
    assert filing.answers[WHO] == (
        "Residents who fall at night. Older people in the 15 care homes in our borough"
    )


def test_a_draft_started_from_a_paste_is_titled_by_its_problem_not_its_partners(offline, store):
    pasted = (
        "Our primary care network and a pharmaceutical company. "
        "Adults with atrial fibrillation on the registers of our 9 practices are affected."
    )
    reply = offline.start(ALICE, "", opening_text=pasted)
    title = store.get_draft(ALICE, reply.draft_id).title
    assert title.startswith("Adults with atrial fibrillation"), title
