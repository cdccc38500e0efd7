"""spaCy's reading of a sentence: entities, noun chunks and the because/so clauses.

Loading spaCy in this install also imports torch (seconds on a busy machine), which the fast
test lane must not pay; like the recogniser's word-hashing embedding, a small rule reader stands
in where spaCy is switched off (`COACH_STATEMENT_PARSER=rules`, set by the fast lane) or cannot
load: the same fields from patterns, weaker on unusual grammar.

The privacy guard already loads spaCy's small English model (tagger, parser, entities) through
Presidio; this module borrows that pipeline instead of loading a second copy, and loads it on
first use only (a console session that never drafts never pays the second it takes). spaCy is not
documented as thread-safe, so every parse goes through one lock, and parses are cached by text:
a turn re-reads the same answers, and only a new or changed answer is parsed again.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

KEPT_ENTITIES = frozenset({"CARDINAL", "PERCENT", "MONEY", "DATE", "ORG", "GPE", "QUANTITY"})
_lock = threading.Lock()


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # character offsets in the parsed text
    end: int


@dataclass(frozen=True)
class Parsed:
    """What the writer needs from one parse, as plain values (no spaCy objects kept)."""

    text: str
    entities: tuple[Entity, ...]
    noun_chunks: tuple[str, ...]
    subject: str  # the main clause's subject, with its modifiers ('' when none)
    predicate: str  # the main clause from its verb to the end ('' when no verb)
    verb_lemma: str
    because: str  # the clause a 'because' introduces ('' when none)
    so: str  # the consequence after ', so' ('' when none)
    is_clause: bool  # a subject and a finite verb: it can stand as a sentence

    def of(self, *labels: str) -> list[Entity]:
        return [e for e in self.entities if e.label in labels]


def language() -> Language:
    """The guard's spaCy pipeline, loading it (once) if the guard has not yet."""
    from bot.privacy.presidio_engine import shared_language

    return shared_language()


def use_spacy() -> bool:
    return os.environ.get("COACH_STATEMENT_PARSER", "spacy").strip().lower() != "rules"


@lru_cache(maxsize=2048)
def parse(text: str) -> Parsed:
    """Parse one sentence (or a short answer); cached by its exact text."""
    if not use_spacy():
        return rule_parse(text)
    try:
        return _spacy_parse(text)
    except (ImportError, OSError, RuntimeError):  # no model: the rules still read the facts
        return rule_parse(text)


def _spacy_parse(text: str) -> Parsed:
    nlp = language()
    with _lock:
        doc = nlp(text)
    entities = tuple(
        _whole_money(text, Entity(e.text, e.label_, e.start_char, e.end_char))
        for e in doc.ents
        if e.label_ in KEPT_ENTITIES
    )
    chunks = tuple(chunk.text for chunk in doc.noun_chunks)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = predicate = verb = ""
    is_clause = False
    if root is not None and root.pos_ in ("VERB", "AUX"):
        verb = root.lemma_.lower()
        subjects = [t for t in root.children if t.dep_ in ("nsubj", "nsubjpass", "expl")]
        if subjects:
            first = subjects[0]
            span = doc[first.left_edge.i : first.right_edge.i + 1]
            subject = span.text
            predicate = doc[first.right_edge.i + 1 :].text.strip(" ,")
            is_clause = True
    because = so = ""
    for token in doc:
        if token.lower_ == "because" and token.dep_ == "mark" and not because:
            head = token.head
            because = doc[token.i + 1 : head.right_edge.i + 1].text
        if token.lower_ == "so" and token.i > 0 and doc[token.i - 1].text == "," and not so:
            so = doc[token.i + 1 :].text.rstrip(" .")
    return Parsed(text, entities, chunks, subject, predicate, verb, because, so, is_clause)


_CURRENCY_BEFORE = "£$€"
_MAGNITUDE_AFTER = re.compile(r"(?:m|bn|k|\s*(?:million|billion|thousand))\b", re.IGNORECASE)


def _whole_money(text: str, entity: Entity) -> Entity:
    """spaCy's small model often leaves the currency sign and the "m" of "£1.2m" outside its
    MONEY entity; the user's figure is kept whole, so the entity is widened to both."""
    if entity.label != "MONEY":
        return entity
    start, end = entity.start, entity.end
    if start > 0 and text[start - 1] in _CURRENCY_BEFORE:
        start -= 1
    magnitude = _MAGNITUDE_AFTER.match(text, end)
    if magnitude:
        end = magnitude.end()
    return Entity(text[start:end], entity.label, start, end)


# -- the rule reader ------------------------------------------------------------------------
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_RULE_ENTITIES = (
    ("MONEY", re.compile(r"£\d[\d,]*(?:\.\d+)?(?:\s*(?:m|bn|k|million|billion))?\b")),
    ("PERCENT", re.compile(r"\b\d+(?:\.\d+)?%")),
    (
        "DATE",
        re.compile(
            rf"\b(?:{_MONTH}\s+)?(?:19|20)\d{{2}}(?:/\d{{2}})?(?:\s+to\s+{_MONTH}(?:\s+(?:19|20)"
            rf"\d{{2}})?)?\b|\b{_MONTH}(?:\s+to\s+{_MONTH})?(?:\s+(?:19|20)\d{{2}})?\b|"
            r"\b\d+\s+(?:days?|weeks?|months?|years?|hours?)\b"
        ),
    ),
    ("CARDINAL", re.compile(r"(?<![\w£.])\d[\d,]*(?:\.\d+)?(?![\d%])")),
    (
        "ORG",
        re.compile(
            r"\b(?:[A-Z][\w']+\s+){1,4}(?:Council|ICB|Trust|Hospitals?|Group|Ltd|plc|"
            r"University|Service|Network|Mind|Care)\b"
        ),
    ),
    (
        "GPE",
        re.compile(
            r"(?:(?<=\bin\s)|(?<=\bat\s)|(?<=\bof\s)|(?<=\bfrom\s))[A-Z][a-z]+\b(?!\s+[A-Z])"
        ),
    ),
)
_VERB = re.compile(
    r"\b(?P<verb>is|are|was|were|has|have|had|take|takes|took|wait|waits|waited|get|gets|got|"
    r"start|starts|started|say|says|said|need|needs|cost|costs|mean|means|go|goes|went|"
    r"arrive|arrive|leave|leaves|call|calls|reach|reaches|receive|receives|attend|attends|"
    r"heal|heals|miss|misses|spend|spends|\w+ed)\b(?P<participle>\s+\w+ed\b)?"
)
_IRREGULAR = {
    "is": "be",
    "are": "be",
    "was": "be",
    "were": "be",
    "has": "have",
    "had": "have",
    "took": "take",
    "got": "get",
    "said": "say",
    "went": "go",
    "costs": "cost",
}


def _lemma(word: str) -> str:
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        return word[:-1]
    return word


def rule_parse(text: str) -> Parsed:
    """The same reading from patterns: used where spaCy is switched off or missing."""
    entities: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for label, pattern in _RULE_ENTITIES:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            entities.append(Entity(match.group(0), label, match.start(), match.end()))
    entities.sort(key=lambda e: e.start)
    chunks = tuple(
        m.group(0) for m in re.finditer(r"\b(?:[\w']+\s+)?\d[\d,]*(?:\s+[a-z][\w-]*){1,3}", text)
    )
    subject = predicate = verb = ""
    finite = _VERB.search(text)
    if finite and finite.start() > 0:
        subject = text[: finite.start()].strip(" ,")
        predicate = text[finite.start() :].strip(" ,.")
        verb = _lemma((finite["participle"] or finite["verb"]).strip())
    because = ""
    if found := re.search(r"\bbecause\s+(?!of\b)(.+?)(?:,\s*so\b.*)?$", text):
        because = found.group(1).rstrip(" .")
    consequence = re.search(r",\s*so\s+(.+)$", text)
    so = consequence.group(1).rstrip(" .") if consequence else ""
    return Parsed(
        text, tuple(entities), chunks, subject, predicate, verb, because, so, bool(subject)
    )
