"""A knowledge search without a model or an index, for tests that are about something else.

The engine, the LLM coach and the Slack adapter look up tips, side answers and draft sources,
but what those tests check is the conversation, not which passage ranks first. The real
`KnowledgeSearch` needs the embedding model (torch) and a Chroma index of the whole knowledge
base, which costs tens of seconds before the first test; retrieval itself is tested against the
real index in tests/test_retrieval_quality.py and tests/test_indexing.py.

`FakeSearch` ranks a handful of passages, written for the tests, by the words they share with the
query, so the same query always gets the same cited passages. Its `embeddings` have no
dimensions: the engine hands them to the answer recogniser, which then reads words only, exactly
as it does when no model is available (`Engine(store)` with no search).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.retrieval.passage import Passage

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an and are as at be by do for from has have how in is it of on or our so that the their "
    "them they this to was we what when where which who why will with you your".split()
)


def _terms(text: str) -> set[str]:
    """Lower-cased content words, with a plural's trailing s dropped so 'aims' meets 'aim'."""
    words = (w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1)
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _passage(path: str, title: str, kind: str, heading: str, text: str) -> Passage:
    return Passage(
        title=title,
        source=f"Test corpus: {title}",
        path=path,
        heading=heading,
        kind=kind,
        score=0.0,
        text=text,
        source_urls=(f"https://example.org/{path.removesuffix('.md')}",),
    )


# One passage per topic the coach looks up: writing the statement, each party's value, evidence,
# root causes, measures, industry rules, patient data and a worked case. No sentence has a
# patient cue (a singular 'patient', 'carer', 'resident'…) beside a capitalised word: the privacy
# guard would pass it to Presidio, whose model a fast test must not load (tips are redacted
# when a turn is stored).
PASSAGES: tuple[Passage, ...] = (
    _passage(
        "frameworks/problem-statement-canvas.md",
        "The problem statement canvas",
        "framework",
        "Writing a problem statement",
        "A good problem statement names who is affected, what happens to them now and why it "
        "matters. It states the gap with a figure and its source, and it leaves the solution "
        "out so partners can agree on the problem first.",
    ),
    _passage(
        "frameworks/value-proposition-canvas.md",
        "The value proposition canvas for partnerships",
        "framework",
        "Value for each party",
        "A partnership's value proposition says what patients and carers gain, what the NHS "
        "organisation gains and what the partner organisation gains. Each party's value should "
        "be stated in its own terms, and a proposition with a missing party rarely lasts.",
    ),
    _passage(
        "guides/from-symptom-to-root-cause.md",
        "From symptom to root cause",
        "guide",
        "Asking why",
        "A symptom is what people notice; the root cause is why it keeps happening. Ask why "
        "until the answer is something the partners could change, such as reviews that are "
        "never booked because no one owns the register.",
    ),
    _passage(
        "guides/evaluation-and-benefits-realisation.md",
        "Evaluation and benefits realisation",
        "guide",
        "Evidence and a baseline",
        "Evidence for a problem is a figure with its data source and period, such as a "
        "national audit or the practice registers for last year. Agree the baseline before the "
        "work starts, so the benefits can be measured against it.",
    ),
    _passage(
        "frameworks/smart-aims-and-measures.md",
        "SMART aims and measures",
        "framework",
        "What makes an aim SMART",
        "A SMART aim is specific, measurable, achievable, relevant and time-bound: a target "
        "figure by a date. Pair each outcome measure with a process measure and a balancing "
        "measure, so the partners see early whether the change works.",
    ),
    _passage(
        "frameworks/driver-diagrams.md",
        "Driver diagrams",
        "framework",
        "What a driver diagram shows",
        "A driver diagram links an aim to the primary drivers that shape it, the secondary "
        "drivers beneath them and the change ideas that act on each. It helps partners see "
        "which of their ideas really move the aim.",
    ),
    _passage(
        "guides/joint-working-rules.md",
        "Rules for NHS-pharmaceutical joint working",
        "guide",
        "Joint working with industry",
        "Joint working between the NHS and a pharmaceutical company must put patients first, "
        "share resources and benefit patients. The ABPI Code asks for a written agreement, an "
        "executive summary published before the work starts and an exit plan.",
    ),
    _passage(
        "guides/information-governance-before-data-moves.md",
        "Information governance before any data moves",
        "guide",
        "Lawful basis and a DPIA",
        "Before patient data moves between organisations, agree the lawful basis, who is the "
        "controller and who is the processor, and sign a data sharing agreement. Complete a "
        "data protection impact assessment (DPIA) first.",
    ),
    _passage(
        "cases/af-anticoagulation-gloucestershire.md",
        "Case: atrial fibrillation and stroke prevention",
        "case",
        "Reported",
        "Practices reviewed adults with atrial fibrillation who were not anticoagulated. "
        "Pharmacists ran the reviews with the practices, and more eligible patients were "
        "offered anticoagulation to prevent strokes.",
    ),
)


class WordlessEmbeddings:
    """Vectors with no dimensions: whatever reads them learns nothing from meaning.

    One instance is shared by every `FakeSearch`, so the answer recogniser the engine builds on
    it (one per embedding model, see `shared_recogniser`) is trained once per test run, and
    that recogniser is the no-model one (see `_share_the_no_model_recogniser`).
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return []


WORDLESS = WordlessEmbeddings()


def _share_the_no_model_recogniser() -> None:
    """Let engines over `FakeSearch` use the recogniser of engines with no search at all.

    The recogniser's features are the embedding's vector beside word hashes and rule scores;
    a vector of no dimensions adds nothing, so a recogniser trained over `WORDLESS` is the
    no-model one, weight for weight. `shared_recogniser` keys on the embedding object and
    cannot know that, and each process trained the same model twice (a second or more of CPU
    in every test worker). Reaching into its registry is a test's privilege: should it be
    renamed, this does nothing and the tests only take longer.
    """
    from bot.coaching import recogniser

    registry = getattr(recogniser, "_shared", None)
    lock = getattr(recogniser, "_shared_lock", None)
    if registry is None or lock is None:
        return
    no_model = recogniser.shared_recogniser(None)
    with lock:
        if not any(known is WORDLESS for known, _ in registry):
            registry.append((WORDLESS, no_model))


_share_the_no_model_recogniser()


class FakeSearch:
    """Stands in for `bot.retrieval.search.KnowledgeSearch` where retrieval is not under test.

    `queries` records each lookup, so a test can check that the engine looked something up
    without depending on how a real index ranks the answer.
    """

    def __init__(self, passages: Sequence[Passage] = PASSAGES) -> None:
        self.passages = tuple(passages)
        self.embeddings = WORDLESS
        self.kept = 0  # calls to keep_what_was_learnt
        self.queries: list[str] = []

    def warm_up(self) -> None:
        """Nothing to load."""

    def keep_what_was_learnt(self) -> None:
        """Nothing is embedded, so nothing to write; counted so a test can see it was asked."""
        self.kept += 1

    def passage_count(self) -> int:
        return len(self.passages)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        kind: str | None = None,
        mode: str = "hybrid",
        diversify: bool = True,
        meaning_of: Sequence[str] = (),
    ) -> list[Passage]:
        """Up to `k` passages, most shared words first, ties in corpus order.

        Like the real search, any non-blank query gets passages (the best of a weak lot rather
        than none); `mode`, `diversify` and `meaning_of` are accepted and change nothing.
        """
        query = query.strip()
        if not query:
            return []
        self.queries.append(query)
        wanted = _terms(query)
        candidates = [p for p in self.passages if kind is None or p.kind == kind]
        scored = [
            (len(wanted & _terms(f"{p.title} {p.heading} {p.text}")), -i, p)
            for i, p in enumerate(candidates)
        ]
        scored.sort(key=lambda item: item[:2], reverse=True)
        best = max((shared for shared, _, _ in scored), default=0) or 1
        return [replace(p, score=round(shared / best, 4)) for shared, _, p in scored[:k]]
