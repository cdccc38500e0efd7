"""A fake OpenAI-compatible chat server on loopback, answering with scripted replies.

The LLM coach is tested through the real `openai` client and langchain's `ChatOpenAI`, over real
HTTP. This server (standard library only: `ThreadingHTTPServer` in a daemon thread on
127.0.0.1, port 0) answers:

- `GET /v1/models` with one model;
- `POST /v1/chat/completions` with a `chat.completion` (plain text or one tool call), or a
  Server-Sent Events stream of `chat.completion.chunk` objects when the request says
  `"stream": true` (a usage chunk only when `stream_options.include_usage` is true, as OpenAI
  does; llama.cpp's server sends none at all);
- anything else with a 404 JSON error.

Replies come from a FIFO queue (`script`) and then from a default (`set_default`), which may be
a callable that sees the request JSON. A reply can fail with any status and headers, be slow
(`delay`, without blocking other requests) or send a raw, malformed body. The server can also
reject response formats the way real servers do: llama.cpp answers `response_format`
`json_schema` with HTTP 500; other servers refuse JSON mode or tools with HTTP 400. Rejected
requests are recorded but do not use up a scripted reply, so a client that falls back to another
strategy gets the reply meant for it.

Every request is recorded in `requests` (path, method, lower-cased headers, parsed JSON). The
bearer token is recorded, never checked.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

CHAT_PATHS = frozenset({"/v1/chat/completions", "/chat/completions"})
MODELS_PATHS = frozenset({"/v1/models", "/models"})
STREAM_PIECE_CHARS = 8  # streamed text is cut into pieces of this many characters
STOP_POLL_SECONDS = 0.05  # how often serve_forever looks for a shutdown request


@dataclass
class Scripted:
    """One reply of the fake server to a chat-completion request.

    `content` is the assistant text (JSON text for structured output); `tool_call`
    (`{"name": ..., "arguments": {...}}`) makes the reply a function call instead. `status` other
    than 200 sends an OpenAI-style error body; `headers` are sent with any reply (for example
    `{"retry-after": "0"}`). `delay` is slept before answering. `body` replaces the whole response
    body (for malformed replies). Token counts of 0 are estimated as characters // 4.
    """

    content: str | None = None
    tool_call: dict | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


Reply = Scripted | str
DefaultReply = Reply | Callable[[dict], Reply]


def _as_scripted(reply: Reply) -> Scripted:
    """A `Scripted` for a reply given as a plain string (the assistant's text)."""
    return reply if isinstance(reply, Scripted) else Scripted(content=reply)


def _estimate_tokens(text: str) -> int:
    """A rough token count, as used when a reply does not give one: characters // 4, at least 1."""
    return max(1, len(text) // 4)


def _prompt_text(request: dict) -> str:
    """The text of a request's messages, for estimating prompt tokens."""
    parts: list[str] = []
    for message in request.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else message
        parts.append(content if isinstance(content, str) else json.dumps(content))
    return "\n".join(parts)


def _error(status: int, message: str, kind: str) -> dict:
    """An error body in the shape OpenAI and llama.cpp use."""
    return {"error": {"code": status, "message": message, "type": kind}}


class _Server(ThreadingHTTPServer):
    """The HTTP server, with a deeper accept queue and no tracebacks for dropped clients."""

    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients that time out and hang up are an expected part of the tests."""


class FakeOpenAI:
    """An OpenAI-compatible chat server on 127.0.0.1 with scripted replies; use it as a `with`."""

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
        self._queue: deque[Scripted] = deque()
        self._default: DefaultReply = Scripted(content="OK")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread: threading.Thread | None = None
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/v1"

    # -- public API ------------------------------------------------------------------------------

    def script(self, *replies: Scripted | str) -> None:
        """Queue replies for the next chat completions, first in first out (a str is the text)."""
        with self._lock:
            self._queue.extend(_as_scripted(reply) for reply in replies)

    def set_default(self, reply: DefaultReply) -> None:
        """The reply used when the queue is empty; a callable gets the request JSON."""
        self._default = reply

    def chat_requests(self) -> list[dict]:
        """The JSON bodies of the chat-completion requests received so far, in order."""
        with self._lock:
            return [
                request["json"]
                for request in self.requests
                if request["path"].split("?")[0].rstrip("/") in CHAT_PATHS
                and isinstance(request["json"], dict)
            ]

    def start(self) -> Self:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": STOP_POLL_SECONDS},
                name=f"FakeOpenAI {self.url}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake delayed replies, drop open connections and close the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=2)
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------------

    def _rejection(self, request: dict) -> tuple[int, dict] | None:
        """The status and error body for a request this server is set to refuse, if it is one."""
        response_format = request.get("response_format")
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if self.reject_json_schema and kind == "json_schema":
            return 500, _error(500, "Unsupported response_format type json_schema", "server_error")
        if self.reject_json_mode and kind == "json_object":
            message = "Unsupported response_format type json_object"
            return 400, _error(400, message, "invalid_request_error")
        if self.reject_tools and "tools" in request:
            return 400, _error(400, "tools are not supported", "invalid_request_error")
        return None

    def _next_reply(self, request: dict) -> Scripted:
        """The next scripted reply, or the default one when the queue is empty."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        default = self._default
        return _as_scripted(default(request) if callable(default) else default)

    def _completion(self, request: dict, reply: Scripted) -> dict:
        """A whole `chat.completion` object for a successful reply."""
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        finish_reason = "stop"
        completion_text = reply.content or ""
        if reply.tool_call is not None:
            arguments = reply.tool_call.get("arguments", {})
            arguments_text = arguments if isinstance(arguments, str) else json.dumps(arguments)
            message["tool_calls"] = [
                {
                    "id": f"call_{number}",
                    "type": "function",
                    "function": {"name": reply.tool_call["name"], "arguments": arguments_text},
                }
            ]
            finish_reason = "tool_calls"
            completion_text += arguments_text
        prompt_tokens = reply.prompt_tokens or _estimate_tokens(_prompt_text(request))
        completion_tokens = reply.completion_tokens or _estimate_tokens(completion_text)
        return {
            "id": f"chatcmpl-fake{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    @staticmethod
    def _chunks(request: dict, completion: dict) -> Iterator[dict]:
        """The `chat.completion.chunk` objects that stream a completion, as OpenAI sends them."""
        include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        base: dict[str, Any] = {
            "id": completion["id"],
            "object": "chat.completion.chunk",
            "created": completion["created"],
            "model": completion["model"],
        }
        if include_usage:
            base["usage"] = None

        def chunk(delta: dict, finish_reason: str | None = None) -> dict:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**base, "choices": [choice]}

        choice = completion["choices"][0]
        message = choice["message"]
        text = message.get("content") or ""
        yield chunk({"role": "assistant", "content": ""})
        for start in range(0, len(text), STREAM_PIECE_CHARS):
            yield chunk({"content": text[start : start + STREAM_PIECE_CHARS]})
        for index, call in enumerate(message.get("tool_calls") or []):
            head = {**call, "index": index, "function": {**call["function"], "arguments": ""}}
            yield chunk({"tool_calls": [head]})
            arguments = call["function"]["arguments"]
            for start in range(0, len(arguments), STREAM_PIECE_CHARS):
                piece = {"arguments": arguments[start : start + STREAM_PIECE_CHARS]}
                yield chunk({"tool_calls": [{"index": index, "function": piece}]})
        yield chunk({}, choice["finish_reason"])
        if include_usage:
            yield {**base, "choices": [], "usage": completion["usage"]}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this fake."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            """Answers one connection's requests (HTTP/1.1 keep-alive, as httpx expects)."""

            protocol_version = "HTTP/1.1"
            server_version = "FakeOpenAI/1.0"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep test output clean."""

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            # -- plumbing --------------------------------------------------------------------

            def _read_json(self) -> tuple[bool, dict | None]:
                """Read the body: (whether it parsed, the parsed JSON or None)."""
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not raw:
                    return True, None
                try:
                    return True, json.loads(raw)
                except ValueError:
                    return False, None

            def _record(self, body: Any) -> None:
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "method": self.command,
                            "headers": {key.lower(): value for key, value in self.headers.items()},
                            "json": body,
                        }
                    )

            def _send(
                self,
                status: int,
                payload: Any = None,
                headers: dict[str, str] | None = None,
                raw: str | None = None,
            ) -> None:
                data = (raw if raw is not None else json.dumps(payload)).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _send_stream(self, events: Iterator[dict], headers: dict[str, str]) -> None:
                """Send Server-Sent Events with chunked transfer encoding, then `[DONE]`."""
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                lines = [f"data: {json.dumps(event)}\n\n" for event in events]
                for line in [*lines, "data: [DONE]\n\n"]:
                    data = line.encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _not_found(self) -> None:
                message = f"Unknown request URL: {self.command} {self.path}"
                self._send(404, _error(404, message, "invalid_request_error"))

            # -- methods ---------------------------------------------------------------------

            def do_GET(self) -> None:
                """`/v1/models`; anything else is 404."""
                self._record(None)
                if self.path.split("?")[0].rstrip("/") in MODELS_PATHS:
                    model = {"id": fake.model, "object": "model", "created": 0, "owned_by": "fake"}
                    self._send(200, {"object": "list", "data": [model]})
                else:
                    self._not_found()

            def do_POST(self) -> None:
                """`/v1/chat/completions`; anything else is 404."""
                parsed, body = self._read_json()
                self._record(body)
                if self.path.split("?")[0].rstrip("/") not in CHAT_PATHS:
                    self._not_found()
                    return
                if not parsed or not isinstance(body, dict):
                    message = "We could not parse the JSON body of your request."
                    self._send(400, _error(400, message, "invalid_request_error"))
                    return
                rejection = fake._rejection(body)
                if rejection is not None:
                    self._send(*rejection)
                    return
                reply = fake._next_reply(body)
                if reply.delay and fake._stopping.wait(reply.delay):
                    self.close_connection = True  # stopped while waiting: hang up unanswered
                    return
                if reply.status != 200:
                    message = f"Scripted failure with HTTP {reply.status}"
                    kind = "rate_limit_error" if reply.status == 429 else "server_error"
                    self._send(reply.status, _error(reply.status, message, kind), reply.headers)
                elif reply.body is not None:
                    self._send(200, headers=reply.headers, raw=reply.body)
                elif body.get("stream"):
                    completion = fake._completion(body, reply)
                    self._send_stream(fake._chunks(body, completion), reply.headers)
                else:
                    self._send(200, fake._completion(body, reply), reply.headers)

            def do_DELETE(self) -> None:
                """Nothing here takes DELETE: 404."""
                self._record(self._read_json()[1])
                self._not_found()

            do_PUT = do_PATCH = do_DELETE

        return Handler
