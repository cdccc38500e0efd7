"""The coaching questions: one definition each, the single place a question's behaviour lives.

Everything about a question lives in its one `Question`, so changing a question is one edit and
no two files can disagree about it through a mistyped string: its key (a constant, never a
repeated string; the rubric finds a criterion's question through `criterion`), its stage,
what the coach asks and hints, what to look up for a tip, the checks its answers get, the words
of praise for a good one, a one-line picture of a good answer, the noun the coach uses when it
files something there, and the labelled example answers the recogniser learns from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.coaching import checks
from bot.coaching.checks import Issue

Check = Callable[[str], list[Issue]]

# -- keys: the names answers are stored under (stable: drafts in the database use them) --------
PARTNERS = "context.partners"
TOPIC = "context.topic"
WHO = "affected.who"
NOW = "affected.now"
EVIDENCE = "evidence"
WHY_MATTERS = "cause.why_matters"
ROOT_CAUSE = "cause.root"
MEASURES = "outcome.measures"
SCOPE = "outcome.scope"
VALUE_PATIENTS = "value.patients"
VALUE_NHS = "value.nhs"
VALUE_PARTNER = "value.partner"
RISKS = "risks"
NONE = "none"  # a part of a message that answers no question

EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "answers.yaml"
HELD_BACK_EVERY = 4  # every fourth labelled example is held back for evaluation


@dataclass(frozen=True)
class Question:
    """Everything about one coaching question."""

    key: str
    stage: str
    prompt: str
    hint: str  # what a strong answer contains, shown with the question
    search: str  # what to look up in the knowledge base for a tip at this question
    label: str  # how the coach names it when filing a part there: "the evidence"
    praise: str  # said when an answer passes every check
    good: str  # one line on what a good answer looks like (prompts, /show, the recogniser)
    checks: tuple[Check, ...] = field(default=(), compare=False)
    criterion: str = ""  # the rubric criterion this answer feeds, if any
    # The draft's field this answer becomes when it is the only one feeding its criterion: the
    # rubric then reads the drafted text first, the answer when nothing was drafted.
    drafted_as: str = ""

    def check(self, text: str) -> list[Issue]:
        """This question's checks on an answer, major issues first."""
        found = [issue for check in self.checks for issue in check(text or "")]
        return sorted(found, key=lambda issue: issue.severity != "major")

    @property
    def examples(self) -> tuple[str, ...]:
        """Labelled answers that belong here (the training split only)."""
        return training_examples().get(self.key, ())


def _value_checks(text: str) -> list[Issue]:
    return [*checks.too_short(text, 4), *checks.vague_words(text)]


QUESTIONS: tuple[Question, ...] = (
    Question(
        PARTNERS,
        "context",
        "Who are the partners, and what kind of organisation is each?",
        "For example: 'Our trust's respiratory team, a pharmaceutical company and the local "
        "pharmaceutical committee'.",
        "choosing partners with a common mutual interest",
        "the partners",
        "Thanks: partners noted.",
        "Each organisation named, with what kind it is (NHS, company, council, charity).",
        (lambda t: checks.too_short(t, 2),),
    ),
    Question(
        TOPIC,
        "context",
        "In a sentence or two, what do you want to work on together, and why now?",
        "An idea for a solution is fine here; we will get underneath it next.",
        "practical steps to give a partnership the best chance of success",
        "what you want to work on",
        "Thanks. Next, let's pin down who is affected.",
        "The area of care you want to work on together and why it is timely.",
        (lambda t: checks.solution_first(t, severity="minor"),),
    ),
    Question(
        WHO,
        "affected",
        "Who exactly is affected, and where?",
        "Name a defined group in a defined setting, e.g. 'adults on the COPD (chronic "
        "obstructive pulmonary disease) registers of 12 practices in one primary care network'.",
        "who is affected: a defined group in a defined setting",
        "who is affected",
        "A clearly defined group and setting: that makes the problem concrete.",
        "A defined group of people in a defined setting, ideally with how many.",
        (checks.missing_group, checks.unexpanded_acronyms),
        criterion="who",
    ),
    Question(
        NOW,
        "affected",
        "What happens to them now, and what should happen instead?",
        "Describe the gap, ideally in numbers, without naming a solution: 'patients wait a "
        "median 2.5 days for a care package; the standard is 24 hours'.",
        "describe the gap between what happens now and what should happen",
        "what happens now",
        "Good: you describe the gap, not a solution.",
        "What happens now against what should happen, in numbers, with no solution named.",
        (
            checks.solution_first,
            checks.missing_numbers,
            checks.vague_words,
            checks.unexpanded_acronyms,
        ),
        criterion="gap",
    ),
    Question(
        EVIDENCE,
        "evidence",
        "What evidence shows this? Give each figure with its data source and period.",
        "e.g. 'Trust data, April–September 2024: 30-day readmissions 18% against a peer "
        "median of 13%'. Aggregate figures only: no patient details.",
        "evidence for a problem statement data source and period",
        "the evidence",
        "Evidence with sources and periods: partners can check it.",
        "Each figure with its data source and the period it covers.",
        (checks.missing_numbers, checks.missing_source_or_period),
        criterion="evidence",
        drafted_as="evidence",
    ),
    Question(
        WHY_MATTERS,
        "cause",
        "Why does it matter? Who is harmed, and what does it cost?",
        "Harm to people and cost to services, e.g. 'an estimated 40 avoidable strokes and "
        "£2m of acute care a year'.",
        "why the problem matters harm and cost",
        "why it matters",
        "Clear about harm and cost.",
        "Who is harmed and what it costs, with a figure.",
        (checks.missing_numbers, checks.vague_words),
        criterion="why_it_matters",
    ),
    Question(
        ROOT_CAUSE,
        "cause",
        "Why does the problem happen? Ask 'why?' once more than feels natural.",
        "'We have no nurses' is a symptom; 'reviews are never scheduled, so a third of people "
        "are missed' is a cause.",
        "root cause not symptom five whys",
        "the cause",
        "That reads like a cause rather than a symptom.",
        "What goes wrong in the process, one 'why?' deeper than a lack of staff or money.",
        (checks.symptom_not_cause, checks.solution_first),
        criterion="cause",
    ),
    Question(
        MEASURES,
        "outcome",
        "What outcome would show success? Name the measure, the baseline, the target and a date.",
        "e.g. 'annual reviews from 60% to 80% of the register by March, measured monthly'.",
        "SMART aims outcome measures baseline target",
        "the outcome measure",
        "A measurable outcome: everyone will know if it worked.",
        "A measure with its baseline, a target and a date.",
        (checks.missing_measure, checks.vague_words),
        criterion="measurable",
        drafted_as="measures",
    ),
    Question(
        SCOPE,
        "outcome",
        "What is in and out of scope: which place, which period, and what is excluded?",
        "e.g. 'two boroughs, April to March, excluding crisis referrals'.",
        "scoping a problem in and out of scope",
        "the scope",
        "Nicely scoped.",
        "Which place, which period, and what is left out.",
        (checks.missing_scope,),
        criterion="scoped",
        drafted_as="scope",
    ),
    Question(
        VALUE_PATIENTS,
        "value",
        "What would patients (and carers) gain? What jobs, pains and gains does it touch?",
        "Think of their day: what they are trying to do, what gets in the way, what would help.",
        "value proposition canvas customer jobs pains gains for patients",
        "the value for patients",
        "A concrete gain for patients: that is what keeps a partnership honest.",
        "A concrete gain in patients' and carers' own terms.",
        (_value_checks,),
        criterion="mutual_interest",
    ),
    Question(
        VALUE_NHS,
        "value",
        "What would the NHS organisation gain?",
        "Capacity, money, targets met, staff time, reputation: say which, and how much.",
        "how the NHS sees value in a partnership",
        "the value for the NHS",
        "Clear about what the NHS organisation gets back.",
        "What the NHS organisation gets back: capacity, money, targets, staff time.",
        (_value_checks,),
        criterion="mutual_interest",
    ),
    Question(
        VALUE_PARTNER,
        "value",
        "What would the partner organisation gain, and what will it contribute?",
        "Be candid: reputation, evidence, access, commercial return. Each party must make a "
        "real contribution and name a real gain.",
        "what motivates industry partners triple win",
        "the value for the partner",
        "Candid about the partner's gain and contribution: that builds trust.",
        "The partner's own gain, stated candidly, and what it contributes.",
        (_value_checks,),
        criterion="mutual_interest",
    ),
    Question(
        RISKS,
        "risks",
        "What are the main risks, who is accountable for what, and how would you exit safely?",
        "Name an accountable lead in each organisation and how care stays safe if the work stops.",
        "collective accountability risk benefit exit strategy",
        "the risks and accountability",
        "Accountability and exit are covered.",
        "The main risks, an accountable lead in each organisation, and a safe exit.",
        (checks.missing_accountability_or_exit,),
    ),
)

QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
_BY_KEY = {q.key: q for q in QUESTIONS}


def question(key: str) -> Question | None:
    """The question stored under `key`, or None: keys come back from drafts saved by older
    versions and from users typing `edit …`, so a caller holding such a key must decide."""
    return _BY_KEY.get(key)


def known_question(key: str) -> Question:
    """The question for a key the coaching flow itself produced (a stage's next question, the
    recogniser's label): an unknown one there is a bug, so it raises instead of returning None."""
    return _BY_KEY[key]


def check_answer(question_key: str, text: str) -> list[Issue]:
    """The checks for one coaching question's answer; unknown questions have none."""
    asked = _BY_KEY.get(question_key)
    return asked.check(text) if asked else []


@cache
def labelled_examples() -> dict[str, tuple[str, ...]]:
    """Every labelled sentence by question key (and `none`), in file order."""
    data = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8")) or {}
    unknown = set(data) - {*QUESTION_KEYS, NONE}
    if unknown:
        raise ValueError(f"{EXAMPLES_FILE.name} labels unknown questions: {sorted(unknown)}")
    return {key: tuple(str(text).strip() for text in texts) for key, texts in data.items()}


def _split(held_back: bool) -> dict[str, tuple[str, ...]]:
    return {
        key: tuple(
            text
            for position, text in enumerate(texts, start=1)
            if (position % HELD_BACK_EVERY == 0) == held_back
        )
        for key, texts in labelled_examples().items()
    }


@cache
def training_examples() -> dict[str, tuple[str, ...]]:
    """The examples the recogniser may learn from."""
    return _split(held_back=False)


@cache
def held_back_examples() -> dict[str, tuple[str, ...]]:
    """The examples kept for evaluation only: the recogniser never sees them."""
    return _split(held_back=True)
