"""The assistant panel: prompts for where the user stands, a status while thinking, titles.

Messages are routed like any DM (`direct.py`): questions are answered without starting a draft,
a draft starts only when asked for, and a thread can move between drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.drafts.records import DraftSummary
from bot.slack.conversations import actor_from
from bot.slack.direct import Place
from bot.slack.listeners.dependencies import conversations_of, direct_messages_of
from bot.slack.mrkdwn import cut_on_word
from bot.slack.payloads import AssistantThreadStarted, EventBody, MessageEvent

log = logging.getLogger(__name__)

START_PROMPT = {
    "title": "Start a new problem statement",
    "message": "Start a new problem statement",
}
LIST_PROMPT = {"title": "Show my drafts", "message": "Show my drafts"}
ASK_PROMPT = {
    "title": "What makes a good problem statement?",
    "message": "What makes a good problem statement?",
}
SUGGESTED_PROMPTS = [START_PROMPT, LIST_PROMPT, ASK_PROMPT]
PROMPT_TITLE_CHARS = 60


def register(app: App) -> None:
    """The panel through Bolt's `Assistant` middleware, as Slack's assistant template does."""
    assistant = Assistant()
    assistant.thread_started(started)
    assistant.user_message(message)
    app.assistant(assistant)


def prompts_for(drafts: list[DraftSummary]) -> list[dict[str, str]]:
    """Suggested prompts for where the user stands: no draft, one in progress, or a final one."""
    if not drafts:
        return [
            START_PROMPT,
            ASK_PROMPT,
            {
                "title": "How do NHS joint working agreements work?",
                "message": "How do NHS joint working agreements with industry work?",
            },
        ]
    latest = drafts[0]  # most recently updated
    title = cut_on_word(latest.title, PROMPT_TITLE_CHARS)
    verb = "Open" if latest.status == "final" else "Continue"
    pick_up = {"title": f"{verb} “{title}”", "message": f"switch to {latest.id}"}
    return [pick_up, START_PROMPT, LIST_PROMPT]


def greeting(viewing: str | None) -> str:
    """The panel's hello; with the channel the user is looking at, how to draft there instead."""
    said = (
        "Hello! I help you and your partners agree a problem statement and value proposition. "
        "Start a new one, pick up a draft, or ask me anything about partnership working."
    )
    if viewing and viewing.startswith(("C", "G")):
        said += (
            f"\nTo draft with your team in <#{viewing}>, type `/statement new` there: the "
            "coaching then happens in a thread everyone in the channel can follow."
        )
    return said


def _quietly(call: Callable[..., object], **kwargs: object) -> None:
    """Status and title are niceties: a thread Slack does not treat as an assistant thread
    refuses them, and that must not cost the user their answer."""
    try:
        call(**kwargs)
    except SlackApiError as error:
        log.info("assistant nicety refused: %s", error.response.get("error"))


def started(
    say: Say,
    set_suggested_prompts: SetSuggestedPrompts,
    payload: AssistantThreadStarted,
    body: EventBody,
    context: BoltContext,
) -> None:
    """The panel opened: a greeting and prompts for where the user stands (their drafts)."""
    actor = actor_from(context, body)
    conversations = conversations_of(context)
    thread = payload.get("assistant_thread") or {}
    if thread.get("channel_id") and thread.get("thread_ts"):
        conversations.panels.started(thread["channel_id"], thread["thread_ts"])
    drafts = conversations.engine.drafts.list(actor)
    viewing = (thread.get("context") or {}).get("channel_id")
    say(greeting(viewing))
    set_suggested_prompts(prompts=prompts_for(drafts))


def message(
    payload: MessageEvent,
    body: EventBody,
    client: WebClient,
    say: Say,
    set_status: SetStatus,
    set_title: SetTitle,
    context: BoltContext,
) -> None:
    """A message in the panel: routed like a DM, with a status while the coach thinks.

    Bolt sends every threaded DM message here; one in an ordinary DM thread (not a panel
    thread) is routed as the DM it is, with no panel status or title calls.
    """
    conversations = conversations_of(context)
    if not conversations.first_delivery(body.get("event_id")):
        return
    actor = actor_from(context, body)
    thread_ts = payload.get("thread_ts")
    in_panel = conversations.panels.is_panel(client, payload["channel"], thread_ts)
    place = Place(payload["channel"], payload["ts"], thread_ts or payload["ts"], in_panel)
    if not in_panel:
        direct_messages_of(context).route(
            client,
            actor,
            place,
            payload.get("text") or "",
            has_files=bool(payload.get("files")),
            bot_user_id=context.bot_user_id,
        )
        return
    _quietly(
        set_status,
        status="is thinking…",
        loading_messages=["Reading the knowledge base…", "Checking against the rubric…"],
    )
    try:
        direct_messages_of(context).route(
            client,
            actor,
            place,
            payload.get("text") or "",
            has_files=bool(payload.get("files")),
            bot_user_id=context.bot_user_id,
            set_title=lambda title: _quietly(set_title, title=title),
        )
    except Exception:
        log.exception("assistant turn failed")
        say(":warning: Something went wrong on my side; your draft is saved. Please try again.")
    finally:
        _quietly(set_status, status="")
