"""The bridge between Slack and the engine: who is asking, which draft a thread is, posting.

Listeners stay thin by delegating here. Every call builds the `Actor` from the Slack user who
acted (typed, clicked, submitted), never from the draft's owner, so the store's access checks
apply to whoever is really asking.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.engine import Engine
from bot.coaching.reply import Reply
from bot.drafts.formats import require_format
from bot.drafts.records import Actor, DraftRecord, VersionRecord
from bot.errors import DraftNotFound
from bot.privacy import redact_line
from bot.settings import Settings
from bot.slack.blocks import (
    MAX_BLOCKS,
    fallback_text,
    fit_blocks,
    reply_blocks,
    reply_head,
    reply_tail,
)
from bot.slack.card_keeper import CardKeeper
from bot.slack.cards import (
    card_blocks,
    parent_blocks,
    parent_text,
    shared_notice_blocks,
    status_words,
)
from bot.slack.mrkdwn import escape, split_text, to_mrkdwn
from bot.slack.payloads import text_at
from bot.slack.streaming import ThreadStreamer

log = logging.getLogger(__name__)
NOT_SHARED = "That draft has not been shared with you."
DEGRADABLE_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks"}


def owner_only(draft: DraftRecord, doing: str) -> str:
    """The private refusal for a collaborator: who owns the draft, and what to do instead."""
    return (
        f"Only the draft's owner, <@{escape(draft.owner_id)}>, can {doing}. "
        "Ask them in this thread, or send them a message."
    )


def thread_key(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"


def answer_place(team_id: str, channel_id: str) -> str:
    """Where a knowledge answer was shown, as the store keeps it: a vote must come from there."""
    return f"slack:{team_id}:{channel_id}"


def actor_from(context: BoltContext, body: Mapping[str, object] | None = None) -> Actor:
    """The acting user in the acting workspace (team), from Bolt's context or the payload."""
    body = body or {}
    team = (
        context.team_id
        or text_at(body, "team_id")
        or text_at(body, "team", "id")
        or text_at(body, "user", "team_id")
        or "unknown-team"
    )
    user = context.user_id or text_at(body, "user", "id") or "unknown"
    return Actor(team, user)


@dataclass
class SlackConversations:
    engine: Engine
    settings: Settings

    cards: CardKeeper = field(default_factory=CardKeeper)

    # -- posting ------------------------------------------------------------------------------
    def deliver(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        reply: Reply,
        actor: Actor,
        streamer: ThreadStreamer | None = None,
    ) -> None:
        """One turn's reply: one new message, with the draft on its card, kept in place.

        A reply that shows a version updates the thread's card (posting it the first time, with
        the turn's words on it, so a turn is still one message). Errors go privately to the
        person whose message caused them: nobody else in the thread needs to read them.
        """
        if reply.kind == "error":
            self.tell(client, channel, thread_ts, actor.user_id, to_mrkdwn(reply.text))
            return
        shown = self._card_state(actor, reply)
        note = ""
        if shown is not None:
            draft, latest = shown
            streamed = streamer is not None and streamer.mode is not None
            if thread_ts is None:
                self._post_card_alone(client, channel, reply, draft, latest)
                return
            posted = self.cards.show(
                client,
                channel,
                thread_ts,
                draft,
                latest,
                before=None if streamed else reply_head(reply),
                after=None if streamed else reply_tail(reply),
            )
            if posted and not streamed:
                return
            note = card_note(draft, latest)
        if streamer is None or not streamer.finish(reply, note):
            self.post(client, channel, thread_ts, reply, note)

    def post(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        reply: Reply,
        note: str = "",
    ) -> str | None:
        """Post a turn's words; degrade to plain text rather than fail silently."""
        try:
            response = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=fallback_text(reply),
                blocks=reply_blocks(reply, note),
            )
            return response.get("ts")
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code not in DEGRADABLE_ERRORS:
                log.error("chat.postMessage failed: %s", code)
                raise
            log.warning("Slack refused the blocks (%s); sending plain text instead", code)
        plain = dataclasses.replace(reply, content=None).as_text()
        last_ts = None
        for piece in split_text(to_mrkdwn(plain + ("\n\n" + note if note else "")), 3500):
            last_ts = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=piece).get(
                "ts"
            )
        return last_ts

    def _post_card_alone(
        self,
        client: WebClient,
        channel: str,
        reply: Reply,
        draft: DraftRecord,
        latest: VersionRecord | None,
    ) -> None:
        """Outside a thread (nowhere to keep a living card): the card with the turn's words."""
        blocks = fit_blocks(
            [*reply_head(reply), *card_blocks(draft, latest), *reply_tail(reply)], MAX_BLOCKS
        )
        client.chat_postMessage(channel=channel, text=fallback_text(reply), blocks=blocks)

    def _card_state(
        self, actor: Actor, reply: Reply
    ) -> tuple[DraftRecord, VersionRecord | None] | None:
        """The draft and its latest version when this reply shows a version, else None."""
        if reply.version is None or not reply.draft_id:
            return None
        try:
            return (
                self.engine.drafts.get(actor, reply.draft_id),
                self.engine.drafts.latest_version(actor, reply.draft_id),
            )
        except DraftNotFound:
            return None

    def answer(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        actor: Actor,
        draft_id: str,
        text: str,
    ) -> None:
        """One turn in a thread, streamed as the model writes when there is a model.

        Access is the engine's to check: someone the draft is not shared with is told so.
        """
        streamer = None
        if self.engine.coach.mode == "llm" and thread_ts:
            streamer = ThreadStreamer(client, channel, thread_ts, actor)
        try:
            reply = self.engine.handle(
                actor, draft_id, text, stream=streamer.append if streamer else None
            )
        except DraftNotFound:
            self.tell(client, channel, thread_ts, actor.user_id, NOT_SHARED)
            return
        self.deliver(client, channel, thread_ts, reply, actor, streamer)

    def answer_question(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        actor: Actor,
        question: str,
    ) -> None:
        """A knowledge question outside a draft, answered with 👍/👎 under it.

        In a thread (the assistant panel, a DM thread, a channel thread) the answer is streamed
        as the model writes it, like a coaching turn; the engine keeps it for the votes.
        """
        streamer = None
        if self.engine.coach.mode == "llm" and thread_ts:
            streamer = ThreadStreamer(client, channel, thread_ts, actor)
        reply = self.engine.answer_question(
            question,
            stream=streamer.append if streamer else None,
            asker=actor,
            place=answer_place(actor.workspace_id, channel),
        )
        self.deliver(client, channel, thread_ts, reply, actor, streamer)

    def tell(
        self, client: WebClient, channel: str, thread_ts: str | None, user: str, text: str
    ) -> None:
        """A private note to one person where they are; a DM if Slack will not show it there."""
        try:
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
        except SlackApiError as error:
            code = error.response.get("error")
            log.info("ephemeral refused (%s); sending a direct message", code)
            client.chat_postMessage(channel=self.dm_channel(client, user), text=text)

    # -- conversations ------------------------------------------------------------------------
    def first_delivery(self, event_id: str | None) -> bool:
        """False for Slack's retry of an event that some instance has already claimed."""
        return not event_id or self.engine.claim_event(event_id)

    def start_thread(
        self,
        client: WebClient,
        actor: Actor,
        channel: str,
        title: str,
        *,
        partners: list[str] | None = None,
        partner_type: str = "",
        area: str = "",
        opening: str = "",
        parent_ts: str | None = None,
    ) -> tuple[str, str]:
        """Open a coaching thread (under `parent_ts`, or under a new parent message).

        `opening` is what the user pasted into the form: their first answer, filed at once.
        """
        # The parent message goes to the channel before the engine sees the title: guard it
        # here, formatted as the engine will store it, then escape it for mrkdwn.
        title = redact_line(title, 200)
        posted_parent = parent_ts is None
        if parent_ts is None:
            parent = client.chat_postMessage(
                channel=channel,
                text=f":memo: *{escape(title)}* — <@{actor.user_id}> is drafting a problem "
                "statement here. Reply in this thread to take part.",
            )
            channel, parent_ts = parent["channel"], parent["ts"]
            self.cards.parent_posted(channel, parent_ts)
        reply = self.engine.start(
            actor,
            title,
            partners=partners,
            partner_type=partner_type,
            area_of_care=area,
            conversation_key=thread_key(actor.workspace_id, channel, parent_ts),
            opening_text=opening,
        )
        self.deliver(client, channel, parent_ts, reply, actor)
        if posted_parent and reply.version is None:  # with a version, deliver updated it
            draft = self.engine.drafts.get(actor, reply.draft_id)
            client.chat_update(
                channel=channel,
                ts=parent_ts,
                text=parent_text(draft, None),
                blocks=parent_blocks(draft, None),
            )
        return channel, parent_ts

    def draft_for_thread(self, actor: Actor, channel: str, thread_ts: str) -> str | None:
        draft = self.engine.current(thread_key(actor.workspace_id, channel, thread_ts), actor)
        return draft.id if draft else None

    def upload_export(
        self,
        client: WebClient,
        actor: Actor,
        draft_id: str,
        fmt: str,
        channel: str,
        thread_ts: str | None = None,
    ) -> None:
        """Write the export and upload it where the user asked; access is checked first."""
        folder = self.settings.coach_data_dir / "exports"
        path = self.engine.drafts.export(actor, draft_id, fmt, folder)
        draft = self.engine.drafts.get(actor, draft_id)
        kind = require_format(fmt).described
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file=str(path),
            filename=path.name,
            title=f"{draft.title[:200]} ({fmt})",
            initial_comment=f"Here is *{escape(draft.title)}* as {kind}.",
        )

    def open_in_dm(self, client: WebClient, actor: Actor, draft_id: str) -> str:
        """Open a draft in the user's DM: its card starts a thread where coaching carries on.

        Each Open gets its own thread, so a DM holds any number of drafts, one per thread.
        Returns the DM channel.
        """
        draft = self.engine.drafts.get(actor, draft_id)
        latest = self.engine.drafts.latest_version(actor, draft_id)
        dm = self.dm_channel(client, actor.user_id)
        posted = client.chat_postMessage(
            channel=dm, text=f"Draft: {escape(draft.title)}", blocks=card_blocks(draft, latest)
        )
        card_ts = str(posted["ts"])
        self.cards.card_posted(dm, card_ts, draft.id, card_ts)
        reply = self.engine.open(
            actor, draft.id, conversation_key=thread_key(actor.workspace_id, dm, card_ts)
        )
        reply.content, reply.version = None, None  # the card above already shows the draft
        self.post(client, dm, card_ts, reply)
        return dm

    def share_with(self, client: WebClient, actor: Actor, draft_id: str, user: str) -> None:
        """Share, then tell the colleague what they were given: title, owner, score and Open."""
        drafts = self.engine.drafts
        drafts.share(actor, draft_id, user)
        draft = drafts.get(actor, draft_id)
        latest = drafts.latest_version(actor, draft_id)
        client.chat_postMessage(
            channel=self.dm_channel(client, user),
            text=f"<@{actor.user_id}> shared a draft with you: {escape(draft.title)}",
            blocks=shared_notice_blocks(draft, latest, actor.user_id),
        )

    def not_found_words(self, actor: Actor, draft_id: str) -> str:
        """Different words for an id that does not exist and a draft not shared with you."""
        owner = self.engine.drafts.owner_of(actor.workspace_id, draft_id) if draft_id else None
        if owner is None:
            shown = f"`{escape(draft_id)}`" if draft_id else "that id"
            return f"There is no draft {shown}: check the id in `/statement list`."
        return (
            f"That draft belongs to <@{owner}> and has not been shared with you: ask them to "
            f"share it (`/statement share {escape(draft_id)} @you`)."
        )

    def dm_channel(self, client: WebClient, user_id: str) -> str:
        return str(client.conversations_open(users=user_id)["channel"]["id"])


def card_note(draft: DraftRecord, latest: VersionRecord | None) -> str:
    """The line a turn adds when the draft's card (above, in the thread) has changed."""
    if latest is None:
        return ""
    return (
        f":page_facing_up: The draft card above shows version {latest.number} "
        f"({latest.score}%, {status_words(draft.status).lower()})."
    )
