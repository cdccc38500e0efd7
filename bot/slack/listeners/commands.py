"""`/statement`: new, list, show, export, share, unshare, help. Ack first, then the slow part.

Every answer is ephemeral (only the person who typed it sees it), says what happened in words
(the draft's title, not only its id) and, when something is missing, says what to type.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.drafts.formats import export_format, format_choices, format_menu
from bot.drafts.records import Actor
from bot.errors import DraftNotFound, NotOwner
from bot.privacy import redact_line
from bot.slack import ids
from bot.slack.blocks import Block, new_draft_modal
from bot.slack.cards import card_blocks
from bot.slack.conversations import SlackConversations, actor_from, owner_only
from bot.slack.listeners.dependencies import conversations_of
from bot.slack.lists import drafts_page_blocks
from bot.slack.mrkdwn import escape, to_mrkdwn
from bot.slack.payloads import SlashCommand

log = logging.getLogger(__name__)

SLACK_EXPORT_DEFAULT = "docx"  # a Word document is what people take to a meeting
USAGE = (
    "*Partnership Coach* — `/statement` commands:\n"
    "• `/statement new [title]` — start a problem statement (opens a short form)\n"
    "• `/statement list` — your drafts and those shared with you, ten a page\n"
    "• `/statement show ID` — a draft's card: score, weakest points, next step\n"
    f"• `/statement export ID [{format_choices(SLACK_EXPORT_DEFAULT)}]` — a file for your meeting: "
    f"{format_menu(SLACK_EXPORT_DEFAULT)}\n"
    "• `/statement share ID @someone` — let a colleague see and work on a draft\n"
    "• `/statement unshare ID @someone` — take that access away again\n"
    "• `/statement help` — this list"
)
NEEDS_ID = {
    "show": "Which draft? Type `/statement show ID`; the IDs are in `/statement list`.",
    "export": "Which draft? Type `/statement export ID`, then a format if you like: "
    f"{format_menu(SLACK_EXPORT_DEFAULT)}. The IDs are in `/statement list`.",
    "share": "Type `/statement share ID @name`, picking the person as you type @; the IDs are in "
    "`/statement list`.",
    "unshare": "Type `/statement unshare ID @name`; the IDs are in `/statement list`.",
}
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
Answer = Callable[[str], None]  # a private answer to the person who typed the command


def register(app: App) -> None:
    app.command(ids.COMMAND)(statement)


def statement(
    ack: Ack, command: SlashCommand, client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """`/statement <verb> …`: acked at once, answered privately through `respond`."""
    text = " ".join((command.get("text") or "").split())
    verb, _, rest = text.partition(" ")
    verb = verb.lower()
    ack()
    if verb == "new":
        # the title comes back in the form Slack shows: guarded like every stored title
        view = new_draft_modal(redact_line(rest, 200), command.get("channel_id", ""))
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    conversations = conversations_of(context)
    actor = actor_from(context, command)
    args = rest.split()

    def say(said: str, blocks: list[Block] | None = None) -> None:
        respond(text=said, response_type="ephemeral", blocks=blocks)

    try:
        if verb in ("", "help"):
            say(USAGE)
        elif verb in ("list", "drafts"):
            page = int(args[0]) - 1 if args and args[0].isdigit() else 0
            drafts = conversations.engine.drafts.list(actor)
            say("Your drafts", drafts_page_blocks(drafts, page, "list"))
        elif verb in NEEDS_ID and not args:
            say(NEEDS_ID[verb])
        elif verb == "show":
            draft = conversations.engine.drafts.get(actor, args[0])
            latest = conversations.engine.drafts.latest_version(actor, draft.id)
            say(f"Draft: {escape(draft.title)}", card_blocks(draft, latest, actor.user_id))
        elif verb == "export":
            export(conversations, client, actor, args, say)
        elif verb in ("share", "unshare"):
            share_or_unshare(conversations, client, actor, verb, args, say)
        else:
            said = escape(redact_line(text, 200))
            say(f"I didn't understand `{said}`.\n\n{USAGE}")
    except DraftNotFound:
        draft_id = escape(redact_line(args[0], 40)) if args else ""
        say(conversations.not_found_words(actor, draft_id))
    except NotOwner:
        say("Only the draft's owner can do that.")


def export(
    conversations: SlackConversations,
    client: WebClient,
    actor: Actor,
    args: list[str],
    say: Answer,
) -> None:
    """`/statement export ID [format]`: the file goes to the user's DM, the answer here."""
    chosen = export_format(args[1] if len(args) > 1 else SLACK_EXPORT_DEFAULT)
    if chosen is None:
        say(f"Export as {format_menu(SLACK_EXPORT_DEFAULT)}.")
        return
    draft = conversations.engine.drafts.get(actor, args[0])
    dm = conversations.dm_channel(client, actor.user_id)
    conversations.upload_export(client, actor, draft.id, chosen.name, dm)
    say(f"Sent *{to_mrkdwn(draft.title)}* to you as {chosen.described} in our direct messages.")


def share_or_unshare(
    conversations: SlackConversations,
    client: WebClient,
    actor: Actor,
    verb: str,
    args: list[str],
    say: Answer,
) -> None:
    """`/statement share|unshare ID @name`: only the owner may; the person is an @mention."""
    match = _USER_MENTION.match(args[1]) if len(args) > 1 else None
    if len(args) > 1 and not match:
        say(
            "Mention the person with @ (pick them as you type) so Slack tells me "
            f"who they are: `/statement {verb} {to_mrkdwn(args[0])} @name`."
        )
        return
    if not match:
        say(NEEDS_ID[verb])
        return
    draft = conversations.engine.drafts.get(actor, args[0])
    if not draft.owned_by(actor):
        say(owner_only(draft, f"{verb} it"))
        return
    if verb == "share":
        conversations.share_with(client, actor, draft.id, match[1])
        say(
            f"Shared *{to_mrkdwn(draft.title)}* with <@{match[1]}>: I've sent them a "
            "message with a button to open it."
        )
        return
    removed = conversations.engine.drafts.unshare(actor, draft.id, match[1])
    say(
        f"<@{match[1]}> can no longer see or work on *{to_mrkdwn(draft.title)}*."
        if removed
        else f"*{to_mrkdwn(draft.title)}* was not shared with <@{match[1]}>."
    )
