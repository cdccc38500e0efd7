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

from bot.coaching import checks
from bot.coaching.statement.chat import mend_numbers, sentences
from bot.coaching.statement.model import Statement
from bot.coaching.statement.parsing import parse
from bot.coaching.vocabulary import COMPARATOR_JOIN
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
_JOINS = re.compile(rf"^(?:{COMPARATOR_JOIN})\b", re.I)
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
    named = _people(statement, short=True)
    people = named or "the people affected"
    measure = statement.value("measure")
    subject, clause, parsed = "", "", parse("")
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
    if from_outcome := _from_outcome(statement.value("outcome"), named):
        return from_outcome
    if measure:
        if parsed.subject and _TIME.search(parsed.predicate) and "wait" in parsed.predicate:
            return f"How might we shorten the wait for {people}?"
        plain = (
            subject
            and not _PRONOUN_START.match(subject)
            and not _QUANTITY_START.match(subject)
            and not _BARE_PRONOUN.match(subject)
        )
        if plain and _TIME.search(clause):
            return f"How might we speed up {_lower_first(subject)} for {people}?"
    return (
        f"How might we close the gap between what happens now and what should happen for {people}?"
    )


_BARE_PRONOUN = re.compile(r"^(?:it|this|that|these|those|they|them)$", re.IGNORECASE)
# What people say before the outcome itself: "not sure really, but maybe", "as I said", "to".
_OUTCOME_LEAD = re.compile(
    r"^(?:(?:but|and|so|also|maybe|perhaps|probably|hopefully|ideally|to|we\s+(?:want|hope|aim)"
    r"\s+to|i\s+(?:think|guess))\b[\s,]*)+",
    re.IGNORECASE,
)
_RAISE = r"raise|increase|improve|lift|boost|grow|double|treble|triple"
_LOWER = r"cut|reduce|lower|halve|shorten|avoid|prevent|decrease"
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"spring|summer|autumn|winter|the\s+end"
)
# Where the measure's name ends and its figures begin: "… from 62%", "… to 7 weeks", "… by a
# quarter", "… by March 2026" (a "to" or "by" that is part of the name, as in "time to first
# pain relief", stays in it).
_ENDS_WHAT = (
    r"(?=\s+(?:from|to|by|under|below|above|over)\s+(?:about\s+|around\s+|nearly\s+)?"
    rf"(?:[£\d]|half\b|a\s+(?:third|quarter|half)\b|(?:{_MONTHS})\b)|"
    r"\s+(?:a|each|per)\s+year\b|[,;.]|$)"
)
# "Raise anticoagulation from 62% to 80%", "Cut the median wait from 2.5 days to 1 day".
_VERB_FIRST = re.compile(
    rf"^(?P<verb>{_RAISE}|{_LOWER})\s+(?P<what>.+?){_ENDS_WHAT}", re.IGNORECASE
)
# "Testing among 16 to 24 year olds up from 14% to 25%", "Median wait down to 3 hours".
_WHAT_THEN_WAY = re.compile(
    r"^(?P<what>.+?)\s+(?P<way>up|down|rising|falling|halved|doubled|reduced|increased)"
    r"(?=\s+(?:from|to|by)\b|[,;.]|$)",
    re.IGNORECASE,
)
# "100 fewer excess winter admissions", "Half as many admissions after a fall".
_FEWER = re.compile(
    rf"^(?:(?:[\d,]+|far|many)\s+(?P<way>fewer|more)|half\s+as\s+many|a\s+(?:third|quarter)\s+"
    rf"(?:fewer|less))\s+(?P<what>.+?){_ENDS_WHAT}",
    re.IGNORECASE,
)
# "300 people a year starting treatment": more people doing something.
_COUNT_DOING = re.compile(
    r"^[\d,]+\s+(?:people|patients|adults|children|residents|women|men|families)\s+"
    r"(?:(?:a|each|per)\s+(?:year|month|week)\s+)?(?P<doing>\w+ing\b.*?)"
    rf"(?=\s+by\s+(?:{_MONTHS}|(?:19|20)\d{{2}})|[,;.]|$)",
    re.IGNORECASE,
)
MAX_WHAT_WORDS = 16  # a measure's name longer than this is a sentence, not a name
_NEEDS_THE = re.compile(r"^(?:median|average|mean|number|rate|share|proportion)\b", re.I)
# "50% healed within 12 weeks", "Under 15% waiting over 24 hours", "75% of people reviewed…".
_SHARE = re.compile(
    r"^(?P<under>under|below|less\s+than|fewer\s+than|at\s+most)?\s*\d[\d.]*\s?%\s+"
    r"(?:of\s+(?:\w+\s+){0,3}?(?:people|patients|adults|children|residents|women|men)\s+)?"
    r"(?P<doing>\w+(?:ing|ed)\b.*?)(?=\s+by\s+(?:\w+\s+)?(?:19|20)\d{2}\b|[,;.]|$)",
    re.IGNORECASE,
)
_OTHER_PEOPLE = re.compile(
    r"\s*\b(?:for|among|of|from)\s+(?:these|those|them)\b(?:\s+(?:children|people|patients|"
    r"adults|residents|families|women|men|households|homes))?",
    re.IGNORECASE,
)
_NAMES_PEOPLE = re.compile(r"\byear[- ]olds\b|\bamong\b", re.IGNORECASE)
_TARGET_LEFT = re.compile(r"\d\s?%|£|\b(?:19|20)\d{2}\b")


def _from_outcome(outcome: str, people: str) -> str:
    """The change the partners aim at, read from the user's own outcome measure, without its
    figures (a how-might-we names no target): "Raise anticoagulation from 62% to 80% by March"
    → "How might we raise anticoagulation for adults with atrial fibrillation?". "" when the
    outcome says no direction in words this reads."""
    first = sentences(outcome)[0] if sentences(outcome) else outcome
    text = _OUTCOME_LEAD.sub("", " ".join(first.split())).strip()
    if not text:
        return ""
    if share := _SHARE.match(text):
        if not people:
            return ""
        more = "fewer" if share["under"] else "more"
        doing = share["doing"].strip()
        verb = "are " if not doing.lower().startswith(("are ", "is ")) else ""
        return f"How might we make sure {more} {people} {verb}{doing}?"
    if counted := _COUNT_DOING.match(text):
        return f"How might we make sure more {people} are {counted['doing']}?" if people else ""
    verb, what = "", ""
    if found := _VERB_FIRST.match(text):
        said = found["verb"].lower()
        verb = said if said in ("raise", "increase", "improve", "cut", "reduce", "shorten") else ""
        verb = verb or ("raise" if re.fullmatch(_RAISE, said) else "reduce")
        what = found["what"]
    elif found := _WHAT_THEN_WAY.match(text):
        way = found["way"].lower()
        verb = "raise" if way in ("up", "rising", "doubled", "increased") else "reduce"
        what = found["what"]
    elif found := _FEWER.match(text):
        verb = "raise" if (found["way"] or "").lower() == "more" else "reduce"
        what = found["what"]
    what = _OTHER_PEOPLE.sub("", re.sub(r"^[\d,]+\s+", "", what)).strip(" ,")
    if not what or _TARGET_LEFT.search(what) or len(what.split()) > MAX_WHAT_WORDS:
        return ""
    what = _lower_first(what)
    what = f"the {what}" if _NEEDS_THE.match(what) else what
    if not people or checks.GROUP.search(what) or _NAMES_PEOPLE.search(what):
        return f"How might we {verb} {what}?"
    return f"How might we {verb} {what} for {people}?"


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


_KIND_OF_CHECK = frozenset({"annual", "yearly", "monthly", "weekly", "daily", "six-monthly"})


def _without_dates(predicate: str, clause: str) -> str:
    for entity in parse(clause).of("DATE"):
        if entity.text.lower() in _KIND_OF_CHECK:  # "an annual foot check" names the check
            continue
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
