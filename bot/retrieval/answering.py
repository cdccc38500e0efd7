"""Answers, not passages: a short cited answer composed from the best passages' sentences.

People ask the coach things ("can the company see patient data?") and a ranked list of passages
makes them do the reading: the passage that ranks first is often a case story's opening, while
the sentence that answers sits third in a guide. So the answer is built one level down, from
sentences. Every sentence of the top passages is scored against the question by meaning (the
same embeddings the search uses) and by words (BM25 over the sentences), plus the rank of the
passage it came from; the question's type then decides what leads ("when" leads with a date,
"what is" with a definition, "can we" with Yes, No or It depends taken from the chosen
sentences' own wording, never invented). Near-duplicates are dropped and no document may fill
the answer on its own, so one case story told three times cannot crowd out the guide.

Each sentence keeps a numbered citation (title, first source URL, path), so anything the answer
says can be traced; the passages follow as "more". A model, when configured, rewrites these
sentences (`bot.coaching.llm_coach`), but the guided answer composed here is the default and
works offline.

The module sits in the retrieval layer: it knows passages and embeddings, not drafts, so the
engine hands it the draft's partner type and topic as an `AnswerContext`. What it reads is split
out: the kind of question (`question_kinds`), the draft's context (`answer_context`) and the
sentences a passage offers for quoting (`quotable`); this module scores, chooses and orders.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np
from rank_bm25 import BM25Okapi

from bot.retrieval.answer_context import NO_CONTEXT, AnswerContext
from bot.retrieval.passage import Passage, plain_text
from bot.retrieval.question_kinds import DEFINITION_OPENING, LIST_NOUNS, QuestionType, question_type
from bot.retrieval.quotable import MAX_WORDS_IN_LIST, answer_sentences, gives_form, in_list
from bot.retrieval.terms import search_terms

log = logging.getLogger(__name__)

Outline = Callable[[str], list[str]]

POOL = 8  # passages an answer reads
MAX_SENTENCES = 5
MIN_SENTENCES = 2
MAX_WORDS = 150  # the answer's body; with a lead of at most 22 words and 5 marks, under 200
MAX_CONDITION_WORDS = 18
PER_DOCUMENT = 3  # sentences from one guide or framework
PER_CASE = 2  # and from one case story, so a story cannot crowd out the guide
DUPLICATE_COSINE = 0.88
DUPLICATE_OVERLAP = 0.5  # Jaccard share of words
SENTENCE_BM25_B = 0.4
CONTINUATION_SHARE = 0.9  # a continuation displaces a chosen sentence scoring up to 1/0.9 of it
REDUNDANCY = 0.15  # how much likeness to a chosen sentence costs the next one
SAYS_MORE = 2.0  # times the words a fuller sentence has to replace a short one it contains
KEEP_FRACTION = 0.55  # after the first two, a sentence must score this share of the best
# How the three signals mix: meaning, words, and the passage the sentence came from.
W_DENSE, W_WORDS, W_PASSAGE = 0.45, 0.35, 0.2

NO_ANSWER = (
    "I could not find anything on that in the knowledge base. Try other words, or ask about "
    "problem statements, value, evidence, agreements with industry or patient data."
)


@runtime_checkable
class Embedder(Protocol):
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class Searcher(Protocol):
    def search(self, query: str, k: int = 5, *, kind: str | None = None) -> list[Passage]: ...


# -- the answer ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerCitation:
    """One numbered source: what `[n]` in the answer points to."""

    n: int
    title: str
    source_url: str
    path: str
    heading: str = ""

    def as_json(self) -> dict[str, object]:
        return {"n": self.n, "title": self.title, "source_url": self.source_url, "path": self.path}

    @property
    def line(self) -> str:
        where = self.title + (f" › {self.heading}" if self.heading else "")
        return f"[{self.n}] {where}" + (f" — {self.source_url}" if self.source_url else "")


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    n: int  # its citation's number


@dataclass(frozen=True)
class Answer:
    """A short answer in whole sentences, each with a numbered citation, then the passages."""

    question: str
    kind: QuestionType
    lead: str  # "Yes.", "No.", "It depends: …" for a can-question, else ""
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[AnswerCitation, ...]
    passages: tuple[Passage, ...] = field(default=())

    @property
    def found(self) -> bool:
        return bool(self.sentences)

    @property
    def text(self) -> str:
        """The answer as prose, each sentence followed by its citation mark."""
        if not self.sentences:
            return NO_ANSWER
        body = " ".join(f"{s.text} [{s.n}]" for s in self.sentences)
        return f"{self.lead} {body}" if self.lead else body

    @property
    def sources(self) -> str:
        """One line per citation, numbered as in the text."""
        return "\n".join(c.line for c in self.citations)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def numbered_sentences(self) -> str:
        """The chosen sentences, one a line with their citation numbers: what a model rewrites."""
        return "\n".join(f"[{s.n}] {s.text}" for s in self.sentences)

    def as_json(self) -> dict[str, object]:
        return {
            "answer": self.text,
            "citations": [c.as_json() for c in self.citations],
            "passages": [p.as_json() for p in self.passages],
        }


# -- scoring the sentences ----------------------------------------------------------------------
_DATE = re.compile(
    r"\b(?:(?:19|20)\d{2}|January|February|March|April|May|June|July|August|September|October|"
    r"November|December|(?:\d+|one|two|three|four|six|twelve)\s+(?:days?|weeks?|months?|years?)|"
    r"before|after|deadline|by the time|at the start|from \d)\b"
)
_DEFINES = re.compile(
    r"\b(?:is|are|means|refers to|describes|is called|are called|stands for|is a|is an|is the)\b"
)
_PERMITS = re.compile(r"\b(?:can|may|is allowed|are allowed|is permitted|are permitted)\b")
_FORBIDS = re.compile(
    r"\b(?:must not|cannot|can ?not|can't|may not|never|not allowed|not permitted|forbid\w*|"
    r"prohibit\w*|must never|is not allowed|are not allowed)\b",
    re.IGNORECASE,
)
_ASKS_DUTY = re.compile(r"\b(?:need|needs|must|have\s+to|has\s+to|required|require|should)\b")
_CONDITION = re.compile(
    r"\b(?P<clause>(?:only\s+(?:if|when|where|after|once|as|with|under)|provided(?:\s+that)?|"
    r"as\s+long\s+as|unless|so\s+long\s+as|subject\s+to|on\s+condition)\b[^.;:]*)",
    re.IGNORECASE,
)
_DUTY = re.compile(r"\b(?:must|need to|needs to|has to|have to|should|first|before)\b")
_META = re.compile(
    r"^(?:this\s+(?:guide|framework|case|section|page|checklist|story)|use\s+(?:it|this|them)\b|"
    r"see\s+(?:the|also)\b|the\s+(?:guide|framework)\s|read\s+(?:the|more)\b)",
    re.IGNORECASE,
)
_SAYS_ILLUSTRATIVE = re.compile(r"\billustrative\b", re.IGNORECASE)
_LABELLED = re.compile(r"^(?:before|after|example|test|for\s+example|weak|strong|better)\s*:", re.I)
# Questions a case story's own sections answer: its sections are named alike in every case
# ("What they did", "Results", "Lessons for your partnership").
_SECTION_CUES = tuple(
    (re.compile(asks, re.IGNORECASE), heading)
    for asks, heading in (
        # "what did the clinic do", not "what did the ICO make the trust do"
        (
            r"\bwhat\s+did\b(?!.*\b(?:make|made|ask|tell|force|require|order)\b)"
            r".*\b(?:do|set\s+up|build|run)\b",
            "what they did",
        ),
        (r"\b(?:achiev\w*|results?|outcomes?|impact)\b", "results"),
        (r"\b(?:lessons?|learn\w*|takeaways?)\b", "lessons"),
    )
)
SECTION_ASKED = 0.15
_CASE_ASIDE = re.compile(r"^(?:in|at)\s+the\s+\w+(?:\s+\w+){0,4}\s+case\b", re.IGNORECASE)


@dataclass
class _Candidate:
    text: str
    passage: int  # index into the passages
    position: int  # order within its passage
    words: list[str]
    matched: list[str]  # what BM25 reads: the words and its section's heading
    score: float = 0.0
    vector: np.ndarray | None = None
    # the chosen sentence this one goes on from, when that is a twin of its own sentence before
    follows: _Candidate | None = field(default=None, compare=False, repr=False)
    # what the sentence says beyond the question's words: its other words, each weighted by how
    # rare it is among the candidates (see _mark_points)
    point: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


LONG_SENTENCE = 40  # words; past this each word costs a little (LENGTH_COST), see compose_answer
LENGTH_COST = 0.002


def _candidates(passages: Sequence[Passage]) -> list[_Candidate]:
    """Readable whole sentences of each passage, with where they came from."""
    found: list[_Candidate] = []
    for index, passage in enumerate(passages):
        # a sentence is about what its section is about ("Reported > Results", "Lessons"), so
        # the section's heading words count as its own when matching the question's words
        section = search_terms(passage.heading.replace(">", " "))
        for position, sentence in enumerate(answer_sentences(passage.text)):
            words = search_terms(sentence)
            if words:
                found.append(_Candidate(sentence, index, position, words, words + section))
    return found


def _unit(vectors: list[list[float]]) -> np.ndarray | None:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        return None  # an embedder with no dimensions (tests): words only
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    low = float(values.min()) if values.size else 0.0
    if top <= low:
        return np.ones_like(values) if top > 0 else np.zeros_like(values)
    return (values - low) / (top - low)


_QUANTITY = re.compile(
    r"\b(?:how\s+(?:many|much|big|often)|results?|achieve\w*|outcomes?|impact|figures?|"
    r"numbers?|savings?|saved|reduc\w+|increase\w*|improv\w+|what\s+happened|worked)\b"
)
# a result's figure ("about 100 a week", "£67m", "half"); a year alone dates, it does not count
_FIGURE = re.compile(
    r"(?<![\d.,])(?!(?:19|20)\d{2}\b)\d|£|%|\bper\s?cent\b|\b(?:half|third|quarter|doubled?)\b"
)
_LABEL_OPENING = re.compile(r"^([^:;,.]{2,60}):\s")
_NAMES = re.compile(r"(?<!^)(?<![.:;]\s)\b[A-Z][A-Za-z&-]+(?:\s+[A-Z][A-Za-z&-]+)*")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]{1,}[A-Za-z]*\b")


def _cue(kind: QuestionType, candidate: _Candidate, subject: set[str], question: str = "") -> float:
    """A small bonus for the sentence that fits the kind of question asked."""
    text = candidate.text
    bonus = 0.0
    if _QUANTITY.search(question.lower()) and _FIGURE.search(text):
        bonus += 0.15  # "what did it achieve": the sentence with the figures
    for acronym in _ACRONYM.findall(question):
        if f"({acronym})" in text or f"({acronym}s)" in text:
            bonus += 0.15  # where the short name is spelt out: its definition
    return bonus + _kind_cue(kind, candidate, subject)


def _kind_cue(kind: QuestionType, candidate: _Candidate, subject: set[str]) -> float:
    text = candidate.text
    if kind == "who":
        return 0.1 if len(_NAMES.findall(text)) >= 2 else 0.0
    if kind == "when":
        return 0.25 if _DATE.search(text) else 0.0
    if kind == "definition":
        opening = set(search_terms(" ".join(text.split()[:6])))
        defines = bool(_DEFINES.search(" ".join(text.split()[:12])))
        label = _LABEL_OPENING.match(text)  # "Disclosure UK: an ABPI-run database that…"
        if label and set(search_terms(label[1])) & subject:
            return 0.25
        return 0.25 if defines and (opening & subject or candidate.position == 0) else 0.0
    if kind == "can":
        modal = _PERMITS.search(text) or _FORBIDS.search(text) or _CONDITION.search(text)
        return 0.15 if modal or _DUTY.search(text) else 0.0
    if kind == "how":
        return 0.1 if _DUTY.search(text) or _STEPS.search(text) else 0.0
    if kind == "list":
        return LISTING if _LISTING.search(text) else 0.0
    return 0.0


# "A summary typically includes: the title; a rationale; …": a sentence that is itself a list,
# what a "what goes in…" question asks for, rather than one of its items or a remark about it
_LISTING = re.compile(r":\s[^;]+;[^;]+;")
# "The pattern each time: name the group, choose one number, state the baseline…": steps set
# out after a colon, what a "how do I" question asks for
_STEPS = re.compile(r":\s+[a-z][^,;:]+[,;]\s+[a-z][^,;:]+[,;]\s+[a-z]")
LISTING = 0.1


def _overlap(a: list[str], b: list[str]) -> bool:
    """Whether two sentences say the same in their words: most words shared, or one sentence
    almost wholly inside the other. Short sentences on one topic share a few words without
    saying the same thing, so a few shared words are not enough."""
    first, second = set(a), set(b)
    if not first or not second:
        return False
    shared = len(first & second)
    if shared / len(first | second) >= DUPLICATE_OVERLAP:
        return True
    return shared >= 4 and shared / min(len(first), len(second)) >= 0.85


def compose_answer(
    question: str,
    passages: Sequence[Passage],
    embeddings: Embedder | None = None,
    *,
    context: AnswerContext = NO_CONTEXT,
    outline: Outline | None = None,
) -> Answer:
    """2–5 sentences from `passages` that answer `question`, each with a numbered citation.

    `embeddings` are the search's own (vectors are cached there, so a passage read twice is
    embedded once); without them, or with vectors of no dimensions, sentences are scored by
    their words alone.
    """
    question = " ".join(question.split()).lstrip("? ")
    kind = question_type(question)
    passages = tuple(passages)
    asked = context.query(question)
    candidates = _candidates(passages)
    if not candidates:
        return Answer(question, kind, "", (), (), passages)
    terms = _weighted_terms(asked) or search_terms(question)
    subject = set(search_terms(DEFINITION_OPENING.sub("", question.lower())))

    words = np.zeros(len(candidates))
    if terms:
        # b: how much a long sentence is discounted; less than for passages, or every short
        # generic sentence that shares one word with the question would outrank the answer
        bm25 = BM25Okapi([c.matched for c in candidates], b=SENTENCE_BM25_B)
        words = _scale(np.asarray(bm25.get_scores(terms), dtype=np.float64))
    dense = np.zeros(len(candidates))
    if embeddings is not None:
        # by meaning, the question without the example it quotes (see _weighted_terms)
        meaning = " ".join(_QUOTED.sub(" ", asked).split()) if _QUOTED.search(asked) else asked
        rows = _unit(embeddings.embed_documents([meaning or asked, *(c.text for c in candidates)]))
        if rows is not None:
            dense = _scale(rows[1:] @ rows[0])
            for candidate, row in zip(candidates, rows[1:], strict=True):
                candidate.vector = row
    sections_asked = [heading for asks, heading in _SECTION_CUES if asks.search(question)]
    ranked = [p.score for p in passages]
    top = max(ranked) or 1.0
    wants_cases = kind == "example"
    for i, candidate in enumerate(candidates):
        passage = passages[candidate.passage]
        prior = 0.5 * (max(passage.score, 0.0) / top) + 0.5 / (1 + candidate.passage)
        weight_words = W_WORDS if dense.any() else W_WORDS + W_DENSE
        score = W_DENSE * dense[i] + weight_words * words[i] + W_PASSAGE * prior
        score += _cue(kind, candidate, subject, question)
        if any(words in passage.heading.lower() for words in sections_asked):
            score += SECTION_ASKED  # "what did they achieve" is answered under "Results"
        score += context.fit(candidate.text, question)
        if not passage.url:
            score -= 0.1  # a sentence a reader cannot check at its source is quoted last
        if passage.kind == "case" and not wants_cases:
            score -= 0.08  # a story illustrates; the guide usually answers
        if _CASE_ASIDE.match(candidate.text) and not wants_cases:
            score -= 0.05
        if _META.match(candidate.text):
            score -= 0.15  # a sentence about the guide, not about the question
        if _SAYS_ILLUSTRATIVE.search(candidate.text) and not wants_cases:
            score -= 0.1  # "Say a network and a company plan… (illustrative)": a made-up example
        # a long sentence spends the answer's words that two shorter points could use
        score -= LENGTH_COST * max(0, len(candidate.text.split()) - LONG_SENTENCE)
        if (_LABELLED.match(candidate.text) or "“" in candidate.text or '"' in candidate.text) and (
            not wants_cases
        ):
            score -= 0.06  # a quoted example illustrates rather than answers
        candidate.score = score

    _mark_points(candidates, set(terms))
    if kind == "list" and outline is not None and not _lists_itself(question, candidates):
        sections = _sections(question, passages, outline, top=max(c.score for c in candidates))
        candidates += [sections] if sections else []
    chosen = _with_continuations(
        _choose(candidates, passages), candidates, defining=kind == "definition"
    )
    chosen = _ordered(chosen, kind)
    if kind == "definition":
        chosen = _spelt_out(question, chosen, passages)
    citations: dict[str, AnswerCitation] = {}
    said: list[AnswerSentence] = []
    for candidate in chosen:
        passage = passages[candidate.passage]
        if passage.path not in citations:
            citations[passage.path] = AnswerCitation(
                len(citations) + 1, passage.title, passage.url, passage.path, passage.heading
            )
        said.append(AnswerSentence(candidate.text, citations[passage.path].n))
    lead = _verdict(question, [c.text for c in chosen]) if kind == "can" else ""
    return Answer(question, kind, lead, tuple(said), tuple(citations.values()), passages)


_LIST_NOUN = re.compile(r"\b(?:" + LIST_NOUNS + r")\b", re.IGNORECASE)


def _lists_itself(question: str, candidates: list[_Candidate]) -> bool:
    """Whether a sentence already lists what was asked for ("The canvas has six boxes: who;
    what; …"): better than a list of the document's sections."""
    nouns = set(search_terms(" ".join(_LIST_NOUN.findall(question))))
    return bool(nouns) and any(c.text.count(";") >= 2 and nouns & set(c.words) for c in candidates)


_CONNECTORS = frozenset({"and", "of", "for", "the", "in", "on", "to"})


def _spelt_out(
    question: str, chosen: list[_Candidate], passages: Sequence[Passage]
) -> list[_Candidate]:
    """ "What is the DTAC?" answered with what DTAC stands for: when no chosen sentence spells
    the short name out, its first use is followed by the long form its own passage gives
    (in its text, heading or title), so the words added come from the document cited."""
    result = list(chosen)
    for acronym in set(_ACRONYM.findall(question)):
        if any(f"({acronym})" in c.text for c in result):
            continue
        for i, candidate in enumerate(result):
            used = re.search(rf"\b{re.escape(acronym)}\b", candidate.text)
            passage = passages[candidate.passage]
            where = f"{passage.title}\n{passage.heading}\n{plain_text(passage.text)}"
            long_form = _long_form(acronym, where) if used else ""
            if used and long_form and long_form.lower() not in candidate.text.lower():
                at = used.end()
                text = f"{candidate.text[:at]} ({long_form}){candidate.text[at:]}"
                result[i] = replace(candidate, text=text)
                break
    return result


def _long_form(acronym: str, text: str) -> str:
    """The words before "(ACRONYM)" whose initials spell it ("Digital Technology Assessment
    Criteria (DTAC)"), joining words such as "and" or "of" allowed between them; else ""."""
    letters = acronym.lower()
    for match in re.finditer(rf"\(\s*{re.escape(acronym)}s?\s*\)", text):
        words = text[: match.start()].split()[-2 * len(letters) - 4 :]
        taken: list[str] = []
        for word in reversed(words):
            taken.insert(0, word)
            initials = "".join(w[0].lower() for w in taken if w.lower() not in _CONNECTORS)
            if initials == letters:
                return " ".join(taken).strip(" ,:;")
            if not letters.endswith(initials):
                break
    return ""


_QUOTED = re.compile(r"""(?:^|(?<=\s))['‘"“]([^'’"”]{3,80})['’"”](?=[\s,.?!;:-]|$)""")


def _weighted_terms(question: str) -> list[str]:
    """The question's words for BM25, the words it quotes counting half as much as its own.

    A quoted phrase is usually the user's example ("how do I turn 'improve diabetes care' into
    a proper aim"): matched as strongly as the question, it finds the knowledge base's own
    quoted examples that share its words, not the advice asked for. BM25 adds a score per
    term, so the question's own words are simply given twice."""
    quoted = " ".join(_QUOTED.findall(question))
    own = search_terms(_QUOTED.sub(" ", question))
    if not quoted or not own:
        return search_terms(question)
    return own + own + search_terms(quoted)


def _sections(
    question: str, passages: Sequence[Passage], outline: Outline, *, top: float
) -> _Candidate | None:
    """For "what are the stages of…": the document's own section headings, as one sentence led
    by its title ("Hard and soft barriers: capacity…; poorly aligned incentives; …"), from the
    best passage whose document is named by the question's words. Only the document's words.

    The sections answer only a question about the whole document: most of what the question
    names (beyond "stages", "boxes" and the like) must be in the title. "Caldicott principles in
    a nutshell" shares one word with a guide that covers far more than Caldicott, and its
    section list would answer a different question."""
    wanted = set(search_terms(question)) - set(search_terms(" ".join(_LIST_NOUN.findall(question))))
    for index, passage in enumerate(passages):
        titled = set(search_terms(passage.title))
        if not wanted or len(wanted & titled) * 3 < len(wanted) * 2:
            continue
        headings = [plain_text(h).rstrip(" .:") for h in outline(passage.path)]
        headings = [in_list(h) for h in headings if h]
        if len(headings) < 3:
            return None
        text = f"{plain_text(passage.title).rstrip(' .:')}: {'; '.join(headings)}."
        while len(text.split()) > MAX_WORDS_IN_LIST and len(headings) > 3:
            headings.pop()
            text = f"{plain_text(passage.title).rstrip(' .:')}: {'; '.join(headings)}."
        words = search_terms(text)
        return _Candidate(text, index, -1, words, words, score=top + 0.3)
    return None


def _choose(candidates: list[_Candidate], passages: Sequence[Passage]) -> list[_Candidate]:
    """The best sentences, each next one chosen for its score less its likeness to those
    already chosen (so the answer covers more than one point), skipping near-duplicates, a
    document's sentences past its cap, and anything scoring well below the best."""
    best = max((c.score for c in candidates), default=0.0)
    remaining = sorted(candidates, key=lambda c: -c.score)
    chosen: list[_Candidate] = []
    per_document: dict[str, int] = {}
    caps = _caps(passages)
    total = 0
    while remaining and len(chosen) < MAX_SENTENCES:
        candidate = max(remaining, key=lambda c: c.score - REDUNDANCY * _likeness(c, chosen))
        remaining.remove(candidate)
        if len(chosen) >= MIN_SENTENCES and candidate.score < best * KEEP_FRACTION:
            continue
        path = passages[candidate.passage].path
        if per_document.get(path, 0) >= caps[path]:
            continue
        length = len(candidate.text.split())
        twin = next((other for other in chosen if _same(candidate, other)), None)
        if twin is not None:
            grown = total - len(twin.text.split()) + length
            if _says_more(candidate, twin) and grown <= MAX_WORDS:
                chosen[chosen.index(twin)] = candidate  # the fuller sentence in its place
                per_document[passages[twin.passage].path] -= 1
                per_document[path] = per_document.get(path, 0) + 1
                total = grown
            continue
        if chosen and total + length > MAX_WORDS:
            continue
        chosen.append(candidate)
        per_document[path] = per_document.get(path, 0) + 1
        total += length
    return chosen


_CONTINUES = re.compile(
    r"^(?:this|these|that|those|it|they|such|for\s+example|for\s+instance|so|then|in\s+practice)\b",
    re.IGNORECASE,
)


def _with_continuations(
    chosen: list[_Candidate], candidates: list[_Candidate], *, defining: bool = False
) -> list[_Candidate]:
    """A chosen sentence's next sentence when that one only continues it ("This means…",
    "They argued that…"): the point and what it goes on to say read together.

    The best two sentences' continuations come first, even at the cost of the weakest chosen
    sentence: "They argued that companies can grow the total pool of value" is the second half
    of the definition that leads, and scores low on its own only because it says "they". For
    a "what is" question the best sentence's continuation comes whatever it scores ("It must
    either enhance patient care…" is what the leading definition goes on to require); else
    only when it says about as much as the sentence it displaces (a case's "It was developed
    by…" must not push out the lesson asked for)."""
    following = {(c.passage, c.position): c for c in candidates}
    result = list(chosen)
    added: list[_Candidate] = []  # continuations taken, which a later one may not displace
    for rank, candidate in enumerate(chosen):
        for after in _continuations(
            candidate, candidates, following, result, defining=defining and rank == 0
        ):
            if candidate in result:
                result = _add_continuation(result, chosen, rank, after, added, defining=defining)
    return _without_dangling(result, candidates)


def _continuations(
    candidate: _Candidate,
    candidates: list[_Candidate],
    following: dict[tuple[int, int], _Candidate],
    taken: list[_Candidate],
    *,
    defining: bool = False,
) -> list[_Candidate]:
    """The sentences that go on from `candidate` ("Then list three different fixes…"): its own
    next sentence, and the next sentence of a twin dropped as its duplicate. Two guides that
    give the same advice in other words differ in what they say next, and the twin's next
    sentence reads on from the chosen one as well as from its own. After a definition, the
    sentence giving the form of what it defines ("…gives the form "[user] needs…"") goes on
    from it too."""
    found = []
    own = following.get((candidate.passage, candidate.position + 1))
    if own is not None and (
        _goes_on(own, taken) or (defining and own not in taken and gives_form(own.text))
    ):
        found.append(own)
    for twin in candidates:
        if twin is candidate or twin in taken or not _same(twin, candidate):
            continue
        after = following.get((twin.passage, twin.position + 1))
        if after is not None and after not in found and _goes_on(after, taken):
            after.follows = candidate
            found.append(after)
    return found


def _goes_on(sentence: _Candidate, taken: list[_Candidate]) -> bool:
    """Whether a sentence only continues the one before it (and is not about the guide)."""
    return (
        sentence not in taken
        and bool(_CONTINUES.match(sentence.text))
        and not _META.match(sentence.text)
    )


def _add_continuation(
    result: list[_Candidate],
    chosen: list[_Candidate],
    rank: int,
    after: _Candidate,
    added: list[_Candidate],
    *,
    defining: bool,
) -> list[_Candidate]:
    """`result` with `after` added to go on from `chosen[rank]`, the weakest other sentences
    dropped to make room when the point it continues is among the best two, or unchanged.
    A continuation taken joins `added`."""
    # read together, a continuation shares in the point it goes on from
    worth = (after.score + chosen[rank].score) / 2
    protected = {id(c) for c in [*chosen[: rank + 1], *added, after]}
    trial = [*result, after]
    while rank < 2 and not _fits(trial):
        weakest = [c for c in trial if id(c) not in protected]
        if not weakest or len(trial) <= MIN_SENTENCES:
            break
        dropped = min(weakest, key=lambda c: c.score)
        if not (defining and rank == 0) and worth < CONTINUATION_SHARE * dropped.score:
            break  # it continues the point but says less about the question
        trial.remove(dropped)
    if not _fits(trial):
        return result
    added.append(after)
    return trial


# "It…", "They…", and an instruction whose place or object is the sentence before ("Start
# there to check…", "Ask them…")
_POINTS_BACK = re.compile(
    r"^(?i:it|its|they|their|this|these|that|those|such)\b|^[A-Z][a-z]+\s+(?:there|them)\b",
)


def _points_back(sentence: str) -> bool:
    """Whether a sentence means the one before it; "This guide explains…" means the guide."""
    return bool(_POINTS_BACK.match(sentence)) and not _META.match(sentence)


def _without_dangling(chosen: list[_Candidate], candidates: list[_Candidate]) -> list[_Candidate]:
    """A sentence that opens "It…" or "They…" means the sentence before it: quoted without
    that one ("It brings existing law together…") it reads as being about whatever precedes
    it in the answer. So its sentence before comes too, in place of the weakest other, or the
    pointing sentence goes."""
    previous = {(c.passage, c.position): c for c in candidates}
    result = list(chosen)
    for candidate in chosen:
        if candidate not in result or not _points_back(candidate.text):
            continue
        before = previous.get((candidate.passage, candidate.position - 1))
        if before is not None and before in result:
            continue
        trial = [*result, before] if before is not None else list(result)
        while before is not None and not _fits(trial):
            others = [c for c in trial if c is not candidate and c is not before]
            if len(trial) <= MIN_SENTENCES or not others:
                break
            trial.remove(min(others, key=lambda c: c.score))
        if before is not None and _fits(trial) and len(trial) >= MIN_SENTENCES:
            result = trial
        elif len(result) > MIN_SENTENCES:
            result.remove(candidate)
    return result


def _fits(chosen: list[_Candidate]) -> bool:
    words = sum(len(c.text.split()) for c in chosen)
    return len(chosen) <= MAX_SENTENCES and words <= MAX_WORDS


def _caps(passages: Sequence[Passage]) -> dict[str, int]:
    """How many sentences each document may give. A case story gives two, so it cannot crowd
    out the guide that answers; but when most of the passages found are one document, the
    question is about that document and it may give the whole answer."""
    counts: dict[str, int] = {}
    for passage in passages:
        counts[passage.path] = counts.get(passage.path, 0) + 1
    caps = {}
    for passage in passages:
        if counts[passage.path] * 2 >= len(passages):
            caps[passage.path] = MAX_SENTENCES
        else:
            caps[passage.path] = PER_CASE if passage.kind == "case" else PER_DOCUMENT
    return caps


def _likeness(candidate: _Candidate, chosen: list[_Candidate]) -> float:
    """How close a sentence is in meaning to the closest one already chosen (0 when unknown)."""
    if candidate.vector is None or not chosen:
        return 0.0
    return max(
        (float(candidate.vector @ c.vector) for c in chosen if c.vector is not None), default=0.0
    )


def _says_more(longer: _Candidate, shorter: _Candidate) -> bool:
    """Whether a sentence holds nearly all of a shorter one's words and much besides: "The
    canvas is a grid of six boxes (who, what, …)" says what "The canvas has six boxes" says,
    and names them, so it should take the short one's place rather than be dropped as its
    duplicate."""
    mine, theirs = set(longer.words), set(shorter.words)
    if not theirs or len(mine) < SAYS_MORE * len(theirs):
        return False
    return len(mine & theirs) / len(theirs) >= 0.85


def _same(a: _Candidate, b: _Candidate) -> bool:
    close = a.vector is not None and b.vector is not None and float(a.vector @ b.vector)
    if close and close >= DUPLICATE_COSINE:
        return True
    return _overlap(a.words, b.words) or _same_point(a, b)


SAME_POINT = 0.5  # share of the smaller sentence's weighted point the other makes too


def _mark_points(candidates: list[_Candidate], asked: set[str]) -> None:
    """Give each candidate its point: its words beyond the question's, weighted by rarity.

    The small embedding model puts two wordings of one rule ("the company's gain must never be
    an inducement to prescribe" and "the rules forbid any partnership being an inducement to
    prescribe") no closer than unrelated sentences on the same topic, so an answer could say the
    rule three times. Rare words they share ("inducement", "prescribe") say they make one point.
    """
    count = len(candidates)
    frequency: dict[str, int] = {}
    for candidate in candidates:
        for word in set(candidate.words):
            frequency[word] = frequency.get(word, 0) + 1
    for candidate in candidates:
        candidate.point = {
            w: np.log((1 + count) / (1 + frequency[w]))
            for w in set(candidate.words) - asked
            if frequency[w] <= max(2, count // 4)  # a word in many sentences is the topic
        }


def _same_point(a: _Candidate, b: _Candidate) -> bool:
    shared = sum(a.point[w] for w in a.point.keys() & b.point.keys())
    smaller = min(sum(a.point.values()), sum(b.point.values()))
    return (
        smaller > 0 and len(a.point.keys() & b.point.keys()) >= 2 and shared >= SAME_POINT * smaller
    )


_STEP_ON = re.compile(r"^(?:then|next|also|so|finally|after\s+that)\b", re.IGNORECASE)


def _ordered(chosen: list[_Candidate], kind: QuestionType) -> list[_Candidate]:
    """The best sentence leads; the others follow by passage, in their passage's own order.

    A "when" question leads with the best sentence holding a date, a "what is" question with the
    best one that defines, whatever their scores, so the answer opens with what was asked.
    """
    if not chosen:
        return []
    # "Then score the draft…" goes on from a step the answer does not give: it cannot open it
    lead = next((c for c in chosen if not _STEP_ON.match(c.text)), chosen[0])
    fits = {"when": lambda c: bool(_DATE.search(c.text)), "definition": _defines}.get(kind)
    if fits is not None:
        lead = next((c for c in chosen if fits(c)), lead)
    if _points_back(lead.text):  # "It…" follows the sentence it points back to
        at = {(c.passage, c.position): c for c in chosen}
        while _points_back(lead.text) and (lead.passage, lead.position - 1) in at:
            lead = at[(lead.passage, lead.position - 1)]
    rest = [c for c in chosen if c is not lead]
    # after the lead, its own passage reads on from it (a following "It…" stays next to it)
    rest.sort(
        key=lambda c: (c.passage != lead.passage, c.passage, c.position < lead.position, c.position)
    )
    ordered = [lead, *rest]
    for candidate in rest:
        anchor = candidate.follows
        if anchor is not None and anchor in ordered:
            ordered.remove(candidate)  # a twin's continuation reads straight after its point
            ordered.insert(ordered.index(anchor) + 1, candidate)
    return ordered


def _defines(candidate: _Candidate) -> bool:
    return bool(_DEFINES.search(" ".join(candidate.text.split()[:12])))


MIN_CONDITION_WORDS = 4  # "only if they" says nothing; "only after a lawful basis is agreed" does
VERDICT_SHARED_TERMS = 2  # words the lead must share with the question to settle it


def _verdict(question: str, chosen: list[str]) -> str:
    """Yes, No or It depends for a can-question, read from the chosen sentences' own words.

    A condition ("only if", "provided", "unless") in the first two sentences makes it depend,
    and the condition is quoted. Otherwise a prohibition in the lead sentence is a No, and a
    duty (for "do we have to…") or a plain permission a Yes, but only when the lead is about
    what was asked: it shares at least two of the question's words. A wrong "Yes." to "can the
    project be tied to their drug?" is worse than none, so when the wording settles nothing,
    or "may" only says what something may be, the answer carries no verdict.
    """
    for sentence in chosen[:2]:
        if match := _CONDITION.search(sentence):
            clause = " ".join(match["clause"].split()).rstrip(" ,")
            for words in (clause, clause.split(",")[0]):  # the whole condition, or its head
                if MIN_CONDITION_WORDS <= len(words.split()) <= MAX_CONDITION_WORDS:
                    return f"It depends: {words.strip()}."
    lead = chosen[0] if chosen else ""
    if len(set(search_terms(lead)) & set(search_terms(question))) < VERDICT_SHARED_TERMS:
        return ""  # the lead is about something else: no verdict to read from it
    if _FORBIDS.search(lead):
        return "No."
    if _ASKS_DUTY.search(question.lower()) and _DUTY.search(lead):
        return "Yes."
    if _GRANTS.search(lead):
        return "Yes."
    return ""


# a permission the lead grants: "can see", "is allowed to"; not "may be", "can only be solved"
_GRANTS = re.compile(
    r"\b(?:is allowed|are allowed|is permitted|are permitted|can(?!\s+only)(?!\s+be\b))\b"
)


def answer(
    search: Searcher,
    question: str,
    *,
    k: int = 5,
    kind: str | None = None,
    context: AnswerContext = NO_CONTEXT,
) -> Answer:
    """Search, then compose: what `coach ask` prints.

    The answer reads more passages than are shown after it: the sentence that answers is often
    in the sixth passage, behind stories that share the question's words.
    """
    pool = search.search(context.query(question), k=max(k, POOL), kind=kind)
    composed = compose_answer(
        question, pool, sentence_embedder(search), context=context, outline=_outline(search)
    )
    return replace(composed, passages=tuple(pool[:k]))


def compose_in_place(
    question: str,
    pool: Sequence[Passage],
    search: object | None,
    *,
    context: AnswerContext = NO_CONTEXT,
    shown: int = 3,
) -> Answer:
    """`compose_answer` for a caller that searched already (the coaching engine).

    Scoring by meaning is a refinement: should the embeddings fail, the answer is composed
    from the words alone rather than lost.
    """
    try:
        composed = compose_answer(
            question, pool, sentence_embedder(search), context=context, outline=_outline(search)
        )
    except Exception as error:  # a failing model must not cost the answer
        log.warning("answer composed without embeddings: %s", error)
        composed = compose_answer(question, pool, None, context=context)
    return replace(composed, passages=tuple(pool[:shown]))


def _outline(search: object) -> Outline | None:
    found = getattr(search, "outline", None)
    return found if callable(found) else None


def sentence_embedder(search: object) -> Embedder | None:
    """The search's sentence vectors (kept on disk) when it has them, else its embeddings."""
    for name in ("sentence_vectors", "embeddings"):
        found = getattr(search, name, None)
        if isinstance(found, Embedder):
            return found
    return None
