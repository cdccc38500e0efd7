"""Acks before work, over real HTTP: events, clicks and commands are acked at once and run
behind the ack on a bounded backlog; a full backlog answers 503 so Slack retries; what must come
back in the response (a form's errors, URL verification) still does.

The app is the real one (create_app, every listener) with one deliberately slow listener added,
which holds its thread until the test lets it go.
"""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
import uvicorn

from benchmarks.support.slack_harness import (
    SIGNING_SECRET,
    SlackClientSimulator,
    free_port,
    poll_until,
)
from bot.coaching.engine import Engine
from bot.errors import StoreBusy
from bot.slack.app import create_app
from bot.slack.server import http_app
from tests.slack_fixtures import new_draft_submission

SLOW_ACTION = "test_slow_button"
HOLD_S = 10.0  # the longest a slow listener waits to be released: a failing test never hangs


class SlowListener:
    """Holds a backlog thread until `release()`; counts how often it ran to the end."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.go = threading.Event()
        self.finished = 0

    def __call__(self, **_kwargs: object) -> None:
        self.entered.set()
        self.go.wait(HOLD_S)
        self.finished += 1

    def release(self) -> None:
        self.go.set()


class BackloggedServer:
    """The Slack app behind uvicorn with a backlog of the given size, and the slow listener."""

    def __init__(self, settings, engine: Engine, *, workers: int, limit: int) -> None:
        self.bolt = create_app(settings, engine)
        self.slow = SlowListener()
        self.bolt.event("reaction_added")(self.slow)
        self.bolt.action(SLOW_ACTION)(self._slow_click)
        self.bolt.event("star_added")(self._outage)
        self.app = http_app(self.bolt, SIGNING_SECRET, workers=workers, limit=limit)
        self.port = free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def _slow_click(self, ack, **kwargs: object) -> None:
        ack()
        self.slow(**kwargs)

    @staticmethod
    def _outage(**_kwargs: object) -> None:
        raise StoreBusy(
            "The drafts database is restarting: nothing was lost, try again in a moment."
        )

    @property
    def in_hand(self) -> int:
        return self.app.state.backlog.in_hand

    def __enter__(self) -> BackloggedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the Slack app server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.slow.release()
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture
def serve(fake_slack, store, make_settings, fake_search):
    """Start the app with a backlog of `workers` threads and room for `limit` requests."""
    settings = make_settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
    )
    engine = Engine(store, search=fake_search)
    started: list[BackloggedServer] = []

    def start(workers: int = 2, limit: int = 8) -> tuple[BackloggedServer, SlackClientSimulator]:
        server = BackloggedServer(settings, engine, workers=workers, limit=limit).__enter__()
        started.append(server)
        return server, SlackClientSimulator(f"http://127.0.0.1:{server.port}")

    yield start
    for server in started:
        server.__exit__()


def reaction(simulator: SlackClientSimulator, event_id: str):
    event = {"type": "reaction_added", "user": "UALICE", "reaction": "eyes", "item": {}}
    return simulator.event(event, event_id=event_id)


def mention_help(simulator: SlackClientSimulator, event_id: str, retry: int | None = None):
    """@Partnership Coach help: claims its event id, then answers privately."""
    event = {
        "type": "app_mention",
        "channel": "C1",
        "user": "UALICE",
        "text": "<@UBOT> help",
        "ts": "1800000000.000001",
    }
    return simulator.event(event, event_id=event_id, retry=retry)


def click(simulator: SlackClientSimulator):
    return simulator.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "UALICE", "team_id": "T1"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.2"},
            "actions": [{"type": "button", "action_id": SLOW_ACTION, "value": "x"}],
            "trigger_id": "trigger-1",
        }
    )


def test_an_event_is_acked_while_its_slow_listener_is_still_running(serve):
    server, slack = serve()
    acked = reaction(slack, "EvSlow1")
    assert acked.status == 200
    assert server.slow.entered.wait(5), "the listener never ran"
    assert server.slow.finished == 0 and server.in_hand == 1  # acked, still being worked on
    server.slow.release()
    poll_until(lambda: server.in_hand == 0, "the slow listener's work was not counted out")
    assert server.slow.finished == 1


def test_a_click_is_acked_while_its_slow_listener_is_still_running(serve):
    server, slack = serve()
    assert click(slack).status == 200
    assert server.slow.entered.wait(5) and server.slow.finished == 0
    server.slow.release()
    poll_until(lambda: server.slow.finished == 1, "the click was not handled")


def test_a_full_backlog_answers_503_and_slacks_retry_is_handled_once(serve, fake_slack):
    server, slack = serve(workers=1, limit=1)
    assert reaction(slack, "EvHold").status == 200
    assert server.slow.entered.wait(5)

    refused = mention_help(slack, "EvRetried")
    assert refused.status == 503  # Slack retries a 5xx; nothing was acked and dropped
    assert click(slack).status == 503

    server.slow.release()
    poll_until(lambda: server.in_hand == 0, "the backlog did not drain")
    for retry in (1, 2):  # Slack's retry, then a late duplicate of it
        assert mention_help(slack, "EvRetried", retry=retry).status == 200
        poll_until(lambda: server.in_hand == 0, "the retry was not handled")
    helps = [c for c in fake_slack.calls_to("chat.postEphemeral") if "Mention me" in c.body["text"]]
    assert len(helps) == 1  # answered once: the event id is claimed only when a listener runs


def test_a_forms_errors_still_come_back_in_the_response_even_when_the_backlog_is_full(serve):
    server, slack = serve(workers=1, limit=1)
    assert reaction(slack, "EvBusy").status == 200
    assert server.slow.entered.wait(5)
    answer = slack.interactive(new_draft_submission("", "Our PCN"))
    assert answer.status == 200
    assert '"response_action": "errors"' in answer.body.replace('":"', '": "')
    assert "Give the draft a title." in answer.body


def test_url_verification_is_answered_with_the_challenge(serve):
    _server, slack = serve()
    body = '{"type": "url_verification", "token": "t", "challenge": "c-123"}'
    answer = slack.post(body, "application/json")
    assert answer.status == 200 and "c-123" in answer.body


def test_a_forged_event_is_refused_before_it_is_acked_or_run(serve):
    server, slack = serve()
    body = '{"type": "event_callback", "team_id": "T1", "event_id": "EvForged", "event": {}}'
    assert slack.post(body, "application/json", signature="v0=" + "0" * 64).status == 401
    time.sleep(0.2)
    assert not server.slow.entered.is_set() and server.in_hand == 0


def test_an_outage_behind_the_ack_still_tells_the_person_to_try_again(serve, fake_slack):
    _server, slack = serve()
    event = {"type": "star_added", "user": "UALICE", "item": {"channel": "C1"}}
    assert slack.event(event, event_id="EvOutage").status == 200
    (told,) = fake_slack.wait_for("chat.postMessage")
    assert told.body["channel"] == "UALICE" and "try again in a moment" in told.body["text"]


def test_healthz_shows_the_backlog(serve):
    server, slack = serve(limit=5)
    reaction(slack, "EvHealth")
    assert server.slow.entered.wait(5)
    with urllib.request.urlopen(f"{slack.base_url}/healthz", timeout=5) as reply:
        assert reply.read().replace(b" ", b"") == b'{"ok":true,"backlog":1,"limit":5}'


def test_http_mode_listens_where_the_settings_say(
    make_settings, monkeypatch, fake_slack, store, fake_search
):
    """HOST lets a VM keep the port off the network when its proxy runs beside the app."""
    from bot.slack import server

    heard: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: heard.update(options))
    settings = make_settings(
        host="127.0.0.1",
        port=3999,
        slack_app_token="",
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
    )
    server.serve(settings, create_app(settings, Engine(store, search=fake_search)))
    assert heard["host"] == "127.0.0.1" and heard["port"] == 3999
    assert heard["access_log"] is False  # the proxy logs requests; see server.serve
