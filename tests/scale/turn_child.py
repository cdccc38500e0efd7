"""A coaching process that stops dead at a chosen point of a turn, for the kill -9 fault test.

Run as `python -m tests.scale.turn_child URL WORKSPACE USER DRAFT_ID HOOK TEXT`. It handles one
message with the real engine and store; at HOOK it prints `AT-HOOK` and sleeps, so the test can
SIGKILL it exactly there:

* `before-save`: the draft has been read and the reply decided, nothing written yet;
* `mid-transaction`: inside commit_turn's transaction, the state and version already flushed to
  the database but not committed (the history messages are being formatted).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore


def _stop_here() -> None:
    print("AT-HOOK", flush=True)
    time.sleep(600)  # the test kills us long before this ends


def main(url: str, workspace: str, user: str, draft_id: str, hook: str, text: str) -> None:
    store = DraftStore(url)
    real_commit_turn = store.commit_turn

    def commit_turn(*args: Any, **kwargs: Any) -> Any:
        if hook == "before-save":
            _stop_here()
        messages = kwargs.get("messages")

        def stalled_messages(version: Any) -> Any:
            _stop_here()
            return messages(version) if messages else ()

        kwargs["messages"] = stalled_messages
        return real_commit_turn(*args, **kwargs)

    store.commit_turn = commit_turn  # type: ignore[method-assign]
    Engine(store).handle(Actor(workspace, user), draft_id, text)
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7])
