"""File what a message answers, say where it went, and choose the most useful next question.

Pure functions over the answers and the flow state, so the engine stays a thin turn loop and
every rule here is tested without a database. A facilitator's habits, written down:

* everything said is noted where it belongs, under every question it answers;
* the user hears, in one line, where things went;
* a part that fits only the question asked, or fits nothing, answers the question asked (people
  answer what they were asked in words no example anticipated); a part that fits nothing while
  the rest of the message answered the question is kept and offered back later;
* the next question is the first one still open in stage order, or after a long story, the one
  behind the weakest rubric criterion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.coaching.flow import Flow, Redirect, Unplaced
from bot.coaching.questions import (
    EVIDENCE,
    NONE,
    NOW,
    QUESTION_KEYS,
    TOPIC,
    WHO,
    known_question,
    question,
)
from bot.coaching.recogniser import Part
from bot.drafts.content import RubricScore

SAME_WORDS = 0.6  # share of words two messages have in common to count as "said again"
RICH_MESSAGE_KEYS = 3  # a message answering this many questions gets a first draft at once
REVIEW = "review"


@dataclass
class Filing:
    """The result of filing one message."""

    answers: dict[str, str]
    flow: Flow
    filed: dict[str, list[str]] = field(default_factory=dict)  # question → parts filed now
    kept: list[Unplaced] = field(default_factory=list)  # parts that fitted nowhere

    @property
    def keys(self) -> list[str]:
        """The questions this message answered, in stage order."""
        return [key for key in QUESTION_KEYS if key in self.filed]

    def answered(self, key: str | None) -> bool:
        return key is not None and key in self.filed

    @property
    def rich(self) -> bool:
        return len(self.filed) >= RICH_MESSAGE_KEYS


def file_parts(
    answers: dict[str, str], flow: Flow, parts: Sequence[Part], asked: str | None
) -> Filing:
    """File every part under each question it answers; nothing is dropped."""
    filed: dict[str, list[str]] = {}
    loose: list[Part] = []
    for part in parts:
        if part.keys:
            for key in part.keys:
                filed.setdefault(key, []).append(part.text)
        else:
            loose.append(part)
    kept: list[Unplaced] = []
    if loose:
        # Loose parts answer the question asked when nothing else does; asides ("sorry, long
        # story") stay out of an answer whenever the message holds anything else.
        if asked in QUESTION_KEYS and asked not in filed:
            taken = [p for p in loose if p.guess != NONE] or ([] if filed else loose)
            if taken:
                filed[asked] = [p.text for p in parts if p in taken or asked in p.keys]
            kept = [Unplaced(p.text, p.guess) for p in loose if p not in taken]
        else:
            kept = [Unplaced(p.text, p.guess) for p in loose]
    updated = dict(answers)
    for key, texts in filed.items():
        joiner = "\n" if key == EVIDENCE else " "
        new = joiner.join(texts)
        old = updated.get(key, "").strip()
        if key == asked or not old:
            updated[key] = new
        elif new not in old:
            if joiner == " " and not old.endswith((".", "!", "?", ";", ":")):
                old += "."  # two answers become two sentences, not one run-on
            updated[key] = f"{old}{joiner}{new}"
    state = flow.with_unplaced(kept)
    for key in filed:
        if key != asked:  # the question asked is settled by the engine, after its checks
            state = state.answered(key)
    return Filing(updated, state, filed, kept)


def labels(keys: Sequence[str]) -> str:
    """'the evidence and the value for patients'."""
    names = [asked.label for key in keys if (asked := question(key))]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def open_questions(answers: dict[str, str], flow: Flow) -> list[str]:
    """Questions without an answer that the user has not chosen to skip, in stage order.

    The opening "what do you want to work on?" is a warm-up: once the user has said who is
    affected or what happens now, asking it would only make them repeat themselves.
    """
    warmed_up = any(answers.get(key, "").strip() for key in (WHO, NOW))
    return [
        key
        for key in QUESTION_KEYS
        if not answers.get(key, "").strip()
        and key not in flow.skipped
        and not (key == TOPIC and warmed_up)
    ]


def next_question(answers: dict[str, str], flow: Flow, rubric: RubricScore | None = None) -> str:
    """The most useful question to ask now, or REVIEW when nothing is left open.

    With a scored draft (after a long first message), the open question behind the weakest
    criterion comes first; otherwise the first open question in stage order.
    """
    candidates = open_questions(answers, flow)
    if not candidates:
        return REVIEW
    if rubric is None:
        return candidates[0]
    scores = {c.id: c.score for c in rubric.criteria}

    def weakness(key: str) -> float:
        criterion = known_question(key).criterion
        return scores.get(criterion, 2) if criterion else 1.5

    return min(candidates, key=lambda key: (weakness(key), QUESTION_KEYS.index(key)))


def offer_back(offered: list[Unplaced]) -> str:
    """Earlier words that may belong to the question about to be asked."""
    if not offered:
        return ""
    quoted = "; ".join(f"“{u.text}”" for u in offered[:3])
    return f"Earlier you also said {quoted}. If that belongs here, include it in your answer."


_WORD = re.compile(r"[a-z0-9£%]+")


def says_again(text: str, redirect: Redirect | None, asked: str) -> bool:
    """Whether the user sent (nearly) the words the coach just filed elsewhere, to the same
    question: they meant them as its answer, and a facilitator would take the hint."""
    if redirect is None or redirect.asked != asked:
        return False
    now, before = set(_WORD.findall(text.lower())), set(_WORD.findall(redirect.text.lower()))
    if not now or not before:
        return False
    return len(now & before) / len(now | before) >= SAME_WORDS


def take_back(answers: dict[str, str], redirect: Redirect) -> dict[str, str]:
    """The answers without the words last filed elsewhere (the user has said where they go)."""
    updated = dict(answers)
    for key in redirect.keys:
        old = updated.get(key, "")
        if old.strip() == redirect.text.strip():
            updated.pop(key, None)
        elif redirect.text in old:
            rest = re.sub(r"[ \t]{2,}", " ", old.replace(redirect.text, "")).strip()
            rest = re.sub(r"\n{2,}", "\n", rest)
            if rest:
                updated[key] = rest
            else:
                updated.pop(key)
    return updated
