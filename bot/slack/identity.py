"""Who is acting, and in which workspace, for every event and interaction the app handles.

Every access check in the store is made for an `Actor`, so an actor must always be a real Slack
user. Bolt's context carries the user for most payloads, but not for all of them: for
`assistant_thread_started` it finds none, because the user sits in `assistant_thread.user_id`.
`resolve` therefore reads Bolt's context first and then the payload's own fields, and when no
user (or no workspace) is there it raises `NoIdentity`: the app refuses to act rather than act as
some shared stand-in, which would let every such request see the same drafts.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_bolt import BoltContext

from bot.drafts.records import Actor
from bot.slack.payloads import text_at

# Where each payload the app handles names the acting user, most specific first.
USER_FIELDS: tuple[tuple[str, ...], ...] = (
    ("user_id",),  # slash commands
    ("user", "id"),  # block_actions, view_submission
    ("event", "user"),  # message.*, app_mention, app_home_opened
    ("event", "assistant_thread", "user_id"),  # assistant_thread_started / _context_changed
    ("event", "message", "user"),  # message_changed and other wrapped messages
)
# Where each payload names the workspace (team) it came from.
TEAM_FIELDS: tuple[tuple[str, ...], ...] = (
    ("team_id",),  # slash commands, every event envelope
    ("team", "id"),  # block_actions, view_submission
    ("user", "team_id"),
    ("event", "team"),
    ("event", "assistant_thread", "context", "team_id"),
)


class NoIdentity(Exception):
    """A request that names no user or no workspace: nobody may be acted for."""


def resolve(context: BoltContext | Mapping[str, object], body: Mapping[str, object]) -> Actor:
    """The acting user in the acting workspace, from Bolt's context or the payload itself.

    Raises `NoIdentity` (with the payload's type, never its content) when either is missing.
    """
    user = _context_value(context, "user_id") or _first(body, USER_FIELDS)
    team = _context_value(context, "team_id") or _first(body, TEAM_FIELDS)
    if not user or not team:
        missing = " and ".join(n for n, v in (("user", user), ("workspace", team)) if not v)
        raise NoIdentity(f"no {missing} in the {_kind(body)} payload")
    return Actor(team, user)


def _context_value(context: BoltContext | Mapping[str, object], key: str) -> str | None:
    value = context.get(key)
    return value if isinstance(value, str) and value else None


def _first(body: Mapping[str, object], paths: tuple[tuple[str, ...], ...]) -> str | None:
    for path in paths:
        found = text_at(body, *path)
        if found:
            return found
    return None


def _kind(body: Mapping[str, object]) -> str:
    """The payload's type for a log line: `event_callback/assistant_thread_started` and so on."""
    kind = text_at(body, "type") or ("slash command" if "command" in body else "untyped")
    event_type = text_at(body, "event", "type")
    return f"{kind}/{event_type}" if event_type else kind
