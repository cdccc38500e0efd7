"""What an answer answers: split a message into parts and decide which question(s) each fits.

People do not answer forms in order: asked why a problem happens, they give the value for
patients; asked who the partners are, they paste the whole story. A facilitator hears it all and
notes each part where it belongs. The guided recogniser does that offline with two signals:

* similarity to labelled example answers (`data/answers.yaml`, training split only), using the
  embedding model the project already loads for knowledge search, or a small deterministic
  word-hashing embedding where no model is available (tests, a missing model);
* word rules from `checks.py`: a figure with a data source and a period is evidence; a target
  with "by <date>" is an outcome; "patients / the trust / the company would gain" is value;
  "because / due to" is a cause; "excluding" is scope; "accountable / exit" is risks.

Each part gets the questions it answers, best first, with a confidence; a part that fits
nothing is `none` and is kept, never thrown away. The LLM coach may replace this with one model
call (`LLMCoach.recognise`); this recogniser is its fallback.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from bot.coaching import checks
from bot.coaching.questions import (
    EVIDENCE,
    MEASURES,
    NONE,
    NOW,
    PARTNERS,
    QUESTION_KEYS,
    RISKS,
    ROOT_CAUSE,
    SCOPE,
    TOPIC,
    VALUE_NHS,
    VALUE_PARTNER,
    VALUE_PATIENTS,
    WHO,
    WHY_MATTERS,
    training_examples,
)


class TextEmbedder(Protocol):
    """What the recogniser needs from an embedding model (langchain's `Embeddings` has it)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class Part:
    """One piece of a message and the questions it answers (best first; empty means none)."""

    text: str
    keys: tuple[str, ...]
    confidence: float
    guess: str = NONE  # the likeliest question even when it is not likely enough


# -- splitting --------------------------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|Dr|Mr|Mrs|Ms|St|No|incl)\.", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(£])")
# A new point begun without a full stop: "…after a fall Also, only 20% start…", "…; also the…",
# and each party's gain in a list of them: "patients would…; the trust would…; the company…".
_NEW_POINT = re.compile(
    r"\s+(?=(?-i:Also|Plus|Separately|Another\s+thing|On\s+top\s+of\s+that)\b)"
    r"|;\s+(?=(?:also|plus|separately)\b)"
    r"|;\s+(?=(?:for\s+)?(?:the\s+|our\s+|local\s+)?(?:patients?|carers?|families|residents|"
    r"NHS|trusts?|ICBs?|PCNs?|practices?|hospitals?|system|company|partner|supplier|council|"
    r"charity|university|firm|provider)\b[^;.]{0,40}?\b(?:would|will|could|gets?|gains?|saves?|"
    r"benefits?|frees?)\b)",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-•*·]|\d+[.)])\s+")
# "X because Y": the cause after a connector becomes its own part when both sides are real.
_CAUSE_SPLIT = re.compile(
    r"[,;]?\s+\b(because(?:\s+of)?|due\s+to|owing\s+to|as\s+a\s+result\s+of|since)\s+", re.I
)
_MIN_PART_WORDS = 3
_MIN_CLAUSE_WORDS = 4


def split_parts(text: str) -> list[str]:
    """Sentences and lines of a message; tiny fragments stay with their neighbour."""
    pieces: list[str] = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\0"), line)
        for sentence in _SENTENCE_END.split(protected):
            for point in _NEW_POINT.split(sentence):
                point = point.replace("\0", ".").strip()
                if point:
                    pieces.extend(_split_cause(point))
    merged: list[str] = []
    for piece in pieces:
        if merged and checks.word_count(piece) < _MIN_PART_WORDS:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    if len(merged) > 1 and checks.word_count(merged[0]) < _MIN_PART_WORDS:
        merged[1] = f"{merged[0]} {merged[1]}"
        merged.pop(0)
    return merged


def _split_cause(sentence: str) -> list[str]:
    """'Only 62% are treated because reviews are never booked' → the gap, and the cause."""
    match = _CAUSE_SPLIT.search(sentence)
    if not match:
        return [sentence]
    before, after = sentence[: match.start()].strip(" ,;"), sentence[match.end() :].strip()
    lead = before.lower()
    if lead.startswith(("it happens", "this happens", "the problem happens", "it is", "that is")):
        return [sentence]
    if checks.word_count(before) < _MIN_CLAUSE_WORDS or checks.word_count(after) < 3:
        return [sentence]
    cause = after[0].upper() + after[1:]
    return [
        before.rstrip(".") + ".",
        f"{match.group(1).capitalize()} {cause[0].lower()}{cause[1:]}",
    ]


# -- a small deterministic embedding ----------------------------------------------------------

_TOKEN = re.compile(r"[a-z£%]+|\d+")
_SUFFIX = re.compile(r"(?:ing|ed|es|s|ly)$")


def _stem(word: str) -> str:
    return _SUFFIX.sub("", word) if len(word) > 4 else word


class HashingEmbeddings:
    """Bag of stemmed words and word pairs hashed into a fixed vector: no model, no download.

    Used where the real model is not loaded (tests, a store without a knowledge index); far
    weaker than the model on paraphrases, which `make bench` shows side by side.
    """

    def __init__(self, dimensions: int = 2048) -> None:
        self.dimensions = dimensions

    def _vector(self, text: str) -> list[float]:
        words = [_stem(w) for w in _TOKEN.findall(text.lower())]
        words = ["#" if w.isdigit() else w for w in words]
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest, "little") % self.dimensions] += 1.0
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]


# -- rules ------------------------------------------------------------------------------------

_PATIENT_GAIN = re.compile(
    r"\b(?:patients?|people|carers?|families|residents|children|mothers|parents|babies|"
    r"young\s+people|older\s+people|women|they|users)\b[^.]{0,60}?\b(?:would\s+|will\s+|could\s+)?"
    r"(?:gain|get|benefit|keep|avoid|have\s+(?:fewer|less|more)|be\s+(?:seen|treated|able)|"
    r"know|feel|recover|start|spend|stay|live)\b"
    r"|\b(?:for|to)\s+(?:patients|carers|families|children|residents|mothers|people)\b"
    r"|^(?:fewer|less|more|shorter|quicker|faster|no\s+more|better)\b"
    r"|^(?:for\s+)?(?:patients|carers|families|residents|people)(?:\s+and\s+carers)?\s*[:\-–]",
    re.I,
)
_NHS_GAIN = re.compile(
    r"\b(?:NHS|trust|ICB|ICS|practices?|hospital|network|health\s+board|commissioners?|system|"
    r"staff|GPs?|the\s+unit)\b[^.]{0,50}?\b(?:gains?|saves?|saving|frees?|freed|meets?|hit|"
    r"benefits?|would\s+(?:save|gain|meet|get))\b"
    r"|\b(?:bed\s+days|QOF|targets?\s+met|capacity|CQC|length\s+of\s+stay)\b",
    re.I,
)
_PARTNER_GAIN = re.compile(
    r"\b(?:company|partner|supplier|council|charity|university|firm|provider|start-?up|"
    r"industry|association|hospice|local\s+authority|manufacturer|[A-Z][a-z]+\s+(?:Ltd|plc))\b"
    r"[^.]{0,80}?\b(?:gains?|gets?|benefit\w*|contribut\w*|provid\w*|brings?|funds?|gives?|"
    r"pays?|commits?|learn\w*|reach\w*)\b",
    re.I,
)
_CAUSE_WORDS = re.compile(
    r"^(?:because|due\s+to|owing\s+to|since|as\s+a\s+result)\b|\b(?:root\s+cause|the\s+reason|"
    r"caused\s+by|happens\s+because|is\s+because|stems\s+from|nobody\s+owns|no\s+one\s+owns|"
    r"never\s+(?:scheduled|booked|followed|triggered)|is\s+nobody'?s\s+job)\b",
    re.I,
)
_SCOPE_WORDS = re.compile(
    r"\b(?:in\s+scope|out\s+of\s+scope|scope|limited\s+to|only\s+the)\b", re.I
)
_RISK_WORDS = re.compile(r"\b(?:risks?|accountab\w*|exit|governance|safeguard|mitigat\w*)\b", re.I)
_BY_DATE = re.compile(
    r"\b(?:by|within|before|over)\s+(?:the\s+end\s+of\s+)?(?:\w+\s+)?(?:\d{4}|Q[1-4]|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"winter|summer|spring|autumn|next|year|months?|\d+\s+(?:months?|years?|weeks?))",
    re.I,
)
_HARM_COST = re.compile(
    r"£|\b(?:costs?|costing|die|deaths?|harm\w*|avoidable|suffer\w*|amputations?|strokes?|"
    r"fractures?|admissions?)\b",
    re.I,
)
_ORGANISATIONS = re.compile(
    r"\b(?:trust|company|council|ICB|PCN|network|charity|university|practice|federation|"
    r"hospice|pharma\w*|start-?up|firm|provider|ltd|association|alliance|board|team)\b",
    re.I,
)
_PARTNER_WORDS = re.compile(r"\b(?:partners?|partnership|working\s+with|together\s+with)\b", re.I)
_TOPIC_WORDS = re.compile(
    r"^(?:we\s+(?:want|would\s+like|hope|are\s+interested)|the\s+idea|our\s+(?:aim|focus|shared)|"
    r"i\s+want|something\s+around|the\s+area|the\s+project|topic)\b",
    re.I,
)


def rule_scores(text: str) -> dict[str, float]:
    """Bonuses from word rules: each says 'this part reads like that question'."""
    bonus: dict[str, float] = {}

    def add(key: str, amount: float) -> None:
        bonus[key] = bonus.get(key, 0.0) + amount

    number, source, period = (
        checks.has_number(text),
        checks.has_source(text),
        checks.has_period(text),
    )
    target = bool(checks.TARGET.search(text))
    if number and source and period:
        add(EVIDENCE, 0.14)
    elif number and source:
        add(EVIDENCE, 0.07)
    if number and target and _BY_DATE.search(text):
        add(MEASURES, 0.12)
    if _PATIENT_GAIN.search(text):
        add(VALUE_PATIENTS, 0.06)
    if _NHS_GAIN.search(text):
        add(VALUE_NHS, 0.06)
    if _PARTNER_GAIN.search(text):
        add(VALUE_PARTNER, 0.08)
    if _CAUSE_WORDS.search(text):
        add(ROOT_CAUSE, 0.10)
    if checks.has_exclusion(text) or _SCOPE_WORDS.search(text):
        add(SCOPE, 0.12)
    if _RISK_WORDS.search(text) or checks.ACCOUNTABILITY.search(text):
        add(RISKS, 0.08)
    if _HARM_COST.search(text) and number:
        add(WHY_MATTERS, 0.05)
    if checks.has_group(text) and checks.has_setting(text) and not target:
        add(WHO, 0.04)
    if number and re.search(
        r"\b(?:against|versus|vs|instead|should|standard|target)\b", text, re.I
    ):
        add(NOW, 0.04)
    if _PARTNER_WORDS.search(text) and _ORGANISATIONS.search(text):
        add(PARTNERS, 0.06)
    if _TOPIC_WORDS.search(text):
        add(TOPIC, 0.06)
    return bonus


# -- the recogniser ---------------------------------------------------------------------------

LABELS: tuple[str, ...] = (*QUESTION_KEYS, NONE)
HASH_DIMENSIONS = 512
RULE_WEIGHT = 5.0  # rule bonuses are ~0.05–0.15; scaled to count next to unit-length vectors
L2 = 1e-4
ITERATIONS = 800
LEARNING_RATE = 2.0
MIN_PROBABILITY = 0.3  # below this the best question is only a guess: the part answers none
ASKED_LOGIT = 1.0  # the question just asked: an ambiguous part answers it
SECOND_PROBABILITY = 0.3  # a second question needs this much and a rule behind it
# A part is moved away from the question just asked only when the recogniser is fairly sure:
# people mostly answer what they were asked, in words no example anticipated.
REDIRECT_PROBABILITY = 0.5
TOPIC_REDIRECT_PROBABILITY = 0.8


VALUE_KEYS = frozenset({VALUE_PATIENTS, VALUE_NHS, VALUE_PARTNER})
# Who a value statement is for, when it says so. Asked what the NHS gains, "fewer fractures and
# admissions" is the NHS's gain even though patients gain too: within the value questions a
# part moves to another party only when it names that party and not the one asked about, or
# when the recogniser is very sure.
VALUE_REDIRECT_PROBABILITY = 0.8
_BENEFICIARY = {
    VALUE_PATIENTS: re.compile(
        r"\b(?:patients?|carers?|families|residents|children|people|parents|mothers|babies|"
        r"women|men|users|they|their)\b",
        re.I,
    ),
    VALUE_NHS: re.compile(
        r"\b(?:NHS|trusts?|ICBs?|ICS|practices?|hospitals?|networks?|PCNs?|health\s+board|"
        r"commissioners?|system|staff|GPs?|clinicians?|nurses?|pharmacists?|wards?|beds?|"
        r"bed\s+days|QOF|targets?|capacity|budgets?|savings?|workforce|waiting\s+lists?)\b",
        re.I,
    ),
    VALUE_PARTNER: re.compile(
        r"\b(?:company|partner|supplier|council|charity|university|firm|provider|start-?up|"
        r"industry|association|hospice|local\s+authority|manufacturer|sales|market|"
        r"commercial|reputation)\b",
        re.I,
    ),
}


def names_other_party(text: str, best: str, asked: str) -> bool:
    """Whether a value part names `best`'s party and not the party `asked` is about."""
    return bool(_BENEFICIARY[best].search(text)) and not _BENEFICIARY[asked].search(text)


class Recogniser:
    """Decides which question(s) each part of a message answers; safe to share across threads.

    A softmax classifier over three views of a sentence: the embedding model's vector (meaning,
    paraphrase), a word-hashing vector (exact words like "£", "excluding", "by March") and the
    rule bonuses. It is trained on the labelled training split once per process, in well under
    a second; the settings above were chosen by cross-validation on that split alone.
    """

    def __init__(self, embeddings: TextEmbedder | None = None) -> None:
        self.embeddings = embeddings
        self.hashing = HashingEmbeddings(HASH_DIMENSIONS)
        self._lock = threading.Lock()
        self._weights: tuple[np.ndarray, np.ndarray] | None = None

    def _features(self, texts: list[str]) -> np.ndarray:
        blocks = []
        if self.embeddings is not None:
            blocks.append(_normalised(self.embeddings.embed_documents(texts)))
        blocks.append(np.asarray(self.hashing.embed_documents(texts), dtype=np.float32))
        rules = [[found.get(label, 0.0) for label in LABELS] for found in map(rule_scores, texts)]
        blocks.append(RULE_WEIGHT * np.asarray(rules, dtype=np.float32))
        return np.hstack(blocks)

    def _model(self) -> tuple[np.ndarray, np.ndarray]:
        """Train on the labelled examples once per process, on first use."""
        with self._lock:
            if self._weights is None:
                labels, texts = [], []
                for key, examples in training_examples().items():
                    labels += [LABELS.index(key)] * len(examples)
                    texts += list(examples)
                features = self._features(texts)
                with threadpool_limits(limits=1, user_api="blas"):
                    self._weights = train_softmax(features, np.asarray(labels))
            return self._weights

    def warm_up(self) -> None:
        """Train now (a server does this in the background at start)."""
        self._model()

    def scores(self, parts: Sequence[str], asked: str | None = None) -> list[dict[str, float]]:
        """Per part, a probability for every question key and for `none`."""
        if not parts:
            return []
        weights, bias = self._model()
        features = self._features(list(parts))
        with threadpool_limits(limits=1, user_api="blas"):  # tiny products: threads only cost
            logits = features @ weights + bias
        if asked in LABELS:
            logits[:, LABELS.index(asked)] += ASKED_LOGIT
        return [dict(zip(LABELS, row.tolist(), strict=True)) for row in _softmax(logits)]

    def recognise(self, text: str, asked: str | None = None) -> list[Part]:
        """The parts of `text` and what each answers; `asked` is the question just asked."""
        parts = split_parts(text)
        return [
            decide(part, scored, asked)
            for part, scored in zip(parts, self.scores(parts, asked), strict=True)
        ]


def decide(text: str, scored: dict[str, float], asked: str | None = None) -> Part:
    """The questions a part answers from its probabilities: best first, or none."""
    ranked = sorted(((value, key) for key, value in scored.items()), reverse=True)
    best_value, best = ranked[0]
    # A part that is surely an aside ("sorry for the typos") resembles no question: it is kept
    # but never offered back as if it might answer one.
    guess = NONE if best == NONE else next(key for _value, key in ranked if key != NONE)
    if best == NONE and asked in QUESTION_KEYS and best_value >= MIN_PROBABILITY:
        # An aside ("it's a long story…") is kept, not filed; a message that is nothing but
        # asides still answers the question asked (see filing.file_parts).
        return Part(text, (), round(best_value, 3), NONE)
    if asked in QUESTION_KEYS and best != asked and best_value < REDIRECT_PROBABILITY:
        return Part(text, (asked,), round(scored[asked], 3), asked)
    if best == TOPIC and asked not in (None, TOPIC) and best_value < TOPIC_REDIRECT_PROBABILITY:
        # The opening "what do you want to work on?" is a warm-up: later, words about what the
        # partners want to do answer the question being discussed, unless surely the topic.
        return Part(text, (asked,), round(scored[asked], 3), asked)
    if (
        asked in VALUE_KEYS
        and best in VALUE_KEYS
        and best_value < VALUE_REDIRECT_PROBABILITY
        and not names_other_party(text, best, asked)
    ):
        return Part(text, (asked,), round(scored[asked], 3), asked)
    if best == NONE or best_value < MIN_PROBABILITY:
        return Part(text, (), round(best_value, 3), guess)
    keys = [best]
    rules = rule_scores(text)
    for value, key in ranked[1:3]:
        # the bonus for the question asked must not file a part there as well
        if key not in (NONE, asked) and key in rules and value >= SECOND_PROBABILITY:
            keys.append(key)
    # "…by March 2026, excluding people already under the clinic": whatever else a sentence
    # says, an exclusion states the scope, and a facilitator notes it there too.
    if SCOPE not in keys and asked != SCOPE and checks.has_exclusion(text) and best != NONE:
        keys.append(SCOPE)
    return Part(text, tuple(keys), round(best_value, 3), best)


def train_softmax(features: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent (small data, no deps)."""
    count, width = features.shape
    weights = np.zeros((width, len(LABELS)), dtype=np.float64)
    bias = np.zeros(len(LABELS), dtype=np.float64)
    targets = np.eye(len(LABELS))[labels]
    for _ in range(ITERATIONS):
        gradient = (_softmax(features @ weights + bias) - targets) / count
        weights -= LEARNING_RATE * (features.T @ gradient + L2 * weights)
        bias -= LEARNING_RATE * gradient.sum(axis=0)
    return weights, bias


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities


def _normalised(rows: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: np.ndarray = matrix / norms
    return unit


_shared_lock = threading.Lock()
_shared: list[tuple[TextEmbedder | None, Recogniser]] = []


def shared_recogniser(embeddings: TextEmbedder | None = None) -> Recogniser:
    """One trained recogniser per embedding model per process, however many engines use it."""
    with _shared_lock:
        for known, recogniser in _shared:
            if known is embeddings:
                return recogniser
        recogniser = Recogniser(embeddings)
        _shared.append((embeddings, recogniser))
        return recogniser


MISPLACED_PROBABILITY = 0.65  # surely another question's answer…
OWN_PROBABILITY = 0.15  # …and hardly this one's
READ_CHARS = 600  # what an answer is about shows in its opening; a pasted essay is not re-read


def reads_as_other(text: str, key: str) -> str | None:
    """The question `text` clearly answers instead of `key`, or None when it could be `key`'s.

    The rubric asks this so that it scores what an answer says, not where it was filed: a
    benefit filed as the cause is not a cause. It uses the deterministic recogniser (no model),
    so a score never depends on which embedding model happens to be loaded.
    """
    if not text.strip():
        return None
    (scored,) = shared_recogniser().scores([text[:READ_CHARS]])
    own = sum(scored[k] for k in VALUE_KEYS) if key in VALUE_KEYS else scored.get(key, 0.0)
    best = max((k for k in QUESTION_KEYS if k != key), key=lambda k: scored[k])
    if key in VALUE_KEYS and best in VALUE_KEYS:
        return None
    if scored[best] >= MISPLACED_PROBABILITY and own < OWN_PROBABILITY:
        return best
    return None
