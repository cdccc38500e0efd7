"""Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP behind uvicorn.

HTTP mode serves `POST /slack/events` (events, commands and interactivity) and `GET /healthz`.
Bolt's dispatch is synchronous, so it runs in a worker thread: the event loop keeps accepting
requests and every ack goes back well inside Slack's three seconds. The embedding model loads in
the background at start-up for the same reason.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.retrieval.search import KnowledgeSearch
from bot.settings import Settings

log = logging.getLogger(__name__)


def http_app(bolt: App) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        bolt_request = BoltRequest(
            body=body,
            query=str(request.url.query),
            headers={key: value for key, value in request.headers.items()},
        )
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


def warm_up_in_background(search: KnowledgeSearch | None) -> threading.Thread | None:
    """Load the corpus and embedding model without holding up the first ack."""
    if search is None:
        return None

    def load() -> None:
        try:
            search.warm_up()
            log.info("knowledge search ready")
        except Exception as error:  # the coach still works without tips
            log.warning("knowledge search unavailable: %s", error)

    thread = threading.Thread(target=load, name="warm-up", daemon=True)
    thread.start()
    return thread


def serve(settings: Settings, bolt: App, host: str = "0.0.0.0") -> None:
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("starting Slack in Socket Mode")
        SocketModeHandler(bolt, settings.slack_app_token, web_client=bolt.client).start()
        return
    import uvicorn

    log.info("starting Slack HTTP mode on port %s", settings.port)
    uvicorn.run(http_app(bolt), host=host, port=settings.port, log_level="info")
