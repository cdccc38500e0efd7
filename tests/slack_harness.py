"""Run the real Slack app over real HTTP against a fake Slack Web API, and sign requests to it."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
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

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


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
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
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
