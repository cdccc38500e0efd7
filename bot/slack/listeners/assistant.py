"""The assistant panel: suggested prompts, a status while thinking, titles from the draft."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Assistant, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient

from bot.privacy import redact_line
from bot.slack.conversations import SlackConversations, actor_from, thread_key
from bot.slack.lists import drafts_page_blocks

log = logging.getLogger(__name__)

SUGGESTED_PROMPTS = [
    {"title": "Start a new problem statement", "message": "Start a new problem statement"},
    {"title": "Show my drafts", "message": "Show my drafts"},
    {
        "title": "What makes a good problem statement?",
        "message": "What makes a good problem statement?",
    },
]
_NEW = re.compile(r"^(start|begin|new)\b.*\b(problem statement|draft)\b", re.IGNORECASE)
_LIST = re.compile(r"\b(show|list)\b.*\b(my )?drafts\b", re.IGNORECASE)


def build_assistant(conversations: SlackConversations) -> Assistant:
    assistant = Assistant()
    engine = conversations.engine

    @assistant.thread_started
    def started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(
            "Hello! I help you and your partners agree a problem statement and value "
            "proposition. Start a new one, pick up a draft, or ask me anything about "
            "partnership working."
        )
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS)

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
        actor = actor_from(context, body)
        channel, thread_ts = payload["channel"], payload.get("thread_ts") or payload["ts"]
        text = (payload.get("text") or "").strip()
        try:
            set_status(
                status="is thinking…",
                loading_messages=["Reading the knowledge base…", "Checking against the rubric…"],
            )
            draft_id = conversations.draft_for_thread(actor, channel, thread_ts)
            if draft_id is not None:
                reply = engine.handle(actor, draft_id, text)
            elif _LIST.search(text):
                drafts = engine.store.list_drafts(actor)
                say(text="Your drafts", blocks=drafts_page_blocks(drafts, 0, "assistant"))
                return
            elif _NEW.search(text) or not text.endswith("?"):
                # guarded before it is cut and before Slack shows it as the thread's title
                title = "New problem statement" if _NEW.search(text) else redact_line(text, 80)
                reply = engine.start(
                    actor,
                    title,
                    conversation_key=thread_key(actor.workspace_id, channel, thread_ts),
                )
                set_title(title=title)
            else:
                reply = engine.ask(text)
            conversations.deliver(client, channel, thread_ts, reply, actor)
        except Exception:
            log.exception("assistant turn failed")
            say(":warning: Something went wrong on my side; your draft is saved. Please try again.")
        finally:
            set_status(status="")

    return assistant
