"""Take the chat out of what people typed, keeping every fact they gave.

People talk to a coach as to a colleague: "honestly", "I guess", "as I said", "sorry, should have
said", "it's a long story", "yes, that's it". None of that belongs in a statement a board reads.
These rules drop talk about the conversation and hedges, re-voice the first person ("I'm the
commissioner at Riverside ICB" names Riverside ICB; "my team" becomes "our team"), mend numbers
split at their thousands comma ("9, 000") and never touch a figure, a name or a source.
"""

from __future__ import annotations

import re

# "9, 000" and "1, 850" come from joins that treated a number's comma as a list separator.
_BROKEN_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}), (\d{3})(?![\d%])")
_BROKEN_DECIMAL = re.compile(r"(£\d+)\. (\d)")

# Openers about the conversation, taken off the front of a sentence (repeatedly: "Well, as I
# said, honestly …").
_OPENERS = re.compile(
    r"^(?:(?:well|so|right|ok(?:ay)?|anyway|basically|honestly|actually|look|um+|er+|hmm+|"
    r"to\s+be\s+(?:honest|fair)|in\s+short|you\s+know|i\s+mean|yes|yeah|yep|no|sorry|"
    r"(?:yes|yeah),?\s+(?:that'?s|thats)\s+(?:it|right)|(?:that'?s|thats)\s+(?:it|right)|"
    r"(?:i\s+)?should\s+have\s+said|(?:as|like)\s+i\s+(?:said|mentioned)(?:\s+before)?|"
    r"as\s+(?:mentioned|said)(?:\s+before|\s+earlier)?|as\s+in\s+my\s+(?:first|last|earlier)\s+"
    r"(?:message|answer)|i\s+(?:already|just)\s+said\s+(?:this|that)|"
    r"(?:i\s+)?(?:guess|think|reckon|suppose)|not\s+sure(?:\s+really)?|"
    r"thinking\s+about\s+it(?:\s+again)?|to\s+be\s+clear|again|correction|"
    r"also|but|and|(?:it'?s\s+)?a\s+bit\s+messy,?\s+but)\b|"
    # a hand-over to another question ("Also, on what happens now: …"): a label, not a fact
    r"(?:also,?\s+)?on\s+(?:what\s+happens\s+now|why\s+it\s+matters|who\s+is\s+affected|"
    r"the\s+(?:root\s+)?cause|the\s+evidence|the\s+scope|the\s+outcomes?|the\s+measures?|"
    r"the\s+risks?|the\s+partners?|the\s+value(?:\s+for\s+[\w ]{1,25}?)?)\s*:)[\s,:;.\-–!]*",
    re.IGNORECASE,
)
# Hedges and back-references inside a sentence: removed with the comma that set them off.
_INLINE = re.compile(
    r",?\s*\b(?:i\s+(?:guess|think|reckon|suppose|believe)|honestly|basically|you\s+know|"
    r"not\s+sure\s+really|to\s+be\s+honest|as\s+i\s+(?:said|mentioned)(?:\s+before)?|"
    r"as\s+(?:mentioned|said)\s+(?:before|earlier)|as\s+in\s+my\s+first\s+message|"
    r"i\s+already\s+said\s+this|i\s+would\s+say|i'?d\s+say)\b(?=\s*[,.;:!?]|\s*$|\s+\w)",
    re.IGNORECASE,
)
# Whole sentences about the conversation itself, not the problem.
_META_SENTENCE = re.compile(
    r"\b(?:long\s+story|the\s+gist|could\s+say\s+more|covers\s+the\s+main\s+thing|"
    r"try\s+to\s+be\s+brief|lot\s+of\s+history|give\s+you\s+the\s+background|"
    r"every\s+team\s+meeting|on\s+the\s+drive\s+in|frustrating\s+for\s+everyone|"
    r"tell\s+it\s+differently|misread|had\s+that\s+wrong|said\s+it\s+wrong|"
    r"wrong\s+number|typos?|hope\s+that\s+(?:helps|makes\s+sense)|does\s+that\s+make\s+sense|"
    r"bear\s+with\s+me|if\s+that'?s\s+ok)\b",
    re.IGNORECASE,
)
# A sentence the user marks as an aside ("By the way, the coffee machine is broken again"): it is
# not about the problem, whatever question it arrived under.
_ASIDE = re.compile(
    r"^\W*(?:by\s+the\s+way|btw|on\s+another\s+note|unrelated(?:ly)?|off[- ]topic|"
    r"while\s+i\s+remember)\b",
    re.IGNORECASE,
)
# "It's a long story, and … but basically X": only X is about the problem.
_STORY_THEN = re.compile(
    r"^.*?\b(?:long\s+story|lot\s+of\s+history|about\s+it\s+over\s+the\s+last\s+\w+)\b.*?"
    r"\bbut\s+(?:basically\s+|really\s+|in\s+short\s+)?",
    re.IGNORECASE,
)
_FIRST_PERSON_SINGULAR = re.compile(r"\b(?:i|me|i'?m|i'?ve|i'?d|i'?ll|myself)\b", re.IGNORECASE)
_MY = re.compile(r"\bmy\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Za-z0-9£\"“'(])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|Dr|Mr|Mrs|Ms|St|No|incl)\.", re.I)
# ": the ones living in …" after a group: the group already said who.
_APPOSITION = re.compile(r"\s*[:–-]\s+(?:the\s+ones|those|that\s+is|i\.e\.?)\s+", re.IGNORECASE)


_CONTINUES = re.compile(r"^(?:Because|Due\s+to|So\s+that|As\s+a\s+result|Which\s+means)\b")


def mend_numbers(text: str) -> str:
    """'9, 000' → '9,000'; '£2. 1m' → '£2.1m': a number's comma is not a list separator."""
    text = _BROKEN_THOUSANDS.sub(r"\1,\2", text)
    return _BROKEN_DECIMAL.sub(r"\1.\2", text)


def sentences(text: str) -> list[str]:
    """The sentences of a message (lines count as sentences), abbreviations kept whole."""
    found: list[str] = []
    for line in (text or "").splitlines():
        protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\0"), line.strip())
        found += [s.replace("\0", ".").strip() for s in _SENTENCE.split(protected) if s.strip()]
    return found


def _strip_openers(sentence: str) -> str:
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _OPENERS.sub("", sentence, count=1).lstrip(" ,:;-–")
    return sentence


def clean_sentence(sentence: str, *, keep_first_person: bool = False) -> str:
    """One sentence without hedges and asides; '' when nothing about the problem is left."""
    sentence = _STORY_THEN.sub("", sentence.strip())
    if _META_SENTENCE.search(sentence) or _ASIDE.match(sentence):
        return ""
    sentence = _strip_openers(sentence)
    sentence = _INLINE.sub("", sentence)
    sentence = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", sentence)
    sentence = _APPOSITION.sub(" ", sentence)
    sentence = _strip_openers(sentence)
    sentence = _MY.sub("our", sentence)
    sentence = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(sentence.split()))
    sentence = re.sub(r"([,;:])(?=[,;:.!?])", "", sentence).strip(" ,;:-–")
    if not keep_first_person and _FIRST_PERSON_SINGULAR.search(sentence):
        return ""  # a story or a remark about the speaker, not a fact about the problem
    if sentence.endswith("?"):
        if len(sentence.split()) <= 3:
            return ""  # "Abnormal CXRs?": a note to self, not a fact
        sentence = sentence.rstrip("?").rstrip() + "."  # a hedged answer, not a question
    if len(re.findall(r"[A-Za-z0-9£%]+", sentence)) < 2:
        return ""
    return sentence[0].upper() + sentence[1:]


def clean(text: str, *, keep_first_person: bool = False) -> str:
    """A whole answer without the chat: each kept sentence ends with a full stop."""
    kept: list[str] = []
    for sentence in sentences(mend_numbers(text or "")):
        cleaned = clean_sentence(sentence, keep_first_person=keep_first_person)
        if not cleaned:
            continue
        cleaned = cleaned if cleaned.endswith((".", "!", "?")) else cleaned + "."
        if kept and _CONTINUES.match(cleaned):  # "X. Because Y." was one thought: "X, because Y."
            kept[-1] = f"{kept[-1].rstrip('.!?')}, {cleaned[0].lower()}{cleaned[1:]}"
        else:
            kept.append(cleaned)
    return " ".join(kept)


def has_chat(text: str) -> bool:
    """Whether cleaning would change anything but spacing: the answer held chat."""
    return " ".join(clean(text).split()) != " ".join(mend_numbers(text or "").split())
