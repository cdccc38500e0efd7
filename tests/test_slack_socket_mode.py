"""Socket Mode against a local WebSocket server that replays Slack envelopes."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
import websockets

from benchmarks.support.fake_slack import FakeSlack
from bot.coaching.engine import Engine
from bot.drafts.repository import DraftStore


class EnvelopeServer:
    """Sends `hello`, then each envelope, and records the acks the app sends back."""

    def __init__(self, envelopes: list[dict]) -> None:
        self.envelopes = envelopes
        self.acks: list[dict] = []
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Future | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, connection) -> None:
        await connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        for envelope in self.envelopes:
            await connection.send(json.dumps(envelope))
        try:
            async for message in connection:
                self.acks.append(json.loads(message))
        except websockets.ConnectionClosed:
            pass

    async def _serve(self) -> None:
        async with websockets.serve(self._handle, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._stop = self._loop.create_future()
            self._ready.set()
            await self._stop

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    def start(self) -> EnvelopeServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(timeout=5)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in self.acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            time.sleep(0.05)
        raise AssertionError(f"no ack for {envelope_id}; got {self.acks}")


@pytest.fixture
def fake_slack():
    with FakeSlack() as fake:
        yield fake


def test_socket_mode_acks_a_command_and_answers_it(
    fake_slack, make_settings, tmp_path, new_drafts_db
):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app

    envelope = {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "command": "/statement",
            "text": "help",
            "user_id": "UALICE",
            "team_id": "T1",
            "channel_id": "C1",
            "trigger_id": "t",
            "response_url": f"{fake_slack.url}/response/socket",
        },
    }
    server = EnvelopeServer([envelope]).start()
    fake_slack.socket_url = f"ws://127.0.0.1:{server.port}/"
    settings = make_settings(
        slack_bot_token="xoxb-test", slack_app_token="xapp-1-test", slack_api_url=fake_slack.api_url
    )
    store = DraftStore(new_drafts_db(tmp_path / "coach.db"))
    bolt = create_app(settings, Engine(store, search=None))
    # No reconnecting: the server below hangs up first (see `finally`), and that is the end.
    handler = SocketModeHandler(
        bolt, settings.slack_app_token, web_client=bolt.client, auto_reconnect_enabled=False
    )
    handler.connect()
    try:
        assert server.wait_for_ack("env-1")["envelope_id"] == "env-1"
        (response,) = fake_slack.wait_for("/response/socket")
        assert "/statement new" in response.body["text"]
        opened = fake_slack.calls_to("apps.connections.open")
        assert opened and opened[0].headers["authorization"] == "Bearer xapp-1-test"
    finally:
        # Its message processor looks whether to stop only between waits of up to a second on
        # its queue; told to stop and handed a None (which it skips), it stops at once.
        handler.client.message_processor.event.set()
        handler.client.message_queue.put(None)
        # The client closes before the server hangs up. The other order saves the client's 3 s
        # wait on its blocked read, but then slack_sdk's reader thread can drop the socket
        # between `disconnect`'s check and its use of it (AttributeError on None in CI).
        handler.close()
        server.stop()
        store.close()
