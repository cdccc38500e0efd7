"""Work Slack has already been told we received: run behind the ack, a few at a time, bounded.

Slack waits three seconds for an ack, and Bolt only acks once its listener has been handed to a
thread and has called `ack()`. Under load that ack queued behind every turn in progress (event ack
p99 about a second with 50 users). So in HTTP mode an event, a button click or a slash command is
acked as soon as the gate has checked it, and Bolt dispatches it afterwards on one of the
backlog's threads.

The listener runs on that same thread, not handed on to Bolt's own pool, for two reasons: the
number of requests in hand is then the real amount of unfinished work, so a full backlog can be
refused with 503 (Slack retries an event, possibly at another instance) rather than acked and
left to wait minutes; and only `workers` turns compete with the event loop for the interpreter,
which is what keeps the next ack quick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# Guided turns are mostly interpreter work: more threads only take turns at the GIL with the
# event loop that acks (200 users: 4, 8 and 32 threads gave the same turns per second here); 8
# lets a few exports wait on Slack at once. A model call mostly waits on the network: the LLM coach
# gets more.
GUIDED_WORKERS = 8
LLM_WORKERS = 32
# At the 23-26 turns a second one instance manages (benchmarks/load.py), 512 in hand is about
# 20 s of work, sooner than Slack's retry a minute after a refusal; anything more is better
# refused, so Slack delivers it again (behind a load balancer, maybe elsewhere), than answered a
# minute late.
# Commands are cheaper than turns: a burst of 400 (benchmarks/slack.py) fits.
LIMIT = 512

_on_worker = threading.local()  # set on the backlog's threads: run Bolt's listeners in place


class ListenersInPlace(Executor):
    """Bolt's listener executor, except that on a backlog thread the listener runs right there.

    Bolt submits every listener to its executor and returns once the listener has acked; on a
    backlog thread the work would then escape the count. Everywhere else (the synchronous
    requests: view submissions, URL verification) Bolt's own pool runs the listener.
    """

    def __init__(self, pool: Executor) -> None:
        self.pool = pool

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if not getattr(_on_worker, "active", False):
            return self.pool.submit(fn, *args, **kwargs)
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:  # Bolt's wrapper reports its own; keep the Future honest
            done.set_exception(error)
        return done

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _mark_worker() -> None:
    _on_worker.active = True


class Backlog:
    """Acknowledged requests waiting for, or being run on, one of `workers` threads.

    `reserve()` is called before the ack and says whether there is room; `start()` hands the
    request over once the ack is on its way. `before` runs on the worker first (the server's
    wait for a quiet moment, so a burst is acked before its work starts).
    """

    def __init__(self, bolt: App, *, workers: int = GUIDED_WORKERS, limit: int = LIMIT) -> None:
        self.bolt = bolt
        self.limit = limit
        self._lock = threading.Lock()
        self._in_hand = 0
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="behind-ack", initializer=_mark_worker
        )
        runner = bolt.listener_runner
        if not isinstance(runner.listener_executor, ListenersInPlace):
            runner.listener_executor = ListenersInPlace(runner.listener_executor)

    @property
    def in_hand(self) -> int:
        """Requests acked (or about to be) whose work has not finished."""
        return self._in_hand

    def reserve(self) -> bool:
        """Take a place for one request; False when the backlog is full (refuse it)."""
        with self._lock:
            if self._in_hand >= self.limit:
                return False
            self._in_hand += 1
            return True

    def start(self, request: BoltRequest, before: Callable[[], None] | None = None) -> None:
        """Dispatch a request that holds a place (after `reserve()`), on a backlog thread."""
        self._pool.submit(self._run, request, before)

    def _run(self, request: BoltRequest, before: Callable[[], None] | None) -> None:
        try:
            if before is not None:
                before()
            self.bolt.dispatch(request)
        except Exception:  # Bolt reports a listener's own failure; this is anything around it
            log.exception("a request failed after its ack")
        finally:
            with self._lock:
                self._in_hand -= 1
