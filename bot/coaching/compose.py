"""Compose a draft from the user's answers: the guided coach's writer.

The answers are read into the statement's slots (`statement.reading`: chat taken out, facts kept
word for word) and the statement, the how-might-we and the values are written from those slots
(`statement.writer`), so the draft reads as prose, not as answers pasted into a template. This
module adds the rest of the page: evidence, measures, scope, risks and the readiness checklist.
"""

from __future__ import annotations

from bot.coaching.checklist import readiness_checklist
from bot.coaching.partners import partner_fit
from bot.coaching.questions import PARTNERS, RISKS
from bot.coaching.statement import writer
from bot.coaching.statement.chat import clean, mend_numbers, sentences
from bot.coaching.statement.reading import partner_names, read_statement
from bot.drafts.content import Citation, DraftContent, PartyValue


def split_partners(text: str) -> list[str]:
    """The partner organisations named in an answer, without who is speaking, what each owns
    or any aside (see `statement.reading.partner_names`)."""
    return partner_names(text or "")


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
        checklist=readiness_checklist(answers, partner_fit(partner_type, partners, answers)),
        sources=sources or [],
    )


def _as_sentence(text: str) -> str:
    text = mend_numbers(text).strip()
    return text + "." if text and not text.endswith((".", "!", "?")) else text
