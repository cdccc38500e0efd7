"""The fake Slack Web API in a process of its own, for the load benchmark.

With the fake in the load generator's process, its request threads (a `conversations.replies`
lists a whole channel) took the interpreter from the simulated users' event loop, and the ack
times it measured included that wait. Here the fake runs apart, and the generator asks it over a
pipe for the calls recorded since it last asked: the method and thread of each, nothing more.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType

Call = tuple[str, str | None]  # the Web API method and the thread it posted in, if any


def _serve(conn: Connection) -> None:
    from benchmarks.support.fake_slack import FakeSlack

    with FakeSlack() as fake:
        conn.send(fake.api_url)
        seen = 0
        while (request := conn.recv()) != "stop":
            if request == "clear":
                fake.clear()
                seen = 0
                conn.send([])
                continue
            new = fake.calls[seen:]
            seen += len(new)
            conn.send([(call.method, call.body.get("thread_ts")) for call in new])


class FakeSlackProcess:
    """`with FakeSlackProcess() as fake:` — `fake.api_url` for the app, `new_calls()` to watch."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process holding torch
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self.api_url = ""

    def __enter__(self) -> FakeSlackProcess:
        self._process.start()
        if not self._conn.poll(60):
            raise TimeoutError("the fake Slack process did not start")
        self.api_url = self._conn.recv()
        return self

    def new_calls(self) -> list[Call]:
        """The calls recorded since the last time this was asked (or since `clear()`)."""
        self._conn.send("next")
        return self._conn.recv()

    def clear(self) -> None:
        self._conn.send("clear")
        self._conn.recv()

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        _error: BaseException | None,
        _trace: TracebackType | None,
    ) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
