"""The guided coach: no model, rule-based feedback, template drafts, deterministic scores.

It is the default (no keys, no network) and the fallback when a model fails, so it has to be
useful on its own: specific feedback from the answer checks, and knowledge-base passages quoted
with their sources when the user asks a side question.
"""

from __future__ import annotations

from bot.coaching.checks import Issue
from bot.coaching.coach import CoachWords, DraftRequest, Reading, ReadRequest
from bot.coaching.compose import compose_draft
from bot.coaching.questions import Question
from bot.coaching.recogniser import Part, Recogniser, shared_recogniser
from bot.drafts.content import Citation, DraftContent, RubricScore
from bot.llm.exchange import TextSink, Turn, Usage
from bot.retrieval.answering import Answer
from bot.retrieval.passage import Passage, excerpt

__all__ = ["GuidedCoach", "citation", "excerpt", "shown_answer"]


def shown_answer(answer: Answer, text: str = "") -> str:
    """An answer as the user reads it: its sentences (or a model's words), then the numbered
    sources its [n] marks point to."""
    return f"{text or answer.text}\n\n{answer.sources}"


def citation(passage: Passage) -> Citation:
    return Citation(
        title=passage.title,
        source=passage.path,
        heading=passage.heading,
        url=passage.url,
        publication=passage.source,
    )


class GuidedCoach:
    mode = "guided"
    model: str | None = None

    def __init__(self, recogniser: Recogniser | None = None) -> None:
        self.recogniser = recogniser or shared_recogniser()

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {}

    def feedback(
        self,
        question: Question,
        answer: str,
        issues: list[Issue],
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
    ) -> CoachWords:
        if not issues:
            return CoachWords(question.praise)
        lines = ["A few things would make this stronger:"]
        lines += [f"• {issue.message}" for issue in issues[:3]]
        return CoachWords("\n".join(lines))

    def side_answer(
        self,
        question: str,
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
        answer: Answer | None = None,
    ) -> CoachWords:
        if answer is not None and answer.found:
            said = shown_answer(answer)
        elif not passages:
            said = (
                "I could not find anything on that in the knowledge base. Try other words, or "
                "carry on with the current question."
            )
        else:
            lines = ["Here is what the knowledge base says:"]
            for number, passage in enumerate(passages[:2], start=1):
                quoted = excerpt(passage.text, 3, 480, markdown=True)
                lines.append(f"[{number}] *{passage.title}*: {quoted} ({citation(passage).link})")
            said = "\n".join(lines)
        if stream is not None:
            stream(said)  # no model writing word by word: the whole answer in one piece
        return CoachWords(said)

    def recognise(self, text: str, asked: str | None) -> tuple[list[Part], Usage]:
        return self.recogniser.recognise(text, asked), Usage()

    def read(self, request: ReadRequest, stream: TextSink | None = None) -> Reading:
        """The recogniser's parts; feedback waits until they are filed, since the guided
        coach's feedback is the checks on the answer as filed."""
        return Reading(self.recogniser.recognise(request.text, request.asked.key))

    def compose(self, request: DraftRequest) -> tuple[DraftContent, Usage]:
        content = compose_draft(
            request.title,
            request.partners,
            request.answers,
            partner_type=request.partner_type,
            sources=_unique_citations(request.passages),
        )
        return content, Usage()

    def score(
        self, content: DraftContent, answers: dict[str, str], deterministic: RubricScore
    ) -> tuple[RubricScore, Usage]:
        return deterministic, Usage()


def _unique_citations(passages: list[Passage]) -> list[Citation]:
    seen: set[tuple[str, str]] = set()
    citations = []
    for passage in passages:
        key = (passage.path, passage.heading)
        if key not in seen:
            seen.add(key)
            citations.append(citation(passage))
    return citations
