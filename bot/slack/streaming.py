"""Show a model's words in a thread as they are written.

Where Slack supports it, text goes out through `chat_stream` (chat.startStream / appendStream /
stopStream) and the stream is closed with the reply's blocks. If streaming is refused or breaks,
the reply continues in an ordinary message updated with `chat.update` at most once a second, and
is finished with the same blocks: the user never waits in silence and never loses the end.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.coaching.reply import Reply
from bot.drafts.records import Actor
from bot.slack.blocks import Block, fallback_text, reply_blocks

log = logging.getLogger(__name__)
UPDATE_INTERVAL_S = 1.0
# The SDK's stream buffers 256 characters before Slack sees anything, so a short reply stayed
# invisible until the stream closed. Here the first words go at once, then what has arrived is
# sent at most every half second (or every 256 characters): visible, without a call per token.
FLUSH_INTERVAL_S = 0.5
FLUSH_CHARS = 256
STREAM_ERRORS = (SlackApiError, SlackRequestError)


class ThreadStreamer:
    def __init__(self, client: WebClient, channel: str, thread_ts: str, actor: Actor) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.actor = actor
        self.text = ""
        self.mode: str | None = None  # None (nothing shown yet) | "stream" | "update"
        self._stream: Any = None
        self._ts: str | None = None
        self._last_update = 0.0
        self._pending = ""  # streamed text not yet sent to Slack
        self._flushes = 0
        self._last_flush = 0.0

    def append(self, piece: str) -> None:
        self.text += piece
        if self.mode is None:
            self._begin()
        if self.mode == "stream":
            self._pending += piece
            now = time.monotonic()
            due = (
                self._flushes == 0
                or len(self._pending) >= FLUSH_CHARS
                or now - self._last_flush >= FLUSH_INTERVAL_S
            )
            if not due:
                return
            try:
                self._stream.append(markdown_text=self._pending)
                self._pending, self._flushes, self._last_flush = "", self._flushes + 1, now
                return
            except STREAM_ERRORS as error:
                log.info("streaming refused (%s); falling back to chat.update", error)
                self._switch_to_updates()
        if self.mode == "update" and time.monotonic() - self._last_update >= UPDATE_INTERVAL_S:
            self._update(self.text + " …")

    def _begin(self) -> None:
        try:
            self._stream = self.client.chat_stream(
                buffer_size=1,  # this class decides when to send (see FLUSH_INTERVAL_S)
                channel=self.channel,
                thread_ts=self.thread_ts,
                recipient_team_id=self.actor.workspace_id,
                recipient_user_id=self.actor.user_id,
            )
            self.mode = "stream"
        except STREAM_ERRORS:
            self._switch_to_updates()

    def _switch_to_updates(self) -> None:
        self.mode = "update"
        self._stream = None
        response = self.client.chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, text=(self.text or "…") + " …"
        )
        self._ts = response.get("ts")
        self._last_update = time.monotonic()

    def _update(self, text: str, blocks: list[Block] | None = None) -> None:
        # no ts (Slack's answer lacked one) fails here like any refused update
        self.client.chat_update(channel=self.channel, ts=self._ts or "", text=text, blocks=blocks)
        self._last_update = time.monotonic()

    def finish(self, reply: Reply, note: str = "") -> bool:
        """Close what was shown with the reply's blocks; False if nothing was streamed.

        The draft itself is not in these blocks: it lives on the thread's card (`note` says so).
        """
        if self.mode is None:
            return False
        rest = reply.text[len(self.text) :] if reply.text.startswith(self.text) else reply.text
        if self.mode == "stream":
            remainder = dataclasses.replace(reply, text=rest.strip())
            try:
                self._stream.stop(
                    markdown_text=self._pending or None, blocks=reply_blocks(remainder, note)
                )
                return True
            except STREAM_ERRORS as error:
                log.warning("could not close the stream (%s); posting the reply instead", error)
                return False
        try:
            self._update(fallback_text(reply), reply_blocks(reply, note))
        except SlackApiError as error:
            log.warning("chat.update failed (%s); posting the reply instead", error)
            return False
        return True
