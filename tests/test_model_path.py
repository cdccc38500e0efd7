"""The model path stays lean: one model call per answer, a statement within its token budget.

Counted on the scripted model server over real HTTP, so what is measured is every request the
real client sends: the numbers `make bench` reports (benchmarks/engine.py) for the same script.
"""

from __future__ import annotations

import json

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.openai_server import FakeOpenAI, Scripted
from benchmarks.support.scripted_coach import reply_for
from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.coaching.questions import PARTNERS
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.records import Actor
from bot.tokens import count_tokens

ALICE = Actor("T1", "alice")
MAX_CALLS_PER_TURN = 1.2
MAX_PROMPT_TOKENS_PER_STATEMENT = 25_000


def _sent_tokens(requests: list[dict]) -> int:
    return sum(
        count_tokens(str(m.get("content") or "")) for r in requests for m in r.get("messages", [])
    )


def _statement(fake: FakeOpenAI, engine: Engine, answers: dict[str, str]) -> tuple[int, list]:
    """A whole statement; returns the turns taken and the model calls of each answer turn."""
    draft_id = engine.start(ALICE, "Lean model path").draft_id
    turns, calls_per_answer = 1, []
    for key in QUESTION_KEYS:
        before = len(fake.chat_requests())
        reply = engine.handle(ALICE, draft_id, answers[key])
        turns += 1
        calls_per_answer.append((key, len(fake.chat_requests()) - before, reply.kind))
        if "Try a new version" in reply.text:
            engine.handle(ALICE, draft_id, "skip")
            turns += 1
    return turns, calls_per_answer


def test_a_statement_costs_one_call_per_answer_and_stays_within_its_token_budget(
    store, make_settings, fake_search
):
    with FakeOpenAI() as fake:
        fake.set_default(lambda request: Scripted(**reply_for(request)))
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=fake_search)
        turns, per_answer = _statement(fake, engine, GOOD_ANSWERS)
        requests = fake.chat_requests()
    *answers, (_last, drafting_calls, kind) = per_answer
    assert all(calls == 1 for _key, calls, _kind in answers), per_answer
    assert kind == "draft" and drafting_calls == 3, "read, write the draft, score it"
    assert len(requests) / turns <= MAX_CALLS_PER_TURN, (len(requests), turns)
    assert _sent_tokens(requests) <= MAX_PROMPT_TOKENS_PER_STATEMENT
    readings = [r for r in requests if "ReadOutput" in json.dumps(r)]
    assert len(readings) == len(QUESTION_KEYS)
    assert not [r for r in requests if not r.get("response_format") and not r.get("tools")], (
        "no separate feedback call"
    )


def test_the_draft_prompt_names_the_partners_kind(store, make_settings, fake_search):
    council = {**GOOD_ANSWERS, PARTNERS: "Our ICB and Riverside County Council"}
    with FakeOpenAI() as fake:
        fake.set_default(lambda request: Scripted(**reply_for(request)))
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=fake_search)
        _statement(fake, engine, council)
        drafts = [r for r in fake.chat_requests() if "DraftOutput" in json.dumps(r)]
        readings = [r for r in fake.chat_requests() if "ReadOutput" in json.dumps(r)]
    assert drafts and "kind: local government" in json.dumps(drafts[-1])
    assert "Partners: local government" in json.dumps(readings[-1])


def test_a_model_drafts_from_the_statement_slots_when_they_are_given(make_settings):
    from bot.coaching.coach import DraftRequest

    slots = "- People affected: adults with atrial fibrillation (from: “adults with AF”)"
    with FakeOpenAI() as fake:
        fake.set_default(lambda request: Scripted(**reply_for(request)))
        coach = LLMCoach(make_settings(openai_base_url=fake.url, coach_model="fake-coach"))
        request = DraftRequest("AF", ["Acme Pharma"], "", dict(GOOD_ANSWERS), [], understood=slots)
        content, _usage = coach.compose(request)
        (sent,) = fake.chat_requests()
    prompt = json.dumps(sent["messages"], ensure_ascii=False)
    assert "read into slots" in prompt and "People affected: adults with atrial" in prompt
    assert GOOD_ANSWERS["cause.root"] not in prompt, "the raw answers are not sent as well"
    assert content.checklist and content.problem_statement


def test_a_failed_reading_is_not_followed_by_a_second_model_call(store, make_settings):
    with FakeOpenAI() as fake:
        fake.set_default(lambda request: Scripted(content="Sure! {not json"))
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=None)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS[PARTNERS])
        requests = fake.chat_requests()
    assert any("malformed" in n for n in reply.notices)
    assert reply.text and reply.question, "the guided coach answered the turn"
    # every request is the reading, tried in each structured format; no plain feedback call
    assert requests and all(r.get("response_format") or r.get("tools") for r in requests)


_SLOT_LINE = r"- {label}: (?P<value>.+?) \(from: "


def _slot_in(prompt: str, label: str) -> str:
    import re

    found = re.search(_SLOT_LINE.format(label=re.escape(label)), prompt)
    return found["value"] if found else ""


def _drafts_from_the_slots(request: dict) -> Scripted:
    """A model that writes its problem statement from the slots its prompt gives it (and
    nothing else), like the draft prompt asks, so what it wrote shows what it was sent."""
    from benchmarks.support.scripted_coach import DRAFT, wanted_schema

    if wanted_schema(request) != "draft":
        return Scripted(**reply_for(request))
    prompt = str(request["messages"][-1]["content"])
    people, now = _slot_in(prompt, "People affected"), _slot_in(prompt, "What happens now")
    cause = _slot_in(prompt, "Cause")
    written = {**DRAFT, "problem_statement": f"{people}: {now}. {cause}."}
    return Scripted(content=json.dumps(written), prompt_tokens=900, completion_tokens=180)


def test_the_llm_draft_is_written_from_the_slots_the_conversation_filled(
    store, make_settings, fake_search
):
    """End to end: chatty answers and a correction in plain words reach the model's drafting
    request as the statement's slots (the chat taken out, the correction applied), and the
    model's draft is made of those slots."""
    chatty = {
        **GOOD_ANSWERS,
        "affected.who": "Well, as I said, adults with atrial fibrillation on the registers of "
        "the 9 practices in our network, I guess.",
        "affected.now": "Honestly only 62% of eligible adults are anticoagulated, against a "
        "national target of 80%.",
    }
    with FakeOpenAI() as fake:
        fake.set_default(_drafts_from_the_slots)
        settings = make_settings(openai_base_url=fake.url, coach_model="fake-coach")
        engine = Engine(store, LLMCoach(settings), search=fake_search)
        draft_id = engine.start(ALICE, "Slots to the model").draft_id
        for key in QUESTION_KEYS:
            reply = engine.handle(ALICE, draft_id, chatty[key])
            if "Try a new version" in reply.text:
                reply = engine.handle(ALICE, draft_id, "skip")
        assert reply.kind == "draft" and reply.coach_mode == "llm"
        first_prompt = json.dumps(
            [r for r in fake.chat_requests() if "DraftOutput" in json.dumps(r)][-1]["messages"],
            ensure_ascii=False,
        )
        corrected = engine.handle(ALICE, draft_id, "sorry, it was 64% not 62%")
        drafts = [r for r in fake.chat_requests() if "DraftOutput" in json.dumps(r)]
    assert "read into slots" in first_prompt
    assert "as I said" not in first_prompt, "the raw chatty answers are not sent as well"
    assert "People affected: Adults with atrial fibrillation on the registers" in first_prompt
    assert "What happens now: Only 62% of eligible adults are anticoagulated" in first_prompt
    written = reply.content.problem_statement
    assert written.startswith("Adults with atrial fibrillation on the registers of the 9")
    assert "Only 62% of eligible adults are anticoagulated" in written
    assert "Anticoagulation reviews are never scheduled" in written
    for chat in ("as I said", "I guess", "Honestly", "Well,"):
        assert chat not in written
    # the correction changed the slot, so the next drafting request and the draft carry it
    last_prompt = json.dumps(drafts[-1]["messages"], ensure_ascii=False)
    assert "What happens now: Only 64% of eligible adults" in last_prompt
    assert corrected.kind == "draft" and "64% instead of 62%" in corrected.text
    assert "Only 64% of eligible adults" in corrected.content.problem_statement
    assert "62%" not in corrected.content.problem_statement
