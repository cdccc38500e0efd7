"""Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP behind uvicorn.

HTTP mode serves `POST /slack/events` (events, commands and interactivity) and `GET /healthz`.
Slack times the ack, so events, button clicks and slash commands are acked as soon as the gate
has checked them and dispatched behind the ack on a bounded backlog (`bot.slack.backlog`); a full
backlog answers 503, which Slack retries. What must answer in the response itself (URL
verification, a form's validation errors) is still dispatched before answering, in a worker
thread so the event loop keeps accepting requests. The embedding model loads in the background at
start-up for the same reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

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
from bot.slack.backlog import GUIDED_WORKERS, LIMIT, LLM_WORKERS, Backlog

log = logging.getLogger(__name__)
# what is acked before it is dispatched: nothing Slack reads from the response is lost by it
BEHIND_ACK = frozenset({"event_callback", "block_actions"})


def http_app(
    bolt: App,
    signing_secret: str | None = None,
    *,
    workers: int = GUIDED_WORKERS,
    limit: int = LIMIT,
) -> Starlette:
    """Starlette in front of Bolt: the gate (size, signature, shape) first, then dispatch.

    `signing_secret` lets the gate verify before anything is parsed; without it (Socket Mode,
    tests of the app alone) Bolt's own verification still runs. `workers` and `limit` size the
    backlog of work behind acks.
    """
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    backlog = Backlog(bolt, workers=workers, limit=limit)
    burst = AckFirst()

    def refuse(refusal: gate.Refusal) -> Response:
        log.warning("refused a request to /slack/events: %s", refusal.reason)
        return PlainTextResponse(refusal.reason, status_code=refusal.status)

    async def slack_events(request: Request) -> Response:
        burst.arrived()
        try:
            checked = await check_and_ack(request)
        finally:
            burst.answered()
        if isinstance(checked, Response):
            return checked
        # what must answer in the response is dispatched before answering, off the event loop
        response = await run_in_threadpool(bolt.dispatch, checked)
        return Response(
            content=response.body,
            status_code=response.status,
            headers=response.first_headers_without_set_cookie(),
        )

    async def check_and_ack(request: Request) -> Response | BoltRequest:
        """The gate's refusal, the ack of work queued behind it, or a request to dispatch now."""
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
                query=request.scope["query_string"].decode("latin-1"),
                headers=as_bolt_headers(headers),
            )
        except Exception:  # parsing only: whatever fails here, the body is malformed
            return refuse(gate.Refusal(400, "malformed body"))
        if refusal := gate.malformed(bolt_request.body):
            return refuse(refusal)
        if not acked_first(bolt_request.body):
            return bolt_request
        if not backlog.reserve():
            # Acking would promise work there is no room for: Slack retries a 5xx (an event up
            # to three times), and the event id is not claimed until a listener runs.
            log.warning("backlog full (%d in hand): asked Slack to retry", backlog.limit)
            return PlainTextResponse("busy, retry later", status_code=503)
        # The work waits while other requests are being acked, so a burst is acked first.
        work = BackgroundTask(hand_over, bolt_request)
        return Response(status_code=200, background=work)  # work starts once acked

    async def hand_over(bolt_request: BoltRequest) -> None:
        """Queue acked work from the event loop itself: `Backlog.start` only submits, so it
        needs no thread. Given a plain function, Starlette would run it through anyio's thread
        pool, which starts threads and waits for them on the event loop: in a burst of 200
        events that costs half the loop's time (measured with py-spy), and every ack behind it
        waits."""
        backlog.start(bolt_request, burst.wait_for_quiet)

    async def healthz(_request: Request) -> Response:
        # the backlog is what to watch under load: near its limit, Slack is being asked to retry
        return JSONResponse({"ok": True, "backlog": backlog.in_hand, "limit": backlog.limit})

    app = Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    app.state.backlog = backlog
    return app


def acked_first(body: object) -> bool:
    """Whether a request is acked before it is dispatched.

    A slash command's answer goes to its response_url and an event's or a click's to the Web
    API, never in the ack. A form submission's ack can carry validation errors, URL
    verification's the challenge, and an options request the options, so those wait.
    """
    if not isinstance(body, dict):
        return False
    return "command" in body or body.get("type") in BEHIND_ACK


def as_bolt_headers(headers: dict[str, str]) -> dict[str, str | Sequence[str]]:
    """The same headers, typed as Bolt declares them (a value may also be a list)."""
    return dict(headers)


class AckFirst:
    """Lets acks go before work: work waits for a quiet moment on the event loop.

    Python runs one thread at a time, so a request's work (a turn, an export) competes with the
    event loop acking the next request. A worker about to start waits while any request is
    between arriving and being answered, or arrived less than `QUIET_S` ago (the next of a burst
    is usually on its way), never longer than `MAX_WAIT_S`: a burst is acked first.
    """

    QUIET_S = 0.015
    MAX_WAIT_S = 0.25

    def __init__(self) -> None:
        self._answering = 0  # changed only on the event loop's thread
        self._last = 0.0

    def arrived(self) -> None:
        self._answering += 1
        self._last = time.monotonic()

    def answered(self) -> None:
        self._answering -= 1

    def wait_for_quiet(self) -> None:
        deadline = time.monotonic() + self.MAX_WAIT_S
        while (now := time.monotonic()) < deadline and (
            self._answering > 0 or now - self._last < self.QUIET_S
        ):
            time.sleep(0.005)


def serve(settings: Settings, bolt: App) -> None:
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("starting Slack in Socket Mode")
        handler = SocketModeHandler(bolt, settings.slack_app_token, web_client=bolt.client)
        handler.start()  # type: ignore[no-untyped-call]  # slack_sdk leaves start() unannotated
        return
    import uvicorn

    log.info("starting Slack HTTP mode on %s:%s", settings.host, settings.port)
    workers = LLM_WORKERS if settings.llm_configured else GUIDED_WORKERS
    uvicorn.run(
        http_app(bolt, settings.slack_signing_secret or None, workers=workers),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # One log line per request, each through the privacy guard, cost the event loop about a
        # fifth of its time in a burst; the proxy in front logs requests (README, "Running it
        # for an organisation"), and refusals are still logged here with their reason.
        access_log=False,
    )
