"""The parts of Slack's payloads this app reads, as TypedDicts.

Bolt hands listeners plain dicts parsed from Slack's JSON. Typing them here documents which
fields the app relies on and lets the type checker catch a misspelt key or a missing None check;
at run time they are still the dicts Bolt parsed. Every TypedDict is `total=False`: Slack leaves
fields out (no `thread_ts` on a top-level message, no `channel` on a click in App Home).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict


class SlashCommand(TypedDict, total=False):
    """The form Slack posts for `/statement …` (Bolt's `command`, also its `body`)."""

    command: str
    text: str
    user_id: str
    team_id: str
    channel_id: str
    trigger_id: str
    response_url: str


class MessageEvent(TypedDict, total=False):
    """A `message` or `app_mention` event; also the assistant panel's user message."""

    type: str
    subtype: str
    bot_id: str
    user: str
    text: str
    channel: str
    channel_type: str  # "im" for a direct message
    ts: str
    thread_ts: str
    files: list[dict[str, object]]


class HomeOpenedEvent(TypedDict, total=False):
    type: str
    user: str
    tab: str  # "home" or "messages"


class ViewingContext(TypedDict, total=False):
    channel_id: str  # the channel the user was looking at when they opened the panel
    team_id: str


class AssistantThread(TypedDict, total=False):
    user_id: str
    channel_id: str
    thread_ts: str
    context: ViewingContext


class AssistantThreadStarted(TypedDict, total=False):
    type: str
    assistant_thread: AssistantThread


class EventBody(TypedDict, total=False):
    """The envelope of every event: its id is what a retry repeats."""

    type: str
    team_id: str
    event_id: str
    event: MessageEvent


class Ref(TypedDict, total=False):
    """A user, team or channel in an interactive payload."""

    id: str
    team_id: str


class Container(TypedDict, total=False):
    type: str
    channel_id: str
    message_ts: str
    is_ephemeral: bool


class PostedMessage(TypedDict, total=False):
    ts: str
    thread_ts: str


class ButtonAction(TypedDict, total=False):
    """One clicked button (Bolt's `action`)."""

    action_id: str
    block_id: str
    value: str


class BlockActionsBody(TypedDict, total=False):
    """A click on a button, in a message (with `channel` and `message`) or in App Home."""

    type: str
    user: Ref
    team: Ref
    channel: Ref
    container: Container
    message: PostedMessage
    trigger_id: str
    response_url: str


class SelectedOption(TypedDict, total=False):
    value: str


class InputValue(TypedDict, total=False):
    """What one input of a submitted modal holds: typed text, a picked option or a user."""

    type: str
    value: str | None
    selected_option: SelectedOption | None
    selected_user: str | None


class ViewState(TypedDict, total=False):
    values: dict[str, dict[str, InputValue]]  # block id → action id → input


class SubmittedView(TypedDict, total=False):
    """A modal as submitted (Bolt's `view`)."""

    callback_id: str
    private_metadata: str
    state: ViewState


class ViewSubmissionBody(TypedDict, total=False):
    type: str
    user: Ref
    team: Ref
    view: SubmittedView


def text_at(payload: Mapping[str, object], *path: str) -> str | None:
    """The string at `path` in a payload (e.g. "user", "id"), or None if any step is missing.

    For code that reads several payload shapes at once (whoever acted, wherever they were),
    where no single TypedDict applies.
    """
    found: object = payload
    for key in path:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found if isinstance(found, str) and found else None
