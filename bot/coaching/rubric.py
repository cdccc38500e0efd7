"""The 10-criterion quality rubric for a problem statement, scored without a model.

The deterministic score is what the guided coach shows and what the LLM coach's score is held
to: a model may judge nuance better than word patterns, but it must not award marks for a
solution posing as a problem, a symptom posing as a cause or an outcome nobody can measure.
Scores are 0 (missing or fails), 1 (partly) or 2 (meets), each with a one-line reason that
quotes the draft and a suggestion saying what to do next, so a user can see why and act.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.coaching import checks, text_quality
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
from bot.coaching.vocabulary import COMPARATOR, JARGON, VAGUE_AMOUNT
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

_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_EXPLAINS = re.compile(
    r"\b(?:because|so|since|due\s+to|which|means|caused|leads?|never|not|no|without)\b",
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


# --- reading the written statement -------------------------------------------------------------

# A figure: digits (not a bare year or financial year), a percentage, money, or "one in four".
_FIGURE = re.compile(
    r"£\s?(?:\d[\d,.]*\s?(?:m|k|bn|million|billion)?|[A-Z]\b)|\d[\d,.]*\s?%|"
    r"(?<![\d/])(?!(?:19|20)\d{2}\b)\d[\d,.]*(?!\d)(?!/\d)|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\s+in\s+(?:\d+|\w+)\b|"
    r"\b(?:half|a\s+third|a\s+quarter|two\s+thirds|twice|double)\b",
    re.IGNORECASE,
)
# A citation in brackets: "(CVDPREVENT, year to March 2025)", "(hospital episode data)".
_CITATION = re.compile(
    r"\(([^()]*(?:data|audit|regist\w*|system|list|tracker|profiles?|estimate|benchmark|"
    r"survey|statistics|records|report|set|[A-Z]{3,}[^()]*,|(?:19|20)\d{2})[^()]*)\)",
)
# Harm to people and cost to services, in the words a statement uses for them.
_HARM_WORDS = (
    r"£|\b(?:costs?|costing|spend|spending|admissions?|admitted|bed\s+days|deaths?|die[sd]?|"
    r"dying|mortality|strokes?|falls?|readmissions?|readmitted|harm(?:ed|s|ful)?|avoidable|"
    r"disabilit(?:y|ies)|disabled|complications?|amputations?|heart\s+attacks?|attendances|"
    r"emergency|suffer\w*|lost|loss|injur(?:y|ies|ed)|pain\w*|infections?|infertility|sepsis|"
    r"cancers?|distress\w*|isolat\w*|deteriorat\w*|crisis|crises|fractures?|stillbirths?|"
    r"low\s+birth\s+weight|resistance|independence|weaker|sicker|worse|life-changing|"
    r"extractions?|anaesthetic|outbreaks?|complaints?|disrepair|opioids?|missed\s+school)\b"
)
_HARM = re.compile(_HARM_WORDS, re.IGNORECASE)
# Where a statement gives its cause, after the words that introduce it …
_CAUSE_MARK = re.compile(
    r"\b(?:the\s+(?:main\s+|root\s+|real\s+)?(?:cause|reason|problem|issue|thing)\s+is"
    r"(?:\s+that|\s+because)?|(?<!matters\s)(?<!important\s)because(?:\s+of)?|due\s+to|caused\s+by|owing\s+to|as\s+a\s+"
    r"result\s+of|stems?\s+from|driven\s+by)\b(?P<cause>[^.!?]*)",
    re.IGNORECASE,
)
# … or before "so" ("The letter goes only to the GP, so the pharmacy never hears").
_CAUSE_BEFORE_SO = re.compile(
    r"(?P<cause>[^.!?;]{12,}?),?\s+so\s+(?!that\b|many\b|much\b|far\b|few\b|long\b|often\b)"
)
# A lead-in a doubled join leaves in front of the cause: "the problem is that …".
_CAUSE_LEAD = re.compile(
    r"^\s*(?:that\s+)?(?:the\s+(?:main\s+)?(?:problem|issue|reason|cause)\s+is\s+(?:that\s+)?)+",
    re.IGNORECASE,
)
_VAGUE_CAUSE = re.compile(
    r"\b(?:not\s+good\s+enough|poor(?:ly)?|could\s+be\s+better|inadequate|a\s+lot|various|"
    r"issues?|challenges?|pressures?)\b",
    re.IGNORECASE,
)
# A party's "gain" that is only the partner selling: "more customers", "a contract".
_SALE = re.compile(
    r"\b(?:customers?|sales?|contracts?|market\s+share|placement|adoption|users?\s+for|"
    r"installed|deployed|reference\s+site|commissioned|more\s+(?:eligible\s+)?patients\s+"
    r"(?:started\s+)?on)\b",
    re.IGNORECASE,
)
# What a partner gains besides a sale: evidence, learning, reach, reputation.
_OWN_GAIN = re.compile(
    r"\b(?:evidence|research|learn\w*|publish\w*|stud(?:y|ies)|evaluat\w*|data|reach\w*|"
    r"reputation|insight|outcomes?)\b",
    re.IGNORECASE,
)
# A level in a how-might-we the user wrote ("from 60% to 80%", "to 80% by March 2027"): an age
# range ("aged 40 to 79") or "treated to target" in a written question is no target.
_HMW_TARGET = re.compile(
    r"\d\s?%|£\s?\d|\bfrom\s+\S*\d[^,;?]*?\s+to\s+\S*\d|\bby\s+(?:\w+\s+)?(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[^\]]*(?:removed|redacted)[^\]]*\]|<[A-Z_]+>", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<=[a-z,;:]\s)(?:[A-Z][a-z]{2,})(?:'s)?")
_NOT_NAMES = frozenset(
    "January February March April May June July August September October November December "
    "England English Scotland Wales NHS".split()
)


def _figures(text: str) -> list[str]:
    return [m.group(0) for m in _FIGURE.finditer(text or "")]


def _statement_sentences(statement: str) -> list[str]:
    return text_quality.sentences(statement)


def _clean_first(sentences: list[str]) -> list[str]:
    """Sentences without chat first, so a claim made plainly is the one a criterion quotes."""
    return sorted(sentences, key=lambda s: bool(text_quality.chat(s)))


def _named_place(text: str) -> bool:
    """A named place or organisation ("in Westmoor", "Riverside council's"): a defined setting
    is one a partner could find on a map, not "the region"."""
    for match in _CAPITALISED.finditer(text or ""):
        if match.group(0).removesuffix("'s") not in _NOT_NAMES:
            return True
    return checks.has_setting(text) and bool(checks._NAMED_PLACE.search(text or ""))


def _capped(score: CriterionScore, cap: int, why: str, suggestion: str) -> CriterionScore:
    if score.score <= cap:
        return score
    return _score(score.id, cap, why, suggestion)


def _from_answer(
    in_statement: CriterionScore, in_answer: CriterionScore | None, what: str, statement: str
) -> CriterionScore:
    """The statement is what a board reads: an answer can show the detail exists, but a
    detail the written statement leaves out earns at most 1. Before there is a statement the
    answer (the slot) is all there is to score, and is scored as it stands."""
    if in_answer is not None and not statement.strip():
        return in_answer
    if in_answer is None or in_answer.score <= in_statement.score:
        return in_statement
    if in_statement.score >= 1:
        return in_statement
    return _score(
        in_answer.id,
        1,
        f"Your answers give {what}, but the statement does not say it: {in_answer.reason}",
        f"Put {what} into the statement itself.",
    )


# --- one function per criterion ----------------------------------------------------------------


def _who_in(text: str) -> CriterionScore:
    if not text.strip():
        return _score("who", 0, "No group or setting named yet.", "Say who is affected, and where.")
    group, setting = checks.has_group(text), checks.has_setting(text)
    shown = _sentence_with(text, checks.GROUP)
    if group and setting:
        if _named_place(text) or _figures(shown):
            return _score("who", 2, f"Names a group in a setting: {_quote(shown)}.")
        return _score(
            "who",
            1,
            f"Names a group and a setting, but neither is defined: {_quote(shown)}.",
            "Name the place and say how many, e.g. “2,100 adults on the registers of 30 "
            "practices in Fenwick”.",
        )
    advice = checks.missing_group(text)[0].message
    if group or setting:
        found = "a group but no setting" if group else "a setting but no defined group"
        return _score("who", 1, f"Names {found}: {_quote(shown)}.", advice)
    return _score("who", 0, f"No defined group or setting in {_quote(shown)}.", advice)


def _who(statement: str, answers: dict[str, str]) -> CriterionScore:
    answer = answers.get(WHO, "")
    return _from_answer(
        _who_in(statement),
        _who_in(answer) if answer.strip() else None,
        "who is affected",
        statement,
    )


_GAP_ADVICE = (
    "Say what happens now and what should happen, in numbers, e.g. “a median 2.5 days; the "
    "standard is 24 hours”."
)


def _gap_in(text: str) -> CriterionScore:
    if not text.strip():
        return _score("gap", 0, "Nothing yet on what happens now.", _GAP_ADVICE)
    numbered = _clean_first([s for s in _statement_sentences(text) if _figures(s)])
    for sentence in numbered:
        if len(_figures(sentence)) >= 2 and COMPARATOR.search(sentence):
            return _amid_chat(
                _score(
                    "gap", 2, f"Gives the gap in numbers against a standard: {_quote(sentence)}."
                ),
                sentence,
                text,
            )
    if numbered:
        return _score(
            "gap",
            1,
            f"Has figures but nothing to compare with: {_quote(numbered[0])}.",
            _GAP_ADVICE,
        )
    if COMPARATOR.search(text) or VAGUE_AMOUNT.search(text):
        shown = _sentence_with(text, COMPARATOR)
        return _score(
            "gap", 1, f"Says how much only in words, not figures: {_quote(shown)}.", _GAP_ADVICE
        )
    return _score("gap", 0, f"No figures or comparison in {_quote(text)}.", _GAP_ADVICE)


def _gap(statement: str, answers: dict[str, str]) -> CriterionScore:
    answer = answers.get(NOW, "")
    score = _from_answer(
        _gap_in(statement), _gap_in(answer) if answer.strip() else None, "the gap", statement
    )
    broken = text_quality.broken_numbers(statement)
    if broken:
        score = _capped(
            score,
            1,
            f"A figure is broken (“{broken[0].words}”), so the gap cannot be read as written.",
            "Write each number whole, e.g. “9,000”.",
        )
    hedge = text_quality.hedged(statement)
    if hedge:
        score = _capped(
            score,
            1,
            f"The figure is a guess (“{hedge}”), so the gap is not yet measured.",
            "Give the figure from its source, without a hedge.",
        )
    return score


_EVIDENCE_ADVICE = (
    "Give each figure its data source and period, e.g. “trust data, Apr–Sep 2024: …”."
)


def _cited(text: str) -> tuple[bool, bool]:
    """Whether a text names a data source and a period for its figures."""
    source = checks.has_source(text) or bool(_CITATION.search(text))
    return source, checks.has_period(text)


def _evidence_items(items: list[str]) -> CriterionScore:
    solutions = [i for i in items if checks.find_solution(i)]
    if solutions and len(solutions) == len(items):
        return _score(
            "evidence",
            0,
            f"A solution is not evidence: {_quote(solutions[0])}.",
            "Move the idea to the how-might-we, and give figures with a source and period here.",
        )
    usable = [i for i in items if i not in solutions]
    complete = [
        i
        for i in usable
        if checks.has_number(i)
        and all(_cited(i))
        and not text_quality.hedged(i)
        and not text_quality.chat(i)
    ]
    partial = [i for i in usable if checks.has_number(i) and any(_cited(i))]
    if len(complete) == len(items):
        n = len(items)
        noun = "item gives" if n == 1 else "items give"
        return _score(
            "evidence", 2, f"All {n} evidence {noun} a source and period, e.g. {_quote(items[0])}."
        )
    lacking = next(i for i in items if i not in complete)
    if complete or partial:
        return _score(
            "evidence",
            1,
            f"{len(complete)} of {len(items)} items give a figure with its source and period; "
            f"not {_quote(lacking)}.",
            checks.missing_source_or_period(lacking)[0].message
            if checks.missing_source_or_period(lacking)
            else "Give the figure itself, from its source.",
        )
    return _score(
        "evidence", 0, f"No figure with a source or period in {_quote(lacking)}.", _EVIDENCE_ADVICE
    )


def _evidence_in_statement(statement: str) -> CriterionScore:
    numbered = _clean_first([s for s in _statement_sentences(statement) if _figures(s)])
    if not numbered:
        return _score("evidence", 0, "No evidence yet: no figure to check.", _EVIDENCE_ADVICE)
    hedge = text_quality.hedged(statement)
    if hedge:
        return _score(
            "evidence",
            0,
            f"A guessed figure is not evidence (“{hedge}”).",
            "Give the figure from its source and period, without a hedge.",
        )
    for sentence in numbered:
        source, period = _cited(sentence)
        if source and period:
            return _amid_chat(
                _score("evidence", 2, f"Figures with a source and period: {_quote(sentence)}."),
                sentence,
                statement,
            )
    source, period = _cited(statement)
    if source and period:
        return _score("evidence", 2, f"Figures with a source and period: {_quote(numbered[0])}.")
    if source or period:
        missing = "period" if source else "data source"
        return _score(
            "evidence",
            1,
            f"Figures without their {missing}: {_quote(numbered[0])}.",
            _EVIDENCE_ADVICE,
        )
    return _score(
        "evidence", 0, f"Figures with no source or period: {_quote(numbered[0])}.", _EVIDENCE_ADVICE
    )


def _evidence(content: DraftContent, answers: dict[str, str], statement: str) -> CriterionScore:
    items = _items(content.evidence, answers.get(EVIDENCE, ""))
    score = _evidence_items(items) if items else _evidence_in_statement(statement)
    broken = text_quality.broken_numbers(statement)
    if broken:
        score = _capped(
            score,
            1,
            f"A broken figure (“{broken[0].words}”) cannot be checked against its source.",
            "Write each number whole, e.g. “9,000”.",
        )
    return score


def _solution_neutral(
    content: DraftContent, solutions_held: Mapping[str, str] | None = None
) -> CriterionScore:
    statement = content.problem_statement
    if not statement.strip():
        return _score(
            "solution_neutral",
            0,
            "No problem statement yet.",
            "Describe what goes wrong for people before any solution.",
        )
    in_statement = checks.find_solution(statement)
    in_question = checks.find_solution_in_question(content.how_might_we)
    if not in_statement and solutions_held:
        # The writer left it off the page, but the problem as the user tells it is still a
        # product nobody has bought: a board would be asked to approve a purchase.
        what, words = next(iter(solutions_held.items()))
        return _score(
            "solution_neutral",
            0,
            MAJOR_PREFIX + f"{what} in your answers names a solution: {words}. The statement "
            "leaves it out, but the problem is still framed around it.",
            "Say what goes wrong for people or in the process without it, so at least three "
            "fixes stay possible.",
        )
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


def _cause_text(statement: str) -> tuple[str, str]:
    """The cause the statement gives (after "because" or "the main cause is", or before "so"),
    and the sentence it is in."""
    for sentence in _statement_sentences(statement):
        match = _CAUSE_MARK.search(sentence)
        if match and match.group("cause").strip():
            return _CAUSE_LEAD.sub("", match.group("cause")).strip(" ,;:"), sentence
    for sentence in _statement_sentences(statement)[1:]:
        match = _CAUSE_BEFORE_SO.search(sentence)
        if match:
            return match.group("cause").strip(" ,;:"), sentence
    return "", ""


# Faults that blur the claim they sit in; a glued label or a redaction leaves the claim intact
# and costs "plain and short" only.
_CLAIM_FLAWS = frozenset({"chat", "doubled_join"})


def _amid_chat(score: CriterionScore, sentence: str, statement: str) -> CriterionScore:
    """A claim made amid chat or garbled joins ("as I said before, it costs…", "This matters
    because it matters because…") is half made: a reader cannot tell the fact from the aside or
    trust a sentence nobody read back, so it earns at most 1. A single slip in an otherwise
    written statement costs "plain and short" only; faults running through it (two or more)
    cost the claims they sit in as well."""
    flaws = [f for f in text_quality.writing_flaws(sentence) if f.kind in _CLAIM_FLAWS]
    if not flaws:
        return score
    running = [f for f in text_quality.writing_flaws(statement) if f.kind in _CLAIM_FLAWS]
    if len(running) < 2:
        return score
    return _capped(
        score,
        1,
        f"Half made: {'chat' if flaws[0].kind == 'chat' else 'a doubled join'} "
        f"(“{flaws[0].words}”) runs through it: {_quote(sentence)}.",
        "State it plainly, once, without the aside.",
    )


_CAUSE_ADVICE = "Say why the problem happens, and ask “why?” once more than feels natural."


def _judge_cause(cause: str) -> CriterionScore:
    if not cause:
        return _score("cause", 0, "No cause given yet.", _CAUSE_ADVICE)
    if checks.symptom_not_cause(cause):
        return _score(
            "cause",
            0,
            MAJOR_PREFIX + f"a lack of resource is a symptom, not the cause: {_quote(cause)}.",
            "Ask why the work does not happen with the people and money you have now.",
        )
    if checks.find_solution(cause):
        return _score(
            "cause",
            0,
            MAJOR_PREFIX + f"a missing product is not a cause: {_quote(cause)}.",
            "Say what goes wrong for people or in the process, not what has not been bought.",
        )
    if _VAGUE_CAUSE.search(cause) and checks.word_count(cause) < 10:
        return _score(
            "cause",
            1,
            f"A cause, but vague: {_quote(cause)}.",
            "Say what exactly goes wrong, e.g. “reviews are never scheduled, so…”.",
        )
    if checks.word_count(cause) >= 6 or _EXPLAINS.search(cause):
        return _score("cause", 2, f"Gives a cause, not a symptom: {_quote(cause)}.")
    return _score(
        "cause",
        1,
        f"A cause, but thin: {_quote(cause)}.",
        "Say what goes wrong in the process, e.g. “reviews are never scheduled, so…”.",
    )


def _answer_in_statement(answer: str, statement: str) -> str:
    """The statement's sentence that is the answer's first sentence, word for word, or ""."""
    first = _statement_sentences(answer)[:1]
    if not first or not statement.strip():
        return ""
    wanted = " ".join(first[0].rstrip(" .!?").split()).casefold()
    for sentence in _statement_sentences(statement):
        if len(wanted) > 20 and wanted in " ".join(sentence.split()).casefold():
            return sentence
    return ""


def _cause(statement: str, answers: dict[str, str]) -> CriterionScore:
    cause, sentence = _cause_text(statement)
    if not cause:
        # No cause in so many words: a resource shortfall or a missing product standing alone
        # ("Not enough radiologists. 4 vacancies.") is still offered as the reason, and fails.
        for candidate in _statement_sentences(statement)[1:]:
            if checks.symptom_not_cause(candidate) or checks.find_solution(candidate):
                cause = sentence = candidate
                break
    if not cause and (written := _answer_in_statement(answers.get(ROOT_CAUSE, ""), statement)):
        # The writer puts the user's cause in as its own sentence, with no "because" to mark it.
        cause = sentence = written
    if sentence and checks.find_solution(sentence) and not checks.symptom_not_cause(cause):
        # "…need kiosks, because without them…": the reason given is the missing product.
        cause = sentence
    score = _amid_chat(_judge_cause(cause), sentence, statement)
    answer = answers.get(ROOT_CAUSE, "")
    if answer.strip() and score.score == 0 and not cause:
        in_answer = _judge_cause(answer)
        if in_answer.score == 0:  # a symptom in the answer is a symptom wherever it sits
            return in_answer
        return _from_answer(score, in_answer, "the cause", statement)
    return score


def _why_it_matters_in(text: str) -> CriterionScore:
    advice = (
        "Say who is harmed and what it costs, with a figure, e.g. “an estimated 14 avoidable "
        "strokes and £300,000 of acute care a year”."
    )
    if not text.strip():
        return _score("why_it_matters", 0, "Nothing yet on why it matters.", advice)
    harmful = _clean_first([s for s in _statement_sentences(text) if _HARM.search(s)])
    counted = [s for s in harmful if _figures(s)]
    if counted:
        return _amid_chat(
            _score(
                "why_it_matters", 2, f"States harm or cost with a figure: {_quote(counted[0])}."
            ),
            counted[0],
            text,
        )
    if harmful:
        word = _HARM.search(harmful[0])
        named = word.group(0) if word else "harm"
        return _score("why_it_matters", 1, f"Names harm or cost (“{named}”) but no figure.", advice)
    return _score("why_it_matters", 0, f"No harm or cost named in {_quote(text)}.", advice)


def _why_it_matters(statement: str, answers: dict[str, str]) -> CriterionScore:
    answer = answers.get(WHY_MATTERS, "")
    return _from_answer(
        _why_it_matters_in(statement),
        _why_it_matters_in(answer) if answer.strip() else None,
        "why it matters",
        statement,
    )


def _scoped(content: DraftContent, answers: dict[str, str], statement: str) -> CriterionScore:
    text = content.scope.strip() or answers.get(SCOPE, "").strip()
    advice_example = "e.g. “two boroughs, April to March, excluding crisis referrals”."
    if not text:
        place, period = _named_place(statement), checks.has_period(statement)
        if place and period:
            # A place and year in the statement set the scene; they do not scope the work.
            return _score(
                "scoped",
                0,
                "No scope yet: the statement names a place and a period, but not what the "
                "work covers and leaves out.",
                f"Say which place, which period and what is out, {advice_example}",
            )
        return _score(
            "scoped",
            0,
            "No scope yet.",
            f"Say which place, which period and what is out, {advice_example}",
        )
    if checks.find_solution(text):
        return _score(
            "scoped",
            0,
            f"This names a solution, not a scope: {_quote(text)}.",
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
        question = content.how_might_we
        if _HMW_TARGET.search(question) and not checks.missing_measure(question):
            return _score(
                "measurable",
                1,
                f"The how-might-we names a target, but no outcome measure is set: "
                f"{_quote(question)}.",
                advice,
            )
        return _score("measurable", 0, MAJOR_PREFIX + "no outcome measure yet.", advice)
    failing = [i for i in items if checks.missing_measure(i) or checks.find_solution(i)]
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


# A gain is naturally an outcome or a cost avoided ("about £2.2m a year of readmissions"), so a
# value that reads like why-it-matters or a measure is still a gain.
_GAIN_LIKE = frozenset({WHY_MATTERS, MEASURES, EVIDENCE})


def _not_a_gain(value: str) -> str | None:
    """Why a party's line is not a gain it would sign up to, or None when it is one."""
    if checks.too_short(value, 4):
        return "too thin to be a gain"
    if _PLACEHOLDER.search(value):
        return "a redacted story, not a gain"
    if text_quality.chat(value):
        return "chat, not a gain"
    if checks.find_solution(value):
        return "a solution, not a gain"
    if _CAUSE_MARK.match(value.strip()) or re.match(r"^\s*the\s+(?:main\s+)?cause\b", value, re.I):
        return "a cause, not a gain"
    other = reads_as_other(value, VALUE_PATIENTS)
    if other is not None and other not in _GAIN_LIKE:
        return "something other than a gain"
    return None


def _mutual_interest(content: DraftContent, answers: dict[str, str]) -> CriterionScore:
    parties = _parties(content, answers)
    real = [p for p in parties if _not_a_gain(p.value) is None]
    rejected = [(p, _not_a_gain(p.value)) for p in parties if p not in real]
    partner = [p for p in real if _party_kind(p.party) == "partner"]
    sale_only = [p for p in partner if _SALE.search(p.value) and not _OWN_GAIN.search(p.value)]
    partner_gain = len(partner) > len(sale_only)
    names = ", ".join(p.party for p in real) or "none"
    advice = (
        "Give patients, the NHS organisation and the partner each a one-sentence gain, "
        "including what the partner gets."
    )
    if rejected:
        first, why = rejected[0]
        advice = f"{first.party}: {_quote(first.value, 40)} is {why}. " + advice
    if sale_only and not partner_gain:
        advice = (
            f"The partner's line is a sale ({_quote(sale_only[0].value, 40)}): say what it "
            "gains that the NHS would want it to have, such as evidence or reach."
        )
    if len(real) >= 3 and partner_gain:
        return _score("mutual_interest", 2, f"{len(real)} parties each state a gain: {names}.")
    if len(real) >= 2:
        why = (
            "the partner's own gain is missing or only a sale"
            if len(real) >= 3
            else ("only two parties")
        )
        return _score("mutual_interest", 1, f"Gains stated for {names}; {why}.", advice)
    if real:
        return _score("mutual_interest", 0, f"Only one party's gain is stated ({names}).", advice)
    return _score("mutual_interest", 0, "No party's gain is stated yet.", advice)


def _plain_and_short(statement: str, question: str = "") -> CriterionScore:
    if not statement.strip():
        return _score(
            "plain_and_short", 0, "No problem statement yet.", "Write it in at most 3 sentences."
        )
    flaws = text_quality.writing_flaws(statement) + text_quality.question_flaws(question)
    if flaws:
        return _score(
            "plain_and_short",
            0,
            "Not yet written for a reader: " + text_quality.describe(flaws) + ".",
            "Rewrite it as plain sentences: no chat or asides, whole numbers, each join once.",
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
    jargon = sorted({m.group(0).lower() for m in JARGON.finditer(statement)})
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
    content: DraftContent,
    answers: dict[str, str] | None = None,
    *,
    pii_found: bool = False,
    solutions_held: Mapping[str, str] | None = None,
) -> RubricScore:
    """Score a draft against the 10 criteria, deterministically.

    `answers` are the coaching answers by question key; they add detail the three-sentence
    statement leaves out (the root cause, the exact group). `solutions_held` are answers the
    writer kept out of the statement because they name a solution (`solutions_held_back`):
    the statement cannot be solution-neutral while the user's own cause is a missing product.
    When identifiable data was found the gate fails and the overall percent is 0, but every
    criterion is still scored so the user sees what else to fix while removing it.
    """
    answers = {k: v or "" for k, v in (answers or {}).items()}
    statement = content.problem_statement or ""
    scores = [
        _who(statement, answers),
        _gap(statement, answers),
        _evidence(content, answers, statement),
        _solution_neutral(content, solutions_held),
        _cause(statement, answers),
        _why_it_matters(statement, answers),
        _scoped(content, answers, statement),
        _measurable(content, answers),
        _mutual_interest(content, answers),
        _plain_and_short(statement, content.how_might_we),
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
