"""Write the problem statement, the how-might-we and each party's value from the slots.

A board member reads a problem statement in thirty seconds, so it is at most three sentences and
80 words, in the order the drafting reference gives: who and where, how many, the gap against a
standard, then harm and cost, then the cause. The joins are the writer's; every fact is the
user's, word for word. A slot that is missing or was held back (a symptom given as the cause) is
left out and named in `missing`, so the coach asks for it instead of printing a fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.coaching.statement.chat import mend_numbers, sentences
from bot.coaching.statement.model import Statement
from bot.coaching.statement.parsing import parse
from bot.drafts.content import PartyValue

MAX_WORDS = 80
MAX_SOURCE_WORDS = 12
PARTIES = (
    ("value_patients", "Patients and carers"),
    ("value_nhs", "The NHS organisation"),
    ("value_partner", "The partner organisation"),
)
_QUANTITY_START = re.compile(
    r"^(?:only\s+|just\s+|about\s+|around\s+|nearly\s+|almost\s+|over\s+|under\s+|fewer\s+than\s+|"
    r"more\s+than\s+|some\s+|half\s+|a\s+(?:third|quarter)\s+|one\s+in\s+\w+\s+)*"
    r"(?:\d|£|half\b|most\b|many\b|few\b)",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(r"^(?:they|these\s+people|those\s+people|people)\b\s*", re.IGNORECASE)
_JOINS = re.compile(r"^(?:against|compared\s+(?:with|to)|versus|vs\.?|whereas|while)\b", re.I)
_TIME = re.compile(r"\b(?:days?|weeks?|months?|hours?|minutes?|years?)\b", re.IGNORECASE)
_AUX = frozenset({"is", "are", "was", "were"})
_WORD = re.compile(r"[A-Za-z0-9£%][\w£%,.'’-]*")


@dataclass
class Written:
    """The composed lines, and the slots the statement still needs (asked for, not faked)."""

    problem_statement: str
    how_might_we: str
    values: list[PartyValue]
    missing: list[str] = field(default_factory=list)


def words(text: str) -> int:
    return len(_WORD.findall(text))


def _sentence(text: str) -> str:
    text = " ".join(mend_numbers(text).split()).strip(" ,;:")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _lower_first(text: str) -> str:
    """Lower-case a sentence's first word for use mid-sentence, unless it is a name."""
    if not text or not text[0].isupper() or (len(text) > 1 and text[1].isupper()):
        return text
    first = text.split()[0]
    proper = any(e.start == 0 for e in parse(text).of("ORG", "GPE")) or first in ("NHS", "I")
    return text if proper else text[0].lower() + text[1:]


def _people(statement: Statement, *, short: bool = False) -> str:
    people = statement.value("people")
    if short:
        people = re.split(r",(?!\d)|;|\(", people)[0].strip()
    return _lower_first(people)


def _gap_sentence(statement: Statement) -> str:
    """Who, how many, and what happens now against what should."""
    people, measure = _people(statement), statement.value("measure")
    count = statement.value("how_many")
    if people and count and count not in people:
        people = f"{people} ({count})"
    if not measure:
        return _sentence(f"{people[:1].upper()}{people[1:]} are affected") if people else ""
    comparator = statement.value("comparator")
    if comparator:
        measure += f", {comparator}" if _JOINS.match(comparator) else f", while {comparator}"
    if not people:
        return _sentence(measure)
    if _PRONOUN_START.match(measure):
        rest = _PRONOUN_START.sub("", measure, count=1)
        return _sentence(f"{people} {rest}")
    opener = "Among" if _QUANTITY_START.match(measure) else "For"
    return _sentence(f"{opener} {people}, {_lower_first(measure)}")


def _source_note(statement: Statement) -> str:
    """'(radiology information system, April to September 2025)' when the source is short."""
    source = statement.value("source")
    if not source or words(source) > MAX_SOURCE_WORDS or re.search(r"\d+%|£", source):
        return ""
    return f" ({_lower_first(source)})"


def _shorten(parts: list[str]) -> list[str]:
    """Cut the longest sentence back to its last clause boundary until the whole fits."""
    while sum(words(p) for p in parts) > MAX_WORDS:
        longest = max(range(len(parts)), key=lambda i: words(parts[i]))
        text = parts[longest].rstrip(".")
        cut = max(text.rfind(", "), text.rfind("; "))
        if cut <= 0 or words(text[:cut]) < 6:
            parts.pop(longest)
            continue
        parts[longest] = _sentence(text[:cut])
    return parts


def problem_statement(statement: Statement) -> tuple[str, list[str]]:
    """At most three sentences and 80 words, and the slots it still needs."""
    missing: list[str] = []
    gap = _gap_sentence(statement)
    if not statement.has("people"):
        missing.append("who is affected")
    if not statement.has("measure"):
        missing.append("what happens now, against what should happen")
    if gap and (note := _source_note(statement)) and gap.endswith("."):
        gap = gap[:-1] + note + "."
    harm = sentences(statement.value("harm"))
    harm_sentence = _sentence(" ".join(harm[:2])) if harm else ""
    if not harm_sentence:
        missing.append("why it matters: the harm and the cost")
    cause = statement.value("cause")
    cause_sentence = _sentence(cause) if cause else ""
    if not cause_sentence:
        why = statement.held_back.get("cause")
        missing.append(f"the cause ({why}: ask why once more)" if why else "the cause")
    parts = _shorten([p for p in (gap, harm_sentence, cause_sentence) if p])
    return " ".join(parts[:3]), missing


def how_might_we(statement: Statement) -> str:
    """A verb the partners can act on, the people and the change; no product, no target."""
    people = _people(statement, short=True) or "the people affected"
    measure = statement.value("measure")
    if measure:
        first = sentences(measure)[0] if sentences(measure) else measure
        clause = re.split(r",\s*(?:and|but|while|whereas|though)\b|;", first)[0].rstrip(" .")
        parsed = parse(clause)
        subject = parsed.subject or _taking(clause)
        if (
            parsed.subject
            and parsed.predicate
            and _QUANTITY_START.match(parsed.subject)
            and parsed.verb_lemma in _GOOD_WHEN_MORE
            and (parsed.verb_lemma != "have" or _SERVICE.search(parsed.predicate))
        ):
            predicate = _without_dates(parsed.predicate, clause)
            head, _, rest = predicate.partition(" ")
            verb = "are" if head.lower() in _AUX else (parsed.verb_lemma or head)
            if verb and rest:
                return f"How might we make sure more {people} {verb} {rest}?"
        if parsed.subject and _TIME.search(parsed.predicate) and "wait" in parsed.predicate:
            return f"How might we shorten the wait for {people}?"
        plain = subject and not _PRONOUN_START.match(subject) and not _QUANTITY_START.match(subject)
        if plain and _TIME.search(clause):
            return f"How might we speed up {_lower_first(subject)} for {people}?"
    return (
        f"How might we close the gap between what happens now and what should happen for {people}?"
    )


# Verbs whose "more people do this" is the change wanted (have a review, start treatment, are
# tested); "more are missed" or "more are in fuel poverty" is not, so those fall through.
_GOOD_WHEN_MORE = frozenset(
    "have get receive start attend heal test treat review see reach use take complete join "
    "access finish return".split()
)
_SERVICE = re.compile(
    r"\b(?:review|check|appointment|plan|assessment|test|treatment|care|support|visit|vaccin\w*)",
    re.IGNORECASE,
)
_TAKES = re.compile(r"^(?P<subject>.+?)\s+(?:take|takes|took|wait|waits)\b", re.IGNORECASE)


def _taking(clause: str) -> str:
    """'Damp and mould repairs take a median 94 days' → its subject, when the parser missed it."""
    match = _TAKES.match(clause)
    return match["subject"] if match and not _QUANTITY_START.match(match["subject"]) else ""


def _without_dates(predicate: str, clause: str) -> str:
    for entity in parse(clause).of("DATE"):
        if not _TIME.search(entity.text) or entity.text.startswith(("last", "this", "each")):
            predicate = predicate.replace(entity.text, "")
    return " ".join(predicate.split()).strip(" ,")


def values(statement: Statement) -> tuple[list[PartyValue], list[str]]:
    """Each party's value from its slot; a party without one is asked for, not invented."""
    found, missing = [], []
    for name, party in PARTIES:
        text = statement.value(name)
        if text:
            found.append(PartyValue(party=party, value=_sentence(text)))
        else:
            missing.append(f"what {party.lower().replace('the ', 'the ', 1)} would gain")
    return found, missing


def write(statement: Statement) -> Written:
    """Everything the writer composes from the slots."""
    statement_text, missing = problem_statement(statement)
    parties, missing_values = values(statement)
    return Written(statement_text, how_might_we(statement), parties, missing + missing_values)
