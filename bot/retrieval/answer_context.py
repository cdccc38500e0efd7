"""What a question means inside a draft: "the company" is this draft's partner.

The same words ("what does the company get out of this?") ask different things in a draft with a
pharmaceutical company, a council or a digital firm. The engine hands the composer the draft's
partner kind and topic as an `AnswerContext`; the context rewrites the searched question in the
knowledge base's words and favours sentences about this kind of partner. It lives in the
retrieval layer because it knows words and passages, not drafts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A draft's partner kind, and the words that make "the company" mean that kind of partner.
PARTNER_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pharmaceutical": (
        ("pharma", "pharmaceutical", "drug", "medicine", "abpi"),
        "pharmaceutical company",
    ),
    "digital": (
        ("digital", "software", "app", "tech", "medtech", "device", "platform"),
        "digital technology company",
    ),
    "local_government": (
        ("council", "local authority", "local government", "borough", "county"),
        "council local authority",
    ),
    "social_care": (
        ("social care", "care home", "care provider", "domiciliary"),
        "social care provider",
    ),
    "voluntary": (
        ("charity", "voluntary", "community group", "third sector"),
        "charity voluntary sector",
    ),
}


# What "the company" is called in a draft with each kind of partner.
PARTNER_NOUNS = {
    "pharmaceutical": "pharmaceutical company",
    "digital": "digital company",
    "local_government": "council",
    "social_care": "care provider",
    "voluntary": "charity",
}


_NAMED_PARTNER = re.compile(
    r"\b(the|this|our|their|that)\s+(?:company|firm|partner|supplier|vendor|other\s+side)\b",
    re.IGNORECASE,
)


_PARTNER_REFERENCE = re.compile(
    r"\b(?:the|this|our|their|a|that)\s+(?:company|companies|firm|partner|partners|supplier|"
    r"vendor|industry|council|provider|organisation|charity|other\s+side)\b|\b(?:they|them|"
    r"their)\b",
    re.IGNORECASE,
)


# Everyday phrasings and the words the knowledge base uses for the same thing, so a question
# asked in conversation ("what's in it for them") finds the passage written formally.
_EVERYDAY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"\bget\s+out\s+of\b|\bin\s+it\s+for\b|\bwhat(?:'s|\s+is)\s+the\s+benefit", "value gain"),
        (
            r"\b(?:see|look\s+at|access|get|have|use|touch)\s+(?:\w+\s+){0,2}(?:data|records)\b",
            "access share patient data",
        ),
        (r"\b(?:pay|paying|money|cost|costs|fund|funds)\b", "funding"),
        (r"\b(?:sign|signed)\b(?!\s+up)|\b(?:paperwork|contract)\b", "written agreement"),
        (r"\bsigned\s+up\b|\bsign\s+up\b", "members"),  # to a code or a body, not a contract
        (r"\b(?:allowed|legal|lawful|rules?)\b", "rules"),
        # being taken somewhere or given something by a company's representative
        (
            r"\b(?:conferences?|dinners?|lunch(?:es)?|trips?|tickets?|freebies?|gifts?)\b",
            "gifts hospitality declare interests",
        ),
        # a case's figures sit under its "Results" heading, whose word the question rarely uses
        (r"\b(?:achiev\w*|accomplish\w*|impact|outcomes?)\b|\bwhat\s+happened\b", "results"),
        (
            r"\b(?:worked|success|succeed\w*|(?:did|does|will)\s+it\s+work|is\s+it\s+working)\b",
            "measure evaluation",
        ),
        # new to partnership work: where to start, and who to talk to first
        (
            r"\b(?:who|where)\s+(?:do|should|can)\s+(?:i|we)\s+(?:even\s+)?(?:talk|speak|go|start)"
            r"|\bnew\s+to\s+(?:this|all\s+this|partnership)|\bwhere\s+to\s+start\b",
            "where to start",
        ),
        # "not enough pharmacists", "we just need more nurses": a symptom, not a cause
        (
            r"\b(?:not\s+enough|short\s+of|shortage\s+of|lack\s+of|need\s+more)\s+"
            r"(?:\w+\s+)?(?:staff|nurses?|pharmacists?|doctors?|gps?|money|funding|capacity|time)\b",
            "symptom root cause",
        ),
        # tying the work to the partner's product: the inducement rule
        (
            r"\b(?:switch\w*|mov\w+|put)\s+(?:\w+\s+){0,3}(?:onto|on\s+to)\s+(?:their|its|the)\b"
            r"|\b(?:their|its)\s+(?:drug|medicine|product|anticoagulant|inhaler)s?\b.*\bformulary\b"
            r"|\bformulary\b",
            "inducement prescribe products",
        ),
        # "what did the regulator make them do": what it required or asked of them
        (r"\b(?:make|made|force[ds]?)\s+(?:\w+\s+){1,3}do\b", "asked required undertaking"),
    )
)


@dataclass(frozen=True)
class AnswerContext:
    """What a question means inside a draft: "the company" is this draft's partner."""

    partner_kind: str = ""
    topic: str = ""

    @classmethod
    def for_draft(
        cls, partner_type: str, partners: Sequence[str] = (), topic: str = "", title: str = ""
    ) -> AnswerContext:
        """The draft's partner kind: its form's type when known, else read from the partners,
        else from the draft's title ("Falls with the county council") before partners are
        named: a title is the user's own first word on who the work is with."""
        kind = partner_type if partner_type in PARTNER_KINDS else ""
        for said in ([partner_type, *partners], [title]):
            if not kind:
                kind = _kind_named(" ".join(said))
        return cls(kind, " ".join(topic.split())[:200])

    def query(self, question: str) -> str:
        """The question as searched: everyday phrasing in the knowledge base's words, and the
        partner named when the question refers to one."""
        extra = [words for phrase, words in _EVERYDAY if phrase.search(question)]
        if self.partner_kind and _PARTNER_REFERENCE.search(question):
            extra.append(PARTNER_KINDS[self.partner_kind][1])
            noun = PARTNER_NOUNS[self.partner_kind]
            question = _NAMED_PARTNER.sub(lambda m: f"{m[1]} {noun}", question)
        return f"{question} ({'; '.join(extra)})" if extra else question

    def fit(self, sentence: str, question: str) -> float:
        """How a sentence suits this draft's partner, when the question is about the partner:
        a bonus for naming this kind of partner, a cost for naming only another kind."""
        if not self.partner_kind or not _PARTNER_REFERENCE.search(question):
            return 0.0
        named = {kind for kind, pattern in _PARTNER_NAMES.items() if pattern.search(sentence)}
        if self.partner_kind in named:
            return 0.12
        return -0.16 if named else 0.0


def _kind_named(text: str) -> str:
    """The first kind of partner the words name ("county council" → local_government)."""
    padded = f" {text.lower()} "
    return next(
        (k for k, (words, _) in PARTNER_KINDS.items() if any(w in padded for w in words)), ""
    )


_PARTNER_NAMES = {
    kind: re.compile(r"\b(?:" + "|".join(re.escape(w.strip()) for w in words) + r")", re.I)
    for kind, (words, _) in PARTNER_KINDS.items()
}


NO_CONTEXT = AnswerContext()
