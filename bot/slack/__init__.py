"""The Slack adapter: a thin Bolt app over the coaching engine."""
