"""A fake OpenAI-compatible chat server on loopback with scripted replies.

The LLM coach is tested through the real `openai` client and langchain's ChatOpenAI, over real
HTTP: this server answers /v1/models and /v1/chat/completions (plain, streamed, tool calls), can
fail with any status, be slow, send a malformed body, or reject response formats the way some
servers do (llama.cpp answers json_schema with HTTP 500).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from benchmarks.support.loopback import LoopbackServer, send_json


@dataclass
class Scripted:
    content: str | None = None
    tool_call: dict | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _as_scripted(reply: Scripted | str) -> Scripted:
    return reply if isinstance(reply, Scripted) else Scripted(content=reply)


class FakeOpenAI(LoopbackServer):
    def __init__(
        self,
        *,
        model: str = "fake-coach",
        reject_json_schema: bool = False,
        reject_tools: bool = False,
        reject_json_mode: bool = False,
    ) -> None:
        self.model = model
        self.reject_json_schema = reject_json_schema
        self.reject_tools = reject_tools
        self.reject_json_mode = reject_json_mode
        self.requests: list[dict] = []
        self._queue: list[Scripted] = []
        self._default: Any = Scripted(content="OK")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return f"{self.base_url}/v1"

    def script(self, *replies: Scripted | str) -> None:
        with self._lock:
            self._queue.extend(_as_scripted(r) for r in replies)

    def set_default(self, reply: Any) -> None:
        self._default = reply

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [r["json"] for r in self.requests if r["path"].endswith("/chat/completions")]

    # -- behaviour -----------------------------------------------------------------------------
    def _rejection(self, request: dict) -> tuple[int, str] | None:
        kind = (request.get("response_format") or {}).get("type")
        if self.reject_json_schema and kind == "json_schema":
            return 500, "Unsupported response_format type json_schema"
        if self.reject_json_mode and kind == "json_object":
            return 400, "Unsupported response_format type json_object"
        if self.reject_tools and request.get("tools"):
            return 400, "tools are not supported"
        return None

    def _next(self, request: dict) -> Scripted:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        default = self._default
        return _as_scripted(default(request) if callable(default) else default)

    def _completion(self, request: dict, reply: Scripted) -> dict:
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        finish = "stop"
        if reply.tool_call:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{number}",
                        "type": "function",
                        "function": {
                            "name": reply.tool_call["name"],
                            "arguments": json.dumps(reply.tool_call["arguments"]),
                        },
                    }
                ],
            }
            finish = "tool_calls"
        text = reply.content or json.dumps(reply.tool_call or {})
        prompt = reply.prompt_tokens or max(1, len(json.dumps(request.get("messages"))) // 4)
        completion = reply.completion_tokens or max(1, len(text) // 4)
        return {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _record(self, body: dict | None) -> None:
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "method": self.command,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "json": body,
                        }
                    )

            def _send(
                self, status: int, payload: Any, headers: dict | None = None, raw: str | None = None
            ) -> None:
                send_json(self, status, payload, headers, raw)

            def do_GET(self) -> None:
                self._record(None)
                if self.path.rstrip("/").endswith("/models"):
                    self._send(
                        200,
                        {
                            "object": "list",
                            "data": [
                                {
                                    "id": fake.model,
                                    "object": "model",
                                    "created": 0,
                                    "owned_by": "fake",
                                }
                            ],
                        },
                    )
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                self._record(body)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                rejected = fake._rejection(body)
                if rejected:
                    status, message = rejected
                    # The client retries a 500 as it would from a real server, but a rejected
                    # format is not worth waiting for: asking for 1 ms spares each test seconds
                    # of backoff without changing how many tries are made.
                    self._send(
                        status,
                        {"error": {"code": status, "message": message, "type": "server_error"}},
                        {"retry-after-ms": "1"},
                    )
                    return
                reply = fake._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(
                        reply.status,
                        {
                            "error": {
                                "message": "scripted failure",
                                "type": "error",
                                "code": reply.status,
                            }
                        },
                        reply.headers,
                    )
                    return
                if reply.body is not None:
                    self._send(200, None, reply.headers, raw=reply.body)
                    return
                completion = fake._completion(body, reply)
                if body.get("stream"):
                    self._stream(body, completion)
                else:
                    self._send(200, completion, reply.headers)

            def _stream(self, request: dict, completion: dict) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                message = completion["choices"][0]["message"]
                text = message.get("content") or ""
                base = {
                    "id": completion["id"],
                    "object": "chat.completion.chunk",
                    "created": completion["created"],
                    "model": completion["model"],
                }
                pieces = [text[i : i + 12] for i in range(0, len(text), 12)] or [""]
                chunks = [
                    {
                        **base,
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"role": "assistant", "content": ""},
                                "finish_reason": None,
                            }
                        ],
                    }
                ]
                chunks += [
                    {
                        **base,
                        "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}],
                    }
                    for p in pieces
                ]
                chunks.append(
                    {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                )
                if (request.get("stream_options") or {}).get("include_usage"):
                    chunks.append({**base, "choices": [], "usage": completion["usage"]})
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler
