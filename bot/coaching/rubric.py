"""The 10-criterion quality rubric for a problem statement, scored without a model.

The deterministic score is what the guided coach shows and what the LLM coach's score is held
to: a model may judge nuance better than word patterns, but it must not award marks for a
solution posing as a problem, a symptom posing as a cause or an outcome nobody can measure.
Scores are 0 (missing or fails), 1 (partly) or 2 (meets), each with a one-line reason that
quotes the draft and a suggestion saying what to do next, so a user can see why and act.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.coaching import checks
from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NOW,
    QUESTIONS,
    ROOT_CAUSE,
    SCOPE,
    VALUE_NHS,
    VALUE_PARTNER,
    VALUE_PATIENTS,
    WHO,
    WHY_MATTERS,
    Question,
    known_question,
)
from bot.coaching.recogniser import reads_as_other
from bot.coaching.stages import stage_of
from bot.drafts.content import CriterionScore, DraftContent, PartyValue, RubricScore


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion, with the examples the coaches show and the tests check."""

    id: str
    name: str
    test: str
    weak_example: str
    strong_example: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "who",
        "Who is affected",
        "Names a defined group of people in a defined setting.",
        "patients get poor care",
        "adults on the COPD (chronic obstructive pulmonary disease) registers of 12 practices "
        "in one primary care network",
    ),
    Criterion(
        "gap",
        "The gap",
        "Says what happens now and what should happen, ideally in numbers.",
        "discharge is slow",
        "patients fit to leave hospital wait a median 2.5 days for a care package; the local "
        "standard is 24 hours",
    ),
    Criterion(
        "evidence",
        "Evidence",
        "Each claim has a data source and a period.",
        "everyone knows readmissions are high",
        "trust data Apr–Sep: 30-day readmissions 18% vs peer median 13%",
    ),
    Criterion(
        "solution_neutral",
        "Solution-neutral",
        "At least three different interventions could plausibly fix it.",
        "we need a remote-monitoring app",
        "people with heart failure deteriorate unnoticed at home for days before admission",
    ),
    Criterion(
        "cause",
        "Cause, not symptom",
        "One more 'why?' still holds; not just 'no staff' or 'no money'.",
        "we lack nurses for an AF clinic",
        "a third of eligible people with known atrial fibrillation are not anticoagulated "
        "because reviews are unscheduled",
    ),
    Criterion(
        "why_it_matters",
        "Why it matters",
        "Says who is harmed and what it costs.",
        "this is important",
        "an estimated 14 avoidable strokes and £300,000 of acute care a year",
    ),
    Criterion(
        "scoped",
        "Scoped",
        "Names the place, the period, and what is in and out of scope.",
        "fix mental health access in the region",
        "waits for first contact in children's services, two boroughs, April to March, "
        "excluding crisis referrals",
    ),
    Criterion(
        "measurable",
        "Measurable outcome",
        "Names a measure with a baseline, a target and a date.",
        "improve patient experience",
        "reviews within 12 months from 60% to 80% by March, measured monthly",
    ),
    Criterion(
        "mutual_interest",
        "Mutual interest",
        "Every partner would recognise the problem and can name its own gain.",
        "company X wants more patients on its product",
        "the trust, the council and the supplier each pay for failed discharges and each "
        "states its benefit",
    ),
    Criterion(
        "plain_and_short",
        "Plain and short",
        "A non-specialist follows it in 30 seconds: at most 3 sentences, acronyms spelled out.",
        "sub-optimal MDT-led LTC pathway utilisation across the ICS footprint",
        "people with several long-term conditions see teams that don't share plans, so they "
        "repeat tests and miss reviews",
    ),
)
_BY_ID = {c.id: c for c in CRITERIA}

# Criteria whose deterministic check can find a major problem, and the prefix its reason
# carries when it does. The marker lives in the reason because `RubricScore` is a fixed schema
# shared with the store and exporters; a text marker survives JSON round trips, so a stored
# deterministic score can still be merged later.
MAJOR_CRITERIA = frozenset({"solution_neutral", "cause", "measurable"})
MAJOR_PREFIX = "Major problem: "
KEEP_IT = "Keep it."

MAX_WORDS = 90
MAX_SENTENCES = 3

_COMPARISON = re.compile(
    r"\b(?:vs|versus|compared\s+(?:with|to)|against|standard|target|should|instead|only|"
    r"median|average|mean|benchmark|peers?|national|expected|rather\s+than|"
    r"(?:higher|lower|longer|shorter|more|fewer|less)\s+than)\b",
    re.IGNORECASE,
)
_HARM_OR_COST = re.compile(
    r"£|\b(?:costs?|costing|spend|spending|admissions?|bed\s+days|deaths?|die|dying|"
    r"mortality|strokes?|falls?|readmissions?|waits?|waiting|harm(?:ed|s)?|avoidable|"
    r"disabilit(?:y|ies)|complications?|amputations?|heart\s+attacks?|attendances|"
    r"emergency|suffer\w*|lost|injur(?:y|ies))\b",
    re.IGNORECASE,
)
# Where a composed statement gives its cause: "The main cause is that…" first, then a plain
# "because" (but not "this matters because", which introduces the harm, not the cause).
_CAUSE_STATED = re.compile(
    r"\bthe\s+(?:main\s+|root\s+)?cause\s+is(?:\s+that)?\b(?P<cause>[^.!?]*)", re.IGNORECASE
)
_CAUSE_BECAUSE = re.compile(
    r"(?<!matters\s)\b(?:because|due\s+to|caused\s+by)\b(?P<cause>[^.!?]*)", re.IGNORECASE
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_EXPLAINS = re.compile(
    r"\b(?:because|so|since|due\s+to|which|means|caused|leads?|never|not|no|without)\b",
    re.IGNORECASE,
)
# Words a non-specialist stumbles on: they count against "plain and short" like acronyms do.
_JARGON = re.compile(
    r"\b(?:sub-?optimal|utili[sz]ation|footprint|leverag\w*|synerg(?:y|ies)|paradigm|"
    r"holistic|operationali[sz]\w*|best-in-class|value-add|deliverables|whole-system)\b",
    re.IGNORECASE,
)
_PATIENT_PARTY = re.compile(
    r"\b(?:patients?|carers?|people|public|residents|service\s+users|families|citizens)\b",
    re.IGNORECASE,
)
_NHS_PARTY = re.compile(
    r"\b(?:NHS|trusts?|hospitals?|practices?|PCN|primary\s+care|ICB|ICS|integrated\s+care|"
    r"health\s+board|commissioners?|CCG|network)\b",
    re.IGNORECASE,
)
_LINES = re.compile(r"[\r\n]+")


def _quote(text: str, limit: int = 60) -> str:
    flat = " ".join((text or "").split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{flat}”"


def _sentence_with(text: str, pattern: re.Pattern[str]) -> str:
    """The first sentence matching `pattern`, so a reason quotes the relevant words."""
    for sentence in _SENTENCES.split(text or ""):
        if pattern.search(sentence):
            return sentence
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _joined(*parts: str) -> str:
    return "\n".join(p for p in parts if p and p.strip())


def _items(items: Iterable[str], fallback: str) -> list[str]:
    """A draft's list field, or the raw answer split into lines when the list is empty."""
    found = [i.strip() for i in items if i and i.strip()]
    if found:
        return found
    return [line.strip(" -•*\t") for line in _LINES.split(fallback or "") if line.strip(" -•*\t")]


def _score(criterion_id: str, score: int, reason: str, suggestion: str = "") -> CriterionScore:
    criterion = _BY_ID[criterion_id]
    return CriterionScore(
        id=criterion.id,
        name=criterion.name,
        score=score,
        reason=" ".join(reason.split()),
        suggestion=KEEP_IT if score == 2 else suggestion,
    )


# --- one function per criterion ----------------------------------------------------------------


def _who(statement: str, answers: dict[str, str]) -> CriterionScore:
    who = answers.get(WHO, "")
    text = _joined(statement, who)
    shown = who or statement
    if not text.strip():
        return _score("who", 0, "No group or setting named yet.", "Say who is affected, and where.")
    group, setting = checks.has_group(text), checks.has_setting(text)
    if group and setting:
        return _score("who", 2, f"Names a group in a setting: {_quote(shown)}.")
    advice = checks.missing_group(text)[0].message
    if group or setting:
        found = "a group but no setting" if group else "a setting but no defined group"
        return _score("who", 1, f"Names {found}: {_quote(shown)}.", advice)
    return _score("who", 0, f"No defined group or setting in {_quote(shown)}.", advice)


def _gap(statement: str, answers: dict[str, str]) -> CriterionScore:
    now = answers.get(NOW, "")
    text = _joined(statement, now)
    shown = now or _sentence_with(statement, checks.NUMBER)
    advice = (
        "Say what happens now and what should happen, in numbers, e.g. “a median 2.5 days; "
        "the standard is 24 hours”."
    )
    if not text.strip():
        return _score("gap", 0, "Nothing yet on what happens now.", advice)
    numbers, comparison = checks.has_number(text), bool(_COMPARISON.search(text))
    if numbers and comparison:
        return _score("gap", 2, f"Gives the gap in numbers against a standard: {_quote(shown)}.")
    if numbers:
        return _score(
            "gap", 1, f"Has figures but nothing to compare with: {_quote(shown)}.", advice
        )
    if comparison:
        return _score("gap", 1, f"Compares, but without figures: {_quote(shown)}.", advice)
    return _score("gap", 0, f"No figures or comparison in {_quote(shown)}.", advice)


def _evidence(content: DraftContent, answers: dict[str, str]) -> CriterionScore:
    items = _items(content.evidence, answers.get(EVIDENCE, ""))
    advice = "Give each figure its data source and period, e.g. “trust data, Apr–Sep 2024: …”."
    if not items:
        return _score("evidence", 0, "No evidence yet.", advice)
    complete = [i for i in items if checks.has_source(i) and checks.has_period(i)]
    partial = [i for i in items if checks.has_source(i) or checks.has_period(i)]
    if len(complete) == len(items):
        n = len(items)
        noun = "item gives" if n == 1 else "items give"
        return _score(
            "evidence", 2, f"All {n} evidence {noun} a source and period, e.g. {_quote(items[0])}."
        )
    lacking = next(i for i in items if i not in complete)
    if partial:
        return _score(
            "evidence",
            1,
            f"{len(complete)} of {len(items)} items give both a source and a period; "
            f"not {_quote(lacking)}.",
            checks.missing_source_or_period(lacking)[0].message,
        )
    return _score("evidence", 0, f"No data source or period in {_quote(lacking)}.", advice)


def _solution_neutral(content: DraftContent) -> CriterionScore:
    statement = content.problem_statement
    if not statement.strip():
        return _score(
            "solution_neutral",
            0,
            "No problem statement yet.",
            "Describe what goes wrong for people before any solution.",
        )
    in_statement = checks.find_solution(statement)
    in_question = checks.find_solution(content.how_might_we)
    if in_statement:
        return _score(
            "solution_neutral",
            0,
            MAJOR_PREFIX + f"the problem statement names a solution: {in_statement}.",
            "Describe what goes wrong for people instead, so at least three fixes stay possible.",
        )
    if in_question:
        return _score(
            "solution_neutral",
            1,
            MAJOR_PREFIX + f"the “How might we” question names a solution: {in_question}.",
            "Ask “How might we…” about the outcome for people, not about a product.",
        )
    return _score("solution_neutral", 2, "Describes the problem without naming a solution.")


def _cause_text(statement: str, answers: dict[str, str]) -> str:
    if answers.get(ROOT_CAUSE, "").strip():
        return answers[ROOT_CAUSE]
    match = _CAUSE_STATED.search(statement) or _CAUSE_BECAUSE.search(statement)
    return match.group("cause").strip() if match else ""


def _cause(statement: str, answers: dict[str, str]) -> CriterionScore:
    cause = _cause_text(statement, answers)
    advice = "Say why the problem happens, and ask “why?” once more than feels natural."
    if not cause:
        return _score("cause", 0, "No cause given yet.", advice)
    if checks.symptom_not_cause(cause):
        return _score(
            "cause",
            0,
            MAJOR_PREFIX + f"a lack of resource is a symptom, not the cause: {_quote(cause)}.",
            "Ask why the work does not happen with the people and money you have now.",
        )
    if checks.word_count(cause) >= 6 or _EXPLAINS.search(cause):
        return _score("cause", 2, f"Gives a cause, not a symptom: {_quote(cause)}.")
    return _score(
        "cause",
        1,
        f"A cause, but thin: {_quote(cause)}.",
        "Say what goes wrong in the process, e.g. “reviews are never scheduled, so…”.",
    )


def _why_it_matters(statement: str, answers: dict[str, str]) -> CriterionScore:
    why = answers.get(WHY_MATTERS, "")
    text = _joined(statement, why)
    shown = why or _sentence_with(statement, _HARM_OR_COST)
    advice = (
        "Say who is harmed and what it costs, with a figure, e.g. “an estimated 14 avoidable "
        "strokes and £300,000 of acute care a year”."
    )
    if not text.strip():
        return _score("why_it_matters", 0, "Nothing yet on why it matters.", advice)
    harm = _HARM_OR_COST.search(text)
    if harm and checks.has_number(text):
        return _score("why_it_matters", 2, f"States harm or cost with a figure: {_quote(shown)}.")
    if harm:
        return _score(
            "why_it_matters", 1, f"Names harm or cost (“{harm.group(0)}”) but no figure.", advice
        )
    return _score("why_it_matters", 0, f"No harm or cost named in {_quote(shown)}.", advice)


def _scoped(content: DraftContent, answers: dict[str, str]) -> CriterionScore:
    text = content.scope.strip() or answers.get(SCOPE, "").strip()
    advice_example = "e.g. “two boroughs, April to March, excluding crisis referrals”."
    if not text:
        return _score(
            "scoped",
            0,
            "No scope yet.",
            f"Say which place, which period and what is out, {advice_example}",
        )
    parts = {
        "a place": checks.has_setting(text),
        "a period": checks.has_period(text),
        "what is excluded": checks.has_exclusion(text),
    }
    present = [name for name, ok in parts.items() if ok]
    missing = [name for name, ok in parts.items() if not ok]
    if not missing:
        return _score("scoped", 2, f"Place, period and exclusions: {_quote(text)}.")
    advice = checks.missing_scope(text)[0].message
    if present:
        return _score(
            "scoped",
            1,
            f"Has {' and '.join(present)} but not {' or '.join(missing)}: {_quote(text)}.",
            advice,
        )
    return _score("scoped", 0, f"No place, period or exclusion in {_quote(text)}.", advice)


def _measurable(content: DraftContent, answers: dict[str, str]) -> CriterionScore:
    items = _items(content.measures, answers.get(MEASURES, ""))
    advice = checks.missing_measure("")[0].message
    if not items:
        return _score("measurable", 0, MAJOR_PREFIX + "no outcome measure yet.", advice)
    failing = [i for i in items if checks.missing_measure(i)]
    if not failing:
        return _score("measurable", 2, f"A measure with a target: {_quote(items[0])}.")
    if len(failing) < len(items):
        return _score(
            "measurable",
            1,
            MAJOR_PREFIX + f"{len(failing)} of {len(items)} measures have no number and "
            f"target, e.g. {_quote(failing[0])}.",
            advice,
        )
    return _score(
        "measurable", 0, MAJOR_PREFIX + f"no measure and target in {_quote(failing[0])}.", advice
    )


def _party_kind(party: str) -> str:
    if _PATIENT_PARTY.search(party):
        return "patients"
    if _NHS_PARTY.search(party):
        return "nhs"
    return "partner"


def _parties(content: DraftContent, answers: dict[str, str]) -> list[PartyValue]:
    if content.value_proposition:
        return list(content.value_proposition)
    named = (
        (VALUE_PATIENTS, "Patients"),
        (VALUE_NHS, "The NHS organisation"),
        (VALUE_PARTNER, "The partner organisation"),
    )
    return [PartyValue(party=p, value=answers[k]) for k, p in named if answers.get(k, "").strip()]


def _mutual_interest(content: DraftContent, answers: dict[str, str]) -> CriterionScore:
    parties = _parties(content, answers)
    real = [
        p
        for p in parties
        if not checks.too_short(p.value, 4) and not reads_as_other(p.value, VALUE_PATIENTS)
    ]
    partner_gain = any(_party_kind(p.party) == "partner" for p in real)
    names = ", ".join(p.party for p in real) or "none"
    advice = (
        "Give patients, the NHS organisation and the partner each a one-sentence gain, "
        "including what the partner gets."
    )
    if len(real) >= 3 and partner_gain:
        return _score("mutual_interest", 2, f"{len(real)} parties each state a gain: {names}.")
    if len(real) >= 2:
        why = "the partner's own gain is missing" if len(real) >= 3 else "only two parties"
        return _score("mutual_interest", 1, f"Gains stated for {names}; {why}.", advice)
    if real:
        return _score("mutual_interest", 0, f"Only one party's gain is stated ({names}).", advice)
    return _score("mutual_interest", 0, "No party's gain is stated yet.", advice)


def _plain_and_short(statement: str) -> CriterionScore:
    if not statement.strip():
        return _score(
            "plain_and_short", 0, "No problem statement yet.", "Write it in at most 3 sentences."
        )
    problems: list[str] = []
    fixes: list[str] = []
    words, sentences = checks.word_count(statement), checks.sentence_count(statement)
    if sentences > MAX_SENTENCES:
        problems.append(f"{sentences} sentences")
        fixes.append(f"cut to {MAX_SENTENCES} sentences")
    if words > MAX_WORDS:
        problems.append(f"{words} words")
        fixes.append(f"cut to {MAX_WORDS} words")
    acronyms = checks.find_unexpanded_acronyms(statement)
    if acronyms:
        problems.append("unexplained " + ", ".join(acronyms[:4]))
        fixes.append("spell out " + ", ".join(acronyms[:4]))
    jargon = sorted({m.group(0).lower() for m in _JARGON.finditer(statement)})
    if jargon:
        problems.append("jargon (" + ", ".join(jargon[:3]) + ")")
        fixes.append("use everyday words")
    if not problems:
        return _score(
            "plain_and_short",
            2,
            f"{_plural(sentences, 'sentence')}, {words} words, no unexplained terms.",
        )
    score = 1 if len(problems) == 1 else 0
    suggestion = "; ".join(fixes)
    suggestion = suggestion[0].upper() + suggestion[1:] + "."
    return _score(
        "plain_and_short", score, "Hard to take in: " + "; ".join(problems) + ".", suggestion
    )


# --- public API --------------------------------------------------------------------------------


def score_draft(
    content: DraftContent, answers: dict[str, str] | None = None, *, pii_found: bool = False
) -> RubricScore:
    """Score a draft against the 10 criteria, deterministically.

    `answers` are the coaching answers by question key; they add detail the three-sentence
    statement leaves out (the root cause, the exact group). When identifiable data was found
    the gate fails and the overall percent is 0, but every criterion is still scored so the
    user sees what else to fix while removing it.
    """
    answers = {k: v or "" for k, v in (answers or {}).items()}
    statement = content.problem_statement or ""
    scores = [
        _who(statement, answers),
        _gap(statement, answers),
        _evidence(content, answers),
        _solution_neutral(content),
        _cause(statement, answers),
        _why_it_matters(statement, answers),
        _scoped(content, answers),
        _measurable(content, answers),
        _mutual_interest(content, answers),
        _plain_and_short(statement),
    ]
    criteria = [_placed(score, content, answers) for score in scores]
    return RubricScore(criteria=criteria, gate_passed=not pii_found)


def _feeding(criterion_id: str) -> Question | None:
    """The one question whose answer feeds a criterion (`Question.criterion`); None when none
    does or several do (the three value questions share mutual interest)."""
    feeding = [q for q in QUESTIONS if q.criterion == criterion_id]
    return feeding[0] if len(feeding) == 1 else None


def _filed_text(asked: Question, content: DraftContent, answers: dict[str, str]) -> str:
    """What was filed under a question: its drafted field if it has one, else the answer."""
    drafted = getattr(content, asked.drafted_as) if asked.drafted_as else ""
    if isinstance(drafted, list):
        drafted = "\n".join(drafted)
    return drafted or answers.get(asked.key, "")


def _placed(
    score: CriterionScore, content: DraftContent, answers: dict[str, str]
) -> CriterionScore:
    """No marks for an answer that says something else: a benefit filed as the cause is not a
    cause, however well it reads. The rubric scores what a part says, not where it sits."""
    asked = _feeding(score.id)
    if asked is None:
        return score
    key, text = asked.key, _filed_text(asked, content, answers)
    if score.score == 0 or not text.strip():
        return score
    other = reads_as_other(text, key)
    if other is None:
        return score
    own, theirs = known_question(key), known_question(other)
    prefix = MAJOR_PREFIX if score.id in MAJOR_CRITERIA else ""
    return _score(
        score.id,
        0,
        prefix + f"this reads like {theirs.label}, not {own.label}: {_quote(text)}.",
        f"Move it with **edit {stage_of(other).id}**, then give {own.label} here: "
        f"{own.good[0].lower()}{own.good[1:]}",
    )


def has_major_problem(score: CriterionScore) -> bool:
    """Did the deterministic check find a major problem (one a model may not overrule)?"""
    return score.id in MAJOR_CRITERIA and score.reason.startswith(MAJOR_PREFIX)


def _normalise(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (value or "").lower()).strip("_")


_ALIASES = {
    **{_normalise(c.id): c.id for c in CRITERIA},
    **{_normalise(c.name): c.id for c in CRITERIA},
}


def merge_scores(deterministic: RubricScore, model: RubricScore) -> RubricScore:
    """Combine the LLM coach's judgement with the deterministic floor.

    The model's score and reason win, because it reads meaning the word patterns miss, except
    where the deterministic check found a major problem (solution-first, a symptom as the
    cause, no measure): there the deterministic score and reason stand, so a fluent model
    cannot talk a draft past the failures the rubric exists to catch. Criteria the model left out
    or misnamed fall back to the deterministic score; order and ids always follow CRITERIA.
    """
    ours = {c.id: c for c in deterministic.criteria}
    theirs: dict[str, CriterionScore] = {}
    for item in model.criteria:
        key = _ALIASES.get(_normalise(item.id)) or _ALIASES.get(_normalise(item.name))
        if key and key not in theirs:
            theirs[key] = item
    merged: list[CriterionScore] = []
    for criterion in CRITERIA:
        base = ours.get(criterion.id)
        other = theirs.get(criterion.id)
        if base is not None and (other is None or has_major_problem(base)):
            merged.append(base.model_copy(update={"name": criterion.name}))
        elif other is None:
            merged.append(_score(criterion.id, 0, "Not scored.", "Score this draft again."))
        else:
            reason = " ".join(other.reason.split()) or (base.reason if base else "")
            suggestion = other.suggestion.strip()
            if not suggestion:
                suggestion = KEEP_IT if other.score == 2 else (base.suggestion if base else "")
            merged.append(
                CriterionScore(
                    id=criterion.id,
                    name=criterion.name,
                    score=other.score,
                    reason=reason,
                    suggestion=suggestion,
                )
            )
    return RubricScore(criteria=merged, gate_passed=deterministic.gate_passed)


_MARKS = {2: "✓", 1: "~", 0: "✗"}


def format_scorecard(score: RubricScore) -> str:
    """A plain-text scorecard for a console or a log, one line per criterion."""
    width = max((len(c.name) for c in score.criteria), default=0)
    lines = []
    if not score.gate_passed:
        lines.append(
            "Gate failed: the text may hold patient-identifiable data, so the overall score is "
            "0 until it is removed."
        )
    for c in score.criteria:
        lines.append(f"{_MARKS.get(c.score, '?')} {c.name.ljust(width)}  {c.score}/2  {c.reason}")
    lines.append(f"Overall: {score.total}/{score.max_total} ({score.percent}%)")
    return "\n".join(lines)
