"""Is this written text, or chat pasted into a template? Faults of writing a reader notices.

A board member who meets "as I said", "9, 000", "because because" or a sentence that stops
half-way stops trusting the figures around it, however good they are. The rubric used to score
the presence of numbers and keywords, so a statement full of chat could score 90%; these checks
find what a reader sees, so that "plain and short" (and, for hedged or broken figures, the gap
and the evidence) can tell the truth. Each finding quotes the words, so the coach can say what
to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FlawKind = Literal["chat", "broken_number", "doubled_join", "fragment", "label", "redacted"]


@dataclass(frozen=True)
class Flaw:
    """One fault of writing, with the words that show it."""

    kind: FlawKind
    words: str


# Talk to the coach, references back, hedges and fillers: nothing a written statement says.
_CHAT = re.compile(
    r"\b(?:as\s+(?:I|we)\s+(?:said|mentioned|explained|wrote)(?:\s+before|\s+earlier)?|"
    r"(?:like|as)\s+I\s+(?:said|mentioned)|I\s+(?:already|just)\s+(?:said|told|mentioned)|"
    r"as\s+(?:mentioned|discussed|noted)(?:\s+(?:before|earlier|above))?|"
    r"(?:in|as\s+in)\s+my\s+(?:first|last|previous|earlier)\s+(?:message|answer|reply)|"
    r"I\s+should\s+have\s+said|I\s+said\s+(?:before|earlier)|"
    r"honestly|to\s+be\s+honest|I\s+(?:guess|suppose|reckon|think|believe|hope)|"
    r"(?:I'?m|I\s+am)\s+not\s+(?:sure|certain)|not\s+sure(?:\s+really)?|"
    r"don'?t\s+quote\s+me|you\s+know|if\s+you\s+see\s+what\s+I\s+mean|"
    r"if\s+that\s+makes\s+sense|(?:it'?s|it\s+is)\s+a\s+long\s+story|long\s+story\s+short|"
    r"basically|obviously|hopefully|sort\s+of|kind\s+of|anyway|"
    r"yes,?\s+that'?s\s+(?:it|right)|that'?s\s+(?:it|all)|thanks|thank\s+you|sorry|"
    r"that'?s\s+for\s+\w+(?:\s+\w+)?\s+to\s+say|I\s+mean)\b"
    # a filler opening a sentence: "Well, …", "So, …", "Right, so …", "Yes, …", "OK, …"
    r"|(?:^|(?<=[.!?]\s))(?:(?:well|so|right|no|anyway),|(?:yes|yeah|ok|okay|um|er)\b[,.!]?"
    r"(?=\s|$))",
    re.IGNORECASE,
)
# First-person singular: a statement speaks for the partnership, not one person in a chat.
_FIRST_PERSON = re.compile(
    r"(?<![\w'’\[])(?<!type )(?<!phase )(?<!stage )(?<!grade )(?<!class )"
    r"(?:I|I'm|I’m|I've|I'd|I'll|me|my)(?![\w'’])"
)
# "9, 000", "1, 850", "£1, 2m", "13. 5%": a figure broken by a stray space.
_BROKEN_NUMBER = re.compile(
    r"(?<![\d.,/])\d{1,3},\s+\d{3}(?!\d)|£\s?\d+,\s+\d|(?<![\d.])\d{1,3}\.\s+\d{1,2}\s?(?:%|m\b|k\b)"
)
# A join said twice: "because because", "so so", "How might we how might we", "This matters
# because it matters because", "the main cause is that the problem is that".
_REPEATED = re.compile(
    r"\b((?:because|so|that|and|but|which|the|to|of|is)|(?:\w+\s+){1,3}\w+)\s+\1\b",
    re.IGNORECASE,
)
_DOUBLE_JOIN = re.compile(
    r"\b(?:matters|important)\s+because\s+(?:it|this)\s+(?:matters|is\s+important)\s+because\b|"
    r"\b(?:cause|reason|problem|issue)\s+is\s+(?:that\s+)?(?:the\s+)?(?:main\s+)?"
    r"(?:problem|issue|cause|reason)\s+is\b|"
    r"\breason\s+is\s+because\b",
    re.IGNORECASE,
)
# A coaching label left in the prose: "Evidence: …", "This is scoped to: …".
_LABEL = re.compile(
    r"(?:^|(?<=[.!?]\s))(?:evidence|scope|cause|root\s+cause|outcome|measures?|value|risks?|"
    r"why\s+it\s+matters|who\s+is\s+affected|this\s+is\s+scoped\s+to)\s*:",
    re.IGNORECASE,
)
# The same label glued in mid-sentence: "…teams: also, on what happens now: Median healing…".
_LABEL_INSIDE = re.compile(
    r"\b(?:also,?\s+)?on\s+(?:what\s+happens\s+now|why\s+it\s+matters|the\s+(?:root\s+)?cause|"
    r"who\s+is\s+affected|the\s+evidence|the\s+scope|the\s+outcome|the\s+value)\s*:",
    re.IGNORECASE,
)
# What the privacy guard leaves where it removed an identifier: a story about one person.
_REDACTED = re.compile(r"\[[^\[\]]{0,40}\bremoved\]|\[redacted\]", re.IGNORECASE)
_DANGLING = re.compile(
    r"\b(?:and|or|but|the|a|an|of|on|to|with|for|in|because|which|that|than|by|is|are|"
    r"their|its|our)\s*$",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that make a short run of words a sentence: auxiliaries, modals and common verbs.
_VERB_CUE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|could|will|would|shall|"
    r"should|may|might|must|get|gets|got|go|goes|went|wait|waits|need|needs|take|takes|took|"
    r"make|makes|see|sees|know|knows|say|says|find|finds|give|gives|happen|happens|stop|stops|"
    r"miss|misses|die|dies|fall|falls|start|starts|help|helps|work|works|cost|costs)\b",
    re.IGNORECASE,
)
# An outcome written as an instruction ("Avoid 300 admissions…") is a clause, not a fragment.
_OUTCOME_VERBS = frozenset(
    "avoid reduce increase cut halve double raise lower shorten prevent stop end reach get "
    "bring keep make ensure offer review move improve achieve treat find see".split()
)
_FRAGMENT_OPENERS = frozenset("not no because and but or which whose with without due for".split())
_NOUNISH_ENDINGS = frozenset("people later now again too children staff care".split())
_HMW_LEAD = re.compile(r"^\W*(?:yes,?\s*)?how\s+might\s+we\b[\s,]*", re.IGNORECASE)
# Hedges that turn a figure into a guess: "maybe a third", "about 58% I guess".
_HEDGE = re.compile(
    r"\b(?:maybe|perhaps|possibly|I\s+(?:guess|think|suppose|reckon|believe)|we\s+think|"
    r"not\s+sure|don'?t\s+quote\s+me|something\s+like|or\s+so|thought\s+to\s+be|"
    r"(?:like|around\s+about)\s+(?=\d))\b",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(" ".join((text or "").split())) if s.strip()]


def _short(words: str, limit: int = 40) -> str:
    flat = " ".join(words.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def chat(text: str) -> list[Flaw]:
    """Asides, hedges, meta-talk and first-person chat left in the text."""
    found = [Flaw("chat", m.group(0).strip(" ,.")) for m in _CHAT.finditer(text or "")]
    found += [Flaw("chat", m.group(0)) for m in _FIRST_PERSON.finditer(text or "")]
    seen: set[str] = set()
    unique = []
    for flaw in found:
        if flaw.words.lower() not in seen:
            seen.add(flaw.words.lower())
            unique.append(flaw)
    return unique


def broken_numbers(text: str) -> list[Flaw]:
    return [Flaw("broken_number", m.group(0)) for m in _BROKEN_NUMBER.finditer(text or "")]


def doubled_joins(text: str) -> list[Flaw]:
    text = text or ""
    found = [Flaw("doubled_join", _short(m.group(0))) for m in _DOUBLE_JOIN.finditer(text)]
    for match in _REPEATED.finditer(text):
        if not any(match.group(0).lower() in f.words.lower() for f in found):
            found.append(Flaw("doubled_join", _short(match.group(0))))
    return found


def labels(text: str) -> list[Flaw]:
    found = [Flaw("label", m.group(0)) for m in _LABEL.finditer(text or "")]
    return found + [Flaw("label", m.group(0)) for m in _LABEL_INSIDE.finditer(text or "")]


def redacted(text: str) -> list[Flaw]:
    """Placeholders for removed identifiers: a statement describes a group, never one person."""
    return [Flaw("redacted", m.group(0)) for m in _REDACTED.finditer(text or "")]


def fragments(text: str) -> list[Flaw]:
    """Sentences that stop half-way or have no verb: "Radiology. Backlog.", "the impact on"."""
    text = " ".join((text or "").split())
    if not text:
        return []
    found: list[Flaw] = []
    if not text.endswith((".", "!", "?", ")", "”", '"')) and _DANGLING.search(text):
        found.append(Flaw("fragment", "…" + _short(text[-30:])))
    for sentence in sentences(text):
        if _WORD.search(sentence) and _verbless(sentence):
            found.append(Flaw("fragment", _short(sentence)))
    return found


def _verbless(sentence: str) -> bool:
    """A short "sentence" with no verb in it: "Radiology.", "4 vacancies.", "Not enough
    radiologists.", "Cancer later.". Judged by words, not by the parse: the rubric scores every
    draft on every turn, and a sentence of a few words with no auxiliary, modal or verb ending
    is a heading or a note, not a sentence. Longer verbless sentences are rare in drafts and
    are left to "plain and short"'s other checks."""
    words = _WORD.findall(sentence)
    if len(words) > 5 or _VERB_CUE.search(sentence):
        return False
    first, last = words[0].lower() if words else "", words[-1].lower() if words else ""
    if len(words) <= 1 or first in _FRAGMENT_OPENERS or re.search(r"\d", sentence):
        return True
    if len(words) <= 3:  # "Discharge delays.", "Older people." but not "Carers struggle."
        return last.endswith("s") or last in _NOUNISH_ENDINGS
    return not any(w.lower().endswith(("ed", "ing", "es")) for w in words)


def question_fragments(question: str) -> list[Flaw]:
    """A how-might-we that asks nothing: "How might we", "…reach this outcome: controlled?"."""
    question = " ".join((question or "").split())
    if not question:
        return []
    if not _HMW_LEAD.match(question):
        return []  # not a how-might-we at all: nothing to say it stopped half-way
    rest = _HMW_LEAD.sub("", question, count=1).strip(" ?")
    if len(_WORD.findall(rest)) < 2:
        return [Flaw("fragment", _short(question))]
    if ":" in rest:
        after = rest.rsplit(":", 1)[1].strip(" ?")
        opens_with_verb = bool(after) and after.split()[0].lower() in _OUTCOME_VERBS
        if not after or (not opens_with_verb and _verbless(after + ".")):
            return [Flaw("fragment", _short(question))]
    return []


def writing_flaws(text: str) -> list[Flaw]:
    """Every fault of writing in a statement, in the order a reader would list them."""
    return [
        *chat(text),
        *broken_numbers(text),
        *doubled_joins(text),
        *labels(text),
        *redacted(text),
        *fragments(text),
    ]


def question_flaws(question: str) -> list[Flaw]:
    """Faults of writing in the how-might-we question."""
    return [
        *chat(question),
        *broken_numbers(question),
        *doubled_joins(question),
        *question_fragments(question),
    ]


def hedged(text: str) -> str | None:
    """The first hedge that makes a figure in the same sentence a guess, quoted."""
    for sentence in sentences(text):
        match = _HEDGE.search(sentence)
        if match and re.search(r"\d|%|\b(?:half|third|quarter)\b", sentence):
            return match.group(0).strip()
    return None


def describe(flaws: list[Flaw], limit: int = 3) -> str:
    """'chat (“as I said”, “honestly”); a broken number (“9, 000”)' for a reason line."""
    names = {
        "chat": "chat left in",
        "broken_number": "a broken number",
        "doubled_join": "a doubled join",
        "fragment": "a fragment",
        "label": "a coaching label left in",
        "redacted": "a story about one person (identifiers removed)",
    }
    parts = []
    for kind, name in names.items():
        words = [f"“{f.words}”" for f in flaws if f.kind == kind]
        if words:
            parts.append(f"{name} ({', '.join(words[:limit])})")
    return "; ".join(parts)
