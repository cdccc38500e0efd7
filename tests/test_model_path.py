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
