"""Buttons: the card's Final, Revise, Full draft, Export, Share and 👍/👎; Open; list pages;
👍/👎 under knowledge answers.

Every action is checked against the user who clicked, not the draft's owner: the store raises
DraftNotFound for anyone the draft is not shared with, and they are told so privately. Card
buttons carry the version the card showed, so a stale card's button acts on its own version (Full
draft, 👍/👎) or says it is out of date (Final, Revise, Export) instead of acting on a newer one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.drafts.records import Actor, DraftRecord, VersionRecord
from bot.errors import AnswerNotFound, DraftNotFound
from bot.slack import ids
from bot.slack.blocks import (
    AnswerVote,
    Block,
    new_draft_modal,
    revise_modal,
    section,
    share_modal,
)
from bot.slack.cards import ButtonValue, card_blocks, full_draft_modal
from bot.slack.conversations import (
    NOT_SHARED,
    SlackConversations,
    actor_from,
    answer_place,
    owner_only,
    viewer_in,
)
from bot.slack.direct import Place
from bot.slack.listeners.dependencies import conversations_of, direct_messages_of
from bot.slack.lists import Surface, drafts_page_blocks, home_view, parse_page
from bot.slack.mrkdwn import escape, to_mrkdwn
from bot.slack.payloads import BlockActionsBody, ButtonAction

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.DRAFT_FINAL)(final)
    app.action(ids.DRAFT_ACCEPT)(final)
    app.action(ids.DRAFT_REVISE)(revise)
    app.action(ids.DRAFT_FULL)(full_draft)
    app.action(ids.DRAFT_EXPORT)(export)
    app.action(ids.DRAFT_SHARE)(share)
    app.action(ids.DRAFT_OPEN)(open_draft)
    app.action(ids.DM_START_FROM)(start_from)
    app.action(ids.HOME_NEW_DRAFT)(new_from_home)
    app.action(ids.DRAFTS_PAGE_PREVIOUS)(turn_page)
    app.action(ids.DRAFTS_PAGE_NEXT)(turn_page)
    app.action(ids.FEEDBACK_UP)(rate_up)
    app.action(ids.FEEDBACK_DOWN)(rate_down)
    app.action(ids.ANSWER_FEEDBACK)(rate_answer)


class Refused(Exception):
    """A click that cannot be done, with the words to tell the clicking user privately."""


@dataclass(frozen=True)
class Click:
    """One acknowledged click: who clicked, the button's value, where, and the Slack bridge."""

    actor: Actor
    value: str
    body: BlockActionsBody
    conversations: SlackConversations


def acknowledge(
    ack: Ack, body: BlockActionsBody, action: ButtonAction, context: BoltContext
) -> Click:
    """Ack at once (Slack waits three seconds at most), then gather what the click is about."""
    ack()
    return Click(
        actor_from(context, body), action.get("value", ""), body, conversations_of(context)
    )


@contextmanager
def refusals_told(click: Click, client: WebClient) -> Iterator[None]:
    """A draft the clicker may not see, or a `Refused` click, is explained to them privately."""
    try:
        yield
    except DraftNotFound:
        tell(click, client, NOT_SHARED)
    except Refused as refusal:
        tell(click, client, str(refusal))


def _where(body: BlockActionsBody) -> tuple[str | None, str | None]:
    """Channel and thread of the message holding the button (None in App Home)."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel, message.get("thread_ts") or message.get("ts")


def _public_place(body: BlockActionsBody) -> tuple[str | None, str | None]:
    """Where a click's result may be posted for others to see: not under a private message.

    A card shown privately (`/statement show`) lives in an ephemeral message; what its buttons
    produce goes to the user's DM rather than into the channel for everyone.
    """
    if (body.get("container") or {}).get("is_ephemeral"):
        return None, None
    return _where(body)


def tell(click: Click, client: WebClient, text: str) -> None:
    """A private note to the clicking user, where they clicked (or in a DM from App Home)."""
    channel, thread_ts = _where(click.body)
    user = (click.body.get("user") or {}).get("id", "")
    if channel:
        click.conversations.tell(client, channel, thread_ts, user, text)
    else:
        dm = click.conversations.dm_channel(client, user)
        client.chat_postMessage(channel=dm, text=text)


def on_card(click: Click, client: WebClient) -> tuple[DraftRecord, VersionRecord]:
    """The draft and its latest version, refusing a card drawn for an older version.

    A stale card is brought up to date where it was clicked (every tracked copy normally is
    already; this catches one the keeper could not reach), and the clicker is told to look at
    the new version and click again, so the click is never silently applied to a newer draft.
    """
    drafts = click.conversations.engine.drafts
    clicked = ButtonValue.decode(click.value)
    draft = drafts.get(click.actor, clicked.draft_id)
    latest = drafts.latest_version(click.actor, draft.id)
    if latest is None:
        raise Refused(f"*{to_mrkdwn(draft.title)}* has no draft yet.")
    if clicked.version is not None and clicked.version != latest.number:
        redrawn = redraw_clicked_card(click, client, draft, latest)
        then = (
            "I've updated this card: check the new version, then click again."
            if redrawn
            else f"Use `/statement show {draft.id}` to see it, then click again there."
        )
        raise Refused(
            f"That card showed version {clicked.version}, but *{to_mrkdwn(draft.title)}* is "
            f"now at version {latest.number}. {then}"
        )
    return draft, latest


def redraw_clicked_card(
    click: Click, client: WebClient, draft: DraftRecord, latest: VersionRecord
) -> bool:
    """Redraw the card message that was clicked (not an ephemeral one: Slack keeps no copy)."""
    container = click.body.get("container") or {}
    channel, _thread = _where(click.body)
    ts = container.get("message_ts") or (click.body.get("message") or {}).get("ts")
    if container.get("is_ephemeral") or not channel or not ts:
        return False
    try:
        client.chat_update(
            channel=channel,
            ts=ts,
            text=f"Draft: {escape(draft.title)}",
            blocks=card_blocks(draft, latest, viewer_in(channel, click.actor.user_id)),
        )
    except SlackApiError as error:
        log.info("could not redraw the clicked card: %s", error.response.get("error"))
        return False
    return True


def in_place(click: Click, client: WebClient) -> tuple[str, str | None]:
    """Where a click's result is posted: the public thread, or the clicker's DM."""
    channel, thread_ts = _public_place(click.body)
    if channel is None:
        return click.conversations.dm_channel(client, click.actor.user_id), None
    return channel, thread_ts


def final(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Mark final: the owner only, on the card of the latest version."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        clicked = ButtonValue.decode(click.value)
        owned = click.conversations.engine.drafts.get(click.actor, clicked.draft_id)
        if not owned.owned_by(click.actor):  # said first: a newer card would not help them
            raise Refused(owner_only(owned, "mark it final"))
        draft, _latest = on_card(click, client)
        if draft.status == "final":
            raise Refused(f"*{to_mrkdwn(draft.title)}* is already final.")
        channel, thread_ts = in_place(click, client)
        reply = click.conversations.engine.accept(click.actor, draft.id)
        click.conversations.deliver(client, channel, thread_ts, reply, click.actor)


def revise(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Revise: a form with the problem statement and how-might-we of the latest version."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        draft, latest = on_card(click, client)
        channel, thread_ts = _public_place(body)
        where = json.dumps({"d": draft.id, "v": latest.number, "c": channel, "t": thread_ts})
        client.views_open(trigger_id=body["trigger_id"], view=revise_modal(latest.content, where))


def full_draft(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Full draft: the version the card showed (even an older one), whole, in a modal."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        drafts = click.conversations.engine.drafts
        clicked = ButtonValue.decode(click.value)
        versions = drafts.versions(click.actor, clicked.draft_id)
        if not versions:
            raise Refused("That draft has no version to show yet.")
        wanted = clicked.version or versions[-1].number
        shown = next((v for v in versions if v.number == wanted), versions[-1])
        draft = drafts.get(click.actor, clicked.draft_id)
        view = full_draft_modal(draft, shown, versions[-1].number)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def export(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Export: a Word document of the latest version, sent to the clicker's DM."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        draft, latest = on_card(click, client)
        dm = click.conversations.dm_channel(client, click.actor.user_id)
        click.conversations.upload_export(client, click.actor, draft.id, "docx", dm)
        channel, _thread = _where(body)
        if channel and channel != dm:
            tell(
                click,
                client,
                f"Sent *{to_mrkdwn(draft.title)}* (version {latest.number}) to you as a Word "
                "document in our direct messages.",
            )


def share(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Share: the owner picks a colleague in a form (`views.share_draft` does the sharing)."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        drafts = click.conversations.engine.drafts
        draft = drafts.get(click.actor, ButtonValue.decode(click.value).draft_id)
        if not draft.owned_by(click.actor):
            raise Refused(owner_only(draft, "share it"))
        channel, thread_ts = _where(body)
        where = json.dumps({"d": draft.id, "c": channel, "t": thread_ts})
        client.views_open(trigger_id=body["trigger_id"], view=share_modal(draft.title, where))


def open_draft(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Open (in a list or a share notice): the draft's card in a new thread of the DM."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        draft_id = ButtonValue.decode(click.value).draft_id
        dm = click.conversations.open_in_dm(client, click.actor, draft_id)
        channel, _thread = _where(body)
        if channel and channel != dm:
            draft = click.conversations.engine.drafts.get(click.actor, draft_id)
            tell(
                click,
                client,
                f"Opened *{to_mrkdwn(draft.title)}* in our direct messages: carry on there.",
            )


def start_from(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """The offer under an unclear DM: start a draft with those words as the first answer."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        channel, _thread = _where(body)
        message = body.get("message") or {}
        message_ts = message.get("ts")
        if not channel or not message_ts:
            return
        place = Place(channel, message_ts, message.get("thread_ts"))
        client.chat_update(
            channel=channel,
            ts=message_ts,
            text="Started a draft from what you wrote.",
            blocks=section("Started a draft from what you wrote: carry on in its thread."),
        )
        direct_messages_of(context).start(client, click.actor, place, "", opening=click.value)


def new_from_home(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """App Home's New draft: the same form as `/statement new`."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        client.views_open(trigger_id=body["trigger_id"], view=new_draft_modal("", ""))


def turn_page(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Previous / Next in a list: redraw it in place, wherever the list is shown."""
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        surface, number = parse_page(click.value)
        drafts = click.conversations.engine.drafts.list(click.actor)
        if surface == "home":
            client.views_publish(user_id=click.actor.user_id, view=home_view(drafts, number))
            return
        shown_in: Surface = "assistant" if surface == "assistant" else "list"
        blocks = drafts_page_blocks(drafts, number, shown_in)
        response_url = body.get("response_url")
        if surface == "list" and response_url:
            _replace_ephemeral(response_url, blocks)
            return
        channel, _thread = _where(body)
        ts = (body.get("message") or {}).get("ts")
        if channel and ts:
            client.chat_update(channel=channel, ts=ts, text="Your drafts", blocks=blocks)


def rate_up(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """👍 on a card: recorded against the version that card showed."""
    _rate(acknowledge(ack, body, action, context), client, +1)


def rate_down(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """👎 on a card: recorded against the version that card showed."""
    _rate(acknowledge(ack, body, action, context), client, -1)


def _rate(click: Click, client: WebClient, value: int) -> None:
    with refusals_told(click, client):
        drafts = click.conversations.engine.drafts
        clicked = ButtonValue.decode(click.value)
        versions = drafts.versions(click.actor, clicked.draft_id)
        version = next((v for v in versions if v.number == clicked.version), None)
        if version is None:
            raise Refused("That rating button is out of date.")
        drafts.rate(click.actor, version.id, value)
        tell(
            click,
            client,
            f"Thanks for the feedback on version {version.number}."
            if value > 0
            else "Thanks: tell me in the thread what to improve.",
        )


ANSWER_NOT_HERE = "That feedback button isn't for an answer I gave here, so I haven't kept it."
THANKS_UP = "Thanks: glad that helped."
THANKS_DOWN = (
    "Thanks for telling me. Try asking in other words, or with more about your situation; "
    "answers marked not helpful are reviewed to improve the knowledge base."
)


def rate_answer(
    ack: Ack,
    body: BlockActionsBody,
    action: ButtonAction,
    client: WebClient,
    context: BoltContext,
) -> None:
    """👍/👎 under a knowledge answer: one vote per person, counted only where it was shown.

    Slack's feedback buttons show the press themselves, so the answer stays as it is and the
    thanks is private, as in Slack's assistant template; a second press replaces the vote.
    """
    click = acknowledge(ack, body, action, context)
    with refusals_told(click, client):
        vote = AnswerVote.decode(click.value)
        channel, _thread = _where(body)
        if vote is None or not channel:
            raise Refused(ANSWER_NOT_HERE)
        place = answer_place(click.actor.workspace_id, channel)
        try:
            click.conversations.engine.drafts.rate_answer(
                click.actor, vote.answer_id, place, vote.value
            )
        except AnswerNotFound as unknown:
            raise Refused(ANSWER_NOT_HERE) from unknown
        tell(click, client, THANKS_UP if vote.value > 0 else THANKS_DOWN)


def _replace_ephemeral(response_url: str, blocks: list[Block]) -> None:
    """Show another page in the ephemeral list the user clicked in (its response_url)."""
    WebhookClient(response_url).send(
        text="Your drafts", blocks=blocks, replace_original=True, response_type="ephemeral"
    )
