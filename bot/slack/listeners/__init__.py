"""Bolt listeners grouped by kind, as in Slack's sample apps.

Each module has module-level handler functions and a `register(app)` that attaches them; what
the handlers need beyond Bolt's arguments (the Slack ↔ engine bridge) reaches them through
`context`, put there by the middleware in `dependencies.py`. Ids live in `bot/slack/ids.py`.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.conversations import SlackConversations
from bot.slack.listeners import actions, assistant, commands, dependencies, events, views


def register_all(app: App, conversations: SlackConversations) -> None:
    """Every listener, after the middleware that gives them their dependencies."""
    app.use(dependencies.provide(conversations))  # first: the listeners below read it
    assistant.register(app)  # before `events`: it claims the panel's messages
    commands.register(app)
    views.register(app)
    events.register(app)
    actions.register(app)
