"""Modal submissions: the new-draft form and the share form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.compose import split_partners
from bot.drafts.repository import DraftNotFound, NotOwner
from bot.privacy import redact_text
from bot.slack.conversations import SlackConversations, actor_from

log = logging.getLogger(__name__)


def _value(view: dict[str, Any], block_id: str) -> str:
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if "selected_option" in state:
        return ((state.get("selected_option") or {}).get("value")) or ""
    if "selected_user" in state:
        return state.get("selected_user") or ""
    # Every typed field is guarded where it enters: nothing from a form is kept or posted raw.
    return redact_text((state.get("value") or "").strip())


def register(app: App, conversations: SlackConversations) -> None:
    @app.view("new_draft")
    def new_draft(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        title = _value(view, "title")
        if not title:
            ack(response_action="errors", errors={"title": "Give the draft a title."})
            return
        ack()
        actor = actor_from(context, body)
        channel = view.get("private_metadata") or conversations.dm_channel(client, actor.user_id)
        options = {
            "partners": split_partners(_value(view, "partners")),
            "partner_type": _value(view, "partner_type"),
            "area": _value(view, "area"),
            "opening": _value(view, "pasted"),
        }
        try:
            conversations.start_thread(client, actor, channel, title, **options)
        except SlackApiError as error:
            if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            dm = conversations.dm_channel(client, actor.user_id)
            client.chat_postMessage(
                channel=dm,
                text="I can't post in that channel (invite me with `/invite @Partnership Coach`), "
                "so we'll work here instead.",
            )
            conversations.start_thread(client, actor, dm, title, **options)

    @app.view("share_draft")
    def share_draft(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        user = _value(view, "user")
        draft_id = view.get("private_metadata", "")
        actor = actor_from(context, body)
        try:
            conversations.engine.store.share(actor, draft_id, user)
        except (DraftNotFound, NotOwner):
            ack(response_action="errors", errors={"user": "Only the draft's owner can share it."})
            return
        ack()
        client.chat_postMessage(
            channel=conversations.dm_channel(client, user),
            text=f"<@{actor.user_id}> shared a draft with you: `/statement show {draft_id}`.",
        )
