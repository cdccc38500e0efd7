"""What someone asks of the app in a DM or the assistant panel, outside a draft's coaching.

Inside a draft the engine's classifier (`bot.coaching.intent`) decides what a message is. Outside
one, the app must first decide whether there should be a draft at all: "what is a driver
diagram?" is a question, "thanks" is chatter, and only a clear request ("new draft about falls",
the suggested prompt, a button) starts one. These few phrases — new, list, switch — are the
Slack side's own; everything else is left to the shared classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.coaching.intent import classify, normalise
from bot.drafts.records import DraftSummary

RequestKind = Literal["new", "list", "switch", "question", "chatter", "help", "unclear"]

_NEW = re.compile(
    r"^(?:(?:start|begin|create|make|write|open|draft)\s+)?(?:a\s+|an\s+|another\s+)?"
    r"(?:new\s+)(?:problem\s+statement|draft|statement|one)\b"
    r"|^(?:start|begin|create)\s+(?:a\s+|an\s+)?(?:problem\s+statement|draft)\b"
    r"|^new$"
)
_TITLE_LEAD = re.compile(r"^[\s:,.\-–—]*(?:(?:about|on|for|called|titled|named)\b[\s:,\-–—]*)?")
_LIST = re.compile(
    r"^(?:(?:show|list|see|view|open)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+)?drafts?"
    r"|my\s+drafts?|list|drafts|what\s+drafts\s+do\s+i\s+have)$"
)
_SWITCH = re.compile(
    r"^(?:switch|change|go|move|get)\s+(?:back\s+)?to\s+(?:the\s+|my\s+)?(?:draft\s+)?(?P<target>.+)$"
    r"|^(?:open|resume|continue|reopen)\s+(?:the\s+|my\s+)?(?:draft\s+)?(?P<other>.+)$"
)
_ADDRESSED = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Request:
    kind: RequestKind
    argument: str = ""  # the title of a new draft, the draft to switch to, the question


def addressed_to_someone_else(text: str, bot_user_id: str | None) -> bool:
    """True when a message opens by mentioning a person who is not this app: it is for them."""
    match = _ADDRESSED.match(text or "")
    return match is not None and match[1] != bot_user_id


def read_request(text: str) -> Request:
    """What a message outside any draft asks for (the original words, not normalised, kept)."""
    raw = " ".join((text or "").split())
    words = normalise(raw)
    if _NEW.match(words):
        return Request("new", _title_after_new(raw))
    if _LIST.match(words):
        return Request("list")
    if match := _SWITCH.match(words):
        target = (match["target"] or match["other"] or "").strip()
        if target and target not in ("it", "that", "this", "where i left off", "coaching"):
            return Request("switch", target)
    intent = classify(raw)
    if intent.kind == "question":
        return Request("question", intent.argument or raw)
    if intent.kind == "chatter":
        return Request("chatter")
    if intent.kind == "command" and intent.command == "help":
        return Request("help")
    if intent.kind == "command" and intent.command == "new":
        return Request("new")
    return Request("unclear", raw)


def _title_after_new(raw: str) -> str:
    """The words after "new draft" (e.g. "new draft about falls in care homes" → the rest)."""
    lowered = raw.lower()
    for noun in ("problem statement", "statement", "draft", "one", "new"):
        at = lowered.find(noun)
        if at >= 0:
            rest = raw[at + len(noun) :]
            return _TITLE_LEAD.sub("", rest, count=1).strip(" .!?")
    return ""


def find_draft(drafts: list[DraftSummary], target: str) -> DraftSummary | None:
    """The draft `target` names: its id, or the most recent whose title holds all its words."""
    wanted = target.strip().strip("`").lower()
    for draft in drafts:
        if draft.id.lower() == wanted:
            return draft
    words = [w for w in normalise(wanted).split() if w not in ("the", "a", "an", "draft")]
    if not words:
        return None
    for draft in drafts:  # most recently updated first
        title = normalise(draft.title)
        if all(word in title.split() or word in title for word in words):
            return draft
    return None
