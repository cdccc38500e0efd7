"""Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP behind uvicorn.

HTTP mode serves `POST /slack/events` (events, commands and interactivity) and `GET /healthz`.
Bolt's dispatch is synchronous, so it runs in a worker thread: the event loop keeps accepting
requests and every ack goes back well inside Slack's three seconds. The embedding model loads in
the background at start-up for the same reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from bot.slack import gate

log = logging.getLogger(__name__)
COMMAND_THREADS = 8


def http_app(bolt: App, signing_secret: str | None = None) -> Starlette:
    """Starlette in front of Bolt: the gate (size, signature, shape) first, then dispatch.

    `signing_secret` lets the gate verify before anything is parsed; without it (Socket Mode,
    tests of the app alone) Bolt's own verification still runs.
    """
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    commands = ThreadPoolExecutor(max_workers=COMMAND_THREADS, thread_name_prefix="command")
    burst = AckFirst()

    def refuse(refusal: gate.Refusal) -> Response:
        log.warning("refused a request to /slack/events: %s", refusal.reason)
        return PlainTextResponse(refusal.reason, status_code=refusal.status)

    async def slack_events(request: Request) -> Response:
        burst.arrived()
        if refusal := gate.too_large(request.headers.get("content-length")):
            return refuse(refusal)
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > gate.MAX_BODY_BYTES:
                return refuse(gate.Refusal(413, "request body too large"))
        headers = dict(request.headers.items())
        if refusal := gate.unsigned(verifier, bytes(raw), headers):
            return refuse(refusal)
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8", errors="replace"),
                query=str(request.url.query),
                headers=as_bolt_headers(headers),
            )
        except Exception:  # parsing only: whatever fails here, the body is malformed
            return refuse(gate.Refusal(400, "malformed body"))
        if refusal := gate.malformed(bolt_request.body):
            return refuse(refusal)
        if "command" in bolt_request.body:
            # A slash command's answer goes to its response_url, never in the ack, so the ack
            # is sent here, at once, and the command is dispatched behind it: under load, Bolt's
            # own ack waited on threads busy with earlier commands' work (p99 300 ms at 20).
            work = BackgroundTask(commands.submit, _dispatch_quietly, bolt, bolt_request, burst)
            return Response(status_code=200, background=work)  # work starts once acked
        response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return Response(
            content=response.body,
            status_code=response.status,
            headers=response.first_headers_without_set_cookie(),
        )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def as_bolt_headers(headers: dict[str, str]) -> dict[str, str | Sequence[str]]:
    """The same headers, typed as Bolt declares them (a value may also be a list)."""
    return dict(headers)


class AckFirst:
    """Lets acks go before work: command work waits for a quiet moment between requests.

    Python runs one thread at a time, so a command's work (an export, a list) competes with the
    event loop acking the next request. In a burst, work waits until no request has arrived for
    `QUIET_S` (never longer than `MAX_WAIT_S`), so the whole burst is acked first.
    """

    QUIET_S = 0.015
    MAX_WAIT_S = 0.25

    def __init__(self) -> None:
        self._last = 0.0

    def arrived(self) -> None:
        self._last = time.monotonic()

    def wait_for_quiet(self) -> None:
        deadline = time.monotonic() + self.MAX_WAIT_S
        while (now := time.monotonic()) < deadline and now - self._last < self.QUIET_S:
            time.sleep(self.QUIET_S)


def _dispatch_quietly(bolt: App, request: BoltRequest, burst: AckFirst | None = None) -> None:
    """Run an already-acknowledged command; a failure is logged (Bolt reports its own)."""
    if burst is not None:
        burst.wait_for_quiet()
    try:
        bolt.dispatch(request)
    except Exception:
        log.exception("a slash command failed after its ack")


def serve(settings: Settings, bolt: App, host: str = "0.0.0.0") -> None:
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("starting Slack in Socket Mode")
        SocketModeHandler(bolt, settings.slack_app_token, web_client=bolt.client).start()
        return
    import uvicorn

    log.info("starting Slack HTTP mode on port %s", settings.port)
    uvicorn.run(
        http_app(bolt, settings.slack_signing_secret or None),
        host=host,
        port=settings.port,
        log_level="info",
    )
