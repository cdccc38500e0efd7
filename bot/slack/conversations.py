"""The bridge between Slack and the engine: who is asking, which draft a thread is, posting.

Listeners stay thin by delegating here. Every call builds the `Actor` from the Slack user who
acted (typed, clicked, submitted), never from the draft's owner, so the store's access checks
apply to whoever is really asking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.engine import Engine
from bot.coaching.reply import Reply
from bot.drafts.export import export_to_file
from bot.drafts.records import Actor
from bot.drafts.repository import DraftNotFound
from bot.privacy import redact_line
from bot.settings import Settings
from bot.slack.blocks import fallback_text, reply_blocks
from bot.slack.mrkdwn import escape, split_text, to_mrkdwn
from bot.slack.streaming import ThreadStreamer

log = logging.getLogger(__name__)
DEGRADABLE_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks"}


def thread_key(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"


def actor_from(context: Any, body: dict[str, Any] | None = None) -> Actor:
    """The acting user in the acting workspace (team), from Bolt's context or the payload."""
    body = body or {}
    team = (
        getattr(context, "team_id", None)
        or body.get("team_id")
        or (body.get("team") or {}).get("id")
        or (body.get("user") or {}).get("team_id")
        or "unknown-team"
    )
    user = getattr(context, "user_id", None) or (body.get("user") or {}).get("id") or "unknown"
    return Actor(str(team), str(user))


@dataclass
class SlackConversations:
    engine: Engine
    settings: Settings

    # -- posting ------------------------------------------------------------------------------
    def post(
        self, client: WebClient, channel: str, thread_ts: str | None, reply: Reply, actor: Actor
    ) -> str | None:
        """Post a reply in its thread; degrade to plain text rather than fail silently."""
        version_id = self._version_id(actor, reply)
        blocks = reply_blocks(reply, version_id)
        try:
            response = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=fallback_text(reply), blocks=blocks
            )
            return response.get("ts")
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code not in DEGRADABLE_ERRORS:
                log.error("chat.postMessage failed: %s", code)
                raise
            log.warning("Slack refused the blocks (%s); sending plain text instead", code)
        last_ts = None
        for piece in split_text(to_mrkdwn(reply.as_text()), 3500):
            last_ts = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=piece).get(
                "ts"
            )
        return last_ts

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
            self.say_error(client, channel, thread_ts, "This draft has not been shared with you.")
            return
        if streamer is None or not streamer.finish(reply, self._version_id(actor, reply)):
            self.post(client, channel, thread_ts, reply, actor)

    def say_error(self, client: WebClient, channel: str, thread_ts: str | None, text: str) -> None:
        """Tell the user something went wrong; never leave them waiting in silence."""
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f":warning: {text}")
        except SlackApiError:
            log.exception("could not even post the error message")

    def _version_id(self, actor: Actor, reply: Reply) -> int | None:
        if reply.version is None:
            return None
        try:
            latest = self.engine.store.latest_version(actor, reply.draft_id)
        except DraftNotFound:
            return None
        return latest.id if latest and latest.number == reply.version else None

    # -- conversations ------------------------------------------------------------------------
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
        if parent_ts is None:
            parent = client.chat_postMessage(
                channel=channel,
                text=f":memo: *{escape(title)}* — <@{actor.user_id}> is drafting a problem "
                "statement here. Reply in this thread to take part.",
            )
            channel, parent_ts = parent["channel"], parent["ts"]
        reply = self.engine.start(
            actor,
            title,
            partners=partners,
            partner_type=partner_type,
            area_of_care=area,
            conversation_key=thread_key(actor.workspace_id, channel, parent_ts),
            opening_text=opening,
        )
        self.post(client, channel, parent_ts, reply, actor)
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
        path = export_to_file(self.engine.store, actor, draft_id, fmt, folder)
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file=str(path),
            filename=path.name,
            title=f"Draft {draft_id} ({fmt})",
            initial_comment=f"Here is draft `{draft_id}` as {fmt.upper()}.",
        )

    def dm_channel(self, client: WebClient, user_id: str) -> str:
        return client.conversations_open(users=user_id)["channel"]["id"]
