"""The Slack manifests ask for what the app uses, no more, and send mentions Slack-escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.slack import ids

ROOT = Path(__file__).resolve().parent.parent
# Each scope, and why the app needs it: a scope without a reason here is one to drop.
NEEDED_SCOPES = {
    "app_mentions:read": "app_mention events start and continue drafts",
    "assistant:write": "the assistant panel: status, title, suggested prompts",
    "channels:history": "thread replies in public channels; finding a thread's draft card",
    "groups:history": "the same in private channels",
    "im:history": "direct messages and the assistant panel",
    "chat:write": "every message, card update and private note",
    "commands": "/statement",
    "files:write": "exports uploaded as Word or Markdown files",
    "im:write": "conversations.open, to send exports and share notices by DM",
}


@pytest.fixture(params=["manifest.yaml", "manifest.http.yaml"])
def manifest(request) -> dict:
    return yaml.safe_load((ROOT / request.param).read_text())


def test_scopes_are_exactly_what_the_app_uses(manifest):
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(NEEDED_SCOPES)


def test_the_command_gets_escaped_mentions_so_share_can_resolve_people(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == ids.COMMAND  # the one the listener answers
    assert command["should_escape"] is True
    assert "export ID [docx|md]" in command["usage_hint"]


def test_every_event_the_listeners_handle_is_subscribed(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {
        "app_home_opened",
        "app_mention",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "message.channels",
        "message.groups",
        "message.im",
    } <= events
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
