"""Events: thread replies, mentions, direct messages and App Home.

Slack retries an event it thinks was not delivered; each event id is claimed in the database
first, so a retry arriving at any instance produces no second reply.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.privacy import redact_line
from bot.slack.conversations import actor_from, thread_key
from bot.slack.direct import FILE_ONLY, Place
from bot.slack.listeners.dependencies import conversations_of, direct_messages_of
from bot.slack.lists import home_view
from bot.slack.payloads import EventBody, HomeOpenedEvent, MessageEvent
from bot.slack.requests import addressed_to_someone_else, read_request

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


MENTION_HELP = (
    "Mention me with a title to start a problem statement here (e.g. *@Partnership Coach new "
    "falls in care homes*), or with a question ending in ? to ask the knowledge base. "
    "`/statement list` shows your drafts."
)


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_mention)
    app.event("app_home_opened")(on_home)


def not_yours(draft_id: str, owner_id: str) -> str:
    """What a colleague who may not edit a thread's draft is told, privately."""
    return (
        f"This thread is <@{owner_id}>'s draft, and it hasn't been shared with you, so I "
        f"haven't used your reply. Ask <@{owner_id}> to share it with you "
        f"(`/statement share {draft_id} @you`), then reply again."
    )


def on_message(
    body: EventBody, event: MessageEvent, client: WebClient, context: BoltContext
) -> None:
    """A message in a DM, or a reply in a thread that holds a draft; anything else is ignored."""
    if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id"):
        return
    text = event.get("text") or ""
    bot_user = context.bot_user_id
    if bot_user and f"<@{bot_user}>" in text:
        return  # the app_mention event for this message does the work
    channel = event["channel"]
    thread_ts = event.get("thread_ts")
    is_dm = event.get("channel_type") == "im"
    conversations = conversations_of(context)
    if is_dm:
        actor = actor_from(context, body)
        if conversations.first_delivery(body.get("event_id")):
            place = Place(channel, event.get("ts", ""), thread_ts)
            direct_messages_of(context).route(
                client,
                actor,
                place,
                text,
                has_files=bool(event.get("files")),
                bot_user_id=bot_user,
            )
        return
    if not thread_ts:
        return  # top-level channel chatter is not ours
    if addressed_to_someone_else(text, bot_user):
        return  # "<@colleague> can you pull the falls figures?" is for the colleague
    actor = actor_from(context, body)  # only now: channel chatter is never refused as nameless
    draft_id = conversations.draft_for_thread(actor, channel, thread_ts)
    if draft_id is None:
        owned = conversations.engine.drafts.linked_owner(
            thread_key(actor.workspace_id, channel, thread_ts), actor.workspace_id
        )
        if owned is not None and conversations.first_delivery(body.get("event_id")):
            conversations.tell(client, channel, thread_ts, actor.user_id, not_yours(*owned))
        return  # otherwise a thread the bot did not start
    if not conversations.first_delivery(body.get("event_id")):
        log.info("duplicate delivery of %s ignored", body.get("event_id"))
        return
    if not text.strip() and event.get("files"):
        conversations.tell(client, channel, thread_ts, actor.user_id, FILE_ONLY)
        return
    conversations.answer(client, channel, thread_ts, actor, draft_id, text)


def on_mention(
    body: EventBody, event: MessageEvent, client: WebClient, context: BoltContext
) -> None:
    """@Partnership Coach: coach in a draft's thread, answer a question, or start a draft."""
    conversations = conversations_of(context)
    if not conversations.first_delivery(body.get("event_id")):
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
        owned = conversations.engine.drafts.linked_owner(
            thread_key(actor.workspace_id, channel, thread_ts), actor.workspace_id
        )
        if owned is not None:  # someone else's draft: never start another in its thread
            conversations.tell(client, channel, thread_ts, actor.user_id, not_yours(*owned))
            return
    request = read_request(text)
    if request.kind == "question":
        thread = thread_ts or event["ts"]
        conversations.answer_question(client, channel, thread, actor, request.argument)
        return
    if request.kind in ("help", "chatter", "list") or not text:
        conversations.tell(client, channel, thread_ts, actor.user_id, MENTION_HELP)
        return
    title = request.argument if request.kind == "new" else re.sub(r"^new\s+", "", text, flags=re.I)
    # guarded before it is cut, so the cut cannot leave part of an identifier behind
    title = redact_line(title, 150) or "Untitled draft"
    conversations.start_thread(client, actor, channel, title, parent_ts=thread_ts or event["ts"])


def on_home(
    body: EventBody, event: HomeOpenedEvent, client: WebClient, context: BoltContext
) -> None:
    """App Home opened: the user's drafts, a page at a time, and a New draft button."""
    if event.get("tab", "home") != "home":
        return
    actor = actor_from(context, body)
    drafts = conversations_of(context).engine.drafts.list(actor)
    client.views_publish(user_id=actor.user_id, view=home_view(drafts))
