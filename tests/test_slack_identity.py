"""Every event and interaction the app handles is done for the real user who caused it.

Each payload in tests/slack_payloads.py has the shape Slack documents; the app resolves its user
both from what Bolt puts in the context (which finds nobody for `assistant_thread_started`) and
from the payload alone. A payload that names nobody is refused, and no code in bot/ falls back to
a shared stand-in user.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml
from slack_bolt import BoltContext
from slack_bolt.request.internals import build_context

from bot.drafts.records import Actor
from bot.slack.identity import NoIdentity, resolve
from tests.slack_payloads import EVENTS, INTERACTIONS, SLASH_COMMAND, TEAM

ROOT = Path(__file__).resolve().parent.parent
EVERY_PAYLOAD = {**EVENTS, **INTERACTIONS, "slash command /statement": SLASH_COMMAND}


@pytest.mark.parametrize("name", sorted(EVERY_PAYLOAD))
def test_each_payload_resolves_to_the_user_who_acted(name):
    body, user = EVERY_PAYLOAD[name]
    as_bolt_sees_it = build_context(BoltContext(), body)
    assert resolve(as_bolt_sees_it, body) == Actor(TEAM, user)
    assert resolve({}, body) == Actor(TEAM, user), "the payload alone names the user"


def test_the_panel_start_is_found_in_the_payload_where_bolt_finds_nobody():
    body, user = EVENTS["assistant_thread_started"]
    assert build_context(BoltContext(), body).user_id is None  # why the payload must be read
    assert resolve(build_context(BoltContext(), body), body).user_id == user


def test_the_fixtures_cover_every_event_the_manifests_subscribe_to():
    for manifest in ("manifest.yaml", "manifest.http.yaml"):
        data = yaml.safe_load((ROOT / manifest).read_text())
        subscribed = set(data["settings"]["event_subscriptions"]["bot_events"])
        assert subscribed <= set(EVENTS), subscribed - set(EVENTS)
        assert data["settings"]["interactivity"]["is_enabled"] is True
    kinds = {body["type"] for body, _user in INTERACTIONS.values()}
    assert kinds == {"block_actions", "view_submission"}


def test_a_payload_without_a_user_is_refused_with_the_reason():
    body, _user = EVENTS["assistant_thread_started"]
    nameless = {**body, "event": {**body["event"], "assistant_thread": {"channel_id": "D1"}}}
    with pytest.raises(NoIdentity, match="no user in the event_callback/assistant_thread_started"):
        resolve(build_context(BoltContext(), nameless), nameless)


def test_a_payload_without_a_workspace_is_refused():
    body, _user = EVENTS["message.im"]
    teamless = {k: v for k, v in body.items() if k != "team_id"}
    with pytest.raises(NoIdentity, match="no workspace"):
        resolve({}, teamless)


def test_a_click_is_the_clicker_never_the_author_of_the_message_clicked():
    body, user = INTERACTIONS["block_actions in a channel message"]
    assert body["message"]["user"] != user
    assert resolve({}, body).user_id == user


FALLBACK_ACTOR = re.compile(
    r"""or\s+["']unknown[-"']|Actor\([^)]*["']unknown|["']unknown-team["']""", re.IGNORECASE
)


def test_no_code_in_bot_falls_back_to_a_shared_actor():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FALLBACK_ACTOR.search(line)
    ]
    assert offenders == []
    assert FALLBACK_ACTOR.search('    user = context.user_id or "unknown"')  # the old fallback


def test_a_listener_given_nobody_refuses_and_the_app_logs_why(caplog):
    """The listener raises before it acts; the app's error handler logs it and sends nothing."""
    from bot.slack.app import on_error
    from bot.slack.listeners import events

    body, _user = EVENTS["app_home_opened"]
    nameless = {**body, "event": {k: v for k, v in body["event"].items() if k != "user"}}
    sent: list[str] = []

    class Client:
        def __getattr__(self, method: str):
            return lambda **_kwargs: sent.append(method)

    with pytest.raises(NoIdentity) as refused:
        events.on_home(nameless, nameless["event"], Client(), BoltContext({"team_id": TEAM}))
    with caplog.at_level(logging.WARNING, logger="bot.slack.app"):
        on_error(refused.value, nameless, Client())
    assert sent == []
    assert "refused to act: no user in the event_callback/app_home_opened payload" in caplog.text
