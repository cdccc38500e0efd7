"""Payloads in the shapes Slack really sends, one for every event and interaction the app handles.

Written from Slack's reference pages (Events API: `app_home_opened`, `app_mention`,
`assistant_thread_started`, `assistant_thread_context_changed`, `message.channels`,
`message.groups`, `message.im`; interaction payloads: `block_actions`, `view_submission`; the
slash command form), with this project's own ids. Each comes with the user it was sent for, so a
test can show who the app would act as. The envelope fields Slack adds and the app never reads
(`token`, `api_app_id`, `authorizations`) are kept, so a payload looks like what arrives.
"""

from __future__ import annotations

from typing import Any

TEAM = "T0PC0ACH1"


def _envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """The Events API wrapper: the team, the event, and the id a retry repeats."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM,
        "api_app_id": "A0PC0ACH1",
        "event": event,
        "type": "event_callback",
        "authorizations": [
            {
                "team_id": TEAM,
                "user_id": "U0BOTUSER",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "event_id": event_id,
        "event_time": 1764800000,
    }


def _assistant_thread(kind: str, user: str, event_id: str) -> dict[str, Any]:
    return _envelope(
        {
            "type": kind,
            "assistant_thread": {
                "user_id": user,
                "context": {"channel_id": "C0WARDTEAM", "team_id": TEAM, "enterprise_id": None},
                "channel_id": "D0PANEL01",
                "thread_ts": "1764800000.000100",
            },
            "event_ts": "1764800000.000200",
        },
        event_id,
    )


def _message(channel: str, channel_type: str, user: str, event_id: str, **extra: Any) -> dict:
    return _envelope(
        {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": "Falls in care homes have risen by a fifth this year.",
            "ts": "1764800001.000300",
            "event_ts": "1764800001.000300",
            "channel_type": channel_type,
            **extra,
        },
        event_id,
    )


EVENTS: dict[str, tuple[dict[str, Any], str]] = {
    "app_home_opened": (
        _envelope(
            {
                "type": "app_home_opened",
                "user": "U0HOMEUSER",
                "channel": "D0HOME001",
                "tab": "home",
                "event_ts": "1764800002.000100",
                "view": {"id": "V0HOME001", "team_id": TEAM, "type": "home", "blocks": []},
            },
            "Ev0HOME0001",
        ),
        "U0HOMEUSER",
    ),
    "app_mention": (
        _envelope(
            {
                "type": "app_mention",
                "user": "U0MENTIONR",
                "text": "<@U0BOTUSER> new falls in care homes",
                "ts": "1764800003.000100",
                "channel": "C0WARDTEAM",
                "event_ts": "1764800003.000100",
            },
            "Ev0MENTION1",
        ),
        "U0MENTIONR",
    ),
    "assistant_thread_started": (
        _assistant_thread("assistant_thread_started", "U0PANELUSR", "Ev0PANEL001"),
        "U0PANELUSR",
    ),
    "assistant_thread_context_changed": (
        _assistant_thread("assistant_thread_context_changed", "U0PANELUSR", "Ev0PANEL002"),
        "U0PANELUSR",
    ),
    "message.channels": (
        _message("C0WARDTEAM", "channel", "U0CHANNELU", "Ev0CHANNEL1", thread_ts="1764800000.1"),
        "U0CHANNELU",
    ),
    "message.groups": (
        _message("G0PRIVATE1", "group", "U0GROUPUSR", "Ev0GROUP001", thread_ts="1764800000.2"),
        "U0GROUPUSR",
    ),
    "message.im": (_message("D0DIRECT01", "im", "U0DMUSER01", "Ev0DIRECT01"), "U0DMUSER01"),
    # a reply in the assistant panel's thread arrives as message.im with a thread_ts
    "message.im in the panel": (
        _message("D0PANEL01", "im", "U0PANELUSR", "Ev0PANEL003", thread_ts="1764800000.000100"),
        "U0PANELUSR",
    ),
}

SLASH_COMMAND: tuple[dict[str, Any], str] = (
    {
        "token": "verification-token-unused",
        "team_id": TEAM,
        "team_domain": "nhs-trust",
        "channel_id": "C0WARDTEAM",
        "channel_name": "ward-team",
        "user_id": "U0COMMANDR",
        "user_name": "commander",
        "command": "/statement",
        "text": "list",
        "api_app_id": "A0PC0ACH1",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0PC0ACH1/1/abc",
        "trigger_id": "1.2.abc",
    },
    "U0COMMANDR",
)


def _block_actions(user: str, container: dict[str, Any], **where: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "clicker", "name": "clicker", "team_id": TEAM},
        "api_app_id": "A0PC0ACH1",
        "token": "verification-token-unused",
        "container": container,
        "trigger_id": "2.3.def",
        "team": {"id": TEAM, "domain": "nhs-trust"},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": "draft_open",
                "block_id": "draft:abc123",
                "text": {"type": "plain_text", "text": "Open", "emoji": True},
                "value": "abc123",
                "type": "button",
                "action_ts": "1764800004.100000",
            }
        ],
        **where,
    }


def _view_submission(user: str, callback_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "nhs-trust"},
        "user": {"id": user, "username": "submitter", "name": "submitter", "team_id": TEAM},
        "api_app_id": "A0PC0ACH1",
        "token": "verification-token-unused",
        "trigger_id": "3.4.ghi",
        "view": {
            "id": "V0MODAL01",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": "C0WARDTEAM",
            "state": {"values": values},
            "hash": "1764800005.abc",
            "root_view_id": "V0MODAL01",
            "app_id": "A0PC0ACH1",
            "bot_id": "B0BOT0001",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


INTERACTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "block_actions in a channel message": (
        _block_actions(
            "U0CLICKER1",
            {
                "type": "message",
                "message_ts": "1764800004.000100",
                "channel_id": "C0WARDTEAM",
                "is_ephemeral": False,
            },
            channel={"id": "C0WARDTEAM", "name": "ward-team"},
            # the message's author is the bot: never the one who clicked
            message={"type": "message", "user": "U0BOTUSER", "ts": "1764800004.000100"},
            response_url="https://hooks.slack.com/actions/T0PC0ACH1/2/def",
        ),
        "U0CLICKER1",
    ),
    "block_actions in App Home": (
        _block_actions(
            "U0HOMEUSER", {"type": "view", "view_id": "V0HOME001"}, view={"id": "V0HOME001"}
        ),
        "U0HOMEUSER",
    ),
    "block_actions in an ephemeral message": (
        _block_actions(
            "U0COMMANDR",
            {
                "type": "message",
                "message_ts": "1764800006.000100",
                "channel_id": "C0WARDTEAM",
                "is_ephemeral": True,
            },
            channel={"id": "C0WARDTEAM", "name": "ward-team"},
            response_url="https://hooks.slack.com/actions/T0PC0ACH1/3/ghi",
        ),
        "U0COMMANDR",
    ),
    "view_submission new_draft": (
        _view_submission(
            "U0SUBMITR1",
            "new_draft",
            {"title": {"value": {"type": "plain_text_input", "value": "Falls in care homes"}}},
        ),
        "U0SUBMITR1",
    ),
    "view_submission share_draft": (
        _view_submission(
            "U0SUBMITR2",
            "share_draft",
            {"user": {"value": {"type": "users_select", "selected_user": "U0COLLEAG1"}}},
        ),
        "U0SUBMITR2",
    ),
    "view_submission revise_draft": (
        _view_submission(
            "U0SUBMITR3",
            "revise_draft",
            {"problem": {"value": {"type": "plain_text_input", "value": "Fewer falls."}}},
        ),
        "U0SUBMITR3",
    ),
}
