"""spaCy's parse for the rubric and the checks: which words govern which, and whether a
sentence has a verb at all.

Word lists alone cannot tell "people need blood pressure kiosks" (a product as the problem)
from "kiosks were tried in 2019" (history), or "Not enough radiologists." (a fragment) from a
sentence. The privacy guard already ships spaCy's small English model, so the parse costs no new
dependency; it is loaded once, on first need, without the entity recogniser (the guard's job),
and callers only parse text a word list has already flagged, so most drafts never reach it.
When the model cannot be loaded the callers fall back to their word lists: a parse sharpens a
check, it is never the only thing standing between a user and a score.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.privacy.presidio_engine import MODEL_PACKAGE

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

_lock = threading.Lock()
_state: dict[str, Language | None] = {}
_FINITE_TAGS = frozenset({"VBD", "VBP", "VBZ", "MD"})


def _nlp() -> Language | None:
    if "nlp" not in _state:
        with _lock:
            if "nlp" not in _state:
                try:
                    import spacy

                    _state["nlp"] = spacy.load(MODEL_PACKAGE, exclude=["ner", "lemmatizer"])
                except (ImportError, OSError, ValueError):
                    _state["nlp"] = None
    return _state["nlp"]


@lru_cache(maxsize=512)
def parse(text: str) -> Doc | None:
    """The parsed text, or None when spaCy's model is unavailable. Parses are cached because
    the rubric scores the same statement on every turn of a conversation."""
    nlp = _nlp()
    if nlp is None or not text.strip():
        return None
    with _lock:  # spaCy pipelines are not documented as thread-safe
        return nlp(text)


def has_finite_verb(sentence: Span | Doc) -> bool:
    """Whether a sentence has a tensed verb ("wait", "is", "can"), which a fragment lacks.
    An imperative or a bare infinitive counts too (a root verb), so "Ask why." is a sentence."""
    for token in sentence:
        if token.tag_ in _FINITE_TAGS:
            return True
        if token.dep_ == "ROOT" and token.pos_ in ("VERB", "AUX") and token.tag_ == "VB":
            return True
    return False


def available() -> bool:
    """Whether the parse is available (tests that need it skip without it)."""
    return _nlp() is not None
