"""Compose a draft from the user's answers with templates: the guided coach's writer.

The templates keep the user's own words (they know their problem best) and only add the joins a
problem statement needs: who and what happens now, why it matters, the cause. Each section is
trimmed so the statement stays within three sentences.
"""

from __future__ import annotations

import re

from bot.drafts.content import ChecklistItem, Citation, DraftContent, PartyValue

COMMERCIAL_WORDS = re.compile(
    r"\b(pharma\w*|compan(y|ies)|industry|digital|supplier|vendor|ltd|limited|plc|inc|"
    r"tech\w*|start-?up|commercial|manufacturer|life sciences?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPLIT_PARTNERS = re.compile(r",|;|\band\b|\n|&", re.IGNORECASE)

PARTIES = (
    ("value.patients", "Patients and carers"),
    ("value.nhs", "The NHS organisation"),
    ("value.partner", "The partner organisation"),
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


def split_partners(text: str) -> list[str]:
    names = [n.strip(" .") for n in _SPLIT_PARTNERS.split(text or "") if n.strip(" .")]
    return [n[0].upper() + n[1:] for n in names][:6]


def involves_commercial_partner(partners: list[str], partner_type: str, answers: dict) -> bool:
    text = " ".join([*partners, partner_type, answers.get("context.partners", "")])
    return bool(COMMERCIAL_WORDS.search(text))


def problem_statement(answers: dict[str, str]) -> str:
    """At most three sentences: who and the gap; why it matters; the cause."""
    who = first_sentences(answers.get("affected.who", ""))
    now = first_sentences(answers.get("affected.now", ""))
    why = first_sentences(answers.get("cause.why_matters", ""))
    cause = first_sentences(answers.get("cause.root", ""))
    sentences = []
    if who and now:
        sentences.append(_sentence(f"{who}: {_lower_first(now)}"))
    elif who or now:
        sentences.append(_sentence(who or now))
    if why:
        sentences.append(_sentence(f"This matters because {_lower_first(why)}"))
    if cause:
        sentences.append(_sentence(f"The main cause is that {_lower_first(cause)}"))
    if not sentences and answers.get("context.topic"):
        sentences.append(_sentence(first_sentences(answers["context.topic"])))
    return " ".join(sentences[:3])


_OUTCOME_VERB = re.compile(
    r"^(increase|reduce|raise|cut|halve|double|improve|get|bring|lower|shorten|lift|grow|"
    r"achieve|reach|make|ensure|offer|review|move|stop|prevent|end)\b",
    re.IGNORECASE,
)
_MEASURED = re.compile(r",?\s*(measured|tracked|monitored|reported)\b.*$", re.IGNORECASE)


def how_might_we(answers: dict[str, str]) -> str:
    """One open question from the outcome, or from the gap when no outcome is given yet."""
    who = first_sentences(answers.get("affected.who", "")) or "the people affected"
    outcome = _MEASURED.sub("", first_sentences(answers.get("outcome.measures", "")))
    if outcome and _OUTCOME_VERB.match(outcome):
        return f"How might we {_lower_first(outcome)}?"
    if outcome:
        return f"How might we help {_lower_first(who)} reach this outcome: {outcome}?"
    now = first_sentences(answers.get("affected.now", ""))
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


def readiness_checklist(answers: dict[str, str]) -> list[ChecklistItem]:
    """The joint-working items every NHS–industry agreement needs, ticked where answered."""
    partner = answers.get("value.partner", "").lower()
    risks = answers.get("risks", "").lower()
    measures = answers.get("outcome.measures", "")
    return [
        ChecklistItem(
            item="A formal written agreement between the organisations (never individuals)",
            note="Agree it before any work starts.",
        ),
        ChecklistItem(
            item="A public executive summary of the agreement, published before work starts",
        ),
        ChecklistItem(
            item="A significant contribution from each party (people, expertise, data, money)",
            done=bool(re.search(r"contribut|provid|fund|staff|time|expertise", partner)),
        ),
        ChecklistItem(
            item="Outcome measures for patients, the NHS and the partner",
            done=bool(re.search(r"\d", measures)),
        ),
        ChecklistItem(
            item="An exit strategy that keeps care safe if the work stops",
            done=bool(re.search(r"exit|stop|end|hand ?back|withdraw|sustain", risks)),
        ),
        ChecklistItem(
            item="No link to prescribing, supplying or recommending any medicine or product",
        ),
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
    partners = partners or split_partners(answers.get("context.partners", ""))
    overrides = {
        k.removeprefix("override."): v for k, v in answers.items() if k.startswith("override.")
    }
    commercial = involves_commercial_partner(partners, partner_type, answers)
    return DraftContent(
        title=title,
        partners=partners,
        problem_statement=overrides.get("problem_statement") or problem_statement(answers),
        how_might_we=overrides.get("how_might_we") or how_might_we(answers),
        value_proposition=value_proposition(answers),
        evidence=_lines(answers.get("evidence", "")),
        measures=_lines(answers.get("outcome.measures", "")),
        scope=answers.get("outcome.scope", "").strip(),
        risks=answers.get("risks", "").strip(),
        checklist=readiness_checklist(answers) if commercial else [],
        sources=sources or [],
    )
