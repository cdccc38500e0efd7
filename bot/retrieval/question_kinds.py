"""What a question asks for, read from its words: the kind of answer that should lead.

"When" leads with a date, "what is" with a definition, "can we" with a verdict: the composer
(`bot.retrieval.answering`) asks this module which. People rarely ask in the textbook form, so
the kind is read after a conversational opening ("so", "ok"), from contractions ("whats that"),
and from the clause that asks when the scene is set first ("if the pilot works do we have to…").
"""

from __future__ import annotations

import re
from typing import Literal

QuestionType = Literal["when", "definition", "list", "can", "who", "how", "why", "example", "other"]


_WHEN = re.compile(r"^(?:when|by when|how (?:soon|long)|what (?:date|year|month)|since when)\b")


DEFINITION_OPENING = re.compile(
    r"^(?:what\s+(?:is|are|was|were)\s+(?!in\s+it\b)(?!the\s+(?:best|right|difference|point|rule|main|key|big|"
    r"biggest|first|most|latest|catch|lesson|lessons|problem|answer)\b)"
    r"|what\s+does\s+.+\s+(?:mean|stand\s+for)\b|what\s+is\s+meant\s+by\b|define\b|"
    r"explain\b|tell\s+me\s+about\b|meaning\s+of\b)"
)


_CAN = re.compile(
    r"^(?:so\s+)?(?:can|could|may|might|must|should|is\s+it\s+(?:ok|okay|allowed|legal|"
    r"possible|lawful|fine)|are\s+(?:we|they|you)\s+allowed|do\s+(?:we|they|i)\s+(?:need|have)"
    r"|does\s+(?:it|this|the\s+\w+)\s+(?:need|have)|is\s+(?:there|a|an)|are\s+there|"
    r"will\s+(?:they|we|the\s+\w+)|are\s+(?:we|they)|is\s+(?:this|that|it))\b"
)


_WHO = re.compile(r"^(?:who|whom|whose|which\s+(?:organisation|body|bodies|person|team))\b")


LIST_NOUNS = (
    r"criteria|stages|steps|boxes|barriers|principles|questions|parts|elements|kinds|types|"
    r"sections|items|bits|standards|areas|phases|preconditions|components|rules|themes|tests"
)


_LIST = re.compile(
    r"^(?:what|which)\s+(?:are|were)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}(?:" + LIST_NOUNS + r")\b"
    r"|^what\s+goes\s+in(?:to)?\b|^what\s+(?:should|must|does|do)\s+.+\s+(?:contain|include)\b"
    r"|^what\s+(?:do|should|must)\s+(?:we|i|you)\s+(?:\w+\s+){0,3}put\s+in(?:to)?\b"
    r"|\bremind\s+me\s+what\s+the\b|\bin\s+a\s+nutshell\b"
)


_HOW = re.compile(r"^(?:how|what\s+(?:steps|should|do|goes|must))\b")


_WHY = re.compile(r"^why\b")


_EXAMPLE = re.compile(
    r"\b(?:examples?|case\s+stud(?:y|ies)|stories|story|cases?\s+(?:of|where|like)|"
    r"(?:has|have)\s+(?:anyone|anybody|any\s+\w+)\s+(?:done|tried|run))\b"
)


_LEAD_WORDS = re.compile(r"^(?:(?:so|and|but|ok|okay|right|well|hi|hello|please)[\s,]+)+")


_CONTRACTED = re.compile(r"\b(what|who|where|when|how)(?:'s|s)\b")


_CONDITIONAL = re.compile(r"^(?:if|once|assuming|supposing|say)\b")


def question_type(question: str) -> QuestionType:
    """What the question asks for, from its opening words (a conversational "so" dropped).

    People often set the scene first: "if the pilot works do we have to tender…", "our
    statement keeps saying 'we need an app', how do we fix it". The question is then the clause
    that asks: after the condition, or after the comma that ends the scene."""
    words = _LEAD_WORDS.sub("", " ".join(question.lower().replace("’", "'").split()))
    words = _CONTRACTED.sub(lambda m: f"{m[1]} is", words)  # "whats that" asks what it is
    words = words.lstrip("?¿ ")
    kind = _opening_type(words)
    if kind != "other":
        return kind
    for clause in (part.strip() for part in words.split(",")[1:]):
        found = _opening_type(clause)
        if found not in ("other", "example"):
            return found
    if _CONDITIONAL.match(words):
        # no comma after the condition: the first word from which the rest asks can/how
        tokens = words.split()
        for start in range(2, len(tokens) - 1):
            found = _opening_type(" ".join(tokens[start:]))
            if found in ("can", "how"):
                return found
    return kind


def _opening_type(words: str) -> QuestionType:
    """The kind its opening words ask for, tried in order: "who should sign" is a who-question
    before it is a can-question, and an example asked for anywhere wins over a list."""
    for pattern, kind, anywhere in _OPENINGS:
        if (pattern.search if anywhere else pattern.match)(words):
            return kind
    return "other"


_OPENINGS: tuple[tuple[re.Pattern[str], QuestionType, bool], ...] = (
    (_WHEN, "when", False),
    (_WHO, "who", False),
    (_WHY, "why", False),
    (_EXAMPLE, "example", True),
    (_LIST, "list", True),
    (_CAN, "can", False),
    (DEFINITION_OPENING, "definition", False),
    (_HOW, "how", False),
)
