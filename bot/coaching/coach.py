"""What every coach can do, so the engine treats the guided and the LLM coach alike.

The engine owns the conversation (stages, storage, privacy, retrieval); a coach only turns an
answer into feedback, answers side questions, writes the draft and scores it. A coach that cannot
(a model timed out, a server rejected every output format) raises `ModelUnavailable`
(`bot.llm.exchange`) and the engine falls back to the guided coach for that turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.coaching.checks import Issue
from bot.coaching.recogniser import Part
from bot.coaching.stages import Question
from bot.drafts.content import DraftContent, RubricScore
from bot.llm.exchange import TextSink, Turn, Usage
from bot.retrieval.answering import Answer
from bot.retrieval.passage import Passage


@dataclass
class CoachWords:
    """What a coach wrote for the user (feedback or a side answer), with what it cost."""

    text: str
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class ReadRequest:
    """One answer to read: the message, the question it was given to, and what feedback on it
    can draw on (the checks' findings, knowledge passages, the conversation so far)."""

    text: str
    asked: Question
    issues: list[Issue]
    passages: list[Passage]
    history: list[Turn]
    partners: str = ""  # the partner kinds in words ("local government or housing")


@dataclass
class Reading:
    """What a coach read in a message: its parts and the questions each answers, and, from a
    coach that writes both in one go (the LLM coach), its feedback on the answer."""

    parts: list[Part]
    feedback: CoachWords | None = None
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class DraftRequest:
    """Everything needed to write (or revise) a draft."""

    title: str
    partners: list[str]
    partner_type: str
    answers: dict[str, str]
    passages: list[Passage]
    previous: DraftContent | None = None
    instruction: str = ""  # a revision request in the user's words
    # What the statement model read from the answers, one slot a line with the words each came
    # from, for a model's prompt: when given, a model drafts from it rather than from the raw
    # answers, so both coaches write from one understanding.
    understood: str = ""


class Coach(Protocol):
    mode: str  # "guided" | "llm"
    model: str | None

    @property
    def prompt_versions(self) -> dict[str, str]: ...

    def feedback(
        self,
        question: Question,
        answer: str,
        issues: list[Issue],
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
    ) -> CoachWords: ...

    def side_answer(
        self,
        question: str,
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
        answer: Answer | None = None,
    ) -> CoachWords:
        """Answer a knowledge question; `answer` is the composed one (numbered sentences)."""
        ...

    def recognise(self, text: str, asked: str | None) -> tuple[list[Part], Usage]:
        """The parts of an answer and the question(s) each answers."""
        ...

    def read(self, request: ReadRequest, stream: TextSink | None = None) -> Reading:
        """The parts of an answer to the question asked, and feedback on it when the coach
        writes both at once (`Reading.feedback` None: ask `feedback` once the parts are filed)."""
        ...

    def compose(self, request: DraftRequest) -> tuple[DraftContent, Usage]: ...

    def score(
        self, content: DraftContent, answers: dict[str, str], deterministic: RubricScore
    ) -> tuple[RubricScore, Usage]: ...
