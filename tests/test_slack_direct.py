"""DMs, the assistant panel and other people's threads: intent first, drafts only when asked.

Over real HTTP against the fake Slack Web API: a question is answered without a draft, chatter
gets a greeting, a draft starts only on a clear request (or the offer's button), a DM holds
several drafts (one per thread), messages for colleagues are left alone, a file with no text is
acknowledged, and a colleague in a thread they may not edit is told privately whose it is.
"""

from __future__ import annotations

import json
import time

from benchmarks.support.conversation_script import GOOD_ANSWERS
from tests.slack_fixtures import (
    ALICE,
    later_event_answered,
    not_later,
    open_panel,
    start_thread,
    thread_message,
)


def _posts(fake_slack) -> list:
    """What the app posted, leaving out the answer to `later_event_answered`'s follow-up."""
    return not_later(fake_slack.calls_to("chat.postMessage"))


def test_a_dm_question_or_thanks_is_answered_without_starting_a_draft(slack, fake_slack, store):
    thread_message(slack, "what is a driver diagram?", channel="DALICE")
    (answer,) = fake_slack.wait_for("chat.postMessage")
    assert "thread_ts" not in answer.body  # a top-level question gets a top-level answer
    thread_message(slack, "thanks", channel="DALICE")
    (_, hello) = fake_slack.wait_for("chat.postMessage", 2)
    assert "new draft about" in hello.body["text"]
    later_event_answered(slack, fake_slack)
    assert store.list_drafts(ALICE) == []


def test_an_unclear_dm_is_offered_a_draft_and_the_button_starts_it(slack, fake_slack, store):
    thread_message(slack, "Faster discharge to care homes", channel="DALICE")
    (offer,) = fake_slack.wait_for("chat.postMessage")
    (button,) = [e for b in offer.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "dm_start_from"
    later_event_answered(slack, fake_slack)
    assert store.list_drafts(ALICE) == []
    slack.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "UALICE", "team_id": "T1"},
            "channel": {"id": "DALICE"},
            "container": {"type": "message", "channel_id": "DALICE"},
            "message": {"ts": "1700000001.000100"},
            "actions": [{"action_id": "dm_start_from", "value": button["value"]}],
        }
    )
    fake_slack.wait_for("chat.postMessage", 3)  # the offer, the follow-up's answer, the draft's
    (summary,) = store.list_drafts(ALICE)
    assert summary.title == "Faster discharge to care homes"
    (update,) = fake_slack.wait_for("chat.update")
    assert update.body["ts"] == "1700000001.000100"  # the offer loses its button
    assert "dm_start_from" not in json.dumps(update.body)
    started = [p for p in _posts(fake_slack) if p.body.get("thread_ts") == "1700000001.000100"]
    assert started, "the draft's first question was not posted in the offer's thread"


def test_a_dm_holds_several_drafts_one_per_thread(slack, fake_slack, store):
    thread_message(slack, "new draft about falls in care homes", channel="DALICE")
    (first,) = fake_slack.wait_for("chat.postMessage")
    falls_thread = first.body["thread_ts"]
    thread_message(slack, "New problem statement: stroke prevention", channel="DALICE")
    (_, second) = fake_slack.wait_for("chat.postMessage", 2)
    stroke_thread = second.body["thread_ts"]
    assert falls_thread != stroke_thread
    titles = {d.title for d in store.list_drafts(ALICE)}
    assert titles == {"Falls in care homes", "Stroke prevention"}

    # an answer in one thread goes to that thread's draft only
    thread_message(
        slack, GOOD_ANSWERS["context.partners"], channel="DALICE", thread_ts=falls_thread
    )
    fake_slack.wait_for("chat.postMessage", 3)
    later_event_answered(slack, fake_slack)  # nothing more came of the answer (e.g. elsewhere)
    by_title = {d.title: store.get_draft(ALICE, d.id) for d in store.list_drafts(ALICE)}
    assert by_title["Falls in care homes"].answers
    assert not by_title["Stroke prevention"].answers

    # "my drafts" lists both; "switch to falls" opens it in a thread of its own
    thread_message(slack, "my drafts", channel="DALICE")
    listing = fake_slack.wait_for("chat.postMessage", 5)[-1]  # 4 with the follow-up's answer
    assert "Falls in care homes" in json.dumps(listing.body["blocks"])
    assert "Stroke prevention" in json.dumps(listing.body["blocks"])
    thread_message(slack, "switch to falls", channel="DALICE")
    card = fake_slack.wait_for("chat.postMessage", 6)[5]
    falls = next(d for d in store.list_drafts(ALICE) if d.title == "Falls in care homes")
    assert any(b.get("block_id") == f"card:{falls.id}" for b in card.body["blocks"])


def test_the_panel_starts_a_new_draft_mid_draft_when_asked(slack, fake_slack, store):
    panel = "1800000300.000000"
    open_panel(slack, panel)
    fake_slack.wait_for("chat.postMessage")  # the panel's greeting
    thread_message(slack, "Start a new problem statement", channel="DALICE", thread_ts=panel)
    fake_slack.wait_for("chat.postMessage", 2)
    thread_message(slack, GOOD_ANSWERS["context.partners"], channel="DALICE", thread_ts=panel)
    fake_slack.wait_for("chat.postMessage", 3)
    # the suggested prompt clicked mid-draft starts a second draft, it is not filed as an answer
    thread_message(slack, "Start a new problem statement", channel="DALICE", thread_ts=panel)
    fake_slack.wait_for("chat.postMessage", 4)
    later_event_answered(slack, fake_slack)  # and the new draft's title is set by now
    drafts = store.list_drafts(ALICE)
    assert len(drafts) == 2
    first = store.get_draft(ALICE, drafts[-1].id)
    assert "Start a new" not in json.dumps(first.answers)
    titles = [c.body.get("title") for c in fake_slack.calls_to("assistant.threads.setTitle")]
    assert titles[-1] == "New problem statement"


def test_messages_for_colleagues_and_bare_files_are_handled_politely(slack, fake_slack, store):
    thread_message(slack, "<@UBOB> can you pull the falls figures?", channel="DALICE")
    _channel, thread_ts = start_thread(slack, fake_slack)
    before = len(_posts(fake_slack))
    thread_message(slack, "<@UBOB|bob> can you pull the falls figures?", thread_ts=thread_ts)
    later_event_answered(slack, fake_slack)
    assert len(_posts(fake_slack)) == before  # for Bob, not the coach: nothing filed or said
    (summary,) = store.list_drafts(ALICE)
    assert "falls figures" not in json.dumps(store.get_draft(ALICE, summary.id).answers)

    number = int(time.time() * 1000) % 1000000
    slack.event(
        {
            "type": "message",
            "subtype": "file_share",
            "channel": "DALICE",
            "channel_type": "im",
            "user": "UALICE",
            "text": "",
            "files": [{"id": "F9", "name": "notes.pdf"}],
            "ts": f"1800000500.{number:06d}",
        },
        event_id=f"EvFile{number}",
    )
    said = fake_slack.wait_for("chat.postMessage", before + 2)[-1]  # + the follow-up's answer
    assert "paste the text" in said.body["text"]
    assert "empty" not in said.body["text"]


def test_a_colleague_in_a_thread_they_may_not_edit_is_told_privately_whose_it_is(
    slack, fake_slack, store
):
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    before = len(_posts(fake_slack))
    thread_message(slack, "I have thoughts on the evidence", thread_ts=thread_ts, user="UCAROL")
    (told,) = fake_slack.wait_for("chat.postEphemeral")
    assert told.body["user"] == "UCAROL" and "<@UALICE>" in told.body["text"]
    assert f"/statement share {summary.id}" in told.body["text"]
    # a mention in the thread is told the same, and never starts a draft in Alice's thread
    slack.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "UCAROL",
            "text": "<@UBOT> new my own idea",
            "ts": "1800000600.000001",
            "thread_ts": thread_ts,
        },
        event_id="EvCarolMention",
    )
    fake_slack.wait_for("chat.postEphemeral", 2)
    later_event_answered(slack, fake_slack)
    assert len(_posts(fake_slack)) == before
    assert store.list_drafts(ALICE)[0].id == summary.id and len(store.list_drafts(ALICE)) == 1
    assert store.linked_owner(f"slack:T1:C1:{thread_ts}", "T1") == (summary.id, "UALICE")


def test_suggested_prompts_follow_where_the_user_stands():
    from datetime import UTC, datetime

    from bot.drafts.records import DraftSummary
    from bot.slack.listeners.assistant import prompts_for

    def summary(status: str) -> DraftSummary:
        title = "Faster discharge to care homes " * 4
        return DraftSummary("d1", title, "UALICE", status, "review", datetime.now(UTC), 70, False)

    assert "Start a new problem statement" in json.dumps(prompts_for([]))
    assert "switch to" not in json.dumps(prompts_for([]))
    going, done = prompts_for([summary("active")]), prompts_for([summary("final")])
    assert going[0]["title"].startswith("Continue “Faster discharge")
    assert going[0]["message"] == "switch to d1" and len(going[0]["title"]) <= 75
    assert done[0]["title"].startswith("Open “")


def test_an_ordinary_dm_thread_gets_no_panel_status_calls_and_the_panel_does(
    slack, fake_slack, store
):
    plain = "1800000500.000000"  # a thread under a top-level DM message: not the panel
    thread_message(slack, "what is a driver diagram?", channel="DALICE", thread_ts=plain)
    fake_slack.wait_for("chat.postMessage")
    later_event_answered(slack, fake_slack)
    assert fake_slack.calls_to("assistant.threads.setStatus") == []
    assert fake_slack.calls_to("assistant.threads.setTitle") == []

    panel = "1800000600.000000"
    open_panel(slack, panel)
    fake_slack.wait_for("assistant.threads.setSuggestedPrompts")  # Slack announces it first
    question = "what makes a good measure of shared outcome measures across partners?"
    thread_message(slack, question, channel="DALICE", thread_ts=panel)
    fake_slack.wait_for("assistant.threads.setStatus", 2)  # "is thinking…", then cleared
    (title,) = fake_slack.wait_for("assistant.threads.setTitle")
    assert all(
        c.body["thread_ts"] == panel for c in fake_slack.calls_to("assistant.threads.setStatus")
    )
    assert title.body["title"].endswith("…") and len(title.body["title"]) <= 60
    assert question.startswith(title.body["title"][:-1].rstrip()), "cut on a word boundary"


def test_titles_are_cut_on_a_word_with_an_ellipsis():
    from bot.slack.mrkdwn import cut_on_word

    assert cut_on_word("How do we agree shared outcome measures", 30) == "How do we agree shared…"
    assert cut_on_word("Short title", 30) == "Short title"
    assert cut_on_word("Supercalifragilistic", 10) == "Supercali…"
