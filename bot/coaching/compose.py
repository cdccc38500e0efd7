"""Compose a draft from the user's answers: the guided coach's writer.

The answers are read into the statement's slots (`statement.reading`: chat taken out, facts kept
word for word) and the statement, the how-might-we and the values are written from those slots
(`statement.writer`), so the draft reads as prose, not as answers pasted into a template. This
module adds the rest of the page: evidence, measures, scope, risks and the readiness checklist.
"""

from __future__ import annotations

import re

from bot.coaching.questions import MEASURES, PARTNERS, RISKS, VALUE_PARTNER
from bot.coaching.statement import writer
from bot.coaching.statement.chat import clean, mend_numbers, sentences
from bot.coaching.statement.reading import partner_names, read_statement
from bot.drafts.content import ChecklistItem, Citation, DraftContent, PartyValue

COMMERCIAL_WORDS = re.compile(
    r"\b(pharma\w*|compan(y|ies)|industry|digital|supplier|vendor|ltd|limited|plc|inc|"
    r"tech\w*|start-?up|commercial|manufacturer|life sciences?)\b",
    re.IGNORECASE,
)


def split_partners(text: str) -> list[str]:
    """The partner organisations named in an answer, without who is speaking, what each owns
    or any aside (see `statement.reading.partner_names`)."""
    return partner_names(text or "")


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
    """At most three sentences and 80 words, written from the slots (see `statement.writer`)."""
    written, _missing = writer.problem_statement(read_statement(answers))
    return written


def how_might_we(answers: dict[str, str]) -> str:
    """One open question: a verb the partners can act on, the people and the change."""
    return writer.how_might_we(read_statement(answers))


def _lines(text: str) -> list[str]:
    items = [line.strip(" -•*\t") for line in (text or "").splitlines()]
    return [item for item in items if item]


def value_proposition(answers: dict[str, str]) -> list[PartyValue]:
    parties, _missing = writer.values(read_statement(answers))
    return parties


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
    statement = read_statement(answers)
    written = writer.write(statement)
    return DraftContent(
        title=title,
        partners=partners,
        problem_statement=written.problem_statement,
        how_might_we=written.how_might_we,
        value_proposition=written.values,
        evidence=[
            mend_numbers(line) for line in sentences(statement.value("source")) if line.strip()
        ],
        measures=_lines(_as_sentence(statement.value("outcome"))),
        scope=_as_sentence(statement.value("scope")),
        risks=clean(answers.get(RISKS, "")),
        checklist=readiness_checklist(
            answers,
            digital=involves_digital_partner(partners, partner_type, answers),
            patient_data=moves_patient_data(answers),
        )
        if commercial
        else [],
        sources=sources or [],
    )


def _as_sentence(text: str) -> str:
    text = mend_numbers(text).strip()
    return text + "." if text and not text.endswith((".", "!", "?")) else text
