"""The coaching path: eight stages, each a few questions, from context to a reviewed draft.

Questions are the unit of progress (their keys name the answers in the store); stages group
them for people ("stage 3 of 8"). The order follows the rubric: who and what happens now, the
evidence, the cause, the outcome and scope, then each party's value and the joint-working risks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    key: str
    stage: str
    prompt: str
    hint: str  # what a strong answer contains, shown with the question
    search: str  # what to look up in the knowledge base for a tip at this question


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

QUESTIONS: tuple[Question, ...] = (
    Question(
        "context.partners",
        "context",
        "Who are the partners, and what kind of organisation is each?",
        "For example: 'Our trust's respiratory team, a pharmaceutical company and the local "
        "pharmaceutical committee'.",
        "choosing partners with a common mutual interest",
    ),
    Question(
        "context.topic",
        "context",
        "In a sentence or two, what do you want to work on together, and why now?",
        "An idea for a solution is fine here; we will get underneath it next.",
        "practical steps to give a partnership the best chance of success",
    ),
    Question(
        "affected.who",
        "affected",
        "Who exactly is affected, and where?",
        "Name a defined group in a defined setting, e.g. 'adults on the COPD (chronic "
        "obstructive pulmonary disease) registers of 12 practices in one primary care network'.",
        "who is affected: a defined group in a defined setting",
    ),
    Question(
        "affected.now",
        "affected",
        "What happens to them now, and what should happen instead?",
        "Describe the gap, ideally in numbers, without naming a solution: 'patients wait a "
        "median 2.5 days for a care package; the standard is 24 hours'.",
        "describe the gap between what happens now and what should happen",
    ),
    Question(
        "evidence",
        "evidence",
        "What evidence shows this? Give each figure with its data source and period.",
        "e.g. 'Trust data, April–September 2024: 30-day readmissions 18% against a peer "
        "median of 13%'. Aggregate figures only: no patient details.",
        "evidence for a problem statement data source and period",
    ),
    Question(
        "cause.why_matters",
        "cause",
        "Why does it matter? Who is harmed, and what does it cost?",
        "Harm to people and cost to services, e.g. 'an estimated 40 avoidable strokes and "
        "£2m of acute care a year'.",
        "why the problem matters harm and cost",
    ),
    Question(
        "cause.root",
        "cause",
        "Why does the problem happen? Ask 'why?' once more than feels natural.",
        "'We have no nurses' is a symptom; 'reviews are never scheduled, so a third of people "
        "are missed' is a cause.",
        "root cause not symptom five whys",
    ),
    Question(
        "outcome.measures",
        "outcome",
        "What outcome would show success? Name the measure, the baseline, the target and a date.",
        "e.g. 'annual reviews from 60% to 80% of the register by March, measured monthly'.",
        "SMART aims outcome measures baseline target",
    ),
    Question(
        "outcome.scope",
        "outcome",
        "What is in and out of scope: which place, which period, and what is excluded?",
        "e.g. 'two boroughs, April to March, excluding crisis referrals'.",
        "scoping a problem in and out of scope",
    ),
    Question(
        "value.patients",
        "value",
        "What would patients (and carers) gain? What jobs, pains and gains does it touch?",
        "Think of their day: what they are trying to do, what gets in the way, what would help.",
        "value proposition canvas customer jobs pains gains for patients",
    ),
    Question(
        "value.nhs",
        "value",
        "What would the NHS organisation gain?",
        "Capacity, money, targets met, staff time, reputation: say which, and how much.",
        "how the NHS sees value in a partnership",
    ),
    Question(
        "value.partner",
        "value",
        "What would the partner organisation gain, and what will it contribute?",
        "Be candid: reputation, evidence, access, commercial return. Each party must make a "
        "real contribution and name a real gain.",
        "what motivates industry partners triple win",
    ),
    Question(
        "risks",
        "risks",
        "What are the main risks, who is accountable for what, and how would you exit safely?",
        "Name an accountable lead in each organisation and how care stays safe if the work stops.",
        "collective accountability risk benefit exit strategy",
    ),
)

REVIEW = "review"
FINAL = "final"
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
_BY_KEY = {q.key: q for q in QUESTIONS}
_STAGE_INDEX = {stage.id: number for number, stage in enumerate(STAGES, start=1)}


def question(key: str) -> Question | None:
    return _BY_KEY.get(key)


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
    """The first question of a stage named loosely ('evidence', 'value', 'who', '3')."""
    wanted = name.strip().lower()
    if wanted.isdigit() and 1 <= int(wanted) <= len(STAGES) - 1:
        stage_id = STAGES[int(wanted) - 1].id
        return next(q.key for q in QUESTIONS if q.stage == stage_id)
    if wanted in _BY_KEY:
        return wanted
    for stage in STAGES[:-1]:
        if wanted in (stage.id, stage.name.lower()) or wanted in stage.name.lower().split():
            return next(q.key for q in QUESTIONS if q.stage == stage.id)
    for q in QUESTIONS:
        if wanted and wanted in q.key:
            return q.key
    return None
