"""A coaching process that stops dead at a chosen point of a turn, for the kill -9 fault test.

Run as `python -m tests.scale.turn_child URL WORKSPACE USER DRAFT_ID HOOK TEXT`. It handles one
message with the real engine and store; at HOOK it prints `AT-HOOK` and sleeps, so the test can
SIGKILL it exactly there:

* `before-save`: the draft has been read and the reply decided, nothing written yet;
* `mid-transaction`: inside commit_turn's transaction, the state and version already flushed to
  the database but not committed (the history messages are being formatted);
* `model-call`: the LLM coach is waiting on the model, which has the request and never answers
  (a loopback socket that accepts and stays silent stands in for a slow model server).
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from typing import Any

from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.settings import load_settings


def _stop_here() -> None:
    print("AT-HOOK", flush=True)
    time.sleep(600)  # the test kills us long before this ends


def _silent_model() -> str:
    """The URL of a model server that takes the request and never answers; the first request
    to reach it is the hook."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        _stop_here()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


def _engine(store: DraftStore, hook: str) -> Engine:
    if hook != "model-call":
        return Engine(store)
    settings = load_settings(
        openai_base_url=_silent_model(),
        openai_api_key="sk-fault-test",
        coach_model="silent",
        coach_llm_timeout=600,
    )
    return Engine(store, LLMCoach(settings))


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

    if hook in ("before-save", "mid-transaction"):
        # replacing a bound method on purpose: the hook is this test's only way in
        store.commit_turn = commit_turn  # type: ignore[method-assign]
    _engine(store, hook).handle(Actor(workspace, user), draft_id, text)
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7])
