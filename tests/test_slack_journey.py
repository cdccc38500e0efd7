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

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.slack_harness import poll_until
from tests.slack_block_limits import slack_limit_problems
from tests.slack_fixtures import (
    ALICE,
    later_event_answered,
    not_later,
    open_panel,
    start_thread,
    thread_message,
    typed,
    view_submission,
)


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


def _tips_in(call) -> int:
    """1 when a posted reply carries a knowledge-base tip (the 💡 context line), else 0."""
    return int(":bulb:" in json.dumps(call.body.get("blocks") or []))


def _cards_in(fake_slack, channel: str, draft_id: str) -> list[dict]:
    """The card messages of the draft in `channel`, as Slack now shows them."""
    return [
        m
        for m in fake_slack.messages.get(channel, [])
        if any(b.get("block_id") == f"card:{draft_id}" for b in m["blocks"])
    ]


def _open_click(slack, draft_id: str, user: str, channel: str, *, ephemeral: bool) -> None:
    """Open, clicked in a share notice (a DM message) or in `/statement list` (ephemeral)."""
    assert (
        slack.interactive(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": user, "team_id": "T1"},
                "trigger_id": "trigger-open",
                "channel": {"id": channel},
                "container": {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral},
                "message": {"ts": "1700000098.000100"},
                "actions": [{"action_id": "draft_open", "value": draft_id, "type": "button"}],
            }
        ).status
        == 200
    )


@pytest.mark.slow
def test_one_living_draft_for_the_owner_a_colleague_a_list_and_the_panel(slack, fake_slack, store):
    """Alice drafts in a channel thread; Bob opens the shared draft from his notice, Alice opens
    it from her list, Alice asks to see it again, opens the panel, and finalises it. Counted:
    who each request was resolved to, versions, tips per reply, card copies, setStatus calls."""
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    draft_id = summary.id

    def replied(text: str, user: str = "UALICE") -> list:
        """Send a thread reply and return what the app posted in the thread for it."""
        mark = len(fake_slack.calls)
        assert thread_message(slack, text, thread_ts=thread_ts, user=user).status == 200
        later_event_answered(slack, fake_slack)
        return _posted_in(not_later(fake_slack.calls[mark:]), thread_ts)

    # a typical thread: every stage answered soundly, a side question, a thank-you
    replies = []
    for key, answer in GOOD_ANSWERS.items():
        if key == "context.partners" or store.latest_version(ALICE, draft_id) is not None:
            continue
        replies += replied(answer)
    if store.latest_version(ALICE, draft_id) is None:
        replies += replied("draft")
    replies += replied("what is a driver diagram?")
    replies += replied("thanks")
    tipped = sum(_tips_in(call) for call in replies)
    assert tipped * 3 <= len(replies), f"{tipped} of {len(replies)} replies carried a tip"
    versions = len(store.versions(ALICE, draft_id))

    # "show me the draft" with nothing changed: shown, not versioned, the card not bumped
    shown = replied("show me the draft")
    assert len(shown) == 1 and len(store.versions(ALICE, draft_id)) == versions
    (card,) = _cards_in(fake_slack, "C1", draft_id)
    assert f"v{versions}" in json.dumps(card["blocks"])

    # Alice shares; Bob opens from his notice, Alice from her list: one DM copy each
    slack.command(f"share {draft_id} <@UBOB|bob>", response_url=f"{fake_slack.url}/response/s")
    fake_slack.wait_for("/response/s")
    _open_click(slack, draft_id, "UBOB", "DUBOB", ephemeral=False)
    _open_click(slack, draft_id, "UALICE", "C1", ephemeral=True)
    fake_slack.wait_until(
        lambda calls: (
            (
                _cards_in(fake_slack, "DUBOB", draft_id)
                and _cards_in(fake_slack, "DUALICE", draft_id)
            )
            or None
        ),
        "Open did not put the card in both DMs",
    )
    (bobs,) = _cards_in(fake_slack, "DUBOB", draft_id)
    assert '"draft_final"' not in json.dumps(bobs["blocks"]), "Bob cannot mark it final"
    (opened_note,) = fake_slack.wait_until(
        lambda calls: (
            [
                c
                for c in calls
                if c.method == "chat.postMessage" and c.body.get("thread_ts") == bobs["ts"]
            ]
            or None
        ),
        "nothing was said under Bob's card",
    )
    assert len(opened_note.body["text"]) < 300, "Open posts the card, not a recap"

    # Bob replies in his DM thread: his turn, resolved to him, in an ordinary DM thread
    mark = len(fake_slack.calls)
    thread_message(slack, "thanks", user="UBOB", channel="DUBOB", thread_ts=bobs["ts"])
    later_event_answered(slack, fake_slack)
    assert any(
        m.role == "user" and m.author_id == "UBOB"
        for m in store.recent_messages(ALICE, draft_id, limit=80)
    )

    # Alice opens the panel: prompts for her drafts ("Continue …"); Carol's panel has none
    open_panel(slack, "1800000700.000000")
    open_panel(slack, "1800000800.000000", channel="DUCAROL", user="UCAROL")
    prompts = fake_slack.wait_for("assistant.threads.setSuggestedPrompts", 2)
    by_channel = {
        c.body["channel_id"]: json.dumps(c.body["prompts"], ensure_ascii=False) for c in prompts
    }
    assert "Continue “Stroke prevention”" in by_channel["DALICE"]
    assert "Continue" not in by_channel["DUCAROL"]
    thread_message(
        slack, "what is a driver diagram?", channel="DALICE", thread_ts="1800000700.000000"
    )
    later_event_answered(slack, fake_slack)
    statuses = [c for c in fake_slack.calls[mark:] if c.method == "assistant.threads.setStatus"]
    assert len(statuses) == 2, "one panel message: thinking, then cleared; Bob's DM thread: none"
    assert {c.body["thread_ts"] for c in statuses} == {"1800000700.000000"}

    # a change in the channel thread, then Final: every copy shows the final version
    replied("problem: Only 62% of adults with AF in our 9 practices are protected from stroke.")
    latest = store.latest_version(ALICE, draft_id)
    assert latest.number == versions + 1
    _click(slack, "draft_final", f"{draft_id}:v{latest.number}", thread_ts)
    poll_until(lambda: store.get_draft(ALICE, draft_id).status == "final", "Final did not finalise")
    later_event_answered(slack, fake_slack)

    def copies() -> list[dict]:
        return [
            *_cards_in(fake_slack, "C1", draft_id),
            *_cards_in(fake_slack, "DUBOB", draft_id),
            *_cards_in(fake_slack, "DUALICE", draft_id),
        ]

    poll_until(
        lambda: all("*Final*" in json.dumps(c["blocks"]) for c in copies()),
        "a copy of the card does not show the final draft",
    )
    assert len(copies()) == 3, "one card per place: the channel thread and two DMs"
    for copy in copies():
        drawn = json.dumps(copy["blocks"])
        assert f"v{latest.number}" in drawn and '"draft_final"' not in drawn
    assert len(store.versions(ALICE, draft_id)) == versions + 1
    assert fake_slack.calls_to("assistant.threads.setStatus") == statuses
