"""What a message *is*, decided before anything is filed: a command, a question, chatter, a
request to revise the draft, or an answer.

Only answers are filed. People type "help", "thanks" or "tell me about driver diagrams" in the
middle of coaching, and a coach that files those as answers writes them into the draft. The rules
are plain word lists and patterns, shared by every adapter (console, Slack, evals), so the same
words mean the same thing everywhere and a user can predict them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

IntentKind = Literal["command", "question", "chatter", "revision", "rewrite", "answer"]

# Command words and the plain phrases people use for them, after normalising (lower case, no
# punctuation, polite padding removed). Only short messages can be commands: "stop" inside a
# paragraph about stopping smoking is an answer.
_COMMAND_PHRASES: dict[str, tuple[str, ...]] = {
    "help": (
        "help",
        "help me",
        "what can i do",
        "what can you do",
        "what can i say",
        "how does this work",
        "how do i use this",
        "commands",
        "options",
        "i am stuck",
        "im stuck",
        "i am lost",
        "im lost",
        "what now",
        "what do i do",
        "what do i do now",
    ),
    "cancel": (
        "cancel",
        "stop",
        "quit",
        "exit",
        "abort",
        "never mind",
        "nevermind",
        "forget it",
        "pause",
        "stop for now",
        "that is enough for now",
        "thats enough for now",
    ),
    "new": (
        "new",
        "new draft",
        "new one",
        "start a new one",
        "start a new draft",
        "start again",
        "start over",
        "begin again",
        "restart",
        "start a new statement",
        "new statement",
    ),
    "draft": (
        "draft",
        "show draft",
        "show the draft",
        "show me the draft",
        "see the draft",
        "compose",
        "write the draft",
        "write it up",
        "make the draft",
        "make a draft",
        "draft it",
        "draft now",
        "show me what you have",
        "what do we have so far",
    ),
    "show": (
        "where was i",
        "where are we",
        "where were we",
        "status",
        "show",
        "show answers",
        "show my answers",
        "what have i said",
        "what did i say",
        "recap",
        "summary",
    ),
    "back": ("back", "go back", "previous", "previous question", "undo", "last question"),
    "skip": (
        "skip",
        "skip this",
        "skip it",
        "next",
        "next question",
        "pass",
        "i dont know",
        "i do not know",
        "dont know",
        "no idea",
        "not sure",
        "later",
        "come back to this",
        "come back to it later",
    ),
    "accept": (
        "accept",
        "finish",
        "done",
        "finished",
        "looks good",
        "i am happy with it",
        "im happy with it",
        "that is it",
        "thats it",
        "final",
        "mark it final",
    ),
}
_COMMANDS = {phrase: name for name, phrases in _COMMAND_PHRASES.items() for phrase in phrases}
_MAX_COMMAND_WORDS = 7
# "I don't know, I'd have to ask a colleague" is not an answer to file: it leaves the question
# open (a skip), however it goes on. Short messages only, so "not sure the audit is right: 18%…"
# still counts as an answer.
_DONT_KNOW = re.compile(
    r"^(?:i\s+)?(?:really\s+)?(?:dont|do not|dunno)(?:\s+really)?\s+know\b"
    r"|^(?:i\s+have\s+)?no\s+idea\b"
    r"|^(?:im|i am)?\s*not\s+sure\s*$"
    r"|^dunno\b"
)
_MAX_DONT_KNOW_WORDS = 14

_POLITE = re.compile(
    r"^(?:(?:ok(?:ay)?|so|right|um+|er+|hmm+|please|pls|can\s+you|could\s+you|can\s+we|"
    r"could\s+we|would\s+you|i\s+(?:want|would\s+like|d\s+like)\s+to|lets|let\s+us|just)\s+)+"
    r"|\s+(?:please|pls|thanks|thank\s+you)$"
)
_EDIT = re.compile(
    r"^(?:edit|change|go\s+to|goto|fix|update|redo|revisit)\s+(?:the\s+|my\s+)?(?P<target>.+?)"
    r"(?:\s+(?:answer|section|part|stage))?$"
)
_REWRITE = re.compile(
    r"^(?P<field>problem statement|problem|statement|hmw|how might we)\s*[:\-–]\s*(?P<text>.+)$",
    re.IGNORECASE | re.DOTALL,
)

_CHATTER_WORDS = frozenset(
    "thanks thank you ty cheers ta ok okay k kk cool great good nice lovely brilliant perfect "
    "fine sure yes yeah yep yup no nope right alright hi hello hey hiya morning afternoon "
    "evening good bye goodbye bye see ya lol haha sorry oops wow awesome super fab fantastic "
    "excellent understood noted got it makes sense sounds agreed much very so all the that is "
    "thats it will do hmm hm mm ah oh there everyone all helps helpful useful "
    "interesting appreciated".split()
)
_EMOJI_ONLY = re.compile(r"^[\W_]+$")
# "Sorry, not sure really, more people treated to target?": a hedged answer, not a question (a
# question would begin with its question word once the hedges are off).
_HEDGED_ANSWER = re.compile(
    r"^(?:(?:sorry|not\s+sure(?:\s+really)?|maybe|perhaps|probably|i\s+guess|i\s+think|well)\s+)+"
    r"(?!(?:what|how|why|who|which|when|where|can|could|should|would|is|are|do|does|did|will)\b)"
)

# A knowledge question without a question mark: explicit requests to learn something.
_ASKING = re.compile(
    r"^(?:tell\s+me\s+(?:about|more)|explain|define|describe\s+(?:a|an|the)\s|"
    r"(?:give|show)\s+me\s+(?:an?\s+)?(?:example|examples)|examples?\s+of\s|"
    r"(?:any\s+)?(?:tips|guidance|advice)\s+(?:on|about|for)\s|"
    r"i\s+(?:want|would\s+like|d\s+like)\s+to\s+(?:know|learn|understand)|"
    r"more\s+(?:about|on)\s|what\s+(?:is|are)\s+(?:a|an|the)\s+\w+(?:\s+\w+){0,3}$|"
    r"what\s+does\s+.+\s+mean$|what\s+is\s+meant\s+by\s|how\s+do\s+(?:i|we|you)\s+write\s)",
)
_INTERROGATIVE = re.compile(
    r"^(?:what|how|why|who|which|when|where|can|could|should|would|is|are|do|does|did|will|"
    r"may|must|shall|any)\b"
)

# Requests to change the draft rather than add to it ("make it shorter and mention winter").
_REVISION = re.compile(
    r"^(?:make|shorten|lengthen|simplify|rewrite|reword|rephrase|tighten|trim|cut|expand|"
    r"add|remove|delete|drop|mention|include|emphasise|emphasize|stress|soften|change|use|"
    r"put|move|turn|keep|say)\b"
)
_ABOUT_THE_DRAFT = re.compile(
    r"\b(?:it|the\s+draft|the\s+statement|the\s+problem(?:\s+statement)?|the\s+wording|"
    r"the\s+value(?:\s+proposition)?|the\s+how\s+might\s+we|hmw|the\s+text|this|that|"
    r"shorter|longer|simpler|clearer|plainer|punchier|more\s+\w+|less\s+\w+|fewer\s+words|"
    r"the\s+evidence|the\s+measures?|the\s+scope|the\s+risks?|the\s+title|tone|wording)\b"
)
_MAX_REVISION_WORDS = 30

# A correction of something said before, even with a "?" ("no, I said 18% not 12%?"): it is
# filed as an answer (the recogniser and `says_again` place it), never answered from the
# knowledge base. Read on the normalised words.
_CORRECTION = re.compile(
    r"^(?:(?:no|nope|wait|sorry|oops|actually|hang\s+on|err?|um+)\s+)*"
    r"(?:i\s+(?:said|meant|mean|wrote|typed|put)|what\s+i\s+(?:said|meant)\s+(?:was|is)|"
    r"(?:it|that)\s+(?:should\s+(?:be|say|read)|was|is)\s+(?:actually\s+)?\d+)\b"
)
# Asking for a change ("can you change the partner to a council?") is a request about the
# draft, whatever it ends with: a revision, never a knowledge question.
_CHANGE_REQUEST = re.compile(
    r"^(?:(?:can|could|would|may|will)\s+(?:you|we|i)\s+|please\s+)"
    r"(?:please\s+)?(?:change|update|correct|fix|amend|replace|switch|rename|reword)\b"
)
# Questions asked in conversation without a "?": only shapes an answer to a coaching question
# does not take ("so can they see our data or not", "what does the company get out of this").
_ASKED_PLAINLY = re.compile(
    r"^(?:so\s+)?(?:can|could|may|should|must|do|does|will|would|is|are)\s+"
    r"(?:they|we|i|you|it|the\s+\w+|our\s+\w+|their\s+\w+|this\s+\w+)\s+\w+.*\bor\s+not$"
    r"|^(?:so\s+)?what\s+(?:does|do|did|would|will|can|should)\s+(?:the|this|our|their|they|we|"
    r"it|a|an)\b"
    r"|^(?:so\s+)?whats\s+the\s+(?:deal|story|rule|rules|point|difference|catch)\b"
    r"|^(?:so\s+)?(?:who|when|why|where)\s+(?:does|do|did|should|can|must|would|will)\s+\w+"
)
_MAX_PLAIN_QUESTION_WORDS = 16


@dataclass(frozen=True)
class Intent:
    """The kind of message, and for commands which one and its argument."""

    kind: IntentKind
    command: str = ""  # help | cancel | new | draft | show | back | skip | accept | edit
    argument: str = ""  # the stage to edit, the question asked, the rewritten line


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation to spaces, polite padding removed."""
    flat = text.lower().replace("’", "").replace("'", "").lstrip("/")
    flat = " ".join(re.sub(r"[^\w&\s-]", " ", flat).split())
    previous = None
    while previous != flat:
        previous, flat = flat, _POLITE.sub("", flat).strip()
    return flat


def classify(text: str, *, stage_names: tuple[str, ...] = ()) -> Intent:
    """What this message is. `stage_names` are words `edit …` may name (e.g. "evidence")."""
    raw = (text or "").strip()
    words = normalise(raw)
    if not words or _EMOJI_ONLY.match(raw):
        return Intent("chatter")
    if match := _REWRITE.match(raw):
        return Intent("rewrite", match["field"].lower(), " ".join(match["text"].split()))
    count = len(words.split())
    if count <= _MAX_COMMAND_WORDS:
        if words in _COMMANDS:
            return Intent("command", _COMMANDS[words])
        if match := _EDIT.match(words):
            target = match["target"]
            explicit = words.split()[0] in ("edit", "goto", "go", "revisit")
            if explicit or any(target == name or target in name.split() for name in stage_names):
                return Intent("command", "edit", target)
    if count <= _MAX_DONT_KNOW_WORDS and _DONT_KNOW.match(words):
        return Intent("command", "skip")
    if count <= 6 and all(word in _CHATTER_WORDS for word in words.split()):
        return Intent("chatter")
    if raw.startswith("?"):
        return Intent("question", argument=raw.lstrip("? ").strip())
    if count <= _MAX_REVISION_WORDS and _CORRECTION.match(words):
        return Intent("answer")
    if count <= _MAX_REVISION_WORDS and _CHANGE_REQUEST.match(_plain_words(raw)):
        return Intent("revision", argument=raw)
    if count <= _MAX_REVISION_WORDS and _REVISION.match(words) and _ABOUT_THE_DRAFT.search(words):
        return Intent("revision", argument=raw)
    if raw.endswith("?") and len(raw) < 300 and not _HEDGED_ANSWER.match(words):
        return Intent("question", argument=raw)
    if count <= 20 and _ASKING.match(words):
        return Intent("question", argument=raw)
    if count <= 12 and _INTERROGATIVE.match(words) and "?" in raw:
        return Intent("question", argument=raw)
    if count <= _MAX_PLAIN_QUESTION_WORDS and _ASKED_PLAINLY.match(words):
        return Intent("question", argument=raw)
    return Intent("answer")


def _plain_words(text: str) -> str:
    """Lower case and punctuation to spaces, but the polite openings kept ("can you …")."""
    flat = text.lower().replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^\w&\s-]", " ", flat).split())
