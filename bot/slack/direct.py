"""Direct messages and the assistant panel: answer questions, start drafts only when asked.

A DM holds any number of drafts, one per thread: "new draft about falls" starts a thread under
the message, "switch to stroke" opens another draft, "my drafts" lists them ten a page. In a
thread that already holds a draft, messages go to the engine (whose classifier files only
answers); the three requests above still work there, so the suggested prompt "Start a new
problem statement" mid-draft starts one instead of being filed as an answer. A message opening
with someone else's @mention is for them and is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.drafts.records import Actor
from bot.privacy import redact_line, redact_text
from bot.slack import ids
from bot.slack.blocks import Block, button, context, section
from bot.slack.conversations import SlackConversations, thread_key
from bot.slack.lists import drafts_page_blocks
from bot.slack.mrkdwn import cut_on_word, escape
from bot.slack.requests import addressed_to_someone_else, find_draft, read_request

log = logging.getLogger(__name__)
PANEL_TITLE_CHARS = 60  # a question as the panel thread's title
OFFER_VALUE_CHARS = 1900  # a button value holds 2,000
DM_HELP = (
    "I coach you and your partners to a problem statement and value proposition.\n"
    "• *new draft about …* — start one (each draft gets its own thread)\n"
    "• *my drafts* — your drafts, ten a page · *switch to …* — pick one up by its title or id\n"
    "• ask anything about partnership working, e.g. *what is a driver diagram?*\n"
    "In a draft's thread just answer in your own words; *help* there lists what you can say."
)
FILE_ONLY = (
    "Thanks for the file. I can't open attachments, so please paste the text you want me to "
    "use as a message (up to 4,000 characters), or use `/statement new` and its *Paste what "
    "you have* box."
)
GREETING = (
    "Say *new draft about …* to start a problem statement, *my drafts* to see yours, or ask me "
    "anything about partnership working."
)


@dataclass
class Place:
    """Where a message arrived: the DM (or panel) channel, the message, and its thread."""

    channel: str
    message_ts: str
    thread_ts: str | None  # None: a top-level DM message
    in_panel: bool = False

    @property
    def reply_thread(self) -> str:
        """Where a reply goes: the message's thread, or a new thread under a top-level message."""
        return self.thread_ts or self.message_ts


SetTitle = Callable[[str], None]


class DirectMessages:
    def __init__(self, conversations: SlackConversations) -> None:
        self.conversations = conversations
        self.engine = conversations.engine

    def route(
        self,
        client: WebClient,
        actor: Actor,
        place: Place,
        text: str,
        *,
        has_files: bool = False,
        bot_user_id: str | None = None,
        set_title: SetTitle | None = None,
    ) -> None:
        """One message in a DM or the panel: to the draft of its thread, or read as a request."""
        if addressed_to_someone_else(text, bot_user_id):
            return
        if bot_user_id:
            text = text.replace(f"<@{bot_user_id}>", "")
        text = text.strip()
        if not text:
            if has_files:
                self._say(client, place, FILE_ONLY)
            return
        draft_id = None
        if place.thread_ts:
            draft_id = self.conversations.draft_for_thread(actor, place.channel, place.thread_ts)
        request = read_request(text)
        if request.kind == "new":
            self.start(client, actor, place, request.argument, set_title=set_title)
        elif request.kind == "list":
            drafts = self.engine.drafts.list(actor)
            blocks = drafts_page_blocks(drafts, 0, "assistant")
            self._say(client, place, "Your drafts", blocks)
        elif request.kind == "switch" and (draft_id is None or self._names_a_draft(actor, text)):
            self.switch(client, actor, place, request.argument, set_title=set_title)
        elif draft_id is not None:
            self.conversations.answer(client, place.channel, place.thread_ts, actor, draft_id, text)
        elif request.kind == "question":
            if set_title:
                set_title(cut_on_word(redact_line(request.argument), PANEL_TITLE_CHARS))
            self.conversations.answer_question(
                client, place.channel, place.thread_ts, actor, request.argument
            )
        elif request.kind == "help":
            self._say(client, place, DM_HELP)
        elif request.kind == "chatter":
            self._say(client, place, GREETING)
        else:
            self.offer(client, place, text)

    def _names_a_draft(self, actor: Actor, text: str) -> bool:
        """Inside a draft, "open …" is only a switch when it names another draft."""
        request = read_request(text)
        return find_draft(self.engine.drafts.list(actor), request.argument) is not None

    # -- what the requests do --------------------------------------------------------------------
    def start(
        self,
        client: WebClient,
        actor: Actor,
        place: Place,
        title: str,
        *,
        opening: str = "",
        set_title: SetTitle | None = None,
    ) -> None:
        """A new draft in this thread (the panel's, or a new one under a top-level DM)."""
        # guarded before it is cut and before Slack shows it as the thread's title
        title = redact_line(title, 150) or ("" if opening else "New problem statement")
        title = title[:1].upper() + title[1:]
        thread = place.reply_thread
        reply = self.engine.start(
            actor,
            title,
            conversation_key=thread_key(actor.workspace_id, place.channel, thread),
            opening_text=opening,
        )
        if set_title:
            set_title(cut_on_word(self.engine.drafts.get(actor, reply.draft_id).title, 150))
        self.conversations.deliver(client, place.channel, thread, reply, actor)

    def switch(
        self,
        client: WebClient,
        actor: Actor,
        place: Place,
        target: str,
        *,
        set_title: SetTitle | None = None,
    ) -> None:
        """Pick up another draft: in this thread, or (top-level) in a new thread of its own."""
        drafts = self.engine.drafts.list(actor)
        found = find_draft(drafts, target)
        if found is None:
            said = f"I couldn't find a draft called “{escape(redact_line(target, 80))}”."
            blocks = [*section(said), *drafts_page_blocks(drafts, 0, "assistant")]
            self._say(client, place, said, blocks)
            return
        if place.thread_ts is None:
            self.conversations.open_in_dm(client, actor, found.id)
            return
        if set_title:
            set_title(cut_on_word(found.title, 150))
        key = thread_key(actor.workspace_id, place.channel, place.thread_ts)
        reply = self.engine.open(actor, found.id, conversation_key=key)
        self.conversations.deliver(client, place.channel, place.thread_ts, reply, actor)

    def offer(self, client: WebClient, place: Place, text: str) -> None:
        """Not a question and no draft here: offer to start one from these words."""
        words = redact_text(text)
        value = words if len(words) <= OFFER_VALUE_CHARS else words[:OFFER_VALUE_CHARS]
        blocks = [
            *section(
                "Shall I start a problem statement from what you wrote? I'll file what it "
                "answers and ask about the rest."
            ),
            {
                "type": "actions",
                "block_id": ids.OFFER_BLOCK,
                "elements": [
                    button("Start a draft from this", ids.DM_START_FROM, value, "primary")
                ],
            },
            context("Or ask me a question about partnership working (end it with ?)."),
        ]
        self._say(client, place, "Shall I start a problem statement from this?", blocks)

    def _say(
        self, client: WebClient, place: Place, text: str, blocks: list[Block] | None = None
    ) -> None:
        client.chat_postMessage(
            channel=place.channel, thread_ts=place.thread_ts, text=text, blocks=blocks
        )
