"""Buttons: the card's Final, Revise, Full draft, Export, Share and 👍/👎; Open; list pages.

Every action is checked against the user who clicked, not the draft's owner: the store raises
DraftNotFound for anyone the draft is not shared with, and they are told so privately. Card
buttons carry the version the card showed, so a stale card's button acts on its own version (Full
draft, 👍/👎) or says it is out of date (Final, Revise, Export) instead of acting on a newer one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.drafts.records import Actor, DraftRecord, VersionRecord
from bot.drafts.repository import DraftNotFound
from bot.slack.blocks import new_draft_modal, revise_modal, section, share_modal
from bot.slack.cards import ButtonValue, full_draft_modal
from bot.slack.conversations import NOT_SHARED, SlackConversations, actor_from
from bot.slack.direct import DirectMessages, Place
from bot.slack.lists import drafts_page_blocks, home_view, parse_page
from bot.slack.mrkdwn import escape, to_mrkdwn

log = logging.getLogger(__name__)


class Refused(Exception):
    """A click that cannot be done, with the words to tell the clicking user privately."""


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """Channel and thread of the message holding the button (None in App Home)."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, message.get("thread_ts") or message.get("ts")


def _public_place(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """Where a click's result may be posted for others to see: not under a private message.

    A card shown privately (`/statement show`) lives in an ephemeral message; what its buttons
    produce goes to the user's DM rather than into the channel for everyone.
    """
    if (body.get("container") or {}).get("is_ephemeral"):
        return None, None
    return _where(body)


Click = Callable[[Actor, str, dict[str, Any], WebClient], None]


def owner_only(draft: DraftRecord, doing: str) -> str:
    """The private refusal for a collaborator: who owns the draft, and what to do instead."""
    return (
        f"Only the draft's owner, <@{escape(draft.owner_id)}>, can {doing}. "
        "Ask them in this thread, or send them a message."
    )


def register(app: App, conversations: SlackConversations) -> None:
    engine = conversations.engine
    store = engine.store
    direct = DirectMessages(conversations)

    def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
        """A private note to the clicking user, where they clicked (or in a DM from App Home)."""
        channel, thread_ts = _where(body)
        user = (body.get("user") or {}).get("id", "")
        if channel:
            conversations.tell(client, channel, thread_ts, user, text)
        else:
            client.chat_postMessage(channel=conversations.dm_channel(client, user), text=text)

    def button(*action_ids: str) -> Callable[[Click], Click]:
        """Register `click(actor, value, body, client)` with ack and refusals handled."""

        def decorator(click: Click) -> Click:
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
                except Refused as refusal:
                    tell(client, body, str(refusal))

            for action_id in action_ids:
                app.action(action_id)(listener)
            return click

        return decorator

    def on_card(actor: Actor, value: str) -> tuple[DraftRecord, VersionRecord]:
        """The draft and its latest version, refusing a card drawn for an older version."""
        clicked = ButtonValue.decode(value)
        draft = store.get_draft(actor, clicked.draft_id)
        latest = store.latest_version(actor, draft.id)
        if latest is None:
            raise Refused(f"*{to_mrkdwn(draft.title)}* has no draft yet.")
        if clicked.version is not None and clicked.version != latest.number:
            raise Refused(
                f"That card shows version {clicked.version}, but *{to_mrkdwn(draft.title)}* is "
                f"now at version {latest.number}: use the latest card "
                f"(or `/statement show {draft.id}`)."
            )
        return draft, latest

    def in_place(body: dict[str, Any], actor: Actor, client: WebClient) -> tuple[str, str | None]:
        channel, thread_ts = _public_place(body)
        if channel is None:
            return conversations.dm_channel(client, actor.user_id), None
        return channel, thread_ts

    @button("draft_final", "draft_accept")
    def final(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        draft, _latest = on_card(actor, value)
        if not draft.owned_by(actor):
            raise Refused(owner_only(draft, "mark it final"))
        if draft.status == "final":
            raise Refused(f"*{to_mrkdwn(draft.title)}* is already final.")
        channel, thread_ts = in_place(body, actor, client)
        conversations.deliver(client, channel, thread_ts, engine.accept(actor, draft.id), actor)

    @button("draft_revise")
    def revise(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        draft, latest = on_card(actor, value)
        channel, thread_ts = _public_place(body)
        where = json.dumps({"d": draft.id, "v": latest.number, "c": channel, "t": thread_ts})
        client.views_open(trigger_id=body["trigger_id"], view=revise_modal(latest.content, where))

    @button("draft_full")
    def full(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        clicked = ButtonValue.decode(value)
        versions = store.versions(actor, clicked.draft_id)
        if not versions:
            raise Refused("That draft has no version to show yet.")
        wanted = clicked.version or versions[-1].number
        shown = next((v for v in versions if v.number == wanted), versions[-1])
        draft = store.get_draft(actor, clicked.draft_id)
        view = full_draft_modal(draft, shown, versions[-1].number)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @button("draft_export")
    def export(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        draft, latest = on_card(actor, value)
        dm = conversations.dm_channel(client, actor.user_id)
        conversations.upload_export(client, actor, draft.id, "docx", dm)
        channel, _thread = _where(body)
        if channel and channel != dm:
            tell(
                client,
                body,
                f"Sent *{to_mrkdwn(draft.title)}* (version {latest.number}) to you as a Word "
                "document in our direct messages.",
            )

    @button("draft_share")
    def share(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        draft = store.get_draft(actor, ButtonValue.decode(value).draft_id)
        if not draft.owned_by(actor):
            raise Refused(owner_only(draft, "share it"))
        channel, thread_ts = _where(body)
        where = json.dumps({"d": draft.id, "c": channel, "t": thread_ts})
        client.views_open(trigger_id=body["trigger_id"], view=share_modal(draft.title, where))

    @button("draft_open")
    def open_draft(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        draft_id = ButtonValue.decode(value).draft_id
        dm = conversations.open_in_dm(client, actor, draft_id)
        channel, _thread = _where(body)
        if channel and channel != dm:
            draft = store.get_draft(actor, draft_id)
            tell(
                client,
                body,
                f"Opened *{to_mrkdwn(draft.title)}* in our direct messages: carry on there.",
            )

    @button("dm_start_from")
    def start_from(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        """The offer under an unclear DM: start a draft with those words as the first answer."""
        channel, _thread = _where(body)
        message = body.get("message") or {}
        if not channel or not message.get("ts"):
            return
        place = Place(channel, message["ts"], message.get("thread_ts"))
        client.chat_update(
            channel=channel,
            ts=message["ts"],
            text="Started a draft from what you wrote.",
            blocks=section("Started a draft from what you wrote: carry on in its thread."),
        )
        direct.start(client, actor, place, "", opening=value)

    @button("home_new_draft")
    def new_from_home(actor: Actor, _value: str, body: dict[str, Any], client: WebClient) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=new_draft_modal("", ""))

    @button("drafts_page_previous", "drafts_page_next")
    def turn_page(actor: Actor, value: str, body: dict[str, Any], client: WebClient) -> None:
        surface, number = parse_page(value)
        drafts = store.list_drafts(actor)
        if surface == "home":
            client.views_publish(user_id=actor.user_id, view=home_view(drafts, number))
            return
        shown_in = "assistant" if surface == "assistant" else "list"
        blocks = drafts_page_blocks(drafts, number, shown_in)
        if surface == "list" and body.get("response_url"):
            _replace_ephemeral(body["response_url"], blocks)
            return
        channel, _thread = _where(body)
        ts = (body.get("message") or {}).get("ts")
        if channel and ts:
            client.chat_update(channel=channel, ts=ts, text="Your drafts", blocks=blocks)

    def rate(value: int) -> Click:
        def click(actor: Actor, token: str, body: dict[str, Any], client: WebClient) -> None:
            clicked = ButtonValue.decode(token)
            versions = store.versions(actor, clicked.draft_id)
            version = next((v for v in versions if v.number == clicked.version), None)
            if version is None:
                raise Refused("That rating button is out of date.")
            store.record_feedback(actor, version.id, value)
            tell(
                client,
                body,
                f"Thanks for the feedback on version {version.number}."
                if value > 0
                else "Thanks: tell me in the thread what to improve.",
            )

        return click

    button("feedback_up")(rate(+1))
    button("feedback_down")(rate(-1))


def _replace_ephemeral(response_url: str, blocks: list[dict]) -> None:
    """Show another page in the ephemeral list the user clicked in (its response_url)."""
    WebhookClient(response_url).send(
        text="Your drafts", blocks=blocks, replace_original=True, response_type="ephemeral"
    )
