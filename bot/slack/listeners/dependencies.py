"""What listeners need beyond Bolt's own arguments, put into each request's `context`.

Bolt's samples keep listeners as plain module-level functions and let middleware hand them
their dependencies through the `context` Bolt passes to every listener. `provide` is that
middleware; `conversations_of` and `direct_messages_of` read them back with their types, so a
handler can be called in a test with a hand-made `BoltContext` and no server at all.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext, BoltResponse

from bot.slack.conversations import SlackConversations
from bot.slack.direct import DirectMessages

CONVERSATIONS = "partnership_coach.conversations"
DIRECT_MESSAGES = "partnership_coach.direct_messages"
Middleware = Callable[[BoltContext, Callable[[], BoltResponse]], BoltResponse]


def provide(conversations: SlackConversations) -> Middleware:
    """A global middleware that puts the Slack ↔ engine bridge into every request's context."""
    direct = DirectMessages(conversations)

    # Bolt passes middleware arguments by name, so the parameter must be called `next`.
    def middleware(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        add_to(context, conversations, direct)
        return next()

    return middleware


def add_to(
    context: BoltContext,
    conversations: SlackConversations,
    direct: DirectMessages | None = None,
) -> BoltContext:
    """Put the dependencies into `context` (what `provide` does; tests call it directly)."""
    context[CONVERSATIONS] = conversations
    context[DIRECT_MESSAGES] = direct or DirectMessages(conversations)
    return context


def conversations_of(context: BoltContext) -> SlackConversations:
    conversations = context.get(CONVERSATIONS)
    if not isinstance(conversations, SlackConversations):
        raise LookupError("the listeners' middleware did not run (see listeners.register_all)")
    return conversations


def direct_messages_of(context: BoltContext) -> DirectMessages:
    direct = context.get(DIRECT_MESSAGES)
    if not isinstance(direct, DirectMessages):
        raise LookupError("the listeners' middleware did not run (see listeners.register_all)")
    return direct
