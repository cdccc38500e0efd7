"""Ctrl-C and SIGTERM in `coach chat`: a turn is stored whole or not at all, and we say which.

A turn (the user's message and the coach's reply) is written in one transaction at its end, so
an interrupt taken at once in the middle would drop the message while the user believed it kept.
So during a turn the first SIGINT or SIGTERM is deferred: the turn finishes, is stored, and
the chat then ends saying so. A second Ctrl-C abandons the turn at once; the chat then checks
the store and says whether the message was saved (the commit may already have happened) rather
than guessing. Outside a turn an interrupt ends the chat with nothing pending.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.console.chat import ChatSession

__all__ = ["ChatInterrupts", "run_turns"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ChatInterrupts:
    """Signal handling for one chat: immediate between turns, deferred once within a turn."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._in_turn = False
        self.stop_requested = False
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self._in_turn and not self.stop_requested:
            self.stop_requested = True
            self._say(
                "Stopping after this message is saved (a moment). "
                "Press Ctrl-C again to abandon it instead."
            )
            return
        raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[ChatInterrupts]:
        """Handle SIGINT and SIGTERM for the chat's lifetime (main thread only)."""
        for signum in _SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        try:
            yield self
        finally:
            for number, previous in self._previous.items():
                signal.signal(number, previous)  # type: ignore[arg-type]  # what signal() returned

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Within this block the first interrupt waits for the turn to be stored."""
        self._in_turn = True
        try:
            yield
        finally:
            self._in_turn = False


def _last_turn(session: ChatSession) -> tuple[str, int] | None:
    """The newest stored turn of the current draft (draft id, message id), or None.

    Compared before and after an interrupted turn, it says whether the turn was stored.
    """
    draft_id = session.current_id()
    if draft_id is None:
        return None
    latest = session.engine.drafts.messages(session.actor, draft_id, limit=1)
    return (draft_id, latest[-1].id) if latest else (draft_id, 0)


def run_turns(session: ChatSession, lines: Iterable[str], interrupts: ChatInterrupts) -> str:
    """Run the chat until /quit, end of input or an interrupt; returns a farewell that says
    truthfully what is saved."""
    try:
        for line in lines:
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if not session.run_command(text):
                    break
                continue
            before = _last_turn(session)
            try:
                with interrupts.turn():
                    session.message(text)
            except KeyboardInterrupt:
                if _last_turn(session) != before:
                    return "Interrupted, but your last message and its reply were saved. Bye."
                return (
                    "Interrupted: your last message was NOT saved (everything before it is). "
                    "Bye for now."
                )
            if interrupts.stop_requested:
                return "Your last message and its reply are saved. Bye for now."
    except KeyboardInterrupt:
        pass
    return "Everything you sent is saved. Bye for now."
