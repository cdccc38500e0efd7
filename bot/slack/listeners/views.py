"""Modal submissions: the new-draft form, the share form and the revise form."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.compose import split_partners
from bot.drafts.records import Actor
from bot.errors import DraftNotFound, NotOwner
from bot.privacy import redact_text
from bot.slack import ids
from bot.slack.conversations import NOT_SHARED, SlackConversations, actor_from
from bot.slack.listeners.dependencies import conversations_of
from bot.slack.mrkdwn import to_mrkdwn
from bot.slack.payloads import SubmittedView, ViewSubmissionBody

log = logging.getLogger(__name__)
Where = dict[str, str | int | None]  # the JSON a form carries: draft, version, channel, thread
# the revise form's boxes, and the words that tell the engine which line a revision replaces
REVISABLE_LINES = {"problem": ids.PROBLEM_INPUT, "hmw": ids.HMW_INPUT}


def register(app: App) -> None:
    app.view(ids.NEW_DRAFT_VIEW)(new_draft)
    app.view(ids.SHARE_DRAFT_VIEW)(share_draft)
    app.view(ids.REVISE_DRAFT_VIEW)(revise_draft)


def _value(view: SubmittedView, block_id: str) -> str:
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get(ids.INPUT_ACTION, {})
    if "selected_option" in state:
        return ((state.get("selected_option") or {}).get("value")) or ""
    if "selected_user" in state:
        return state.get("selected_user") or ""
    # Every typed field is guarded where it enters: nothing from a form is kept or posted raw.
    return redact_text((state.get("value") or "").strip())


def new_draft(
    ack: Ack,
    body: ViewSubmissionBody,
    view: SubmittedView,
    client: WebClient,
    context: BoltContext,
) -> None:
    """The `/statement new` form: a thread in the channel it was typed in (else the DM)."""
    title = _value(view, ids.TITLE_INPUT)
    if not title:
        ack(response_action="errors", errors={ids.TITLE_INPUT: "Give the draft a title."})
        return
    ack()
    conversations = conversations_of(context)
    actor = actor_from(context, body)
    channel = view.get("private_metadata") or conversations.dm_channel(client, actor.user_id)
    partners = split_partners(_value(view, ids.PARTNERS_INPUT))
    partner_type = _value(view, ids.PARTNER_TYPE_INPUT)
    area = _value(view, ids.AREA_INPUT)
    opening = _value(view, ids.PASTED_INPUT)

    def start_in(where: str) -> None:
        conversations.start_thread(
            client,
            actor,
            where,
            title,
            partners=partners,
            partner_type=partner_type,
            area=area,
            opening=opening,
        )

    try:
        start_in(channel)
    except SlackApiError as error:
        if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
            raise
        dm = conversations.dm_channel(client, actor.user_id)
        client.chat_postMessage(
            channel=dm,
            text="I can't post in that channel (invite me with `/invite @Partnership Coach`), "
            "so we'll work here instead.",
        )
        start_in(dm)


def share_draft(
    ack: Ack,
    body: ViewSubmissionBody,
    view: SubmittedView,
    client: WebClient,
    context: BoltContext,
) -> None:
    """The share form: errors shown in the form itself; the owner is told where they clicked."""
    conversations = conversations_of(context)
    user = _value(view, ids.SHARE_WITH_INPUT)
    where = _where(view)
    draft_id = str(where.get("d") or "")
    actor = actor_from(context, body)
    field = ids.SHARE_WITH_INPUT
    if user == actor.user_id:
        ack(response_action="errors", errors={field: "That's you: pick a colleague."})
        return
    try:
        conversations.share_with(client, actor, draft_id, user)
    except (DraftNotFound, NotOwner):
        ack(response_action="errors", errors={field: "Only the draft's owner can share it."})
        return
    except ValueError:
        ack(response_action="errors", errors={field: "Pick a colleague to share with."})
        return
    ack()
    draft = conversations.engine.drafts.get(actor, draft_id)
    confirm(
        conversations,
        client,
        actor,
        where,
        f"Shared *{to_mrkdwn(draft.title)}* with <@{user}>: I've sent them a message with "
        "a button to open it.",
    )


def revise_draft(
    ack: Ack,
    body: ViewSubmissionBody,
    view: SubmittedView,
    client: WebClient,
    context: BoltContext,
) -> None:
    """The revise form: each changed line is a revision turn; the reply goes to the thread."""
    ack()
    conversations = conversations_of(context)
    engine = conversations.engine
    actor = actor_from(context, body)
    where = _where(view)
    draft_id = str(where.get("d") or "")
    where_channel, where_thread = where.get("c"), where.get("t")
    if isinstance(where_channel, str) and where_channel:
        channel, thread_ts = where_channel, where_thread if isinstance(where_thread, str) else None
    else:
        channel, thread_ts = conversations.dm_channel(client, actor.user_id), None
    try:
        latest = engine.drafts.latest_version(actor, draft_id)
        if latest is None:
            return
        current = {
            "problem": latest.content.problem_statement,
            "hmw": latest.content.how_might_we,
        }
        reply = None
        for name, block_id in REVISABLE_LINES.items():
            typed = _value(view, block_id)
            if typed and " ".join(typed.split()) != " ".join(current[name].split()):
                reply = engine.handle(actor, draft_id, f"{name}: {typed}")
        if reply is None:
            confirm(
                conversations, client, actor, where, "Nothing changed, so the draft is as it was."
            )
            return
        conversations.deliver(client, channel, thread_ts, reply, actor)
    except DraftNotFound:
        confirm(conversations, client, actor, where, NOT_SHARED)


def confirm(
    conversations: SlackConversations, client: WebClient, actor: Actor, where: Where, text: str
) -> None:
    """Tell the user privately, where they clicked (a DM if that was App Home)."""
    channel, thread_ts = where.get("c"), where.get("t")
    if isinstance(channel, str) and channel:
        thread = thread_ts if isinstance(thread_ts, str) else None
        conversations.tell(client, channel, thread, actor.user_id, text)
    else:
        client.chat_postMessage(channel=conversations.dm_channel(client, actor.user_id), text=text)


def _where(view: SubmittedView) -> Where:
    """Where a modal was opened from: draft, version, channel and thread (JSON metadata)."""
    metadata = view.get("private_metadata") or ""
    try:
        where = json.loads(metadata)
    except ValueError:
        return {"d": metadata}  # a form opened before the metadata was JSON: just the draft
    return where if isinstance(where, dict) else {}
