"""What passes between a caller and a chat model, as plain values with no model library loaded.

The coaches, the engine and the evals name these in their signatures; keeping them here, below
both the coaching package and the client (`bot.llm.client`), means the client needs nothing from
the coaching package and importing a coach's interface does not load openai or langchain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.errors import ModelUnavailable

TextSink = Callable[[str], None]  # receives reply text as the model writes it (streaming)


@dataclass
class Usage:
    """Tokens a model call (or a whole turn's calls) cost, as the server reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass(frozen=True)
class Turn:
    """One earlier message, for callers that replay the conversation so far to a model."""

    role: str  # "user" | "coach"
    text: str


__all__ = ["ModelUnavailable", "TextSink", "Turn", "Usage"]
