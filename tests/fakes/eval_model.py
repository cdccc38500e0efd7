"""A fake model for eval tests that follows its instructions mechanically.

It answers the coach's requests like `scripted_coach.reply_for`, except that plain-text replies
cite a passage ("[1]") only when the system prompt asks for citations: so a prompt version that
drops the instruction really produces uncited answers, and an eval can catch the regression.
Judge requests (the `Verdict` schema) get a scripted score, or output that will not parse.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.support.scripted_coach import reply_for


def wants_verdict(request: dict[str, Any]) -> bool:
    text = json.dumps(request.get("response_format") or {}) + json.dumps(request.get("tools") or [])
    system = str((request.get("messages") or [{}])[0].get("content", ""))
    return "Verdict" in text or "strict reviewer" in system


class EvalModel:
    """Callable default for FakeOpenAI: `server.set_default(EvalModel(...))`."""

    def __init__(self, judge_scores: list[int | str] | None = None) -> None:
        self.judge_scores = list(judge_scores or [4])
        self.judge_calls = 0

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        from benchmarks.support.openai_server import Scripted

        if wants_verdict(request):
            score = self.judge_scores[self.judge_calls % len(self.judge_scores)]
            self.judge_calls += 1
            if isinstance(score, str):  # unparseable judge output
                return Scripted(content=score, prompt_tokens=300, completion_tokens=20)
            verdict = {"score": score, "reason": "States the gap without naming a product."}
            if request.get("tools"):
                return Scripted(
                    tool_call={"name": "Verdict", "arguments": verdict},
                    prompt_tokens=300,
                    completion_tokens=20,
                )
            return Scripted(content=json.dumps(verdict), prompt_tokens=300, completion_tokens=20)
        reply = reply_for(request)
        if "content" in reply and reply.get("tool_call") is None:
            system = str((request.get("messages") or [{}])[0].get("content", ""))
            structured = reply["content"].lstrip().startswith("{")
            if not structured and "cit" not in system.lower():
                reply["content"] = reply["content"].replace(" [1]", "")
        return Scripted(**reply)
