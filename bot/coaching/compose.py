"""Compose a draft from the user's answers with templates: the guided coach's writer.

The templates keep the user's own words (they know their problem best) and only add the joins a
problem statement needs: who and what happens now, why it matters, the cause. Each section is
trimmed so the statement stays within three sentences.
"""

from __future__ import annotations

import re

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
from bot.drafts.content import ChecklistItem, Citation, DraftContent, PartyValue

COMMERCIAL_WORDS = re.compile(
    r"\b(pharma\w*|compan(y|ies)|industry|digital|supplier|vendor|ltd|limited|plc|inc|"
    r"tech\w*|start-?up|commercial|manufacturer|life sciences?)\b",
    re.IGNORECASE,
)
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


def involves_commercial_partner(
    partners: list[str], partner_type: str, answers: dict[str, str]
) -> bool:
    text = " ".join([*partners, partner_type, answers.get(PARTNERS, "")])
    return bool(COMMERCIAL_WORDS.search(text))


DIGITAL_WORDS = re.compile(
    r"\b(digital|software|apps?|platform|online|algorithm\w*|AI|artificial intelligence|"
    r"medtech|device|devices|remote monitoring|wearables?|health ?tech)\b",
    re.IGNORECASE,
)
PATIENT_DATA_WORDS = re.compile(
    r"\b(patient (?:data|records?|information|lists?)|data[- ]?shar\w*|shar\w* (?:\w+ )?data|"
    r"records?|datasets?|data extracts?|identifiable|searches of (?:\w+ )?records)\b",
    re.IGNORECASE,
)
# Knowledge-base queries for the sources of a draft whose partner or data calls for them.
DIGITAL_QUERY = "digital partner DTAC clinical safety DCB0129 DCB0160 evidence standards"
DATA_QUERY = "information governance lawful basis controller processor data sharing agreement DPIA"


def involves_digital_partner(
    partners: list[str], partner_type: str, answers: dict[str, str]
) -> bool:
    """A digital or medtech partner: DTAC, clinical safety and device rules apply."""
    text = " ".join([*partners, partner_type, answers.get(PARTNERS, "")])
    return bool(DIGITAL_WORDS.search(text))


def moves_patient_data(answers: dict[str, str]) -> bool:
    """Whether the answers say patient data will be shared or used: IG comes first."""
    return any(PATIENT_DATA_WORDS.search(str(value)) for value in answers.values())


def extra_knowledge_queries(
    partners: list[str], partner_type: str, answers: dict[str, str]
) -> list[str]:
    """The guidance a draft must cite for this kind of partner and data."""
    queries = [DIGITAL_QUERY] if involves_digital_partner(partners, partner_type, answers) else []
    return queries + ([DATA_QUERY] if moves_patient_data(answers) else [])


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


# What a partner puts in, in the words people use: "it loans scanners and trains assistants",
# "supplies kits", "seconds a nurse", "pays for the evaluation".
_CONTRIBUTION = re.compile(
    r"(?<!to )\b(?:contribut|provid|fund|pay|pays|paid|suppl|loan|lend|lent|donat|second|train|"
    r"host|run|runs|give|gives|bring|brings|offer|staff|time|expertise|equipment|kits?|devices?|"
    r"analys|nurse|pharmacist|support|data\s+(?:analysis|science))\w*",
)


def readiness_checklist(
    answers: dict[str, str], *, digital: bool = False, patient_data: bool = False
) -> list[ChecklistItem]:
    """The items every NHS–industry agreement needs, ticked where answered.

    A digital or medtech partner adds the national digital assurance items, and answers that
    move patient data add information governance, because both must be settled before go-live.
    """
    partner = answers.get(VALUE_PARTNER, "").lower()
    risks = answers.get(RISKS, "").lower()
    measures = answers.get(MEASURES, "")
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
            done=bool(_CONTRIBUTION.search(partner)),
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
        *(_digital_items() if digital else []),
        *(_data_items(answers) if patient_data else []),
    ]


def _digital_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            item="DTAC completed by the supplier and assessed by us before adoption",
            note="Clinical safety, data protection, security, interoperability, accessibility.",
        ),
        ChecklistItem(
            item="Clinical safety: the supplier's DCB0129 safety case and our own DCB0160 "
            "assessment, each signed off by a clinical safety officer",
        ),
        ChecklistItem(
            item="Regulatory status checked: is the product a medical device (MHRA)?",
        ),
    ]


def _data_items(answers: dict[str, str]) -> list[ChecklistItem]:
    text = " ".join(str(v) for v in answers.values()).lower()
    return [
        ChecklistItem(
            item="Information governance settled before any data moves: lawful basis, "
            "controller or processor roles, data sharing agreement",
            done=bool(re.search(r"lawful basis|data sharing agreement|controller|processor", text)),
        ),
        ChecklistItem(
            item="A data protection impact assessment signed off by the data protection officer",
            done=bool(re.search(r"\bdpia\b|data protection impact", text)),
        ),
        ChecklistItem(
            item="The partner's Data Security and Protection Toolkit status checked; national "
            "data opt-out and Caldicott Guardian considered",
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
    partners = partners or split_partners(answers.get(PARTNERS, ""))
    commercial = involves_commercial_partner(partners, partner_type, answers)
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
        checklist=readiness_checklist(
            answers,
            digital=involves_digital_partner(partners, partner_type, answers),
            patient_data=moves_patient_data(answers),
        )
        if commercial
        else [],
        sources=sources or [],
    )
