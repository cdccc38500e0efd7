"""The Slack app end to end: real HTTP, signed requests, a fake Slack Web API, a real engine."""

from __future__ import annotations

import json
import time

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.slack_harness import (
    SIGNING_SECRET,
    SlackAppServer,
    SlackClientSimulator,
    poll_until,
)
from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from tests.slack_fixtures import (
    ALICE,
    LATER,
    later_event_answered,
    open_panel,
    start_thread,
    thread_message,
)


def test_help_command_acks_fast_and_responds(slack, fake_slack):
    response = slack.command("help", response_url=f"{fake_slack.url}/response/1")
    assert response.status == 200 and response.seconds < 3
    (call,) = fake_slack.wait_for("/response/1")
    assert "/statement new" in call.body["text"]


def test_unknown_subcommand_gets_usage(slack, fake_slack):
    slack.command("frobnicate 12", response_url=f"{fake_slack.url}/response/2")
    (call,) = fake_slack.wait_for("/response/2")
    assert "didn't understand" in call.body["text"] and "/statement list" in call.body["text"]


def test_new_opens_a_modal_with_the_title(slack, fake_slack):
    assert slack.command("new Faster discharge").status == 200
    (call,) = fake_slack.wait_for("views.open")
    view = call.body["view"]
    assert view["callback_id"] == "new_draft"
    assert view["blocks"][0]["element"]["initial_value"] == "Faster discharge"
    assert view["private_metadata"] == "C1"


def test_modal_submission_starts_a_thread_at_stage_one(slack, fake_slack, store):
    start_thread(slack, fake_slack)
    posts = fake_slack.calls_to("chat.postMessage")
    assert "Stroke prevention" in posts[0].body["text"]
    blocks = posts[1].body["blocks"]
    assert any("Stage 1 of 8" in str(b) for b in blocks)
    assert any("what do you want to work on" in str(b) for b in blocks)
    (summary,) = store.list_drafts(ALICE)
    assert summary.title == "Stroke prevention"
    assert store.get_draft(ALICE, summary.id).partners == ["Our PCN", "Acme Pharma"]


def test_thread_reply_is_coached_and_retries_are_not_answered_twice(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    fake_slack.clear()
    first = thread_message(
        slack, GOOD_ANSWERS["context.topic"], thread_ts=thread_ts, event_id="EvOnce"
    )
    assert first.status == 200
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply.body["thread_ts"] == thread_ts
    assert "Who exactly is affected" in str(reply.body["blocks"])
    again = thread_message(
        slack, GOOD_ANSWERS["context.topic"], thread_ts=thread_ts, event_id="EvOnce", retry=1
    )
    assert again.status == 200
    later_event_answered(slack, fake_slack)  # the retry came first, and was not answered
    in_thread = [c for c in fake_slack.calls_to("chat.postMessage") if c.body.get("thread_ts")]
    assert in_thread == [reply]
    (summary,) = store.list_drafts(ALICE)
    assert store.get_draft(ALICE, summary.id).question_key == "affected.who"


def test_threads_the_bot_did_not_start_are_ignored(slack, fake_slack):
    thread_message(slack, "lunch anyone?", thread_ts="1700000000.999999")
    later_event_answered(slack, fake_slack)  # sent after the chatter, and the only one answered
    assert [c.body["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [LATER]
    assert not fake_slack.calls_to("chat.postEphemeral")


def test_someone_not_shared_cannot_take_part_in_a_thread(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    fake_slack.clear()
    thread_message(slack, "I have thoughts", thread_ts=thread_ts, user="UMALLORY")
    # the thread is linked to Alice's draft: Mallory is told privately whom to ask, and that
    # is all her message gets (no coaching, no draft content)
    (told,) = fake_slack.wait_for("chat.postEphemeral")
    assert told.body["user"] == "UMALLORY" and "<@UALICE>" in told.body["text"]
    later_event_answered(slack, fake_slack)
    for call in fake_slack.calls_to("chat.postMessage"):
        assert "Stroke prevention" not in str(call.body)
        assert call.body["channel"] == LATER


def test_buttons_check_the_clicking_user(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    thread_message(slack, "draft", thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", 3)
    version = store.latest_version(ALICE, summary.id)

    def click(user, action_id):
        return slack.interactive(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": user, "team_id": "T1"},
                "trigger_id": "trigger-2",
                "channel": {"id": "C1"},
                "container": {"type": "message", "channel_id": "C1"},
                "message": {"ts": thread_ts, "thread_ts": thread_ts},
                "actions": [
                    {
                        "action_id": action_id,
                        "value": f"{summary.id}:v{version.number}",
                        "type": "button",
                    }
                ],
            }
        )

    fake_slack.clear()
    assert click("UMALLORY", "draft_final").status == 200
    (refusal,) = fake_slack.wait_for("chat.postEphemeral")
    assert refusal.body["user"] == "UMALLORY"
    assert "not been shared" in refusal.body["text"]
    store.share(ALICE, summary.id, "UBOB")
    click("UBOB", "draft_final")
    (_, private) = fake_slack.wait_for("chat.postEphemeral", 2)
    assert private.body["user"] == "UBOB" and "<@UALICE>" in private.body["text"]
    assert not fake_slack.calls_to("chat.postMessage")  # refusals are never public
    assert store.get_draft(ALICE, summary.id).status == "active"
    click("UALICE", "draft_final")
    fake_slack.wait_for("chat.postMessage")
    assert store.get_draft(ALICE, summary.id).status == "final"


def test_app_home_lists_only_the_users_drafts(slack, fake_slack, store):
    start_thread(slack, fake_slack, title="Alice's draft")
    store.create_draft(Actor("T1", "UBOB"), "Bob's secret draft")
    slack.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home"},
        event_id="EvHome",
    )
    (call,) = fake_slack.wait_for("views.publish")
    view = str(call.body["view"])
    assert call.body["user_id"] == "UALICE"
    assert "Alice's draft" in view and "Bob's secret draft" not in view


def test_forged_and_stale_requests_are_rejected(slack, fake_slack):
    forged = slack.post(
        "command=%2Fstatement&text=list",
        "application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )
    stale = slack.post(
        "command=%2Fstatement&text=list",
        "application/x-www-form-urlencoded",
        timestamp=int(time.time()) - 600,
    )
    assert forged.status == 401 and stale.status == 401
    # a signed command sent afterwards is answered, and is the only thing that reached Slack
    slack.command("help", response_url=f"{fake_slack.url}/response/later")
    fake_slack.wait_for("/response/later")
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == ["/response/later"]


def test_rate_limits_are_retried_and_bad_blocks_degrade_to_text(slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "0"})
    _channel, thread_ts = start_thread(slack, fake_slack)
    assert len(fake_slack.calls_to("chat.postMessage")) >= 3  # 429, then parent, then reply
    fake_slack.clear()
    fake_slack.fail_next("chat.postMessage", error="invalid_blocks")
    thread_message(slack, GOOD_ANSWERS["context.topic"], thread_ts=thread_ts)
    calls = fake_slack.wait_for("chat.postMessage", 2)
    assert "blocks" in calls[0].body and "blocks" not in calls[1].body
    assert "Who exactly is affected" in calls[1].body["text"]


def test_export_uploads_a_file_to_the_user(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    thread_message(slack, "draft", thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", 3)
    slack.command(f"export {summary.id} docx", response_url=f"{fake_slack.url}/response/9")
    fake_slack.wait_for("files.completeUploadExternal")
    uploads = fake_slack.calls_to("/upload/F1")
    assert uploads and uploads[0].body.get("_bytes", 0) > 1000
    (done,) = fake_slack.wait_for("/response/9")
    assert "Word document" in done.body["text"]
    stranger = slack.command(
        f"export {summary.id}", user="UMALLORY", response_url=f"{fake_slack.url}/response/10"
    )
    assert stranger.status == 200
    (refused,) = fake_slack.wait_for("/response/10")
    assert "not been shared" in refused.body["text"] and "<@UALICE>" in refused.body["text"]


def test_assistant_thread_started_offers_suggested_prompts(slack, fake_slack):
    slack.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": "UALICE",
                "channel_id": "D1",
                "thread_ts": "1800000000.000001",
                "context": {"channel_id": "C42", "team_id": "T1"},
            },
            "event_ts": "1800000000.000002",
        },
        event_id="EvAssist",
    )
    (prompts,) = fake_slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert "Start a new problem statement" in str(prompts.body)
    (hello,) = fake_slack.wait_for("chat.postMessage")
    assert "<#C42>" in hello.body["text"]  # the channel the user is looking at


@pytest.fixture
def llm_slack(fake_slack, store, make_settings, fake_search, trained_recogniser):
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


def test_model_replies_are_streamed_into_the_thread(llm_slack, fake_slack):
    _channel, thread_ts = start_thread(llm_slack, fake_slack)
    fake_slack.clear()
    thread_message(llm_slack, GOOD_ANSWERS["context.topic"], thread_ts=thread_ts)
    (stop,) = fake_slack.wait_for("chat.stopStream")
    (start,) = fake_slack.calls_to("chat.startStream")
    assert start.body["thread_ts"] == thread_ts
    assert start.body["recipient_user_id"] == "UALICE"
    assert "Who exactly is affected" in str(stop.body.get("blocks"))
    streamed = str(start.body) + str(fake_slack.calls_to("chat.appendStream")) + str(stop.body)
    assert "Good start" in streamed
    assert not fake_slack.calls_to("chat.postMessage")


def test_refused_streaming_still_delivers_the_whole_reply(llm_slack, fake_slack):
    _channel, thread_ts = start_thread(llm_slack, fake_slack)
    fake_slack.clear()
    fake_slack.fail_next("chat.startStream", error="not_allowed_token_type", times=5)
    thread_message(llm_slack, GOOD_ANSWERS["context.topic"], thread_ts=thread_ts)
    (post,) = fake_slack.wait_for("chat.postMessage")
    assert fake_slack.calls_to("chat.startStream")
    assert post.body["thread_ts"] == thread_ts

    # the words so far at once, then the same message finished in place with the whole reply
    # (not the first chat.update seen: the thread's channel post may be updated in between)
    def shown() -> str:
        in_thread = [m for m in fake_slack.messages["C1"] if m.get("thread_ts") == thread_ts]
        return str(in_thread[-1]["blocks"]) if in_thread else ""

    poll_until(lambda: "Who exactly is affected" in shown(), "the reply was not finished")
    assert "Good start" in shown()


def test_a_stream_broken_midway_continues_with_updates(store, fake_slack):
    """Long model text starts streaming; if Slack then refuses, the words continue by update."""
    from bot.coaching.reply import Reply
    from bot.settings import load_settings
    from bot.slack.app import make_client
    from bot.slack.streaming import ThreadStreamer

    client = make_client(load_settings(slack_bot_token="xoxb-t", slack_api_url=fake_slack.api_url))
    streamer = ThreadStreamer(client, "C1", "1.0", ALICE)
    streamer.append("x" * 300)  # past the buffer: chat.startStream is called
    fake_slack.fail_next("chat.appendStream", error="message_not_in_streaming_state", times=3)
    streamer.append("y" * 300)
    reply = Reply("d1", "question", text="x" * 300 + "y" * 300, question="Next question?")
    assert streamer.finish(reply, None)
    assert streamer.mode == "update"
    (update,) = fake_slack.wait_for("chat.update")
    assert "Next question?" in str(update.body.get("blocks"))


def test_healthz_answers(slack):
    import urllib.request

    with urllib.request.urlopen(f"{slack.base_url}/healthz", timeout=5) as reply:
        assert reply.status == 200 and b'"ok":true' in reply.read().replace(b" ", b"")


def test_mention_starts_a_thread_and_mentions_in_it_are_coached(slack, fake_slack, store):
    slack.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "UALICE",
            "text": "<@UBOT> new Falls in care homes",
            "ts": "1800000100.000001",
        },
        event_id="EvMention1",
    )
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply.body["thread_ts"] == "1800000100.000001"
    (summary,) = store.list_drafts(ALICE)
    assert summary.title == "Falls in care homes"
    slack.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "UALICE",
            "text": "<@UBOT> " + GOOD_ANSWERS["context.partners"],
            "ts": "1800000100.000002",
            "thread_ts": "1800000100.000001",
        },
        event_id="EvMention2",
    )
    fake_slack.wait_for("chat.postMessage", 2)
    assert store.get_draft(ALICE, summary.id).question_key == "context.topic"


def test_direct_messages_start_and_continue_a_draft(slack, fake_slack, store):
    thread_message(slack, "new draft: Faster discharge to care homes", channel="DALICE")
    (first,) = fake_slack.wait_for("chat.postMessage")
    thread_ts = first.body["thread_ts"]  # each draft in a DM gets its own thread
    thread_message(slack, GOOD_ANSWERS["context.partners"], channel="DALICE", thread_ts=thread_ts)
    (_, second) = fake_slack.wait_for("chat.postMessage", 2)
    assert "what do you want to work on" in str(second.body["blocks"])
    (summary,) = store.list_drafts(ALICE)
    assert summary.title == "Faster discharge to care homes"


def test_assistant_messages_list_drafts_and_start_new_ones(slack, fake_slack, store):
    open_panel(slack, "1800000300.000000")
    fake_slack.wait_for("assistant.threads.setSuggestedPrompts")
    thread_message(
        slack, "Start a new problem statement", channel="DALICE", thread_ts="1800000300.000000"
    )
    (status,) = fake_slack.wait_for("assistant.threads.setStatus")[:1]
    assert "thinking" in str(status.body)
    fake_slack.wait_for("assistant.threads.setTitle")
    fake_slack.wait_for("chat.postMessage")
    (summary,) = store.list_drafts(ALICE)
    assert summary.title == "New problem statement"


def test_feedback_buttons_are_stored_against_the_version(slack, fake_slack, store):
    _channel, thread_ts = start_thread(slack, fake_slack)
    (summary,) = store.list_drafts(ALICE)
    thread_message(slack, "draft", thread_ts=thread_ts)
    fake_slack.wait_for("chat.postMessage", 3)
    version = store.latest_version(ALICE, summary.id)
    result = slack.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "UALICE", "team_id": "T1"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "channel_id": "C1"},
            "message": {"ts": thread_ts, "thread_ts": thread_ts},
            "actions": [
                {
                    "action_id": "feedback_up",
                    "value": f"{summary.id}:v{version.number}",
                    "type": "button",
                }
            ],
        }
    )
    assert result.status == 200
    (thanks,) = fake_slack.wait_for("chat.postEphemeral")
    assert "Thanks" in thanks.body["text"]
    from sqlalchemy import select

    from bot.drafts.models import Feedback

    with store.database.connect() as connection:
        rows = connection.execute(select(Feedback.user_id, Feedback.value)).all()
    assert rows == [("UALICE", 1)]


def test_server_errors_from_slack_are_retried(slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=500)
    start_thread(slack, fake_slack)
    assert len(fake_slack.calls_to("chat.postMessage")) >= 3


def test_another_workspace_sees_nothing_even_with_the_same_user_id(slack, fake_slack, store):
    start_thread(slack, fake_slack, title="Team one's draft")
    (summary,) = store.list_drafts(ALICE)
    slack.command("list", team="T2", response_url=f"{fake_slack.url}/response/t2")
    (listing,) = fake_slack.wait_for("/response/t2")
    assert "Team one's draft" not in str(listing.body)
    slack.command(f"show {summary.id}", team="T2", response_url=f"{fake_slack.url}/response/t2s")
    (shown,) = fake_slack.wait_for("/response/t2s")
    assert "There is no draft" in shown.body["text"]  # another workspace's ids do not exist


def test_lists_page_through_many_drafts_in_messages_and_app_home(slack, fake_slack, store):
    for n in range(25):
        store.create_draft(ALICE, f"Draft number {n}")
    slack.command("list", response_url=f"{fake_slack.url}/response/list")
    (listing,) = fake_slack.wait_for("/response/list")
    assert listing.body["response_type"] == "ephemeral"
    assert "page 1 of 3" in str(listing.body["blocks"])

    def click_next(value, **where):
        return slack.interactive(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": "UALICE", "team_id": "T1"},
                "actions": [{"action_id": "drafts_page_next", "value": value, "type": "button"}],
                **where,
            }
        )

    click_next(
        "list:1",
        channel={"id": "C1"},
        container={"type": "message", "channel_id": "C1"},
        response_url=f"{fake_slack.url}/response/page2",
    )
    (page2,) = fake_slack.wait_for("/response/page2")
    assert page2.body["replace_original"] is True
    assert "page 2 of 3" in str(page2.body["blocks"])
    click_next("home:2", container={"type": "view", "view_id": "V1"})
    (home,) = fake_slack.wait_for("views.publish")
    view = str(home.body["view"])
    assert "page 3 of 3" in view and "Drafts 21–25 of 25" in view


def test_a_short_streamed_reply_is_visible_as_it_arrives(store, fake_slack):
    """The first words reach Slack at once, not after 256 buffered characters."""
    from bot.coaching.reply import Reply
    from bot.settings import load_settings
    from bot.slack.app import make_client
    from bot.slack.streaming import ThreadStreamer

    client = make_client(load_settings(slack_bot_token="xoxb-t", slack_api_url=fake_slack.api_url))
    streamer = ThreadStreamer(client, "C1", "1.0", ALICE)
    streamer.append("Good ")
    (start,) = fake_slack.wait_for("chat.startStream")
    assert "Good" in json.dumps(start.body) or fake_slack.calls_to("chat.appendStream")
    streamer.append("start.")  # within the half second: held, then sent with the close
    assert streamer.finish(Reply("d1", "question", text="Good start.", question="Who?"))
    (stop,) = fake_slack.wait_for("chat.stopStream")
    assert "start." in json.dumps(stop.body) and "Who?" in json.dumps(stop.body)
