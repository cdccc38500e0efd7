"""A whole coaching thread in Slack, as a busy manager would play it, counted message by message.

new → every stage → draft → revise → final → export → share, over real HTTP against the fake
Slack Web API. What is counted is what people see: one bot message a turn, the full draft posted
once as a card and then updated in place, the channel post kept current, and no payload beyond
Slack's limits.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.conversation_script import GOOD_ANSWERS
from tests.slack_fixtures import (
    ALICE,
    later_event_answered,
    not_later,
    start_thread,
    thread_message,
    typed,
    view_submission,
)
from tests.slack_harness import slack_limit_problems


def _in_thread(fake_slack, thread_ts: str) -> list:
    return _posted_in(fake_slack.calls_to("chat.postMessage"), thread_ts)


def _posted_in(calls: list, thread_ts: str) -> list:
    """The messages among `calls` posted in the thread."""
    return [
        c for c in calls if c.method == "chat.postMessage" and c.body.get("thread_ts") == thread_ts
    ]


def _parent_updated(calls: list, thread_ts: str) -> bool:
    """Whether the thread's channel post (its parent) has been updated."""
    return any(c.method == "chat.update" and c.body.get("ts") == thread_ts for c in calls)


def _card_of(call, draft_id: str) -> bool:
    return any(b.get("block_id") == f"card:{draft_id}" for b in call.body.get("blocks") or [])


def _click(slack, action_id: str, value: str, thread_ts: str, user: str = "UALICE"):
    return slack.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user, "team_id": "T1"},
            "trigger_id": "trigger-card",
            "channel": {"id": "C1"},
            "container": {"type": "message", "channel_id": "C1"},
            "message": {"ts": "1700000099.000100", "thread_ts": thread_ts},
            "actions": [{"action_id": action_id, "value": value, "type": "button"}],
        }
    )


# the whole thread's answers reach the privacy guard's name model (Presidio, spaCy): slow
@pytest.mark.slow
def test_a_whole_thread_is_one_message_a_turn_and_one_living_card(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    draft_id = summary.id
    # the form's work ends by bringing the channel post up to date (after the first question)
    fake_slack.wait_until(
        lambda calls: _parent_updated(calls, thread_ts) or None, "the channel post was not updated"
    )
    turns = 0

    def turn(text: str) -> None:
        nonlocal turns
        before = len(_in_thread(fake_slack, thread_ts))
        assert thread_message(slack, text, thread_ts=thread_ts).status == 200
        fake_slack.wait_for("chat.postMessage", 1)
        deadline = time.monotonic() + 30
        while len(_in_thread(fake_slack, thread_ts)) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        later_event_answered(slack, fake_slack)  # the turn's work is over: nothing more comes
        turns += 1
        posted = len(_in_thread(fake_slack, thread_ts)) - before
        assert posted == 1, f"turn {turns} ({text[:30]!r}) posted {posted} messages"

    # every stage, one answer a message (partners came with the form)
    for key, answer in GOOD_ANSWERS.items():
        if key == "context.partners":
            continue
        if store.latest_version(ALICE, draft_id) is not None:
            break
        turn(answer)
    if store.latest_version(ALICE, draft_id) is None:
        turn("draft")
    first = store.latest_version(ALICE, draft_id)
    assert first is not None

    # a question mid-review and chatter: answered, nothing filed, no new card
    turn("what is a driver diagram?")
    turn("thanks")

    # revise from the card's modal: the card is updated, not posted again
    where = json.dumps({"d": draft_id, "v": first.number, "c": "C1", "t": thread_ts})
    revised = "Only 62% of adults with atrial fibrillation in our 9 practices are protected."
    before = len(_in_thread(fake_slack, thread_ts))
    assert slack.interactive(_revise_submission(where, revised)).status == 200
    deadline = time.monotonic() + 30
    while store.latest_version(ALICE, draft_id).number == first.number:
        assert time.monotonic() < deadline, "the revision made no new version"
        time.sleep(0.05)
    # the form's work ends with the turn's one message, after the card is updated in place
    fake_slack.wait_until(
        lambda calls: len(_posted_in(calls, thread_ts)) > before or None,
        "the revision said nothing in the thread",
        timeout=30,
    )
    second = store.latest_version(ALICE, draft_id)
    assert revised.split(" in ")[0] in second.content.problem_statement

    # Final on the old card's version says it is out of date; on the current one it finalises
    mark = len(fake_slack.calls)
    _click(slack, "draft_final", f"{draft_id}:v{first.number}", thread_ts)
    (stale,) = _wait_since(fake_slack, mark, "chat.postEphemeral")
    assert "out of date" in stale.body["text"] or "now at version" in stale.body["text"]
    assert store.get_draft(ALICE, draft_id).status == "active"
    _click(slack, "draft_final", f"{draft_id}:v{second.number}", thread_ts)
    deadline = time.monotonic() + 30
    while store.get_draft(ALICE, draft_id).status != "final":
        assert time.monotonic() < deadline, "Final did not finalise"
        time.sleep(0.05)
    later_event_answered(slack, fake_slack)
    posted = [c for c in not_later(fake_slack.calls[mark:]) if c.method == "chat.postMessage"]
    assert len(posted) == 1 and posted[0].body["thread_ts"] == thread_ts  # one turn, one message

    # Export: a Word document in the DM, confirmed privately where the button was clicked
    mark = len(fake_slack.calls)
    _click(slack, "draft_export", f"{draft_id}:v{second.number}", thread_ts)
    _wait_since(fake_slack, mark, "files.completeUploadExternal")
    (confirmed,) = _wait_since(fake_slack, mark, "chat.postEphemeral")
    assert confirmed.body["channel"] == "C1" and "Word document" in confirmed.body["text"]

    # Share with an escaped mention: the colleague gets title, owner, score and an Open button
    mark = len(fake_slack.calls)
    slack.command(f"share {draft_id} <@UBOB|bob>", response_url=f"{fake_slack.url}/response/share")
    (said,) = fake_slack.wait_for("/response/share")
    assert "Shared" in said.body["text"]
    (notice,) = [
        c
        for c in fake_slack.calls[mark:]
        if c.method == "chat.postMessage" and c.body.get("channel") == "DUBOB"
    ]
    text = json.dumps(notice.body["blocks"])
    assert "Stroke prevention" in text and "<@UALICE>" in text and f"{second.score}%" in text
    assert '"draft_open"' in text

    # the counts over the whole thread
    cards = [c for c in fake_slack.calls_to("chat.postMessage") if _card_of(c, draft_id)]
    assert len(cards) == 1, "the full draft was posted more than once"
    updates = fake_slack.calls_to("chat.update")
    assert len([c for c in updates if _card_of(c, draft_id)]) >= 2  # revision and Final
    parent = [c for c in updates if c.body.get("ts") == thread_ts]
    assert parent and "Final" in parent[-1].body["text"]
    assert f"{second.score}%" in parent[-1].body["text"]
    assert len(_in_thread(fake_slack, thread_ts)) == turns + 3  # first question, revise, Final

    # and nothing the app sent is beyond what Slack accepts
    for call in fake_slack.calls:
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            assert slack_limit_problems(call.body) == [], call.method
        if call.method in ("views.open", "views.publish"):
            view = call.body["view"]
            assert slack_limit_problems(view, view["type"]) == [], call.method


def _wait_since(fake_slack, mark: int, method: str, timeout: float = 30) -> list:
    """The calls to `method` made after the first `mark` calls, waiting for at least one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in fake_slack.calls[mark:] if c.method == method]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {method} after call {mark}")


def _revise_submission(where: str, problem: str) -> dict:
    values = {"problem": typed(problem), "hmw": typed("")}
    return view_submission("revise_draft", values, private_metadata=where, view_id="V2")
