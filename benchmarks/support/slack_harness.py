"""Run the real Slack app over real HTTP against a fake Slack Web API, and sign requests to it."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import uvicorn
from slack_sdk.signature import SignatureVerifier

from bot.coaching.engine import Engine
from bot.slack.app import create_app
from bot.slack.server import http_app

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    body: str
    seconds: float


def poll_until(condition: Callable[[], object], failure: str, timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; fail with `failure` after `timeout` seconds. For state
    outside the fake Slack (which wakes its own waiters: `FakeSlack.wait_until`)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.02)


def backlog_at(base_url: str) -> int:
    """The `backlog` the app at `base_url` reports on /healthz: requests acked, work unfinished."""
    with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as reply:
        return int(json.loads(reply.read())["backlog"])


class SlackAppServer:
    """The Bolt app behind uvicorn in a background thread."""

    def __init__(self, settings: Any, engine: Engine) -> None:
        self.bolt = create_app(settings, engine)
        self.port = free_port()
        config = uvicorn.Config(
            http_app(self.bolt, settings.slack_signing_secret or None),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SlackAppServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the Slack app server did not start")
            time.sleep(0.02)
        return self

    def stop(self, settle_seconds: float = 30.0) -> None:
        """Stop once the work behind acks is done (or `settle_seconds` have passed).

        Events are acked first and handled on the app's backlog threads; stopped at once, the
        server would leave them running into the next test against a fake Slack already gone,
        and the failures they logged would go through the privacy guard's name model there.

        A form submission is answered in its response, and the work after its ack runs on
        Bolt's own listener threads, outside the backlog (a new draft's channel post is
        updated there after its first question is posted): those threads are shut down and
        waited for too, rather than left to call a fake Slack that has gone.

        Once that work is done, nothing is left for the server to do, so it is told to exit and
        not waited for: uvicorn's shutdown takes a fixed 0.1-0.2 s (a tick, then a pause for
        connections to close, none here) that every Slack test would spend idle in teardown.
        """
        deadline = time.monotonic() + settle_seconds
        while time.monotonic() < deadline and self._backlog() > 0:
            time.sleep(0.01)
        # shut down and waited for, but never past the deadline: a listener stuck on something
        # that never answers must fail its own test, not hang the run
        closing = threading.Thread(
            target=self.bolt.listener_runner.listener_executor.shutdown,
            kwargs={"wait": True},
            daemon=True,
        )
        closing.start()
        closing.join(timeout=max(0.0, deadline - time.monotonic()))
        self.server.should_exit = True

    def _backlog(self) -> int:
        """Requests acked whose work has not finished (0 if the app cannot say)."""
        try:
            return backlog_at(self.url)
        except (OSError, ValueError, KeyError):
            return 0


class SlackClientSimulator:
    """Sends what Slack would send: signed form posts and JSON events."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET) -> None:
        self.base_url = base_url
        self.verifier = SignatureVerifier(secret)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body) or ""
        request = urllib.request.Request(
            f"{self.base_url}/slack/events",
            data=body.encode(),
            method="POST",
            headers={
                "content-type": content_type,
                "x-slack-request-timestamp": ts,
                "x-slack-signature": sig,
                **(headers or {}),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Response(reply.status, reply.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(), time.perf_counter() - started)

    def backlog(self) -> int:
        """Requests the app has acked but not finished, from its /healthz.

        The app reserves a place before it acks, so once an acked request's POST has returned,
        a 0 here means the work behind that ack is over: whatever it was going to say to Slack
        has been said.
        """
        return backlog_at(self.base_url)

    def command(
        self,
        text: str,
        *,
        user: str = "UALICE",
        team: str = "T1",
        channel: str = "C1",
        response_url: str = "",
        **extra: str,
    ) -> Response:
        form = {
            "command": "/statement",
            "text": text,
            "user_id": user,
            "team_id": team,
            "channel_id": channel,
            "trigger_id": "trigger-1",
            "response_url": response_url,
            **extra,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> Response:
        return self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def event(
        self, event: dict[str, Any], *, event_id: str, team: str = "T1", retry: int | None = None
    ) -> Response:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": team,
                "api_app_id": "A1",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
                "event": event,
            }
        )
        headers = {}
        if retry is not None:
            headers = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
        return self.post(body, "application/json", headers=headers)
