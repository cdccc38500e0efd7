"""Modal submissions: the new-draft form, the share form and the revise form."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.compose import split_partners
from bot.drafts.repository import DraftNotFound, NotOwner
from bot.privacy import redact_text
from bot.slack.conversations import NOT_SHARED, SlackConversations, actor_from
from bot.slack.mrkdwn import to_mrkdwn

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
    engine = conversations.engine
    store = engine.store

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
        where = _where(view)
        draft_id = where.get("d", "")
        actor = actor_from(context, body)
        if user == actor.user_id:
            ack(response_action="errors", errors={"user": "That's you: pick a colleague."})
            return
        try:
            conversations.share_with(client, actor, draft_id, user)
        except (DraftNotFound, NotOwner):
            ack(response_action="errors", errors={"user": "Only the draft's owner can share it."})
            return
        except ValueError:
            ack(response_action="errors", errors={"user": "Pick a colleague to share with."})
            return
        ack()
        draft = store.get_draft(actor, draft_id)
        confirm(
            client,
            actor,
            where,
            f"Shared *{to_mrkdwn(draft.title)}* with <@{user}>: I've sent them a message with "
            "a button to open it.",
        )

    @app.view("revise_draft")
    def revise_draft(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        actor = actor_from(context, body)
        where = _where(view)
        draft_id = where.get("d", "")
        channel = where.get("c") or conversations.dm_channel(client, actor.user_id)
        thread_ts = where.get("t") if where.get("c") else None
        try:
            latest = store.latest_version(actor, draft_id)
            if latest is None:
                return
            lines = {
                "problem": (_value(view, "problem"), latest.content.problem_statement),
                "hmw": (_value(view, "hmw"), latest.content.how_might_we),
            }
            reply = None
            for name, (typed, current) in lines.items():
                if typed and " ".join(typed.split()) != " ".join(current.split()):
                    reply = engine.handle(actor, draft_id, f"{name}: {typed}")
            if reply is None:
                confirm(client, actor, where, "Nothing changed, so the draft is as it was.")
                return
            conversations.deliver(client, channel, thread_ts, reply, actor)
        except DraftNotFound:
            confirm(client, actor, where, NOT_SHARED)

    def confirm(client: WebClient, actor: Any, where: dict[str, Any], text: str) -> None:
        """Tell the user privately, where they clicked (a DM if that was App Home)."""
        if where.get("c"):
            conversations.tell(client, where["c"], where.get("t"), actor.user_id, text)
        else:
            client.chat_postMessage(
                channel=conversations.dm_channel(client, actor.user_id), text=text
            )


def _where(view: dict[str, Any]) -> dict[str, Any]:
    """Where a modal was opened from: draft, version, channel and thread (JSON metadata)."""
    metadata = view.get("private_metadata") or ""
    try:
        where = json.loads(metadata)
    except ValueError:
        return {"d": metadata}  # a form opened before the metadata was JSON: just the draft
    return where if isinstance(where, dict) else {}
