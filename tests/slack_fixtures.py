"""Slack fixtures shared by the end-to-end and hostile-input tests (a pytest plugin).

`slack` is the real Bolt app behind uvicorn, pointed at a fake Slack Web API (`fake_slack`) and a
throwaway drafts store (`store`, from tests/conftest.py); `start_thread` and `thread_message`
send what Slack would, and `later_event_answered` is how a test shows that something was not
said. Registered in tests/conftest.py, so test modules use the fixtures without importing them.
"""

from __future__ import annotations

import itertools

import pytest

from benchmarks.support.fake_slack import FakeSlack
from benchmarks.support.slack_harness import (
    SIGNING_SECRET,
    SlackAppServer,
    SlackClientSimulator,
    poll_until,
)
from bot.coaching.engine import Engine
from bot.drafts.records import Actor

ALICE = Actor("T1", "UALICE")


@pytest.fixture(scope="session")
def privacy_guard() -> None:
    """The privacy guard's name model, loaded once before any app runs, as the server does at
    start: a first load inside a turn would outlast the tests' waits on a busy machine."""
    from bot.privacy import presidio_engine

    presidio_engine.warm_up()


@pytest.fixture(scope="session")
def trained_recogniser() -> None:
    """The answer recogniser the app's engine uses (over FakeSearch's embeddings) trained once,
    as the server's warm-up does before the first turn: trained inside a test's first turn it
    outlasted the waits on a busy machine."""
    from bot.coaching.recogniser import shared_recogniser
    from tests.fakes.search import WORDLESS

    shared_recogniser(WORDLESS).warm_up()


@pytest.fixture
def fake_slack(request):
    """The fake Slack Web API. A slow test gets the privacy guard's name model loaded first;
    a fast one must not need it (the fast-lane guard in conftest.py says so if it does)."""
    if request.node.get_closest_marker("slow"):
        request.getfixturevalue("privacy_guard")
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack(fake_slack, store, make_settings, fake_search, trained_recogniser):
    """The app over the fake knowledge search: these tests are about Slack, not retrieval."""
    settings = make_settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
    )
    engine = Engine(store, search=fake_search)
    server = SlackAppServer(settings, engine).start()
    yield SlackClientSimulator(server.url)
    server.stop()


def typed(value: str) -> dict:
    """A plain-text input's state, as Slack sends it in a view submission."""
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str) -> dict:
    """A static select's state."""
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def view_submission(
    callback_id: str, values: dict, private_metadata: str = "", view_id: str = "V1"
) -> dict:
    """Alice submitting a modal: the one shape every modal test sends."""
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UALICE", "team_id": "T1"},
        "view": {
            "type": "modal",
            "id": view_id,
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
        },
    }


def new_draft_submission(
    title: str, partners: str, area: str = "stroke", pasted: str | None = None
) -> dict:
    """The `/statement new` form, filled in (a pharmaceutical partner)."""
    values = {
        "title": typed(title),
        "partners": typed(partners),
        "partner_type": chosen("pharmaceutical"),
        "area": typed(area),
    }
    if pasted is not None:
        values["pasted"] = typed(pasted)
    return view_submission("new_draft", values, private_metadata="C1")


def start_thread(
    slack, fake_slack, title="Stroke prevention", partners="Our PCN, Acme Pharma", pasted=""
):
    """Submit the new-draft modal (optionally with pasted text); returns (channel, parent ts)."""
    result = slack.interactive(new_draft_submission(title, partners, pasted=pasted))
    assert result.status == 200

    def first_thread(calls: list) -> str | None:
        threaded = [c for c in calls if c.method == "chat.postMessage" and "thread_ts" in c.body]
        return threaded[0].body["thread_ts"] if threaded else None

    return "C1", fake_slack.wait_until(first_thread, "no reply was posted in a thread")


LATER = "DLATER"  # the DM of the follow-up message that proves an earlier one was handled


def later_event_answered(slack, fake_slack, timeout: float = 10.0) -> None:
    """Send a follow-up message (a DM saying "help"), wait for its answer, then for the app to
    have nothing left in hand.

    A test that something was *not* said cannot wait for it. Instead it sends this after the
    message that must go unanswered: the answer shows the app took the follow-up, and an empty
    backlog that the earlier message's handling (on another of its threads, maybe still
    running when the follow-up was answered) is over too. Sleeping until Slack went quiet for
    a while proved neither, and cost most of a second every time.
    """
    thread_message(slack, "help", channel=LATER)
    fake_slack.wait_until(
        lambda calls: (
            any(c.method == "chat.postMessage" and c.body.get("channel") == LATER for c in calls)
            or None
        ),
        "the follow-up message was not answered",
        timeout,
    )
    poll_until(
        lambda: slack.backlog() == 0,
        "the app still had work in hand after the follow-up's answer",
        timeout,
    )


def not_later(calls: list) -> list:
    """The calls that were not the follow-up's answer (see `later_event_answered`)."""
    return [c for c in calls if c.body.get("channel") != LATER]


_EVENT_COUNTER = itertools.count(1)


def thread_message(
    slack, text, *, thread_ts=None, user="UALICE", retry=None, event_id=None, channel="C1"
):
    """A user's message event: in a channel thread by default, or in a DM channel ("D…")."""
    number = next(_EVENT_COUNTER)
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "im" if channel.startswith("D") else "channel",
        "user": user,
        "text": text,
        "ts": f"1800000000.{number:06d}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return slack.event(event, event_id=event_id or f"Ev{number:06d}", retry=retry)


def open_panel(slack, thread_ts: str, *, channel: str = "DALICE", user: str = "UALICE"):
    """The user opens the assistant panel: Slack's `assistant_thread_started` for its thread.

    Only a thread Slack announced this way (or whose root Slack marks as a panel thread) gets
    the panel's status and title; other DM threads are plain DMs.
    """
    number = next(_EVENT_COUNTER)
    return slack.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": user,
                "channel_id": channel,
                "thread_ts": thread_ts,
                "context": {"channel_id": "C1", "team_id": "T1"},
            },
            "event_ts": f"1800000000.{number:06d}",
        },
        event_id=f"EvPanel{number:06d}",
    )
