"""Corrections in plain words: "sorry, it was 140 not 104", "actually the partner is the county
council, not Northgate", "no, that was the cause".

A correction is not an answer: filed as one it became the topic or an evidence bullet while the
old figure stayed everywhere else. Here it is read as a change: the old words are replaced by
the new ones in every answer that holds them (so every slot and every line drawn from them
changes at once), and whatever else the message says is kept to be filed as usual. A figure or
a name counts as corrected only when the old one is really among the answers, so "seen in days,
not weeks" in a value is never mistaken for a correction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NOW,
    PARTNERS,
    RISKS,
    ROOT_CAUSE,
    SCOPE,
    VALUE_NHS,
    VALUE_PARTNER,
    VALUE_PATIENTS,
    WHO,
    WHY_MATTERS,
)
from bot.coaching.statement.chat import sentences

_FIGURE = r"£\d[\d,]*(?:\.\d+)?(?:\s*(?:m|bn|k)\b)?|\d[\d,]*(?:\.\d+)?%|\d[\d,]*(?:\.\d+)?"
_FIGURE_RE = re.compile(rf"(?<![\w£.,])(?:{_FIGURE})(?![\w%])|(?<![\w£.,])(?:{_FIGURE})")
_NOT_FIGURE = re.compile(
    rf"\b(?:not|rather\s+than|instead\s+of)\s+(?P<old>{_FIGURE})(?![\d%]|,\d)", re.IGNORECASE
)
_NOT_NAME = re.compile(
    r"\b(?:is|was|it'?s|should\s+be|are|were)\s+(?P<new>[^,;]+?)(?:,[^;]*?)?,?\s+(?:and\s+)?"
    r"(?:not|rather\s+than|instead\s+of)\s+(?P<old>[A-Z][^,.;]+)",
)
_CUE = re.compile(
    r"\b(?:sorry|actually|correction|wrong|mistake|misread|typo|meant|should\s+(?:be|have|read)|"
    r"i\s+(?:had|said|gave)|it\s+(?:was|is)|it'?s|that\s+was)\b|^no\b",
    re.IGNORECASE,
)
_MOVE = re.compile(
    r"^(?:no|nope|actually|sorry)?[,.!\s]*(?:that|this|it|the\s+last\s+(?:bit|part|one))"
    r"(?:\s+(?:was|is|belongs\s+(?:to|in|under)|should\s+(?:be|go)\s+(?:in|under)?)|['’]s)\s*"
    r"(?:meant\s+(?:as|for)\s+)?(?:the\s+|my\s+)?(?P<what>[a-z' ]+?)[.!]?$",
    re.IGNORECASE,
)
_MOVE_TARGETS = (
    (r"root\s+cause|cause|reason|why\s+it\s+happens", ROOT_CAUSE),
    (r"evidence|data|source", EVIDENCE),
    (r"scope", SCOPE),
    (r"outcome|measure|target|aim", MEASURES),
    (r"why\s+it\s+matters|harm|cost|impact", WHY_MATTERS),
    (r"people\s+affected|who(?:\s+is\s+affected)?|group|population", WHO),
    (r"what\s+happens\s+now|gap|current\s+\w+", NOW),
    (r"value\s+for\s+(?:the\s+)?patients|patients'?\s+(?:gain|value)", VALUE_PATIENTS),
    (r"value\s+for\s+the\s+nhs|nhs'?s?\s+(?:gain|value)|trust'?s\s+gain", VALUE_NHS),
    (r"value\s+for\s+the\s+partner|partner'?s\s+(?:gain|value)", VALUE_PARTNER),
    (r"partners?", PARTNERS),
    (r"risks?|accountability|exit", RISKS),
)
_FIX_REQUEST = re.compile(
    r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:fix|correct|change|update|sort)\s+"
    r"(?:that|it|this)(?:\s+(?:for\s+me|now|please|in\s+the\s+draft))*\s*[?.!]*$",
    re.IGNORECASE,
)
NEW_WORDS_TO_KEEP = 0.4  # a sentence mostly repeating the answers is a restatement, not news


@dataclass(frozen=True)
class Change:
    old: str
    new: str


@dataclass
class Correction:
    """What a message corrects, and what else it says (filed as an answer)."""

    changes: list[Change] = field(default_factory=list)
    rest: str = ""


def _in_answers(words: str, answers: dict[str, str]) -> bool:
    pattern = _figure_pattern(words)
    return any(pattern.search(text) for text in answers.values())


def _figure_pattern(words: str) -> re.Pattern[str]:
    """The words as they stand alone: '104' matches '104 admissions', not '1,104' or '104%'."""
    escaped = re.escape(words)
    if re.fullmatch(_FIGURE, words):
        return re.compile(rf"(?<![\w£.,]){escaped}(?![\d%]|,\d|\.\d)")
    return re.compile(escaped, re.IGNORECASE)


def _kind(figure: str) -> str:
    return "money" if figure.startswith("£") else "percent" if figure.endswith("%") else "number"


def read_correction(text: str, answers: dict[str, str]) -> Correction:
    """The changes a message makes to the answers so far (none when it makes none)."""
    if not _CUE.search(text or ""):
        return Correction()
    changes: list[Change] = []
    for match in _NOT_FIGURE.finditer(text):
        old = match["old"].rstrip(",.")
        if not _in_answers(old, answers):
            continue
        before = [f.group(0) for f in _FIGURE_RE.finditer(text[: match.start()])]
        same = [f for f in before if _kind(f) == _kind(old) and f != old]
        if same:
            changes.append(Change(old, same[-1]))
    if not changes:
        for match in _NOT_NAME.finditer(text):
            old, new = match["old"].strip(), match["new"].strip()
            new = re.sub(r"^(?:the\s+)?partners?\s+(?:is|was)\s+", "", new, flags=re.I)
            if old and new and _in_answers(old, answers):
                changes.append(Change(old, new))
    if not changes:
        return Correction()
    return Correction(changes, _rest(text, changes, answers))


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9£%]+", text.lower()) if len(w) > 2}


def _rest(text: str, changes: list[Change], answers: dict[str, str]) -> str:
    """The message without the correcting sentences and without restatements of the answers."""
    known = _content_words(" ".join(answers.values()))
    known |= {w for c in changes for w in _content_words(c.new)}
    kept = []
    for sentence in sentences(text):
        if any(c.old in sentence for c in changes):
            continue
        words = _content_words(sentence)
        if words and len(words - known) / len(words) >= NEW_WORDS_TO_KEEP:
            kept.append(sentence)
    return " ".join(kept)


def apply_changes(
    answers: dict[str, str], changes: list[Change]
) -> tuple[dict[str, str], list[str]]:
    """Every answer with the old words replaced by the new, and the keys that changed."""
    updated = dict(answers)
    changed: list[str] = []
    for key, text in answers.items():
        new_text = text
        for change in changes:
            new_text = _figure_pattern(change.old).sub(change.new, new_text)
        if new_text != text:
            updated[key] = new_text
            changed.append(key)
    return updated, changed


def _question_named(what: str) -> str | None:
    """The question a user's words for it name ("the cause", "why it matters"), or None."""
    what = what.strip().lower()
    for pattern, key in _MOVE_TARGETS:
        if re.fullmatch(rf"(?:{pattern})(?:\s+\w+)?", what):
            return key
    return None


def read_move(text: str) -> str | None:
    """The question 'no, that was the cause' moves the last answer to, or None."""
    match = _MOVE.match((text or "").strip())
    if not match or len(text.split()) > 10:
        return None
    return _question_named(match["what"])


# "Also, on why it matters: …", "On the evidence: …", "Scope: …": the user says where it goes.
_LABELLED = re.compile(
    r"^\W*(?:also,?\s+)?(?:on\s+)?(?:the\s+|my\s+)?(?P<what>[a-z' ]{3,40}?)\s*:\s*\S",
    re.IGNORECASE,
)


def labelled_question(text: str) -> str | None:
    """The question a part names in front of itself ("Also, on why it matters: …"), or None.

    A user answering one line per question often hands over to the next with a label; the label
    says where the part belongs more surely than any reading of its words (a harm that mentions
    data sources read as evidence and was glued into it)."""
    match = _LABELLED.match(text or "")
    if not match:
        return None
    return _question_named(match["what"])


def asks_to_fix(text: str) -> bool:
    """'can you fix that?': after a correction it asks for the change, not for a search."""
    return bool(_FIX_REQUEST.match((text or "").strip()))


def describe(changes: list[Change]) -> str:
    """'140 instead of 104' and '… and …' for the confirmation."""
    said = [f"{c.new} instead of {c.old}" for c in changes]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
