"""Buttons: accept, revise, export, share, open and 👍/👎 feedback on a draft version.

Every action is checked against the user who clicked, not the draft's owner: the store raises
DraftNotFound for anyone the draft is not shared with, and they are told so privately.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.drafts.records import Actor
from bot.drafts.repository import DraftNotFound, NotOwner
from bot.slack.blocks import share_modal
from bot.slack.conversations import SlackConversations, actor_from

log = logging.getLogger(__name__)
NOT_SHARED = "That draft has not been shared with you."
REVISE_HELP = (
    "What would you like to change? Reply here with *edit evidence* (or any stage), "
    "*problem: …* to rewrite the statement, or describe the change."
)


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """Channel and thread of the message holding the button (None in App Home)."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, message.get("thread_ts") or message.get("ts")


Click = Callable[[Actor, str, dict[str, Any], WebClient], None]


def register(app: App, conversations: SlackConversations) -> None:
    engine = conversations.engine

    def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
        """A private note to the clicking user, where they clicked (or in a DM from App Home)."""
        channel, thread_ts = _where(body)
        user = (body.get("user") or {}).get("id", "")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
        else:
            client.chat_postMessage(channel=conversations.dm_channel(client, user), text=text)

    def button(action_id: str) -> Callable[[Click], Click]:
        """Register `click(actor, value, body, client)` with ack and access errors handled."""

        def decorator(click: Click) -> Click:
            @app.action(action_id)
            def listener(
                ack: Ack,
                body: dict[str, Any],
                action: dict[str, Any],
                client: WebClient,
                context: Any,
            ) -> None:
                ack()
                try:
                    click(actor_from(context, body), action.get("value", ""), body, client)
                except DraftNotFound:
                    tell(client, body, NOT_SHARED)
                except NotOwner:
                    tell(client, body, "Only the draft's owner can do that.")

            return click

        return decorator

    def show_reply(client: WebClient, body: dict[str, Any], actor: Actor, reply: Any) -> None:
        channel, thread_ts = _where(body)
        if channel is None:
            channel, thread_ts = conversations.dm_channel(client, actor.user_id), None
        conversations.post(client, channel, thread_ts, reply, actor)

    @button("draft_accept")
    def accept(actor: Actor, draft_id: str, body: dict[str, Any], client: WebClient) -> None:
        show_reply(client, body, actor, engine.accept(actor, draft_id))

    @button("draft_revise")
    def revise(actor: Actor, draft_id: str, body: dict[str, Any], client: WebClient) -> None:
        reply = engine.open(actor, draft_id)
        channel, thread_ts = _where(body)
        if channel:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=REVISE_HELP)
        else:
            show_reply(client, body, actor, reply)

    @button("draft_export")
    def export(actor: Actor, draft_id: str, body: dict[str, Any], client: WebClient) -> None:
        dm = conversations.dm_channel(client, actor.user_id)
        conversations.upload_export(client, actor, draft_id, "docx", dm)

    @button("draft_share")
    def share(actor: Actor, draft_id: str, body: dict[str, Any], client: WebClient) -> None:
        draft = engine.store.get_draft(actor, draft_id)
        if not draft.owned_by(actor):
            raise NotOwner(draft_id)
        client.views_open(trigger_id=body["trigger_id"], view=share_modal(draft.id))

    @button("draft_open")
    def open_draft(actor: Actor, draft_id: str, body: dict[str, Any], client: WebClient) -> None:
        reply = engine.open(actor, draft_id)
        conversations.post(
            client, conversations.dm_channel(client, actor.user_id), None, reply, actor
        )

    def rate(value: int) -> Click:
        def click(actor: Actor, token: str, body: dict[str, Any], client: WebClient) -> None:
            version_id = token.rpartition(":")[2]
            if not version_id.isdigit():
                tell(client, body, "That rating button is out of date.")
                return
            engine.store.record_feedback(actor, int(version_id), value)
            tell(
                client,
                body,
                "Thanks for the feedback."
                if value > 0
                else "Thanks: tell me in the thread what to improve.",
            )

        return click

    button("feedback_up")(rate(+1))
    button("feedback_down")(rate(-1))
