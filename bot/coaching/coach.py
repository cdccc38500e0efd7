"""What every coach can do, so the engine treats the guided and the LLM coach alike.

The engine owns the conversation (stages, storage, privacy, retrieval); a coach only turns an
answer into feedback, answers side questions, writes the draft and scores it. A coach that cannot
(a model timed out, a server rejected every output format) raises CoachUnavailable and the engine
falls back to the guided coach for that turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.coaching.checks import Issue
from bot.coaching.recogniser import Part
from bot.coaching.stages import Question
from bot.drafts.content import DraftContent, RubricScore
from bot.retrieval.passage import Passage

TextSink = Callable[[str], None]  # receives reply text as the model writes it (streaming)


class CoachUnavailable(RuntimeError):
    """The coach could not answer this turn; the message says why, in plain words."""


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass
class Said:
    """Coach words for the user, with what it cost."""

    text: str
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class Turn:
    """One earlier message, for coaches that read the conversation so far."""

    role: str  # "user" | "coach"
    text: str


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
    ) -> Said: ...

    def side_answer(
        self,
        question: str,
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
    ) -> Said: ...

    def recognise(self, text: str, asked: str | None) -> tuple[list[Part], Usage]:
        """The parts of an answer and the question(s) each answers."""
        ...

    def compose(self, request: DraftRequest) -> tuple[DraftContent, Usage]: ...

    def score(
        self, content: DraftContent, answers: dict[str, str], deterministic: RubricScore
    ) -> tuple[RubricScore, Usage]: ...
