"""The part every fake service shares: a threaded HTTP server on 127.0.0.1 with a free port."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

# How often serve_forever looks for a shutdown request. The standard library's 0.5 s made every
# stop() wait about half a second, and a fake is stopped after every test that starts one; a
# look every 10 ms costs next to nothing and lets the test end as soon as it is done.
POLL_SECONDS = 0.01


class LoopbackServer:
    """Start and stop a handler class on loopback, in a daemon thread; usable as a `with`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: object,
    headers: dict[str, str] | None = None,
    raw: str | None = None,
) -> None:
    """Answer a request with a JSON body (or `raw` text sent as JSON, a malformed reply on
    purpose), its length, and any extra headers, as every fake service answers."""
    data = (raw if raw is not None else json.dumps(payload)).encode()
    handler.send_response(status)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
