"""Compose a draft from the user's answers with templates: the guided coach's writer.

The templates keep the user's own words (they know their problem best) and only add the joins a
problem statement needs: who and what happens now, why it matters, the cause. Each section is
trimmed so the statement stays within three sentences.
"""

from __future__ import annotations

import re

from bot.coaching.checklist import readiness_checklist
from bot.coaching.partners import partner_fit
from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NOW,
    PARTNERS,
    RISKS,
    ROOT_CAUSE,
    SCOPE,
    TOPIC,
    VALUE_NHS,
    VALUE_PARTNER,
    VALUE_PATIENTS,
    WHO,
    WHY_MATTERS,
)
from bot.drafts.content import Citation, DraftContent, PartyValue

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPLIT_PARTNERS = re.compile(
    r",\s*(?:working\s+(?:with|alongside)|together\s+with|with)\s+|\s+(?:working\s+with|"
    r"together\s+with|alongside)\s+|,|;|\band\b|\bplus\b|\+|\n|&",
    re.IGNORECASE,
)
# How people open an answer; the draft keeps what follows ("It happens because X" → "X").
_PARTNERS_LEAD = re.compile(
    r"^(?:(?:the\s+)?partners?(?:\s+are|\s+is|\s*[:\-–])|(?:it\s+is|it's|it\s+would\s+be)\s+|"
    r"(?:we\s+are|we're)(?:\s+\w+\s*[:\-–])?|organisations\s*[:\-–])\s*",
    re.IGNORECASE,
)
_LEAD_INS = {
    "cause": re.compile(
        r"^(?:(?:it|this|the\s+problem)\s+happens\s+|the\s+(?:root\s+|main\s+)?cause\s+is\s+"
        r"(?:that\s+)?|the\s+reason\s+is\s+(?:that\s+)?|why\s*[:\-–]\s*)?(?:because|due\s+to)?\s*",
        re.IGNORECASE,
    ),
    "why": re.compile(
        r"^(?:it\s+(?:matters|is\s+important)\s+because\s+|this\s+matters\s+because\s+)",
        re.IGNORECASE,
    ),
    "outcome": re.compile(
        r"^(?:success\s+(?:is|means|would\s+be)\s+|we(?:'d|\s+would)?\s+(?:want|like|aim|hope)"
        r"\s+to\s+|our\s+aim\s+is\s+to\s+|the\s+(?:aim|goal|target)\s+is\s+to\s+|target\s*[:\-–]"
        r"\s*)",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"^(?:(?:the\s+)?(?:people|group|population)\s+(?:affected\s+)?(?:is|are)\s+|"
        r"who\s+is\s+affected\s*[:\-–]\s*|(?:it'?s|it\s+is|those\s+are)\s+)",
        re.IGNORECASE,
    ),
    "now": re.compile(
        r"^(?:(?:at\s+the\s+moment|right\s+now|currently|at\s+present|today|now)\s*,?\s+|"
        r"what\s+happens\s+now\s+is\s+(?:that\s+)?)",
        re.IGNORECASE,
    ),
}
_AFFECTED_TAIL = re.compile(r"\s+(?:are|is)\s+(?:the\s+ones\s+)?affected\b", re.IGNORECASE)

PARTIES = (
    (VALUE_PATIENTS, "Patients and carers"),
    (VALUE_NHS, "The NHS organisation"),
    (VALUE_PARTNER, "The partner organisation"),
)


def first_sentences(text: str, count: int = 1) -> str:
    """The first `count` sentences of an answer, tidied, without a trailing full stop."""
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join(text.split())) if p.strip()]
    return " ".join(parts[:count]).rstrip(" .;:")


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def without_lead_in(kind: str, text: str) -> str:
    """An answer without the words people open with, so it reads well inside a sentence."""
    trimmed = _LEAD_INS[kind].sub("", text.strip(), count=1)
    if kind == "who":
        trimmed = _AFFECTED_TAIL.sub("", trimmed, count=1)
    return trimmed.strip() or text.strip()


def split_partners(text: str) -> list[str]:
    """The partner organisations named in an answer (asides in other sentences left out)."""
    sentences = [s for s in _SENTENCE_END.split((text or "").strip()) if s.strip()]
    naming = [s for s in sentences if _PARTNERS_LEAD.match(s.strip()) or "partner" in s.lower()]
    text = " ".join(naming or sentences)
    text = _PARTNERS_LEAD.sub("", text.strip(), count=1)
    names = [n.strip(" .") for n in _SPLIT_PARTNERS.split(text) if n.strip(" .")]
    return [n[0].upper() + n[1:] for n in names][:6]


def problem_statement(answers: dict[str, str]) -> str:
    """At most three sentences: who and the gap; why it matters; the cause."""
    who = without_lead_in("who", first_sentences(answers.get(WHO, "")))
    now = without_lead_in("now", first_sentences(answers.get(NOW, "")))
    why = without_lead_in("why", first_sentences(answers.get(WHY_MATTERS, "")))
    cause = without_lead_in("cause", first_sentences(answers.get(ROOT_CAUSE, "")))
    sentences = []
    if who and now:
        sentences.append(_sentence(f"{who}: {_lower_first(now)}"))
    elif who or now:
        sentences.append(_sentence(who or now))
    if why:
        sentences.append(_sentence(f"This matters because {_lower_first(why)}"))
    if cause:
        sentences.append(_sentence(f"The main cause is that {_lower_first(cause)}"))
    if not sentences and answers.get(TOPIC):
        sentences.append(_sentence(first_sentences(answers[TOPIC])))
    return " ".join(sentences[:3])


_OUTCOME_VERB = re.compile(
    r"^(increase|reduce|raise|cut|halve|double|improve|get|bring|lower|shorten|lift|grow|"
    r"achieve|reach|make|ensure|offer|review|move|stop|prevent|end)\b",
    re.IGNORECASE,
)
_MEASURED = re.compile(r",?\s*(measured|tracked|monitored|reported)\b.*$", re.IGNORECASE)


def how_might_we(answers: dict[str, str]) -> str:
    """One open question from the outcome, or from the gap when no outcome is given yet."""
    who = without_lead_in("who", first_sentences(answers.get(WHO, "")))
    who = who or "the people affected"
    outcome = first_sentences(answers.get(MEASURES, ""))
    outcome = _MEASURED.sub("", without_lead_in("outcome", outcome))
    if outcome and _OUTCOME_VERB.match(outcome):
        return f"How might we {_lower_first(outcome)}?"
    if outcome:
        return f"How might we help {_lower_first(who)} reach this outcome: {outcome}?"
    now = first_sentences(answers.get(NOW, ""))
    if now:
        return f"How might we close the gap for {_lower_first(who)}, where {_lower_first(now)}?"
    return f"How might we improve things for {_lower_first(who)}?"


def _lines(text: str) -> list[str]:
    items = [line.strip(" -•*\t") for line in (text or "").splitlines()]
    items = [item for item in items if item]
    if len(items) == 1:
        items = [s for s in _SENTENCE_END.split(items[0]) if s.strip()]
    return items


def value_proposition(answers: dict[str, str]) -> list[PartyValue]:
    return [
        PartyValue(party=party, value=_sentence(first_sentences(answers[key], 2)))
        for key, party in PARTIES
        if answers.get(key, "").strip()
    ]


def compose_draft(
    title: str,
    partners: list[str],
    answers: dict[str, str],
    *,
    partner_type: str = "",
    sources: list[Citation] | None = None,
) -> DraftContent:
    """The whole draft from whatever has been answered so far; missing parts stay empty."""
    partners = partners or split_partners(answers.get(PARTNERS, ""))
    return DraftContent(
        title=title,
        partners=partners,
        problem_statement=problem_statement(answers),
        how_might_we=how_might_we(answers),
        value_proposition=value_proposition(answers),
        evidence=_lines(answers.get(EVIDENCE, "")),
        measures=_lines(answers.get(MEASURES, "")),
        scope=answers.get(SCOPE, "").strip(),
        risks=answers.get(RISKS, "").strip(),
        checklist=readiness_checklist(answers, partner_fit(partner_type, partners, answers)),
        sources=sources or [],
    )
