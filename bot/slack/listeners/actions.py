"""Buttons: accept, revise, export, share, open and 👍/👎 feedback on a draft version.

Every action is checked against the user who clicked, not the draft's owner.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.drafts.repository import DraftNotFound, NotOwner
from bot.slack.blocks import share_modal
from bot.slack.conversations import SlackConversations, actor_from

log = logging.getLogger(__name__)


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """Channel and thread of the message holding the button (None in App Home)."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, message.get("thread_ts") or message.get("ts")


def register(app: App, conversations: SlackConversations) -> None:
    engine = conversations.engine

    def refuse(client: WebClient, body: dict[str, Any], text: str) -> None:
        channel, thread_ts = _where(body)
        user = (body.get("user") or {}).get("id", "")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
        else:
            client.chat_postMessage(channel=conversations.dm_channel(client, user), text=text)

    @app.action("draft_accept")
    def accept(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        channel, thread_ts = _where(body)
        try:
            reply = engine.accept(actor, action["value"])
        except DraftNotFound:
            refuse(client, body, "That draft has not been shared with you.")
            return
        if channel:
            conversations.post(client, channel, thread_ts, reply, actor)

    @app.action("draft_revise")
    def revise(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        try:
            reply = engine.open(actor, action["value"])
        except DraftNotFound:
            refuse(client, body, "That draft has not been shared with you.")
            return
        channel, thread_ts = _where(body)
        if channel:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text="What would you like to change? Reply here with *edit evidence* (or any "
                "stage), *problem: …* to rewrite the statement, or describe the change.",
            )
        else:
            conversations.post(
                client, conversations.dm_channel(client, actor.user_id), None, reply, actor
            )

    @app.action("draft_export")
    def export(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        try:
            conversations.upload_export(
                client,
                actor,
                action["value"],
                "docx",
                conversations.dm_channel(client, actor.user_id),
            )
        except DraftNotFound:
            refuse(client, body, "That draft has not been shared with you.")

    @app.action("draft_share")
    def share(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        try:
            draft = engine.store.get_draft(actor, action["value"])
        except DraftNotFound:
            refuse(client, body, "That draft has not been shared with you.")
            return
        if not draft.owned_by(actor):
            refuse(client, body, "Only the draft's owner can share it.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=share_modal(draft.id))

    @app.action("draft_open")
    def open_draft(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        try:
            reply = engine.open(actor, action["value"])
        except DraftNotFound:
            refuse(client, body, "That draft has not been shared with you.")
            return
        conversations.post(
            client, conversations.dm_channel(client, actor.user_id), None, reply, actor
        )

    def feedback(value: int):
        def handler(
            ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
        ) -> None:
            ack()
            actor = actor_from(context, body)
            version_id = action["value"].rpartition(":")[2]
            try:
                engine.store.record_feedback(actor, int(version_id), value)
            except (DraftNotFound, NotOwner, ValueError):
                refuse(client, body, "You can't rate that draft.")
                return
            channel, thread_ts = _where(body)
            if channel:
                client.chat_postEphemeral(
                    channel=channel,
                    user=actor.user_id,
                    thread_ts=thread_ts,
                    text="Thanks for the feedback."
                    if value > 0
                    else "Thanks: tell me in the thread what to improve.",
                )

        return handler

    app.action("feedback_up")(feedback(+1))
    app.action("feedback_down")(feedback(-1))
