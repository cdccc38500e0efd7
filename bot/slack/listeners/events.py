"""Events: thread replies, mentions, direct messages and App Home.

Slack retries an event it thinks was not delivered; each event id is claimed in the database
first, so a retry arriving at any instance produces no second reply.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.privacy import redact_line
from bot.slack.conversations import SlackConversations, actor_from, thread_key
from bot.slack.lists import home_view

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
IGNORED_SUBTYPES = {
    "message_changed",
    "message_deleted",
    "bot_message",
    "channel_join",
    "channel_leave",
    "message_replied",
    "thread_broadcast",
}


def first_delivery(conversations: SlackConversations, body: dict[str, Any]) -> bool:
    event_id = body.get("event_id")
    return not event_id or conversations.engine.store.claim_event(str(event_id))


def register(app: App, conversations: SlackConversations) -> None:
    @app.event("message")
    def on_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id"):
            return
        text = event.get("text") or ""
        bot_user = getattr(context, "bot_user_id", None)
        if bot_user and f"<@{bot_user}>" in text:
            return  # the app_mention event for this message does the work
        channel = event["channel"]
        thread_ts = event.get("thread_ts")
        is_dm = event.get("channel_type") == "im"
        if not thread_ts and not is_dm:
            return  # top-level channel chatter is not ours
        actor = actor_from(context, body)
        root = thread_ts or "dm"
        draft_id = conversations.draft_for_thread(actor, channel, root)
        if draft_id is None and not is_dm:
            return  # a thread the bot did not start
        if not first_delivery(conversations, body):
            log.info("duplicate delivery of %s ignored", body.get("event_id"))
            return
        if draft_id is None:
            reply = conversations.engine.start(
                actor,
                redact_line(_MENTION.sub("", text), 80) or "Untitled draft",
                conversation_key=thread_key(actor.workspace_id, channel, root),
            )
            conversations.deliver(client, channel, thread_ts, reply, actor)
            return
        conversations.answer(client, channel, thread_ts, actor, draft_id, text)

    @app.event("app_mention")
    def on_mention(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        if not first_delivery(conversations, body):
            return
        actor = actor_from(context, body)
        channel = event["channel"]
        text = _MENTION.sub("", event.get("text") or "").strip()
        thread_ts = event.get("thread_ts")
        if thread_ts:
            draft_id = conversations.draft_for_thread(actor, channel, thread_ts)
            if draft_id is not None:
                conversations.answer(client, channel, thread_ts, actor, draft_id, text)
                return
        title = re.sub(r"^new\s+", "", text, flags=re.IGNORECASE)
        # guarded before it is cut, so the cut cannot leave part of an identifier behind
        title = redact_line(title, 150) or "Untitled draft"
        conversations.start_thread(
            client, actor, channel, title, parent_ts=thread_ts or event["ts"]
        )

    @app.event("app_home_opened")
    def on_home(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        actor = actor_from(context, body)
        drafts = conversations.engine.store.list_drafts(actor)
        client.views_publish(user_id=actor.user_id, view=home_view(drafts))
