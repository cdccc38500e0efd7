"""`/statement`: new, list, show, export, share, help. Ack first, then do the slow part."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.drafts.repository import DraftNotFound, NotOwner
from bot.privacy import redact_line
from bot.slack.blocks import draft_blocks, drafts_list_blocks, new_draft_modal
from bot.slack.conversations import SlackConversations, actor_from
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)

USAGE = (
    "*Partnership Coach* — `/statement` commands:\n"
    "• `/statement new [title]` — start a problem statement (opens a short form)\n"
    "• `/statement list` — your drafts and those shared with you\n"
    "• `/statement show ID` — the latest version of a draft\n"
    "• `/statement export ID [md|docx]` — a document for your partnership meeting\n"
    "• `/statement share ID @someone` — let a colleague see and work on a draft\n"
    "• `/statement unshare ID @someone` — take that access away again\n"
    "• `/statement help` — this list"
)
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def register(app: App, conversations: SlackConversations) -> None:
    @app.command("/statement")
    def statement(
        ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, context: Any
    ) -> None:
        text = " ".join((command.get("text") or "").split())
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        if verb == "new":
            ack()
            # the title comes back in the form Slack shows: guarded like every stored title
            view = new_draft_modal(redact_line(rest, 200), command.get("channel_id", ""))
            client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        ack()
        actor = actor_from(context, command)
        try:
            if verb in ("", "help"):
                respond(text=USAGE, response_type="ephemeral")
            elif verb == "list":
                drafts = conversations.engine.store.list_drafts(actor)
                respond(
                    text="Your drafts", blocks=drafts_list_blocks(drafts), response_type="ephemeral"
                )
            elif verb == "show" and rest:
                show(respond, conversations, actor, rest.split()[0])
            elif verb == "export" and rest:
                parts = rest.split()
                fmt = parts[1].lower().lstrip(".") if len(parts) > 1 else "md"
                if fmt not in ("md", "docx"):
                    respond(text="Export as `md` or `docx`.", response_type="ephemeral")
                    return
                conversations.upload_export(
                    client, actor, parts[0], fmt, conversations.dm_channel(client, actor.user_id)
                )
                respond(
                    text=f"Sent draft `{parts[0]}` to you as {fmt.upper()} in a direct message.",
                    response_type="ephemeral",
                )
            elif verb == "share" and len(rest.split()) >= 2:
                draft_id, who = rest.split()[0], rest.split()[1]
                match = _USER_MENTION.match(who)
                if not match:
                    respond(
                        text="Mention the person: `/statement share ID @name`.",
                        response_type="ephemeral",
                    )
                    return
                conversations.engine.store.share(actor, draft_id, match[1])
                respond(text=f"Shared `{draft_id}` with <@{match[1]}>.", response_type="ephemeral")
            elif verb == "unshare" and len(rest.split()) >= 2:
                draft_id, who = rest.split()[0], rest.split()[1]
                match = _USER_MENTION.match(who)
                if not match:
                    respond(
                        text="Mention the person: `/statement unshare ID @name`.",
                        response_type="ephemeral",
                    )
                    return
                removed = conversations.engine.store.unshare(actor, draft_id, match[1])
                said = (
                    f"<@{match[1]}> can no longer see or work on `{draft_id}`."
                    if removed
                    else f"`{draft_id}` was not shared with <@{match[1]}>."
                )
                respond(text=said, response_type="ephemeral")
            else:
                said = escape(redact_line(text, 200))
                respond(text=f"I didn't understand `{said}`.\n\n{USAGE}", response_type="ephemeral")
        except DraftNotFound:
            respond(
                text="No such draft, or it has not been shared with you.", response_type="ephemeral"
            )
        except NotOwner:
            respond(text="Only the draft's owner can do that.", response_type="ephemeral")


def show(respond: Respond, conversations: SlackConversations, actor: Any, draft_id: str) -> None:
    store = conversations.engine.store
    draft = store.get_draft(actor, draft_id)
    latest = store.latest_version(actor, draft_id)
    if latest is None:
        respond(
            text=f"*{draft.title}* has no draft yet: it is at stage `{draft.stage}`.",
            response_type="ephemeral",
        )
        return
    blocks = draft_blocks(latest.content, latest.rubric, latest.number)
    respond(text=draft.title, blocks=blocks[:50], response_type="ephemeral")
