"""The coach's fixed words and the shapes of its replies, kept apart from what it decides.

The dialogue rules choose what happens next; this module says it: help texts, the lead of a
draft's review, the list of answers behind "where are we", and the `Reply` for a question or a
stored version. Changing what the coach says is then an edit here, never in the turn logic.
"""

from __future__ import annotations

import re
from typing import TypedDict

from bot.coaching.flow import Flow
from bot.coaching.guided import excerpt
from bot.coaching.questions import QUESTIONS
from bot.coaching.reply import Reply, ReplyKind
from bot.coaching.stages import FINAL, REVIEW, STAGES, question, stage_number, stage_of
from bot.drafts.content import RubricScore
from bot.drafts.records import DraftRecord, VersionRecord
from bot.textsafety import clean_text

# Said with a question when the knowledge search itself failed (e.g. the Chroma server is down).
KNOWLEDGE_UNAVAILABLE = (
    "The knowledge base is unavailable just now, so this answer has no sources to draw on: "
    "ask again in a moment."
)
COACHING_HELP = (
    "Just answer in your own words: tell me as much or as little as you like, in any order, "
    "and I'll note each part under the question it answers and ask about what is missing. "
    "You can also say **skip**, **go back**, **edit** and a stage (e.g. **edit evidence**), "
    "**show me the draft**, **where are we** (your answers so far), or ask me anything, e.g. "
    "**tell me about driver diagrams**."
)
PAUSED = (
    "Paused: everything so far is saved. Message me whenever you want to carry on and we'll "
    "pick up where we left off."
)
START_NEW = (
    "This draft is saved. To start another: */new TITLE* in the console, or `/statement new` "
    "in Slack."
)
GUIDED_REVISION = (
    "Rewriting the draft to order needs the AI coach, which is not switched on here. What you "
    "can do now: **edit** and a stage (e.g. **edit evidence**) to change an answer and redraft "
    "from it, or rewrite a line yourself with **problem: …** or **hmw: …** followed by your own "
    "words."
)
REVIEW_HELP = (
    "To improve the draft: **edit** and a stage (e.g. **edit evidence**) to change an answer, "
    "**problem: …** or **hmw: …** followed by your own words to rewrite a line yourself, a "
    "question ending in ? to ask the knowledge base, or **accept** to mark it final."
)

_GREETING = re.compile(
    r"^(?:(?:hi|hello|hey|morning|good\s+\w+)\b[\s,!.]*)?(?:so[\s,]+)?"
    r"(?:this\s+is\s+(?:about|on)\s+|it'?s\s+about\s+)?",
    re.IGNORECASE,
)


def title_from(text: str, limit: int = 80) -> str:
    """A working title from what someone first said: its first line or sentence, shortened."""
    first = clean_text(text or "").strip().splitlines()[0] if (text or "").strip() else ""
    first = _GREETING.sub("", first, count=1)
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(" .")
    first = first[:1].upper() + first[1:]
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first


def joined(*paragraphs: str) -> str:
    """Non-empty paragraphs of a reply, a blank line apart."""
    return "\n\n".join(p for p in paragraphs if p and p.strip())


def review_lead(rubric: RubricScore, stage: str) -> str:
    """What the coach says above a new draft: its score and the two weakest criteria."""
    weakest = sorted(rubric.criteria, key=lambda c: c.score)[:2]
    tips = "; ".join(f"{c.name}: {c.suggestion}" for c in weakest if c.score < 2 and c.suggestion)
    lead = f"Here is the draft, scoring {rubric.percent}% against the 10-point rubric."
    if not rubric.gate_passed:
        lead += " It contains patient-identifiable data, so it cannot pass until that is removed."
    if tips:
        lead += f"\nTo raise it: {tips}"
    if stage == REVIEW:
        lead += "\n\n" + REVIEW_HELP
    return lead


def quoted(text: str, sentences: int, limit: int) -> str:
    """The opening whole sentences of an answer, with "…" when some of it was left out, so a
    shortened answer never reads as the whole of what was said."""
    shown = excerpt(text, sentences, limit)
    whole = " ".join(text.split())
    return shown if len(shown) >= len(whole) or shown.endswith("…") else f"{shown} …"


def answer_list(draft: DraftRecord) -> str:
    """Every answer under the question it was filed under, so a misfiling can be seen and fixed."""
    lines = [
        f"• **{q.label[0].upper()}{q.label[1:]}** ({stage_of(q.key).id}): "
        f"“{quoted(answer, 2, 200)}”"
        for q in QUESTIONS
        if (answer := draft.answers.get(q.key, "").strip())
    ]
    if not lines:
        return ""
    kept = Flow.from_json(draft.flow).unplaced
    lines += [f"• **Not placed yet**: “{quoted(u.text, 2, 200)}”" for u in kept]
    return "What I have so far (**edit** and a stage changes one):\n" + "\n".join(lines)


class StageFields(TypedDict):
    """Where a reply stands in the conversation, as `Reply` takes it."""

    stage_number: int
    stage_total: int
    stage_name: str


def stage_fields(key: str) -> StageFields:
    """The progress line's fields for stage `key` ("Stage 3 of 8: Evidence")."""
    return {
        "stage_number": stage_number(key),
        "stage_total": len(STAGES),
        "stage_name": stage_of(key).name if key != FINAL else "Final",
    }


def question_reply(
    draft_id: str, key: str, text: str, coach_mode: str, kind: ReplyKind = "question"
) -> Reply:
    """A reply that asks stage `key`'s question (none at the review or once final)."""
    asked = question(key)
    return Reply(
        draft_id,
        kind,
        text,
        question=asked.prompt if asked else None,
        hint=asked.hint if asked else None,
        coach_mode=coach_mode,
        **stage_fields(key),
    )


def version_reply(draft_id: str, latest: VersionRecord, text: str, key: str) -> Reply:
    """A stored version shown again, with the coach that wrote it and when."""
    return Reply(
        draft_id,
        "draft",
        text,
        content=latest.content,
        rubric=latest.rubric,
        version=latest.number,
        drafted_at=latest.created_at,
        coach_mode=latest.coach_mode,
        **stage_fields(key),
    )
