"""👍/👎 under knowledge answers, and knowledge answers streamed, over real HTTP.

The real Bolt app (signed requests) against the fake Slack Web API: an answer in the assistant
panel or a channel thread ends with Slack's feedback buttons; a press keeps one vote per person
and answer (a second press replaces it) and is thanked privately; a forged value (an unknown
answer, one shown elsewhere, another workspace, not ours at all) is refused privately without a
traceback; with a model configured the panel's answer arrives through chat.startStream /
appendStream / stopStream, buttons included.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import select

from benchmarks.support.slack_harness import SIGNING_SECRET, SlackAppServer, SlackClientSimulator
from bot.coaching.engine import Engine
from bot.drafts.models import AnswerFeedback
from bot.slack.listeners.actions import ANSWER_NOT_HERE, THANKS_DOWN, THANKS_UP
from tests.slack_block_limits import slack_limit_problems
from tests.slack_fixtures import ALICE, thread_message

PANEL = "1800000400.000000"  # the assistant panel's thread in Alice's DM with the app
QUESTION = "what is a driver diagram?"


def _feedback_values(blocks: list[dict]) -> dict[str, str]:
    """{"positive": value, "negative": value} of the feedback buttons in a message's blocks."""
    (element,) = [e for b in blocks if b["type"] == "context_actions" for e in b["elements"]]
    assert element["type"] == "feedback_buttons" and element["action_id"] == "answer_feedback"
    return {
        "positive": element["positive_button"]["value"],
        "negative": element["negative_button"]["value"],
    }


def _press(
    slack, value: str, *, user: str = "UALICE", channel: str = "DALICE", team: str = "T1"
) -> None:
    """A press on one of the feedback buttons, as Slack sends it (block_actions)."""
    result = slack.interactive(
        {
            "type": "block_actions",
            "team": {"id": team},
            "user": {"id": user, "team_id": team},
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.2"},
            "message": {"ts": "1700000001.000100", "thread_ts": PANEL},
            "actions": [
                {
                    "type": "feedback_buttons",
                    "action_id": "answer_feedback",
                    "block_id": "answer_feedback",
                    "value": value,
                }
            ],
        }
    )
    assert result.status == 200


def _votes(store) -> list[tuple[str, int]]:
    with store.database.connect() as connection:
        rows = connection.execute(
            select(AnswerFeedback.user_id, AnswerFeedback.value).order_by(AnswerFeedback.user_id)
        ).all()
    return [(user, value) for user, value in rows]


def _said_privately(fake_slack, count: int) -> str:
    return fake_slack.wait_for("chat.postEphemeral", count)[count - 1].body["text"]


def test_a_panel_answer_carries_feedback_buttons_and_a_second_press_replaces_the_vote(
    slack, fake_slack, store
):
    thread_message(slack, QUESTION, channel="DALICE", thread_ts=PANEL)
    (answer,) = fake_slack.wait_for("chat.postMessage")
    assert answer.body["thread_ts"] == PANEL
    assert "driver diagram" in json.dumps(answer.body["blocks"]).lower()
    assert slack_limit_problems(answer.body) == []
    values = _feedback_values(answer.body["blocks"])
    assert all(len(value) < 20 for value in values.values())  # an id, never the question

    _press(slack, values["negative"])
    assert _said_privately(fake_slack, 1) == THANKS_DOWN
    assert _votes(store) == [("UALICE", -1)]
    _press(slack, values["positive"])
    assert _said_privately(fake_slack, 2) == THANKS_UP
    assert _votes(store) == [("UALICE", 1)]
    assert store.list_drafts(ALICE) == []  # a question starts no draft
    assert not [c for c in fake_slack.calls if c.method == "chat.update"]


def test_a_top_level_dm_answer_carries_the_buttons_too(slack, fake_slack, store):
    thread_message(slack, QUESTION, channel="DALICE")
    (answer,) = fake_slack.wait_for("chat.postMessage")
    assert "thread_ts" not in answer.body
    _press(slack, _feedback_values(answer.body["blocks"])["negative"])
    fake_slack.wait_for("chat.postEphemeral")
    assert _votes(store) == [("UALICE", -1)]


def test_in_a_channel_thread_each_colleague_votes_apart(slack, fake_slack, store):
    slack.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "UALICE",
            "text": f"<@UBOT> {QUESTION}",
            "ts": "1800000500.000001",
        },
        event_id="EvMentionQuestion",
    )
    (answer,) = fake_slack.wait_for("chat.postMessage")
    assert answer.body["thread_ts"] == "1800000500.000001"
    values = _feedback_values(answer.body["blocks"])
    _press(slack, values["negative"], channel="C1")
    _press(slack, values["positive"], user="UBOB", channel="C1")
    fake_slack.wait_for("chat.postEphemeral", 2)
    assert _votes(store) == [("UALICE", -1), ("UBOB", 1)]


def test_forged_feedback_is_refused_privately_without_a_traceback(slack, fake_slack, store, caplog):
    caplog.set_level(logging.INFO)
    thread_message(slack, QUESTION, channel="DALICE", thread_ts=PANEL)
    (answer,) = fake_slack.wait_for("chat.postMessage")
    negative = _feedback_values(answer.body["blocks"])["negative"]
    answer_id = negative.partition(":")[0]
    forged = [
        ({"value": f"{int(answer_id) + 50}:down"}, "an answer that does not exist"),
        ({"value": negative, "channel": "DBOB", "user": "UBOB"}, "shown to someone else"),
        ({"value": negative, "team": "T2"}, "the same ids in another workspace"),
        ({"value": "driver diagrams are great"}, "a value this app never drew"),
        ({"value": f"{answer_id}:sideways"}, "neither up nor down"),
    ]
    for count, (press, why) in enumerate(forged, start=1):
        value = press.pop("value")
        _press(slack, value, **press)
        assert _said_privately(fake_slack, count) == ANSWER_NOT_HERE, why
    assert _votes(store) == []
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert tracebacks == []


def _streamed_text(body: dict) -> str:
    """The words a chat.*Stream call carried (as `markdown_text`, or as markdown chunks)."""
    chunks = body.get("chunks") or []
    if isinstance(chunks, str):
        chunks = json.loads(chunks)
    pieces = [c.get("text", "") for c in chunks if c.get("type") == "markdown_text"]
    return (body.get("markdown_text") or "") + "".join(pieces)


@pytest.fixture
def llm_slack(fake_slack, store, make_settings, fake_search, trained_recogniser):
    """The app with the LLM coach on the scripted fake model server, which streams."""
    from benchmarks.support.openai_server import FakeOpenAI, Scripted
    from benchmarks.support.scripted_coach import reply_for
    from bot.coaching.llm_coach import LLMCoach

    with FakeOpenAI() as model:
        model.set_default(lambda request: Scripted(**reply_for(request)))
        settings = make_settings(
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake_slack.api_url,
            openai_base_url=model.url,
            coach_model="fake-coach",
        )
        engine = Engine(store, LLMCoach(settings), search=fake_search)
        server = SlackAppServer(settings, engine).start()
        yield SlackClientSimulator(server.url)
        server.stop()


def test_with_a_model_the_panel_answer_is_streamed_with_its_buttons(llm_slack, fake_slack, store):
    thread_message(llm_slack, QUESTION, channel="DALICE", thread_ts=PANEL)
    (stop,) = fake_slack.wait_for("chat.stopStream")
    (start,) = fake_slack.calls_to("chat.startStream")
    assert start.body["channel"] == "DALICE" and start.body["thread_ts"] == PANEL
    assert start.body["recipient_user_id"] == "UALICE"
    appended = [_streamed_text(c.body) for c in fake_slack.calls_to("chat.appendStream")]
    first = _streamed_text(start.body)
    assert first, "nothing was shown before the stream closed"  # the first words at once
    assert "Good start" in first + "".join(appended) + _streamed_text(stop.body)
    assert not fake_slack.calls_to("chat.postMessage")  # one message: the stream
    values = _feedback_values(stop.body["blocks"])
    _press(llm_slack, values["positive"])
    fake_slack.wait_for("chat.postEphemeral")
    deadline = time.monotonic() + 5
    while _votes(store) != [("UALICE", 1)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _votes(store) == [("UALICE", 1)]


def test_the_buttons_survive_the_block_limit_and_forged_values_decode_to_nothing():
    from bot.coaching.reply import Reply, Tip
    from bot.drafts.content import Citation
    from bot.slack.blocks import AnswerVote, reply_blocks

    cited = Citation(title="Guide", source="guides/g.md", heading="", url="", publication="")
    reply = Reply("", "answer", "x" * 4000, tips=[Tip("tip " * 50, cited)] * 80, answer_id=7)
    blocks = reply_blocks(reply)
    assert blocks[-1]["type"] == "context_actions"
    assert slack_limit_problems({"text": "answer", "blocks": blocks}) == []
    assert _feedback_values(blocks) == {"positive": "7:up", "negative": "7:down"}
    assert AnswerVote.decode("7:down") == AnswerVote(7, -1)
    for forged in ("", "7", "7:maybe", "-7:up", "７:up", "x:up", "7:up:extra"):
        assert AnswerVote.decode(forged) is None, forged
