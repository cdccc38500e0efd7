"""The configured coach with the guided coach behind it, for every part of a turn.

A model can fail at any call (a timeout, a quota, a server restarting); the turn must still be
answered. `Coaches.run` tries the configured coach and, on `ModelUnavailable`, has the guided
coach answer the same call and says so once in the reply's notices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from bot.coaching.coach import Coach
from bot.coaching.guided import GuidedCoach
from bot.errors import ModelUnavailable
from bot.llm.exchange import TextSink

log = logging.getLogger(__name__)

T = TypeVar("T")


class Coaches:
    """The coach a deployment chose (`coach`) and the offline one (`guided`) that stands in."""

    def __init__(self, guided: GuidedCoach, coach: Coach | None = None) -> None:
        self.guided = guided
        self.coach: Coach = coach or guided

    @property
    def mode(self) -> str:
        """ "guided" or "llm": what replies say wrote them, and what some rules depend on."""
        return self.coach.mode

    def run(self, notices: list[str], call: Callable[[Coach], T]) -> T:
        """Run with the configured coach; on failure, the guided coach answers this turn."""
        if self.coach is self.guided:
            return call(self.guided)
        try:
            return call(self.coach)
        except ModelUnavailable as error:
            log.warning("LLM coach unavailable: %s", error)
            notice = f"The AI coach is unavailable ({error}); the guided coach answered this turn."
            if notice not in notices:
                notices.append(notice)
            return call(self.guided)


class WatchedSink:
    """A stream that remembers whether any text went out through it.

    When a model fails and the guided coach answers instead, the guided coach may send its words
    in one piece only if nothing was shown yet: after half a model answer, its words belong in
    the finished reply, not appended to the stream behind the half answer.
    """

    def __init__(self, stream: TextSink | None) -> None:
        self._stream = stream
        self.used = False

    def __call__(self, piece: str) -> None:
        if self._stream is not None:
            self.used = True
            self._stream(piece)

    def until_used(self) -> TextSink | None:
        """This sink for a coach's first try, or a fallback's when nothing was streamed yet."""
        return None if self._stream is None or self.used else self
