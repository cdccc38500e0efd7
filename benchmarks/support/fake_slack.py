"""A fake Slack Web API on loopback: records every call, answers like Slack, fails on request.

Tests point the app's WebClient at `FakeSlack.api_url` (SLACK_API_URL) and wait on the recorded
calls. `fail_next` makes the next call to a method answer with an HTTP status (429 with
Retry-After, 500) or with a Slack error such as `invalid_blocks`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

from benchmarks.support.loopback import LoopbackServer, send_json

T = TypeVar("T")


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class _Failure:
    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack(LoopbackServer):
    def __init__(self, team_id: str = "T1", bot_user_id: str = "UBOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # by channel, as the bot posted them
        self.socket_url: str | None = None
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return self.base_url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- test controls -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        with self._lock:
            self._failures.setdefault(method, []).extend(
                _Failure(status, error, headers or {}) for _ in range(times)
            )

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `count` calls to `method` were recorded; fail loudly otherwise."""

        def enough(calls: list[Call]) -> list[Call] | None:
            found = [c for c in calls if c.method == method]
            return found if len(found) >= count else None

        def missing(calls: list[Call]) -> str:
            seen = [c.method for c in calls]
            return f"{count} × {method} not seen in {timeout} s; saw {seen}"

        return self._wait(enough, missing, timeout)

    def wait_until(
        self, found: Callable[[list[Call]], T | None], failure: str, timeout: float = 10.0
    ) -> T:
        """Block until `found(calls so far)` returns something, and return it; fail with
        `failure` after `timeout` seconds."""
        return self._wait(found, lambda _calls: f"{failure} in {timeout} s", timeout)

    def _wait(
        self,
        found: Callable[[list[Call]], T | None],
        failure: Callable[[list[Call]], str],
        timeout: float,
    ) -> T:
        """The one waiting loop: woken by each call as it is recorded, rather than polling on a
        timer, so a test goes on the moment what it waits for has happened."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while (result := found(list(self.calls))) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(failure(list(self.calls)))
                self._lock.wait(remaining)
            return result

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- answers -------------------------------------------------------------------------------
    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "coach",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B1",
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = body.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            self._keep(method, str(body.get("channel")), ts, body)
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"text": body.get("text"), "ts": ts},
            }
        if method == "conversations.replies":
            root = body.get("ts")
            with self._lock:
                kept = list(self.messages.get(str(body.get("channel")), []))
            thread = [m for m in kept if root in (m["ts"], m.get("thread_ts"))]
            return {"ok": True, "messages": thread, "has_more": False}
        if method == "chat.startStream":
            ts = f"{1700000000 + next(self._ts)}.000300"
            return {"ok": True, "channel": body.get("channel"), "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method == "conversations.open":
            user = str(body.get("users", "U")).split(",")[0]
            return {"ok": True, "channel": {"id": f"D{user}"}}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V1", **(body.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "export"}]}
        if method == "files.info":
            return {"ok": True, "file": {"id": "F1", "name": "export"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url or "ws://127.0.0.1:9/"}
        return {"ok": True}

    def _keep(self, method: str, channel: str, ts: str, body: dict[str, Any]) -> None:
        """Remember the bot's messages as Slack would, so conversations.replies can list them."""
        blocks = body.get("blocks")
        if isinstance(blocks, str):
            with contextlib.suppress(ValueError):
                blocks = json.loads(blocks)
        with self._lock:
            kept = self.messages.setdefault(channel, [])
            if method == "chat.update":
                for message in kept:
                    if message["ts"] == ts:
                        message.update(text=body.get("text"), blocks=blocks or [])
                return
            message = {"ts": ts, "text": body.get("text"), "blocks": blocks or [], "bot_id": "B1"}
            if body.get("thread_ts"):
                message["thread_ts"] = body["thread_ts"]
            kept.append(message)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlparse(self.path).path
                method = path.removeprefix("/api/") if path.startswith("/api/") else path
                if method.startswith("/upload/"):
                    body: dict[str, Any] = {"_bytes": len(raw)}
                else:
                    body = _parse(raw, self.headers.get("content-type", ""))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.calls.append(Call(method, body, headers))
                    failures = fake._failures.get(method) or []
                    failure = failures.pop(0) if failures else None
                    fake._lock.notify_all()
                if failure and failure.status != 200:
                    self._send(
                        failure.status, {"ok": False, "error": "fake_failure"}, failure.headers
                    )
                    return
                if failure and failure.error:
                    self._send(200, {"ok": False, "error": failure.error})
                    return
                if method.startswith("/upload/") or method.startswith("/response/"):
                    self._send(200, {"ok": True})
                    return
                self._send(200, fake._answer(method, body))

            def do_GET(self) -> None:
                self.do_POST()

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                send_json(self, status, payload, headers)

        return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            return {"_raw": raw.decode(errors="replace")}
    if "multipart" in content_type or "octet-stream" in content_type:
        return {"_bytes": len(raw)}
    parsed = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
    for key in ("blocks", "view"):
        if isinstance(parsed.get(key), str):
            with contextlib.suppress(ValueError):
                parsed[key] = json.loads(parsed[key])
    return parsed
