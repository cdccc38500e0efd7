"""Post a draft's card once per thread and keep it (and the thread's channel post) current.

Slack is the record of which messages exist, so the card is found where it lives: this process
remembers the cards it posted, and any other instance (HTTP mode behind a load balancer, or after
a restart) finds the card by reading the thread once (`conversations.replies`, with the history
scopes the app already has) and remembers it from then on. A card that was deleted is posted
again rather than failing the turn.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.drafts.records import DraftRecord, VersionRecord
from bot.slack import ids
from bot.slack.blocks import Block, fit_blocks
from bot.slack.cards import card_blocks, parent_blocks, parent_text
from bot.slack.mrkdwn import TEXT_LIMIT, escape

log = logging.getLogger(__name__)
REMEMBERED_THREADS = 5000
MAX_PAGES_READ = 5  # 1,000 messages: any coaching thread, without reading a huge one forever
GONE = {"message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found"}
BLOCKS_PER_MESSAGE = 50


@dataclass
class ThreadCards:
    """What is known about one draft in one thread: its card's ts, and who wrote the parent."""

    card_ts: str | None = None
    parent_is_ours: bool = False


class CardKeeper:
    """Finds, posts and updates the one card of each draft in each (channel, thread).

    A thread normally holds one draft; an assistant-panel or DM thread can move to another
    ("new draft", "switch to …"), so cards are remembered per draft as well as per thread.
    """

    def __init__(self) -> None:
        self._cards: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._our_parents: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._lock = threading.Lock()
        self._thread_locks: OrderedDict[tuple[str, str], threading.Lock] = OrderedDict()

    # -- memory ---------------------------------------------------------------------------------
    @staticmethod
    def _bounded(memory: OrderedDict[Any, Any], key: tuple[Any, ...], value: object) -> None:
        memory[key] = value
        memory.move_to_end(key)
        while len(memory) > REMEMBERED_THREADS:
            memory.popitem(last=False)

    def thread_lock(self, channel: str, thread_ts: str) -> threading.Lock:
        """Serialises card work per thread, so two turns landing together post one card."""
        with self._lock:
            lock = self._thread_locks.get((channel, thread_ts)) or threading.Lock()
            self._bounded(self._thread_locks, (channel, thread_ts), lock)
            return lock

    def parent_posted(self, channel: str, thread_ts: str) -> None:
        """The bot has just posted this thread's channel post."""
        with self._lock:
            self._bounded(self._our_parents, (channel, thread_ts), True)

    def card_posted(self, channel: str, thread_ts: str, draft_id: str, card_ts: str) -> None:
        with self._lock:
            self._bounded(self._cards, (channel, thread_ts, draft_id), card_ts)

    # -- finding --------------------------------------------------------------------------------
    def find(self, client: WebClient, channel: str, thread_ts: str, draft_id: str) -> ThreadCards:
        """What is known about the thread, reading it from Slack once if this process forgot."""
        card_ts = self._cards.get((channel, thread_ts, draft_id))
        ours = self._our_parents.get((channel, thread_ts))
        if card_ts is not None and ours is not None:
            return ThreadCards(card_ts, ours)
        found = self._read_thread(client, channel, thread_ts, draft_id)
        found.parent_is_ours = found.parent_is_ours or bool(ours)
        with self._lock:
            self._bounded(self._our_parents, (channel, thread_ts), found.parent_is_ours)
        if found.card_ts is not None:
            self.card_posted(channel, thread_ts, draft_id, found.card_ts)
        return found

    def _read_thread(
        self, client: WebClient, channel: str, thread_ts: str, draft_id: str
    ) -> ThreadCards:
        found = ThreadCards()
        cursor = None
        wanted = f"{ids.CARD_BLOCK_PREFIX}{draft_id}"
        try:
            for _ in range(MAX_PAGES_READ):
                page = client.conversations_replies(
                    channel=channel, ts=thread_ts, limit=200, cursor=cursor
                )
                for message in page.get("messages") or []:
                    by_bot = bool(message.get("bot_id"))
                    if message.get("ts") == thread_ts:
                        found.parent_is_ours = by_bot
                    if by_bot and any(
                        block.get("block_id") == wanted for block in message.get("blocks") or []
                    ):
                        found.card_ts = message.get("ts")
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as error:
            log.info("could not read the thread to find its card: %s", error.response.get("error"))
        return found

    # -- showing --------------------------------------------------------------------------------
    def show(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str,
        draft: DraftRecord,
        latest: VersionRecord | None,
        *,
        before: list[Block] | None = None,
        after: list[Block] | None = None,
    ) -> bool:
        """Update the thread's card in place; post it (with `before`/`after`) if it has none.

        True when a new message was posted (the card carried this turn's words), False when an
        existing card was updated (the caller still posts the turn's words).
        """
        card = card_blocks(draft, latest)
        text = _card_text(draft, latest)
        with self.thread_lock(channel, thread_ts):
            known = self.find(client, channel, thread_ts, draft.id)
            if known.card_ts is not None:
                try:
                    client.chat_update(channel=channel, ts=known.card_ts, text=text, blocks=card)
                    self._update_parent(client, channel, thread_ts, known, draft, latest)
                    return False
                except SlackApiError as error:
                    code = error.response.get("error")
                    if code not in GONE:
                        # the turn is saved: its words still go out, the card catches up later
                        log.warning("could not update the draft card: %s", code)
                        return False
                    log.info("the card has gone (%s); posting it again", code)
            blocks = fit_blocks([*(before or []), *card, *(after or [])], BLOCKS_PER_MESSAGE)
            if len(blocks) < len(before or []) + len(card) + len(after or []):
                blocks = card  # the card never loses its buttons to the turn's words
            response = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, blocks=blocks
            )
            self.card_posted(channel, thread_ts, draft.id, str(response.get("ts")))
            self._update_parent(client, channel, thread_ts, known, draft, latest)
            return True

    def _update_parent(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str,
        known: ThreadCards,
        draft: DraftRecord,
        latest: VersionRecord | None,
    ) -> None:
        """Keep the channel post that starts the thread showing the status and score."""
        if not known.parent_is_ours or known.card_ts == thread_ts:
            return  # a mention or DM started it, or the card itself heads the thread
        try:
            client.chat_update(
                channel=channel,
                ts=thread_ts,
                text=parent_text(draft, latest),
                blocks=parent_blocks(draft, latest),
            )
        except SlackApiError as error:
            log.info("could not update the thread's channel post: %s", error.response.get("error"))


def _card_text(draft: DraftRecord, latest: VersionRecord | None) -> str:
    """The notification and fallback text of a card (escaped: it drives notifications)."""
    score = f" — version {latest.number}, {latest.score}%" if latest else ""
    return f"Draft: {escape(draft.title)}{score}"[:TEXT_LIMIT]
