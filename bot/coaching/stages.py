"""The coaching path: eight stages, each a few questions, from context to a reviewed draft.

Questions (defined once, in `questions.py`) are the unit of progress: their keys name the answers
in the store; stages group them for people ("stage 3 of 8"). The order follows the rubric: who
and what happens now, the evidence, the cause, the outcome and scope, then each party's value
and the joint-working risks.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coaching.questions import QUESTION_KEYS, QUESTIONS, Question, question

__all__ = [
    "FINAL",
    "QUESTIONS",
    "QUESTION_KEYS",
    "REVIEW",
    "STAGES",
    "Question",
    "Stage",
    "first_key",
    "next_key",
    "previous_key",
    "question",
    "resolve_stage",
    "stage_number",
    "stage_of",
]


@dataclass(frozen=True)
class Stage:
    id: str
    name: str


STAGES: tuple[Stage, ...] = (
    Stage("context", "Context and partners"),
    Stage("affected", "Who is affected and what happens now"),
    Stage("evidence", "Evidence"),
    Stage("cause", "Why it matters and the root cause"),
    Stage("outcome", "Desired outcome and measures"),
    Stage("value", "Value for each party"),
    Stage("risks", "Risks, accountability and exit"),
    Stage("review", "Draft, critique and revise"),
)

REVIEW = "review"
FINAL = "final"
_BY_KEY = {q.key: q for q in QUESTIONS}
_STAGE_INDEX = {stage.id: number for number, stage in enumerate(STAGES, start=1)}


def first_key() -> str:
    return QUESTIONS[0].key


def next_key(key: str) -> str:
    """The question after `key`, or the review stage after the last question."""
    if key not in _BY_KEY:
        return REVIEW
    position = QUESTION_KEYS.index(key)
    return QUESTION_KEYS[position + 1] if position + 1 < len(QUESTION_KEYS) else REVIEW


def previous_key(key: str) -> str:
    """The question before `key`; the review stage goes back to the last question."""
    if key in (REVIEW, FINAL):
        return QUESTION_KEYS[-1]
    position = QUESTION_KEYS.index(key) if key in _BY_KEY else 0
    return QUESTION_KEYS[max(position - 1, 0)]


def stage_of(key: str) -> Stage:
    if key in _BY_KEY:
        stage_id = _BY_KEY[key].stage
        return STAGES[_STAGE_INDEX[stage_id] - 1]
    return STAGES[-1]


def stage_number(key: str) -> int:
    return _STAGE_INDEX[stage_of(key).id]


def resolve_stage(name: str) -> str | None:
    """The question a loosely named stage or question points at.

    People (and the eval simulator) say `edit evidence`, `edit 3`, `edit value for patients`,
    `edit measures` or a stored key such as `outcome.measures`, which the intent parser may hand
    over as "outcome measures". A stage name means its first question; a question's own label
    ("the scope", "the value for the NHS") means that question.
    """
    wanted = " ".join(name.strip().lower().replace("_", " ").replace(".", " ").split())
    wanted = wanted.removeprefix("the ")
    if not wanted:
        return None
    if wanted.isdigit() and 1 <= int(wanted) <= len(STAGES) - 1:
        stage_id = STAGES[int(wanted) - 1].id
        return next(q.key for q in QUESTIONS if q.stage == stage_id)
    for q in QUESTIONS:
        if wanted in (_spoken_key(q), q.label.lower().removeprefix("the ")):
            return q.key
    for stage in STAGES[:-1]:
        if wanted in (stage.id, stage.name.lower()):
            return next(q.key for q in QUESTIONS if q.stage == stage.id)
    for q in QUESTIONS:
        words = f"{_spoken_key(q)} {q.label.lower()}"
        if wanted in words or set(wanted.split()) <= set(words.split()):
            return q.key
    for stage in STAGES[:-1]:
        if wanted in stage.name.lower().split():
            return next(q.key for q in QUESTIONS if q.stage == stage.id)
    return None


def _spoken_key(q: Question) -> str:
    """A stored key as words: `cause.why_matters` → "cause why matters"."""
    return q.key.replace(".", " ").replace("_", " ")
