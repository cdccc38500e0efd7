"""The assistant panel: prompts for where the user stands, a status while thinking, titles.

Messages are routed like any DM (`direct.py`): questions are answered without starting a draft,
a draft starts only when asked for, and a thread can move between drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Assistant, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.drafts.records import DraftSummary
from bot.slack.conversations import SlackConversations, actor_from
from bot.slack.direct import DirectMessages, Place
from bot.slack.listeners.events import first_delivery

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
    title = latest.title
    if len(title) > PROMPT_TITLE_CHARS:
        title = title[: PROMPT_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
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


def _quietly(call: Callable[..., Any], **kwargs: Any) -> None:
    """Status and title are niceties: a thread Slack does not treat as an assistant thread
    refuses them, and that must not cost the user their answer."""
    try:
        call(**kwargs)
    except SlackApiError as error:
        log.info("assistant nicety refused: %s", error.response.get("error"))


def build_assistant(conversations: SlackConversations) -> Assistant:
    assistant = Assistant()
    direct = DirectMessages(conversations)
    store = conversations.engine.store

    @assistant.thread_started
    def started(
        say: Say,
        set_suggested_prompts: SetSuggestedPrompts,
        payload: dict[str, Any],
        body: dict[str, Any],
        context: Any,
    ) -> None:
        actor = actor_from(context, body)
        drafts = store.list_drafts(actor)
        viewing = ((payload.get("assistant_thread") or {}).get("context") or {}).get("channel_id")
        say(greeting(viewing))
        set_suggested_prompts(prompts=prompts_for(drafts))

    @assistant.user_message
    def message(
        payload: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        say: Say,
        set_status: SetStatus,
        set_title: SetTitle,
        context: Any,
    ) -> None:
        if not first_delivery(conversations, body):
            return
        actor = actor_from(context, body)
        place = Place(
            payload["channel"], payload["ts"], payload.get("thread_ts") or payload["ts"], True
        )
        _quietly(
            set_status,
            status="is thinking…",
            loading_messages=["Reading the knowledge base…", "Checking against the rubric…"],
        )
        try:
            direct.route(
                client,
                actor,
                place,
                payload.get("text") or "",
                has_files=bool(payload.get("files")),
                bot_user_id=getattr(context, "bot_user_id", None),
                set_title=lambda title: _quietly(set_title, title=title),
            )
        except Exception:
            log.exception("assistant turn failed")
            say(":warning: Something went wrong on my side; your draft is saved. Please try again.")
        finally:
            _quietly(set_status, status="")

    return assistant
