"""Build the Bolt app: the Web API client, the listeners and the assistant panel.

The client retries Slack's 429s (honouring Retry-After), 5xx and dropped connections, and can be
pointed at any Web API with SLACK_API_URL — which is how the tests run it against a fake Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.coaching.engine import Engine
from bot.errors import StoreBusy
from bot.privacy import log_filter
from bot.settings import Settings
from bot.slack.conversations import SlackConversations
from bot.slack.listeners import register_all
from bot.slack.payloads import text_at

log = logging.getLogger(__name__)
LISTENER_THREADS = 32


def make_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.slack_bot_token or None,
        base_url=(settings.slack_api_url.rstrip("/") + "/")
        if settings.slack_api_url
        else WebClient.BASE_URL,
        timeout=30,
    )
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


def create_app(settings: Settings, engine: Engine, *, client: WebClient | None = None) -> App:
    """The Bolt app with every listener; HTTP mode verifies signatures, Socket Mode needs none."""
    log_filter.install()  # from here on, no log line of this process carries an identifier
    socket_mode = bool(settings.slack_app_token)
    app = App(
        client=client or make_client(settings),
        # Bolt's default is 5 threads, and a command's work after its ack holds one: 20 commands
        # at once then waited for a free thread before they could even ack.
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="bolt"
        ),
        signing_secret=settings.slack_signing_secret or None,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=True,
        logger=logging.getLogger("bot.slack.bolt"),
    )
    register_all(app, SlackConversations(engine, settings))
    app.error(on_error)
    return app


def on_error(error: Exception, body: Mapping[str, object], client: WebClient) -> None:
    """Any listener's failure: an outage is explained to the person; anything else is logged."""
    if isinstance(error, StoreBusy):  # an outage, not a bug: tell the person, privately
        log.warning("request refused during a database outage: %s", error)
        tell_outage(client, body, str(error))
        return
    log.exception("listener failed for %s: %s", body.get("type"), error)


def tell_outage(client: WebClient, body: Mapping[str, object], text: str) -> None:
    """Say "try again in a moment" where the request came from (privately), never a traceback.

    A message, command or button that arrived while the database was out of reach would
    otherwise get silence: Bolt has already acked it, so Slack will not send it again.
    """
    channel = (
        text_at(body, "event", "channel")
        or text_at(body, "channel_id")
        or text_at(body, "channel", "id")
    )
    user = text_at(body, "event", "user") or text_at(body, "user_id") or text_at(body, "user", "id")
    if not user:
        return
    try:
        if channel:
            client.chat_postEphemeral(
                channel=channel,
                user=user,
                thread_ts=text_at(body, "event", "thread_ts"),
                text=f":hourglass: {text}",
            )
        else:
            client.chat_postMessage(channel=user, text=f":hourglass: {text}")
    except SlackApiError as error:
        log.warning("could not tell %s about the outage: %s", user, error.response.get("error"))
