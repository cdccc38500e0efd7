"""LLM mode end to end: real ChatOpenAI and openai client against a fake server on loopback."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.openai_server import FakeOpenAI, Scripted
from benchmarks.support.scripted_coach import DRAFT, reply_for, wanted_schema
from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.records import Actor
from bot.llm.client import PROMPT_BUDGET_TOKENS, history_messages, make_chat
from bot.tokens import count_tokens

ALICE = Actor("T1", "alice")


def scripted(request):
    return Scripted(**reply_for(request))


def make_engine(fake, store, make_settings, fake_search, timeout=5.0):
    settings = make_settings(
        openai_base_url=fake.url, coach_model="fake-coach", coach_llm_timeout=timeout
    )
    return Engine(store, LLMCoach(settings), search=fake_search)


def run_conversation(engine):
    draft_id = engine.start(ALICE, "Stroke prevention").draft_id
    reply = None
    for key in QUESTION_KEYS:
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS[key])
        if "Try a new version" in reply.text:
            reply = engine.handle(ALICE, draft_id, "skip")
    return draft_id, reply


def test_whole_llm_conversation_records_model_prompts_and_tokens(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id, final = run_conversation(engine)
        assert final.kind == "draft" and not final.notices
        assert final.coach_mode == "llm"
        assert final.content.problem_statement.startswith("Adults with atrial fibrillation")
        assert final.content.sources, "the draft cites the passages it was given"
        assert final.content.checklist, "a pharmaceutical partner gets the readiness checklist"
        (version,) = store.versions(ALICE, draft_id)
        assert version.coach_mode == "llm" and version.model == "fake-coach"
        assert version.prompt_versions["draft"] == "draft@2"
        assert version.prompt_versions["score"] == "score@2"
        assert version.prompt_versions["read"] == "read@1"
        assert version.prompt_tokens > 0 and version.completion_tokens > 0
        readings = [r for r in fake.chat_requests() if "ReadOutput" in json.dumps(r)]
        assert len(readings) >= len(QUESTION_KEYS) - 1
        sent = json.dumps(readings[-1])
        assert "[1]" in sent, "knowledge passages are numbered for citation"


def test_server_without_json_schema_falls_back_to_json_mode(store, make_settings, fake_search):
    with FakeOpenAI(reject_json_schema=True) as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, "draft")
        assert reply.kind == "draft" and not reply.notices
        formats = [(r.get("response_format") or {}).get("type") for r in fake.chat_requests()]
        assert "json_schema" in formats and "json_object" in formats
        assert formats.index("json_schema") < formats.index("json_object")


def test_server_with_no_structured_output_falls_back_to_guided(store, make_settings, fake_search):
    with FakeOpenAI(reject_json_schema=True, reject_json_mode=True, reject_tools=True) as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, "draft")
        assert reply.kind == "draft" and reply.coach_mode == "guided"
        assert any("supports none of" in n for n in reply.notices)
        (version,) = store.versions(ALICE, draft_id)
        assert version.coach_mode == "guided"


def test_malformed_json_falls_back_with_a_notice(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(lambda r: Scripted(content="Sure! Here is your draft: {not json"))
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, "draft")
        assert reply.kind == "draft"
        assert any("malformed JSON" in n for n in reply.notices)


def test_json_wrapped_in_prose_is_salvaged(store, make_settings, fake_search):
    def chatty(request):
        values = reply_for(request)
        if "content" in values and values["content"].startswith("{"):
            values["content"] = "Here you go:\n```json\n" + values["content"] + "\n```"
        return Scripted(**values)

    with FakeOpenAI() as fake:
        fake.set_default(chatty)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, "draft")
        assert not reply.notices and reply.coach_mode == "llm"


def test_rate_limit_is_retried_with_backoff(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        fake.script(Scripted(status=429, headers={"retry-after": "0"}))
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
        assert not reply.notices, reply.notices
        assert reply.text.startswith("Good start")
        requests = fake.chat_requests()
        # the refused request is sent again; that one call both files the answer and writes
        # the feedback
        assert len(requests) == 2 and requests[0] == requests[1]


@pytest.mark.slow  # waits out a model that answers late, on every retry
def test_timeout_falls_back_to_guided_for_that_turn(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(lambda r: Scripted(content="too late", delay=3.0))
        engine = make_engine(fake, store, make_settings, fake_search, timeout=0.3)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
        assert any("did not answer in time" in n for n in reply.notices)
        assert reply.question and reply.question.startswith("In a sentence or two")
        assert store.get_draft(ALICE, draft_id).answers["context.partners"]


def test_side_question_answered_by_the_model_with_citations(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, "what goes into a written agreement?")
        assert reply.kind == "answer" and "[1]" in reply.text
        assert reply.tips
        assert store.get_draft(ALICE, draft_id).question_key == "context.partners"


def rewritten_when_asked(request):
    """The scripted model, whose draft changes when the request asks for something more specific
    (an unchanged draft is shown again without a new version)."""
    kwargs = reply_for(request)
    if wanted_schema(request) == "draft" and "more specific" in json.dumps(request):
        payload = {**DRAFT, "scope": "Adults over 75 on the registers of our 9 practices."}
        if "tool_call" in kwargs:
            kwargs["tool_call"] = {**kwargs["tool_call"], "arguments": payload}
        else:
            kwargs["content"] = json.dumps(payload)
    return Scripted(**kwargs)


def test_revision_request_in_review_writes_a_new_version(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id, _ = run_conversation(engine)
        fake.set_default(rewritten_when_asked)  # the model's rewrite differs from version 1
        before = len(fake.chat_requests())
        reply = engine.handle(ALICE, draft_id, "Make the value for patients more specific")
        assert reply.version == 2
        draft_request = next(
            r for r in fake.chat_requests()[before:] if "DraftOutput" in json.dumps(r)
        )
        assert "more specific" in json.dumps(draft_request)


def test_history_is_trimmed_to_the_budget():
    from bot.llm.exchange import Turn

    history = [Turn("user" if i % 2 else "coach", "word " * 400) for i in range(40)]
    kept = history_messages(history, budget=1500)
    assert 0 < len(kept) < len(history)
    assert sum(count_tokens(str(m.content)) for m in kept) <= 1500
    assert str(kept[-1].content) == history[-1].text  # the newest turns are the ones kept


def test_a_long_conversation_never_exceeds_the_prompt_budget(store, make_settings, fake_search):
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        for _ in range(6):
            engine.handle(ALICE, draft_id, "long answer " * 300)
            engine.handle(ALICE, draft_id, "back")
        for request in fake.chat_requests():
            total = sum(count_tokens(str(m.get("content") or "")) for m in request["messages"])
            assert total <= PROMPT_BUDGET_TOKENS, total


def test_a_malformed_response_body_falls_back_instead_of_crashing(
    store, make_settings, fake_search
):
    with FakeOpenAI() as fake:
        fake.set_default(lambda r: Scripted(body="{this is not a completion"))
        engine = make_engine(fake, store, make_settings, fake_search)
        draft_id = engine.start(ALICE, "AF").draft_id
        reply = engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"])
        assert any("malformed" in n for n in reply.notices)
        assert reply.question and reply.question.startswith("In a sentence or two")
        drafted = engine.handle(ALICE, draft_id, "draft")
        assert drafted.kind == "draft" and drafted.coach_mode == "guided"


def test_replies_are_capped_in_the_field_each_server_honours(store, make_settings, fake_search):
    """llama.cpp's server ignores `max_completion_tokens`, langchain's field: it gets max_tokens."""
    with FakeOpenAI() as fake:
        fake.set_default(scripted)
        settings = make_settings(
            openai_base_url=fake.url, coach_model="fake-coach", coach_llm_max_tokens=300
        )
        engine = Engine(store, LLMCoach(settings), search=fake_search)
        draft_id = engine.start(ALICE, "Stroke prevention").draft_id
        engine.handle(ALICE, draft_id, GOOD_ANSWERS["context.partners"], stream=lambda _t: None)
        engine.handle(
            ALICE, draft_id, "what goes into a written agreement?", stream=lambda _t: None
        )
        engine.handle(ALICE, draft_id, "draft")
        requests = fake.chat_requests()
    structured = [r for r in requests if r.get("response_format") or r.get("tools")]
    assert structured and len(structured) < len(requests), "structured and plain calls both seen"
    assert any(r.get("stream") for r in requests)
    assert {r.get("max_tokens") for r in requests} == {300}
    assert not any("max_completion_tokens" in r for r in requests)

    # OpenAI itself (no base URL) gets the field it asks for, which its reasoning models need
    openai_chat = make_chat(make_settings(openai_api_key="sk-test", coach_llm_max_tokens=300))
    payload = openai_chat._get_request_payload([HumanMessage("Hello")])
    assert payload["max_completion_tokens"] == 300 and "max_tokens" not in payload
