"""A misbehaving model: the fake OpenAI server's scripted replies, with faults in a share of calls.

Plugs into `benchmarks.support.openai_server.FakeOpenAI.set_default` (no change to that server):
each request draws, from a seeded generator, either a well-formed reply or one of the faults
seen from real model servers — a reply slower than the client's timeout, 429 with Retry-After,
500, a 200 whose body is not JSON, and a stream cut off mid-chunk. It counts what it injected so
a test can report faults, retries and fall-backs side by side.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from typing import Any

from benchmarks.support.openai_server import Scripted
from benchmarks.support.scripted_coach import reply_for

FAULTS = ("timeout", "rate-limited", "server-error", "malformed-json", "truncated-stream")


def _truncated_stream(text: str) -> str:
    """Server-sent events that stop part-way through a chunk, as when a connection drops."""
    first = {
        "id": "chatcmpl-cut",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-coach",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": text[:20]}}],
    }
    return f"data: {json.dumps(first)}\n\ndata: {json.dumps(first)[:37]}"


class FlakyModel:
    """Callable default reply for FakeOpenAI: well-behaved except in `rate` of calls."""

    def __init__(self, rate: float, *, seed: int = 13, timeout_delay: float = 2.5) -> None:
        self.rate = rate
        self.timeout_delay = timeout_delay
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.requests = 0

    def __call__(self, request: dict[str, Any]) -> Scripted:
        good = Scripted(**reply_for(request))
        with self._lock:
            self.requests += 1
            if self._random.random() >= self.rate:
                return good
            fault = self._random.choice(FAULTS)
            if fault == "truncated-stream" and not request.get("stream"):
                fault = "malformed-json"  # a cut-off body, for a call that does not stream
            self.injected[fault] += 1
        if fault == "timeout":
            good.delay = self.timeout_delay
            return good
        if fault == "rate-limited":
            return Scripted(status=429, headers={"retry-after": "1"})
        if fault == "server-error":
            return Scripted(status=500)
        if fault == "malformed-json":
            return Scripted(body='{"id": "chatcmpl-bad", "choices": [{"message": {"content": "Th')
        return Scripted(body=_truncated_stream(good.content or "Partial reply"))
